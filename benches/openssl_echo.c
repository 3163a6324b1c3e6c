#define _GNU_SOURCE
/* The TLS peer of benches/compare_tls.sh: a plain OpenSSL echo server, no framework. -w threads,
 * each with its own epoll set and SO_REUSEPORT listener (as benches/epoll_echo.c); nonblocking
 * sockets and SSL objects; every connection's decrypted bytes are written back with SSL_write,
 * what the socket does not take kept until it is writable (reading that connection stops until
 * then).
 *
 *   openssl_echo <port> <cert.pem> <key.pem> [-w threads] [-k]
 *
 * -k sets SSL_OP_ENABLE_KTLS (kernel TLS) and says on stderr, at the first handshake, whether
 * the kernel took the send and receive sides. Prints "READY <pid>"; runs until SIGTERM/SIGINT. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define REC 16384 /* one TLS record's plaintext at most: what one SSL_read gives */

typedef struct {
    int fd;
    SSL *ssl;
    int handshaken;
    unsigned events;        /* what epoll waits for now */
    unsigned char *pend;    /* decrypted bytes SSL_write has not taken yet (<= REC) */
    size_t poff, plen;
} Conn;

static int g_port, g_ktls;
static SSL_CTX *g_ctx;
static volatile int g_ktls_said;

static void arm(int ep, Conn *c, unsigned events)
{
    if (c->events == events) return;
    c->events = events;
    struct epoll_event ev = { .events = events, .data.ptr = c };
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void drop(Conn *c)
{
    SSL_free(c->ssl);
    close(c->fd);
    free(c->pend);
    free(c);
}

/* After a failed SSL_* call: 1 when it must wait (epoll armed), 0 when the connection is done */
static int wait_for(int ep, Conn *c, int ret)
{
    switch (SSL_get_error(c->ssl, ret)) {
    case SSL_ERROR_WANT_READ: arm(ep, c, EPOLLIN); return 1;
    case SSL_ERROR_WANT_WRITE: arm(ep, c, EPOLLOUT); return 1;
    default: ERR_clear_error(); return 0;
    }
}

/* Writes n bytes (from c->pend when `pending`); what is not taken is kept in c->pend.
 * 1: all written, 0: waiting for the socket, -1: the connection is done. */
static int put(int ep, Conn *c, const unsigned char *p, size_t n, int pending)
{
    while (n > 0) {
        int w = SSL_write(c->ssl, p, (int)n);
        if (w > 0) { p += w; n -= (size_t)w; continue; }
        if (!wait_for(ep, c, w)) return -1;
        if (pending) {
            c->poff = (size_t)(p - c->pend);
        } else {
            memcpy(c->pend, p, n);
            c->poff = 0;
        }
        c->plen = n;
        return 0;
    }
    c->plen = c->poff = 0;
    return 1;
}

/* Runs the connection as far as it goes without blocking; 0 when it is done (freed). */
static int service(int ep, Conn *c, unsigned char *buf)
{
    if (!c->handshaken) {
        int r = SSL_accept(c->ssl);
        if (r != 1) return wait_for(ep, c, r);
        c->handshaken = 1;
        if (g_ktls && !__atomic_exchange_n(&g_ktls_said, 1, __ATOMIC_RELAXED))
            fprintf(stderr, "openssl_echo: kTLS send %ld, receive %ld\n",
                    (long)BIO_get_ktls_send(SSL_get_wbio(c->ssl)), (long)BIO_get_ktls_recv(SSL_get_rbio(c->ssl)));
    }
    if (c->plen > 0) {
        int r = put(ep, c, c->pend + c->poff, c->plen, 1);
        if (r <= 0) return r == 0;
    }
    for (int i = 0; i < 64 || SSL_has_pending(c->ssl); i++) {
        int n = SSL_read(c->ssl, buf, REC);
        if (n <= 0) return wait_for(ep, c, n);
        int r = put(ep, c, buf, (size_t)n, 0);
        if (r <= 0) return r == 0;
    }
    arm(ep, c, EPOLLIN);
    return 1;
}

static void *worker(void *arg)
{
    (void)arg;
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(ls, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)g_port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 4096)) { perror("bind/listen"); exit(1); }
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    unsigned char *buf = malloc(REC);
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            Conn *c = evs[i].data.ptr;
            if (c) {
                if (!service(ep, c, buf)) drop(c);
                continue;
            }
            int fd;
            while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                Conn *nc = calloc(1, sizeof *nc);
                nc->fd = fd;
                nc->pend = malloc(REC);
                nc->ssl = SSL_new(g_ctx);
                SSL_set_fd(nc->ssl, fd);
                nc->events = EPOLLIN;
                struct epoll_event e = { .events = EPOLLIN, .data.ptr = nc };
                epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
                if (!service(ep, nc, buf)) drop(nc);
            }
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 4) { fprintf(stderr, "usage: openssl_echo port cert.pem key.pem [-w threads] [-k]\n"); return 2; }
    g_port = atoi(argv[1]);
    int threads = 1;
    for (int i = 4; i < argc; i++) {
        if (!strcmp(argv[i], "-w") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-k")) g_ktls = 1;
    }
    g_ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_set_min_proto_version(g_ctx, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(g_ctx, argv[2]) != 1 ||
        SSL_CTX_use_PrivateKey_file(g_ctx, argv[3], SSL_FILETYPE_PEM) != 1) {
        ERR_print_errors_fp(stderr);
        return 1;
    }
    SSL_CTX_set_mode(g_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (g_ktls) SSL_CTX_set_options(g_ctx, SSL_OP_ENABLE_KTLS);
    signal(SIGPIPE, SIG_IGN);
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    for (int i = 0; i < threads; i++) { pthread_t t; pthread_create(&t, NULL, worker, NULL); }
    usleep(100 * 1000);
    printf("READY %d\n", (int)getpid());
    fflush(stdout);
    int sig;
    sigwait(&sigs, &sig);
    return 0;
}
