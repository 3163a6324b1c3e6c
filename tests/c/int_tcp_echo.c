/* Two components talking over loopback: a TcpServer echoing to a TcpAgent and a TcpClient,
 * with event order, OnClose codes and every kind of Send checked. */
#include "HPSocket4C.h"
#include "testutil.h"

static volatile long s_accept, s_handshake, s_close, s_shutdown, s_bytes, s_prepare_listen;
static volatile long a_connect, a_close, a_bytes, a_prepare, a_shutdown, a_bad_order;
static volatile long c_connect, c_close, c_bytes;
static volatile long a_state[64]; /* per conn id: 1 prepared, 2 connected, 3 handshake, 4 closed */
static volatile int last_close_op = -1, last_close_err = -1;
static HP_TcpServer g_server;

static En_HP_HandleResult __HP_CALL s_on_prepare_listen(HP_Server s, UINT_PTR so) { (void)s; CHECK(so > 0); __atomic_add_fetch(&s_prepare_listen, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL s_on_accept(HP_Server s, HP_CONNID id, UINT_PTR so) {
    CHECK(s == g_server); CHECK(id > 0); CHECK(so > 0);
    __atomic_add_fetch(&s_accept, 1, __ATOMIC_SEQ_CST); return HR_OK;
}
static En_HP_HandleResult __HP_CALL s_on_handshake(HP_Server s, HP_CONNID id) { (void)s; (void)id; __atomic_add_fetch(&s_handshake, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL s_on_receive(HP_Server s, HP_CONNID id, const BYTE *p, int n) {
    __atomic_add_fetch(&s_bytes, n, __ATOMIC_SEQ_CST);
    return HP_Server_Send(s, id, p, n) ? HR_OK : HR_ERROR;
}
static En_HP_HandleResult __HP_CALL s_on_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int err) {
    PVOID extra = NULL;
    CHECK(HP_Server_GetConnectionExtra(s, id, &extra)); /* still readable inside OnClose */
    last_close_op = op; last_close_err = err;
    __atomic_add_fetch(&s_close, 1, __ATOMIC_SEQ_CST); return HR_OK;
}
static En_HP_HandleResult __HP_CALL s_on_shutdown(HP_Server s) { (void)s; __atomic_add_fetch(&s_shutdown, 1, __ATOMIC_SEQ_CST); return HR_OK; }

static En_HP_HandleResult __HP_CALL a_on_prepare(HP_Agent a, HP_CONNID id, UINT_PTR so) { (void)a; CHECK(so > 0); if (id < 64) a_state[id] = 1; __atomic_add_fetch(&a_prepare, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL a_on_connect(HP_Agent a, HP_CONNID id) { (void)a; if (id < 64) { if (a_state[id] != 1) __atomic_add_fetch(&a_bad_order, 1, __ATOMIC_SEQ_CST); a_state[id] = 2; } __atomic_add_fetch(&a_connect, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL a_on_handshake(HP_Agent a, HP_CONNID id) { (void)a; if (id < 64) { if (a_state[id] != 2) __atomic_add_fetch(&a_bad_order, 1, __ATOMIC_SEQ_CST); a_state[id] = 3; } return HR_OK; }
static En_HP_HandleResult __HP_CALL a_on_receive(HP_Agent a, HP_CONNID id, const BYTE *p, int n) { (void)a; (void)p; if (id < 64 && a_state[id] != 3) __atomic_add_fetch(&a_bad_order, 1, __ATOMIC_SEQ_CST); __atomic_add_fetch(&a_bytes, n, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL a_on_close(HP_Agent a, HP_CONNID id, En_HP_SocketOperation op, int err) { (void)a; (void)op; (void)err; if (id < 64) { if (a_state[id] == 4) __atomic_add_fetch(&a_bad_order, 1, __ATOMIC_SEQ_CST); a_state[id] = 4; } __atomic_add_fetch(&a_close, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL a_on_shutdown(HP_Agent a) { (void)a; __atomic_add_fetch(&a_shutdown, 1, __ATOMIC_SEQ_CST); return HR_OK; }

static En_HP_HandleResult __HP_CALL c_on_connect(HP_Client c, HP_CONNID id) { (void)c; (void)id; __atomic_add_fetch(&c_connect, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL c_on_receive(HP_Client c, HP_CONNID id, const BYTE *p, int n) { (void)c; (void)id; (void)p; __atomic_add_fetch(&c_bytes, n, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL c_on_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int err) { (void)c; (void)id; (void)op; (void)err; __atomic_add_fetch(&c_close, 1, __ATOMIC_SEQ_CST); return HR_OK; }

int main(void) {
    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnPrepareListen(sl, s_on_prepare_listen);
    HP_Set_FN_Server_OnAccept(sl, s_on_accept);
    HP_Set_FN_Server_OnHandShake(sl, s_on_handshake);
    HP_Set_FN_Server_OnReceive(sl, s_on_receive);
    HP_Set_FN_Server_OnClose(sl, s_on_close);
    HP_Set_FN_Server_OnShutdown(sl, s_on_shutdown);
    g_server = Create_HP_TcpServer(sl);
    CHECK(g_server != NULL);
    HP_Server_SetWorkerThreadCount(g_server, 2);
    CHECK(HP_Server_Start(g_server, "127.0.0.1", 0));
    CHECK_EQ(HP_Server_GetState(g_server), SS_STARTED);
    CHECK(!HP_Server_Start(g_server, "127.0.0.1", 0));
    CHECK_EQ(HP_Server_GetLastError(g_server), SE_ILLEGAL_STATE);
    CHECK_EQ(s_prepare_listen, 1);
    TCHAR addr[64]; int alen = sizeof(addr); USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(g_server, addr, &alen, &port));
    CHECK(strcmp(addr, "127.0.0.1") == 0); CHECK_EQ(alen, 10); CHECK(port > 0);

    /* Agent: 8 connections, async connect */
    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnPrepareConnect(al, a_on_prepare);
    HP_Set_FN_Agent_OnConnect(al, a_on_connect);
    HP_Set_FN_Agent_OnHandShake(al, a_on_handshake);
    HP_Set_FN_Agent_OnReceive(al, a_on_receive);
    HP_Set_FN_Agent_OnClose(al, a_on_close);
    HP_Set_FN_Agent_OnShutdown(al, a_on_shutdown);
    HP_TcpAgent agent = Create_HP_TcpAgent(al);
    CHECK(HP_Agent_Start(agent, NULL, TRUE));
    HP_CONNID ids[8];
    for (int i = 0; i < 8; i++) CHECK(HP_Agent_Connect(agent, "127.0.0.1", port, &ids[i]));
    CHECK(wait_for(&a_connect, 8, 5000));
    CHECK(wait_for(&s_accept, 8, 5000));
    CHECK_EQ(HP_Server_GetConnectionCount(g_server), 8);
    CHECK_EQ(HP_Agent_GetConnectionCount(agent), 8);
    /* Send, SendPart, SendPackets, from this (non-worker) thread */
    BYTE msg[1000]; for (int i = 0; i < 1000; i++) msg[i] = (BYTE)i;
    long expect = 0;
    for (int i = 0; i < 8; i++) {
        CHECK(HP_Agent_Send(agent, ids[i], msg, 100)); expect += 100;
        CHECK(HP_Agent_SendPart(agent, ids[i], msg, 50, 25)); expect += 50;
        WSABUF bufs[3] = { { 10, msg }, { 20, msg + 10 }, { 30, msg + 30 } };
        CHECK(HP_Agent_SendPackets(agent, ids[i], bufs, 3)); expect += 60;
    }
    CHECK(HP_Agent_Send(agent, ids[0], msg, 0)); /* as upstream: nothing sent, TRUE */
    CHECK(!HP_Agent_Send(agent, ids[0], NULL, 10));
    CHECK(!HP_Agent_Send(agent, 999999, msg, 10));
    CHECK(wait_for(&a_bytes, expect, 5000));
    CHECK_EQ(a_bytes, expect); CHECK_EQ(s_bytes, expect);

    /* Address getters and the buffer-size protocol */
    alen = 4;
    CHECK(!HP_Agent_GetRemoteAddress(agent, ids[0], addr, &alen, &port));
    CHECK_EQ(alen, 16); /* INET_ADDRSTRLEN, as upstream */
    alen = sizeof(addr);
    CHECK(HP_Agent_GetRemoteHost(agent, ids[0], addr, &alen, &port));
    CHECK(strcmp(addr, "127.0.0.1") == 0);
    /* All ids: too small, then right */
    HP_CONNID all[16]; DWORD cnt = 2;
    CHECK(!HP_Server_GetAllConnectionIDs(g_server, all, &cnt)); CHECK_EQ(cnt, 8);
    cnt = 16; CHECK(HP_Server_GetAllConnectionIDs(g_server, all, &cnt)); CHECK_EQ(cnt, 8);
    /* Extra */
    CHECK(HP_Server_SetConnectionExtra(g_server, all[0], (PVOID)0x1234));
    PVOID ex = NULL; CHECK(HP_Server_GetConnectionExtra(g_server, all[0], &ex)); CHECK(ex == (PVOID)0x1234);

    /* Server disconnects one: agent sees one close; server sees SO_CLOSE 0 */
    CHECK(HP_Server_Disconnect(g_server, all[0], TRUE));
    CHECK(wait_for(&a_close, 1, 5000));
    CHECK(wait_for(&s_close, 1, 5000));
    CHECK_EQ(last_close_op, SO_CLOSE); CHECK_EQ(last_close_err, 0);

    /* Client, sync connect */
    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnConnect(cl, c_on_connect);
    HP_Set_FN_Client_OnReceive(cl, c_on_receive);
    HP_Set_FN_Client_OnClose(cl, c_on_close);
    HP_TcpClient client = Create_HP_TcpClient(cl);
    CHECK(HP_Client_Start(client, "127.0.0.1", port, FALSE));
    CHECK(HP_Client_IsConnected(client));
    CHECK(HP_Client_Send(client, msg, 1000));
    CHECK(wait_for(&c_bytes, 1000, 5000));
    CHECK(wait_for(&c_connect, 1, 5000));
    CHECK(HP_Client_Stop(client));
    CHECK_EQ(c_close, 1);
    CHECK_EQ(HP_Client_GetState(client), SS_STOPPED);
    /* connect refused, sync: Start fails */
    CHECK(!HP_Client_Start(client, "127.0.0.1", 1, FALSE));
    CHECK_EQ(HP_Client_GetLastError(client), SE_CONNECT_SERVER);

    /* Stop the agent: every connection closes once, then OnShutdown */
    CHECK(HP_Agent_Stop(agent));
    CHECK_EQ(a_close, 8); CHECK_EQ(a_shutdown, 1); CHECK_EQ(a_bad_order, 0);
    CHECK(wait_for(&s_close, 9, 5000));
    CHECK(HP_Server_Stop(g_server));
    CHECK_EQ(s_shutdown, 1);
    CHECK(!HP_Server_Stop(g_server));
    CHECK_EQ(HP_Server_GetLastError(g_server), SE_ILLEGAL_STATE);

    Destroy_HP_TcpClient(client); Destroy_HP_TcpClientListener(cl);
    Destroy_HP_TcpAgent(agent); Destroy_HP_TcpAgentListener(al);
    Destroy_HP_TcpServer(g_server); Destroy_HP_TcpServerListener(sl);
    return t_finish("int_tcp_echo");
}
