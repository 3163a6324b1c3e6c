/* Events and connection functions of TcpServer / TcpAgent / TcpClient on loopback:
 * HR_ERROR handling, close codes, PauseReceive, OnSend and pending bytes, IPv6 and dual stack,
 * async and sync connect failures, SendSmallFile, Disconnect{Long,Silence}Connections and the
 * periods, ConnectWith* / StartWith* variants, connection ids and remote host. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "HPSocket4C.h"
#include "testutil.h"

/* ---- the server side: records what happens ---- */
static volatile long s_accepts, s_closes, s_bytes, s_sent;
static volatile long s_last_op = -1, s_last_err = -1;
static volatile HP_CONNID s_last_id, s_first_id;
static volatile int s_refuse_accept;   /* OnAccept returns HR_ERROR */

/* the TCP options of the last accepted socket, as OnAccept sees them */
static volatile int s_nodelay = -1, s_keepalive = -1, s_keepidle = -1, s_keepintvl = -1;
static En_HP_HandleResult __HP_CALL s_accept(HP_Server s, HP_CONNID id, UINT_PTR so) {
    (void)s;
    int v; socklen_t vl = sizeof v;
    s_nodelay = getsockopt((int)so, IPPROTO_TCP, TCP_NODELAY, &v, &vl) == 0 ? v : -2;
    vl = sizeof v; s_keepalive = getsockopt((int)so, SOL_SOCKET, SO_KEEPALIVE, &v, &vl) == 0 ? v : -2;
    vl = sizeof v; s_keepidle = getsockopt((int)so, IPPROTO_TCP, TCP_KEEPIDLE, &v, &vl) == 0 ? v : -2;
    vl = sizeof v; s_keepintvl = getsockopt((int)so, IPPROTO_TCP, TCP_KEEPINTVL, &v, &vl) == 0 ? v : -2;
    if (s_first_id == 0) s_first_id = id;
    s_last_id = id;
    __atomic_add_fetch(&s_accepts, 1, __ATOMIC_SEQ_CST);
    return s_refuse_accept ? HR_ERROR : HR_OK;
}
static volatile long s_entry_errno_bad; /* callbacks that started with errno != 0 */
static En_HP_HandleResult __HP_CALL s_receive(HP_Server s, HP_CONNID id, const BYTE *p, int n) {
    (void)s; (void)id;
    if (errno != 0) __atomic_add_fetch(&s_entry_errno_bad, 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&s_bytes, n, __ATOMIC_SEQ_CST);
    if (n >= 3 && memcmp(p, "bye", 3) == 0) return HR_ERROR;
    /* As upstream: the close code is the errno the callback left (ECANCELED when none). */
    if (n >= 3 && memcmp(p, "err", 3) == 0) { errno = EPROTO; return HR_ERROR; }
    errno = EAGAIN; /* left behind on success: must not leak into a later callback or close */
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL s_send(HP_Server s, HP_CONNID id, const BYTE *p, int n) {
    (void)s; (void)id; (void)p;
    __atomic_add_fetch(&s_sent, n, __ATOMIC_SEQ_CST);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL s_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int err) {
    (void)s; (void)id;
    s_last_op = op; s_last_err = err;
    __atomic_add_fetch(&s_closes, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}

/* ---- the client side ---- */
static volatile long c_connects, c_closes, c_bytes;
static volatile long c_last_op = -1, c_last_err = -1;
static BYTE c_data[65536];
static En_HP_HandleResult __HP_CALL c_connect(HP_Client c, HP_CONNID id) { (void)c; (void)id; __atomic_add_fetch(&c_connects, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL c_receive(HP_Client c, HP_CONNID id, const BYTE *p, int n) {
    (void)c; (void)id;
    long at = c_bytes;
    if (at + n <= (long)sizeof(c_data)) memcpy(c_data + at, p, (size_t)n);
    __atomic_add_fetch(&c_bytes, n, __ATOMIC_SEQ_CST);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL c_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int err) {
    (void)c; (void)id; c_last_op = op; c_last_err = err;
    __atomic_add_fetch(&c_closes, 1, __ATOMIC_SEQ_CST); return HR_OK;
}

/* ---- agent ---- */
static volatile long a_connects, a_closes;
static volatile long a_last_op = -1, a_last_err = -1;
static volatile PVOID a_extra_seen;
static volatile int a_refuse_connect;
static En_HP_HandleResult __HP_CALL a_connect(HP_Agent a, HP_CONNID id) {
    PVOID ex = NULL;
    if (HP_Agent_GetConnectionExtra(a, id, &ex)) a_extra_seen = ex;
    __atomic_add_fetch(&a_connects, 1, __ATOMIC_SEQ_CST);
    return a_refuse_connect ? HR_ERROR : HR_OK;
}
static En_HP_HandleResult __HP_CALL a_close(HP_Agent a, HP_CONNID id, En_HP_SocketOperation op, int err) {
    (void)a; (void)id; a_last_op = op; a_last_err = err;
    __atomic_add_fetch(&a_closes, 1, __ATOMIC_SEQ_CST); return HR_OK;
}

static HP_TcpServerListener sl;
static HP_TcpClientListener cl;
static HP_TcpAgentListener al;

static HP_TcpServer new_server(const char *bind, USHORT *port) {
    HP_TcpServer s = Create_HP_TcpServer(sl);
    HP_Server_SetWorkerThreadCount(s, 2);
    if (!HP_Server_Start(s, bind, 0)) { Destroy_HP_TcpServer(s); return NULL; }
    TCHAR addr[64]; int len = sizeof(addr);
    CHECK(HP_Server_GetListenAddress(s, addr, &len, port));
    return s;
}

static long snapshot(volatile long *v) { return __atomic_load_n(v, __ATOMIC_SEQ_CST); }

static void test_close_codes(void) {
    USHORT port;
    HP_TcpServer s = new_server("127.0.0.1", &port);
    CHECK(s != NULL);
    HP_TcpClient c = Create_HP_TcpClient(cl);

    /* ids start at 1 in a fresh server */
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(wait_for(&s_accepts, 1, 5000));
    CHECK_EQ(s_first_id, 1);
    /* the peer's orderly close: SO_CLOSE, 0, as upstream */
    CHECK(HP_Client_Stop(c));
    CHECK(wait_for(&s_closes, 1, 5000));
    CHECK_EQ(s_last_op, SO_CLOSE); CHECK_EQ(s_last_err, 0);

    /* HR_ERROR from OnReceive: SO_RECEIVE, ECANCELED; the client sees the close */
    long cc = snapshot(&c_closes);
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(HP_Client_Send(c, (const BYTE *)"bye", 3));
    CHECK(wait_for(&s_closes, 2, 5000));
    CHECK_EQ(s_last_op, SO_RECEIVE); CHECK_EQ(s_last_err, ECANCELED);
    CHECK(wait_for(&c_closes, cc + 1, 5000));
    CHECK(HP_Client_Wait(c, 5000));
    CHECK_EQ(HP_Client_GetState(c), SS_STOPPED);

    /* HR_ERROR with errno set by the callback: that errno is the close code */
    cc = snapshot(&c_closes);
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(HP_Client_Send(c, (const BYTE *)"err", 3));
    CHECK(wait_for(&s_closes, 3, 5000));
    CHECK_EQ(s_last_op, SO_RECEIVE); CHECK_EQ(s_last_err, EPROTO);
    CHECK(wait_for(&c_closes, cc + 1, 5000));
    CHECK(HP_Client_Wait(c, 5000));
    CHECK_EQ(s_entry_errno_bad, 0); /* every callback started with errno 0, as upstream's */

    /* HR_ERROR from OnAccept: refused without OnClose on the server */
    s_refuse_accept = 1;
    long acc = snapshot(&s_accepts);
    cc = snapshot(&c_closes);
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(wait_for(&s_accepts, acc + 1, 5000));
    CHECK(wait_for(&c_closes, cc + 1, 5000));
    sleep_ms(100);
    CHECK_EQ(s_closes, 3);
    CHECK_EQ(HP_Server_GetConnectionCount(s), 0);
    s_refuse_accept = 0;
    HP_Client_Wait(c, 5000);

    /* Disconnect from the server: the server's OnClose is SO_CLOSE, 0 */
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(wait_for(&s_accepts, acc + 2, 5000));
    cc = snapshot(&c_closes);
    CHECK(HP_Server_Disconnect(s, s_last_id, TRUE));
    CHECK(wait_for(&s_closes, 4, 5000));
    CHECK_EQ(s_last_op, SO_CLOSE); CHECK_EQ(s_last_err, 0);
    CHECK(wait_for(&c_closes, cc + 1, 5000));
    CHECK_EQ(c_last_op, SO_CLOSE); CHECK_EQ(c_last_err, 0);
    CHECK(!HP_Server_Disconnect(s, s_last_id, TRUE)); /* already gone */
    HP_Client_Wait(c, 5000);

    Destroy_HP_TcpClient(c);
    CHECK(HP_Server_Stop(s));
    Destroy_HP_TcpServer(s);
}

static void test_pause_onsend_pending(void) {
    USHORT port;
    HP_TcpServer s = new_server("127.0.0.1", &port);
    HP_TcpClient c = Create_HP_TcpClient(cl);
    long acc = snapshot(&s_accepts);
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(wait_for(&s_accepts, acc + 1, 5000));
    HP_CONNID id = s_last_id;

    /* PauseReceive: nothing arrives while paused, everything after resuming */
    BOOL paused = TRUE;
    CHECK(HP_Server_IsPauseReceive(s, id, &paused)); CHECK(!paused);
    CHECK(HP_Server_PauseReceive(s, id, TRUE));
    CHECK(HP_Server_IsPauseReceive(s, id, &paused)); CHECK(paused);
    long before = snapshot(&s_bytes);
    CHECK(HP_Client_Send(c, (const BYTE *)"0123456789", 10));
    sleep_ms(200);
    CHECK_EQ(s_bytes, before);
    CHECK(HP_Server_PauseReceive(s, id, FALSE));
    CHECK(wait_for(&s_bytes, before + 10, 5000));
    CHECK(!HP_Server_PauseReceive(s, 12345, TRUE));

    /* OnSend reports every byte sent; pending drops to 0 */
    BYTE big[20000]; for (int i = 0; i < 20000; i++) big[i] = (BYTE)(i % 251);
    long sent0 = snapshot(&s_sent), got0 = snapshot(&c_bytes);
    CHECK(HP_Server_Send(s, id, big, 20000));
    CHECK(wait_for(&s_sent, sent0 + 20000, 5000));
    CHECK(wait_for(&c_bytes, got0 + 20000, 5000));
    CHECK(memcmp(c_data + got0, big, 20000) == 0);
    int pending = -1;
    CHECK(HP_Server_GetPendingDataLength(s, id, &pending)); CHECK_EQ(pending, 0);
    CHECK(!HP_Server_GetPendingDataLength(s, 999, &pending));

    /* Periods: connected and silent for at least the time slept */
    sleep_ms(300);
    DWORD period = 0;
    CHECK(HP_Server_GetConnectPeriod(s, id, &period)); CHECK(period >= 250);
    CHECK(HP_Server_GetSilencePeriod(s, id, &period)); CHECK(period >= 250);
    /* a silence threshold above the silence leaves it; one below closes it */
    long closes = snapshot(&s_closes);
    CHECK(HP_Server_DisconnectSilenceConnections(s, 60000, TRUE));
    sleep_ms(100);
    CHECK_EQ(s_closes, closes);
    CHECK(HP_Server_DisconnectSilenceConnections(s, 200, TRUE));
    CHECK(wait_for(&s_closes, closes + 1, 5000));
    CHECK_EQ(s_last_op, SO_CLOSE);
    HP_Client_Wait(c, 5000);

    /* DisconnectLongConnections */
    acc = snapshot(&s_accepts);
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(wait_for(&s_accepts, acc + 1, 5000));
    closes = snapshot(&s_closes);
    CHECK(HP_Server_DisconnectLongConnections(s, 60000, TRUE));
    sleep_ms(100);
    CHECK_EQ(s_closes, closes);
    sleep_ms(200);
    CHECK(HP_Server_DisconnectLongConnections(s, 100, TRUE));
    CHECK(wait_for(&s_closes, closes + 1, 5000));
    HP_Client_Wait(c, 5000);
    Destroy_HP_TcpClient(c);
    CHECK(HP_Server_Stop(s));

    /* without mark-silence there are no silence periods */
    HP_Server_SetMarkSilence(s, FALSE);
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    CHECK(!HP_Server_DisconnectSilenceConnections(s, 1000, TRUE));
    CHECK(HP_Server_Stop(s));
    Destroy_HP_TcpServer(s);
}

static void test_small_file(void) {
    USHORT port;
    HP_TcpServer s = new_server("127.0.0.1", &port);
    HP_TcpClient c = Create_HP_TcpClient(cl);
    long acc = snapshot(&s_accepts);
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(wait_for(&s_accepts, acc + 1, 5000));
    HP_CONNID id = s_last_id;

    char path[] = "/tmp/hpsocket4c-smallfile-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    BYTE body[5000]; for (int i = 0; i < 5000; i++) body[i] = (BYTE)(i * 13);
    CHECK_EQ(write(fd, body, sizeof body), (long)sizeof body);
    close(fd);
    WSABUF head = { 4, (BYTE *)"HEAD" }, tail = { 4, (BYTE *)"TAIL" };
    long got0 = snapshot(&c_bytes);
    CHECK(HP_TcpServer_SendSmallFile(s, id, path, &head, &tail));
    CHECK(wait_for(&c_bytes, got0 + 5008, 5000));
    CHECK(memcmp(c_data + got0, "HEAD", 4) == 0);
    CHECK(memcmp(c_data + got0 + 4, body, 5000) == 0);
    CHECK(memcmp(c_data + got0 + 5004, "TAIL", 4) == 0);
    /* no head or tail */
    CHECK(HP_TcpServer_SendSmallFile(s, id, path, NULL, NULL));
    CHECK(wait_for(&c_bytes, got0 + 10008, 5000));
    unlink(path);
    CHECK(!HP_TcpServer_SendSmallFile(s, id, path, NULL, NULL)); /* gone */
    Destroy_HP_TcpClient(c);
    CHECK(HP_Server_Stop(s));
    Destroy_HP_TcpServer(s);
}

static void test_ipv6_dual_stack(void) {
    USHORT port;
    TCHAR addr[64]; int len; USHORT p2;
    HP_TcpClient c = Create_HP_TcpClient(cl);
    HP_TcpServer s = new_server("::1", &port);
    CHECK(s != NULL);
    if (!s) return;
    long acc = snapshot(&s_accepts);
    CHECK(HP_Client_Start(c, "::1", port, FALSE));
    CHECK(wait_for(&s_accepts, acc + 1, 5000));
    len = sizeof(addr);
    CHECK(HP_Client_GetLocalAddress(c, addr, &len, &p2));
    CHECK(strcmp(addr, "::1") == 0);
    len = sizeof(addr);
    CHECK(HP_Server_GetRemoteAddress(s, s_last_id, addr, &len, &p2));
    CHECK(strcmp(addr, "::1") == 0);
    /* A buffer too small: FALSE, ENOSPC, and the length any IPv6 address needs (46), with the
     * port written, as upstream's sockaddr_IN_2_A. */
    USHORT p3 = 0; len = 3;
    CHECK(!HP_Server_GetRemoteAddress(s, s_last_id, addr, &len, &p3));
    CHECK_EQ(errno, ENOSPC); CHECK_EQ(len, 46); CHECK_EQ(p3, p2);
    HP_Client_Stop(c);
    CHECK(HP_Server_Stop(s));
    Destroy_HP_TcpServer(s);

    /* "::" with dual stack (the default) serves IPv4 clients */
    s = new_server("::", &port);
    CHECK(HP_Server_IsDualStack(s));
    acc = snapshot(&s_accepts);
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(wait_for(&s_accepts, acc + 1, 5000));
    HP_Client_Stop(c);
    CHECK(HP_Server_Stop(s));
    /* without dual stack it does not */
    HP_Server_SetDualStack(s, FALSE);
    CHECK(HP_Server_Start(s, "::", port));
    CHECK(!HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(HP_Client_Start(c, "::1", port, FALSE));
    HP_Client_Stop(c);
    CHECK(HP_Server_Stop(s));
    Destroy_HP_TcpServer(s);
    Destroy_HP_TcpClient(c);
}

static USHORT free_port(void) {
    /* a port nobody listens on: start and stop a server */
    USHORT port;
    HP_TcpServer s = new_server("127.0.0.1", &port);
    HP_Server_Stop(s);
    Destroy_HP_TcpServer(s);
    return port;
}

static void test_agent_connects(void) {
    USHORT port;
    HP_TcpServer s = new_server("127.0.0.1", &port);
    HP_TcpAgent a = Create_HP_TcpAgent(al);
    CHECK(HP_Agent_Start(a, NULL, TRUE));
    HP_CONNID id = 0;
    TCHAR addr[64]; int len; USHORT lport;

    /* async connect to a closed port: OnClose(SO_CONNECT, ECONNREFUSED) */
    USHORT dead = free_port();
    long ac = snapshot(&a_closes);
    CHECK(HP_Agent_Connect(a, "127.0.0.1", dead, &id));
    CHECK(id > 0);
    CHECK(wait_for(&a_closes, ac + 1, 5000));
    CHECK_EQ(a_last_op, SO_CONNECT); CHECK_EQ(a_last_err, ECONNREFUSED);

    /* ConnectWithExtra: the extra is there in OnConnect */
    long acn = snapshot(&a_connects);
    CHECK(HP_Agent_ConnectWithExtra(a, "127.0.0.1", port, &id, (PVOID)0xBEEF));
    CHECK(wait_for(&a_connects, acn + 1, 5000));
    CHECK(a_extra_seen == (PVOID)0xBEEF);

    /* ConnectWithLocalPort / LocalAddress / both with extra */
    USHORT want = free_port();
    CHECK(HP_Agent_ConnectWithLocalPort(a, "127.0.0.1", port, &id, want));
    CHECK(wait_for(&a_connects, acn + 2, 5000));
    len = sizeof(addr);
    CHECK(HP_Agent_GetLocalAddress(a, id, addr, &len, &lport));
    CHECK_EQ(lport, want);
    CHECK(HP_Agent_ConnectWithLocalAddress(a, "127.0.0.1", port, &id, "127.0.0.1"));
    CHECK(wait_for(&a_connects, acn + 3, 5000));
    len = sizeof(addr);
    CHECK(HP_Agent_GetLocalAddress(a, id, addr, &len, &lport));
    CHECK(strcmp(addr, "127.0.0.1") == 0);
    want = free_port();
    CHECK(HP_Agent_ConnectWithExtraAndLocalPort(a, "127.0.0.1", port, &id, (PVOID)7, want));
    CHECK(wait_for(&a_connects, acn + 4, 5000));
    CHECK(a_extra_seen == (PVOID)7);
    len = sizeof(addr);
    CHECK(HP_Agent_GetLocalAddress(a, id, addr, &len, &lport)); CHECK_EQ(lport, want);
    want = free_port();
    CHECK(HP_Agent_ConnectWithExtraAndLocalAddressPort(a, "127.0.0.1", port, &id, (PVOID)8, want, "127.0.0.1"));
    CHECK(wait_for(&a_connects, acn + 5, 5000));
    CHECK(a_extra_seen == (PVOID)8);
    len = sizeof(addr);
    CHECK(HP_Agent_GetLocalAddress(a, id, addr, &len, &lport)); CHECK_EQ(lport, want);

    /* the host name given to Connect is the remote host */
    CHECK(HP_Agent_Connect(a, "localhost", port, &id));
    CHECK(wait_for(&a_connects, acn + 6, 5000));
    len = sizeof(addr);
    CHECK(HP_Agent_GetRemoteHost(a, id, addr, &len, &lport));
    CHECK(strcmp(addr, "localhost") == 0); CHECK_EQ(lport, port);

    /* HR_ERROR from OnConnect drops the connection without OnClose */
    a_refuse_connect = 1;
    ac = snapshot(&a_closes);
    DWORD count = HP_Agent_GetConnectionCount(a);
    CHECK(HP_Agent_Connect(a, "127.0.0.1", port, &id));
    CHECK(wait_for(&a_connects, acn + 7, 5000));
    sleep_ms(100);
    CHECK_EQ(a_closes, ac);
    CHECK_EQ(HP_Agent_GetConnectionCount(a), count);
    a_refuse_connect = 0;
    CHECK(HP_Agent_Stop(a));
    Destroy_HP_TcpAgent(a);

    /* sync agent: a refused connect fails the call */
    a = Create_HP_TcpAgent(al);
    CHECK(HP_Agent_Start(a, "127.0.0.1", FALSE));
    CHECK(!HP_Agent_Connect(a, "127.0.0.1", dead, &id));
    CHECK_EQ(SYS_GetLastError(), ECONNREFUSED); /* as upstream: errno only, GetLastError untouched */
    CHECK_EQ(HP_Agent_GetLastError(a), SE_OK);
    CHECK(HP_Agent_Connect(a, "127.0.0.1", port, &id));
    CHECK(HP_Agent_IsConnected(a, id));
    CHECK(HP_Agent_Stop(a));
    Destroy_HP_TcpAgent(a);

    /* client bind address and local port */
    HP_TcpClient c = Create_HP_TcpClient(cl);
    CHECK(HP_Client_StartWithBindAddress(c, "127.0.0.1", port, FALSE, "127.0.0.1"));
    len = sizeof(addr);
    CHECK(HP_Client_GetLocalAddress(c, addr, &len, &lport));
    CHECK(strcmp(addr, "127.0.0.1") == 0);
    HP_Client_Stop(c);
    want = free_port();
    CHECK(HP_Client_StartWithBindAddressAndLocalPort(c, "127.0.0.1", port, FALSE, "127.0.0.1", want));
    len = sizeof(addr);
    CHECK(HP_Client_GetLocalAddress(c, addr, &len, &lport));
    CHECK_EQ(lport, want);
    len = sizeof(addr);
    CHECK(HP_Client_GetRemoteHost(c, addr, &len, &lport));
    CHECK_EQ(lport, port);
    HP_Client_Stop(c);
    /* async client connect to a closed port: OnClose(SO_CLOSE, ECONNREFUSED), as upstream's client, then stopped */
    long cc = snapshot(&c_closes);
    CHECK(HP_Client_Start(c, "127.0.0.1", dead, TRUE));
    CHECK(wait_for(&c_closes, cc + 1, 5000));
    CHECK_EQ(c_last_op, SO_CLOSE); CHECK_EQ(c_last_err, ECONNREFUSED);
    CHECK(HP_Client_Wait(c, 5000));
    CHECK_EQ(HP_Client_GetState(c), SS_STOPPED);
    Destroy_HP_TcpClient(c);
    CHECK(HP_Server_Stop(s));
    Destroy_HP_TcpServer(s);
}

/* PauseReceive from inside OnReceive stops delivery at once, also in the middle of one large read
 * (the library reads up to 64 KiB and hands it on in SocketBufferSize pieces): what was read and
 * not yet delivered waits until the resume, then arrives first, in order, in pieces of at most
 * SocketBufferSize. */
static volatile long p_bytes, p_calls, p_big, p_bad_order, p_pause_now;
static HP_CONNID p_id;
static En_HP_HandleResult __HP_CALL p_receive(HP_Server s, HP_CONNID id, const BYTE *p, int n) {
    if (n > 1024) __atomic_add_fetch(&p_big, 1, __ATOMIC_SEQ_CST);
    long at = __atomic_load_n(&p_bytes, __ATOMIC_SEQ_CST);
    for (int i = 0; i < n; i++)
        if (p[i] != (BYTE)((at + i) % 251)) { __atomic_add_fetch(&p_bad_order, 1, __ATOMIC_SEQ_CST); break; }
    __atomic_add_fetch(&p_bytes, n, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&p_calls, 1, __ATOMIC_SEQ_CST);
    p_id = id;
    if (__atomic_exchange_n(&p_pause_now, 0, __ATOMIC_SEQ_CST)) HP_Server_PauseReceive(s, id, TRUE);
    return HR_OK;
}
static void test_pause_inside_receive(void) {
    HP_TcpServerListener l = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnReceive(l, p_receive);
    HP_TcpServer s = Create_HP_TcpServer(l);
    HP_TcpServer_SetSocketBufferSize(s, 1024);
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    TCHAR addr[64]; int len = sizeof(addr); USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(s, addr, &len, &port));
    /* A plain socket sends 48 KiB before the server reads any of it. */
    enum { TOTAL = 48 * 1024 };
    static BYTE data[TOTAL];
    for (int i = 0; i < TOTAL; i++) data[i] = (BYTE)(i % 251);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    p_pause_now = 1;
    CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    CHECK(send(fd, data, TOTAL, 0) == TOTAL);
    CHECK(wait_for(&p_calls, 1, 5000));
    sleep_ms(300);
    /* Paused inside the first OnReceive: nothing more arrived. */
    CHECK_EQ(p_calls, 1);
    CHECK(p_bytes <= 1024);
    BOOL paused = FALSE;
    CHECK(HP_Server_IsPauseReceive(s, p_id, &paused)); CHECK(paused);
    CHECK(HP_Server_PauseReceive(s, p_id, FALSE));
    CHECK(wait_for(&p_bytes, TOTAL, 5000));
    CHECK_EQ(p_bytes, TOTAL);
    CHECK_EQ(p_big, 0);
    CHECK_EQ(p_bad_order, 0);
    close(fd);
    CHECK(HP_Server_Stop(s));
    Destroy_HP_TcpServer(s);
    Destroy_HP_TcpServerListener(l);
}

/* Sends from one application thread, on a connection that then closes, and on the same id of a
 * new server made after the first is destroyed (the library caches a thread's connections). */
static void test_send_after_close_and_reuse(void) {
    USHORT port;
    HP_TcpServer s = new_server("127.0.0.1", &port);
    HP_TcpClient c = Create_HP_TcpClient(cl);
    long acc = snapshot(&s_accepts), cls = snapshot(&s_closes);
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(wait_for(&s_accepts, acc + 1, 5000));
    HP_CONNID id = s_last_id;
    long got0 = snapshot(&c_bytes);
    for (int i = 0; i < 3; i++) CHECK(HP_Server_Send(s, id, (const BYTE *)"abc", 3));
    CHECK(wait_for(&c_bytes, got0 + 9, 5000));
    CHECK(HP_Client_Stop(c));
    CHECK(wait_for(&s_closes, cls + 1, 5000));
    errno = 0;
    CHECK(!HP_Server_Send(s, id, (const BYTE *)"abc", 3));
    CHECK_EQ(SYS_GetLastError(), EBADSLT);
    Destroy_HP_TcpServer(s);

    /* a fresh server numbers its connections from 1 again */
    s = new_server("127.0.0.1", &port);
    acc = snapshot(&s_accepts);
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(wait_for(&s_accepts, acc + 1, 5000));
    CHECK_EQ(s_last_id, 1);
    got0 = snapshot(&c_bytes);
    CHECK(HP_Server_Send(s, s_last_id, (const BYTE *)"xyz", 3));
    CHECK(wait_for(&c_bytes, got0 + 3, 5000));
    CHECK(memcmp(c_data + got0, "xyz", 3) == 0);
    HP_Client_Stop(c);
    Destroy_HP_TcpClient(c);
    Destroy_HP_TcpServer(s);
}

/* Streams of small Sends from application threads (stream mode, see src/engine/send.rs): a
 * TcpClient's connection to a plain socket reader; three threads each send STREAM_MSGS messages
 * of 100 bytes (thread, sequence number) as fast as they can. Every byte arrives, each thread's
 * messages in order, and the last batch (less than the 64 KiB that wakes the worker) arrives
 * with no Send after it: the worker's stream timer writes it. The reader's TCP_INFO segment
 * count is printed (not asserted: it depends on the machine's speed). */
#define STREAM_THREADS 3
#define STREAM_MSGS 20000
#define STREAM_LEN 100
/* A plain listening socket on 127.0.0.1 with a kernel-chosen port, written to *port. */
static int plain_listener(USHORT *port) {
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    CHECK(bind(ls, (struct sockaddr *)&a, sizeof a) == 0 && listen(ls, 4) == 0);
    CHECK(getsockname(ls, (struct sockaddr *)&a, &len) == 0);
    *port = ntohs(a.sin_port);
    return ls;
}
static HP_TcpClient stream_client;
static volatile long stream_failed;
static void *stream_sender(void *arg) {
    long t = (long)arg;
    BYTE m[STREAM_LEN];
    memset(m, 'x', sizeof m);
    for (long i = 0; i < STREAM_MSGS; i++) {
        m[0] = (BYTE)t;
        memcpy(m + 1, &i, sizeof i);
        if (!HP_Client_Send(stream_client, m, STREAM_LEN)) __atomic_add_fetch(&stream_failed, 1, __ATOMIC_SEQ_CST);
    }
    return NULL;
}
static void test_send_stream_from_threads(void) {
    USHORT port;
    int ls = plain_listener(&port);
    stream_client = Create_HP_TcpClient(cl);
    CHECK(HP_Client_Start(stream_client, "127.0.0.1", port, FALSE));
    int fd = accept(ls, NULL, NULL);
    CHECK(fd >= 0);
    struct timeval tv = {20, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    pthread_t th[STREAM_THREADS];
    for (long t = 0; t < STREAM_THREADS; t++) pthread_create(&th[t], NULL, stream_sender, (void *)t);
    const long total = (long)STREAM_THREADS * STREAM_MSGS * STREAM_LEN;
    BYTE *got = (BYTE *)malloc((size_t)total);
    long n = 0;
    while (n < total) {
        ssize_t r = recv(fd, got + n, (size_t)(total - n), 0);
        if (r <= 0) break;
        n += r;
    }
    for (int t = 0; t < STREAM_THREADS; t++) pthread_join(th[t], NULL);
    CHECK_EQ(stream_failed, 0);
    CHECK_EQ(n, total);
    long next[STREAM_THREADS] = {0}, bad = 0;
    for (long off = 0; off + STREAM_LEN <= n; off += STREAM_LEN) {
        long i, t = got[off];
        memcpy(&i, got + off + 1, sizeof i);
        if (t < 0 || t >= STREAM_THREADS || i != next[t]) { bad++; break; }
        next[t]++;
    }
    CHECK_EQ(bad, 0);
    /* tcpi_segs_in (Linux 4.2) sits at byte 140 of the kernel's tcp_info; glibc's struct
     * stops before it. */
    unsigned char ti[256]; socklen_t til = sizeof ti; unsigned segs;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &til) == 0 && til >= 144) {
        memcpy(&segs, ti + 140, sizeof segs);
        printf("send stream: %d x %d sends of %d B arrived in %u segments\n", STREAM_THREADS, STREAM_MSGS, STREAM_LEN, segs);
    }
    free(got);
    HP_Client_Stop(stream_client);
    Destroy_HP_TcpClient(stream_client);
    close(fd);
    close(ls);
}

/* The tail of a stream that no Send wakes the worker for: a one-worker agent with connections
 * A and B to plain sockets. While the worker is held inside B's OnReceive, 50 Sends on A
 * gather; the worker's flush then finds them and puts A in stream mode, where a Send wakes it
 * only once 64 KiB are queued. A trickle of 30 more Sends, 100 µs apart, follows: they reach
 * the peer only through the worker's stream timer (on a machine too loaded for 100 µs sleeps
 * they go out directly instead, and the test still passes). */
static volatile long hold_entered, hold_left;
static volatile HP_CONNID hold_conn;
static En_HP_HandleResult __HP_CALL hold_receive(HP_Agent a, HP_CONNID id, const BYTE *p, int n) {
    (void)a; (void)p; (void)n;
    if (id == hold_conn) {
        __atomic_store_n(&hold_entered, 1, __ATOMIC_SEQ_CST);
        usleep(200 * 1000);
        __atomic_store_n(&hold_left, 1, __ATOMIC_SEQ_CST);
    }
    return HR_OK;
}
static int accept_one(int ls) {
    int fd = accept(ls, NULL, NULL);
    struct timeval tv = {10, 0};
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}
static void test_send_stream_tail(void) {
    USHORT port;
    int ls = plain_listener(&port);
    HP_TcpAgentListener hl = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnReceive(hl, hold_receive);
    HP_TcpAgent a = Create_HP_TcpAgent(hl);
    HP_Agent_SetWorkerThreadCount(a, 1);
    CHECK(HP_Agent_Start(a, "127.0.0.1", FALSE));
    HP_CONNID ida = 0, idb = 0;
    CHECK(HP_Agent_Connect(a, "127.0.0.1", port, &ida));
    int fa = accept_one(ls);
    CHECK(HP_Agent_Connect(a, "127.0.0.1", port, &idb));
    int fb = accept_one(ls);
    CHECK(fa >= 0 && fb >= 0);
    hold_conn = idb;
    CHECK(write(fb, "x", 1) == 1);
    CHECK(wait_for(&hold_entered, 1, 5000));
    BYTE m[100];
    int sent = 0;
    for (; sent < 50; sent++) {
        memset(m, 'a' + sent % 26, sizeof m);
        CHECK(HP_Agent_Send(a, ida, m, sizeof m));
    }
    CHECK(wait_for(&hold_left, 1, 5000));
    for (; sent < 80; sent++) {
        usleep(100);
        memset(m, 'a' + sent % 26, sizeof m);
        CHECK(HP_Agent_Send(a, ida, m, sizeof m));
    }
    BYTE got[8000];
    long n = 0;
    while (n < (long)sizeof got) {
        ssize_t r = recv(fa, got + n, sizeof got - (size_t)n, 0);
        if (r <= 0) break;
        n += r;
    }
    CHECK_EQ(n, 8000);
    long bad = 0;
    for (long i = 0; i < n; i++) bad += got[i] != 'a' + (i / 100) % 26;
    CHECK_EQ(bad, 0);
    HP_Agent_Stop(a);
    Destroy_HP_TcpAgent(a);
    Destroy_HP_TcpAgentListener(hl);
    close(fa); close(fb); close(ls);
}

/* Every accepted connection has the server's NoDelay and keep-alive options (the library sets
 * them on the listener, which Linux's accepted sockets inherit): defaults, then others. */
static void test_accepted_socket_options(void) {
    for (int round = 0; round < 2; round++) {
        HP_TcpServer s = Create_HP_TcpServer(sl);
        HP_Server_SetWorkerThreadCount(s, 2);
        if (round == 1) {
            HP_TcpServer_SetNoDelay(s, TRUE);
            HP_TcpServer_SetKeepAliveTime(s, 30000);
            HP_TcpServer_SetKeepAliveInterval(s, 7000);
        }
        CHECK(HP_Server_Start(s, "127.0.0.1", 0));
        TCHAR addr[64]; int len = sizeof(addr); USHORT port;
        CHECK(HP_Server_GetListenAddress(s, addr, &len, &port));
        HP_TcpClient c = Create_HP_TcpClient(cl);
        for (int k = 0; k < 3; k++) {
            long acc = snapshot(&s_accepts);
            s_nodelay = s_keepalive = s_keepidle = s_keepintvl = -1;
            CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
            CHECK(wait_for(&s_accepts, acc + 1, 5000));
            CHECK_EQ(s_nodelay, round == 1 ? 1 : 0);
            CHECK_EQ(s_keepalive, 1);
            CHECK_EQ(s_keepidle, round == 1 ? 30 : 60);      /* upstream's default: 60 s */
            CHECK_EQ(s_keepintvl, round == 1 ? 7 : 20);      /* upstream's default: 20 s */
            CHECK(HP_Client_Stop(c));
        }
        Destroy_HP_TcpClient(c);
        Destroy_HP_TcpServer(s);
    }
}

/* The push after a worker's batch (NoDelay off: Nagle on) turns TCP_NODELAY on and off again; a
 * socket the application set TCP_NODELAY on itself in OnAccept keeps it. An echo server with
 * SocketBufferSize 1 KiB, so that 64 KiB bursts are wide reads whose replies gather and leave in
 * the worker's batch write; a last one-byte round trip makes sure that write's push is over. */
static volatile int nd_so = -1;
static En_HP_HandleResult __HP_CALL nd_accept(HP_Server s, HP_CONNID id, UINT_PTR so) {
    (void)s; (void)id;
    int one = 1;
    setsockopt((int)so, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    nd_so = (int)so;
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL nd_echo(HP_Server s, HP_CONNID id, const BYTE *p, int n) {
    return HP_Server_Send(s, id, p, n) ? HR_OK : HR_ERROR;
}
static void test_nodelay_set_in_accept_stays(void) {
    HP_TcpServerListener l = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnAccept(l, nd_accept);
    HP_Set_FN_Server_OnReceive(l, nd_echo);
    HP_TcpServer s = Create_HP_TcpServer(l);
    HP_Server_SetWorkerThreadCount(s, 1);
    HP_TcpServer_SetSocketBufferSize(s, 1024);
    CHECK(!HP_TcpServer_IsNoDelay(s));
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    TCHAR addr[64]; int alen = sizeof(addr); USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(s, addr, &alen, &port));
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {10, 0};
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    CHECK(connect(c, (struct sockaddr *)&a, sizeof a) == 0);
    static char out[65536], in[65536];
    memset(out, 'n', sizeof out);
    int ok = 1;
    for (int round = 0; round < 4 && ok; round++) {
        ok = write(c, out, sizeof out) == (ssize_t)sizeof out;
        size_t got = 0;
        while (ok && got < sizeof in) {
            ssize_t r = read(c, in + got, sizeof in - got);
            if (r <= 0) ok = 0; else got += (size_t)r;
        }
    }
    CHECK(ok);
    char b = 'z';
    CHECK(write(c, &b, 1) == 1 && read(c, &b, 1) == 1 && b == 'z');
    CHECK(nd_so >= 0);
    int v = -1; socklen_t vl = sizeof v;
    CHECK(getsockopt(nd_so, IPPROTO_TCP, TCP_NODELAY, &v, &vl) == 0);
    CHECK_EQ(v, 1);
    close(c);
    HP_Server_Stop(s);
    Destroy_HP_TcpServer(s);
    Destroy_HP_TcpServerListener(l);
}

int main(void) {
    sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnAccept(sl, s_accept);
    HP_Set_FN_Server_OnReceive(sl, s_receive);
    HP_Set_FN_Server_OnSend(sl, s_send);
    HP_Set_FN_Server_OnClose(sl, s_close);
    cl = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnConnect(cl, c_connect);
    HP_Set_FN_Client_OnReceive(cl, c_receive);
    HP_Set_FN_Client_OnClose(cl, c_close);
    al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnConnect(al, a_connect);
    HP_Set_FN_Agent_OnClose(al, a_close);

    test_close_codes();
    test_send_after_close_and_reuse();
    test_send_stream_from_threads();
    test_send_stream_tail();
    test_nodelay_set_in_accept_stays();
    test_accepted_socket_options();
    test_pause_onsend_pending();
    test_pause_inside_receive();
    test_small_file();
    test_ipv6_dual_stack();
    test_agent_connects();

    Destroy_HP_TcpServerListener(sl);
    Destroy_HP_TcpClientListener(cl);
    Destroy_HP_TcpAgentListener(al);
    return t_finish("int_tcp_events");
}
