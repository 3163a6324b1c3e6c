#define _GNU_SOURCE
/* The UDP benchmark's echo server: a UdpServer over the C API of the library given (echoing each
 * datagram from OnReceive), or, with "mmsg" instead of a library, the ceiling: a plain loop of
 * recvmmsg / sendmmsg, -w threads each with its own SO_REUSEPORT socket.
 *
 *   udp_server <lib.so|mmsg> <port> [-w workers]      prints "READY <pid>", runs until stdin closes */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include "bench_common.h"

static B (*ServerSend)(H, CONNID, const unsigned char *, int);
static int on_receive(H s, CONNID id, const unsigned char *p, int n)
{
    ServerSend(s, id, p, n);
    return 0;
}

static int g_port;
#define BATCH 64
#define DGRAM 2048

static void *mmsg_worker(void *arg)
{
    (void)arg;
    int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    int rcvbuf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)g_port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&a, sizeof a)) {
        perror("bind");
        exit(1);
    }
    static __thread char bufs[BATCH][DGRAM];
    static __thread struct sockaddr_in from[BATCH];
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    for (;;) {
        for (int i = 0; i < BATCH; i++) {
            iov[i].iov_base = bufs[i];
            iov[i].iov_len = DGRAM;
            memset(&msgs[i], 0, sizeof msgs[i]);
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = &from[i];
            msgs[i].msg_hdr.msg_namelen = sizeof from[i];
        }
        /* Blocks for the first datagram, then takes what else is there. */
        int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
        if (n <= 0) {
            if (n < 0 && errno != EINTR) perror("recvmmsg");
            continue;
        }
        for (int i = 0; i < n; i++) iov[i].iov_len = msgs[i].msg_len;
        for (int done = 0; done < n;) {
            int w = sendmmsg(fd, msgs + done, (unsigned)(n - done), 0);
            if (w <= 0) break;
            done += w;
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: udp_server <lib.so|mmsg> <port> [-w workers]\n");
        return 2;
    }
    g_port = atoi(argv[2]);
    int workers = 2;
    for (int i = 3; i + 1 < argc; i += 2)
        if (!strcmp(argv[i], "-w")) workers = atoi(argv[i + 1]);
    H s = NULL;
    B (*Stop)(H) = NULL;
    if (!strcmp(argv[1], "mmsg")) {
        for (int i = 0; i < workers; i++) {
            pthread_t t;
            pthread_create(&t, NULL, mmsg_worker, NULL);
            pthread_detach(t);
        }
        usleep(100000);
    } else {
        open_lib(argv[1]);
        H l = ((H (*)(void))sym("Create_HP_UdpServerListener"))();
        ((void (*)(H, FnReceive))sym("HP_Set_FN_Server_OnReceive"))(l, on_receive);
        s = ((H (*)(H))sym("Create_HP_UdpServer"))(l);
        ServerSend = (B (*)(H, CONNID, const unsigned char *, int))sym("HP_Server_Send");
        ((void (*)(H, unsigned))sym("HP_Server_SetWorkerThreadCount"))(s, (unsigned)workers);
        ((void (*)(H, unsigned))sym("HP_Server_SetMaxConnectionCount"))(s, 100000);
        /* No silence detection during a run. */
        ((void (*)(H, unsigned))sym("HP_UdpServer_SetDetectAttempts"))(s, 0);
        Stop = (B (*)(H))sym("HP_Server_Stop");
        if (!((B (*)(H, const char *, unsigned short))sym("HP_Server_Start"))(s, "127.0.0.1", (unsigned short)g_port)) {
            fprintf(stderr, "start failed\n");
            return 1;
        }
    }
    printf("READY %d\n", (int)getpid());
    fflush(stdout);
    char buf[64];
    while (fgets(buf, sizeof buf, stdin)) {
    }
    if (Stop) Stop(s);
    return 0;
}
