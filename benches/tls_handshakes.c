#define _GNU_SOURCE
/* New TLS handshakes per second against a server (benches/compare_tls.sh): T threads, each
 * doing, for D seconds, in a loop: connect, SSL_connect with a fresh SSL (no session is ever
 * offered again, so every handshake is a full one), SSL_shutdown (close_notify), shutdown of the
 * write side, then reading until the server closes (which also takes TLS 1.3's session tickets),
 * close. A handshake counts when all of that succeeded; failures are counted apart.
 *
 *   tls_handshakes <port> [-t threads] [-d seconds] [-v 1.2|1.3]
 *
 * The certificate is not verified. Prints one line:
 *   RESULT handshakes_per_s=X handshakes=N failures=F secs=S version=TLSv1.3 cipher=... */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int g_port;
static double g_end;
static SSL_CTX *g_ctx;
static long g_ok, g_fail;
static char g_version[32] = "?", g_cipher[64] = "?";
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* one full handshake and a clean close: 1 when it all went through */
static int once(int first)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (fd < 0) return 0;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval tv = { 5, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)g_port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int ok = 0;
    SSL *ssl = NULL;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) goto out;
    ssl = SSL_new(g_ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) != 1) goto out;
    if (first) {
        pthread_mutex_lock(&g_lock);
        snprintf(g_version, sizeof g_version, "%s", SSL_get_version(ssl));
        snprintf(g_cipher, sizeof g_cipher, "%s", SSL_get_cipher_name(ssl));
        pthread_mutex_unlock(&g_lock);
    }
    SSL_shutdown(ssl);
    shutdown(fd, SHUT_WR);
    char buf[4096];
    ssize_t r;
    while ((r = recv(fd, buf, sizeof buf, 0)) > 0) {}
    ok = r == 0 || errno == ECONNRESET; /* the server's close; a reset counts (a server may close
                                          * with our close_notify unread) */
out:
    if (ssl) SSL_free(ssl);
    ERR_clear_error();
    close(fd);
    return ok;
}

static void *run(void *arg)
{
    long ok = 0, fail = 0;
    int first = arg != NULL;
    while (now_s() < g_end) {
        if (once(first)) { ok++; first = 0; }
        else fail++;
    }
    __atomic_add_fetch(&g_ok, ok, __ATOMIC_RELAXED);
    __atomic_add_fetch(&g_fail, fail, __ATOMIC_RELAXED);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) { fprintf(stderr, "usage: tls_handshakes port [-t threads] [-d seconds] [-v 1.2|1.3]\n"); return 2; }
    g_port = atoi(argv[1]);
    int threads = 8;
    double secs = 5;
    const char *ver = "1.3";
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-t")) threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-d")) secs = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "-v")) ver = argv[i + 1];
    }
    g_ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(g_ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_session_cache_mode(g_ctx, SSL_SESS_CACHE_OFF);
    int v = !strcmp(ver, "1.2") ? TLS1_2_VERSION : TLS1_3_VERSION;
    SSL_CTX_set_min_proto_version(g_ctx, v);
    SSL_CTX_set_max_proto_version(g_ctx, v);
    pthread_t *t = calloc((size_t)threads, sizeof *t);
    double t0 = now_s();
    g_end = t0 + secs;
    for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, run, i == 0 ? (void *)1 : NULL);
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    double el = now_s() - t0;
    printf("RESULT handshakes_per_s=%.0f handshakes=%ld failures=%ld secs=%.2f version=%s cipher=%s\n",
           (double)g_ok / el, g_ok, g_fail, el, g_version, g_cipher);
    return g_ok > 0 ? 0 : 1;
}
