/* params_delivery.h - variables set from the delivery area's main.cf parameters. */
#ifndef PARAMS_DELIVERY_H
#define PARAMS_DELIVERY_H

#endif
