# coding: utf-8
"""Imports the binding (all its modules, so every name pyhpsocket.py wraps resolves) and lists
the functions HPSocketAPI.py binds from the library, each with whether the loaded library has
it (ctypes' hasattr: a dlsym, exactly how the binding decides)."""
import re
import sys

import HPSocket  # noqa: F401  (the package's __init__)
import HPSocket.HPSocketAPI as api
import HPSocket.helper  # noqa: F401
import HPSocket.pyhpsocket  # noqa: F401
import HPSocket.TcpPack  # noqa: F401
import HPSocket.TcpPull  # noqa: F401
import HPSocket.TcpPush  # noqa: F401

print("library:", api.HPSocketDLL._name, file=sys.stderr)
with open(api.__file__, encoding="utf-8") as f:
    src = f.read()
# Every binding is `if hasattr(HPSocketDLL, "Name"):` then `Name = HPSocketDLL.Name`; take both.
names = set(re.findall(r"\bHPSocketDLL\.([A-Za-z_][A-Za-z0-9_]*)", src))
names |= set(re.findall(r"hasattr\(HPSocketDLL,\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']\)", src))
names.discard("_name")
# Which library answered: HP_GetHPSocketVersion packs major.minor.revise.build in 4 bytes.
v = api.HP_GetHPSocketVersion()
print("version %d.%d.%d.%d" % (v >> 24, (v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF))
for n in sorted(names):
    print("%s %s" % ("present" if hasattr(api.HPSocketDLL, n) else "missing", n))
