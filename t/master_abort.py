#!/usr/bin/python3
"""master_abort.py - `postern abort` kills master and its idle workers go
away on their own; `postern start-fg` runs master in the foreground with
the log on standard output, and `postern stop` ends it cleanly."""
import os
import subprocess
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from postern_test import Instance, TAP  # noqa: E402

t = TAP()
inst = Instance('abort', main_cf={'compatibility_level': '3.6'})
inst.start()
s = inst.smtp()
s.ehlo()
s.quit()
r = inst.postern('abort')
t.is_eq(r.returncode, 0, 'abort exits 0')
t.ok(inst.wait_for(lambda: not inst.pids(), timeout=10),
     'master is gone and its idle workers exit by themselves')
t.ok(not os.path.exists(os.path.join(inst.queue, 'pid', 'master.pid')), 'pid file removed')

p = subprocess.Popen([inst.program('postern'), '-c', inst.etc, 'start-fg'],
                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, env=inst.env())
inst.started = True
t.ok(inst.wait_for(lambda: (inst.banner() or '').startswith('220'), timeout=10),
     'start-fg serves SMTP')
r = inst.postern('status')
t.is_eq(r.returncode, 0, 'status sees the foreground master')
inst.postern('stop')
try:
    out, err = p.communicate(timeout=30)
except subprocess.TimeoutExpired:
    p.kill()
    out, err = p.communicate()
t.ok(b'master[' in out and b'daemon started -- version' in out,
     'start-fg logs to standard output')
t.ok(b'terminating on signal 15' in out, 'including the stop')
t.is_eq(p.returncode, 0, 'start-fg exits 0 after stop')
t.done()
