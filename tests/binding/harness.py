# coding: utf-8
"""Shared helpers for the scripts run by tests/python_binding.rs.

The scripts import the HPSocket 0.9.3 binding from a copy of the wheel's `HPSocket` package whose
`libhpsocket4c_amd64_64.so` is either our library or upstream's own (the Rust test builds both
copies and puts the one to use first on PYTHONPATH). Every script prints deterministic lines only
(no ports, handles or connection ids), so the two runs can be compared line by line.
"""
import sys
import threading

WAIT = 15.0  # generous: a step that takes longer is reported as a timeout, never as a race


def loaded_library():
    import HPSocket.HPSocketAPI as api
    return api.HPSocketDLL._name


class Waiter:
    """A counter that threads of the library bump from callbacks and the main thread waits on."""

    def __init__(self):
        self.cond = threading.Condition()
        self.counts = {}

    def bump(self, what, n=1):
        with self.cond:
            self.counts[what] = self.counts.get(what, 0) + n
            self.cond.notify_all()

    def count(self, what):
        with self.cond:
            return self.counts.get(what, 0)

    def wait(self, what, at_least=1, timeout=WAIT):
        with self.cond:
            ok = self.cond.wait_for(lambda: self.counts.get(what, 0) >= at_least, timeout)
        if not ok:
            print("TIMEOUT waiting for %s >= %d (have %d)" % (what, at_least, self.count(what)), flush=True)
        return ok

    def wait_until(self, pred, what, timeout=WAIT):
        with self.cond:
            ok = self.cond.wait_for(pred, timeout)
        if not ok:
            print("TIMEOUT waiting for %s" % what, flush=True)
        return ok


def listen_port(server):
    import HPSocket.pyhpsocket as HPSocket
    addr = HPSocket.HP_Server_GetListenAddress(server)
    if addr is None:
        print("HP_Server_GetListenAddress failed", flush=True)
        sys.exit(3)
    return addr[1]


def out(*parts):
    print(*parts, flush=True)
