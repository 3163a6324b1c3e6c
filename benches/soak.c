#define _GNU_SOURCE
/* The soak benchmark (benches/soak.sh), goal: "10,000 connections churned (connect, exchange,
 * close) while 1,000,000 messages flow: nothing lost, nothing reordered, RSS at the end within
 * 10 % of RSS after warm-up". Two processes:
 *
 *   soak server <lib.so> <port> [-w workers]
 *       a TcpServer (PUSH) over the library given (dlopen), echoing every OnReceive with
 *       HP_Server_Send; prints "READY <pid>", runs until stdin closes, then prints its accept and
 *       close counts.
 *   soak client <port> -p <server_pid> [-l long_conns] [-n messages] [-k churned] [-t churn_threads]
 *               [-q window] [-s size] [-P 0|1]
 *       plain sockets (no library), all at once:
 *       - -l (100) long-lived connections stream -n (1,000,000) numbered messages of -s (64) bytes
 *         in all (each connection its share, at most -q (16) unanswered at a time), one poll
 *         thread; every echo is checked: its connection, its sequence number (the next one
 *         expected: anything else counts as lost / reordered and ends that connection's stream),
 *         its contents;
 *       - -t (4) threads churn -k (10,000) short connections: connect, send one message, read its
 *         echo back whole and compare, close;
 *       - paced (-P 1, the default): neither the messages nor the churn gets more than 5 % of its
 *         total ahead of the other's fraction done, so that the connections churn while the
 *         messages flow, from the first to the last; -P 0: each as fast as it goes;
 *       - the server's RSS (VmRSS of /proc/PID/status) and open descriptors (/proc/PID/fd) are
 *         sampled every 0.1 s; "warm" is the sample when 10 % of the messages and 10 % of the
 *         churned connections are done, "end" the one when everything is done (the long-lived
 *         connections still open), "after close" 1 s after they are closed.
 *       PASS when nothing was lost, reordered or corrupt, every churned exchange succeeded and the
 *       end RSS is at most 110 % of the warm one. Prints "SOAK key=value ..." and "RSS_SERIES t:kB ..."
 *       lines; exit status 0 for PASS, 1 for FAIL. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include "bench_common.h"
#include "HPSocket4C.h"

#define FN(name) static __typeof__(name) *p_##name
#define LOAD(name) (p_##name = (__typeof__(name) *)sym(#name))
FN(Create_HP_TcpServerListener);
FN(Create_HP_TcpServer);
FN(HP_Set_FN_Server_OnAccept);
FN(HP_Set_FN_Server_OnReceive);
FN(HP_Set_FN_Server_OnClose);
FN(HP_Server_Send);
FN(HP_Server_Start);
FN(HP_Server_Stop);
FN(HP_Server_SetWorkerThreadCount);
FN(HP_Server_SetMaxConnectionCount);
FN(HP_Server_GetLastErrorDesc);
FN(HP_Server_GetConnectionCount);

/* ---------------- server ---------------- */

static volatile long s_accepts, s_closes, s_send_fail;
static En_HP_HandleResult __HP_CALL on_accept(HP_Server s, HP_CONNID id, UINT_PTR sock)
{
    (void)s; (void)id; (void)sock;
    __atomic_add_fetch(&s_accepts, 1, __ATOMIC_RELAXED);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_receive(HP_Server s, HP_CONNID id, const BYTE *p, int n)
{
    if (p_HP_Server_Send(s, id, p, n)) return HR_OK;
    __atomic_add_fetch(&s_send_fail, 1, __ATOMIC_RELAXED);
    return HR_ERROR;
}
static En_HP_HandleResult __HP_CALL on_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int code)
{
    (void)s; (void)id; (void)op; (void)code;
    __atomic_add_fetch(&s_closes, 1, __ATOMIC_RELAXED);
    return HR_OK;
}

static int server_main(int argc, char **argv)
{
    int workers = 2;
    for (int i = 4; i + 1 < argc; i += 2)
        if (!strcmp(argv[i], "-w")) workers = atoi(argv[i + 1]);
    open_lib(argv[2]);
    LOAD(Create_HP_TcpServerListener);
    LOAD(Create_HP_TcpServer);
    LOAD(HP_Set_FN_Server_OnAccept);
    LOAD(HP_Set_FN_Server_OnReceive);
    LOAD(HP_Set_FN_Server_OnClose);
    LOAD(HP_Server_Send);
    LOAD(HP_Server_Start);
    LOAD(HP_Server_Stop);
    LOAD(HP_Server_SetWorkerThreadCount);
    LOAD(HP_Server_SetMaxConnectionCount);
    LOAD(HP_Server_GetLastErrorDesc);
    LOAD(HP_Server_GetConnectionCount);
    HP_TcpServerListener l = p_Create_HP_TcpServerListener();
    p_HP_Set_FN_Server_OnAccept(l, on_accept);
    p_HP_Set_FN_Server_OnReceive(l, on_receive);
    p_HP_Set_FN_Server_OnClose(l, on_close);
    HP_TcpServer s = p_Create_HP_TcpServer(l);
    p_HP_Server_SetWorkerThreadCount(s, (DWORD)workers);
    p_HP_Server_SetMaxConnectionCount(s, 100000);
    if (!p_HP_Server_Start(s, "127.0.0.1", (USHORT)atoi(argv[3]))) {
        fprintf(stderr, "soak server: start failed: %s\n", p_HP_Server_GetLastErrorDesc(s));
        return 1;
    }
    printf("READY %d\n", (int)getpid());
    fflush(stdout);
    char buf[64];
    while (read(0, buf, sizeof buf) > 0) {
    }
    DWORD open_conns = p_HP_Server_GetConnectionCount(s);
    p_HP_Server_Stop(s);
    printf("SERVER accepts=%ld closes=%ld open_at_stop=%u send_failures=%ld\n", s_accepts, s_closes, (unsigned)open_conns,
           s_send_fail);
    return 0;
}

/* ---------------- client ---------------- */

#define HDR 16
#define MAX_SIZE 4096
static unsigned char pattern[MAX_SIZE + 256];
static int g_size = 64, g_pid;

/* [u32 kind: 1 stream, 2 churn][u32 connection or churn number][u64 sequence][(seq + k) & 0xff ...] */
static void fill(unsigned char *m, uint32_t kind, uint32_t idx, uint64_t seq)
{
    memcpy(m, &kind, 4);
    memcpy(m + 4, &idx, 4);
    memcpy(m + 8, &seq, 8);
    memcpy(m + HDR, pattern + (seq & 0xff), (size_t)(g_size - HDR));
}

static int fd_count(int pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", pid);
    DIR *d = opendir(path);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static int tcp_connect(int port, int nonblock)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    for (int attempt = 0; attempt < 50; attempt++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        if (fd < 0) return -1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
            if (nonblock && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)) {
                close(fd);
                return -1;
            }
            return fd;
        }
        int e = errno;
        close(fd);
        if (e != EAGAIN && e != EADDRNOTAVAIL && e != ECONNREFUSED && e != EINTR) return -1;
        usleep(10000); /* a full backlog or no free local port: try again */
    }
    return -1;
}

/* churn */
static int g_port, g_churn_total, g_pace = 1;
static volatile long g_churn_next, g_churn_done, g_churn_fail;
static long g_msgs_total;
static volatile long g_msgs_done, g_lost_or_reordered, g_corrupt, g_stream_errors;
/* pacing: neither side gets more than 5 % of its total ahead of the other's share done, so the
 * churn happens while the messages flow, from the first to the last */
static double frac_msgs(void) { return g_msgs_total ? (double)__atomic_load_n(&g_msgs_done, __ATOMIC_RELAXED) / (double)g_msgs_total : 1; }
static double frac_churn(void) { return g_churn_total ? (double)__atomic_load_n(&g_churn_done, __ATOMIC_RELAXED) / (double)g_churn_total : 1; }
static void *churn_thread(void *arg)
{
    (void)arg;
    unsigned char m[MAX_SIZE], r[MAX_SIZE];
    for (;;) {
        long i = __atomic_fetch_add(&g_churn_next, 1, __ATOMIC_RELAXED);
        if (i >= g_churn_total) break;
        while (g_pace && (double)i / (double)g_churn_total > frac_msgs() + 0.05 && !g_stream_errors && !g_lost_or_reordered && !g_corrupt)
            usleep(500);
        int fd = tcp_connect(g_port, 0), ok = 0;
        if (fd >= 0) {
            struct timeval tv = {10, 0};
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            fill(m, 2, (uint32_t)i, (uint64_t)i);
            if (write(fd, m, (size_t)g_size) == g_size) {
                int got = 0;
                while (got < g_size) {
                    ssize_t k = read(fd, r + got, (size_t)(g_size - got));
                    if (k <= 0) break;
                    got += (int)k;
                }
                ok = got == g_size && !memcmp(m, r, (size_t)g_size);
            }
            close(fd);
        }
        if (!ok) {
            long f = __atomic_add_fetch(&g_churn_fail, 1, __ATOMIC_RELAXED);
            if (f <= 5) fprintf(stderr, "churned connection %ld failed (%s)\n", i, fd < 0 ? "connect" : "echo");
        }
        __atomic_add_fetch(&g_churn_done, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

/* long-lived streams */
struct stream {
    int fd, dead;
    uint64_t quota, sent, recvd;
    int rlen, olen, ooff;
    unsigned char rbuf[65536 + MAX_SIZE];
    unsigned char obuf[64 * MAX_SIZE];
};
static int g_long = 100, g_window = 16;
static struct stream *g_st;

static void *stream_thread(void *arg)
{
    (void)arg;
    struct pollfd *pfd = calloc((size_t)g_long, sizeof *pfd);
    double last_progress = now_s();
    for (;;) {
        int active = 0;
        double share = g_pace ? frac_churn() + 0.05 : 1;
        if (share > 1) share = 1;
        for (int i = 0; i < g_long; i++) {
            struct stream *s = &g_st[i];
            uint64_t limit = share >= 1 ? s->quota : (uint64_t)((double)s->quota * share);
            /* top the window up */
            while (!s->dead && s->sent < limit && s->sent - s->recvd < (uint64_t)g_window &&
                   s->olen + g_size <= (int)sizeof s->obuf) {
                fill(s->obuf + s->olen, 1, (uint32_t)i, s->sent++);
                s->olen += g_size;
            }
            if (!s->dead && s->ooff < s->olen) {
                ssize_t w = send(s->fd, s->obuf + s->ooff, (size_t)(s->olen - s->ooff), MSG_NOSIGNAL);
                if (w > 0) s->ooff += (int)w;
                else if (w < 0 && errno != EAGAIN) {
                    fprintf(stderr, "stream %d: send: %s\n", i, strerror(errno));
                    s->dead = 1;
                    __atomic_add_fetch(&g_stream_errors, 1, __ATOMIC_RELAXED);
                }
                if (s->ooff == s->olen) s->ooff = s->olen = 0;
            }
            pfd[i].fd = s->dead ? -1 : s->fd;
            pfd[i].events = POLLIN | (s->ooff < s->olen ? POLLOUT : 0);
            if (!s->dead && s->recvd < s->quota) active++;
        }
        if (!active) break;
        /* waiting for the churn (paced): poll briefly so the window is topped up soon after */
        int n = poll(pfd, (nfds_t)g_long, share < 1 ? 1 : 100);
        if (n > 0 || share < 1) last_progress = now_s();
        else if (now_s() - last_progress > 15) {
            fprintf(stderr, "streams: no progress for 15 s, %d connections unfinished\n", active);
            break;
        }
        for (int i = 0; i < g_long && n > 0; i++) {
            if (!pfd[i].revents) continue;
            n--;
            struct stream *s = &g_st[i];
            if (!(pfd[i].revents & (POLLIN | POLLERR | POLLHUP))) continue;
            ssize_t r = recv(s->fd, s->rbuf + s->rlen, sizeof s->rbuf - (size_t)s->rlen, 0);
            if (r <= 0) {
                if (r < 0 && errno == EAGAIN) continue;
                fprintf(stderr, "stream %d: %s after %llu of %llu echoes\n", i, r == 0 ? "closed by the server" : strerror(errno),
                        (unsigned long long)s->recvd, (unsigned long long)s->quota);
                s->dead = 1;
                __atomic_add_fetch(&g_stream_errors, 1, __ATOMIC_RELAXED);
                continue;
            }
            s->rlen += (int)r;
            int off = 0;
            while (s->rlen - off >= g_size && !s->dead) {
                const unsigned char *m = s->rbuf + off;
                uint32_t kind, idx;
                uint64_t seq;
                memcpy(&kind, m, 4);
                memcpy(&idx, m + 4, 4);
                memcpy(&seq, m + 8, 8);
                if (kind != 1 || idx != (uint32_t)i || seq != s->recvd) {
                    fprintf(stderr, "stream %d: expected message %llu, got kind %u connection %u message %llu: lost or reordered\n", i,
                            (unsigned long long)s->recvd, kind, idx, (unsigned long long)seq);
                    __atomic_add_fetch(&g_lost_or_reordered, 1, __ATOMIC_RELAXED);
                    s->dead = 1;
                    break;
                }
                if (memcmp(m + HDR, pattern + (seq & 0xff), (size_t)(g_size - HDR))) {
                    fprintf(stderr, "stream %d: message %llu corrupt\n", i, (unsigned long long)seq);
                    __atomic_add_fetch(&g_corrupt, 1, __ATOMIC_RELAXED);
                    s->dead = 1;
                    break;
                }
                s->recvd++;
                __atomic_add_fetch(&g_msgs_done, 1, __ATOMIC_RELAXED);
                off += g_size;
            }
            memmove(s->rbuf, s->rbuf + off, (size_t)(s->rlen - off));
            s->rlen -= off;
        }
    }
    free(pfd);
    return NULL;
}

#define MAX_SAMPLES 100000
static double s_t[MAX_SAMPLES];
static long s_rss[MAX_SAMPLES];
static int s_n;

static int client_main(int argc, char **argv)
{
    g_port = atoi(argv[2]);
    int threads = 4;
    g_msgs_total = 1000000;
    g_churn_total = 10000;
    for (int i = 3; i + 1 < argc; i += 2) {
        const char *o = argv[i], *v = argv[i + 1];
        if (!strcmp(o, "-p")) g_pid = atoi(v);
        else if (!strcmp(o, "-l")) g_long = atoi(v);
        else if (!strcmp(o, "-n")) g_msgs_total = atol(v);
        else if (!strcmp(o, "-k")) g_churn_total = atoi(v);
        else if (!strcmp(o, "-t")) threads = atoi(v);
        else if (!strcmp(o, "-q")) g_window = atoi(v);
        else if (!strcmp(o, "-s")) g_size = atoi(v);
        else if (!strcmp(o, "-P")) g_pace = atoi(v);
        else { fprintf(stderr, "unknown option %s\n", o); return 2; }
    }
    if (!g_pid || g_size < HDR || g_size > MAX_SIZE || g_long < 1 || g_window < 1 || g_window * g_size > (int)sizeof g_st[0].obuf) {
        fprintf(stderr, "soak client: -p server_pid is needed; size %d..%d; window x size at most %zu\n", HDR, MAX_SIZE,
                sizeof g_st[0].obuf);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    for (int j = 0; j < (int)sizeof pattern; j++) pattern[j] = (unsigned char)j;
    long rss_start = rss_kb(g_pid);
    int fds_start = fd_count(g_pid);
    g_st = calloc((size_t)g_long, sizeof *g_st);
    for (int i = 0; i < g_long; i++) {
        g_st[i].fd = tcp_connect(g_port, 1);
        if (g_st[i].fd < 0) {
            fprintf(stderr, "FAIL long-lived connection %d: connect: %s\n", i, strerror(errno));
            return 1;
        }
        g_st[i].quota = (uint64_t)(g_msgs_total / g_long + (i < g_msgs_total % g_long));
    }
    double t0 = now_s();
    pthread_t st, *ct = calloc((size_t)threads, sizeof *ct);
    pthread_create(&st, NULL, stream_thread, NULL);
    for (int i = 0; i < threads; i++) pthread_create(&ct[i], NULL, churn_thread, NULL);
    long rss_warm = -1, rss_max = 0;
    int fds_warm = -1;
    double t_warm = 0, t_msgs = 0, t_churn = 0, next = t0;
    for (;;) {
        double t = now_s();
        long m = __atomic_load_n(&g_msgs_done, __ATOMIC_RELAXED), c = __atomic_load_n(&g_churn_done, __ATOMIC_RELAXED);
        int msgs_over = m >= g_msgs_total || g_stream_errors || g_lost_or_reordered || g_corrupt;
        if (!t_msgs && msgs_over) t_msgs = t - t0;
        if (!t_churn && c >= g_churn_total) t_churn = t - t0;
        if (t >= next || (rss_warm < 0 && m * 10 >= g_msgs_total && c * 10 >= g_churn_total)) {
            long r = rss_kb(g_pid);
            if (s_n < MAX_SAMPLES) { s_t[s_n] = t - t0; s_rss[s_n++] = r; }
            if (r > rss_max) rss_max = r;
            if (rss_warm < 0 && m * 10 >= g_msgs_total && c * 10 >= g_churn_total) {
                rss_warm = r;
                fds_warm = fd_count(g_pid);
                t_warm = t - t0;
            }
            if (t >= next) next += 0.1;
        }
        if (t_msgs && t_churn) break;
        /* the stream thread gives up after 15 s without progress, churned connections after 10 s each */
        if (t - t0 > 600) break;
        usleep(10000);
    }
    pthread_join(st, NULL);
    for (int i = 0; i < threads; i++) pthread_join(ct[i], NULL);
    double secs = now_s() - t0;
    long rss_end = rss_kb(g_pid);
    int fds_end = fd_count(g_pid);
    if (rss_end > rss_max) rss_max = rss_end;
    if (s_n < MAX_SAMPLES) { s_t[s_n] = secs; s_rss[s_n++] = rss_end; }
    long msgs = g_msgs_done, lost = 0;
    for (int i = 0; i < g_long; i++) {
        lost += (long)(g_st[i].quota - g_st[i].recvd);
        close(g_st[i].fd);
    }
    usleep(1000000);
    long rss_closed = rss_kb(g_pid);
    int fds_closed = fd_count(g_pid);
    int ok_data = lost == 0 && !g_lost_or_reordered && !g_corrupt && !g_stream_errors && g_churn_fail == 0 &&
                  g_churn_done == g_churn_total;
    int ok_rss = rss_warm > 0 && rss_end <= rss_warm * 1.10;
    printf("SOAK long_conns=%d messages=%ld/%ld size=%d window=%d lost=%ld reordered=%ld corrupt=%ld stream_errors=%ld "
           "churned=%ld/%d churn_failures=%ld churn_threads=%d paced=%d secs=%.2f messages_secs=%.2f churn_secs=%.2f msgs_per_s=%.0f "
           "churn_per_s=%.0f warm_at_s=%.2f rss_start_kb=%ld rss_warm_kb=%ld rss_end_kb=%ld rss_max_kb=%ld rss_after_close_kb=%ld "
           "rss_end_over_warm=%.3f fds_start=%d fds_warm=%d fds_end=%d fds_after_close=%d data=%s rss=%s verdict=%s\n",
           g_long, msgs, g_msgs_total, g_size, g_window, lost, g_lost_or_reordered, g_corrupt, g_stream_errors, g_churn_done,
           g_churn_total, g_churn_fail, threads, g_pace, secs, t_msgs, t_churn, t_msgs > 0 ? msgs / t_msgs : 0,
           t_churn > 0 ? g_churn_done / t_churn : 0, t_warm, rss_start, rss_warm, rss_end, rss_max, rss_closed,
           rss_warm > 0 ? (double)rss_end / (double)rss_warm : 0, fds_start, fds_warm, fds_end, fds_closed,
           ok_data ? "PASS" : "FAIL", ok_rss ? "PASS" : "FAIL", ok_data && ok_rss ? "PASS" : "FAIL");
    printf("RSS_SERIES");
    for (int i = 0; i < s_n; i++) printf(" %.1f:%ld", s_t[i], s_rss[i]);
    printf("\n");
    return ok_data && ok_rss ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "server")) return server_main(argc, argv);
    if (argc >= 3 && !strcmp(argv[1], "client")) return client_main(argc, argv);
    fprintf(stderr, "usage: soak server <lib.so> <port> [-w workers]\n"
                    "       soak client <port> -p <server_pid> [-l long_conns] [-n messages] [-k churned] [-t churn_threads] [-q window] [-s size] [-P 0|1]\n");
    return 2;
}
