#define _GNU_SOURCE
/* The ceiling: a plain epoll echo server in C, no framework. -w threads, each with its own
 * epoll set and SO_REUSEPORT listener; reads up to 64 KiB and writes it back, keeping what the
 * socket does not take until it is writable.
 *
 *   epoll_echo <port> [-w threads]      prints "READY <pid>", runs until stdin closes */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct { int fd; char *pend; size_t plen, pcap; } Conn;
static int g_port;

static void flush(int ep, Conn *c)
{
    while (c->plen > 0) {
        ssize_t w = send(c->fd, c->pend, c->plen, MSG_NOSIGNAL);
        if (w < 0) { if (errno == EAGAIN) break; c->plen = 0; return; }
        memmove(c->pend, c->pend + w, c->plen - (size_t)w);
        c->plen -= (size_t)w;
    }
    struct epoll_event ev = { .events = EPOLLIN | (c->plen ? EPOLLOUT : 0), .data.ptr = c };
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void *worker(void *arg)
{
    (void)arg;
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(ls, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)g_port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 4096)) { perror("bind/listen"); exit(1); }
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    static __thread char buf[65536];
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            Conn *c = evs[i].data.ptr;
            if (!c) {
                int fd;
                while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    Conn *nc = calloc(1, sizeof *nc);
                    nc->fd = fd;
                    struct epoll_event e = { .events = EPOLLIN, .data.ptr = nc };
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
                }
                continue;
            }
            if (evs[i].events & EPOLLOUT) flush(ep, c);
            if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                ssize_t r = recv(c->fd, buf, sizeof buf, 0);
                if (r == 0 || (r < 0 && errno != EAGAIN)) { close(c->fd); free(c->pend); free(c); continue; }
                if (r < 0) continue;
                size_t off = 0;
                if (c->plen == 0) {
                    ssize_t w = send(c->fd, buf, (size_t)r, MSG_NOSIGNAL);
                    off = w > 0 ? (size_t)w : 0;
                }
                if (off < (size_t)r) {
                    size_t need = c->plen + (size_t)r - off;
                    if (need > c->pcap) { c->pcap = need * 2; c->pend = realloc(c->pend, c->pcap); }
                    memcpy(c->pend + c->plen, buf + off, (size_t)r - off);
                    c->plen = need;
                    flush(ep, c);
                }
            }
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) { fprintf(stderr, "usage: epoll_echo port [-w threads]\n"); return 2; }
    g_port = atoi(argv[1]);
    int threads = argc > 3 && !strcmp(argv[2], "-w") ? atoi(argv[3]) : 1;
    for (int i = 0; i < threads; i++) { pthread_t t; pthread_create(&t, NULL, worker, NULL); }
    usleep(100 * 1000);
    printf("READY %d\n", (int)getpid());
    fflush(stdout);
    char b[64];
    while (fgets(b, sizeof b, stdin)) {}
    return 0;
}
