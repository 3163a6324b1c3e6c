#define _GNU_SOURCE
/* The UDP benchmark's load: plain sockets (no library, so every server is driven alike), -c
 * sockets each connected to the server (each a connection of its own to a UdpServer), each
 * keeping -q datagrams of -s bytes in flight: every echo received sends the next one. A socket
 * that has had nothing back for 200 ms refills its window (the datagrams counted lost). Ends when
 * -n echoes have come back in all, or after 60 s.
 *
 *   udp_client <port> [-c sockets] [-q window] [-s size] [-n echoes] [-p server_pid]
 *
 * Prints "RESULT mode=udp conns=C window=Q size=S echoes=N secs=T msgs_per_s=X lost=L"
 * (with -p also "server_cpu_s=Z"). */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include "bench_common.h"


int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: udp_client <port> [-c sockets] [-q window] [-s size] [-n echoes] [-p server_pid]\n");
        return 2;
    }
    int port = atoi(argv[1]), conns = 20, window = 8, size = 64, pid = 0;
    long target = 500000;
    for (int i = 2; i + 1 < argc; i += 2) {
        const char *o = argv[i], *v = argv[i + 1];
        if (!strcmp(o, "-c")) conns = atoi(v);
        else if (!strcmp(o, "-q")) window = atoi(v);
        else if (!strcmp(o, "-s")) size = atoi(v);
        else if (!strcmp(o, "-n")) target = atol(v);
        else if (!strcmp(o, "-p")) pid = atoi(v);
    }
    struct pollfd *pfd = calloc((size_t)conns, sizeof *pfd);
    double *last = calloc((size_t)conns, sizeof *last);
    unsigned char *msg = calloc(1, (size_t)size), buf[65536];
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    for (int i = 0; i < conns; i++) {
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a)) {
            perror("socket/connect");
            return 1;
        }
        pfd[i].fd = fd;
        pfd[i].events = POLLIN;
    }
    /* Greet: one datagram each until it is echoed, so every socket is a connection first. */
    for (int i = 0; i < conns; i++) {
        double t = now_s();
        for (;;) {
            if (now_s() - t > 5) {
                fprintf(stderr, "no echo for socket %d\n", i);
                return 1;
            }
            send(pfd[i].fd, msg, (size_t)size, 0);
            struct pollfd one = {pfd[i].fd, POLLIN, 0};
            if (poll(&one, 1, 100) == 1 && recv(pfd[i].fd, buf, sizeof buf, 0) > 0) break;
        }
    }
    double cpu0 = pid ? cpu_s(pid) : -1;
    double t0 = now_s();
    long echoes = 0, lost = 0;
    for (int i = 0; i < conns; i++) {
        for (int k = 0; k < window; k++) send(pfd[i].fd, msg, (size_t)size, 0);
        last[i] = t0;
    }
    while (echoes < target && now_s() - t0 < 60) {
        int n = poll(pfd, (nfds_t)conns, 50);
        double t = now_s();
        for (int i = 0; i < conns && n > 0; i++) {
            if (!(pfd[i].revents & POLLIN)) continue;
            n--;
            for (;;) {
                ssize_t r = recv(pfd[i].fd, buf, sizeof buf, 0);
                if (r <= 0) break;
                echoes++;
                last[i] = t;
                send(pfd[i].fd, msg, (size_t)size, 0);
            }
        }
        for (int i = 0; i < conns; i++)
            if (t - last[i] > 0.2) {
                /* Nothing back for 200 ms: the window was lost; refill it. */
                for (int k = 0; k < window; k++) send(pfd[i].fd, msg, (size_t)size, 0);
                lost += window;
                last[i] = t;
            }
    }
    double secs = now_s() - t0;
    double cpu1 = pid ? cpu_s(pid) : -1;
    if (echoes < target) {
        fprintf(stderr, "only %ld of %ld echoes in 60 s\n", echoes, target);
        return 1;
    }
    printf("RESULT mode=udp conns=%d window=%d size=%d echoes=%ld secs=%.3f msgs_per_s=%.0f lost=%ld", conns, window, size, echoes, secs, echoes / secs, lost);
    if (pid) printf(" server_cpu_s=%.2f", cpu1 - cpu0);
    printf("\n");
    return 0;
}
