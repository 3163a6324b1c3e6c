#define _GNU_SOURCE
/* A second peer a C programmer would pick: an echo server on libuv (Debian libuv1-dev). -w
 * threads, each running its own uv loop with its own SO_REUSEPORT listener (libuv's loop is
 * single-threaded; this is how a libuv server uses several cores). Reads with libuv's default
 * 64 KiB allocation and writes each chunk back with uv_try_write, queueing a uv_write for what the
 * socket does not take.
 *
 *   uv_echo <port> [-w threads]      prints "READY <pid>", runs until stdin closes */
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

static int g_port;

typedef struct {
    uv_write_t req;
    uv_buf_t buf;
} WriteReq;

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    buf->base = malloc(suggested);
    buf->len = buf->base ? suggested : 0;
}

static void on_closed(uv_handle_t *h) { free(h); }

static void on_written(uv_write_t *req, int status)
{
    (void)status;
    WriteReq *w = (WriteReq *)req;
    free(w->buf.base);
    free(w);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    if (n < 0) {
        free(buf->base);
        if (!uv_is_closing((uv_handle_t *)s)) uv_close((uv_handle_t *)s, on_closed);
        return;
    }
    if (n == 0) {
        free(buf->base);
        return;
    }
    uv_buf_t b = uv_buf_init(buf->base, (unsigned)n);
    int w = uv_stream_get_write_queue_size(s) == 0 ? uv_try_write(s, &b, 1) : UV_EAGAIN;
    size_t done = w > 0 ? (size_t)w : 0;
    if (w < 0 && w != UV_EAGAIN) {
        free(buf->base);
        if (!uv_is_closing((uv_handle_t *)s)) uv_close((uv_handle_t *)s, on_closed);
        return;
    }
    if (done == (size_t)n) {
        free(buf->base);
        return;
    }
    WriteReq *req = malloc(sizeof *req);
    req->buf = uv_buf_init(malloc((size_t)n - done), (unsigned)((size_t)n - done));
    memcpy(req->buf.base, buf->base + done, (size_t)n - done);
    free(buf->base);
    uv_write(&req->req, s, &req->buf, 1, on_written);
}

static void on_connection(uv_stream_t *server, int status)
{
    if (status < 0) return;
    uv_tcp_t *c = malloc(sizeof *c);
    uv_tcp_init(server->loop, c);
    if (uv_accept(server, (uv_stream_t *)c) != 0) {
        uv_close((uv_handle_t *)c, on_closed);
        return;
    }
    uv_tcp_nodelay(c, 1);
    uv_read_start((uv_stream_t *)c, on_alloc, on_read);
}

static void *worker(void *arg)
{
    (void)arg;
    uv_loop_t loop;
    uv_loop_init(&loop);
    /* A listener of our own with SO_REUSEPORT, handed to libuv (uv_tcp_bind cannot set it). */
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(ls, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)g_port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(ls, (struct sockaddr *)&a, sizeof a)) {
        perror("bind");
        exit(1);
    }
    uv_tcp_t server;
    uv_tcp_init(&loop, &server);
    if (uv_tcp_open(&server, ls) || uv_listen((uv_stream_t *)&server, 4096, on_connection)) {
        fprintf(stderr, "uv_listen failed\n");
        exit(1);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: uv_echo <port> [-w threads]\n");
        return 2;
    }
    g_port = atoi(argv[1]);
    int threads = 2;
    for (int i = 2; i + 1 < argc; i += 2)
        if (strcmp(argv[i], "-w") == 0) threads = atoi(argv[i + 1]);
    for (int i = 0; i < threads; i++) {
        pthread_t t;
        pthread_create(&t, NULL, worker, NULL);
        pthread_detach(t);
    }
    usleep(100000);
    printf("READY %d\n", (int)getpid());
    fflush(stdout);
    char c;
    while (read(0, &c, 1) > 0) {
    }
    return 0;
}
