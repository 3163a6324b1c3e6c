/* A UdpServer under several busy peers at once: each connection's datagrams reach OnReceive in
 * the order they were sent (the server's receive loop raises OnReceive itself when the
 * connection's task is idle, else queues for it; the two never overlap), OnSend keeps coming
 * for every echo, an HR_ERROR from OnReceive closes just that connection once with
 * (SO_RECEIVE, ECANCELED), and no callback of a connection comes after its OnClose. Raw BSD
 * sockets are the peers. */
#include <errno.h>
#include <stdint.h>
#include "HPSocket4C.h"
#include "testutil.h"
#include "udputil.h"

enum { PEERS = 4, PER_PEER = 20000, BURST = 32, MAXID = 64 };

static volatile long r_total, r_disorder, r_after_close, r_closes, r_sent, r_close_op = -1, r_close_code = -1, r_overlap;
static volatile long next_seq[MAXID], closed[MAXID], inside[MAXID];
static volatile long refuse_at = -1;

static long slot(HP_CONNID id) { return (long)(id % MAXID); }

static En_HP_HandleResult __HP_CALL on_receive(HP_Server s, HP_CONNID id, const BYTE *p, int len) {
    long k = slot(id);
    if (__atomic_add_fetch(&inside[k], 1, __ATOMIC_SEQ_CST) != 1) __atomic_add_fetch(&r_overlap, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&closed[k], __ATOMIC_SEQ_CST)) __atomic_add_fetch(&r_after_close, 1, __ATOMIC_SEQ_CST);
    En_HP_HandleResult r = HR_OK;
    if (len >= 4) {
        uint32_t seq;
        memcpy(&seq, p, 4);
        /* Loopback may drop under load, never reorder: each sequence number is above the last. */
        if ((long)seq < next_seq[k]) __atomic_add_fetch(&r_disorder, 1, __ATOMIC_SEQ_CST);
        next_seq[k] = (long)seq + 1;
        if ((long)seq == __atomic_load_n(&refuse_at, __ATOMIC_SEQ_CST)) r = HR_ERROR;
    }
    __atomic_add_fetch(&r_total, 1, __ATOMIC_SEQ_CST);
    if (r == HR_OK && !HP_Server_Send(s, id, p, len)) r = HR_ERROR;
    __atomic_sub_fetch(&inside[k], 1, __ATOMIC_SEQ_CST);
    return r;
}
static En_HP_HandleResult __HP_CALL on_send(HP_Server s, HP_CONNID id, const BYTE *p, int len) {
    (void)s; (void)p; (void)len;
    if (__atomic_load_n(&closed[slot(id)], __ATOMIC_SEQ_CST)) __atomic_add_fetch(&r_after_close, 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&r_sent, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int code) {
    (void)s;
    long k = slot(id);
    if (__atomic_load_n(&inside[k], __ATOMIC_SEQ_CST)) __atomic_add_fetch(&r_overlap, 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&closed[k], 1, __ATOMIC_SEQ_CST);
    r_close_op = op;
    r_close_code = code;
    __atomic_add_fetch(&r_closes, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}

/* Reads whatever came back on fd without waiting. */
static long drain(int fd) {
    BYTE b[2048];
    long n = 0;
    while (recv(fd, b, sizeof b, MSG_DONTWAIT) > 0) n++;
    return n;
}

int main(void) {
    HP_UdpServerListener l = Create_HP_UdpServerListener();
    HP_Set_FN_Server_OnReceive(l, on_receive);
    HP_Set_FN_Server_OnSend(l, on_send);
    HP_Set_FN_Server_OnClose(l, on_close);
    HP_UdpServer s = Create_HP_UdpServer(l);
    HP_Server_SetWorkerThreadCount(s, 2);
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    USHORT port = listen_port(s);
    int fds[PEERS];
    for (int i = 0; i < PEERS; i++) fds[i] = raw_peer(port);

    /* Busy peers, interleaved, in bursts; echoes read back as they come. */
    long echoed = 0;
    BYTE msg[64];
    memset(msg, 'x', sizeof msg);
    for (uint32_t seq = 0; seq < PER_PEER; seq += BURST) {
        for (int i = 0; i < PEERS; i++) {
            for (uint32_t j = seq; j < seq + BURST && j < PER_PEER; j++) {
                memcpy(msg, &j, 4);
                send(fds[i], msg, sizeof msg, 0);
            }
        }
        for (int i = 0; i < PEERS; i++) echoed += drain(fds[i]);
        if ((seq / BURST) % 2 == 0) sleep_ms(1);
    }
    sleep_ms(300);
    for (int i = 0; i < PEERS; i++) echoed += drain(fds[i]);
    fprintf(stderr, "udp_order: %ld datagrams received, %ld echoed back, %ld OnSend\n", r_total, echoed, r_sent);
    CHECK(r_total >= PEERS * PER_PEER / 10); /* loopback drops what overflows the socket buffer */
    CHECK_EQ(r_disorder, 0);
    CHECK_EQ(r_overlap, 0);
    CHECK_EQ(r_closes, 0);
    CHECK(wait_for(&r_sent, r_total, 5000));
    CHECK_EQ(HP_Server_GetConnectionCount(s), PEERS);

    /* HR_ERROR from OnReceive: that connection alone closes, once, and hears nothing more. */
    refuse_at = PER_PEER + 5;
    for (uint32_t j = PER_PEER; j <= PER_PEER + 5; j++) {
        memcpy(msg, &j, 4);
        send(fds[0], msg, sizeof msg, 0);
    }
    CHECK(wait_for(&r_closes, 1, 5000));
    sleep_ms(200);
    CHECK_EQ(r_closes, 1);
    CHECK_EQ(r_close_op, SO_RECEIVE);
    CHECK_EQ(r_close_code, ECANCELED);
    CHECK_EQ(r_after_close, 0);
    CHECK_EQ(r_overlap, 0);
    CHECK_EQ(HP_Server_GetConnectionCount(s), PEERS - 1);
    /* The others still echo. */
    long before = r_total;
    uint32_t j = PER_PEER;
    memcpy(msg, &j, 4);
    send(fds[1], msg, sizeof msg, 0);
    CHECK(wait_for(&r_total, before + 1, 5000));

    for (int i = 0; i < PEERS; i++) close(fds[i]);
    CHECK(HP_Server_Stop(s));
    CHECK_EQ(r_after_close, 0);
    CHECK_EQ(r_overlap, 0);
    Destroy_HP_UdpServer(s);
    Destroy_HP_UdpServerListener(l);
    return t_finish("udp_order");
}
