#define _GNU_SOURCE
/* Bulk flood over TLS against an echo server (benches/compare_tls.sh): C connections, each
 * sending M messages of S bytes (default 64 KiB) as fast as TLS and the socket take them while
 * reading the echo back and checking it, on T threads (each an epoll loop over its share of the
 * connections, nonblocking OpenSSL). The handshakes are done first (blocking, not timed); the
 * clock runs from the first byte sent to the last byte of the last echo received.
 *
 *   tls_flood <port> [-c conns] [-m messages] [-s size] [-t threads] [-v 1.2|1.3]
 *
 * The certificate is not verified. Prints one line:
 *   RESULT mb_per_s=X msgs_per_s=Y bytes=B secs=S version=TLSv1.3 cipher=...
 * (MB = 10^6 bytes of payload echoed, one direction). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PERIOD 4096 /* the payload repeats with this period, so the echo can be checked anywhere */
#define REC 16384

typedef struct {
    int fd;
    SSL *ssl;
    long long sent, got, total;
    unsigned events;
} Conn;

static unsigned char *g_pat;
static int g_size = 65536;
static volatile int g_failed;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void arm(int ep, Conn *c, unsigned events)
{
    if (c->events == events) return;
    c->events = events;
    struct epoll_event ev = { .events = events, .data.ptr = c };
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static int want(Conn *c, int ret, const char *what)
{
    int e = SSL_get_error(c->ssl, ret);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return 1;
    fprintf(stderr, "tls_flood: %s failed (SSL error %d, errno %d) after %lld sent, %lld echoed\n",
            what, e, errno, c->sent, c->got);
    ERR_print_errors_fp(stderr);
    g_failed = 1;
    return 0;
}

/* 1 while the connection still expects bytes, 0 when its echo is complete, -1 on failure */
static int step(Conn *c, unsigned char *buf)
{
    while (c->sent < c->total) {
        long long in_msg = c->sent % g_size;
        int len = (int)(g_size - in_msg);
        int w = SSL_write(c->ssl, g_pat + c->sent % PERIOD, len);
        if (w > 0) { c->sent += w; continue; }
        if (!want(c, w, "SSL_write")) return -1;
        break;
    }
    for (;;) {
        int n = SSL_read(c->ssl, buf, REC);
        if (n > 0) {
            if (memcmp(buf, g_pat + c->got % PERIOD, (size_t)n) != 0) {
                fprintf(stderr, "tls_flood: wrong echo at byte %lld\n", c->got);
                g_failed = 1;
                return -1;
            }
            c->got += n;
            continue;
        }
        if (!want(c, n, "SSL_read")) return -1;
        break;
    }
    return c->got < c->total;
}

typedef struct { Conn *c; int n; } Share;

static void *run(void *arg)
{
    Share *sh = arg;
    int ep = epoll_create1(0), left = sh->n;
    unsigned char *buf = malloc(REC);
    for (int i = 0; i < sh->n; i++) {
        Conn *c = &sh->c[i];
        c->events = EPOLLIN | EPOLLOUT;
        struct epoll_event ev = { .events = c->events, .data.ptr = c };
        epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    }
    struct epoll_event evs[256];
    while (left > 0 && !g_failed) {
        int n = epoll_wait(ep, evs, 256, 1000);
        for (int i = 0; i < n; i++) {
            Conn *c = evs[i].data.ptr;
            if (c->events == 0) continue;
            int r = step(c, buf);
            if (r < 0) return NULL;
            if (r == 0) {
                arm(ep, c, 0);
                left--;
            } else {
                arm(ep, c, c->sent < c->total ? EPOLLIN | EPOLLOUT : EPOLLIN);
            }
        }
    }
    free(buf);
    close(ep);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) { fprintf(stderr, "usage: tls_flood port [-c conns] [-m messages] [-s size] [-t threads] [-v 1.2|1.3]\n"); return 2; }
    int port = atoi(argv[1]), conns = 100, msgs = 50, threads = 2;
    const char *ver = "1.3";
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-c")) conns = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-m")) msgs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-s")) g_size = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-t")) threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-v")) ver = argv[i + 1];
    }
    if (threads > conns) threads = conns;
    g_pat = malloc((size_t)PERIOD + (size_t)g_size + REC);
    for (size_t i = 0; i < (size_t)PERIOD + (size_t)g_size + REC; i++)
        g_pat[i] = (unsigned char)((i % PERIOD) * 131 + (i % PERIOD) / 251);

    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    int v = !strcmp(ver, "1.2") ? TLS1_2_VERSION : TLS1_3_VERSION;
    SSL_CTX_set_min_proto_version(ctx, v);
    SSL_CTX_set_max_proto_version(ctx, v);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);

    Conn *cs = calloc((size_t)conns, sizeof *cs);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    for (int i = 0; i < conns; i++) {
        Conn *c = &cs[i];
        int one = 1;
        c->fd = socket(AF_INET, SOCK_STREAM, 0);
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("tls_flood: connect"); return 1; }
        c->ssl = SSL_new(ctx);
        SSL_set_fd(c->ssl, c->fd);
        if (SSL_connect(c->ssl) != 1) {
            fprintf(stderr, "tls_flood: handshake %d failed\n", i);
            ERR_print_errors_fp(stderr);
            return 1;
        }
        fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
        c->total = (long long)msgs * g_size;
    }
    pthread_t *t = calloc((size_t)threads, sizeof *t);
    Share *sh = calloc((size_t)threads, sizeof *sh);
    double t0 = now_s();
    for (int i = 0, at = 0; i < threads; i++) {
        int n = conns / threads + (i < conns % threads);
        sh[i] = (Share){ cs + at, n };
        at += n;
        pthread_create(&t[i], NULL, run, &sh[i]);
    }
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    double el = now_s() - t0;
    if (g_failed) return 1;
    long long bytes = (long long)conns * msgs * g_size;
    printf("RESULT mb_per_s=%.1f msgs_per_s=%.0f bytes=%lld secs=%.3f version=%s cipher=%s\n",
           (double)bytes / el / 1e6, (double)conns * msgs / el, bytes, el,
           SSL_get_version(cs[0].ssl), SSL_get_cipher_name(cs[0].ssl));
    for (int i = 0; i < conns; i++) {
        SSL_shutdown(cs[i].ssl);
        SSL_free(cs[i].ssl);
        close(cs[i].fd);
    }
    return 0;
}
