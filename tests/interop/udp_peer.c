/* A UDP peer that loads an HPSocket4C library at run time, so the same program runs over our
 * library and over upstream's 5.1.1 library (PyPI hpsocket==0.9.3) in separate processes.
 *
 *   udp_peer <lib.so> server <port>           UdpServer echo; prints "LISTEN", runs until stdin
 *                                             closes, then stops and prints its counters
 *   udp_peer <lib.so> client <port> <count>   UdpClient: <count> datagrams of 1..1400 bytes, each
 *                                             after the previous echo, every byte checked; then
 *                                             stays quiet for PEER_HOLD_MS (heartbeats only),
 *                                             checks it is still connected with one more echo,
 *                                             stops and prints its counters
 *   udp_peer <lib.so> cast-recv <group> <port> <count>
 *                                             UdpCast in multicast mode: prints "READY", waits
 *                                             for <count> datagrams, prints what it got
 *   udp_peer <lib.so> cast-send <group> <port> <count>
 *                                             UdpCast: sends <count> datagrams to the group
 *
 * PEER_DETECT is the detect interval in the library's own unit (seconds for 5.1.1, milliseconds
 * for ours) and PEER_ATTEMPTS the detect attempts. BOOL is a one-byte _Bool, as in tcp_peer.c. */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef _Bool PBOOL;
typedef unsigned long CONNID;
typedef void *H;
typedef int (*FnAccept)(H, CONNID, uintptr_t);
typedef int (*FnConnect)(H, CONNID);
typedef int (*FnReceive)(H, CONNID, const unsigned char *, int);
typedef int (*FnClose)(H, CONNID, int, int);
typedef int (*FnShutdown)(H);

static struct {
    H (*CreateServerListener)(void);
    H (*CreateServer)(H);
    void (*SetAccept)(H, FnAccept);
    void (*SetServerReceive)(H, FnReceive);
    void (*SetServerClose)(H, FnClose);
    void (*SetServerShutdown)(H, FnShutdown);
    PBOOL (*ServerStart)(H, const char *, unsigned short);
    PBOOL (*ServerStop)(H);
    PBOOL (*ServerSend)(H, CONNID, const unsigned char *, int);
    void (*ServerSetDetectInterval)(H, unsigned);
    void (*ServerSetDetectAttempts)(H, unsigned);
    void (*DestroyServer)(H);

    H (*CreateClientListener)(void);
    H (*CreateClient)(H);
    void (*SetClientConnect)(H, FnConnect);
    void (*SetClientReceive)(H, FnReceive);
    void (*SetClientClose)(H, FnClose);
    PBOOL (*ClientStart)(H, const char *, unsigned short, PBOOL);
    PBOOL (*ClientStartWithBind)(H, const char *, unsigned short, PBOOL, const char *);
    PBOOL (*ClientStop)(H);
    PBOOL (*ClientSend)(H, const unsigned char *, int);
    void (*ClientSetDetectInterval)(H, unsigned);
    void (*ClientSetDetectAttempts)(H, unsigned);
    void (*DestroyClient)(H);

    H (*CreateCastListener)(void);
    H (*CreateCast)(H);
    void (*CastSetMode)(H, int);
    void (*CastSetLoop)(H, PBOOL);
    void (*CastSetReuse)(H, PBOOL);
    void (*DestroyCast)(H);
} L;

static void *load(void *dl, const char *name) {
    void *p = dlsym(dl, name);
    if (!p) {
        fprintf(stderr, "missing symbol %s\n", name);
        exit(2);
    }
    return p;
}

static void *dl;

static void bind_all(const char *path) {
    dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
        exit(2);
    }
#define B(field, sym) *(void **)&L.field = load(dl, sym)
    B(CreateServerListener, "Create_HP_UdpServerListener");
    B(CreateServer, "Create_HP_UdpServer");
    B(SetAccept, "HP_Set_FN_Server_OnAccept");
    B(SetServerReceive, "HP_Set_FN_Server_OnReceive");
    B(SetServerClose, "HP_Set_FN_Server_OnClose");
    B(SetServerShutdown, "HP_Set_FN_Server_OnShutdown");
    B(ServerStart, "HP_Server_Start");
    B(ServerStop, "HP_Server_Stop");
    B(ServerSend, "HP_Server_Send");
    B(ServerSetDetectInterval, "HP_UdpServer_SetDetectInterval");
    B(ServerSetDetectAttempts, "HP_UdpServer_SetDetectAttempts");
    B(DestroyServer, "Destroy_HP_UdpServer");
    B(CreateClientListener, "Create_HP_UdpClientListener");
    B(CreateClient, "Create_HP_UdpClient");
    B(SetClientConnect, "HP_Set_FN_Client_OnConnect");
    B(SetClientReceive, "HP_Set_FN_Client_OnReceive");
    B(SetClientClose, "HP_Set_FN_Client_OnClose");
    B(ClientStart, "HP_Client_Start");
    B(ClientStartWithBind, "HP_Client_StartWithBindAddress");
    B(ClientStop, "HP_Client_Stop");
    B(ClientSend, "HP_Client_Send");
    B(ClientSetDetectInterval, "HP_UdpClient_SetDetectInterval");
    B(ClientSetDetectAttempts, "HP_UdpClient_SetDetectAttempts");
    B(DestroyClient, "Destroy_HP_UdpClient");
}

/* UdpCast symbols, bound only when a cast mode runs. */
static void bind_cast(void) {
    B(CreateCastListener, "Create_HP_UdpCastListener");
    B(CreateCast, "Create_HP_UdpCast");
    B(CastSetMode, "HP_UdpCast_SetCastMode");
    B(CastSetLoop, "HP_UdpCast_SetMultiCastLoop");
    B(CastSetReuse, "HP_UdpCast_SetReuseAddress");
    B(DestroyCast, "Destroy_HP_UdpCast");
#undef B
}

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}
static int wait_for(volatile long *v, long want, int ms) {
    for (int i = 0; i < ms; i++) {
        if (__atomic_load_n(v, __ATOMIC_SEQ_CST) >= want) return 1;
        sleep_ms(1);
    }
    return __atomic_load_n(v, __ATOMIC_SEQ_CST) >= want;
}
static unsigned env_u(const char *name, unsigned dflt) {
    const char *v = getenv(name);
    return v ? (unsigned)strtoul(v, NULL, 10) : dflt;
}

/* ---- server ---- */
static volatile long accepted, closed, bytes, shutdowns;
static H g_server;

static int on_accept(H s, CONNID id, uintptr_t c) { (void)s; (void)id; (void)c; __atomic_add_fetch(&accepted, 1, __ATOMIC_SEQ_CST); return 0; }
static int on_srecv(H s, CONNID id, const unsigned char *p, int len) {
    __atomic_add_fetch(&bytes, len, __ATOMIC_SEQ_CST);
    return L.ServerSend(s, id, p, len) ? 0 : 2;
}
static int on_sclose(H s, CONNID id, int op, int code) { (void)s; (void)id; (void)op; (void)code; __atomic_add_fetch(&closed, 1, __ATOMIC_SEQ_CST); return 0; }
static int on_shutdown(H s) { (void)s; __atomic_add_fetch(&shutdowns, 1, __ATOMIC_SEQ_CST); return 0; }

static int run_server(unsigned short port) {
    H l = L.CreateServerListener();
    L.SetAccept(l, on_accept);
    L.SetServerReceive(l, on_srecv);
    L.SetServerClose(l, on_sclose);
    L.SetServerShutdown(l, on_shutdown);
    g_server = L.CreateServer(l);
    L.ServerSetDetectInterval(g_server, env_u("PEER_DETECT", 0));
    L.ServerSetDetectAttempts(g_server, env_u("PEER_ATTEMPTS", 3));
    if (!L.ServerStart(g_server, "127.0.0.1", port)) {
        printf("START FAILED\n");
        return 1;
    }
    printf("LISTEN\n");
    fflush(stdout);
    /* Commands on stdin: "closed <n> <ms>" waits until n connections closed and prints it. */
    char line[128];
    while (fgets(line, sizeof line, stdin)) {
        long n; int ms;
        if (sscanf(line, "closed %ld %d", &n, &ms) == 2) {
            printf("closed=%d\n", wait_for(&closed, n, ms) ? (int)n : (int)closed);
            fflush(stdout);
        }
    }
    L.ServerStop(g_server);
    printf("accepted=%ld closed=%ld bytes=%ld shutdown=%ld\n", accepted, closed, bytes, shutdowns);
    fflush(stdout);
    L.DestroyServer(g_server);
    return 0;
}

/* ---- client ---- */
static volatile long c_connected, c_closed, c_recv, c_bad;
static unsigned char expect[1400];
static int expect_len;

static int on_connect(H c, CONNID id) { (void)c; (void)id; __atomic_add_fetch(&c_connected, 1, __ATOMIC_SEQ_CST); return 0; }
static int on_crecv(H c, CONNID id, const unsigned char *p, int len) {
    (void)c; (void)id;
    if (len != expect_len || memcmp(p, expect, (size_t)len) != 0) __atomic_add_fetch(&c_bad, 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&c_recv, 1, __ATOMIC_SEQ_CST);
    return 0;
}
static int on_cclose(H c, CONNID id, int op, int code) {
    (void)c; (void)id;
    fprintf(stderr, "client closed: op=%d code=%d\n", op, code);
    __atomic_add_fetch(&c_closed, 1, __ATOMIC_SEQ_CST);
    return 0;
}

static int echo_one(H c, int i) {
    expect_len = 1 + (i * 131) % 1400;
    for (int k = 0; k < expect_len; k++) expect[k] = (unsigned char)(i + k * 7);
    long before = c_recv;
    if (!L.ClientSend(c, expect, expect_len)) return 0;
    return wait_for(&c_recv, before + 1, 3000);
}

static int run_client(unsigned short port, int count) {
    H l = L.CreateClientListener();
    L.SetClientConnect(l, on_connect);
    L.SetClientReceive(l, on_crecv);
    L.SetClientClose(l, on_cclose);
    H c = L.CreateClient(l);
    L.ClientSetDetectInterval(c, env_u("PEER_DETECT", 0));
    L.ClientSetDetectAttempts(c, env_u("PEER_ATTEMPTS", 3));
    int ok = L.ClientStart(c, "127.0.0.1", port, 0) && wait_for(&c_connected, 1, 3000);
    long sent = 0;
    for (int i = 0; ok && i < count; i++) {
        ok = echo_one(c, i);
        sent += ok;
    }
    sleep_ms((int)env_u("PEER_HOLD_MS", 0)); /* only heartbeats now */
    int held = ok && c_closed == 0 && echo_one(c, 7);
    L.ClientStop(c);
    printf("client sent=%ld echoed=%ld bad=%ld held=%d ok=%d\n", sent, c_recv, c_bad, held, ok && held && c_bad == 0);
    L.DestroyClient(c);
    return 0;
}

/* ---- cast ---- */
static volatile long cast_recv, cast_bad;
static int on_cast_recv(H c, CONNID id, const unsigned char *p, int len) {
    (void)c; (void)id;
    if (len != 100 || p[0] != 'M') __atomic_add_fetch(&cast_bad, 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&cast_recv, 1, __ATOMIC_SEQ_CST);
    return 0;
}

static H start_cast(const char *group, unsigned short port) {
    H l = L.CreateCastListener();
    L.SetClientReceive(l, on_cast_recv);
    H c = L.CreateCast(l);
    L.CastSetMode(c, 0); /* CM_MULTICAST */
    L.CastSetLoop(c, 1);
    L.CastSetReuse(c, 1); /* both libraries' receivers share the group's port */
    if (!L.ClientStartWithBind(c, group, port, 0, "0.0.0.0")) {
        printf("START FAILED\n");
        exit(1);
    }
    return c;
}

static int run_cast(const char *mode, const char *group, unsigned short port, int count) {
    bind_cast();
    H c = start_cast(group, port);
    if (strcmp(mode, "cast-recv") == 0) {
        printf("READY\n");
        fflush(stdout);
        int got = wait_for(&cast_recv, count, 5000);
        printf("cast received=%ld bad=%ld ok=%d\n", cast_recv, cast_bad, got && cast_bad == 0);
    } else {
        unsigned char msg[100];
        memset(msg, 'M', sizeof msg);
        int sent = 0;
        for (int i = 0; i < count; i++) {
            sent += L.ClientSend(c, msg, sizeof msg);
            sleep_ms(2);
        }
        printf("cast sent=%d\n", sent);
    }
    fflush(stdout);
    L.ClientStop(c);
    L.DestroyCast(c);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: udp_peer <lib.so> server|client|cast-recv|cast-send ...\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    bind_all(argv[1]);
    const char *mode = argv[2];
    if (strcmp(mode, "server") == 0) return run_server((unsigned short)atoi(argv[3]));
    if (strcmp(mode, "client") == 0 && argc >= 5) return run_client((unsigned short)atoi(argv[3]), atoi(argv[4]));
    if (strncmp(mode, "cast-", 5) == 0 && argc >= 6) return run_cast(mode, argv[3], (unsigned short)atoi(argv[4]), atoi(argv[5]));
    fprintf(stderr, "bad arguments\n");
    return 2;
}
