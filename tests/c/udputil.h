/* Helpers for the UDP C tests: a component's listening port, and raw BSD sockets playing peers
 * that misbehave. */
#ifndef HP_UDPUTIL_H
#define HP_UDPUTIL_H
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include "HPSocket4C.h"
#include "testutil.h"

static inline USHORT listen_port(HP_Server s) {
    TCHAR a[64]; int n = sizeof a; USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(s, a, &n, &port));
    return port;
}

/* A raw UDP socket "connected" to 127.0.0.1:port. */
static inline int raw_peer(USHORT port) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET; a.sin_port = htons(port); a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    return fd;
}

/* A raw UDP socket bound to a free loopback port (a server that never answers). */
static inline int raw_bound(USHORT *port) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET; a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
    socklen_t l = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &l);
    *port = ntohs(a.sin_port);
    return fd;
}

/* Receives one datagram within ms; its length, or -1. */
static inline int raw_recv(int fd, BYTE *buf, int cap, int ms) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, ms) != 1) return -1;
    return (int)recv(fd, buf, (size_t)cap, 0);
}
#endif
