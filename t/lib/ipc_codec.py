"""ipc_codec.py - the test side of postern's internal wire formats: typed
records (global/record.h: type byte, 4-byte big-endian length, data) and
attribute lists (util/attr.h: name NUL value NUL ..., ended by one NUL)."""
import struct


def rec(rtype, data=b''):
    """One record of type rtype (a one-character str)."""
    if isinstance(data, str):
        data = data.encode()
    return rtype.encode() + struct.pack('>I', len(data)) + data


def attrs(**kw):
    """An attribute list from keyword arguments."""
    out = b''
    for k, v in kw.items():
        out += k.encode() + b'\0' + str(v).encode() + b'\0'
    return out + b'\0'


def _token(f):
    out = b''
    while True:
        c = f.read(1)
        if not c:
            return None
        if c == b'\0':
            return out
        out += c


def read_attrs(f):
    """Read one attribute list from a binary file object; None on EOF."""
    out = {}
    while True:
        name = _token(f)
        if name is None:
            return None
        if name == b'':
            return out
        val = _token(f)
        if val is None:
            return None
        out[name.decode()] = val.decode()
