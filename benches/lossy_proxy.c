#define _GNU_SOURCE
/* A lossy UDP relay for the ARQ benchmark (plain sockets, no library): listens on 127.0.0.1:<listen_port>,
 * gives every client address it hears from a socket of its own connected to 127.0.0.1:<server_port>
 * (so the server sees one connection per client), and forwards datagrams both ways, dropping
 * -l percent of them in each direction (a deterministic PRNG, xorshift64*, seeded with -s, one
 * stream per direction) and, with -d, holding each forwarded datagram a random 0..d microseconds
 * (which reorders them; 0, the default, forwards at once). -m drops only datagrams of at least that
 * many bytes (0, the default: any datagram may be dropped, the library's detects, handshakes and
 * close notifications too).
 *
 *   lossy_proxy <listen_port> <server_port> [-l loss_percent] [-s seed] [-d max_delay_us]
 *               [-m min_drop_len] [-t seconds]
 *
 * Prints "READY <pid>" once bound; runs until SIGTERM / SIGINT or -t seconds, then prints
 * "PROXY clients=N up_forwarded=A up_dropped=B down_forwarded=C down_dropped=D loss_pct=L". */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 1024
#define DGRAM 65536
#define MAX_HELD 65536

struct session { struct sockaddr_in addr; int fd; };
struct held { long long due; int fd; int to_client; struct sockaddr_in to; int len; unsigned char *data; };

static volatile sig_atomic_t g_stop;
static void on_signal(int sig) { (void)sig; g_stop = 1; }

static long long now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

/* xorshift64*: one state per direction, so the drops of one direction do not depend on the other's traffic */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 2685821657736338717ULL;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: lossy_proxy <listen_port> <server_port> [-l loss_percent] [-s seed] [-d max_delay_us] [-m min_drop_len] [-t seconds]\n");
        return 2;
    }
    int lport = atoi(argv[1]), sport = atoi(argv[2]), min_len = 0;
    double loss = 0, secs = 0;
    long long max_delay = 0;
    uint64_t seed = 1;
    for (int i = 3; i + 1 < argc; i += 2) {
        const char *o = argv[i], *v = argv[i + 1];
        if (!strcmp(o, "-l")) loss = atof(v);
        else if (!strcmp(o, "-s")) seed = strtoull(v, NULL, 0);
        else if (!strcmp(o, "-d")) max_delay = atoll(v);
        else if (!strcmp(o, "-m")) min_len = atoi(v);
        else if (!strcmp(o, "-t")) secs = atof(v);
        else { fprintf(stderr, "unknown option %s\n", o); return 2; }
    }
    uint64_t rng[2] = {seed * 0x9E3779B97F4A7C15ULL + 1, (seed + 1) * 0xBF58476D1CE4E5B9ULL + 1};
    for (int d = 0; d < 2; d++)
        for (int k = 0; k < 8; k++) rng_next(&rng[d]);
    /* a datagram is dropped when the next 53 bits, as a fraction, fall below loss / 100 */
    double threshold = loss / 100.0;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    int front = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    int buf = 4 << 20;
    setsockopt(front, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    setsockopt(front, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    struct sockaddr_in la = {.sin_family = AF_INET, .sin_port = htons((unsigned short)lport), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(front, (struct sockaddr *)&la, sizeof la)) {
        perror("lossy_proxy: bind");
        return 1;
    }
    struct sockaddr_in sa_srv = {.sin_family = AF_INET, .sin_port = htons((unsigned short)sport), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};

    static struct session sess[MAX_CLIENTS];
    static struct pollfd pfd[MAX_CLIENTS + 1];
    static struct held held[MAX_HELD];
    int nsess = 0, nheld = 0;
    long fwd[2] = {0, 0}, drop[2] = {0, 0}, overflow = 0; /* [0] client -> server, [1] server -> client */
    static unsigned char data[DGRAM];
    pfd[0].fd = front;
    pfd[0].events = POLLIN;

    printf("READY %d\n", (int)getpid());
    fflush(stdout);
    long long end = secs > 0 ? now_us() + (long long)(secs * 1e6) : 0;
    while (!g_stop && (!end || now_us() < end)) {
        int timeout = 100;
        if (nheld) {
            long long first = held[0].due;
            for (int k = 1; k < nheld; k++)
                if (held[k].due < first) first = held[k].due;
            long long wait = first - now_us();
            timeout = wait <= 0 ? 0 : (int)((wait + 999) / 1000);
        }
        int n = poll(pfd, (nfds_t)(nsess + 1), timeout);
        if (n < 0 && errno != EINTR) {
            perror("lossy_proxy: poll");
            return 1;
        }
        for (int i = 0; n > 0 && i <= nsess; i++) {
            if (!(pfd[i].revents & POLLIN)) continue;
            n--;
            /* up to 64 datagrams from this socket before looking at the others */
            for (int burst = 0; burst < 64; burst++) {
                struct sockaddr_in from;
                socklen_t fl = sizeof from;
                ssize_t r = recvfrom(pfd[i].fd, data, sizeof data, 0, (struct sockaddr *)&from, &fl);
                if (r < 0) break;
                int dir = i == 0 ? 0 : 1, out_fd;
                struct sockaddr_in to = {0};
                if (i == 0) {
                    int s = 0;
                    while (s < nsess && (sess[s].addr.sin_port != from.sin_port || sess[s].addr.sin_addr.s_addr != from.sin_addr.s_addr)) s++;
                    if (s == nsess) {
                        if (nsess == MAX_CLIENTS) continue;
                        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
                        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
                        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
                        if (fd < 0 || connect(fd, (struct sockaddr *)&sa_srv, sizeof sa_srv)) {
                            perror("lossy_proxy: socket/connect");
                            return 1;
                        }
                        sess[s].addr = from;
                        sess[s].fd = fd;
                        pfd[s + 1].fd = fd;
                        pfd[s + 1].events = POLLIN;
                        pfd[s + 1].revents = 0;
                        nsess++;
                    }
                    out_fd = sess[s].fd;
                } else {
                    out_fd = front;
                    to = sess[i - 1].addr;
                }
                if (r >= min_len && threshold > 0 && (double)(rng_next(&rng[dir]) >> 11) / 9007199254740992.0 < threshold) {
                    drop[dir]++;
                    continue;
                }
                fwd[dir]++;
                if (max_delay <= 0) {
                    if (i == 0) send(out_fd, data, (size_t)r, 0);
                    else sendto(out_fd, data, (size_t)r, 0, (struct sockaddr *)&to, sizeof to);
                    continue;
                }
                if (nheld == MAX_HELD) {
                    overflow++;
                    continue;
                }
                struct held *h = &held[nheld++];
                h->due = now_us() + (long long)(rng_next(&rng[dir]) % (uint64_t)(max_delay + 1));
                h->fd = out_fd;
                h->to_client = i != 0;
                h->to = to;
                h->len = (int)r;
                h->data = malloc((size_t)r ? (size_t)r : 1);
                memcpy(h->data, data, (size_t)r);
            }
        }
        if (nheld) {
            long long t = now_us();
            for (int k = 0; k < nheld;) {
                struct held *h = &held[k];
                if (h->due > t) {
                    k++;
                    continue;
                }
                if (h->to_client) sendto(h->fd, h->data, (size_t)h->len, 0, (struct sockaddr *)&h->to, sizeof h->to);
                else send(h->fd, h->data, (size_t)h->len, 0);
                free(h->data);
                *h = held[--nheld];
            }
        }
    }
    long up = fwd[0] + drop[0], down = fwd[1] + drop[1];
    printf("PROXY clients=%d up_forwarded=%ld up_dropped=%ld down_forwarded=%ld down_dropped=%ld held_overflow=%ld loss_pct=%.2f/%.2f\n",
           nsess, fwd[0], drop[0], fwd[1], drop[1], overflow, up ? 100.0 * (double)drop[0] / (double)up : 0.0,
           down ? 100.0 * (double)drop[1] / (double)down : 0.0);
    fflush(stdout);
    return 0;
}
