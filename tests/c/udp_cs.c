/* UdpServer and UdpClient: options and their checks, echo of hundreds of datagrams, OnAccept's
 * peer address, OnSend, the datagram size limit, detect heartbeats (kept up, and a silent peer
 * dropped on both sides), the 16-byte close notification both ways, MaxConnectionCount,
 * OnAccept refusing, IPv6 and dual stack, addresses and extras, Stop inside a callback. Raw BSD
 * sockets play the misbehaving peers. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include "HPSocket4C.h"
#include "testutil.h"
#include "udputil.h"

static const BYTE CLOSE_NOTIFY[16] = {0xBE, 0xB6, 0x1F, 0xEB, 0xDA, 0x52, 0x46, 0xBA, 0x92, 0x33, 0x59, 0xDB, 0xBF, 0xE6, 0xC8, 0xE4};

/* server side */
static volatile long s_accepts, s_recv, s_bytes, s_sent, s_closes, s_close_op, s_close_code, s_shutdowns, s_refuse;
static volatile long s_accept_family, s_accept_port;
/* client side */
static volatile long c_connects, c_recv, c_bytes, c_sent, c_closes, c_close_op, c_close_code, c_stop_in_cb;
static BYTE c_last[2000];
static int c_last_len;

static En_HP_HandleResult __HP_CALL s_on_accept(HP_Server s, HP_CONNID id, UINT_PTR client) {
    (void)s; (void)id;
    const struct sockaddr *sa = (const struct sockaddr *)client;
    s_accept_family = sa->sa_family;
    s_accept_port = sa->sa_family == AF_INET ? ntohs(((const struct sockaddr_in *)sa)->sin_port) : ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
    __atomic_add_fetch(&s_accepts, 1, __ATOMIC_SEQ_CST);
    return s_refuse ? HR_ERROR : HR_OK;
}
static En_HP_HandleResult __HP_CALL s_on_receive(HP_Server s, HP_CONNID id, const BYTE *p, int len) {
    __atomic_add_fetch(&s_bytes, len, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&s_recv, 1, __ATOMIC_SEQ_CST);
    if (len == 5 && memcmp(p, "close", 5) == 0) { HP_Server_Disconnect(s, id, TRUE); return HR_OK; }
    return HP_Server_Send(s, id, p, len) ? HR_OK : HR_ERROR;
}
static En_HP_HandleResult __HP_CALL s_on_send(HP_Server s, HP_CONNID id, const BYTE *p, int len) {
    (void)s; (void)id; (void)p;
    __atomic_add_fetch(&s_sent, len, __ATOMIC_SEQ_CST);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL s_on_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int code) {
    (void)s; (void)id;
    s_close_op = op; s_close_code = code;
    __atomic_add_fetch(&s_closes, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL s_on_shutdown(HP_Server s) { (void)s; __atomic_add_fetch(&s_shutdowns, 1, __ATOMIC_SEQ_CST); return HR_OK; }

static En_HP_HandleResult __HP_CALL c_on_connect(HP_Client c, HP_CONNID id) { (void)c; (void)id; __atomic_add_fetch(&c_connects, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL c_on_receive(HP_Client c, HP_CONNID id, const BYTE *p, int len) {
    (void)id;
    memcpy(c_last, p, (size_t)len);
    c_last_len = len;
    __atomic_add_fetch(&c_bytes, len, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&c_recv, 1, __ATOMIC_SEQ_CST);
    if (len == 4 && memcmp(p, "stop", 4) == 0) { c_stop_in_cb = HP_Client_Stop(c); }
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL c_on_send(HP_Client c, HP_CONNID id, const BYTE *p, int len) {
    (void)c; (void)id; (void)p;
    __atomic_add_fetch(&c_sent, len, __ATOMIC_SEQ_CST);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL c_on_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int code) {
    (void)c; (void)id;
    c_close_op = op; c_close_code = code;
    __atomic_add_fetch(&c_closes, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}

static void reset_counts(void) {
    s_accepts = s_recv = s_bytes = s_sent = s_closes = s_close_op = s_close_code = s_shutdowns = s_refuse = 0;
    c_connects = c_recv = c_bytes = c_sent = c_closes = c_close_op = c_close_code = c_stop_in_cb = 0;
}


int main(void) {
    HP_UdpServerListener sl = Create_HP_UdpServerListener();
    HP_Set_FN_Server_OnAccept(sl, s_on_accept);
    HP_Set_FN_Server_OnReceive(sl, s_on_receive);
    HP_Set_FN_Server_OnSend(sl, s_on_send);
    HP_Set_FN_Server_OnClose(sl, s_on_close);
    HP_Set_FN_Server_OnShutdown(sl, s_on_shutdown);
    HP_UdpClientListener cl = Create_HP_UdpClientListener();
    HP_Set_FN_Client_OnConnect(cl, c_on_connect);
    HP_Set_FN_Client_OnReceive(cl, c_on_receive);
    HP_Set_FN_Client_OnSend(cl, c_on_send);
    HP_Set_FN_Client_OnClose(cl, c_on_close);

    HP_UdpServer s = Create_HP_UdpServer(sl);
    HP_UdpClient c = Create_HP_UdpClient(cl);
    CHECK(s != NULL && c != NULL);
    CHECK(Create_HP_UdpServer(NULL) == NULL);

    /* upstream's defaults */
    CHECK_EQ(HP_UdpServer_GetMaxDatagramSize(s), 1432);
    CHECK_EQ(HP_UdpServer_GetDetectAttempts(s), 3);
    CHECK_EQ(HP_UdpServer_GetDetectInterval(s), 60000);
    CHECK_EQ(HP_UdpServer_GetPostReceiveCount(s), 300);
    HP_UdpServer_SetPostReceiveCount(s, 50);
    CHECK_EQ(HP_UdpServer_GetPostReceiveCount(s), 50);
    HP_UdpServer_SetPostReceiveCount(s, 0); /* Start refuses it */
    CHECK(!HP_Server_Start(s, "127.0.0.1", 0));
    CHECK_EQ(HP_Server_GetLastError(s), SE_INVALID_PARAM);
    HP_UdpServer_SetPostReceiveCount(s, 300);
    CHECK_EQ(HP_UdpClient_GetMaxDatagramSize(c), 1432);
    CHECK_EQ(HP_UdpClient_GetDetectAttempts(c), 3);
    CHECK_EQ(HP_UdpClient_GetDetectInterval(c), 60000);
    CHECK_EQ(HP_Server_GetMaxConnectionCount(s), 10000);
    CHECK(HP_Server_IsDualStack(s));

    /* the UDP families refuse TCP handles and the TCP families refuse UDP ones */
    HP_TcpServerListener tl = Create_HP_TcpServerListener();
    HP_TcpServer ts = Create_HP_TcpServer(tl);
    CHECK_EQ(HP_UdpServer_GetMaxDatagramSize(ts), 0);
    HP_UdpServer_SetMaxDatagramSize(ts, 100);
    CHECK_EQ(HP_TcpServer_GetSocketBufferSize(s), 0);
    CHECK_EQ(HP_TcpServer_GetSocketBufferSize(ts), 4096);
    CHECK_EQ(HP_UdpClient_GetDetectInterval(s), 0); /* a server is not a client */
    CHECK_EQ(HP_UdpServer_GetDetectInterval(NULL), 0);
    Destroy_HP_TcpServer(ts);
    Destroy_HP_TcpServerListener(tl);

    /* Start checks its parameters */
    HP_UdpServer_SetMaxDatagramSize(s, 65537);
    CHECK(!HP_Server_Start(s, "127.0.0.1", 0));
    CHECK_EQ(HP_Server_GetLastError(s), SE_INVALID_PARAM);
    HP_UdpServer_SetMaxDatagramSize(s, 0);
    CHECK(!HP_Server_Start(s, "127.0.0.1", 0));
    HP_UdpServer_SetMaxDatagramSize(s, 1432);
    HP_UdpClient_SetMaxDatagramSize(c, 0);
    CHECK(!HP_Client_Start(c, "127.0.0.1", 9, FALSE));
    CHECK_EQ(HP_Client_GetLastError(c), SE_INVALID_PARAM);
    HP_UdpClient_SetMaxDatagramSize(c, 1432);

    /* ---- echo ---- */
    reset_counts();
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    HP_UdpServer_SetDetectInterval(s, 5); /* ignored while started */
    CHECK_EQ(HP_UdpServer_GetDetectInterval(s), 60000);
    USHORT port = listen_port(s);
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(wait_for(&c_connects, 1, 2000));
    CHECK(wait_for(&s_accepts, 1, 2000)); /* the client's first detect */
    CHECK_EQ(s_accept_family, AF_INET);
    {
        TCHAR a[64]; int n = sizeof a; USHORT lp = 0;
        CHECK(HP_Client_GetLocalAddress(c, a, &n, &lp));
        CHECK_EQ(s_accept_port, lp);
        n = sizeof a;
        CHECK(HP_Client_GetRemoteHost(c, a, &n, &lp));
        CHECK(strcmp(a, "127.0.0.1") == 0);
        CHECK_EQ(lp, port);
    }
    long want = 0;
    BYTE msg[1432];
    for (int i = 0; i < 300; i++) {
        int len = 1 + (i * 37) % 1432;
        memset(msg, (BYTE)i, (size_t)len);
        CHECK(HP_Client_Send(c, msg, len));
        want += len;
        if (i % 50 == 49) wait_for(&c_bytes, want, 2000); /* no loss on loopback when paced */
    }
    CHECK(wait_for(&c_bytes, want, 3000));
    CHECK_EQ(c_bytes, want);
    CHECK_EQ(c_recv, 300);
    CHECK_EQ(s_recv, 300);
    CHECK(wait_for(&s_sent, want, 2000));
    CHECK(wait_for(&c_sent, want, 2000));
    CHECK_EQ(s_accepts, 1);

    /* SendPackets is one datagram; size limits */
    {
        WSABUF parts[3] = {{3, (BYTE *)"abc"}, {0, NULL}, {4, (BYTE *)"defg"}};
        long before = c_recv;
        CHECK(HP_Client_SendPackets(c, parts, 3));
        CHECK(wait_for(&c_recv, before + 1, 2000));
        CHECK_EQ(c_last_len, 7);
        CHECK(memcmp(c_last, "abcdefg", 7) == 0);
        BYTE big[1433] = {0};
        errno = 0;
        CHECK(!HP_Client_Send(c, big, 1433));
        CHECK_EQ(errno, EINVAL); /* as upstream: ERROR_INVALID_PARAMETER */
        CHECK(!HP_Client_Send(c, big, 0));
        WSABUF two[2] = {{1000, big}, {433, big}};
        CHECK(!HP_Client_SendPackets(c, two, 2));
    }

    /* connections, addresses, extra */
    CHECK_EQ(HP_Server_GetConnectionCount(s), 1);
    HP_CONNID ids[4]; DWORD cnt = 4;
    CHECK(HP_Server_GetAllConnectionIDs(s, ids, &cnt));
    CHECK_EQ(cnt, 1);
    HP_CONNID sid = ids[0];
    {
        TCHAR a[64]; int n = sizeof a; USHORT p = 0;
        CHECK(HP_Server_GetRemoteAddress(s, sid, a, &n, &p));
        CHECK(strcmp(a, "127.0.0.1") == 0);
        CHECK_EQ(p, s_accept_port);
        n = sizeof a;
        CHECK(HP_Server_GetLocalAddress(s, sid, a, &n, &p));
        CHECK_EQ(p, port);
        PVOID ex = NULL;
        CHECK(HP_Server_SetConnectionExtra(s, sid, (PVOID)0x77));
        CHECK(HP_Server_GetConnectionExtra(s, sid, &ex));
        CHECK(ex == (PVOID)0x77);
        CHECK(HP_Server_IsConnected(s, sid));
        int pending = -1;
        CHECK(HP_Server_GetPendingDataLength(s, sid, &pending));
        CHECK_EQ(pending, 0);
        DWORD period = 0;
        CHECK(HP_Server_GetSilencePeriod(s, sid, &period));
        errno = 0;
        CHECK(!HP_Server_PauseReceive(s, sid, TRUE)); /* as upstream: not for UDP servers */
        CHECK_EQ(errno, EPERM);
        CHECK(!HP_Server_Send(s, 9999, msg, 1));
        CHECK(!HP_Client_IsSecure(c));
    }

    /* the client pauses: nothing is delivered until it resumes */
    {
        CHECK(HP_Client_PauseReceive(c, TRUE));
        BOOL paused = FALSE;
        CHECK(HP_Client_IsPauseReceive(c, &paused));
        CHECK(paused);
        long before = c_recv;
        CHECK(HP_Client_Send(c, (const BYTE *)"p1", 2));
        CHECK(wait_for(&s_recv, 302, 2000));
        sleep_ms(50);
        CHECK_EQ(c_recv, before);
        CHECK(HP_Client_PauseReceive(c, FALSE));
        CHECK(wait_for(&c_recv, before + 1, 2000));
    }

    /* the server disconnects: both sides see SO_CLOSE 0, the client stops */
    CHECK(HP_Client_Send(c, (const BYTE *)"close", 5));
    CHECK(wait_for(&s_closes, 1, 2000));
    CHECK_EQ(s_close_op, SO_CLOSE);
    CHECK_EQ(s_close_code, 0);
    CHECK(wait_for(&c_closes, 1, 2000));
    CHECK_EQ(c_close_op, SO_CLOSE);
    CHECK_EQ(c_close_code, 0);
    CHECK(HP_Client_Wait(c, 2000));
    CHECK_EQ(HP_Client_GetState(c), SS_STOPPED);
    CHECK_EQ(HP_Server_GetConnectionCount(s), 0);
    CHECK(!HP_Client_Send(c, msg, 1));

    /* the client stops: the server hears the close notification at once */
    reset_counts();
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(wait_for(&s_accepts, 1, 2000));
    CHECK(HP_Client_Stop(c));
    CHECK_EQ(c_closes, 1);
    CHECK_EQ(c_close_op, SO_CLOSE);
    CHECK(wait_for(&s_closes, 1, 2000));
    CHECK_EQ(s_close_op, SO_CLOSE);
    CHECK_EQ(s_close_code, 0);

    /* Stop from inside the client's own callback */
    reset_counts();
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(wait_for(&c_connects, 1, 2000));
    CHECK(HP_Client_Send(c, (const BYTE *)"stop", 4));
    CHECK(wait_for(&c_closes, 1, 2000));
    CHECK(c_stop_in_cb);
    CHECK(HP_Client_Wait(c, 2000));
    CHECK(wait_for(&s_closes, 1, 2000));
    CHECK(HP_Server_Stop(s));
    CHECK_EQ(s_shutdowns, 1);

    /* ---- detection: heartbeats keep a quiet client up; a silent peer is dropped ---- */
    reset_counts();
    HP_UdpServer_SetDetectInterval(s, 150);
    HP_UdpServer_SetDetectAttempts(s, 3);
    HP_UdpClient_SetDetectInterval(c, 100);
    HP_UdpClient_SetDetectAttempts(c, 3);
    CHECK_EQ(HP_UdpServer_GetDetectInterval(s), 150);
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    port = listen_port(s);
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(wait_for(&s_accepts, 1, 2000));
    int peer = raw_peer(port);
    CHECK(send(peer, "x", 1, 0) == 1); /* accepted, then silent */
    CHECK(wait_for(&s_accepts, 2, 2000));
    CHECK(wait_for(&s_closes, 1, 3000)); /* the silent raw peer, after 3-4 intervals */
    sleep_ms(400); /* and the client, whose heartbeats answer for it, stays */
    CHECK_EQ(s_closes, 1);
    CHECK_EQ(s_close_op, SO_CLOSE);
    CHECK_EQ(HP_Server_GetConnectionCount(s), 1);
    CHECK_EQ(c_closes, 0);
    CHECK(HP_Client_IsConnected(c));
    {
        BYTE buf[64];
        int n;
        do n = raw_recv(peer, buf, sizeof buf, 200); while (n == 1); /* the echo of "x" */
        CHECK_EQ(n, 16); /* the close notification sent when dropping it */
        CHECK(n == 16 && memcmp(buf, CLOSE_NOTIFY, 16) == 0);
    }
    close(peer);
    CHECK(HP_Client_Stop(c));

    /* a client whose server never answers closes with SO_CLOSE / ECONNRESET */
    reset_counts();
    {
        USHORT mute_port;
        int mute = raw_bound(&mute_port);
        CHECK(HP_Client_Start(c, "127.0.0.1", mute_port, FALSE));
        BYTE buf[64];
        CHECK_EQ(raw_recv(mute, buf, sizeof buf, 1000), 0); /* the first detect is zero bytes */
        CHECK(wait_for(&c_closes, 1, 2000));
        CHECK_EQ(c_close_op, SO_CLOSE);
        CHECK_EQ(c_close_code, ECONNRESET);
        CHECK(HP_Client_Wait(c, 2000));
        close(mute);
    }

    /* a peer's close notification closes quietly; oversize datagrams close with EMSGSIZE */
    reset_counts();
    {
        int p1 = raw_peer(port);
        CHECK(send(p1, "hello", 5, 0) == 5);
        CHECK(wait_for(&s_recv, 1, 2000));
        CHECK(send(p1, CLOSE_NOTIFY, 16, 0) == 16);
        CHECK(wait_for(&s_closes, 1, 2000));
        CHECK_EQ(s_close_op, SO_CLOSE);
        CHECK_EQ(s_close_code, 0);
        BYTE buf[64];
        CHECK_EQ(raw_recv(p1, buf, sizeof buf, 200), 5); /* the echo, and no notification back */
        CHECK_EQ(raw_recv(p1, buf, sizeof buf, 200), -1);
        close(p1);

        int p2 = raw_peer(port);
        CHECK(send(p2, "a", 1, 0) == 1);
        CHECK(wait_for(&s_recv, 2, 2000));
        BYTE big[3000] = {0};
        CHECK(send(p2, big, sizeof big, 0) == (ssize_t)sizeof big);
        CHECK(wait_for(&s_closes, 2, 2000));
        CHECK_EQ(s_close_op, SO_RECEIVE);
        CHECK_EQ(s_close_code, EMSGSIZE);
        /* a stranger's oversize datagram opens nothing */
        int p3 = raw_peer(port);
        CHECK(send(p3, big, sizeof big, 0) == (ssize_t)sizeof big);
        sleep_ms(50);
        CHECK_EQ(s_accepts, 2);
        close(p2); close(p3);
    }
    CHECK(HP_Server_Stop(s));

    /* MaxConnectionCount: the peer beyond it gets the close notification */
    reset_counts();
    HP_Server_SetMaxConnectionCount(s, 1);
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    port = listen_port(s);
    {
        int p1 = raw_peer(port), p2 = raw_peer(port);
        CHECK(send(p1, "one", 3, 0) == 3);
        CHECK(wait_for(&s_accepts, 1, 2000));
        CHECK(send(p2, "two", 3, 0) == 3);
        BYTE buf[64];
        CHECK_EQ(raw_recv(p2, buf, sizeof buf, 1000), 16);
        CHECK(memcmp(buf, CLOSE_NOTIFY, 16) == 0);
        CHECK_EQ(s_accepts, 1);
        /* Stop notifies the accepted peer */
        CHECK_EQ(raw_recv(p1, buf, sizeof buf, 1000), 3);
        CHECK(HP_Server_Stop(s));
        CHECK_EQ(raw_recv(p1, buf, sizeof buf, 1000), 16);
        CHECK(memcmp(buf, CLOSE_NOTIFY, 16) == 0);
        CHECK_EQ(s_closes, 1);
        CHECK_EQ(s_close_op, SO_CLOSE);
        close(p1); close(p2);
    }
    HP_Server_SetMaxConnectionCount(s, 10000);

    /* OnAccept refusing: no connection, no OnClose */
    reset_counts();
    s_refuse = 1;
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    port = listen_port(s);
    {
        int p1 = raw_peer(port);
        CHECK(send(p1, "no", 2, 0) == 2);
        CHECK(wait_for(&s_accepts, 1, 2000));
        sleep_ms(50);
        CHECK_EQ(s_recv, 0);
        CHECK_EQ(s_closes, 0);
        CHECK_EQ(HP_Server_GetConnectionCount(s), 0);
        close(p1);
    }
    CHECK(HP_Server_Stop(s));

    /* ---- IPv6 and dual stack ---- */
    reset_counts();
    HP_UdpServer_SetDetectInterval(s, 0);
    HP_UdpClient_SetDetectInterval(c, 0);
    if (HP_Server_Start(s, "::1", 0)) {
        port = listen_port(s);
        CHECK(HP_Client_Start(c, "::1", port, FALSE));
        CHECK(HP_Client_Send(c, (const BYTE *)"six", 3));
        CHECK(wait_for(&c_recv, 1, 2000));
        CHECK_EQ(s_accept_family, AF_INET6);
        CHECK(HP_Client_Stop(c));
        CHECK(HP_Server_Stop(s));
    }
    reset_counts();
    CHECK(HP_Server_Start(s, NULL, 0)); /* every address, both families */
    port = listen_port(s);
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(HP_Client_Send(c, (const BYTE *)"four", 4));
    CHECK(wait_for(&c_recv, 1, 2000));
    cnt = 4;
    CHECK(HP_Server_GetAllConnectionIDs(s, ids, &cnt));
    {
        TCHAR a[64]; int n = sizeof a; USHORT p = 0;
        CHECK(HP_Server_GetRemoteAddress(s, ids[0], a, &n, &p));
        CHECK(strcmp(a, "127.0.0.1") == 0);
    }
    /* Destroy while started, with a live connection */
    Destroy_HP_UdpClient(c);
    Destroy_HP_UdpServer(s);
    CHECK_EQ(s_shutdowns, 1);
    Destroy_HP_UdpServerListener(sl);
    Destroy_HP_UdpClientListener(cl);
    return t_finish("udp_cs");
}
