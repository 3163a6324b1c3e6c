/* The benchmark's client over the C API, in the spirit of upstream's testecho-pfm. Loads the
 * library given on the command line; one TcpAgent holds all connections (or -k client: one
 * TcpClient per connection).
 *
 *   bench_client <lib.so> <port> <pingpong|flood|scale|bcast> [-c conns] [-r rounds] [-s size]
 *                [-w workers] [-m push|pack] [-k agent|client] [-p server_pid]
 *
 * pingpong: each connection sends one message and the next only after its whole echo is back.
 * flood:    each connection sends all rounds at once, then waits for every echo.
 * bcast:    asks a `bench_server -m bcast` to send -r messages of -s bytes to each connection from
 *           one thread, and waits for all of them.
 * scale:    opens -c connections (async), reports the time to connect them all and the server's
 *           resident memory per idle connection (needs -p), and its own (the agent's or the clients').
 * Prints one "RESULT k=v ..." line; with -p it holds the server's user + system CPU over the run
 * (server_cpu_s, and server_cpu_us_per_msg: per message echoed or sent). */
#include <unistd.h>
#include "bench_common.h"

static B (*AgentSend)(H, CONNID, const unsigned char *, int);
static B (*ClientSend)(H, const unsigned char *, int);
static void *(*ClientGetExtra)(H);

static int n_conns = 10, rounds = 1000, size = 64, workers = 0, pack = 0, use_clients = 0, pingpong = 1;
static unsigned char *payload;

typedef struct {
    H owner;          /* agent or client handle */
    CONNID id;
    long got;         /* bytes (push) or messages (pack) of the current round / of all rounds */
    int round;
    double t0;
} Conn;
static Conn *conns;
static Conn **by_id;  /* agent connection id -> Conn */
static long by_id_cap;
static float *lat;    /* ping-pong latencies, seconds */
static volatile long lat_n, done_conns, connected, closed;

static Conn *conn_of(H sender, CONNID id)
{
    if (use_clients) return (Conn *)ClientGetExtra(sender);
    return (long)id < by_id_cap ? by_id[id] : NULL;
}

static B send_msg(Conn *c)
{
    return use_clients ? ClientSend(c->owner, payload, size) : AgentSend(c->owner, c->id, payload, size);
}

static int on_receive(H sender, CONNID id, const unsigned char *p, int n)
{
    (void)p;
    Conn *c = conn_of(sender, id);
    if (!c) return 0;
    c->got += pack ? 1 : n;
    if (pingpong) {
        long unit = pack ? 1 : size;
        if (c->got < unit) return 0;
        c->got -= unit;
        double t = now_s();
        long k = __atomic_fetch_add(&lat_n, 1, __ATOMIC_RELAXED);
        lat[k] = (float)(t - c->t0);
        if (++c->round < rounds) {
            c->t0 = t;
            if (!send_msg(c)) return 2;
        } else {
            __atomic_add_fetch(&done_conns, 1, __ATOMIC_SEQ_CST);
        }
    } else {
        long want = pack ? rounds : (long)rounds * size;
        if (c->got == want) __atomic_add_fetch(&done_conns, 1, __ATOMIC_SEQ_CST);
    }
    return 0;
}
static int on_connect(H sender, CONNID id) { (void)sender; (void)id; __atomic_add_fetch(&connected, 1, __ATOMIC_SEQ_CST); return 0; }
static int on_close(H sender, CONNID id, int op, int err) { (void)sender; (void)id; (void)op; (void)err; __atomic_add_fetch(&closed, 1, __ATOMIC_SEQ_CST); return 0; }

static int cmp_float(const void *a, const void *b) { float x = *(const float *)a, y = *(const float *)b; return (x > y) - (x < y); }

int main(int argc, char **argv)
{
    if (argc < 4) { fprintf(stderr, "usage: bench_client lib.so port pingpong|flood|scale [options]\n"); return 2; }
    open_lib(argv[1]);
    int port = atoi(argv[2]);
    const char *mode = argv[3];
    int server_pid = 0;
    for (int i = 4; i + 1 < argc; i += 2) {
        const char *o = argv[i], *v = argv[i + 1];
        if (!strcmp(o, "-c")) n_conns = atoi(v);
        else if (!strcmp(o, "-r")) rounds = atoi(v);
        else if (!strcmp(o, "-s")) size = atoi(v);
        else if (!strcmp(o, "-w")) workers = atoi(v);
        else if (!strcmp(o, "-m")) pack = !strcmp(v, "pack");
        else if (!strcmp(o, "-k")) use_clients = !strcmp(v, "client");
        else if (!strcmp(o, "-p")) server_pid = atoi(v);
    }
    int scale = !strcmp(mode, "scale");
    pingpong = !strcmp(mode, "pingpong");
    payload = (unsigned char *)malloc((size_t)size);
    for (int i = 0; i < size; i++) payload[i] = (unsigned char)i;
    conns = (Conn *)calloc((size_t)n_conns, sizeof(Conn));
    by_id_cap = (long)n_conns * 2 + 64;
    by_id = (Conn **)calloc((size_t)by_id_cap, sizeof(Conn *));
    /* Touched now (a write to every page; calloc's pages are not resident before), so that the
     * client's memory per connection (scale) counts the library's only. */
    for (size_t o = 0; o < (size_t)n_conns * sizeof(Conn); o += 4096) ((volatile char *)conns)[o] = 0;
    for (size_t o = 0; o < (size_t)by_id_cap * sizeof(Conn *); o += 4096) ((volatile char *)by_id)[o] = 0;
    if (pingpong) lat = (float *)malloc(sizeof(float) * (size_t)n_conns * (size_t)rounds);

    const char *kind = pack ? "Pack" : "";
    char name[96];
    H agent = NULL, listener;
    long rss0 = server_pid ? rss_kb(server_pid) : -1, crss0 = rss_kb(getpid());
    double t_start = now_s();
    if (!use_clients) {
        snprintf(name, sizeof name, "Create_HP_Tcp%sAgentListener", kind);
        listener = ((H (*)(void))sym(name))();
        snprintf(name, sizeof name, "Create_HP_Tcp%sAgent", kind);
        H (*Create)(H) = (H (*)(H))sym(name);
        ((void (*)(H, FnReceive))sym("HP_Set_FN_Agent_OnReceive"))(listener, on_receive);
        ((void (*)(H, FnConnect))sym("HP_Set_FN_Agent_OnConnect"))(listener, on_connect);
        ((void (*)(H, FnClose))sym("HP_Set_FN_Agent_OnClose"))(listener, on_close);
        agent = Create(listener);
        if (workers > 0) ((void (*)(H, unsigned))sym("HP_Agent_SetWorkerThreadCount"))(agent, (unsigned)workers);
        ((void (*)(H, unsigned))sym("HP_Agent_SetMaxConnectionCount"))(agent, 100000);
        if (pack) ((void (*)(H, unsigned))sym("HP_TcpPackAgent_SetMaxPackSize"))(agent, 0x3FFFFF);
        AgentSend = (B (*)(H, CONNID, const unsigned char *, int))sym("HP_Agent_Send");
        B (*Start)(H, const char *, B) = (B (*)(H, const char *, B))sym("HP_Agent_Start");
        B (*Connect)(H, const char *, unsigned short, CONNID *) = (B (*)(H, const char *, unsigned short, CONNID *))sym("HP_Agent_Connect");
        if (!Start(agent, NULL, scale)) { fprintf(stderr, "agent start failed\n"); return 1; }
        t_start = now_s();
        for (int i = 0; i < n_conns; i++) {
            conns[i].owner = agent;
            if (!Connect(agent, "127.0.0.1", (unsigned short)port, &conns[i].id)) { fprintf(stderr, "connect %d failed\n", i); return 1; }
            if ((long)conns[i].id < by_id_cap) by_id[conns[i].id] = &conns[i];
        }
    } else {
        snprintf(name, sizeof name, "Create_HP_Tcp%sClientListener", kind);
        listener = ((H (*)(void))sym(name))();
        snprintf(name, sizeof name, "Create_HP_Tcp%sClient", kind);
        H (*Create)(H) = (H (*)(H))sym(name);
        ((void (*)(H, FnReceive))sym("HP_Set_FN_Client_OnReceive"))(listener, on_receive);
        ((void (*)(H, FnConnect))sym("HP_Set_FN_Client_OnConnect"))(listener, on_connect);
        ((void (*)(H, FnClose))sym("HP_Set_FN_Client_OnClose"))(listener, on_close);
        ClientSend = (B (*)(H, const unsigned char *, int))sym("HP_Client_Send");
        ClientGetExtra = (void *(*)(H))sym("HP_Client_GetExtra");
        void (*SetExtra)(H, void *) = (void (*)(H, void *))sym("HP_Client_SetExtra");
        B (*Start)(H, const char *, unsigned short, B) = (B (*)(H, const char *, unsigned short, B))sym("HP_Client_Start");
        t_start = now_s();
        for (int i = 0; i < n_conns; i++) {
            H c = Create(listener);
            if (pack) ((void (*)(H, unsigned))sym("HP_TcpPackClient_SetMaxPackSize"))(c, 0x3FFFFF);
            conns[i].owner = c;
            SetExtra(c, &conns[i]);
            if (!Start(c, "127.0.0.1", (unsigned short)port, scale)) { fprintf(stderr, "client %d start failed\n", i); return 1; }
        }
    }
    while (connected < n_conns && closed == 0 && now_s() - t_start < 120) usleep(1000);
    if (connected < n_conns) { fprintf(stderr, "only %ld of %d connected (%ld closed)\n", connected, n_conns, closed); return 1; }
    double t_connected = now_s();

    if (scale) {
        usleep(500 * 1000); /* let the server settle */
        long rss1 = server_pid ? rss_kb(server_pid) : -1, crss1 = rss_kb(getpid());
        printf("RESULT mode=scale conns=%d connect_secs=%.3f server_rss_kb_before=%ld server_rss_kb_after=%ld rss_per_conn_bytes=%.0f client_rss_per_conn_bytes=%.0f\n",
               n_conns, t_connected - t_start, rss0, rss1, rss0 > 0 ? (double)(rss1 - rss0) * 1024.0 / n_conns : -1.0,
               (double)(crss1 - crss0) * 1024.0 / n_conns);
        fflush(stdout);
        _exit(0); /* tearing down 10,000 connections is not what is measured */
    }

    double t0 = now_s(), cpu0 = server_pid ? cpu_s(server_pid) : -1;
    if (pingpong) {
        for (int i = 0; i < n_conns; i++) {
            conns[i].t0 = now_s();
            if (!send_msg(&conns[i])) { fprintf(stderr, "send failed\n"); return 1; }
        }
    } else if (!strcmp(mode, "bcast")) {
        char cmd[64];
        int k = snprintf(cmd, sizeof cmd, "B %d %d", rounds, size);
        B ok = use_clients ? ClientSend(conns[0].owner, (unsigned char *)cmd, k) : AgentSend(conns[0].owner, conns[0].id, (unsigned char *)cmd, k);
        if (!ok) { fprintf(stderr, "send failed\n"); return 1; }
    } else {
        for (int r = 0; r < rounds; r++)
            for (int i = 0; i < n_conns; i++)
                if (!send_msg(&conns[i])) { fprintf(stderr, "send failed\n"); return 1; }
    }
    while (done_conns < n_conns && closed == 0 && now_s() - t0 < 300) usleep(200);
    double secs = now_s() - t0;
    if (done_conns < n_conns) { fprintf(stderr, "only %ld of %d connections finished (%ld closed)\n", done_conns, n_conns, closed); return 1; }
    double msgs = (double)n_conns * rounds;
    printf("RESULT mode=%s kind=%s model=%s conns=%d size=%d rounds=%d secs=%.3f msgs_per_s=%.0f mb_per_s=%.1f",
           mode, use_clients ? "client" : "agent", pack ? "pack" : "push", n_conns, size, rounds, secs, msgs / secs, msgs * size / secs / 1e6);
    double cpu1 = server_pid ? cpu_s(server_pid) : -1;
    if (cpu0 >= 0 && cpu1 >= 0)
        printf(" server_cpu_s=%.2f server_cpu_us_per_msg=%.2f", cpu1 - cpu0, (cpu1 - cpu0) * 1e6 / msgs);
    if (pingpong) {
        qsort(lat, (size_t)lat_n, sizeof(float), cmp_float);
        printf(" p50_us=%.1f p99_us=%.1f", lat[lat_n / 2] * 1e6, lat[(long)(lat_n * 0.99)] * 1e6);
    }
    printf("\n");
    fflush(stdout);
    _exit(0);
}
