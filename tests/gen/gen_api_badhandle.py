#!/usr/bin/env python3
"""Writes tests/c/api_badhandle.c: every function declared in include/HPSocket4C.h and
include/HPSocket4C-SSL.h that takes a handle, called with bad handles in its place: a destroyed
handle of the kind it expects, live handles of kinds its family can never accept, and pointers
into a stack buffer and into heap blocks. Each call must return the failure value and leave EINVAL in errno.
Run it again when a header gains functions; tests/api.rs (api_badhandle_covers_the_header)
fails when tests/c/api_badhandle.c is stale (--check exits 1 when it differs)."""
import re, sys, pathlib

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from header import HANDLE_TYPES, INCLUDE, SSL_HEADER, handle_types, header_text, params, prototypes, root, zero  # noqa: E402

h = header_text()
protos = prototypes()

# gen_api_null.py's EXPECT table, as conditions on the result r.
EXPECT = {
    "BOOL": "r == FALSE",
    "DWORD": "r == 0",
    "HP_CONNID": "r == 0",
    "PVOID": "r == NULL",
    "LPCTSTR": "r == NULL",
    "En_HP_ServiceState": "r == SS_STOPPED",
    "En_HP_SocketError": "r == SE_INVALID_PARAM",
    "En_HP_FetchResult": "r == FR_DATA_NOT_FOUND",
    "USHORT": "r == 0",
}
# Failure values that the return type alone does not tell.
EXPECT_OF = {
    "HP_SSLServer_AddSSLContext": "r == -1",
    "HP_SSLServer_AddSSLContextByMemory": "r == -1",
    "HP_SSL_DefaultServerNameCallback": "r == 0",
}

# ---- handle types and the kinds of objects ----
# Every `typedef PVOID X;` in the headers is a handle type, and so is every typedef of one (the SSL
# header's `typedef HP_Object HP_SSLServer;`); tasks are `struct TSocketTask *`.
PVOID_TYPES = handle_types(h)
TASK_TYPES = {"HP_LPTSocketTask", "LPTSocketTask"}
names = {name for _, name, _ in protos}

# Components: Create_HP_X(one listener) with a Destroy_HP_X; listeners: Create_HP_XListener(void).
COMPONENTS = []
for ret, name, args in protos:
    m = re.match(r"Create_HP_(\w+)$", name)
    ps = params(args)
    if m and len(ps) == 1 and ps[0].endswith("Listener") and "Destroy_HP_" + m.group(1) in names:
        COMPONENTS.append(m.group(1))
# A component's listener kind: its own, or (HttpSyncClient, the SSL and HTTPS components) the one
# its creator takes: SSLServer and SSLPackServer a TcpServerListener, HttpsServer an
# HttpServerListener, HttpsSyncClient an HttpClientListener...
CREATOR_LISTENER = {name[len("Create_HP_"):]: params(args)[0][len("HP_"):] for _, name, args in protos
                    if name.startswith("Create_HP_") and len(params(args)) == 1}
LISTENER_OF = {c: c + "Listener" if "Create_HP_%sListener" % c in names else CREATOR_LISTENER[c] for c in COMPONENTS}
LISTENERS = sorted({LISTENER_OF[c] for c in COMPONENTS if "Create_HP_%s" % LISTENER_OF[c] in names},
                   key=lambda l: COMPONENTS.index(l[:-len("Listener")]) if l[:-len("Listener")] in COMPONENTS else 0)
assert all("Create_HP_%s" % LISTENER_OF[c] in names for c in COMPONENTS), "every component has a listener creator"

# Listener parameter types that name a role rather than a kind (HP_Set_FN_<Role>_*).
LISTENER_ALIAS = {"HP_ServerListener": "TcpServerListener", "HP_AgentListener": "TcpAgentListener",
                  "HP_ClientListener": "TcpClientListener"}
# HP_<Role>_* functions: the destroyed handle passed is of the plain TCP kind.
FAMILY_ALIAS = {"Server": "TcpServer", "Agent": "TcpAgent", "Client": "TcpClient"}

def role(kind):
    for r in ("Server", "Agent", "Client", "UdpNode", "ThreadPool"):
        if r in kind:
            return r
    if "Cast" in kind:
        return "Client"  # UdpCast is a client: HP_Client_*, client listeners
    return kind

def live(kind):
    """The C variable holding a live handle of this kind."""
    return ("l_" + kind[:-len("Listener")]) if kind.endswith("Listener") else ("h_" + kind)

def stale(kind):
    return "s_" + kind

OTHER_ROLE = {"Server": "TcpAgent", "Agent": "TcpClient", "Client": "TcpServer"}
NEXT_ROLE = {"Server": "Agent", "Agent": "Client", "Client": "Server"}

# The SSL family's components: SSLServer, SSLPullServer, SSLPackServer, HttpsServer... Each is its
# plain counterpart (TcpServer, TcpPullServer, TcpPackServer, HttpServer...) over TLS.
def is_secure(kind):
    return kind.startswith(("SSL", "Https"))

def plain_of(kind):
    return "Tcp" + kind[len("SSL"):] if kind.startswith("SSL") else "Http" + kind[len("Https"):]

SECURE = [c for c in COMPONENTS if is_secure(c)]
SECURE_OF = {plain_of(c): c for c in SECURE}
assert all(p in COMPONENTS for p in SECURE_OF), "every SSL component has a plain counterpart"

def secure_wrongs(kind):
    """Live handles that the HP_SSL<Role>_* functions (and Destroy_HP_<kind>) never accept: its
    listener, an SSL component of another role, its plain counterpart."""
    r = role(kind)
    other = kind.replace(r, NEXT_ROLE[r])
    other = other if other in COMPONENTS else "SSL" + NEXT_ROLE[r]
    lst = LISTENER_OF[kind]
    return [(live(lst), "its listener " + lst, "its listener"),
            (live(other), "a live " + other + " (another role)", "another role"),
            (live(plain_of(kind)), "a live " + plain_of(kind) + " (not SSL)", "not SSL")]

def destroy_wrongs(kind):
    """Live handles that Destroy_HP_<kind> also refuses (the other calls of its group may take
    them): components of another class of the same role: for an SSL class every other SSL class,
    for a plain class its SSL counterpart."""
    if is_secure(kind):
        return [(live(c), "a live " + c + " (another SSL class)", "another SSL class")
                for c in SECURE if c != kind and role(c) == role(kind)]
    if kind in SECURE_OF:
        return [(live(SECURE_OF[kind]), "a live " + SECURE_OF[kind] + " (SSL, not plain)", "SSL, not plain")]
    return []
OTHER_ROLE_LISTENER = {"Server": "TcpAgentListener", "Agent": "TcpClientListener", "Client": "TcpServerListener",
                       "UdpNode": "TcpServerListener", "ThreadPool": "TcpServerListener"}

def component_wrongs(fam):
    """Live handles the HP_<fam>_* functions (and Destroy_HP_<fam>) can never accept."""
    kind = FAMILY_ALIAS.get(fam, fam)
    r = role(kind)
    out = []
    if is_secure(kind):
        return kind, secure_wrongs(kind)
    if r in OTHER_ROLE:
        out.append((live(LISTENER_OF.get(kind, kind + "Listener")), "its listener " + LISTENER_OF.get(kind, kind + "Listener"), "its listener"))
        out.append((live(OTHER_ROLE[r]), "a live " + OTHER_ROLE[r] + " (another role)", "another role"))
        if fam.startswith("Tcp") and "Udp" + r in COMPONENTS:
            out.append((live("Udp" + r), "a live Udp" + r + " (UDP, not TCP)", "other transport"))
        if fam.startswith("Udp") and "Tcp" + r in COMPONENTS:
            out.append((live("Tcp" + r), "a live Tcp" + r + " (TCP, not UDP)", "other transport"))
        if fam.startswith("TcpPull"):
            out.append((live("TcpPack" + r), "a live TcpPack" + r + " (PACK, not PULL)", "pull/pack"))
            out.append((live("SSLPack" + r), "a live SSLPack" + r + " (PACK, not PULL)", "pull/pack"))
        if fam.startswith("TcpPack"):
            out.append((live("TcpPull" + r), "a live TcpPull" + r + " (PULL, not PACK)", "pull/pack"))
            out.append((live("SSLPull" + r), "a live SSLPull" + r + " (PULL, not PACK)", "pull/pack"))
        if fam in FAMILY_ALIAS:
            out.append((live("SSL" + NEXT_ROLE[r]), "a live SSL" + NEXT_ROLE[r] + " (another role)", "another role"))
        if fam.startswith("Http"):
            out.append((live("SSL" + r), "a live SSL" + r + " (TLS, not HTTP)", "not HTTP"))
        if fam.startswith("UdpArq"):
            out.append((live("Udp" + r), "a live Udp" + r + " (not ARQ)", "plain UDP"))
    elif fam == "UdpNode":
        out.append((live("TcpServer"), "a live TcpServer", "other transport"))
        out.append((live("UdpNodeListener"), "its listener UdpNodeListener", "its listener"))
    elif fam == "ThreadPool":
        out.append((live("Compressor"), "a live Compressor", "other object"))
        out.append((live("ThreadPoolListener"), "its listener ThreadPoolListener", "its listener"))
    elif fam == "Compressor":
        out.append((live("Decompressor"), "a live Decompressor", "other object"))
    elif fam == "Decompressor":
        out.append((live("Compressor"), "a live Compressor", "other object"))
    else:
        raise SystemExit("gen_api_badhandle.py: no wrong kinds for family %s" % fam)
    return kind, out

def listener_wrongs(lkind):
    comp = lkind[:-len("Listener")]
    r = role(comp)
    return lkind, [(live(comp), "a live " + comp + " (component, not listener)", "component as listener"),
                   (live(OTHER_ROLE_LISTENER[r]), "a live " + OTHER_ROLE_LISTENER[r] + " (another role)",
                    "listener of another role")]

def task_wrongs():
    return "Task", [(live("ThreadPool"), "a live ThreadPool", "other object")]

STRAYS = [("bad_stack", "a pointer into a stack buffer", "stack"),
          ("bad_heap", "a pointer into a heap block of 0xAB", "heap 0xAB"),
          ("bad_zero", "a pointer into a heap block of zeros", "heap zeros")]

# ---- the calls, grouped by the bad handles they get ----
groups = {}   # group name -> dict(stale kind, wrongs, calls, destroys)
order = []

def group(gname, spec):
    if gname not in groups:
        kind, wrongs = spec
        groups[gname] = {"stale": kind, "wrongs": wrongs, "dwrongs": destroy_wrongs(kind), "calls": [], "last": []}
        order.append(gname)
    return groups[gname]

def call_line(ret, name, ps, idx, fixed=None):
    args = []
    for i, t in enumerate(ps):
        if i == idx:
            args.append("(%s)h" % t)
        elif fixed and i in fixed:
            args.append(fixed[i])
        else:
            args.append(zero(t))
    call = "%s(%s)" % (name, ", ".join(args))
    if ret == "void":
        return "    BAD_VOID(\"%s\", %s);" % (name, call)
    if name in EXPECT_OF:
        ok = EXPECT_OF[name]
    elif ret in EXPECT:
        ok = EXPECT[ret]
    elif ret in PVOID_TYPES or ret in TASK_TYPES:
        ok = "r == NULL"  # Create_*(bad listener)
    else:
        ok = "1"  # enum getters without a documented failure value, int getters: errno only
    return "    BAD(\"%s\", %s, %s, %s);" % (name, ret, call, ok)

skipped = []
for ret, name, args in protos:
    ret = ret.strip()
    ps = params(args)
    idxs = [i for i, t in enumerate(ps) if t in PVOID_TYPES or t in TASK_TYPES]
    if name == "HP_SSL_DefaultServerNameCallback":
        idxs = [1]  # its pContext is the server's handle
    if not idxs or name.startswith("SYS_"):
        skipped.append(name)  # no handle: version, error text, creators of listeners, compressors, tasks
        continue
    for idx in idxs:
        t = ps[idx]
        if t in TASK_TYPES:
            g = group("Task", task_wrongs())
            fixed = {i: live("ThreadPool") for i, u in enumerate(ps) if u == "HP_ThreadPool"}
            line = call_line(ret, name, ps, idx, fixed)
        elif t.endswith("Listener"):
            lkind = LISTENER_ALIAS.get(t, t[len("HP_"):])
            assert lkind in LISTENERS, (name, t)
            g = group(lkind, listener_wrongs(lkind))
            line = call_line(ret, name, ps, idx)
        else:
            fam = name[len("Destroy_HP_"):] if name.startswith("Destroy_HP_") else name.split("_")[1]
            fam = "SSLServer" if fam == "SSL" else fam  # HP_SSL_DefaultServerNameCallback
            g = group(fam, component_wrongs(fam))
            # Submit_Task on a bad pool: the task stays NULL
            line = call_line(ret, name, ps, idx)
        (g["last"] if name.startswith("Destroy_") else g["calls"]).append(line)

# ---- count the calls per bad kind ----
per_kind = {}
def count(label, n):
    per_kind[label] = per_kind.get(label, 0) + n
total_calls = 0
ssl_calls = 0
SSL_NAMES = {name for _, name, _ in prototypes([SSL_HEADER])}
for gname in order:
    g = groups[gname]
    n = len(g["calls"]) + len(g["last"])
    count("destroyed", n)
    for _, _, label in g["wrongs"]:
        count(label, n)
    for _, _, label in STRAYS:
        count(label, n)
    for _, _, label in g["dwrongs"]:
        count(label, len(g["last"]))
    total_calls += n * (1 + len(g["wrongs"]) + len(STRAYS)) + len(g["last"]) * len(g["dwrongs"])
    n_ssl = sum(1 for l in g["calls"] + g["last"] if re.search(r'BAD\w*\("(\w+)"', l).group(1) in SSL_NAMES)
    n_ssl_last = sum(1 for l in g["last"] if re.search(r'BAD\w*\("(\w+)"', l).group(1) in SSL_NAMES)
    ssl_calls += n_ssl * (1 + len(g["wrongs"]) + len(STRAYS)) + n_ssl_last * len(g["dwrongs"])
counts = ", ".join("%s %d" % kv for kv in per_kind.items())

# ---- the program ----
def stale_create(kind):
    v = stale(kind)
    if kind in COMPONENTS:
        return ["    %s = Create_HP_%s(%s);" % (v, kind, live(LISTENER_OF.get(kind, kind + "Listener"))),
                "    CHECK(%s != NULL);" % v, "    Destroy_HP_%s(%s);" % (kind, v)]
    if kind in LISTENERS:
        return ["    %s = Create_HP_%s();" % (v, kind), "    CHECK(%s != NULL);" % v, "    Destroy_HP_%s(%s);" % (kind, v)]
    if kind in ("Compressor", "Decompressor"):
        return ["    %s = Create_HP_ZLib%s(sink);" % (v, kind), "    CHECK(%s != NULL);" % v,
                "    Destroy_HP_%s(%s);" % (kind, v)]
    if kind == "Task":
        return ["    %s = Create_HP_SocketTaskObj(task_proc, NULL, 1, (const BYTE *)\"x\", 1, TBT_COPY, 0, 0);" % v,
                "    CHECK(%s != NULL);" % v, "    Destroy_HP_SocketTaskObj(%s);" % v]
    raise SystemExit("gen_api_badhandle.py: cannot make a destroyed %s" % kind)

decls, setup, stales, runs, funcs = [], [], [], [], []
ssl_live = []
for c in SECURE:
    r = role(c)
    v = live(c)
    ssl_live.append("    CHECK(HP_SSL%s_IsSSLAutoHandShake(%s));" % (r, v))
    ssl_live.append("    CHECK(HP_SSL%s_GetSSLCipherList(%s) != NULL);" % (r, v))
    if r == "Server":
        ssl_live.append("    CHECK(HP_SSLServer_SetupSSLContext(%s, SSL_VM_NONE, NULL, NULL, NULL, NULL, NULL));" % v)
        ssl_live.append("    CHECK(HP_Server_Start(%s, \"127.0.0.1\", 0));" % v)
        ssl_live.append("    CHECK(HP_Server_Stop(%s));" % v)
    else:
        ssl_live.append("    CHECK(HP_SSL%s_SetupSSLContext(%s, SSL_VM_NONE, NULL, NULL, NULL, NULL));" % (r, v))
        ssl_live.append("    CHECK_EQ(HP_%s_GetState(%s), SS_STOPPED);" % (r, v))
for l in LISTENERS:
    decls.append("static HP_%s %s;" % (l, live(l)))
    setup.append("    %s = Create_HP_%s();" % (live(l), l))
    setup.append("    CHECK(%s != NULL);" % live(l))
for c in COMPONENTS:
    decls.append("static HP_%s %s;" % (c, live(c)))
    setup.append("    %s = Create_HP_%s(%s);" % (live(c), c, live(LISTENER_OF[c])))
    setup.append("    CHECK(%s != NULL);" % live(c))
for c in ("Compressor", "Decompressor"):
    decls.append("static HP_%s %s;" % (c, live(c)))
    setup.append("    %s = Create_HP_ZLib%s(sink);" % (live(c), c))
    setup.append("    CHECK(%s != NULL);" % live(c))
needed = []
for gname in order:
    if groups[gname]["stale"] not in needed:
        needed.append(groups[gname]["stale"])
for k in needed:
    decls.append("static %s %s;" % ("HP_LPTSocketTask" if k == "Task" else "HP_" + k, stale(k)))
    stales.extend(stale_create(k))

# Two passes: every other call first, then the Destroy_* calls, so that a Destroy_* wrongly
# accepting a live handle of another kind cannot turn the other calls' live handles stale.
for prefix, key, what in (("g", "calls", "the calls"), ("d", "last", "the Destroy_* calls")):
    runs.append("    /* %s */" % what)
    for gname in order:
        g = groups[gname]
        if not g[key]:
            continue
        funcs.append("/* %s, %s: a destroyed %s, %s, and stray pointers */" % (
            gname, what, g["stale"], ", ".join(d for _, d, _ in g["wrongs"] + (g["dwrongs"] if key == "last" else []))))
        funcs.append("static void %s_%s(PVOID h, const char *kind) {" % (prefix, gname))
        funcs.extend(g[key])
        funcs.append("}")
        funcs.append("")
        runs.append("    %s_%s(%s, \"a destroyed %s\");" % (prefix, gname, stale(g["stale"]), g["stale"]))
        for v, d, _ in g["wrongs"] + (g["dwrongs"] if key == "last" else []):
            runs.append("    %s_%s(%s, \"%s\");" % (prefix, gname, v, d))
        for v, d, _ in STRAYS:
            runs.append("    %s_%s(%s, \"%s\");" % (prefix, gname, v, d))

src = """/* GENERATED by tests/gen/gen_api_badhandle.py from include/HPSocket4C.h and
 * include/HPSocket4C-SSL.h: do not edit.
 * Every declared function that takes a handle, called with bad handles in its place (all other
 * arguments 0 / NULL): a destroyed handle of the kind it expects (Destroy_* twice included),
 * live handles of kinds its family can never accept, and pointers into a stack buffer and heap
 * blocks. Each call returns its failure value (FALSE / NULL / 0 / SS_STOPPED / SE_INVALID_PARAM /
 * FR_DATA_NOT_FOUND) and leaves EINVAL in errno. Then the live handles still work.
 * Calls per bad kind: %s (%d calls in all, %d of them to the SSL header's functions). */
#include <errno.h>
#include "%s"
#include "testutil.h"

static void bad_result(const char *name, const char *kind, int ret_ok, int err) {
    if (ret_ok && err == EINVAL) { t_passed++; return; }
    t_failed++;
    fprintf(stderr, "%%s(%%s): %%s, errno %%d%%s\\n", name, kind, ret_ok ? "failure value" : "WRONG RESULT", err,
            err == EINVAL ? "" : " (want EINVAL)");
}
/* name: the function; T: its return type; ok: the result r is the failure value */
#define BAD(name, T, call, ok) do { errno = 0; T r = call; int e_ = errno; (void)r; bad_result(name, kind, (ok), e_); } while (0)
#define BAD_VOID(name, call) do { errno = 0; call; int e_ = errno; bad_result(name, kind, 1, e_); } while (0)

static int __HP_CALL sink(const BYTE *data, int len, PVOID ctx) {
    if (ctx) { BYTE **p = (BYTE **)ctx; memcpy(*p, data, (size_t)len); *p += len; }
    return TRUE;
}
static volatile long n_tasks, n_accepts, n_connects;
static void __HP_CALL task_proc(TSocketTask *t) { (void)t; __atomic_add_fetch(&n_tasks, 1, __ATOMIC_SEQ_CST); }
static void __HP_CALL plain_task(PVOID arg) { (void)arg; __atomic_add_fetch(&n_tasks, 1, __ATOMIC_SEQ_CST); }
static En_HP_HandleResult __HP_CALL on_accept(HP_Server s, HP_CONNID id, UINT_PTR sock) {
    (void)s; (void)id; (void)sock; __atomic_add_fetch(&n_accepts, 1, __ATOMIC_SEQ_CST); return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_agent_connect(HP_Agent a, HP_CONNID id) {
    (void)a; (void)id; __atomic_add_fetch(&n_connects, 1, __ATOMIC_SEQ_CST); return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_client_connect(HP_Client c, HP_CONNID id) {
    (void)c; (void)id; __atomic_add_fetch(&n_connects, 1, __ATOMIC_SEQ_CST); return HR_OK;
}

%s
static PVOID bad_stack, bad_heap, bad_zero;

%s
static USHORT listen_port(HP_Server s) {
    TCHAR addr[64]; int len = sizeof(addr); USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(s, addr, &len, &port));
    return port;
}

/* The live handles passed as wrong kinds are untouched: each still does its job. */
static void live_handles_still_work(void) {
    HP_Set_FN_Server_OnAccept(l_TcpServer, on_accept);
    HP_Set_FN_Agent_OnConnect(l_TcpAgent, on_agent_connect);
    HP_Set_FN_Client_OnConnect(l_TcpClient, on_client_connect);

    /* TCP: a server, a client and an agent connected to it */
    CHECK_EQ(HP_Server_GetState(h_TcpServer), SS_STOPPED);
    CHECK(HP_Server_Start(h_TcpServer, "127.0.0.1", 0));
    USHORT port = listen_port(h_TcpServer);
    CHECK(HP_Client_Start(h_TcpClient, "127.0.0.1", port, FALSE));
    CHECK(HP_Client_Send(h_TcpClient, (const BYTE *)"hello", 5));
    CHECK(HP_Agent_Start(h_TcpAgent, NULL, FALSE));
    HP_CONNID id = 0;
    CHECK(HP_Agent_Connect(h_TcpAgent, "127.0.0.1", port, &id));
    CHECK(wait_for(&n_accepts, 2, 5000));
    CHECK(wait_for(&n_connects, 2, 5000));
    CHECK_EQ(HP_Server_GetConnectionCount(h_TcpServer), 2);
    /* PACK and PULL clients and agents reach the same server */
    CHECK(HP_Client_Start(h_TcpPackClient, "127.0.0.1", port, FALSE));
    CHECK(HP_Client_Start(h_TcpPullClient, "127.0.0.1", port, FALSE));
    CHECK(HP_Agent_Start(h_TcpPackAgent, NULL, FALSE));
    CHECK(HP_Agent_Start(h_TcpPullAgent, NULL, FALSE));
    CHECK(wait_for(&n_accepts, 4, 5000));
    CHECK(HP_Agent_Stop(h_TcpPullAgent));
    CHECK(HP_Agent_Stop(h_TcpPackAgent));
    CHECK(HP_Client_Stop(h_TcpPullClient));
    CHECK(HP_Client_Stop(h_TcpPackClient));
    CHECK(HP_Agent_Stop(h_TcpAgent));
    CHECK(HP_Client_Stop(h_TcpClient));
    CHECK(HP_Server_Stop(h_TcpServer));
    CHECK(HP_Server_Wait(h_TcpServer, 5000));
    CHECK_EQ(HP_Server_GetState(h_TcpServer), SS_STOPPED);

    /* PACK and PULL servers */
    HP_TcpPackServer_SetMaxPackSize(h_TcpPackServer, 0x1000);
    CHECK_EQ(HP_TcpPackServer_GetMaxPackSize(h_TcpPackServer), 0x1000);
    CHECK(HP_Server_Start(h_TcpPackServer, "127.0.0.1", 0));
    CHECK(HP_Server_Stop(h_TcpPackServer));
    CHECK(HP_Server_Start(h_TcpPullServer, "127.0.0.1", 0));
    CHECK(HP_Server_Stop(h_TcpPullServer));

    /* UDP and ARQ: a server and a client each */
    CHECK(HP_Server_Start(h_UdpServer, "127.0.0.1", 0));
    CHECK(HP_Client_Start(h_UdpClient, "127.0.0.1", listen_port(h_UdpServer), FALSE));
    CHECK(HP_Client_Stop(h_UdpClient));
    CHECK(HP_Server_Stop(h_UdpServer));
    CHECK(HP_Server_Start(h_UdpArqServer, "127.0.0.1", 0));
    CHECK(HP_Client_Start(h_UdpArqClient, "127.0.0.1", listen_port(h_UdpArqServer), FALSE));
    CHECK(HP_Client_Stop(h_UdpArqClient));
    CHECK(HP_Server_Stop(h_UdpArqServer));
    HP_UdpCast_SetMaxDatagramSize(h_UdpCast, 1000);
    CHECK_EQ(HP_UdpCast_GetMaxDatagramSize(h_UdpCast), 1000);
    CHECK_EQ(HP_Client_GetState(h_UdpCast), SS_STOPPED);

    /* UdpNode */
    CHECK(HP_UdpNode_Start(h_UdpNode, "127.0.0.1", 0));
    CHECK(HP_UdpNode_Stop(h_UdpNode));

    /* the thread pool (started before the bad calls) runs tasks */
    CHECK(HP_ThreadPool_HasStarted(h_ThreadPool));
    n_tasks = 0;
    CHECK(HP_ThreadPool_Submit(h_ThreadPool, plain_task, NULL, 0));
    CHECK(HP_ThreadPool_Submit_Task(h_ThreadPool, Create_HP_SocketTaskObj(task_proc, NULL, 1, NULL, 0, TBT_COPY, 0, 0), 0));
    CHECK(wait_for(&n_tasks, 2, 5000));
    CHECK(HP_ThreadPool_Stop(h_ThreadPool, (DWORD)-1));

    /* the compressor and the decompressor */
    static BYTE z[256], back[256];
    BYTE *zp = z, *bp = back;
    CHECK(HP_Compressor_IsValid(h_Compressor));
    CHECK(HP_Decompressor_IsValid(h_Decompressor));
    CHECK(HP_Compressor_Process(h_Compressor, (const BYTE *)"hello hello hello", 17, TRUE, &zp));
    CHECK(zp > z);
    CHECK(HP_Decompressor_Process(h_Decompressor, z, (int)(zp - z), &bp));
    CHECK(bp - back == 17 && memcmp(back, "hello hello hello", 17) == 0);

    /* the SSL and HTTPS components: their SSL settings, and the servers start with a context
     * without certificate */
%s
}

int main(void) {
    unsigned char stackbuf[512];
    memset(stackbuf, 0xAB, sizeof stackbuf);
    unsigned char *heap = (unsigned char *)malloc(512), *zeros = (unsigned char *)calloc(1, 512);
    memset(heap, 0xAB, 512);
    bad_stack = stackbuf + 64;
    bad_heap = heap + 64;
    bad_zero = zeros + 64;

    /* Create_HP_ThreadPool's listener is optional: NULL is no bad handle there */
    {
        HP_ThreadPool p = Create_HP_ThreadPool(NULL);
        CHECK(p != NULL);
        Destroy_HP_ThreadPool(p);
    }

    /* live handles of every kind */
%s
    CHECK(HP_ThreadPool_Start(h_ThreadPool, 1, 0, TRP_CALL_FAIL, 0)); /* so Submit_Task judges only the task */

    /* destroyed handles of every kind, made after the live ones */
%s

%s

    live_handles_still_work();

    /* nothing wrote through the stray pointers */
    int intact = 1;
    for (int i = 0; i < 512; i++) intact &= (stackbuf[i] == 0xAB) & (heap[i] == 0xAB) & (zeros[i] == 0);
    CHECK(intact);

    /* components, then their listeners */
%s
%s
    free(heap);
    free(zeros);
    return t_finish("api_badhandle");
}
""" % (counts, total_calls, ssl_calls, INCLUDE, "\n".join(decls), "\n".join(funcs), "\n".join(ssl_live), "\n".join(setup), "\n".join(stales),
       "\n".join(runs),
       "\n".join("    Destroy_HP_%s(%s);" % (c, live(c)) for c in COMPONENTS + ["Compressor", "Decompressor"]),
       "\n".join("    Destroy_HP_%s(%s);" % (l, live(l)) for l in LISTENERS))

out = root / "tests/c/api_badhandle.c"
if "--check" in sys.argv:
    sys.exit(0 if out.exists() and out.read_text() == src else 1)
out.write_text(src)
