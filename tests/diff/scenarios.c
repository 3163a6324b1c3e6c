/* Scenario programs for the differential test (tests/differential.rs): each scenario drives one
 * HPSocket4C library, loaded at run time with dlopen, and prints a normalised trace: the return
 * value of every call (with GetLastError and errno when it fails), then the events each object
 * saw, in their order, with their operation and error codes. No ids, ports, addresses, timings.
 * The same program runs over upstream's 5.x library and over ours, in separate processes.
 *
 *   scenarios --list                  the scenario names, one a line
 *   scenarios <lib.so> <scenario>     runs one scenario
 *
 * Order is deterministic: steps print from the main thread as they run; events are recorded
 * under a mutex per object and printed once everything is stopped (Stop joins the workers).
 * Waits for expected events are generous (WAIT_MS) and print TIMEOUT when they expire; an event
 * that only one library raises is waited for MAYBE_MS and printed as "yes" or "no". A successful
 * Send waits for its OnSend, and counts and states that upstream updates just after an event are
 * read once settled, so no line depends on thread timing.
 *
 * Only functions exported by both libraries with the same signatures are used. BOOL is a one-byte
 * _Bool (5.x was built with C++ bool; ours returns a 4-byte 0/1 whose low byte reads the same). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef _Bool PBOOL;
typedef unsigned long CONNID;
typedef void *H;

enum { HR_OK = 0, HR_IGNORE = 1, HR_ERROR = 2 };
#define WAIT_MS 5000
#define MAYBE_MS 3000 /* for an event only one of the libraries raises */
#define UNKNOWN_ID 987654UL
#define LOCALHOST "127.0.0.1"

static void *lib;
static void *sym(const char *name)
{
    void *p = dlsym(lib, name);
    if (!p) {
        printf("MISSING %s\n", name);
        exit(3);
    }
    return p;
}
/* Calls an exported function by name with the given signature. */
#define FN(ret, name, ...) ((ret(*)(__VA_ARGS__))sym(name))

/* ---------------------------------------------------------------- errno capture and printing */
static int g_errno;
#define CAP(expr) (errno = 0, g_tmp = (long)(expr), g_errno = errno, g_tmp)
static long g_tmp;

static const char *ename(int e)
{
    static __thread char buf[4][48]; /* callbacks on several threads name codes at once */
    static __thread int k;
    if (e == 0) return "0";
    const char *n = strerrorname_np(e);
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%d/%s", e, n ? n : "?");
    return buf[k];
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}
static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---------------------------------------------------------------- objects and their events */
enum Kind { SERVER, AGENT, CLIENT };
#define MAXOBJ 8
#define MAXEV 48
struct Obj {
    H h, listener;
    enum Kind kind;
    char type[16]; /* "Tcp", "TcpPull", "TcpPack", "Udp", "UdpCast" */
    char name[8];
    int nev;
    char ev[MAXEV][80];
    long received, sent, pull_total;
    long sends; /* bytes this program's successful Send calls asked for */
    int ev_connect, ev_close, ev_shutdown, ev_accept;
    CONNID last_id;
    /* what the callbacks return */
    int r_prepare, r_accept, r_receive, r_connect;
    int e_cb;      /* the errno a callback returning HR_ERROR leaves (0: none) */
    int rec_state; /* OnPrepareConnect / OnConnect record the client's state */
    int echo; /* a server sends back what it receives */
};
static struct Obj objs[MAXOBJ];
static int nobjs;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static struct Obj *find(H h)
{
    for (int k = 0; k < nobjs; k++)
        if (objs[k].h == h) return &objs[k];
    return NULL;
}

/* Records an event; a run of identical events (OnReceive, OnSend) is one line. */
static void record(H h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void record(H h, const char *fmt, ...)
{
    char line[80];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&mu);
    struct Obj *o = find(h);
    if (!o) {
        fprintf(stderr, "event %s for an unknown object\n", line);
    } else if (!(o->nev > 0 && strcmp(o->ev[o->nev - 1], line) == 0)) {
        if (o->nev < MAXEV) snprintf(o->ev[o->nev++], sizeof o->ev[0], "%s", line);
    }
    pthread_mutex_unlock(&mu);
}

static long get(long *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static int geti(int *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static void addl(long *p, long n) { __atomic_add_fetch(p, n, __ATOMIC_SEQ_CST); }
static void addi(int *p) { __atomic_add_fetch(p, 1, __ATOMIC_SEQ_CST); }

/* Waits until *p >= want; prints TIMEOUT (and the name) when it does not happen. */
static int wait_l(struct Obj *o, const char *what, long *p, long want)
{
    for (long t = now_ms(); get(p) < want && now_ms() - t < WAIT_MS;) sleep_ms(1);
    if (get(p) >= want) return 1;
    printf("TIMEOUT %s %s (%ld of %ld)\n", o->name, what, get(p), want);
    return 0;
}
static int wait_i(struct Obj *o, const char *what, int *p, int want)
{
    for (long t = now_ms(); geti(p) < want && now_ms() - t < WAIT_MS;) sleep_ms(1);
    if (geti(p) >= want) return 1;
    printf("TIMEOUT %s %s (%d of %d)\n", o->name, what, geti(p), want);
    return 0;
}

/* ---------------------------------------------------------------- callbacks */
static struct Obj *of(H h)
{
    pthread_mutex_lock(&mu);
    struct Obj *o = find(h);
    pthread_mutex_unlock(&mu);
    if (!o) {
        fprintf(stderr, "callback for an unknown object\n");
        exit(4);
    }
    return o;
}
/* A callback's result, leaving the object's errno when it is HR_ERROR. */
static int result(struct Obj *o, int r)
{
    if (r == HR_ERROR && o->e_cb) errno = o->e_cb;
    return r;
}
static int client_state(H c) { return FN(int, "HP_Client_GetState", H)(c); }
static int on_prepare_listen(H s, uintptr_t so)
{
    (void)so;
    record(s, "OnPrepareListen");
    return result(of(s), of(s)->r_prepare);
}
static int on_accept(H s, CONNID id, uintptr_t so)
{
    (void)so;
    struct Obj *o = of(s);
    record(s, "OnAccept");
    o->last_id = id;
    addi(&o->ev_accept);
    return o->r_accept;
}
static int on_prepare_connect(H c, CONNID id, uintptr_t so)
{
    (void)id, (void)so;
    struct Obj *o = of(c);
    if (o->rec_state) record(c, "OnPrepareConnect state=%d", client_state(c));
    else record(c, "OnPrepareConnect");
    return result(o, o->r_prepare);
}
static int on_connect(H c, CONNID id)
{
    struct Obj *o = of(c);
    if (o->rec_state) record(c, "OnConnect state=%d", client_state(c));
    else record(c, "OnConnect");
    o->last_id = id;
    addi(&o->ev_connect);
    return result(o, o->r_connect);
}
static int on_send(H h, CONNID id, const unsigned char *p, int n)
{
    (void)id, (void)p;
    addl(&of(h)->sent, n);
    return HR_OK;
}
static PBOOL (*server_send)(H, CONNID, const unsigned char *, int);
static int on_receive(H h, CONNID id, const unsigned char *p, int n)
{
    struct Obj *o = of(h);
    record(h, "OnReceive");
    if (o->echo) server_send(h, id, p, n);
    addl(&o->received, n);
    return result(o, o->r_receive);
}
static int on_pull(H h, CONNID id, int total)
{
    (void)id;
    struct Obj *o = of(h);
    record(h, "OnPullReceive");
    __atomic_store_n(&o->pull_total, (long)total, __ATOMIC_SEQ_CST);
    return o->r_receive;
}
static int on_close(H h, CONNID id, int op, int code)
{
    (void)id;
    struct Obj *o = of(h);
    record(h, "OnClose op=%d code=%s", op, ename(code));
    addi(&o->ev_close);
    return HR_OK;
}
static int on_shutdown(H h)
{
    record(h, "OnShutdown");
    addi(&of(h)->ev_shutdown);
    return HR_OK;
}

/* ---------------------------------------------------------------- creating objects */
static const char *const KIND[] = {"Server", "Agent", "Client"};

static struct Obj *create(enum Kind kind, const char *type, const char *name)
{
    char n[96];
    struct Obj *o = &objs[nobjs];
    memset(o, 0, sizeof *o);
    o->kind = kind;
    snprintf(o->type, sizeof o->type, "%s", type);
    snprintf(o->name, sizeof o->name, "%s", name);
    snprintf(n, sizeof n, "Create_HP_%s%sListener", type, strcmp(type, "UdpCast") == 0 ? "" : KIND[kind]);
    o->listener = FN(H, n, void)();
    int pull = strcmp(type, "TcpPull") == 0;
    const char *k = KIND[kind];
#define SETFN(ev, fn)                                                    \
    do {                                                                 \
        snprintf(n, sizeof n, "HP_Set_FN_%s_%s", k, ev);                 \
        FN(void, n, H, void *)(o->listener, (void *)(fn));               \
    } while (0)
    if (kind == SERVER) {
        SETFN("OnPrepareListen", on_prepare_listen);
        SETFN("OnAccept", on_accept);
    } else {
        SETFN("OnPrepareConnect", on_prepare_connect);
        SETFN("OnConnect", on_connect);
    }
    SETFN("OnSend", on_send);
    if (pull) SETFN("OnPullReceive", on_pull);
    else SETFN("OnReceive", on_receive);
    SETFN("OnClose", on_close);
    if (kind != CLIENT) SETFN("OnShutdown", on_shutdown);
#undef SETFN
    snprintf(n, sizeof n, "Create_HP_%s%s", type, strcmp(type, "UdpCast") == 0 ? "" : k);
    H h = FN(H, n, H)(o->listener);
    pthread_mutex_lock(&mu);
    o->h = h;
    nobjs++;
    pthread_mutex_unlock(&mu);
    return o;
}

/* Prints every object's events and byte counts, then destroys the objects. */
static void finish(void)
{
    for (int k = 0; k < nobjs; k++) {
        struct Obj *o = &objs[k];
        pthread_mutex_lock(&mu);
        printf("%s events:", o->name);
        if (o->nev == 0) printf(" none");
        printf("\n");
        for (int i = 0; i < o->nev; i++) printf("  %s %s\n", o->name, o->ev[i]);
        if (o->received || o->sent) printf("  %s received=%ld sent=%ld\n", o->name, o->received, o->sent);
        pthread_mutex_unlock(&mu);
    }
    for (int k = nobjs - 1; k >= 0; k--) {
        struct Obj *o = &objs[k];
        char n[96];
        int cast = strcmp(o->type, "UdpCast") == 0;
        snprintf(n, sizeof n, "Destroy_HP_%s%s", o->type, cast ? "" : KIND[o->kind]);
        FN(void, n, H)(o->h);
        snprintf(n, sizeof n, "Destroy_HP_%s%sListener", o->type, cast ? "" : KIND[o->kind]);
        FN(void, n, H)(o->listener);
    }
    printf("END\n");
}

/* ---------------------------------------------------------------- calls, with their traces */
static const char *K(struct Obj *o) { return KIND[o->kind]; }
static char fname_buf[96];
static const char *fname(struct Obj *o, const char *f)
{
    snprintf(fname_buf, sizeof fname_buf, "HP_%s_%s", K(o), f);
    return fname_buf;
}
static int last_error(struct Obj *o) { return FN(int, fname(o, "GetLastError"), H)(o->h); }

/* Prints "<what> -> 1", or "<what> -> 0 err=<GetLastError> errno=<errno>". */
static int show(struct Obj *o, const char *what, long r)
{
    int e = g_errno;
    if (r) printf("%s %s -> %ld\n", o->name, what, r);
    else printf("%s %s -> 0 err=%d errno=%s\n", o->name, what, last_error(o), ename(e));
    return (int)r;
}
/* Prints a non-BOOL result, with errno */
static void show_val(struct Obj *o, const char *what, long r) { printf("%s %s -> %ld errno=%s\n", o->name, what, r, ename(g_errno)); }

static int s_start(struct Obj *o, unsigned short port)
{
    return show(o, "Start", CAP(FN(PBOOL, "HP_Server_Start", H, const char *, unsigned short)(o->h, LOCALHOST, port)));
}
static int stop(struct Obj *o) { return show(o, "Stop", CAP(FN(PBOOL, fname(o, "Stop"), H)(o->h))); }
/* The state, once it is not SS_STOPPING: upstream's client fires OnClose from inside its own Stop,
 * so right after OnClose it may still be stopping. */
static void state(struct Obj *o)
{
    int (*get_state)(H) = (int (*)(H))sym(fname(o, "GetState"));
    for (long t = now_ms(); get_state(o->h) == 2 && now_ms() - t < WAIT_MS;) sleep_ms(1);
    int st = get_state(o->h);
    int started = FN(PBOOL, fname(o, "HasStarted"), H)(o->h);
    printf("%s GetState -> %d HasStarted -> %d\n", o->name, st, started);
}
static void conn_count(struct Obj *o)
{
    if (o->kind == CLIENT) return;
    printf("%s GetConnectionCount -> %u\n", o->name, FN(unsigned, fname(o, "GetConnectionCount"), H)(o->h));
}
/* The count once it has become `want`: upstream fires OnClose before it forgets the connection,
 * so right after OnClose the count may still include it. */
static void conn_count_becomes(struct Obj *o, unsigned want)
{
    unsigned (*count)(H) = (unsigned (*)(H))sym(fname(o, "GetConnectionCount"));
    for (long t = now_ms(); count(o->h) != want && now_ms() - t < WAIT_MS;) sleep_ms(1);
    printf("%s GetConnectionCount -> %u\n", o->name, count(o->h));
}
static int a_start(struct Obj *o, PBOOL async)
{
    return show(o, async ? "Start(async)" : "Start(sync)", CAP(FN(PBOOL, "HP_Agent_Start", H, const char *, PBOOL)(o->h, NULL, async)));
}
static int a_connect(struct Obj *o, const char *addr, unsigned short port)
{
    CONNID id = 0;
    int r = show(o, "Connect", CAP(FN(PBOOL, "HP_Agent_Connect", H, const char *, unsigned short, CONNID *)(o->h, addr, port, &id)));
    if (r) o->last_id = id;
    return r;
}
static int c_start(struct Obj *o, const char *addr, unsigned short port, PBOOL async)
{
    return show(o, async ? "Start(async)" : "Start(sync)", CAP(FN(PBOOL, "HP_Client_Start", H, const char *, unsigned short, PBOOL)(o->h, addr, port, async)));
}
/* Send on a server or agent connection, or on a client; a successful send is waited for until
 * OnSend has reported its bytes (a PACK header counts too), so later steps never race with it. */
static int send_to(struct Obj *o, const char *what, CONNID id, const void *p, int n)
{
    int r;
    if (o->kind == CLIENT) r = show(o, what, CAP(FN(PBOOL, "HP_Client_Send", H, const void *, int)(o->h, p, n)));
    else r = show(o, what, CAP(FN(PBOOL, fname(o, "Send"), H, CONNID, const void *, int)(o->h, id, p, n)));
    if (r && n > 0) {
        o->sends += n;
        wait_l(o, "OnSend", &o->sent, o->sends);
    }
    return r;
}

/* Waits for an event that one library raises and the other does not; prints which. */
static void maybe(struct Obj *o, const char *what, int *p, int want)
{
    long t = now_ms();
    while (geti(p) < want && now_ms() - t < MAYBE_MS) sleep_ms(1);
    printf("%s %s: %s\n", o->name, what, geti(p) >= want ? "yes" : "no");
}
static int disconnect(struct Obj *o, const char *what, CONNID id)
{
    return show(o, what, CAP(FN(PBOOL, fname(o, "Disconnect"), H, CONNID, PBOOL)(o->h, id, 1)));
}
/* The per-connection calls of a server or agent on `id`. */
static void conn_calls(struct Obj *o, const char *tag, CONNID id)
{
    char what[64], addr[64];
    int len = sizeof addr, pending = -1;
    unsigned short port = 0;
    void *extra = NULL;
    snprintf(what, sizeof what, "GetRemoteAddress(%s)", tag);
    show(o, what, CAP(FN(PBOOL, fname(o, "GetRemoteAddress"), H, CONNID, char *, int *, unsigned short *)(o->h, id, addr, &len, &port)));
    snprintf(what, sizeof what, "GetLocalAddress(%s)", tag);
    len = sizeof addr;
    show(o, what, CAP(FN(PBOOL, fname(o, "GetLocalAddress"), H, CONNID, char *, int *, unsigned short *)(o->h, id, addr, &len, &port)));
    snprintf(what, sizeof what, "GetPendingDataLength(%s)", tag);
    if (show(o, what, CAP(FN(PBOOL, fname(o, "GetPendingDataLength"), H, CONNID, int *)(o->h, id, &pending)))) printf("  pending=%d\n", pending);
    snprintf(what, sizeof what, "SetConnectionExtra(%s)", tag);
    show(o, what, CAP(FN(PBOOL, fname(o, "SetConnectionExtra"), H, CONNID, void *)(o->h, id, (void *)0x1234)));
    snprintf(what, sizeof what, "GetConnectionExtra(%s)", tag);
    if (show(o, what, CAP(FN(PBOOL, fname(o, "GetConnectionExtra"), H, CONNID, void **)(o->h, id, &extra)))) printf("  extra=%p\n", extra);
}

static void pack_params(struct Obj *o, unsigned max, unsigned short flag)
{
    char n[96];
    snprintf(n, sizeof n, "HP_TcpPack%s_SetMaxPackSize", K(o));
    FN(void, n, H, unsigned)(o->h, max);
    snprintf(n, sizeof n, "HP_TcpPack%s_SetPackHeaderFlag", K(o));
    FN(void, n, H, unsigned short)(o->h, flag);
}

/* ---------------------------------------------------------------- plain sockets */
/* A free port on 127.0.0.1 (nothing listens on it once this returns). */
static unsigned short free_port(int type)
{
    int fd = socket(AF_INET, type, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        perror("free_port");
        exit(5);
    }
    close(fd);
    return ntohs(a.sin_port);
}
/* A plain listening socket that never accepts (connections complete in its backlog). */
static int raw_listener(unsigned short *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 16) != 0 || getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        perror("raw_listener");
        exit(5);
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static const unsigned char HELLO[] = "hello";

/* ================================================================ TCP Server */
static void tcp_server_start(void)
{
    struct Obj *s = create(SERVER, "Tcp", "S");
    state(s);
    s_start(s, free_port(SOCK_STREAM));
    state(s);
    conn_count(s);
    stop(s);
    state(s);
    finish();
}

static void tcp_server_port_in_use(void)
{
    unsigned short port = free_port(SOCK_STREAM);
    struct Obj *a = create(SERVER, "Tcp", "A");
    struct Obj *b = create(SERVER, "Tcp", "B");
    s_start(a, port);
    s_start(b, port);
    state(b);
    stop(b);
    stop(a);
    finish();
}

static void tcp_server_stop_twice(void)
{
    struct Obj *s = create(SERVER, "Tcp", "S");
    stop(s);
    s_start(s, free_port(SOCK_STREAM));
    stop(s);
    stop(s);
    state(s);
    finish();
}

static void tcp_server_start_twice(void)
{
    struct Obj *s = create(SERVER, "Tcp", "S");
    s_start(s, free_port(SOCK_STREAM));
    s_start(s, free_port(SOCK_STREAM));
    state(s);
    stop(s);
    /* a stopped server starts again */
    s_start(s, free_port(SOCK_STREAM));
    stop(s);
    finish();
}

static void tcp_server_unknown_id(void)
{
    struct Obj *s = create(SERVER, "Tcp", "S");
    s_start(s, free_port(SOCK_STREAM));
    send_to(s, "Send(unknown id)", UNKNOWN_ID, HELLO, 5);
    disconnect(s, "Disconnect(unknown id)", UNKNOWN_ID);
    conn_calls(s, "unknown id", UNKNOWN_ID);
    conn_count(s);
    stop(s);
    send_to(s, "Send(unknown id, stopped)", UNKNOWN_ID, HELLO, 5);
    finish();
}

/* A client connects and sends; the server receives, then disconnects it. */
static void tcp_server_disconnect(void)
{
    unsigned short port = free_port(SOCK_STREAM);
    struct Obj *s = create(SERVER, "Tcp", "S");
    struct Obj *c = create(CLIENT, "Tcp", "C");
    s_start(s, port);
    c_start(c, LOCALHOST, port, 0);
    wait_i(s, "OnAccept", &s->ev_accept, 1);
    wait_i(c, "OnConnect", &c->ev_connect, 1);
    CONNID id = s->last_id;
    send_to(s, "Send(0 bytes)", id, HELLO, 0);
    send_to(c, "Send(0 bytes)", 0, HELLO, 0);
    send_to(c, "Send(5 bytes)", 0, HELLO, 5);
    wait_l(s, "received", &s->received, 5);
    conn_calls(s, "connection", id);
    conn_count(s);
    disconnect(s, "Disconnect", id);
    wait_i(s, "OnClose", &s->ev_close, 1);
    wait_i(c, "OnClose", &c->ev_close, 1);
    conn_count_becomes(s, 0);
    disconnect(s, "Disconnect(closed id)", id);
    state(c);
    stop(c);
    stop(s);
    finish();
}

/* The client stops: both sides see the close. */
static void tcp_server_client_stops(void)
{
    unsigned short port = free_port(SOCK_STREAM);
    struct Obj *s = create(SERVER, "Tcp", "S");
    struct Obj *c = create(CLIENT, "Tcp", "C");
    s_start(s, port);
    c_start(c, LOCALHOST, port, 0);
    wait_i(s, "OnAccept", &s->ev_accept, 1);
    send_to(c, "Send(5 bytes)", 0, HELLO, 5);
    wait_l(s, "received", &s->received, 5);
    stop(c);
    wait_i(s, "OnClose", &s->ev_close, 1);
    state(c);
    stop(s);
    finish();
}

/* The server stops with a client connected. */
static void tcp_server_stops_with_client(void)
{
    unsigned short port = free_port(SOCK_STREAM);
    struct Obj *s = create(SERVER, "Tcp", "S");
    struct Obj *c = create(CLIENT, "Tcp", "C");
    s_start(s, port);
    c_start(c, LOCALHOST, port, 0);
    wait_i(s, "OnAccept", &s->ev_accept, 1);
    send_to(c, "Send(5 bytes)", 0, HELLO, 5);
    wait_l(s, "received", &s->received, 5);
    stop(s);
    wait_i(c, "OnClose", &c->ev_close, 1);
    state(c);
    stop(c);
    finish();
}

static void tcp_server_accept_error(void)
{
    unsigned short port = free_port(SOCK_STREAM);
    struct Obj *s = create(SERVER, "Tcp", "S");
    struct Obj *c = create(CLIENT, "Tcp", "C");
    s->r_accept = HR_ERROR;
    s_start(s, port);
    c_start(c, LOCALHOST, port, 0);
    wait_i(s, "OnAccept", &s->ev_accept, 1);
    wait_i(c, "OnClose", &c->ev_close, 1);
    conn_count_becomes(s, 0);
    stop(c);
    stop(s);
    finish();
}

/* HR_ERROR from OnReceive, the callback leaving errno `e` (0: none). */
static void server_receive_error(int e)
{
    unsigned short port = free_port(SOCK_STREAM);
    struct Obj *s = create(SERVER, "Tcp", "S");
    struct Obj *c = create(CLIENT, "Tcp", "C");
    s->r_receive = HR_ERROR;
    s->e_cb = e;
    s_start(s, port);
    c_start(c, LOCALHOST, port, 0);
    wait_i(s, "OnAccept", &s->ev_accept, 1);
    send_to(c, "Send(5 bytes)", 0, HELLO, 5);
    wait_i(s, "OnClose", &s->ev_close, 1);
    wait_i(c, "OnClose", &c->ev_close, 1);
    conn_count_becomes(s, 0);
    stop(c);
    stop(s);
    finish();
}

static void tcp_server_receive_error(void) { server_receive_error(0); }

static void server_prepare_listen_error(int e)
{
    struct Obj *s = create(SERVER, "Tcp", "S");
    s->r_prepare = HR_ERROR;
    s->e_cb = e;
    s_start(s, free_port(SOCK_STREAM));
    state(s);
    stop(s);
    finish();
}
static void tcp_server_prepare_listen_error(void) { server_prepare_listen_error(0); }

static void tcp_server_max_connections(void)
{
    unsigned short port = free_port(SOCK_STREAM);
    struct Obj *s = create(SERVER, "Tcp", "S");
    struct Obj *c1 = create(CLIENT, "Tcp", "C1");
    struct Obj *c2 = create(CLIENT, "Tcp", "C2");
    FN(void, "HP_Server_SetMaxConnectionCount", H, unsigned)(s->h, 1);
    printf("S GetMaxConnectionCount -> %u\n", FN(unsigned, "HP_Server_GetMaxConnectionCount", H)(s->h));
    s_start(s, port);
    c_start(c1, LOCALHOST, port, 0);
    wait_i(s, "OnAccept", &s->ev_accept, 1);
    c_start(c2, LOCALHOST, port, 0);
    wait_i(c2, "OnClose", &c2->ev_close, 1);
    conn_count(s);
    send_to(c1, "Send(5 bytes)", 0, HELLO, 5);
    wait_l(s, "received", &s->received, 5);
    stop(c2);
    stop(c1);
    wait_i(s, "OnClose", &s->ev_close, 1);
    stop(s);
    finish();
}

/* ================================================================ TCP Agent */
static void agent_connect_refused(PBOOL async)
{
    struct Obj *a = create(AGENT, "Tcp", "A");
    a_start(a, async);
    a_connect(a, LOCALHOST, free_port(SOCK_STREAM));
    if (async) wait_i(a, "OnClose", &a->ev_close, 1);
    conn_count_becomes(a, 0);
    stop(a);
    finish();
}
static void tcp_agent_connect_refused_async(void) { agent_connect_refused(1); }
static void tcp_agent_connect_refused_sync(void) { agent_connect_refused(0); }

static void agent_prepare_connect_error(int e)
{
    unsigned short port;
    int lfd = raw_listener(&port);
    struct Obj *a = create(AGENT, "Tcp", "A");
    a->r_prepare = HR_ERROR;
    a->e_cb = e;
    a_start(a, 1);
    if (a_connect(a, LOCALHOST, port)) wait_i(a, "OnClose", &a->ev_close, 1);
    conn_count_becomes(a, 0);
    stop(a);
    close(lfd);
    finish();
}
static void tcp_agent_prepare_connect_error(void) { agent_prepare_connect_error(0); }

static void tcp_agent_unknown_id(void)
{
    struct Obj *a = create(AGENT, "Tcp", "A");
    a_start(a, 1);
    send_to(a, "Send(unknown id)", UNKNOWN_ID, HELLO, 5);
    disconnect(a, "Disconnect(unknown id)", UNKNOWN_ID);
    conn_calls(a, "unknown id", UNKNOWN_ID);
    stop(a);
    finish();
}

static void tcp_agent_stop_stopped(void)
{
    unsigned short port;
    int lfd = raw_listener(&port);
    struct Obj *a = create(AGENT, "Tcp", "A");
    stop(a);
    a_connect(a, LOCALHOST, port);
    state(a);
    a_start(a, 1);
    a_start(a, 1);
    stop(a);
    stop(a);
    state(a);
    close(lfd);
    finish();
}

/* The agent connects (sync), sends, and disconnects its connection. */
static void tcp_agent_disconnect(void)
{
    unsigned short port = free_port(SOCK_STREAM);
    struct Obj *s = create(SERVER, "Tcp", "S");
    struct Obj *a = create(AGENT, "Tcp", "A");
    s_start(s, port);
    a_start(a, 0);
    a_connect(a, LOCALHOST, port);
    wait_i(a, "OnConnect", &a->ev_connect, 1);
    wait_i(s, "OnAccept", &s->ev_accept, 1);
    CONNID id = a->last_id;
    send_to(a, "Send(0 bytes)", id, HELLO, 0);
    send_to(a, "Send(5 bytes)", id, HELLO, 5);
    wait_l(s, "received", &s->received, 5);
    conn_calls(a, "connection", id);
    disconnect(a, "Disconnect", id);
    wait_i(a, "OnClose", &a->ev_close, 1);
    wait_i(s, "OnClose", &s->ev_close, 1);
    conn_count_becomes(a, 0);
    stop(a);
    stop(s);
    finish();
}

/* ================================================================ TCP Client */
static void client_connect_refused(PBOOL async)
{
    struct Obj *c = create(CLIENT, "Tcp", "C");
    c_start(c, LOCALHOST, free_port(SOCK_STREAM), async);
    if (async) wait_i(c, "OnClose", &c->ev_close, 1);
    printf("C GetLastError -> %d\n", last_error(c));
    state(c);
    stop(c);
    finish();
}
static void tcp_client_connect_refused_async(void) { client_connect_refused(1); }
static void tcp_client_connect_refused_sync(void) { client_connect_refused(0); }

static void tcp_client_bad_address(void)
{
    struct Obj *c = create(CLIENT, "Tcp", "C");
    c_start(c, "no.such.host.invalid", 80, 0);
    state(c);
    c_start(c, "300.1.2.3", 80, 1);
    state(c);
    stop(c);
    finish();
}

static void tcp_client_send_not_connected(void)
{
    struct Obj *c = create(CLIENT, "Tcp", "C");
    send_to(c, "Send", 0, HELLO, 5);
    stop(c);
    state(c);
    finish();
}

static void tcp_client_stop_twice(void)
{
    unsigned short port;
    int lfd = raw_listener(&port);
    struct Obj *c = create(CLIENT, "Tcp", "C");
    c_start(c, LOCALHOST, port, 0);
    wait_i(c, "OnConnect", &c->ev_connect, 1);
    c_start(c, LOCALHOST, port, 0);
    state(c);
    send_to(c, "Send(5 bytes)", 0, HELLO, 5);
    stop(c);
    stop(c);
    state(c);
    send_to(c, "Send(stopped)", 0, HELLO, 5);
    close(lfd);
    finish();
}

/* ================================================================ PULL */
static void fetch_calls(struct Obj *o, CONNID id)
{
    char n[96], buf[32];
    int client = o->kind == CLIENT;
    snprintf(n, sizeof n, "HP_TcpPull%s_Fetch", K(o));
    void *fetch = sym(n);
    snprintf(n, sizeof n, "HP_TcpPull%s_Peek", K(o));
    void *peek = sym(n);
    /* FN-style calls through the two signatures */
#define PULL(f, len) \
    (client ? ((int (*)(H, char *, int))(f))(o->h, buf, len) : ((int (*)(H, CONNID, char *, int))(f))(o->h, id, buf, len))
    memset(buf, 0, sizeof buf);
    show_val(o, "Peek(11 of 10)", CAP(PULL(peek, 11)));
    show_val(o, "Fetch(11 of 10)", CAP(PULL(fetch, 11)));
    show_val(o, "Peek(4)", CAP(PULL(peek, 4)));
    printf("  data=%.4s\n", buf);
    show_val(o, "Fetch(10)", CAP(PULL(fetch, 10)));
    printf("  data=%.10s\n", buf);
    show_val(o, "Peek(1 of 0)", CAP(PULL(peek, 1)));
    show_val(o, "Fetch(1 of 0)", CAP(PULL(fetch, 1)));
    show_val(o, "Fetch(0)", CAP(PULL(fetch, 0)));
#undef PULL
}

static void pull_server_fetch(void)
{
    unsigned short port = free_port(SOCK_STREAM);
    struct Obj *s = create(SERVER, "TcpPull", "S");
    struct Obj *c = create(CLIENT, "Tcp", "C");
    s_start(s, port);
    c_start(c, LOCALHOST, port, 0);
    wait_i(s, "OnAccept", &s->ev_accept, 1);
    send_to(c, "Send(10 bytes)", 0, "0123456789", 10);
    wait_l(s, "pulled", &s->pull_total, 10);
    fetch_calls(s, s->last_id);
    stop(c);
    wait_i(s, "OnClose", &s->ev_close, 1);
    stop(s);
    finish();
}

/* Fetch and Peek on an id that is no connection (upstream dereferences a NULL buffer). The result
 * alone is printed: upstream has no errno to compare with. */
static void pull_unknown_id(enum Kind kind)
{
    char n[96], buf[4];
    struct Obj *o = create(kind, "TcpPull", kind == SERVER ? "S" : "A");
    if (kind == SERVER) s_start(o, free_port(SOCK_STREAM));
    else a_start(o, 1);
    snprintf(n, sizeof n, "HP_TcpPull%s_Fetch", K(o));
    printf("%s Fetch(unknown id) -> %d\n", o->name, FN(int, n, H, CONNID, char *, int)(o->h, UNKNOWN_ID, buf, 1));
    snprintf(n, sizeof n, "HP_TcpPull%s_Peek", K(o));
    printf("%s Peek(unknown id) -> %d\n", o->name, FN(int, n, H, CONNID, char *, int)(o->h, UNKNOWN_ID, buf, 1));
    stop(o);
    finish();
}
static void pull_server_unknown_id(void) { pull_unknown_id(SERVER); }
static void pull_agent_unknown_id(void) { pull_unknown_id(AGENT); }

static void pull_client_fetch(void)
{
    unsigned short port = free_port(SOCK_STREAM);
    struct Obj *s = create(SERVER, "Tcp", "S");
    struct Obj *c = create(CLIENT, "TcpPull", "C");
    s_start(s, port);
    c_start(c, LOCALHOST, port, 0);
    wait_i(s, "OnAccept", &s->ev_accept, 1);
    send_to(s, "Send(10 bytes)", s->last_id, "0123456789", 10);
    wait_l(c, "pulled", &c->pull_total, 10);
    fetch_calls(c, 0);
    stop(c);
    stop(s);
    finish();
}

static void pull_agent_fetch(void)
{
    unsigned short port = free_port(SOCK_STREAM);
    struct Obj *s = create(SERVER, "Tcp", "S");
    struct Obj *a = create(AGENT, "TcpPull", "A");
    s_start(s, port);
    a_start(a, 0);
    a_connect(a, LOCALHOST, port);
    wait_i(s, "OnAccept", &s->ev_accept, 1);
    send_to(s, "Send(10 bytes)", s->last_id, "0123456789", 10);
    wait_l(a, "pulled", &a->pull_total, 10);
    fetch_calls(a, a->last_id);
    stop(a);
    stop(s);
    finish();
}

/* ================================================================ PACK */
static void pack_oversized_send(void)
{
    unsigned short port = free_port(SOCK_STREAM);
    static unsigned char big[1001];
    struct Obj *s = create(SERVER, "TcpPack", "S");
    struct Obj *c = create(CLIENT, "TcpPack", "C");
    pack_params(s, 1000, 0x123);
    pack_params(c, 1000, 0x123);
    s_start(s, port);
    c_start(c, LOCALHOST, port, 0);
    wait_i(s, "OnAccept", &s->ev_accept, 1);
    send_to(c, "Send(1001 bytes)", 0, big, 1001);
    send_to(c, "Send(0 bytes)", 0, big, 0);
    send_to(c, "Send(1000 bytes)", 0, big, 1000);
    wait_l(s, "received", &s->received, 1000);
    send_to(s, "Send(1001 bytes)", s->last_id, big, 1001);
    send_to(s, "Send(unknown id)", UNKNOWN_ID, big, 10);
    stop(c);
    wait_i(s, "OnClose", &s->ev_close, 1);
    stop(s);
    finish();
}

/* Header flag and max pack size out of range: Start refuses them. */
static void pack_bad_params(void)
{
    struct Obj *s = create(SERVER, "TcpPack", "S");
    pack_params(s, 1000, 0x400);
    s_start(s, free_port(SOCK_STREAM));
    pack_params(s, 0x400000, 0);
    s_start(s, free_port(SOCK_STREAM));
    pack_params(s, 0, 0);
    s_start(s, free_port(SOCK_STREAM));
    pack_params(s, 0x3FFFFF, 0x3FF);
    s_start(s, free_port(SOCK_STREAM));
    stop(s);
    finish();
}

static void pack_peer_bad_flag(void)
{
    unsigned short port = free_port(SOCK_STREAM);
    struct Obj *s = create(SERVER, "TcpPack", "S");
    struct Obj *c = create(CLIENT, "TcpPack", "C");
    pack_params(s, 1000, 1);
    pack_params(c, 1000, 2);
    s_start(s, port);
    c_start(c, LOCALHOST, port, 0);
    wait_i(s, "OnAccept", &s->ev_accept, 1);
    send_to(c, "Send(10 bytes)", 0, "0123456789", 10);
    wait_i(s, "OnClose", &s->ev_close, 1);
    wait_i(c, "OnClose", &c->ev_close, 1);
    stop(c);
    stop(s);
    finish();
}

static void pack_peer_too_big(void)
{
    unsigned short port = free_port(SOCK_STREAM);
    static unsigned char buf[500];
    struct Obj *s = create(SERVER, "TcpPack", "S");
    struct Obj *c = create(CLIENT, "TcpPack", "C");
    pack_params(s, 100, 0);
    pack_params(c, 1000, 0);
    s_start(s, port);
    c_start(c, LOCALHOST, port, 0);
    wait_i(s, "OnAccept", &s->ev_accept, 1);
    send_to(c, "Send(500 bytes)", 0, buf, 500);
    wait_i(s, "OnClose", &s->ev_close, 1);
    wait_i(c, "OnClose", &c->ev_close, 1);
    stop(c);
    stop(s);
    finish();
}

/* ================================================================ UDP */
static void udp_echo(void)
{
    unsigned short port = free_port(SOCK_DGRAM);
    struct Obj *s = create(SERVER, "Udp", "S");
    struct Obj *c = create(CLIENT, "Udp", "C");
    s->echo = 1;
    s_start(s, port);
    state(s);
    c_start(c, LOCALHOST, port, 0);
    wait_i(c, "OnConnect", &c->ev_connect, 1);
    send_to(c, "Send(5 bytes)", 0, HELLO, 5);
    wait_l(s, "received", &s->received, 5);
    wait_l(c, "received", &c->received, 5);
    conn_count(s);
    conn_calls(s, "connection", s->last_id);
    send_to(s, "Send(unknown id)", UNKNOWN_ID, HELLO, 5);
    disconnect(s, "Disconnect(unknown id)", UNKNOWN_ID);
    stop(s);
    conn_count(s);
    maybe(c, "closed by the server's Stop", &c->ev_close, 1);
    state(c);
    stop(c);
    stop(c);
    finish();
}

static void udp_server_disconnect(void)
{
    unsigned short port = free_port(SOCK_DGRAM);
    struct Obj *s = create(SERVER, "Udp", "S");
    struct Obj *c = create(CLIENT, "Udp", "C");
    s_start(s, port);
    c_start(c, LOCALHOST, port, 0);
    wait_i(c, "OnConnect", &c->ev_connect, 1);
    send_to(c, "Send(5 bytes)", 0, HELLO, 5);
    wait_l(s, "received", &s->received, 5);
    disconnect(s, "Disconnect", s->last_id);
    wait_i(s, "OnClose", &s->ev_close, 1);
    maybe(c, "closed by the server's Disconnect", &c->ev_close, 1);
    conn_count_becomes(s, 0);
    stop(s);
    stop(c);
    finish();
}

static void udp_server_port_in_use(void)
{
    unsigned short port = free_port(SOCK_DGRAM);
    struct Obj *a = create(SERVER, "Udp", "A");
    struct Obj *b = create(SERVER, "Udp", "B");
    s_start(a, port);
    s_start(b, port);
    state(b);
    stop(b);
    stop(a);
    finish();
}

static void udp_server_stop_twice(void)
{
    struct Obj *s = create(SERVER, "Udp", "S");
    stop(s);
    s_start(s, free_port(SOCK_DGRAM));
    s_start(s, free_port(SOCK_DGRAM));
    stop(s);
    stop(s);
    finish();
}

static void udp_client_send_not_connected(void)
{
    struct Obj *c = create(CLIENT, "Udp", "C");
    send_to(c, "Send", 0, HELLO, 5);
    stop(c);
    finish();
}

static void udp_cast_bad_address(void)
{
    struct Obj *c = create(CLIENT, "UdpCast", "C");
    unsigned short port = free_port(SOCK_DGRAM);
    FN(void, "HP_UdpCast_SetCastMode", H, int)(c->h, 0); /* CM_MULTICAST */
    c_start(c, "not-an-address", port, 0);
    state(c);
    c_start(c, "300.1.2.3", port, 0);
    c_start(c, "127.0.0.1", port, 0); /* not a multicast group */
    state(c);
    stop(c);
    finish();
}

/* ================================================================ failure codes (6.x's TRIGGER /
 * ENSURE_ERROR_CANCELLED), connection ids, address lengths, client states */
/* The same failures with errno left by the callback: that errno is the close code or the error. */
static void tcp_server_receive_error_errno(void) { server_receive_error(EPROTO); }

static void tcp_server_prepare_listen_error_errno(void) { server_prepare_listen_error(EACCES); }

static void tcp_agent_prepare_connect_error_errno(void) { agent_prepare_connect_error(ENETDOWN); }

/* A synchronous client's OnPrepareConnect (`connect` 0) or OnConnect (1) returning HR_ERROR with
 * errno ENETDOWN left: Start's error. */
static void client_callback_error_errno(int connect)
{
    unsigned short port;
    int lfd = raw_listener(&port);
    struct Obj *c = create(CLIENT, "Tcp", "C");
    if (connect) c->r_connect = HR_ERROR;
    else c->r_prepare = HR_ERROR;
    c->e_cb = ENETDOWN;
    c_start(c, LOCALHOST, port, 0);
    state(c);
    close(lfd);
    finish();
}
static void tcp_client_prepare_connect_error_errno(void) { client_callback_error_errno(0); }

/* The id Connect writes: 0 when it fails before the connection has one. */
static void tcp_agent_connect_ids(void)
{
    unsigned short port;
    int lfd = raw_listener(&port);
    struct Obj *a = create(AGENT, "Tcp", "A");
    PBOOL (*connect)(H, const char *, unsigned short, CONNID *) = (PBOOL(*)(H, const char *, unsigned short, CONNID *))sym("HP_Agent_Connect");
    CONNID id = 777;
    show(a, "Connect(stopped)", CAP(connect(a->h, LOCALHOST, port, &id)));
    printf("  id %s\n", id == 0 ? "0" : id == 777 ? "untouched" : "new");
    a_start(a, 0);
    id = 777;
    show(a, "Connect(bad host)", CAP(connect(a->h, "no.such.host.invalid", port, &id)));
    printf("  id %s\n", id == 0 ? "0" : id == 777 ? "untouched" : "new");
    id = 777;
    show(a, "Connect(refused)", CAP(connect(a->h, LOCALHOST, free_port(SOCK_STREAM), &id)));
    printf("  id %s\n", id == 0 ? "0" : id == 777 ? "untouched" : "new");
    id = 777;
    if (show(a, "Connect", CAP(connect(a->h, LOCALHOST, port, &id)))) wait_i(a, "OnConnect", &a->ev_connect, 1);
    printf("  id %s\n", id == 0 ? "0" : id == 777 ? "untouched" : "new");
    stop(a);
    close(lfd);
    finish();
}

/* Address getters with a buffer too small: FALSE, errno, and the length they report. */
static void tcp_address_short_buffer(void)
{
    unsigned short port = free_port(SOCK_STREAM), p = 0;
    struct Obj *s = create(SERVER, "Tcp", "S");
    struct Obj *c = create(CLIENT, "Tcp", "C");
    char addr[64];
    int len = 3;
    s_start(s, port);
    show(s, "GetListenAddress(3 bytes)", CAP(FN(PBOOL, "HP_Server_GetListenAddress", H, char *, int *, unsigned short *)(s->h, addr, &len, &p)));
    printf("  len=%d\n", len);
    c_start(c, LOCALHOST, port, 0);
    wait_i(s, "OnAccept", &s->ev_accept, 1);
    len = 3;
    show(c, "GetLocalAddress(3 bytes)", CAP(FN(PBOOL, "HP_Client_GetLocalAddress", H, char *, int *, unsigned short *)(c->h, addr, &len, &p)));
    printf("  len=%d\n", len);
    len = 3;
    show(s, "GetRemoteAddress(3 bytes)", CAP(FN(PBOOL, "HP_Server_GetRemoteAddress", H, CONNID, char *, int *, unsigned short *)(s->h, s->last_id, addr, &len, &p)));
    printf("  len=%d\n", len);
    len = 3;
    show(c, "GetRemoteHost(3 bytes)", CAP(FN(PBOOL, "HP_Client_GetRemoteHost", H, char *, int *, unsigned short *)(c->h, addr, &len, &p)));
    printf("  len=%d\n", len);
    stop(c);
    stop(s);
    finish();
}

/* A client's state in OnPrepareConnect and OnConnect, synchronous and asynchronous. */
static void client_states(PBOOL async)
{
    unsigned short port = free_port(SOCK_STREAM);
    struct Obj *s = create(SERVER, "Tcp", "S");
    struct Obj *c = create(CLIENT, "Tcp", "C");
    c->rec_state = 1;
    s_start(s, port);
    c_start(c, LOCALHOST, port, async);
    wait_i(c, "OnConnect", &c->ev_connect, 1);
    wait_i(s, "OnAccept", &s->ev_accept, 1);
    state(c);
    stop(c);
    stop(s);
    finish();
}
static void tcp_client_states_sync(void) { client_states(0); }
static void tcp_client_states_async(void) { client_states(1); }

static void tcp_client_connect_error_errno(void) { client_callback_error_errno(1); }

#include "http_scenarios.inc"

/* ================================================================ */
static const struct {
    const char *name;
    void (*run)(void);
} SCENARIOS[] = {
#define S(f) {#f, f}
    S(tcp_server_start),
    S(tcp_server_port_in_use),
    S(tcp_server_stop_twice),
    S(tcp_server_start_twice),
    S(tcp_server_unknown_id),
    S(tcp_server_disconnect),
    S(tcp_server_client_stops),
    S(tcp_server_stops_with_client),
    S(tcp_server_accept_error),
    S(tcp_server_receive_error),
    S(tcp_server_prepare_listen_error),
    S(tcp_server_max_connections),
    S(tcp_agent_connect_refused_async),
    S(tcp_agent_connect_refused_sync),
    S(tcp_agent_prepare_connect_error),
    S(tcp_agent_unknown_id),
    S(tcp_agent_stop_stopped),
    S(tcp_agent_disconnect),
    S(tcp_client_connect_refused_async),
    S(tcp_client_connect_refused_sync),
    S(tcp_client_bad_address),
    S(tcp_client_send_not_connected),
    S(tcp_client_stop_twice),
    S(tcp_server_receive_error_errno),
    S(tcp_server_prepare_listen_error_errno),
    S(tcp_agent_prepare_connect_error_errno),
    S(tcp_client_prepare_connect_error_errno),
    S(tcp_agent_connect_ids),
    S(tcp_address_short_buffer),
    S(tcp_client_states_sync),
    S(tcp_client_states_async),
    S(tcp_client_connect_error_errno),
    S(pull_server_fetch),
    S(pull_client_fetch),
    S(pull_agent_fetch),
    S(pull_server_unknown_id),
    S(pull_agent_unknown_id),
    S(pack_oversized_send),
    S(pack_bad_params),
    S(pack_peer_bad_flag),
    S(pack_peer_too_big),
    S(udp_echo),
    S(udp_server_disconnect),
    S(udp_server_port_in_use),
    S(udp_server_stop_twice),
    S(udp_client_send_not_connected),
    S(udp_cast_bad_address),
    HTTP_SCENARIOS
#undef S
};

int main(int argc, char **argv)
{
    size_t n = sizeof SCENARIOS / sizeof SCENARIOS[0];
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t k = 0; k < n; k++) printf("%s\n", SCENARIOS[k].name);
        return 0;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: scenarios --list | scenarios <lib.so> <scenario>\n");
        return 2;
    }
    lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "dlopen %s: %s\n", argv[1], dlerror());
        return 3;
    }
    server_send = (PBOOL(*)(H, CONNID, const unsigned char *, int))sym("HP_Server_Send");
    for (size_t k = 0; k < n; k++)
        if (strcmp(argv[2], SCENARIOS[k].name) == 0) {
            SCENARIOS[k].run();
            return 0;
        }
    fprintf(stderr, "unknown scenario %s\n", argv[2]);
    return 2;
}
