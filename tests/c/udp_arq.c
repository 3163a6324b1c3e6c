/* UdpArqServer and UdpArqClient: options and their checks, the handshake (OnHandShake after
 * OnAccept / OnConnect; Send refused before it), ordered echo of whole messages up to
 * MaxMessageSize, GetWaitingSendMessageCount, bad handshakes and garbage from raw sockets, the
 * handshake timeout, the close notification, and thousands of messages through a relay thread
 * that drops, delays and reorders datagrams both ways. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include "HPSocket4C.h"
#include "testutil.h"
#include "udputil.h"

static volatile long s_accepts, s_hands, s_recv, s_closes, s_close_op, s_close_code;
static volatile long c_connects, c_hands, c_recv, c_bad, c_closes, c_close_op, c_close_code;
static volatile long c_send_before_hs = -1;
static int g_msg_count;

/* the message the client sends as number i: length 1..4096, bytes derived from i */
static int msg_len(int i) { return 1 + (i * 577) % 4096; }
static void msg_fill(int i, BYTE *p) { int n = msg_len(i); for (int k = 0; k < n; k++) p[k] = (BYTE)(i * 7 + k); }

static En_HP_HandleResult __HP_CALL s_on_accept(HP_Server s, HP_CONNID id, UINT_PTR c) { (void)s; (void)id; (void)c; __atomic_add_fetch(&s_accepts, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL s_on_handshake(HP_Server s, HP_CONNID id) { (void)s; (void)id; __atomic_add_fetch(&s_hands, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL s_on_receive(HP_Server s, HP_CONNID id, const BYTE *p, int len) {
    __atomic_add_fetch(&s_recv, 1, __ATOMIC_SEQ_CST);
    return HP_Server_Send(s, id, p, len) ? HR_OK : HR_ERROR;
}
static En_HP_HandleResult __HP_CALL s_on_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int code) {
    (void)s; (void)id;
    s_close_op = op; s_close_code = code;
    __atomic_add_fetch(&s_closes, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL c_on_connect(HP_Client c, HP_CONNID id) {
    (void)id;
    errno = 0;
    c_send_before_hs = HP_Client_Send(c, (const BYTE *)"early", 5) ? 1 : errno; /* not yet */
    __atomic_add_fetch(&c_connects, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL c_on_handshake(HP_Client c, HP_CONNID id) { (void)c; (void)id; __atomic_add_fetch(&c_hands, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL c_on_receive(HP_Client c, HP_CONNID id, const BYTE *p, int len) {
    (void)c; (void)id;
    static BYTE want[4096];
    long i = c_recv;
    msg_fill((int)i, want);
    if (len != msg_len((int)i) || memcmp(p, want, (size_t)len) != 0) __atomic_add_fetch(&c_bad, 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&c_recv, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL c_on_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int code) {
    (void)c; (void)id;
    c_close_op = op; c_close_code = code;
    __atomic_add_fetch(&c_closes, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}

static void reset(void) {
    s_accepts = s_hands = s_recv = s_closes = s_close_op = s_close_code = 0;
    c_connects = c_hands = c_recv = c_bad = c_closes = c_close_op = c_close_code = 0;
    c_send_before_hs = -1;
}


/* ---- a lossy relay: client <-> [front socket | relay | back socket] <-> server ---- */
struct held { long long due; int to_server; int len; BYTE data[2048]; };
static struct {
    int front, back, loss;
    struct sockaddr_in client;
    int have_client;
    volatile int stop;
    struct held q[4096];
    int n;
    unsigned seed;
    long dropped, passed;
} R;

static long long now_us(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000LL + t.tv_nsec / 1000; }
static unsigned rnd(void) { R.seed = R.seed * 1103515245u + 12345u; return (R.seed >> 8) & 0xFFFFFF; }

static void *relay(void *arg) {
    (void)arg;
    BYTE buf[2048];
    while (!R.stop) {
        struct pollfd p[2] = {{R.front, POLLIN, 0}, {R.back, POLLIN, 0}};
        poll(p, 2, 1);
        for (int i = 0; i < 2; i++) {
            if (!(p[i].revents & POLLIN)) continue;
            struct sockaddr_in from; socklen_t fl = sizeof from;
            int n = (int)recvfrom(i == 0 ? R.front : R.back, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
            if (n < 0) continue;
            if (i == 0) { R.client = from; R.have_client = 1; }
            /* detects, handshakes and close notifications pass; KCP segments may be dropped */
            if (n >= 24 && (int)(rnd() % 100) < R.loss) { R.dropped++; continue; }
            if (R.n == (int)(sizeof R.q / sizeof R.q[0])) continue;
            struct held *h = &R.q[R.n++];
            h->due = now_us() + (long long)(rnd() % 15000); /* 0..15 ms: reorders */
            h->to_server = i == 0; h->len = n;
            memcpy(h->data, buf, (size_t)n);
        }
        long long t = now_us();
        for (int k = 0; k < R.n;) {
            if (R.q[k].due <= t) {
                struct held *h = &R.q[k];
                if (h->to_server) send(R.back, h->data, (size_t)h->len, 0);
                else if (R.have_client) sendto(R.front, h->data, (size_t)h->len, 0, (struct sockaddr *)&R.client, sizeof R.client);
                R.passed++;
                R.q[k] = R.q[--R.n];
            } else k++;
        }
    }
    return NULL;
}

static USHORT start_relay(USHORT server_port, int loss) {
    memset(&R, 0, sizeof R);
    R.loss = loss; R.seed = 12345;
    R.front = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET; a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(R.front, (struct sockaddr *)&a, sizeof a) == 0);
    socklen_t l = sizeof a;
    getsockname(R.front, (struct sockaddr *)&a, &l);
    R.back = raw_peer(server_port);
    return ntohs(a.sin_port);
}

/* The client sends `count` messages (at most `window` unacknowledged) and waits for every
 * echo; returns 1 when all came back in order. */
static int pump(HP_UdpArqClient c, int count, int window, int ms) {
    static BYTE m[4096];
    long long deadline = now_us() + ms * 1000LL;
    for (int i = 0; i < count && now_us() < deadline; i++) {
        int waiting = 0;
        while (HP_UdpArqClient_GetWaitingSendMessageCount(c, &waiting) && waiting >= window && now_us() < deadline) sleep_ms(1);
        msg_fill(i, m);
        if (!HP_Client_Send(c, m, msg_len(i))) return 0;
    }
    while (c_recv < count && now_us() < deadline) sleep_ms(2);
    return c_recv == count && c_bad == 0;
}

static void fast_mode(HP_UdpArqServer s, HP_UdpArqClient c) {
    HP_UdpArqServer_SetNoDelay(s, TRUE); HP_UdpArqClient_SetNoDelay(c, TRUE);
    HP_UdpArqServer_SetFlushInterval(s, 10); HP_UdpArqClient_SetFlushInterval(c, 10);
    HP_UdpArqServer_SetResendByAcks(s, 2); HP_UdpArqClient_SetResendByAcks(c, 2);
    HP_UdpArqServer_SetTurnoffCongestCtrl(s, TRUE); HP_UdpArqClient_SetTurnoffCongestCtrl(c, TRUE);
}

int main(void) {
    HP_UdpArqServerListener sl = Create_HP_UdpArqServerListener();
    HP_Set_FN_Server_OnAccept(sl, s_on_accept);
    HP_Set_FN_Server_OnHandShake(sl, s_on_handshake);
    HP_Set_FN_Server_OnReceive(sl, s_on_receive);
    HP_Set_FN_Server_OnClose(sl, s_on_close);
    HP_UdpArqClientListener cl = Create_HP_UdpArqClientListener();
    HP_Set_FN_Client_OnConnect(cl, c_on_connect);
    HP_Set_FN_Client_OnHandShake(cl, c_on_handshake);
    HP_Set_FN_Client_OnReceive(cl, c_on_receive);
    HP_Set_FN_Client_OnClose(cl, c_on_close);
    HP_UdpArqServer s = Create_HP_UdpArqServer(sl);
    HP_UdpArqClient c = Create_HP_UdpArqClient(cl);
    CHECK(s && c);

    /* upstream's defaults */
    CHECK(!HP_UdpArqServer_IsNoDelay(s));
    CHECK(!HP_UdpArqServer_IsTurnoffCongestCtrl(s));
    CHECK_EQ(HP_UdpArqServer_GetFlushInterval(s), 60);
    CHECK_EQ(HP_UdpArqServer_GetResendByAcks(s), 0);
    CHECK_EQ(HP_UdpArqServer_GetSendWndSize(s), 128);
    CHECK_EQ(HP_UdpArqServer_GetRecvWndSize(s), 512);
    CHECK_EQ(HP_UdpArqServer_GetMinRto(s), 30);
    CHECK_EQ(HP_UdpArqServer_GetFastLimit(s), 5);
    CHECK_EQ(HP_UdpArqServer_GetMaxTransUnit(s), 1432);
    CHECK_EQ(HP_UdpArqServer_GetMaxMessageSize(s), 4096);
    CHECK_EQ(HP_UdpArqServer_GetHandShakeTimeout(s), 5000);
    CHECK(!HP_UdpArqClient_IsNoDelay(c));
    CHECK(!HP_UdpArqClient_IsTurnoffCongestCtrl(c));
    CHECK_EQ(HP_UdpArqClient_GetFlushInterval(c), 60);
    CHECK_EQ(HP_UdpArqClient_GetResendByAcks(c), 0);
    CHECK_EQ(HP_UdpArqClient_GetSendWndSize(c), 128);
    CHECK_EQ(HP_UdpArqClient_GetRecvWndSize(c), 512);
    CHECK_EQ(HP_UdpArqClient_GetMinRto(c), 30);
    CHECK_EQ(HP_UdpArqClient_GetFastLimit(c), 5);
    CHECK_EQ(HP_UdpArqClient_GetMaxTransUnit(c), 1432);
    CHECK_EQ(HP_UdpArqClient_GetMaxMessageSize(c), 4096);
    CHECK_EQ(HP_UdpArqClient_GetHandShakeTimeout(c), 5000);

    /* every setter reads back (while stopped), then the defaults go back */
    HP_UdpArqClient_SetSendWndSize(c, 64); CHECK_EQ(HP_UdpArqClient_GetSendWndSize(c), 64);
    HP_UdpArqClient_SetRecvWndSize(c, 256); CHECK_EQ(HP_UdpArqClient_GetRecvWndSize(c), 256);
    HP_UdpArqClient_SetMinRto(c, 20); CHECK_EQ(HP_UdpArqClient_GetMinRto(c), 20);
    HP_UdpArqClient_SetFastLimit(c, 0); CHECK_EQ(HP_UdpArqClient_GetFastLimit(c), 0);
    HP_UdpArqClient_SetMaxTransUnit(c, 1200); CHECK_EQ(HP_UdpArqClient_GetMaxTransUnit(c), 1200);
    HP_UdpArqClient_SetMaxMessageSize(c, 8192); CHECK_EQ(HP_UdpArqClient_GetMaxMessageSize(c), 8192);
    HP_UdpArqClient_SetHandShakeTimeout(c, 3000); CHECK_EQ(HP_UdpArqClient_GetHandShakeTimeout(c), 3000);
    HP_UdpArqClient_SetNoDelay(c, TRUE); CHECK(HP_UdpArqClient_IsNoDelay(c));
    HP_UdpArqClient_SetTurnoffCongestCtrl(c, TRUE); CHECK(HP_UdpArqClient_IsTurnoffCongestCtrl(c));
    HP_UdpArqClient_SetResendByAcks(c, 3); CHECK_EQ(HP_UdpArqClient_GetResendByAcks(c), 3);
    HP_UdpArqServer_SetSendWndSize(s, 64); CHECK_EQ(HP_UdpArqServer_GetSendWndSize(s), 64);
    HP_UdpArqServer_SetRecvWndSize(s, 256); CHECK_EQ(HP_UdpArqServer_GetRecvWndSize(s), 256);
    HP_UdpArqServer_SetMinRto(s, 20); CHECK_EQ(HP_UdpArqServer_GetMinRto(s), 20);
    HP_UdpArqServer_SetFastLimit(s, 0); CHECK_EQ(HP_UdpArqServer_GetFastLimit(s), 0);
    HP_UdpArqServer_SetResendByAcks(s, 3); CHECK_EQ(HP_UdpArqServer_GetResendByAcks(s), 3);
    HP_UdpArqServer_SetNoDelay(s, TRUE); CHECK(HP_UdpArqServer_IsNoDelay(s));
    HP_UdpArqServer_SetTurnoffCongestCtrl(s, TRUE); CHECK(HP_UdpArqServer_IsTurnoffCongestCtrl(s));
    HP_UdpArqClient_SetSendWndSize(c, 128); HP_UdpArqClient_SetRecvWndSize(c, 512);
    HP_UdpArqClient_SetMinRto(c, 30); HP_UdpArqClient_SetFastLimit(c, 5);
    HP_UdpArqClient_SetMaxTransUnit(c, 1432); HP_UdpArqClient_SetMaxMessageSize(c, 4096);
    HP_UdpArqClient_SetHandShakeTimeout(c, 5000); HP_UdpArqClient_SetNoDelay(c, FALSE);
    HP_UdpArqClient_SetTurnoffCongestCtrl(c, FALSE); HP_UdpArqClient_SetResendByAcks(c, 0);
    HP_UdpArqServer_SetSendWndSize(s, 128); HP_UdpArqServer_SetRecvWndSize(s, 512);
    HP_UdpArqServer_SetMinRto(s, 30); HP_UdpArqServer_SetFastLimit(s, 5);
    HP_UdpArqServer_SetResendByAcks(s, 0); HP_UdpArqServer_SetNoDelay(s, FALSE);
    HP_UdpArqServer_SetTurnoffCongestCtrl(s, FALSE);
    CHECK_EQ(HP_UdpServer_GetMaxDatagramSize(s), 1432); /* the UDP options apply too */

    /* only ARQ components take ARQ options */
    HP_UdpServerListener ul = Create_HP_UdpServerListener();
    HP_UdpServer us = Create_HP_UdpServer(ul);
    CHECK_EQ(HP_UdpArqServer_GetFlushInterval(us), 0);
    int w = -1;
    CHECK(!HP_UdpArqServer_GetWaitingSendMessageCount(us, 1, &w));
    Destroy_HP_UdpServer(us);
    Destroy_HP_UdpServerListener(ul);
    CHECK_EQ(HP_UdpArqClient_GetFlushInterval(s), 0);

    /* Start checks the ARQ options as upstream does */
    HP_UdpArqServer_SetHandShakeTimeout(s, 60); /* not above twice MinRto */
    CHECK(!HP_Server_Start(s, "127.0.0.1", 0));
    CHECK_EQ(HP_Server_GetLastError(s), SE_INVALID_PARAM);
    HP_UdpArqServer_SetHandShakeTimeout(s, 5000);
    HP_UdpArqServer_SetMaxTransUnit(s, 71);
    CHECK(!HP_Server_Start(s, "127.0.0.1", 0));
    HP_UdpArqServer_SetMaxTransUnit(s, 1432);
    HP_UdpArqServer_SetMaxMessageSize(s, 127 * (1432 - 24));
    CHECK(!HP_Server_Start(s, "127.0.0.1", 0));
    HP_UdpArqServer_SetMaxMessageSize(s, 4096);
    HP_UdpArqClient_SetFlushInterval(c, 0);
    CHECK(!HP_Client_Start(c, "127.0.0.1", 9, FALSE));
    CHECK_EQ(HP_Client_GetLastError(c), SE_INVALID_PARAM);
    HP_UdpArqClient_SetFlushInterval(c, 60);

    /* ---- handshake and ordered echo, default options ---- */
    reset();
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    HP_UdpArqServer_SetFlushInterval(s, 5); /* ignored while started */
    CHECK_EQ(HP_UdpArqServer_GetFlushInterval(s), 60);
    USHORT port = listen_port(s);
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(wait_for(&c_hands, 1, 3000));
    CHECK(wait_for(&s_hands, 1, 3000));
    CHECK_EQ(c_connects, 1);
    CHECK_EQ(s_accepts, 1);
    CHECK_EQ(c_send_before_hs, EPERM);
    CHECK(pump(c, 300, 64, 20000));
    CHECK_EQ(c_recv, 300);
    CHECK_EQ(s_recv, 300);
    {
        int waiting = -1;
        CHECK(HP_UdpArqClient_GetWaitingSendMessageCount(c, &waiting));
        CHECK(waiting >= 0);
        HP_CONNID ids[2]; DWORD n = 2;
        CHECK(HP_Server_GetAllConnectionIDs(s, ids, &n));
        CHECK(HP_UdpArqServer_GetWaitingSendMessageCount(s, ids[0], &waiting));
        CHECK(!HP_UdpArqServer_GetWaitingSendMessageCount(s, 9999, &waiting));
        CHECK(!HP_UdpArqClient_GetWaitingSendMessageCount(c, NULL));
        BYTE big[4097] = {0};
        errno = 0;
        CHECK(!HP_Client_Send(c, big, 4097)); /* above MaxMessageSize */
        CHECK_EQ(errno, EINVAL); /* as upstream: ERROR_INVALID_PARAMETER */
    }
    /* the client stops: the server hears the close notification */
    CHECK(HP_Client_Stop(c));
    CHECK(wait_for(&s_closes, 1, 2000));
    CHECK_EQ(s_close_op, SO_CLOSE);
    CHECK_EQ(s_close_code, 0);

    /* ---- bad input from raw sockets ---- */
    reset();
    {
        BYTE hs[12] = {0x4E, 0xBB, 0x01, 0x00, 1, 2, 3, 4, 0, 0, 0, 0}; /* wrong magic */
        int p1 = raw_peer(port);
        CHECK(send(p1, hs, 12, 0) == 12);
        CHECK(wait_for(&s_closes, 1, 2000));
        CHECK_EQ(s_close_op, SO_RECEIVE);
        CHECK_EQ(s_close_code, EBADMSG);
        close(p1);
        int p2 = raw_peer(port);
        CHECK(send(p2, "junk!", 5, 0) == 5); /* neither a handshake nor KCP */
        CHECK(wait_for(&s_closes, 2, 2000));
        CHECK_EQ(s_close_code, EBADMSG);
        close(p2);
        BYTE hs2[12] = {0x4F, 0xBB, 0x01, 0x00, 1, 2, 3, 4, 9, 9, 9, 9}; /* knows an id we never gave */
        int p3 = raw_peer(port);
        CHECK(send(p3, hs2, 12, 0) == 12);
        CHECK(wait_for(&s_closes, 3, 2000));
        CHECK_EQ(s_close_code, ECONNRESET);
        close(p3);
        CHECK_EQ(s_hands, 0);
    }
    CHECK(HP_Server_Stop(s));

    /* ---- the handshake times out ---- */
    reset();
    HP_UdpArqServer_SetHandShakeTimeout(s, 300);
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    port = listen_port(s);
    {
        int p1 = raw_peer(port);
        CHECK(send(p1, "", 0, 0) == 0); /* a detect: accepted, then never a handshake */
        CHECK(wait_for(&s_accepts, 1, 2000));
        BYTE b[64];
        struct pollfd pf = {p1, POLLIN, 0};
        CHECK(poll(&pf, 1, 1000) == 1);
        ssize_t got = recv(p1, b, sizeof b, 0);
        if (got == 0) { CHECK(poll(&pf, 1, 1000) == 1); got = recv(p1, b, sizeof b, 0); } /* the detect answer */
        CHECK_EQ(got, 12); /* the server's handshake */
        CHECK(got == 12 && b[0] == 0x4F && b[1] == 0xBB && b[2] == 1);
        CHECK(wait_for(&s_closes, 1, 3000));
        CHECK_EQ(s_close_op, SO_CLOSE);
        CHECK_EQ(s_close_code, ETIMEDOUT);
        CHECK_EQ(s_hands, 0);
        close(p1);
    }
    CHECK(HP_Server_Stop(s));
    HP_UdpArqServer_SetHandShakeTimeout(s, 5000);

    /* ---- thousands of messages through a relay that drops, delays and reorders ---- */
    reset();
    fast_mode(s, c);
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    port = listen_port(s);
    USHORT rport = start_relay(port, 10);
    pthread_t rt;
    pthread_create(&rt, NULL, relay, NULL);
    CHECK(HP_Client_Start(c, "127.0.0.1", rport, FALSE));
    CHECK(wait_for(&c_hands, 1, 3000));
    g_msg_count = 3000;
    int ok = pump(c, g_msg_count, 128, 60000);
    CHECK(ok);
    CHECK_EQ(c_recv, g_msg_count);
    CHECK_EQ(c_bad, 0);
    printf("relay: %ld datagrams passed, %ld dropped (%d%% of KCP datagrams)\n", R.passed, R.dropped, R.loss);
    CHECK(R.dropped > 100);
    CHECK(HP_Client_Stop(c));
    CHECK(HP_Server_Stop(s));
    R.stop = 1;
    pthread_join(rt, NULL);
    close(R.front); close(R.back);

    /* the same with default options (congestion control on), fewer messages */
    reset();
    HP_UdpArqServer_SetNoDelay(s, FALSE); HP_UdpArqClient_SetNoDelay(c, FALSE);
    HP_UdpArqServer_SetFlushInterval(s, 20); HP_UdpArqClient_SetFlushInterval(c, 20);
    HP_UdpArqServer_SetResendByAcks(s, 0); HP_UdpArqClient_SetResendByAcks(c, 0);
    HP_UdpArqServer_SetTurnoffCongestCtrl(s, FALSE); HP_UdpArqClient_SetTurnoffCongestCtrl(c, FALSE);
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    port = listen_port(s);
    rport = start_relay(port, 10);
    pthread_create(&rt, NULL, relay, NULL);
    CHECK(HP_Client_Start(c, "127.0.0.1", rport, FALSE));
    CHECK(wait_for(&c_hands, 1, 3000));
    CHECK(pump(c, 300, 64, 60000));
    CHECK_EQ(c_recv, 300);
    CHECK(HP_Client_Stop(c));
    R.stop = 1;
    pthread_join(rt, NULL);
    close(R.front); close(R.back);

    Destroy_HP_UdpArqClient(c);
    Destroy_HP_UdpArqServer(s); /* while started */
    Destroy_HP_UdpArqClientListener(cl);
    Destroy_HP_UdpArqServerListener(sl);
    return t_finish("udp_arq");
}
