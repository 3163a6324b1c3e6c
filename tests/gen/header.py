"""What both C test generators read from include/HPSocket4C.h: its prototypes, each parameter's
type, and the zero value passed for a parameter that the call does not care about."""
import re, pathlib

root = pathlib.Path(__file__).resolve().parents[2]

HANDLE_TYPES = {"HP_Server", "HP_Agent", "HP_Client", "HP_TcpServer", "HP_TcpAgent", "HP_TcpClient",
                "HP_TcpServerListener", "HP_TcpAgentListener", "HP_TcpClientListener"}


def header_text():
    """The header without its comments."""
    return re.sub(r"/\*.*?\*/", "", (root / "include/HPSocket4C.h").read_text(), flags=re.S)


def prototypes():
    """(return type, name, argument text) of every function the header declares."""
    h = header_text()
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
    if "*" in ty or ty in HANDLE_TYPES or ty.startswith(("LP", "P", "HP_FN_")) or ty.startswith("HP_Tcp"):
        return "NULL"
    if ty.startswith("En_HP_"):
        return "(%s)0" % ty
    return "0"
