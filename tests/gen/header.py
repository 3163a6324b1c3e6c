"""What both C test generators read from the headers (include/HPSocket4C.h, then the SSL family's
include/HPSocket4C-SSL.h): their prototypes, each parameter's type, and the zero value passed for
a parameter that the call does not care about."""
import re, pathlib

root = pathlib.Path(__file__).resolve().parents[2]

HANDLE_TYPES = {"HP_Server", "HP_Agent", "HP_Client", "HP_TcpServer", "HP_TcpAgent", "HP_TcpClient",
                "HP_TcpServerListener", "HP_TcpAgentListener", "HP_TcpClientListener"}


# The headers read, in this order; the generated C includes the last (which includes the first).
SSL_HEADER = "include/HPSocket4C-SSL.h"
HEADERS = ["include/HPSocket4C.h", SSL_HEADER]
INCLUDE = "HPSocket4C-SSL.h"


def header_text(headers=HEADERS):
    """The headers without their comments."""
    text = "\n".join((root / h).read_text() for h in headers)
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def handle_types(h):
    """Every handle type: `typedef PVOID X;`, and `typedef Y X;` of a handle type Y (the SSL
    header's `typedef HP_Object HP_SSLServer;`)."""
    out = set()
    pairs = re.findall(r"typedef\s+(\w+)\s+(\w+)\s*;", h)
    while True:
        more = {x for y, x in pairs if (y == "PVOID" or y in out) and x not in out}
        if not more:
            return out
        out |= more


def prototypes(headers=HEADERS):
    """(return type, name, argument text) of every function the headers declare."""
    h = header_text(headers)
    return re.findall(r"HPSOCKET_API\s+([^;(]+?)\s*\b(\w+)\s*\(([^;]*?)\)\s*;", h, flags=re.S)


def params(a):
    """The parameter types of an argument list."""
    a = " ".join(a.split())
    if a in ("", "void"):
        return []
    out = []
    for p in a.split(","):
        p = p.strip()
        m = re.match(r"(.*?)(\w+)\s*(\[\s*\])?$", p)
        ty = (m.group(1).strip() + (" *" if m.group(3) else "")).strip()
        out.append(ty)
    return out


def zero(ty):
    """The C expression of a zero / NULL argument of type `ty`."""
    if ty in ("LPARAM", "WPARAM"):
        return "0"
    if "*" in ty or ty in HANDLE_TYPES or ty.startswith(("LP", "P", "HP_FN_")) or ty.startswith(("HP_Tcp", "HP_SSL", "HP_Https")):
        return "NULL"
    if ty.startswith("En_HP_"):
        return "(%s)0" % ty
    return "0"
