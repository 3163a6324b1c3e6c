#define _GNU_SOURCE
/* The ARQ benchmark (benches/compare_arq.sh): an echo server and a load of N connections, two
 * processes, the library loaded with dlopen (functions typed from include/HPSocket4C.h).
 *
 *   arq_bench server <lib.so> <port> <arq|udp> [-w workers] [-f fast|default]
 *       an UdpArqServer (arq) or a plain UdpServer (udp, MaxDatagramSize 8 KiB) echoing every
 *       message from OnReceive; prints "READY <pid>", runs until stdin closes.
 *   arq_bench client <lib.so> <port> <arq|udp> [-c conns] [-w window] [-s size] [-d secs]
 *                    [-b] [-p server_pid] [-f fast|default] [-W send_wnd_segments]
 *       -c connections (UdpArqClients, or plain connected UDP sockets for udp), each keeping -w
 *       messages of -s bytes in flight for -d seconds, then draining (every message sent must come
 *       back, whole and in order, within 20 s of the end, or the run fails).
 *       Ping-pong (the default): every echo received sends the next message, from OnReceive.
 *       Bulk (-b): a sender thread keeps each connection's window full as fast as its KCP send
 *       queue allows: it sends while fewer than -w messages are unanswered and
 *       GetWaitingSendMessageCount (KCP's queued plus unacknowledged segments) is below 2 x the send
 *       window (-W, default 128 as KCP's), and sleeps 100 µs when no connection can take more.
 *       udp: plain sockets (no library on the client side), poll loop; a socket that has had
 *       nothing back for 200 ms refills its window (those messages counted lost, as
 *       benches/udp_client.c does); order is not checked (UDP does not keep it).
 *   -f fast (the default) is KCP's turbo mode on both ends (NoDelay, FlushInterval 10 ms,
 *   ResendByAcks 2, congestion control off); -f default keeps upstream's defaults (60 ms flush,
 *   no fast resend, congestion control on).
 * Every message: an 8-byte sequence number, the 4-byte connection index, then bytes
 * (seq + k) & 0xff; an echo of the wrong length, number, connection or contents stops the client
 * with "FAIL ..." and exit status 1.
 * Prints "RESULT mode=M conns=C window=W size=S secs=T echoes=N msgs_per_s=X mb_per_s=Y lost=L
 * max_waiting=Q" and with -p "server_cpu_s=Z" (user + system of the server over the timed part). */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>
#include "bench_common.h"
#include "HPSocket4C.h"

#define FN(name) static __typeof__(name) *p_##name
#define LOAD(name) (p_##name = (__typeof__(name) *)sym(#name))

FN(Create_HP_UdpArqServerListener);
FN(Create_HP_UdpArqServer);
FN(Create_HP_UdpServerListener);
FN(Create_HP_UdpServer);
FN(HP_Set_FN_Server_OnReceive);
FN(HP_Server_Send);
FN(HP_Server_Start);
FN(HP_Server_Stop);
FN(HP_Server_SetWorkerThreadCount);
FN(HP_Server_SetMaxConnectionCount);
FN(HP_Server_GetLastErrorDesc);
FN(HP_UdpServer_SetDetectAttempts);
FN(HP_UdpServer_SetMaxDatagramSize);
FN(HP_UdpArqServer_SetNoDelay);
FN(HP_UdpArqServer_SetFlushInterval);
FN(HP_UdpArqServer_SetResendByAcks);
FN(HP_UdpArqServer_SetTurnoffCongestCtrl);
FN(HP_UdpArqServer_SetSendWndSize);
FN(Create_HP_UdpArqClientListener);
FN(Create_HP_UdpArqClient);
FN(HP_Set_FN_Client_OnHandShake);
FN(HP_Set_FN_Client_OnReceive);
FN(HP_Set_FN_Client_OnClose);
FN(HP_Client_Start);
FN(HP_Client_Stop);
FN(HP_Client_Send);
FN(HP_Client_SetExtra);
FN(HP_Client_GetExtra);
FN(HP_Client_GetLastErrorDesc);
FN(HP_UdpClient_SetDetectAttempts);
FN(HP_UdpArqClient_SetNoDelay);
FN(HP_UdpArqClient_SetFlushInterval);
FN(HP_UdpArqClient_SetResendByAcks);
FN(HP_UdpArqClient_SetTurnoffCongestCtrl);
FN(HP_UdpArqClient_SetSendWndSize);
FN(HP_UdpArqClient_GetWaitingSendMessageCount);

#define HDR 12
#define MAX_SIZE 8192
/* pattern[j] = j & 0xff: the body of message seq is pattern + (seq & 0xff) */
static unsigned char pattern[MAX_SIZE + 256];


static void fill(unsigned char *m, uint64_t seq, uint32_t idx, int size)
{
    memcpy(m, &seq, 8);
    memcpy(m + 8, &idx, 4);
    memcpy(m + HDR, pattern + (seq & 0xff), (size_t)(size - HDR));
}

/* ---------------- server ---------------- */

static En_HP_HandleResult __HP_CALL srv_on_receive(HP_Server s, HP_CONNID id, const BYTE *p, int n)
{
    return p_HP_Server_Send(s, id, p, n) ? HR_OK : HR_ERROR;
}

static int server_main(int argc, char **argv)
{
    int port = atoi(argv[3]), arq = !strcmp(argv[4], "arq"), workers = 2, fast = 1;
    for (int i = 5; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-w")) workers = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-f")) fast = !strcmp(argv[i + 1], "fast");
    }
    HP_Server s;
    if (arq) {
        HP_UdpArqServerListener l = p_Create_HP_UdpArqServerListener();
        p_HP_Set_FN_Server_OnReceive(l, srv_on_receive);
        s = p_Create_HP_UdpArqServer(l);
        if (fast) {
            p_HP_UdpArqServer_SetNoDelay(s, TRUE);
            p_HP_UdpArqServer_SetFlushInterval(s, 10);
            p_HP_UdpArqServer_SetResendByAcks(s, 2);
            p_HP_UdpArqServer_SetTurnoffCongestCtrl(s, TRUE);
        }
    } else {
        HP_UdpServerListener l = p_Create_HP_UdpServerListener();
        p_HP_Set_FN_Server_OnReceive(l, srv_on_receive);
        s = p_Create_HP_UdpServer(l);
        p_HP_UdpServer_SetMaxDatagramSize(s, MAX_SIZE);
    }
    p_HP_Server_SetWorkerThreadCount(s, (DWORD)workers);
    p_HP_Server_SetMaxConnectionCount(s, 100000);
    p_HP_UdpServer_SetDetectAttempts(s, 0); /* no silence detection during a run */
    if (!p_HP_Server_Start(s, "127.0.0.1", (USHORT)port)) {
        fprintf(stderr, "arq_bench server: start failed: %s\n", p_HP_Server_GetLastErrorDesc(s));
        return 1;
    }
    printf("READY %d\n", (int)getpid());
    fflush(stdout);
    char buf[64];
    while (read(0, buf, sizeof buf) > 0) {
    }
    p_HP_Server_Stop(s);
    return 0;
}

/* ---------------- ARQ client ---------------- */

struct conn {
    HP_UdpArqClient c;
    uint32_t idx;
    pthread_mutex_t mu;      /* one Send at a time, in sequence order */
    uint64_t next_send;      /* under mu */
    uint64_t next_recv;      /* OnReceive only (one at a time per connection) */
    volatile int hs, closed;
    unsigned char msg[MAX_SIZE];
};

static int g_size = 64, g_window = 10, g_bulk, g_conns = 10;
static volatile int g_stopping;
static volatile long g_echoes;
static volatile int g_max_waiting;

static void fail(const char *what, struct conn *k, uint64_t want, uint64_t got, int len)
{
    fprintf(stderr, "FAIL %s: connection %u expected message %llu, got %llu (length %d, want %d)\n", what, k->idx,
            (unsigned long long)want, (unsigned long long)got, len, g_size);
    fflush(stderr);
    _exit(1);
}

/* sends the connection's next message; returns 0 if Send refused it */
static int send_next(struct conn *k)
{
    pthread_mutex_lock(&k->mu);
    fill(k->msg, k->next_send, k->idx, g_size);
    int ok = p_HP_Client_Send(k->c, k->msg, g_size);
    if (ok) k->next_send++;
    pthread_mutex_unlock(&k->mu);
    return ok;
}

static En_HP_HandleResult __HP_CALL cli_on_handshake(HP_Client c, HP_CONNID id)
{
    (void)id;
    struct conn *k = p_HP_Client_GetExtra(c);
    k->hs = 1;
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL cli_on_receive(HP_Client c, HP_CONNID id, const BYTE *p, int n)
{
    (void)id;
    struct conn *k = p_HP_Client_GetExtra(c);
    uint64_t seq = 0;
    uint32_t idx = 0;
    if (n >= HDR) {
        memcpy(&seq, p, 8);
        memcpy(&idx, p + 8, 4);
    }
    if (n != g_size) fail("wrong length", k, k->next_recv, seq, n);
    if (idx != k->idx) fail("message of another connection", k, k->next_recv, seq, n);
    if (seq != k->next_recv) fail(seq > k->next_recv ? "lost or reordered" : "duplicate or reordered", k, k->next_recv, seq, n);
    if (memcmp(p + HDR, pattern + (seq & 0xff), (size_t)(n - HDR))) fail("corrupt contents", k, k->next_recv, seq, n);
    __atomic_store_n(&k->next_recv, k->next_recv + 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&g_echoes, 1, __ATOMIC_RELAXED);
    if (!g_bulk && !g_stopping) send_next(k);
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL cli_on_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int code)
{
    (void)id;
    struct conn *k = p_HP_Client_GetExtra(c);
    k->closed = 1;
    if (!g_stopping) {
        fprintf(stderr, "FAIL connection %u closed during the run (operation %d, code %d)\n", k->idx, (int)op, code);
        fflush(stderr);
        _exit(1);
    }
    return HR_OK;
}

static struct conn *g_k;
static int g_wlimit = 256;

static void *bulk_sender(void *arg)
{
    (void)arg;
    while (!g_stopping) {
        int sent = 0;
        for (int i = 0; i < g_conns && !g_stopping; i++) {
            struct conn *k = &g_k[i];
            int waiting = 0;
            if (!p_HP_UdpArqClient_GetWaitingSendMessageCount(k->c, &waiting)) continue;
            if (waiting > g_max_waiting) g_max_waiting = waiting;
            /* take what the window has room for, at most 16 messages a turn, so every connection gets a go */
            for (int m = 0; m < 16 && waiting < g_wlimit; m++) {
                uint64_t unanswered = k->next_send - __atomic_load_n(&k->next_recv, __ATOMIC_RELAXED);
                if (unanswered >= (uint64_t)g_window) break;
                if (!send_next(k)) break;
                sent++;
                if (!p_HP_UdpArqClient_GetWaitingSendMessageCount(k->c, &waiting)) break;
            }
        }
        if (!sent) usleep(100);
    }
    return NULL;
}

static int arq_client(const char *host, int port, double secs, int pid, int fast, int sndwnd)
{
    HP_UdpArqClientListener l = p_Create_HP_UdpArqClientListener();
    p_HP_Set_FN_Client_OnHandShake(l, cli_on_handshake);
    p_HP_Set_FN_Client_OnReceive(l, cli_on_receive);
    p_HP_Set_FN_Client_OnClose(l, cli_on_close);
    g_k = calloc((size_t)g_conns, sizeof *g_k);
    for (int i = 0; i < g_conns; i++) {
        struct conn *k = &g_k[i];
        k->idx = (uint32_t)i;
        pthread_mutex_init(&k->mu, NULL);
        k->c = p_Create_HP_UdpArqClient(l);
        p_HP_Client_SetExtra(k->c, k);
        p_HP_UdpClient_SetDetectAttempts(k->c, 0);
        if (fast) {
            p_HP_UdpArqClient_SetNoDelay(k->c, TRUE);
            p_HP_UdpArqClient_SetFlushInterval(k->c, 10);
            p_HP_UdpArqClient_SetResendByAcks(k->c, 2);
            p_HP_UdpArqClient_SetTurnoffCongestCtrl(k->c, TRUE);
        }
        if (sndwnd != 128) p_HP_UdpArqClient_SetSendWndSize(k->c, (DWORD)sndwnd);
        if (!p_HP_Client_Start(k->c, host, (USHORT)port, TRUE)) {
            fprintf(stderr, "FAIL client %d: start: %s\n", i, p_HP_Client_GetLastErrorDesc(k->c));
            return 1;
        }
    }
    double t = now_s();
    for (int i = 0; i < g_conns; i++)
        while (!g_k[i].hs) {
            if (now_s() - t > 15) {
                fprintf(stderr, "FAIL connection %d: no handshake in 15 s\n", i);
                return 1;
            }
            usleep(1000);
        }
    double cpu0 = pid ? cpu_s(pid) : -1, t0 = now_s();
    pthread_t sender;
    if (g_bulk) pthread_create(&sender, NULL, bulk_sender, NULL);
    else
        for (int i = 0; i < g_conns; i++)
            for (int m = 0; m < g_window; m++)
                if (!send_next(&g_k[i])) {
                    fprintf(stderr, "FAIL connection %d: Send refused\n", i);
                    return 1;
                }
    usleep((useconds_t)(secs * 1e6));
    long echoes = __atomic_load_n(&g_echoes, __ATOMIC_RELAXED);
    double t1 = now_s(), cpu1 = pid ? cpu_s(pid) : -1;
    g_stopping = 1;
    if (g_bulk) pthread_join(sender, NULL);
    /* drain: every message sent comes back */
    uint64_t sent = 0, got = 0;
    for (double td = now_s(); now_s() - td < 20;) {
        sent = got = 0;
        for (int i = 0; i < g_conns; i++) {
            pthread_mutex_lock(&g_k[i].mu);
            sent += g_k[i].next_send;
            pthread_mutex_unlock(&g_k[i].mu);
            got += __atomic_load_n(&g_k[i].next_recv, __ATOMIC_RELAXED);
        }
        if (got == sent) break;
        usleep(2000);
    }
    if (got != sent) {
        fprintf(stderr, "FAIL lost: %llu messages sent, %llu echoed 20 s after the end\n", (unsigned long long)sent,
                (unsigned long long)got);
        return 1;
    }
    double dt = t1 - t0;
    printf("RESULT mode=arq conns=%d window=%d size=%d secs=%.3f echoes=%ld msgs_per_s=%.0f mb_per_s=%.2f lost=0 max_waiting=%d total=%llu",
           g_conns, g_window, g_size, dt, echoes, echoes / dt, echoes * (double)g_size / dt / 1e6, g_max_waiting,
           (unsigned long long)sent);
    if (pid) printf(" server_cpu_s=%.2f", cpu1 - cpu0);
    printf("\n");
    fflush(stdout);
    for (int i = 0; i < g_conns; i++) p_HP_Client_Stop(g_k[i].c);
    return 0;
}

/* ---------------- plain UDP client (no library) ---------------- */

static int udp_client(int port, double secs, int pid)
{
    struct pollfd *pfd = calloc((size_t)g_conns, sizeof *pfd);
    double *last = calloc((size_t)g_conns, sizeof *last);
    uint64_t *seq = calloc((size_t)g_conns, sizeof *seq);
    unsigned char msg[MAX_SIZE], buf[65536];
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    for (int i = 0; i < g_conns; i++) {
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        int b = 4 << 20;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &b, sizeof b);
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a)) {
            perror("socket/connect");
            return 1;
        }
        pfd[i].fd = fd;
        pfd[i].events = POLLIN;
    }
    /* greet: one message each until it is echoed, so every socket is a connection first */
    for (int i = 0; i < g_conns; i++) {
        double t = now_s();
        for (;;) {
            if (now_s() - t > 5) {
                fprintf(stderr, "FAIL no echo for socket %d\n", i);
                return 1;
            }
            fill(msg, 0, (uint32_t)i, g_size);
            send(pfd[i].fd, msg, (size_t)g_size, 0);
            struct pollfd one = {pfd[i].fd, POLLIN, 0};
            if (poll(&one, 1, 100) == 1 && recv(pfd[i].fd, buf, sizeof buf, 0) > 0) break;
        }
    }
    double cpu0 = pid ? cpu_s(pid) : -1, t0 = now_s();
    long echoes = 0, lost = 0, bad = 0;
#define USEND(i)                                                  \
    do {                                                          \
        fill(msg, seq[i]++, (uint32_t)(i), g_size);               \
        send(pfd[i].fd, msg, (size_t)g_size, 0);                  \
    } while (0)
    for (int i = 0; i < g_conns; i++) {
        for (int k = 0; k < g_window; k++) USEND(i);
        last[i] = t0;
    }
    double t;
    while ((t = now_s()) - t0 < secs) {
        int n = poll(pfd, (nfds_t)g_conns, 50);
        t = now_s();
        for (int i = 0; i < g_conns && n > 0; i++) {
            if (!(pfd[i].revents & POLLIN)) continue;
            n--;
            for (;;) {
                ssize_t r = recv(pfd[i].fd, buf, sizeof buf, 0);
                if (r <= 0) break;
                uint64_t s;
                memcpy(&s, buf, 8);
                if (r != g_size || memcmp(buf + HDR, pattern + (s & 0xff), (size_t)(r - HDR))) bad++;
                echoes++;
                last[i] = t;
                USEND(i);
            }
        }
        for (int i = 0; i < g_conns; i++)
            if (t - last[i] > 0.2) {
                for (int k = 0; k < g_window; k++) USEND(i);
                lost += g_window;
                last[i] = t;
            }
    }
    double dt = now_s() - t0, cpu1 = pid ? cpu_s(pid) : -1;
    if (bad) {
        fprintf(stderr, "FAIL %ld corrupt echoes\n", bad);
        return 1;
    }
    printf("RESULT mode=udp conns=%d window=%d size=%d secs=%.3f echoes=%ld msgs_per_s=%.0f mb_per_s=%.2f lost=%ld max_waiting=0",
           g_conns, g_window, g_size, dt, echoes, echoes / dt, echoes * (double)g_size / dt / 1e6, lost);
    if (pid) printf(" server_cpu_s=%.2f", cpu1 - cpu0);
    printf("\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 5 || (strcmp(argv[1], "server") && strcmp(argv[1], "client")) || (strcmp(argv[4], "arq") && strcmp(argv[4], "udp"))) {
        fprintf(stderr, "usage: arq_bench server <lib.so> <port> <arq|udp> [-w workers] [-f fast|default]\n"
                        "       arq_bench client <lib.so> <port> <arq|udp> [-c conns] [-w window] [-s size] [-d secs] [-b] [-p server_pid] [-f fast|default] [-W send_wnd]\n");
        return 2;
    }
    for (int j = 0; j < (int)sizeof pattern; j++) pattern[j] = (unsigned char)j;
    open_lib(argv[2]);
    LOAD(Create_HP_UdpArqServerListener);
    LOAD(Create_HP_UdpArqServer);
    LOAD(Create_HP_UdpServerListener);
    LOAD(Create_HP_UdpServer);
    LOAD(HP_Set_FN_Server_OnReceive);
    LOAD(HP_Server_Send);
    LOAD(HP_Server_Start);
    LOAD(HP_Server_Stop);
    LOAD(HP_Server_SetWorkerThreadCount);
    LOAD(HP_Server_SetMaxConnectionCount);
    LOAD(HP_Server_GetLastErrorDesc);
    LOAD(HP_UdpServer_SetDetectAttempts);
    LOAD(HP_UdpServer_SetMaxDatagramSize);
    LOAD(HP_UdpArqServer_SetNoDelay);
    LOAD(HP_UdpArqServer_SetFlushInterval);
    LOAD(HP_UdpArqServer_SetResendByAcks);
    LOAD(HP_UdpArqServer_SetTurnoffCongestCtrl);
    LOAD(HP_UdpArqServer_SetSendWndSize);
    LOAD(Create_HP_UdpArqClientListener);
    LOAD(Create_HP_UdpArqClient);
    LOAD(HP_Set_FN_Client_OnHandShake);
    LOAD(HP_Set_FN_Client_OnReceive);
    LOAD(HP_Set_FN_Client_OnClose);
    LOAD(HP_Client_Start);
    LOAD(HP_Client_Stop);
    LOAD(HP_Client_Send);
    LOAD(HP_Client_SetExtra);
    LOAD(HP_Client_GetExtra);
    LOAD(HP_Client_GetLastErrorDesc);
    LOAD(HP_UdpClient_SetDetectAttempts);
    LOAD(HP_UdpArqClient_SetNoDelay);
    LOAD(HP_UdpArqClient_SetFlushInterval);
    LOAD(HP_UdpArqClient_SetResendByAcks);
    LOAD(HP_UdpArqClient_SetTurnoffCongestCtrl);
    LOAD(HP_UdpArqClient_SetSendWndSize);
    LOAD(HP_UdpArqClient_GetWaitingSendMessageCount);
    if (!strcmp(argv[1], "server")) return server_main(argc, argv);

    int port = atoi(argv[3]), arq = !strcmp(argv[4], "arq"), pid = 0, fast = 1, sndwnd = 128;
    double secs = 5;
    for (int i = 5; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : "0";
        if (!strcmp(o, "-b")) { g_bulk = 1; continue; }
        if (!strcmp(o, "-c")) g_conns = atoi(v);
        else if (!strcmp(o, "-w")) g_window = atoi(v);
        else if (!strcmp(o, "-s")) g_size = atoi(v);
        else if (!strcmp(o, "-d")) secs = atof(v);
        else if (!strcmp(o, "-p")) pid = atoi(v);
        else if (!strcmp(o, "-f")) fast = !strcmp(v, "fast");
        else if (!strcmp(o, "-W")) sndwnd = atoi(v);
        else { fprintf(stderr, "unknown option %s\n", o); return 2; }
        i++;
    }
    if (g_size < HDR || g_size > MAX_SIZE || g_conns < 1 || g_window < 1) {
        fprintf(stderr, "size must be %d..%d, conns and window at least 1\n", HDR, MAX_SIZE);
        return 2;
    }
    g_wlimit = 2 * sndwnd;
    return arq ? arq_client("127.0.0.1", port, secs, pid, fast, sndwnd) : udp_client(port, secs, pid);
}
