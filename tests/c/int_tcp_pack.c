/* TcpPackServer / TcpPackAgent / TcpPackClient: upstream's PACK framing on loopback, with
 * well-formed peers and with a raw socket writing crafted bytes. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include "HPSocket4C.h"
#include "testutil.h"

#define FLAG 0x169
#define MAXP 1000

/* server: echoes each message; counts; remembers the last close */
static volatile long s_msgs, s_closes, s_last_op = -1, s_last_err = -1;
static volatile long s_order_bad, s_next_seq;
static En_HP_HandleResult __HP_CALL s_receive(HP_Server s, HP_CONNID id, const BYTE *p, int n) {
    __atomic_add_fetch(&s_msgs, 1, __ATOMIC_SEQ_CST);
    return HP_Server_Send(s, id, p, n) ? HR_OK : HR_ERROR;
}
static En_HP_HandleResult __HP_CALL s_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int err) {
    (void)s; (void)id; s_last_op = op; s_last_err = err;
    __atomic_add_fetch(&s_closes, 1, __ATOMIC_SEQ_CST); return HR_OK;
}

/* client: records every message body */
static volatile long c_msgs;
static int c_len[4096];
static BYTE c_first[4096];
static BYTE c_buf[8 * MAXP];
static volatile long c_buf_len;
static En_HP_HandleResult __HP_CALL c_receive(HP_Client c, HP_CONNID id, const BYTE *p, int n) {
    (void)c; (void)id;
    long i = c_msgs;
    if (i < 4096) { c_len[i] = n; c_first[i] = p[0]; }
    if (n <= (int)sizeof c_buf) { memcpy(c_buf, p, (size_t)n); c_buf_len = n; }
    __atomic_add_fetch(&c_msgs, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}

static volatile long a_msgs;
static En_HP_HandleResult __HP_CALL a_receive(HP_Agent a, HP_CONNID id, const BYTE *p, int n) {
    (void)a; (void)id; (void)p; (void)n; __atomic_add_fetch(&a_msgs, 1, __ATOMIC_SEQ_CST); return HR_OK;
}

static int raw_connect(USHORT port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET; a.sin_port = htons(port); a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { close(fd); return -1; }
    int one = 1; setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}
static void put_header(BYTE *h, uint32_t len, uint32_t flag) {
    uint32_t v = (flag << 22) | len;
    h[0] = (BYTE)v; h[1] = (BYTE)(v >> 8); h[2] = (BYTE)(v >> 16); h[3] = (BYTE)(v >> 24);
}
/* reads one framed message from a raw socket; returns its body length or -1 */
static int raw_read_msg(int fd, BYTE *body, int cap) {
    BYTE h[4]; int got = 0;
    while (got < 4) { int r = (int)recv(fd, h + got, (size_t)(4 - got), 0); if (r <= 0) return -1; got += r; }
    uint32_t v = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
    int len = (int)(v & 0x3FFFFF);
    if ((v >> 22) != FLAG || len > cap) return -1;
    got = 0;
    while (got < len) { int r = (int)recv(fd, body + got, (size_t)(len - got), 0); if (r <= 0) return -1; got += r; }
    return len;
}

int main(void) {
    HP_TcpPackServerListener sl = Create_HP_TcpPackServerListener();
    HP_Set_FN_Server_OnReceive(sl, s_receive);
    HP_Set_FN_Server_OnClose(sl, s_close);
    HP_TcpPackServer s = Create_HP_TcpPackServer(sl);
    CHECK(s != NULL);

    /* options: defaults, limits at Start, frozen while started */
    CHECK_EQ(HP_TcpPackServer_GetMaxPackSize(s), 0x40000);
    CHECK_EQ(HP_TcpPackServer_GetPackHeaderFlag(s), 0);
    HP_TcpPackServer_SetMaxPackSize(s, 0x400000);
    CHECK(!HP_Server_Start(s, "127.0.0.1", 0)); CHECK_EQ(HP_Server_GetLastError(s), SE_INVALID_PARAM);
    HP_TcpPackServer_SetMaxPackSize(s, MAXP);
    HP_TcpPackServer_SetPackHeaderFlag(s, 0x400);
    CHECK(!HP_Server_Start(s, "127.0.0.1", 0)); CHECK_EQ(HP_Server_GetLastError(s), SE_INVALID_PARAM);
    HP_TcpPackServer_SetPackHeaderFlag(s, FLAG);
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    HP_TcpPackServer_SetMaxPackSize(s, 5);
    CHECK_EQ(HP_TcpPackServer_GetMaxPackSize(s), MAXP);
    HP_TcpPackServer_SetPackHeaderFlag(s, 3);
    CHECK_EQ(HP_TcpPackServer_GetPackHeaderFlag(s), FLAG);
    TCHAR addr[64]; int alen = sizeof addr; USHORT port;
    CHECK(HP_Server_GetListenAddress(s, addr, &alen, &port));
    /* PACK functions refuse other components */
    HP_TcpServerListener pl = Create_HP_TcpServerListener();
    HP_TcpServer plain = Create_HP_TcpServer(pl);
    CHECK_EQ(HP_TcpPackServer_GetMaxPackSize(plain), 0);

    /* a PackClient with the same flag: 1 byte, a middle size and exactly the max */
    HP_TcpPackClientListener cl = Create_HP_TcpPackClientListener();
    HP_Set_FN_Client_OnReceive(cl, c_receive);
    HP_TcpPackClient c = Create_HP_TcpPackClient(cl);
    HP_TcpPackClient_SetMaxPackSize(c, MAXP);
    HP_TcpPackClient_SetPackHeaderFlag(c, FLAG);
    CHECK_EQ(HP_TcpPackClient_GetMaxPackSize(c), MAXP);
    CHECK_EQ(HP_TcpPackClient_GetPackHeaderFlag(c), FLAG);
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    BYTE msg[MAXP + 1];
    for (int i = 0; i <= MAXP; i++) msg[i] = (BYTE)(i * 7 + 1);
    CHECK(HP_Client_Send(c, msg, 1));
    CHECK(HP_Client_Send(c, msg, 500));
    CHECK(HP_Client_Send(c, msg, MAXP));
    CHECK(wait_for(&c_msgs, 3, 5000));
    CHECK_EQ(c_len[0], 1); CHECK_EQ(c_len[1], 500); CHECK_EQ(c_len[2], MAXP);
    CHECK(c_buf_len == MAXP && memcmp(c_buf, msg, MAXP) == 0);
    /* max+1 and empty: refused with EMSGSIZE, nothing sent */
    errno = 0;
    CHECK(!HP_Client_Send(c, msg, MAXP + 1)); CHECK_EQ(errno, EMSGSIZE);
    CHECK(!HP_Client_Send(c, msg, 0));
    /* SendPackets and SendPart are one message each */
    WSABUF bufs[3] = { { 100, msg }, { 200, msg + 100 }, { 300, msg + 300 } };
    CHECK(HP_Client_SendPackets(c, bufs, 3));
    CHECK(wait_for(&c_msgs, 4, 5000));
    CHECK_EQ(c_len[3], 600);
    CHECK(memcmp(c_buf, msg, 600) == 0);
    CHECK(HP_Client_SendPart(c, msg, 300, 10));
    CHECK(wait_for(&c_msgs, 5, 5000));
    CHECK_EQ(c_len[4], 300);
    CHECK(memcmp(c_buf, msg + 10, 300) == 0);
    CHECK_EQ(s_msgs, 5);

    /* a raw socket: a header split over two writes, then 1000 packs in one write */
    int fd = raw_connect(port);
    CHECK(fd >= 0);
    BYTE frame[4 + 10];
    put_header(frame, 10, FLAG); memcpy(frame + 4, "0123456789", 10);
    CHECK_EQ(send(fd, frame, 2, 0), 2);
    sleep_ms(50);
    CHECK_EQ(send(fd, frame + 2, 5, 0), 5);
    sleep_ms(50);
    CHECK_EQ(send(fd, frame + 7, 7, 0), 7);
    BYTE body[MAXP];
    CHECK_EQ(raw_read_msg(fd, body, MAXP), 10);
    CHECK(memcmp(body, "0123456789", 10) == 0);
    static BYTE many[1000 * (4 + 8)];
    for (int i = 0; i < 1000; i++) {
        put_header(many + i * 12, 8, FLAG);
        memcpy(many + i * 12 + 4, &i, sizeof i); memcpy(many + i * 12 + 8, &i, sizeof i);
    }
    long before = s_msgs;
    CHECK_EQ(send(fd, many, sizeof many, 0), (long)sizeof many);
    int in_order = 1;
    for (int i = 0; i < 1000; i++) {
        int k = -1;
        if (raw_read_msg(fd, body, MAXP) != 8) { in_order = 0; break; }
        memcpy(&k, body, sizeof k);
        if (k != i) { in_order = 0; break; }
    }
    CHECK(in_order);
    CHECK_EQ(s_msgs, before + 1000);

    /* bad input closes only that connection: flag mismatch, zero length, max+1 */
    long closes = s_closes;
    put_header(frame, 10, FLAG + 1);
    CHECK_EQ(send(fd, frame, 14, 0), 14);
    CHECK(wait_for(&s_closes, closes + 1, 5000));
    CHECK_EQ(s_last_op, SO_RECEIVE); CHECK_EQ(s_last_err, EBADMSG);
    close(fd);
    fd = raw_connect(port);
    put_header(frame, 0, FLAG);
    CHECK_EQ(send(fd, frame, 4, 0), 4);
    CHECK(wait_for(&s_closes, closes + 2, 5000));
    CHECK_EQ(s_last_op, SO_RECEIVE); CHECK_EQ(s_last_err, EMSGSIZE);
    close(fd);
    fd = raw_connect(port);
    put_header(frame, MAXP + 1, FLAG);
    CHECK_EQ(send(fd, frame, 4, 0), 4); /* refused on the header alone */
    CHECK(wait_for(&s_closes, closes + 3, 5000));
    CHECK_EQ(s_last_err, EMSGSIZE);
    close(fd);
    /* the PackClient's connection is untouched */
    long cm = c_msgs;
    CHECK(HP_Client_Send(c, msg, 77));
    CHECK(wait_for(&c_msgs, cm + 1, 5000));
    CHECK_EQ(c_len[cm], 77);

    /* a receiver with flag 0 accepts any flag; the sender always writes its own */
    HP_TcpPackAgentListener al = Create_HP_TcpPackAgentListener();
    HP_Set_FN_Agent_OnReceive(al, a_receive);
    HP_TcpPackAgent a = Create_HP_TcpPackAgent(al);
    CHECK_EQ(HP_TcpPackAgent_GetMaxPackSize(a), 0x40000);
    HP_TcpPackAgent_SetPackHeaderFlag(a, FLAG);
    CHECK_EQ(HP_TcpPackAgent_GetPackHeaderFlag(a), FLAG);
    HP_TcpPackAgent_SetMaxPackSize(a, MAXP);
    CHECK(HP_Agent_Start(a, NULL, FALSE));
    HP_CONNID aid;
    CHECK(HP_Agent_Connect(a, "127.0.0.1", port, &aid));
    for (int i = 0; i < 10; i++) CHECK(HP_Agent_Send(a, aid, msg, 100 + i));
    CHECK(wait_for(&a_msgs, 10, 5000));
    CHECK(!HP_Agent_Send(a, aid, msg, MAXP + 1));
    CHECK(HP_Agent_Stop(a));

    CHECK(HP_Client_Stop(c));
    CHECK(HP_Server_Stop(s));
    Destroy_HP_TcpPackAgent(a); Destroy_HP_TcpPackAgentListener(al);
    Destroy_HP_TcpPackClient(c); Destroy_HP_TcpPackClientListener(cl);
    Destroy_HP_TcpPackServer(s); Destroy_HP_TcpPackServerListener(sl);
    Destroy_HP_TcpServer(plain); Destroy_HP_TcpServerListener(pl);
    return t_finish("int_tcp_pack");
}
