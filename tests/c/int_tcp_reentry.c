/* Calls at awkward times: Stop and Destroy from inside callbacks (upstream deadlocks there),
 * Send from several threads at once on one connection, Start/Stop in a loop, Destroy while
 * connections are busy. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "HPSocket4C.h"
#include "testutil.h"

static HP_TcpServerListener sl;
static HP_TcpServer g_srv;
static USHORT g_port;

/* an echo server */
static En_HP_HandleResult __HP_CALL echo_receive(HP_Server s, HP_CONNID id, const BYTE *p, int n) {
    return HP_Server_Send(s, id, p, n) ? HR_OK : HR_ERROR;
}

/* ---- Stop / Destroy inside callbacks ---- */
static volatile long r_close, r_shutdown, r_receive;
static volatile int r_mode; /* 1 stop in OnReceive, 2 destroy in OnReceive, 3 stop in OnClose */
static En_HP_HandleResult __HP_CALL cl_receive(HP_Client c, HP_CONNID id, const BYTE *p, int n) {
    (void)id; (void)p; (void)n;
    __atomic_add_fetch(&r_receive, 1, __ATOMIC_SEQ_CST);
    if (r_mode == 1) CHECK(HP_Client_Stop(c));
    if (r_mode == 2) Destroy_HP_TcpClient(c);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL cl_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int err) {
    (void)id; (void)op; (void)err;
    __atomic_add_fetch(&r_close, 1, __ATOMIC_SEQ_CST);
    if (r_mode == 3) HP_Client_Stop(c);
    return HR_OK;
}

static volatile long ag_close, ag_shutdown, ag_receive;
static volatile int ag_mode; /* 1 stop in OnReceive, 2 destroy in OnReceive, 3 stop in OnClose */
static En_HP_HandleResult __HP_CALL ag_on_receive(HP_Agent a, HP_CONNID id, const BYTE *p, int n) {
    (void)id; (void)p; (void)n;
    if (__atomic_add_fetch(&ag_receive, 1, __ATOMIC_SEQ_CST) == 1) {
        if (ag_mode == 1) CHECK(HP_Agent_Stop(a));
        if (ag_mode == 2) Destroy_HP_TcpAgent(a);
    }
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL ag_on_close(HP_Agent a, HP_CONNID id, En_HP_SocketOperation op, int err) {
    (void)id; (void)op; (void)err;
    if (__atomic_add_fetch(&ag_close, 1, __ATOMIC_SEQ_CST) == 1 && ag_mode == 3) HP_Agent_Stop(a);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL ag_on_shutdown(HP_Agent a) { (void)a; __atomic_add_fetch(&ag_shutdown, 1, __ATOMIC_SEQ_CST); return HR_OK; }

static void test_client_reentry(void) {
    HP_TcpClientListener l = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnReceive(l, cl_receive);
    HP_Set_FN_Client_OnClose(l, cl_close);
    for (int mode = 1; mode <= 3; mode++) {
        r_mode = mode; r_close = 0; r_receive = 0;
        HP_TcpClient c = Create_HP_TcpClient(l);
        CHECK(HP_Client_Start(c, "127.0.0.1", g_port, FALSE));
        CHECK(HP_Client_Send(c, (const BYTE *)"ping", 4));
        CHECK(wait_for(&r_receive, 1, 5000));
        if (mode == 3) {
            /* the server closes it; OnClose stops the client from inside */
            HP_CONNID ids[64]; DWORD n = 64;
            CHECK(HP_Server_GetAllConnectionIDs(g_srv, ids, &n));
            for (DWORD i = 0; i < n; i++) HP_Server_Disconnect(g_srv, ids[i], TRUE);
        }
        CHECK(wait_for(&r_close, 1, 5000));
        if (mode != 2) {
            CHECK(HP_Client_Wait(c, 5000));
            CHECK_EQ(HP_Client_GetState(c), SS_STOPPED);
            CHECK_EQ(r_close, 1);
            /* it can start again */
            CHECK(HP_Client_Start(c, "127.0.0.1", g_port, FALSE));
            r_mode = 0;
            CHECK(HP_Client_Stop(c));
            Destroy_HP_TcpClient(c);
        } else {
            sleep_ms(100); /* destroyed from its own callback: freed once that returned */
            CHECK_EQ(r_close, 1);
        }
    }
    Destroy_HP_TcpClientListener(l);
}

static void test_agent_reentry(void) {
    HP_TcpAgentListener l = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnReceive(l, ag_on_receive);
    HP_Set_FN_Agent_OnClose(l, ag_on_close);
    HP_Set_FN_Agent_OnShutdown(l, ag_on_shutdown);
    for (int mode = 1; mode <= 3; mode++) {
        ag_mode = mode; ag_close = 0; ag_receive = 0; ag_shutdown = 0;
        HP_TcpAgent a = Create_HP_TcpAgent(l);
        HP_Agent_SetWorkerThreadCount(a, 2);
        CHECK(HP_Agent_Start(a, NULL, FALSE));
        HP_CONNID ids[4];
        for (int i = 0; i < 4; i++) CHECK(HP_Agent_Connect(a, "127.0.0.1", g_port, &ids[i]));
        for (int i = 0; i < 4; i++) HP_Agent_Send(a, ids[i], (const BYTE *)"ping", 4);
        if (mode == 3) { CHECK(wait_for(&ag_receive, 4, 5000)); HP_Agent_Disconnect(a, ids[0], TRUE); }
        CHECK(wait_for(&ag_close, 4, 5000));
        CHECK(wait_for(&ag_shutdown, 1, 5000));
        if (mode != 2) {
            CHECK(HP_Agent_Wait(a, 5000));
            CHECK_EQ(HP_Agent_GetState(a), SS_STOPPED);
            CHECK_EQ(HP_Agent_GetConnectionCount(a), 0);
            Destroy_HP_TcpAgent(a);
        } else {
            sleep_ms(100);
        }
        CHECK_EQ(ag_close, 4);
        CHECK_EQ(ag_shutdown, 1);
    }
    Destroy_HP_TcpAgentListener(l);
}

/* the server stops itself from OnReceive, and a second server destroys itself from OnAccept */
static volatile long sv_shutdown, sv_close;
static En_HP_HandleResult __HP_CALL sv_stop_receive(HP_Server s, HP_CONNID id, const BYTE *p, int n) {
    (void)id; (void)p; (void)n; HP_Server_Stop(s); return HR_OK;
}
static En_HP_HandleResult __HP_CALL sv_destroy_accept(HP_Server s, HP_CONNID id, UINT_PTR so) {
    (void)id; (void)so; Destroy_HP_TcpServer(s); return HR_OK;
}
static En_HP_HandleResult __HP_CALL sv_on_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int err) {
    (void)s; (void)id; (void)op; (void)err; __atomic_add_fetch(&sv_close, 1, __ATOMIC_SEQ_CST); return HR_OK;
}
static En_HP_HandleResult __HP_CALL sv_on_shutdown(HP_Server s) { (void)s; __atomic_add_fetch(&sv_shutdown, 1, __ATOMIC_SEQ_CST); return HR_OK; }

static void test_server_reentry(void) {
    HP_TcpServerListener l = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnReceive(l, sv_stop_receive);
    HP_Set_FN_Server_OnClose(l, sv_on_close);
    HP_Set_FN_Server_OnShutdown(l, sv_on_shutdown);
    HP_TcpServer s = Create_HP_TcpServer(l);
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    TCHAR addr[64]; int len = sizeof(addr); USHORT port;
    CHECK(HP_Server_GetListenAddress(s, addr, &len, &port));
    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_TcpClient c = Create_HP_TcpClient(cl);
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(HP_Client_Send(c, (const BYTE *)"x", 1));
    CHECK(wait_for(&sv_shutdown, 1, 5000));
    CHECK(HP_Server_Wait(s, 5000));
    CHECK_EQ(HP_Server_GetState(s), SS_STOPPED);
    CHECK_EQ(sv_close, 1);
    HP_Client_Wait(c, 5000);
    Destroy_HP_TcpServer(s);

    HP_Set_FN_Server_OnAccept(l, sv_destroy_accept);
    s = Create_HP_TcpServer(l);
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    len = sizeof(addr);
    CHECK(HP_Server_GetListenAddress(s, addr, &len, &port));
    sv_shutdown = 0;
    HP_Client_Start(c, "127.0.0.1", port, FALSE);
    CHECK(wait_for(&sv_shutdown, 1, 5000));
    HP_Client_Stop(c);
    Destroy_HP_TcpClient(c);
    Destroy_HP_TcpClientListener(cl);
    Destroy_HP_TcpServerListener(l);
}

/* ---- several threads sending on one connection: each call's bytes stay together ---- */
#define THREADS 4
#define CALLS 500
#define CHUNK 1000
static HP_TcpClient g_cli;
static volatile long mt_bytes, mt_bad;
static BYTE mt_buf[THREADS * CALLS * CHUNK];
static En_HP_HandleResult __HP_CALL mt_receive(HP_Client c, HP_CONNID id, const BYTE *p, int n) {
    (void)c; (void)id;
    memcpy(mt_buf + mt_bytes, p, (size_t)n);
    __atomic_add_fetch(&mt_bytes, n, __ATOMIC_SEQ_CST);
    return HR_OK;
}
static void *mt_sender(void *arg) {
    long t = (long)arg;
    BYTE chunk[CHUNK];
    for (int i = 0; i < CALLS; i++) {
        /* a chunk is: thread id, then the call number, repeated */
        for (int j = 0; j < CHUNK; j++) chunk[j] = (BYTE)(j == 0 ? t : (i + j) & 0xff);
        if (!HP_Client_Send(g_cli, chunk, CHUNK)) __atomic_add_fetch(&mt_bad, 1, __ATOMIC_SEQ_CST);
    }
    return NULL;
}
static void test_concurrent_send(void) {
    HP_TcpClientListener l = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnReceive(l, mt_receive);
    g_cli = Create_HP_TcpClient(l);
    CHECK(HP_Client_Start(g_cli, "127.0.0.1", g_port, FALSE));
    pthread_t th[THREADS];
    for (long t = 0; t < THREADS; t++) pthread_create(&th[t], NULL, mt_sender, (void *)t);
    for (int t = 0; t < THREADS; t++) pthread_join(th[t], NULL);
    CHECK_EQ(mt_bad, 0);
    CHECK(wait_for(&mt_bytes, (long)sizeof mt_buf, 10000));
    /* the echo is the sent stream: cut it into chunks and check each is whole, and that each
     * thread's chunks come in its call order */
    int next[THREADS] = {0};
    int broken = 0;
    for (long off = 0; off + CHUNK <= mt_bytes && !broken; off += CHUNK) {
        int t = mt_buf[off];
        if (t < 0 || t >= THREADS) { broken = 1; break; }
        int i = next[t]++;
        for (int j = 1; j < CHUNK; j++)
            if (mt_buf[off + j] != (BYTE)((i + j) & 0xff)) { broken = 1; break; }
    }
    CHECK(!broken);
    for (int t = 0; t < THREADS; t++) CHECK_EQ(next[t], CALLS);
    CHECK(HP_Client_Stop(g_cli));
    Destroy_HP_TcpClient(g_cli);
    Destroy_HP_TcpClientListener(l);
}

/* ---- Start/Stop in a loop, and Destroy while data flows ---- */
static void test_start_stop_loop(void) {
    HP_TcpServerListener l = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnReceive(l, echo_receive);
    HP_TcpServer s = Create_HP_TcpServer(l);
    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_TcpClient c = Create_HP_TcpClient(cl);
    for (int i = 0; i < 20; i++) {
        CHECK(HP_Server_Start(s, "127.0.0.1", 0));
        TCHAR addr[64]; int len = sizeof(addr); USHORT port;
        CHECK(HP_Server_GetListenAddress(s, addr, &len, &port));
        CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
        CHECK(HP_Client_Send(c, (const BYTE *)"abc", 3));
        CHECK(HP_Server_Stop(s));
        CHECK_EQ(HP_Server_GetConnectionCount(s), 0);
        HP_Client_Wait(c, 5000);
        HP_Client_Stop(c);
    }
    /* Destroy while data flows both ways */
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    TCHAR addr[64]; int len = sizeof(addr); USHORT port;
    CHECK(HP_Server_GetListenAddress(s, addr, &len, &port));
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    static BYTE big[1 << 20];
    for (int i = 0; i < 8; i++) HP_Client_Send(c, big, sizeof big);
    Destroy_HP_TcpServer(s);
    HP_Client_Wait(c, 5000);
    Destroy_HP_TcpClient(c);
    Destroy_HP_TcpClientListener(cl);
    Destroy_HP_TcpServerListener(l);
}

/* ---- Stop / Destroy from callbacks that run in the caller's thread ----
 * OnPrepareListen runs inside Start, OnPrepareConnect inside Connect/Start, OnShutdown inside
 * Stop: Stop or Destroy called there must neither deadlock nor free what the outer call uses. */
static volatile int cs_mode; /* 1 stop in OnPrepareListen, 2 destroy in OnPrepareListen, 3 destroy in OnShutdown */
static volatile long cs_shutdown;
static En_HP_HandleResult __HP_CALL cs_prepare_listen(HP_Server s, UINT_PTR so) {
    (void)so;
    if (cs_mode == 1) CHECK(HP_Server_Stop(s));
    if (cs_mode == 2) Destroy_HP_TcpServer(s);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL cs_shutdown_cb(HP_Server s) {
    __atomic_add_fetch(&cs_shutdown, 1, __ATOMIC_SEQ_CST);
    if (cs_mode == 3) Destroy_HP_TcpServer(s);
    return HR_OK;
}
static volatile int ca_mode; /* 1 destroy in OnPrepareConnect (agent), 2 stop there */
static En_HP_HandleResult __HP_CALL ca_prepare_connect(HP_Agent a, HP_CONNID id, UINT_PTR so) {
    (void)id; (void)so;
    if (ca_mode == 1) Destroy_HP_TcpAgent(a);
    if (ca_mode == 2) CHECK(HP_Agent_Stop(a));
    return HR_OK;
}

static void test_caller_thread_callbacks(void) {
    HP_TcpServerListener l = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnPrepareListen(l, cs_prepare_listen);
    HP_Set_FN_Server_OnShutdown(l, cs_shutdown_cb);
    for (int mode = 1; mode <= 3; mode++) {
        cs_mode = mode; cs_shutdown = 0;
        HP_TcpServer s = Create_HP_TcpServer(l);
        HP_Server_SetWorkerThreadCount(s, 1);
        BOOL started = HP_Server_Start(s, "127.0.0.1", 0);
        if (mode == 1) {
            /* Stop inside Start completes once Start has returned */
            CHECK(HP_Server_Wait(s, 10000));
            CHECK_EQ(HP_Server_GetState(s), SS_STOPPED);
            (void)started;
            Destroy_HP_TcpServer(s);
        } else if (mode == 2) {
            /* destroyed inside Start: the handle is gone once Start returns */
            sleep_ms(200);
            CHECK(!HP_Server_HasStarted(s));
        } else {
            CHECK(started);
            CHECK(HP_Server_Stop(s));
            CHECK_EQ(cs_shutdown, 1);
            /* destroyed inside OnShutdown: refused from now on */
            sleep_ms(200);
            CHECK(!HP_Server_HasStarted(s));
        }
    }
    Destroy_HP_TcpServerListener(l);

    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnPrepareConnect(al, ca_prepare_connect);
    for (int mode = 1; mode <= 2; mode++) {
        ca_mode = mode;
        HP_TcpAgent a = Create_HP_TcpAgent(al);
        HP_Agent_SetWorkerThreadCount(a, 1);
        CHECK(HP_Agent_Start(a, NULL, FALSE));
        HP_CONNID cid = 0;
        BOOL ok = HP_Agent_Connect(a, "127.0.0.1", g_port, &cid);
        (void)ok;
        if (mode == 2) {
            CHECK(HP_Agent_Wait(a, 10000));
            Destroy_HP_TcpAgent(a);
        } else {
            sleep_ms(200);
            CHECK(!HP_Agent_HasStarted(a));
        }
    }
    Destroy_HP_TcpAgentListener(al);
}

int main(void) {
    sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnReceive(sl, echo_receive);
    g_srv = Create_HP_TcpServer(sl);
    HP_Server_SetWorkerThreadCount(g_srv, 2);
    CHECK(HP_Server_Start(g_srv, "127.0.0.1", 0));
    TCHAR addr[64]; int len = sizeof(addr);
    CHECK(HP_Server_GetListenAddress(g_srv, addr, &len, &g_port));

    test_client_reentry();
    test_agent_reentry();
    test_server_reentry();
    test_concurrent_send();
    test_start_stop_loop();
    test_caller_thread_callbacks();

    CHECK(HP_Server_Stop(g_srv));
    Destroy_HP_TcpServer(g_srv);
    Destroy_HP_TcpServerListener(sl);
    return t_finish("int_tcp_reentry");
}
