/* Failure paths as upstream's sources take them: which events fire on a failed Start, which
 * error `GetLastError` and errno report, and that calls other than Start and Stop leave
 * `GetLastError` alone (upstream sets only errno there). */
#include "../../include/HPSocket4C.h"
#include "testutil.h"
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static volatile long s_prepare, s_shutdown;
static volatile int s_refuse_prepare;

static En_HP_HandleResult __HP_CALL s_prepare_listen(HP_Server s, UINT_PTR so) {
    (void)s; (void)so;
    __atomic_add_fetch(&s_prepare, 1, __ATOMIC_SEQ_CST);
    if (s_refuse_prepare == 2) errno = EACCES; /* the errno left is the Start's error */
    return s_refuse_prepare ? HR_ERROR : HR_OK;
}
static En_HP_HandleResult __HP_CALL s_on_shutdown(HP_Server s) {
    (void)s;
    __atomic_add_fetch(&s_shutdown, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}

static volatile long c_connects, c_closes;
static volatile int c_refuse;
static En_HP_HandleResult __HP_CALL c_on_connect(HP_Client c, HP_CONNID id) {
    (void)c; (void)id;
    __atomic_add_fetch(&c_connects, 1, __ATOMIC_SEQ_CST);
    if (c_refuse == 2) errno = ENETDOWN;
    return c_refuse ? HR_ERROR : HR_OK;
}
static En_HP_HandleResult __HP_CALL c_on_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int e) {
    (void)c; (void)id; (void)op; (void)e;
    __atomic_add_fetch(&c_closes, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL a_on_connect(HP_Agent a, HP_CONNID id) {
    (void)a; (void)id;
    __atomic_add_fetch(&c_connects, 1, __ATOMIC_SEQ_CST);
    if (c_refuse == 2) errno = ENETDOWN;
    return c_refuse ? HR_ERROR : HR_OK;
}

static volatile long h_handshakes, h_closes;
static En_HP_HandleResult __HP_CALL h_on_handshake(HP_Server s, HP_CONNID id) {
    (void)s; (void)id;
    __atomic_add_fetch(&h_handshakes, 1, __ATOMIC_SEQ_CST);
    return HR_ERROR;
}
static En_HP_HandleResult __HP_CALL h_on_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int e) {
    (void)s; (void)id; (void)op; (void)e;
    __atomic_add_fetch(&h_closes, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}

static volatile long n_prepare, n_shutdown;
static En_HP_HandleResult __HP_CALL n_prepare_listen(HP_UdpNode n, UINT_PTR so) {
    (void)n; (void)so;
    __atomic_add_fetch(&n_prepare, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL n_on_shutdown(HP_UdpNode n) {
    (void)n;
    __atomic_add_fetch(&n_shutdown, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}

static void test_server(void) {
    HP_TcpServerListener l = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnPrepareListen(l, s_prepare_listen);
    HP_Set_FN_Server_OnShutdown(l, s_on_shutdown);
    HP_TcpServer a = Create_HP_TcpServer(l);
    CHECK(HP_Server_Start(a, "127.0.0.1", 0));
    CHECK_EQ(s_prepare, 1);
    TCHAR addr[64]; int len = 64; USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(a, addr, &len, &port));

    /* A second server on the same port: the bind fails before OnPrepareListen, and the failed
     * Start runs Stop, which raises OnShutdown. */
    HP_TcpServer b = Create_HP_TcpServer(l);
    HP_Server_SetReuseAddressPolicy(b, RAP_NONE);
    CHECK(!HP_Server_Start(b, "127.0.0.1", port));
    CHECK_EQ(SYS_GetLastError(), EADDRINUSE);
    CHECK_EQ(HP_Server_GetLastError(b), SE_SOCKET_BIND);
    CHECK_EQ(s_prepare, 1);
    CHECK_EQ(s_shutdown, 1);
    CHECK_EQ(HP_Server_GetState(b), SS_STOPPED);

    /* A bad bind address: SE_SOCKET_CREATE, and the same Stop. */
    CHECK(!HP_Server_Start(b, "no-such-address", 0));
    CHECK_EQ(HP_Server_GetLastError(b), SE_SOCKET_CREATE);
    CHECK_EQ(s_shutdown, 2);

    /* OnPrepareListen refusing: SE_SOCKET_PREPARE, ECANCELED, OnShutdown. */
    s_refuse_prepare = 1;
    CHECK(!HP_Server_Start(b, "127.0.0.1", 0));
    s_refuse_prepare = 0;
    CHECK_EQ(HP_Server_GetLastError(b), SE_SOCKET_PREPARE);
    CHECK_EQ(SYS_GetLastError(), ECANCELED);
    CHECK_EQ(s_prepare, 2);
    CHECK_EQ(s_shutdown, 3);
    s_refuse_prepare = 2;
    CHECK(!HP_Server_Start(b, "127.0.0.1", 0));
    s_refuse_prepare = 0;
    CHECK_EQ(HP_Server_GetLastError(b), SE_SOCKET_PREPARE);
    CHECK_EQ(SYS_GetLastError(), EACCES);
    CHECK_EQ(s_shutdown, 4);
    Destroy_HP_TcpServer(b);

    /* Unknown connection ids: errno EBADSLT (ERROR_OBJECT_NOT_FOUND); GetLastError untouched. */
    CHECK_EQ(HP_Server_GetLastError(a), SE_OK);
    CHECK(!HP_Server_Send(a, 4242, (const BYTE *)"x", 1));
    CHECK_EQ(SYS_GetLastError(), EBADSLT);
    CHECK(!HP_Server_Disconnect(a, 4242, TRUE));
    CHECK_EQ(SYS_GetLastError(), EBADSLT);
    WSABUF none[1] = { { 0, NULL } };
    CHECK(!HP_Server_SendPackets(a, 4242, none, 0));
    CHECK_EQ(SYS_GetLastError(), EBADSLT);
    CHECK_EQ(HP_Server_GetLastError(a), SE_OK);

    /* Wrong state: ERROR_INVALID_STATE is EPERM. */
    CHECK(!HP_Server_Start(a, "127.0.0.1", 0));
    CHECK_EQ(HP_Server_GetLastError(a), SE_ILLEGAL_STATE);
    CHECK_EQ(SYS_GetLastError(), EPERM);
    CHECK(HP_Server_Stop(a));
    CHECK_EQ(s_shutdown, 5);
    CHECK(!HP_Server_Stop(a));
    CHECK_EQ(SYS_GetLastError(), EPERM);
    CHECK_EQ(s_shutdown, 5);
    Destroy_HP_TcpServer(a);
    Destroy_HP_TcpServerListener(l);
}

static void test_client_agent(void) {
    USHORT dead;
    { /* a port nobody listens on */
        HP_TcpServerListener l = Create_HP_TcpServerListener();
        HP_TcpServer s = Create_HP_TcpServer(l);
        CHECK(HP_Server_Start(s, "127.0.0.1", 0));
        TCHAR addr[64]; int len = 64;
        CHECK(HP_Server_GetListenAddress(s, addr, &len, &dead));
        CHECK(HP_Server_Stop(s));
        Destroy_HP_TcpServer(s);
        Destroy_HP_TcpServerListener(l);
    }
    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_TcpClient c = Create_HP_TcpClient(cl);
    CHECK(!HP_Client_Send(c, (const BYTE *)"x", 1));
    CHECK_EQ(SYS_GetLastError(), EPERM);
    CHECK(!HP_Client_Start(c, "127.0.0.1", dead, FALSE));
    CHECK_EQ(HP_Client_GetLastError(c), SE_CONNECT_SERVER);
    CHECK_EQ(SYS_GetLastError(), ECONNREFUSED);
    CHECK(!HP_Client_Stop(c));
    CHECK_EQ(SYS_GetLastError(), EPERM);
    Destroy_HP_TcpClient(c);
    Destroy_HP_TcpClientListener(cl);

    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_TcpAgent a = Create_HP_TcpAgent(al);
    HP_CONNID id = 0;
    CHECK(!HP_Agent_Connect(a, "127.0.0.1", dead, &id));
    CHECK_EQ(SYS_GetLastError(), EPERM);
    CHECK(HP_Agent_Start(a, "127.0.0.1", FALSE));
    CHECK(!HP_Agent_Send(a, 4242, (const BYTE *)"x", 1));
    CHECK_EQ(SYS_GetLastError(), EBADSLT);
    CHECK_EQ(HP_Agent_GetLastError(a), SE_OK);
    CHECK(HP_Agent_Stop(a));
    CHECK(!HP_Agent_Stop(a));
    CHECK_EQ(SYS_GetLastError(), EPERM);
    Destroy_HP_TcpAgent(a);
    Destroy_HP_TcpAgentListener(al);
}

/* A synchronous connect returns after OnConnect has run (as upstream, which raises it inside the
 * call); OnConnect's HR_ERROR fails the call with ECANCELED and no OnClose. */
static void test_sync_connect(void) {
    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_TcpServer s = Create_HP_TcpServer(sl);
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    TCHAR addr[64]; int len = 64; USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(s, addr, &len, &port));
    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnConnect(cl, c_on_connect);
    HP_Set_FN_Client_OnClose(cl, c_on_close);
    HP_TcpClient c = Create_HP_TcpClient(cl);
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK_EQ(__atomic_load_n(&c_connects, __ATOMIC_SEQ_CST), 1); /* already, no waiting */
    CHECK(HP_Client_Stop(c));
    c_refuse = 1;
    CHECK(!HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK_EQ(SYS_GetLastError(), ECANCELED);
    CHECK_EQ(__atomic_load_n(&c_connects, __ATOMIC_SEQ_CST), 2);
    /* The errno OnConnect left is the call's error, as upstream's ENSURE_ERROR_CANCELLED. */
    c_refuse = 2;
    CHECK(!HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK_EQ(SYS_GetLastError(), ENETDOWN);
    c_refuse = 1;
    __atomic_sub_fetch(&c_connects, 1, __ATOMIC_SEQ_CST);
    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnConnect(al, a_on_connect);
    HP_TcpAgent a = Create_HP_TcpAgent(al);
    CHECK(HP_Agent_Start(a, "127.0.0.1", FALSE));
    HP_CONNID id = 0;
    CHECK(!HP_Agent_Connect(a, "127.0.0.1", port, &id));
    CHECK_EQ(SYS_GetLastError(), ECANCELED);
    CHECK_EQ(__atomic_load_n(&c_connects, __ATOMIC_SEQ_CST), 3);
    c_refuse = 2;
    CHECK(!HP_Agent_Connect(a, "127.0.0.1", port, &id));
    CHECK_EQ(SYS_GetLastError(), ENETDOWN);
    c_refuse = 1;
    __atomic_sub_fetch(&c_connects, 1, __ATOMIC_SEQ_CST);
    c_refuse = 0;
    CHECK(HP_Agent_Connect(a, "127.0.0.1", port, &id));
    CHECK_EQ(__atomic_load_n(&c_connects, __ATOMIC_SEQ_CST), 4);
    /* A connect that fails before its socket is bound has no id: *pdwConnID is 0 and the next
     * connection gets the next id, as upstream (which takes the id in PrepareConnect). */
    HP_CONNID first = id, none = 777;
    CHECK(!HP_Agent_ConnectWithLocalAddress(a, "127.0.0.1", port, &none, "192.0.2.1"));
    CHECK_EQ(SYS_GetLastError(), EADDRNOTAVAIL);
    CHECK_EQ(none, 0);
    CHECK(HP_Agent_Connect(a, "127.0.0.1", port, &id));
    CHECK_EQ(id, first + 1);
    /* A stopped agent: 0 as well. */
    HP_TcpAgent idle = Create_HP_TcpAgent(al);
    none = 777;
    CHECK(!HP_Agent_Connect(idle, "127.0.0.1", port, &none));
    CHECK_EQ(SYS_GetLastError(), EPERM);
    CHECK_EQ(none, 0);
    Destroy_HP_TcpAgent(idle);
    CHECK(HP_Agent_Stop(a));
    /* A UdpClient's Start, too, returns after its OnConnect (upstream raises it inside Start). */
    HP_UdpServerListener ul = Create_HP_UdpServerListener();
    HP_UdpServer us = Create_HP_UdpServer(ul);
    CHECK(HP_Server_Start(us, "127.0.0.1", 0));
    USHORT uport = 0; len = 64;
    CHECK(HP_Server_GetListenAddress(us, addr, &len, &uport));
    HP_UdpClientListener ucl = Create_HP_UdpClientListener();
    HP_Set_FN_Client_OnConnect(ucl, c_on_connect);
    HP_UdpClient uc = Create_HP_UdpClient(ucl);
    CHECK(HP_Client_Start(uc, "127.0.0.1", uport, FALSE));
    CHECK_EQ(__atomic_load_n(&c_connects, __ATOMIC_SEQ_CST), 6);
    CHECK(HP_Client_Stop(uc));
    c_refuse = 1;
    CHECK(!HP_Client_Start(uc, "127.0.0.1", uport, FALSE));
    CHECK_EQ(SYS_GetLastError(), ECANCELED);
    c_refuse = 0;
    Destroy_HP_UdpClient(uc);
    Destroy_HP_UdpClientListener(ucl);
    CHECK(HP_Server_Stop(us));
    Destroy_HP_UdpServer(us);
    Destroy_HP_UdpServerListener(ul);
    sleep_ms(100);
    CHECK_EQ(c_closes, 1); /* only the first, accepted client connection's */
    Destroy_HP_TcpAgent(a);
    Destroy_HP_TcpAgentListener(al);
    Destroy_HP_TcpClient(c);
    Destroy_HP_TcpClientListener(cl);
    CHECK(HP_Server_Stop(s));
    Destroy_HP_TcpServer(s);
    Destroy_HP_TcpServerListener(sl);
}

/* OnHandShake returning HR_ERROR drops the connection without OnClose, as upstream's (which
 * counts the handshake as part of accepting). */
static void test_handshake_refused(void) {
    HP_TcpServerListener l = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnHandShake(l, h_on_handshake);
    HP_Set_FN_Server_OnClose(l, h_on_close);
    HP_TcpServer s = Create_HP_TcpServer(l);
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    TCHAR addr[64]; int len = 64; USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(s, addr, &len, &port));
    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnClose(cl, c_on_close);
    HP_TcpClient c = Create_HP_TcpClient(cl);
    long closes = __atomic_load_n(&c_closes, __ATOMIC_SEQ_CST);
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(wait_for(&c_closes, closes + 1, 5000)); /* the client sees the server drop it */
    CHECK_EQ(h_handshakes, 1);
    CHECK_EQ(HP_Server_GetConnectionCount(s), 0);
    CHECK_EQ(h_closes, 0);
    CHECK(HP_Server_Stop(s));
    CHECK_EQ(h_closes, 0);
    Destroy_HP_TcpClient(c);
    Destroy_HP_TcpClientListener(cl);
    Destroy_HP_TcpServer(s);
    Destroy_HP_TcpServerListener(l);
}

/* The same on a UdpServer and a UdpArqServer: the connection is dropped without OnClose (its
 * client is told by the close notification). */
static void test_udp_handshake_refused(int arq) {
    HP_UdpServerListener l = Create_HP_UdpServerListener();
    HP_Set_FN_Server_OnHandShake(l, h_on_handshake);
    HP_Set_FN_Server_OnClose(l, h_on_close);
    HP_UdpServer s = arq ? Create_HP_UdpArqServer(l) : Create_HP_UdpServer(l);
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    TCHAR addr[64]; int len = 64; USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(s, addr, &len, &port));
    HP_UdpClientListener cl = Create_HP_UdpClientListener();
    HP_Set_FN_Client_OnClose(cl, c_on_close);
    HP_UdpClient c = arq ? Create_HP_UdpArqClient(cl) : Create_HP_UdpClient(cl);
    long closes = __atomic_load_n(&c_closes, __ATOMIC_SEQ_CST);
    long shakes = __atomic_load_n(&h_handshakes, __ATOMIC_SEQ_CST);
    long s_closes = __atomic_load_n(&h_closes, __ATOMIC_SEQ_CST);
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    /* A UdpServer accepts on the client's first datagram; the drop may already have closed the
     * client by now, so this Send may fail: it only makes sure a datagram goes. */
    if (!arq) (void)HP_Client_Send(c, (const BYTE *)"x", 1);
    CHECK(wait_for(&h_handshakes, shakes + 1, 5000));
    CHECK(wait_for(&c_closes, closes + 1, 5000)); /* the client hears of the drop */
    for (int i = 0; i < 5000 && HP_Server_GetConnectionCount(s) != 0; i++) usleep(1000);
    CHECK_EQ(HP_Server_GetConnectionCount(s), 0);
    CHECK_EQ(h_closes, s_closes);
    CHECK(HP_Server_Stop(s));
    CHECK_EQ(h_closes, s_closes);
    if (arq) Destroy_HP_UdpArqClient(c); else Destroy_HP_UdpClient(c);
    Destroy_HP_UdpClientListener(cl);
    if (arq) Destroy_HP_UdpArqServer(s); else Destroy_HP_UdpServer(s);
    Destroy_HP_UdpServerListener(l);
}

static void test_udp_node(void) {
    HP_UdpNodeListener l = Create_HP_UdpNodeListener();
    HP_Set_FN_UdpNode_OnPrepareListen(l, n_prepare_listen);
    HP_Set_FN_UdpNode_OnShutdown(l, n_on_shutdown);
    HP_UdpNode n = Create_HP_UdpNode(l);
    /* Not a multicast group: SE_SOCKET_CREATE / EADDRNOTAVAIL, no OnPrepareListen, OnShutdown. */
    CHECK(!HP_UdpNode_StartWithCast(n, "127.0.0.1", 0, CM_MULTICAST, "10.1.2.3"));
    CHECK_EQ(HP_UdpNode_GetLastError(n), SE_SOCKET_CREATE);
    CHECK_EQ(SYS_GetLastError(), EADDRNOTAVAIL);
    CHECK_EQ(n_prepare, 0);
    CHECK_EQ(n_shutdown, 1);
    CHECK(!HP_UdpNode_Send(n, "127.0.0.1", 9, (const BYTE *)"x", 1));
    CHECK_EQ(SYS_GetLastError(), EPERM);
    CHECK(HP_UdpNode_Start(n, "127.0.0.1", 0));
    CHECK_EQ(n_prepare, 1);
    CHECK(!HP_UdpNode_SendCast(n, (const BYTE *)"x", 1));
    CHECK_EQ(SYS_GetLastError(), EPERM);
    CHECK(!HP_UdpNode_Start(n, "127.0.0.1", 0));
    CHECK_EQ(SYS_GetLastError(), EPERM);
    CHECK(HP_UdpNode_Stop(n));
    CHECK_EQ(n_shutdown, 2);
    Destroy_HP_UdpNode(n);
    Destroy_HP_UdpNodeListener(l);
}

/* A client is SS_STARTING until its connection is made, SS_STARTED from OnConnect on, as
 * upstream's (SetConnected sets SS_STARTED just before OnConnect). */
static volatile long st_prepare = -1, st_connect = -1, st_connects, st_closes;
static En_HP_HandleResult __HP_CALL st_on_prepare(HP_Client c, HP_CONNID id, UINT_PTR so) {
    (void)id; (void)so;
    st_prepare = HP_Client_GetState(c);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL st_on_connect(HP_Client c, HP_CONNID id) {
    (void)id;
    st_connect = HP_Client_GetState(c);
    __atomic_add_fetch(&st_connects, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL st_on_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int e) {
    (void)c; (void)id; (void)op; (void)e;
    __atomic_add_fetch(&st_closes, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}
static volatile long ag_connects;
static En_HP_HandleResult __HP_CALL st_on_connect_agent(HP_Agent a, HP_CONNID id) {
    (void)a; (void)id;
    __atomic_add_fetch(&ag_connects, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}
static void test_client_starting(void) {
    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_TcpServer s = Create_HP_TcpServer(sl);
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    TCHAR addr[64]; int len = 64; USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(s, addr, &len, &port));
    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnPrepareConnect(cl, st_on_prepare);
    HP_Set_FN_Client_OnConnect(cl, st_on_connect);
    HP_Set_FN_Client_OnClose(cl, st_on_close);
    HP_TcpClient c = Create_HP_TcpClient(cl);
    for (int async = 0; async <= 1; async++) {
        long n = st_connects;
        st_prepare = st_connect = -1;
        CHECK(HP_Client_Start(c, "127.0.0.1", port, async));
        CHECK(wait_for(&st_connects, n + 1, 5000));
        CHECK_EQ(st_prepare, SS_STARTING);
        CHECK_EQ(st_connect, SS_STARTED);
        CHECK_EQ(HP_Client_GetState(c), SS_STARTED);
        CHECK(HP_Client_Stop(c));
    }
    CHECK(HP_Server_Stop(s));
    Destroy_HP_TcpServer(s);

    /* A connect left pending (a listener whose accept queue is full drops the SYN): the
     * client stays SS_STARTING, HasStarted is TRUE, Send fails, Stop ends it. */
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    CHECK(bind(ls, (struct sockaddr *)&a, sizeof a) == 0 && listen(ls, 0) == 0);
    CHECK(getsockname(ls, (struct sockaddr *)&a, &al) == 0);
    int filler = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(connect(filler, (struct sockaddr *)&a, sizeof a) == 0); /* fills the queue of 1 */
    long n = st_connects;
    CHECK(HP_Client_Start(c, "127.0.0.1", ntohs(a.sin_port), TRUE));
    sleep_ms(200);
    CHECK_EQ(HP_Client_GetState(c), SS_STARTING);
    CHECK(HP_Client_HasStarted(c));
    CHECK(!HP_Client_Send(c, (const BYTE *)"x", 1));
    CHECK_EQ(st_connects, n);
    CHECK(HP_Client_Stop(c));
    CHECK_EQ(HP_Client_GetState(c), SS_STOPPED);
    CHECK_EQ(st_connects, n);

    /* The same pending connect from a one-worker agent holds up neither that worker (a second
     * connection, to a live server, connects and is served) nor Stop. */
    s = Create_HP_TcpServer(sl);
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    len = 64;
    CHECK(HP_Server_GetListenAddress(s, addr, &len, &port));
    HP_TcpAgentListener agl = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnConnect(agl, st_on_connect_agent);
    HP_TcpAgent ag = Create_HP_TcpAgent(agl);
    HP_Agent_SetWorkerThreadCount(ag, 1);
    CHECK(HP_Agent_Start(ag, NULL, TRUE));
    HP_CONNID pending = 0, live = 0;
    long an = ag_connects;
    CHECK(HP_Agent_Connect(ag, "127.0.0.1", ntohs(a.sin_port), &pending));
    CHECK(HP_Agent_Connect(ag, "127.0.0.1", port, &live));
    CHECK(wait_for(&ag_connects, an + 1, 5000));
    CHECK(HP_Agent_Send(ag, live, (const BYTE *)"x", 1));
    CHECK(!HP_Agent_Send(ag, pending, (const BYTE *)"x", 1));
    CHECK(HP_Agent_Stop(ag));
    CHECK_EQ(ag_connects, an + 1);
    Destroy_HP_TcpAgent(ag);
    Destroy_HP_TcpAgentListener(agl);
    CHECK(HP_Server_Stop(s));
    Destroy_HP_TcpServer(s);
    Destroy_HP_TcpServerListener(sl);
    close(filler);
    close(ls);
    Destroy_HP_TcpClient(c);
    Destroy_HP_TcpClientListener(cl);
}

int main(void) {
    test_server();
    test_client_agent();
    test_sync_connect();
    test_client_starting();
    test_handshake_refused();
    test_udp_handshake_refused(0);
    test_udp_handshake_refused(1);
    test_udp_node();
    return t_finish("int_failures");
}
