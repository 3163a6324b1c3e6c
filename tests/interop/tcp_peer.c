/* A TCP echo peer that loads an HPSocket4C library at run time, so the same program runs over our
 * library and over upstream's 5.1.1 library (PyPI hpsocket==0.9.3) in separate processes.
 *
 *   tcp_peer <lib.so> server <port>                 echo server; prints "LISTEN", runs until stdin
 *                                                   closes, then stops and prints its counters
 *   tcp_peer <lib.so> client|agent <port> <conns>   connects, sends messages of 1 B .. 1 MiB on each
 *                                                   connection, checks every echo byte, disconnects
 *   tcp_peer <lib.so> hold <port>                   one client that waits until the server closes it
 *
 * The receive model comes from the environment: PEER_MODEL=push (default), pack (TcpPack*, max
 * pack size 1 MiB, header flag PEER_FLAG, default 0) or pull (TcpPull*, with a head+body protocol:
 * a 4-byte little-endian length, then the body; the server echoes whole messages).
 *
 * Only calls whose signatures are the same in 5.1.1 and 6.0.7 are used. BOOL is declared as a
 * one-byte _Bool: 5.1.1 was built with C++ bool; our 4-byte int BOOL returns 0/1, whose low byte
 * reads the same, and _Bool arguments arrive zero-extended. No BOOL* out-parameters are used. */
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
typedef int (*FnPull)(H, CONNID, int);

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
    void (*DestroyServer)(H);
    void (*DestroyServerListener)(H);

    H (*CreateAgentListener)(void);
    H (*CreateAgent)(H);
    void (*SetAgentConnect)(H, FnConnect);
    void (*SetAgentReceive)(H, FnReceive);
    void (*SetAgentClose)(H, FnClose);
    PBOOL (*AgentStart)(H, const char *, PBOOL);
    PBOOL (*AgentStop)(H);
    PBOOL (*AgentConnect)(H, const char *, unsigned short, CONNID *);
    PBOOL (*AgentSend)(H, CONNID, const unsigned char *, int);
    PBOOL (*AgentDisconnect)(H, CONNID, PBOOL);
    void (*DestroyAgent)(H);
    void (*DestroyAgentListener)(H);

    H (*CreateClientListener)(void);
    H (*CreateClient)(H);
    void (*SetClientConnect)(H, FnConnect);
    void (*SetClientReceive)(H, FnReceive);
    void (*SetClientClose)(H, FnClose);
    PBOOL (*ClientStart)(H, const char *, unsigned short, PBOOL);
    PBOOL (*ClientStop)(H);
    PBOOL (*ClientSend)(H, const unsigned char *, int);
    CONNID (*ClientGetConnectionID)(H);
    void (*DestroyClient)(H);
    void (*DestroyClientListener)(H);

    /* PACK / PULL variants */
    void (*SetServerPull)(H, FnPull);
    void (*SetAgentPull)(H, FnPull);
    void (*SetClientPull)(H, FnPull);
    int (*ServerFetch)(H, CONNID, unsigned char *, int);
    int (*ServerPeek)(H, CONNID, unsigned char *, int);
    int (*AgentFetch)(H, CONNID, unsigned char *, int);
    int (*AgentPeek)(H, CONNID, unsigned char *, int);
    int (*ClientFetch)(H, unsigned char *, int);
    int (*ClientPeek)(H, unsigned char *, int);
    void (*ServerSetMaxPack)(H, unsigned int);
    void (*ServerSetFlag)(H, unsigned short);
    void (*AgentSetMaxPack)(H, unsigned int);
    void (*AgentSetFlag)(H, unsigned short);
    void (*ClientSetMaxPack)(H, unsigned int);
    void (*ClientSetFlag)(H, unsigned short);
} api;

enum { PUSH, PACK, PULL } model = PUSH;
static unsigned short pack_flag;
#define PACK_MAX (1 << 20)

static void *lib;
static void load(void **slot, const char *name)
{
    *slot = dlsym(lib, name);
    if (!*slot) { fprintf(stderr, "missing symbol %s\n", name); exit(3); }
}
#define LOAD(field, name) load((void **)&api.field, name)

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static long get(volatile long *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static void add(volatile long *p, long n) { __atomic_add_fetch(p, n, __ATOMIC_SEQ_CST); }

/* ---- server ---- */
static volatile long s_accepted, s_closed, s_close_errors, s_bytes, s_shutdown;

static int s_on_accept(H s, CONNID id, uintptr_t so) { (void)s; (void)id; (void)so; add(&s_accepted, 1); return 0; }
static int s_on_receive(H s, CONNID id, const unsigned char *p, int n)
{
    add(&s_bytes, n);
    return api.ServerSend(s, id, p, n) ? 0 : 2;
}
static int s_on_close(H s, CONNID id, int op, int err)
{
    (void)s; (void)id;
    /* a peer's orderly close or reset is expected; anything else is counted */
    if (!(err == 0 || err == 104 /* ECONNRESET */)) { add(&s_close_errors, 1); fprintf(stderr, "server close op %d err %d\n", op, err); }
    add(&s_closed, 1);
    return 0;
}
static int s_on_shutdown(H s) { (void)s; add(&s_shutdown, 1); return 0; }

static unsigned int le32(const unsigned char *h) { return h[0] | h[1] << 8 | h[2] << 16 | (unsigned int)h[3] << 24; }

/* PULL server: echo each whole head+body message */
static int s_on_pull(H s, CONNID id, int total)
{
    (void)total;
    for (;;) {
        unsigned char head[4];
        if (api.ServerPeek(s, id, head, 4) != 0) return 0;
        int len = 4 + (int)le32(head);
        unsigned char *msg = malloc((size_t)len);
        int r = api.ServerFetch(s, id, msg, len);
        if (r != 0) { free(msg); return 0; }
        add(&s_bytes, len - 4);
        int ok = api.ServerSend(s, id, msg, len);
        free(msg);
        if (!ok) return 2;
    }
}

static int run_server(unsigned short port)
{
    H l = api.CreateServerListener();
    api.SetAccept(l, s_on_accept);
    if (model == PULL) api.SetServerPull(l, s_on_pull);
    else api.SetServerReceive(l, s_on_receive);
    api.SetServerClose(l, s_on_close);
    api.SetServerShutdown(l, s_on_shutdown);
    H s = api.CreateServer(l);
    if (model == PACK) { api.ServerSetMaxPack(s, PACK_MAX); api.ServerSetFlag(s, pack_flag); }
    if (!api.ServerStart(s, "127.0.0.1", port)) { fprintf(stderr, "server start failed\n"); return 1; }
    printf("LISTEN\n");
    fflush(stdout);
    char buf[64];
    while (fgets(buf, sizeof buf, stdin)) {}
    api.ServerStop(s);
    for (long t = now_ms(); get(&s_shutdown) == 0 && now_ms() - t < 5000;) usleep(1000);
    printf("accepted=%ld closed=%ld close_errors=%ld bytes=%ld shutdown=%ld\n",
           get(&s_accepted), get(&s_closed), get(&s_close_errors), get(&s_bytes), get(&s_shutdown));
    api.DestroyServer(s);
    api.DestroyServerListener(l);
    return 0;
}

/* ---- clients ---- */
#define MAXC 32
static struct Conn {
    H owner;
    CONNID id;
    volatile long sent, received, bad, closed, msgs;
} conns[MAXC];
static int nconns;
static int cn_is_agent;
static volatile long c_connected;

static unsigned char pattern(int k, long i) { return (unsigned char)(k * 131 + i * 7 + i / 509); }

static struct Conn *find(H owner, CONNID id)
{
    for (int k = 0; k < nconns; k++)
        if (conns[k].owner == owner && conns[k].id == id) return &conns[k];
    return NULL;
}
static int c_on_connect(H c, CONNID id) { (void)c; (void)id; add(&c_connected, 1); return 0; }
static int c_on_receive(H c, CONNID id, const unsigned char *p, int n)
{
    struct Conn *cn = find(c, id);
    if (!cn) { fprintf(stderr, "data for unknown connection %lu\n", id); return 2; }
    int k = (int)(cn - conns);
    long base = get(&cn->received);
    for (int i = 0; i < n; i++)
        if (p[i] != pattern(k, base + i)) { add(&cn->bad, 1); break; }
    add(&cn->received, n);
    add(&cn->msgs, 1);
    return 0;
}

/* PULL clients: fetch each echoed head+body message and check the body */
static int c_on_pull(H c, CONNID id, int total)
{
    (void)total;
    struct Conn *cn = find(c, id);
    if (!cn) return 2;
    for (;;) {
        unsigned char head[4];
        int r = cn_is_agent ? api.AgentPeek(c, id, head, 4) : api.ClientPeek(c, head, 4);
        if (r != 0) return 0;
        int len = 4 + (int)le32(head);
        unsigned char *msg = malloc((size_t)len);
        r = cn_is_agent ? api.AgentFetch(c, id, msg, len) : api.ClientFetch(c, msg, len);
        if (r != 0) { free(msg); return 0; }
        c_on_receive(c, id, msg + 4, len - 4);
        free(msg);
    }
}
static int c_on_close(H c, CONNID id, int op, int err)
{
    struct Conn *cn = find(c, id);
    (void)op; (void)err;
    if (cn) add(&cn->closed, 1);
    return 0;
}

static const long sizes[] = {1, 10, 100, 1000, 4096, 65536, 1 << 20};

static int exchange(int agent_mode, H agent)
{
    unsigned char *buf = malloc(1 << 20);
    for (size_t m = 0; m < sizeof sizes / sizeof sizes[0]; m++) {
        for (int k = 0; k < nconns; k++) {
            struct Conn *cn = &conns[k];
            long base = get(&cn->sent);
            for (long i = 0; i < sizes[m]; i++) buf[i] = pattern(k, base + i);
            add(&cn->sent, sizes[m]);
            if (model == PULL) {
                unsigned char head[4] = {(unsigned char)sizes[m], (unsigned char)(sizes[m] >> 8), (unsigned char)(sizes[m] >> 16), (unsigned char)(sizes[m] >> 24)};
                PBOOL hok = agent_mode ? api.AgentSend(agent, cn->id, head, 4) : api.ClientSend(cn->owner, head, 4);
                if (!hok) { fprintf(stderr, "send failed on connection %d\n", k); return 1; }
            }
            PBOOL ok = agent_mode ? api.AgentSend(agent, cn->id, buf, (int)sizes[m]) : api.ClientSend(cn->owner, buf, (int)sizes[m]);
            if (!ok) { fprintf(stderr, "send failed on connection %d\n", k); return 1; }
        }
        for (int k = 0; k < nconns; k++) {
            struct Conn *cn = &conns[k];
            long t = now_ms();
            while (get(&cn->received) < get(&cn->sent) && !get(&cn->closed) && now_ms() - t < 20000) usleep(500);
            if (model != PUSH && get(&cn->msgs) != (long)m + 1) {
                fprintf(stderr, "connection %d: %ld messages after %d sent\n", k, get(&cn->msgs), (int)m + 1);
                return 1;
            }
            if (get(&cn->received) != get(&cn->sent) || get(&cn->bad)) {
                fprintf(stderr, "connection %d: sent %ld received %ld bad %ld\n", k, get(&cn->sent), get(&cn->received), get(&cn->bad));
                return 1;
            }
        }
    }
    free(buf);
    return 0;
}

static int run_clients(int agent_mode, unsigned short port, int n)
{
    nconns = n;
    int rc = 0;
    if (agent_mode) {
        H l = api.CreateAgentListener();
        api.SetAgentConnect(l, c_on_connect);
        if (model == PULL) api.SetAgentPull(l, c_on_pull);
        else api.SetAgentReceive(l, c_on_receive);
        api.SetAgentClose(l, c_on_close);
        H a = api.CreateAgent(l);
        cn_is_agent = 1;
        if (model == PACK) { api.AgentSetMaxPack(a, PACK_MAX); api.AgentSetFlag(a, pack_flag); }
        if (!api.AgentStart(a, NULL, 0)) { fprintf(stderr, "agent start failed\n"); return 1; }
        for (int k = 0; k < n; k++) {
            conns[k].owner = a;
            if (!api.AgentConnect(a, "127.0.0.1", port, (CONNID *)&conns[k].id)) { fprintf(stderr, "agent connect failed\n"); return 1; }
        }
        rc = exchange(1, a);
        for (int k = 0; k < n; k++) api.AgentDisconnect(a, conns[k].id, 1);
        for (long t = now_ms(); now_ms() - t < 5000;) {
            int all = 1;
            for (int k = 0; k < n; k++) all &= get(&conns[k].closed) == 1;
            if (all) break;
            usleep(1000);
        }
        api.AgentStop(a);
        api.DestroyAgent(a);
        api.DestroyAgentListener(l);
    } else {
        H l = api.CreateClientListener();
        api.SetClientConnect(l, c_on_connect);
        if (model == PULL) api.SetClientPull(l, c_on_pull);
        else api.SetClientReceive(l, c_on_receive);
        api.SetClientClose(l, c_on_close);
        H cs[MAXC];
        for (int k = 0; k < n; k++) {
            cs[k] = api.CreateClient(l);
            if (model == PACK) { api.ClientSetMaxPack(cs[k], PACK_MAX); api.ClientSetFlag(cs[k], pack_flag); }
            conns[k].owner = cs[k];
            if (!api.ClientStart(cs[k], "127.0.0.1", port, 0)) { fprintf(stderr, "client start failed\n"); return 1; }
            conns[k].id = api.ClientGetConnectionID(cs[k]);
        }
        rc = exchange(0, NULL);
        for (int k = 0; k < n; k++) { api.ClientStop(cs[k]); api.DestroyClient(cs[k]); }
        api.DestroyClientListener(l);
    }
    for (int k = 0; k < n; k++)
        if (get(&conns[k].closed) != 1) { fprintf(stderr, "connection %d: OnClose seen %ld times\n", k, get(&conns[k].closed)); rc = 1; }
    if (get(&c_connected) != n) { fprintf(stderr, "OnConnect %ld of %d\n", get(&c_connected), n); rc = 1; }
    printf("%s conns=%d ok=%d\n", agent_mode ? "agent" : "client", n, rc == 0);
    return rc;
}

/* One client held open until the server goes away: the server's Stop must reach it as OnClose. */
static int run_hold(unsigned short port)
{
    nconns = 1;
    H l = api.CreateClientListener();
    api.SetClientConnect(l, c_on_connect);
    api.SetClientReceive(l, c_on_receive);
    api.SetClientClose(l, c_on_close);
    H c = api.CreateClient(l);
    conns[0].owner = c;
    if (!api.ClientStart(c, "127.0.0.1", port, 0)) { fprintf(stderr, "hold: connect failed\n"); return 1; }
    conns[0].id = api.ClientGetConnectionID(c);
    /* one echoed byte first: the server has surely accepted the connection before it stops */
    unsigned char one = pattern(0, 0);
    add(&conns[0].sent, 1);
    if (!api.ClientSend(c, &one, 1)) { fprintf(stderr, "hold: send failed\n"); return 1; }
    for (long t = now_ms(); get(&conns[0].received) < 1 && now_ms() - t < 10000;) usleep(1000);
    if (get(&conns[0].received) != 1 || get(&conns[0].bad)) { fprintf(stderr, "hold: no echo\n"); return 1; }
    printf("HOLDING\n");
    fflush(stdout);
    long t = now_ms();
    while (!get(&conns[0].closed) && now_ms() - t < 20000) usleep(1000);
    int ok = get(&conns[0].closed) == 1;
    printf("hold closed_by_peer=%d\n", ok);
    api.ClientStop(c);
    api.DestroyClient(c);
    api.DestroyClientListener(l);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 4) { fprintf(stderr, "usage: tcp_peer lib.so server|client|agent|hold port [conns]\n"); return 2; }
    setvbuf(stdout, NULL, _IOLBF, 0);
    lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 3; }
    const char *m = getenv("PEER_MODEL");
    if (m && strcmp(m, "pack") == 0) model = PACK;
    if (m && strcmp(m, "pull") == 0) model = PULL;
    if (getenv("PEER_FLAG")) pack_flag = (unsigned short)strtol(getenv("PEER_FLAG"), NULL, 0);
    const char *kind = model == PACK ? "Pack" : model == PULL ? "Pull" : "";
    char name[128];
#define LOADK(field, fmt) (snprintf(name, sizeof name, fmt, kind), load((void **)&api.field, name))
    LOADK(CreateServerListener, "Create_HP_Tcp%sServerListener");
    LOADK(CreateServer, "Create_HP_Tcp%sServer");
    LOAD(SetAccept, "HP_Set_FN_Server_OnAccept");
    LOAD(SetServerReceive, "HP_Set_FN_Server_OnReceive");
    LOAD(SetServerClose, "HP_Set_FN_Server_OnClose");
    LOAD(SetServerShutdown, "HP_Set_FN_Server_OnShutdown");
    LOAD(ServerStart, "HP_Server_Start");
    LOAD(ServerStop, "HP_Server_Stop");
    LOAD(ServerSend, "HP_Server_Send");
    LOADK(DestroyServer, "Destroy_HP_Tcp%sServer");
    LOADK(DestroyServerListener, "Destroy_HP_Tcp%sServerListener");
    LOADK(CreateAgentListener, "Create_HP_Tcp%sAgentListener");
    LOADK(CreateAgent, "Create_HP_Tcp%sAgent");
    LOAD(SetAgentConnect, "HP_Set_FN_Agent_OnConnect");
    LOAD(SetAgentReceive, "HP_Set_FN_Agent_OnReceive");
    LOAD(SetAgentClose, "HP_Set_FN_Agent_OnClose");
    LOAD(AgentStart, "HP_Agent_Start");
    LOAD(AgentStop, "HP_Agent_Stop");
    LOAD(AgentConnect, "HP_Agent_Connect");
    LOAD(AgentSend, "HP_Agent_Send");
    LOAD(AgentDisconnect, "HP_Agent_Disconnect");
    LOADK(DestroyAgent, "Destroy_HP_Tcp%sAgent");
    LOADK(DestroyAgentListener, "Destroy_HP_Tcp%sAgentListener");
    LOADK(CreateClientListener, "Create_HP_Tcp%sClientListener");
    LOADK(CreateClient, "Create_HP_Tcp%sClient");
    LOAD(SetClientConnect, "HP_Set_FN_Client_OnConnect");
    LOAD(SetClientReceive, "HP_Set_FN_Client_OnReceive");
    LOAD(SetClientClose, "HP_Set_FN_Client_OnClose");
    LOAD(ClientStart, "HP_Client_Start");
    LOAD(ClientStop, "HP_Client_Stop");
    LOAD(ClientSend, "HP_Client_Send");
    LOAD(ClientGetConnectionID, "HP_Client_GetConnectionID");
    LOADK(DestroyClient, "Destroy_HP_Tcp%sClient");
    LOADK(DestroyClientListener, "Destroy_HP_Tcp%sClientListener");
    if (model == PULL) {
        LOAD(SetServerPull, "HP_Set_FN_Server_OnPullReceive");
        LOAD(SetAgentPull, "HP_Set_FN_Agent_OnPullReceive");
        LOAD(SetClientPull, "HP_Set_FN_Client_OnPullReceive");
        LOAD(ServerFetch, "HP_TcpPullServer_Fetch");
        LOAD(ServerPeek, "HP_TcpPullServer_Peek");
        LOAD(AgentFetch, "HP_TcpPullAgent_Fetch");
        LOAD(AgentPeek, "HP_TcpPullAgent_Peek");
        LOAD(ClientFetch, "HP_TcpPullClient_Fetch");
        LOAD(ClientPeek, "HP_TcpPullClient_Peek");
    }
    if (model == PACK) {
        LOAD(ServerSetMaxPack, "HP_TcpPackServer_SetMaxPackSize");
        LOAD(ServerSetFlag, "HP_TcpPackServer_SetPackHeaderFlag");
        LOAD(AgentSetMaxPack, "HP_TcpPackAgent_SetMaxPackSize");
        LOAD(AgentSetFlag, "HP_TcpPackAgent_SetPackHeaderFlag");
        LOAD(ClientSetMaxPack, "HP_TcpPackClient_SetMaxPackSize");
        LOAD(ClientSetFlag, "HP_TcpPackClient_SetPackHeaderFlag");
    }

    unsigned short port = (unsigned short)atoi(argv[3]);
    if (strcmp(argv[2], "server") == 0) return run_server(port);
    if (strcmp(argv[2], "hold") == 0) return run_hold(port);
    int n = argc > 4 ? atoi(argv[4]) : 4;
    if (n < 1 || n > MAXC) return 2;
    if (strcmp(argv[2], "client") == 0) return run_clients(0, port, n);
    if (strcmp(argv[2], "agent") == 0) return run_clients(1, port, n);
    return 2;
}
