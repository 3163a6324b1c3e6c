/* Every option Set/Get pair of TcpServer, TcpAgent and TcpClient: upstream 6.0.7's defaults,
 * round trips while stopped, setters ignored while started, invalid enum values refused, and
 * Start refusing the parameters upstream's CheckParams refuses. */
#include <sys/socket.h>
#include <unistd.h>
#include "HPSocket4C.h"
#include "testutil.h"

/* default, then set -> get, for a DWORD or BOOL option */
#define OPT(h, SET, GET, def, val) do { \
    CHECK_EQ((long)GET(h), (long)(def)); \
    SET(h, val); CHECK_EQ((long)GET(h), (long)(val)); \
    SET(h, def); CHECK_EQ((long)GET(h), (long)(def)); } while (0)

/* while started: the setter is ignored */
#define FROZEN(h, SET, GET, val) do { long before_ = (long)GET(h); SET(h, val); CHECK_EQ((long)GET(h), before_); } while (0)

static long default_workers(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN) * 2 + 2;
    return n > 512 ? 512 : n;
}

static void server_options(void) {
    HP_TcpServerListener l = Create_HP_TcpServerListener();
    HP_TcpServer s = Create_HP_TcpServer(l);
    OPT(s, HP_Server_SetSendPolicy, HP_Server_GetSendPolicy, SP_PACK, SP_DIRECT);
    OPT(s, HP_Server_SetOnSendSyncPolicy, HP_Server_GetOnSendSyncPolicy, OSSP_NONE, OSSP_RECEIVE);
    OPT(s, HP_Server_SetReuseAddressPolicy, HP_Server_GetReuseAddressPolicy, RAP_ADDR_ONLY, RAP_ADDR_AND_PORT);
    OPT(s, HP_Server_SetMaxConnectionCount, HP_Server_GetMaxConnectionCount, 10000, 77);
    OPT(s, HP_Server_SetWorkerThreadCount, HP_Server_GetWorkerThreadCount, default_workers(), 3);
    OPT(s, HP_Server_SetFreeSocketObjLockTime, HP_Server_GetFreeSocketObjLockTime, 20000, 5000);
    OPT(s, HP_Server_SetFreeSocketObjPool, HP_Server_GetFreeSocketObjPool, 600, 10);
    OPT(s, HP_Server_SetFreeBufferObjPool, HP_Server_GetFreeBufferObjPool, 1024, 11);
    OPT(s, HP_Server_SetFreeSocketObjHold, HP_Server_GetFreeSocketObjHold, 600, 12);
    OPT(s, HP_Server_SetFreeBufferObjHold, HP_Server_GetFreeBufferObjHold, 1024, 13);
    OPT(s, HP_Server_SetMarkSilence, HP_Server_IsMarkSilence, TRUE, FALSE);
    OPT(s, HP_Server_SetDualStack, HP_Server_IsDualStack, TRUE, FALSE);
    OPT(s, HP_TcpServer_SetAcceptSocketCount, HP_TcpServer_GetAcceptSocketCount, 64, 5);
    OPT(s, HP_TcpServer_SetSocketBufferSize, HP_TcpServer_GetSocketBufferSize, 4096, 8192);
    OPT(s, HP_TcpServer_SetSocketListenQueue, HP_TcpServer_GetSocketListenQueue, SOMAXCONN, 100);
    OPT(s, HP_TcpServer_SetKeepAliveTime, HP_TcpServer_GetKeepAliveTime, 60000, 0);
    OPT(s, HP_TcpServer_SetKeepAliveInterval, HP_TcpServer_GetKeepAliveInterval, 20000, 1000);
    OPT(s, HP_TcpServer_SetNoDelay, HP_TcpServer_IsNoDelay, FALSE, TRUE);

    /* out-of-range enum values are refused; the setting stays */
    HP_Server_SetSendPolicy(s, (En_HP_SendPolicy)7);
    CHECK_EQ(HP_Server_GetSendPolicy(s), SP_PACK);
    HP_Server_SetOnSendSyncPolicy(s, (En_HP_OnSendSyncPolicy)-1);
    CHECK_EQ(HP_Server_GetOnSendSyncPolicy(s), OSSP_NONE);
    HP_Server_SetReuseAddressPolicy(s, (En_HP_ReuseAddressPolicy)3);
    CHECK_EQ(HP_Server_GetReuseAddressPolicy(s), RAP_ADDR_ONLY);

    /* Start refuses what upstream's CheckParams refuses */
    HP_Server_SetWorkerThreadCount(s, 513);
    CHECK(!HP_Server_Start(s, "127.0.0.1", 0)); CHECK_EQ(HP_Server_GetLastError(s), SE_INVALID_PARAM);
    HP_Server_SetWorkerThreadCount(s, 2);
    HP_TcpServer_SetKeepAliveTime(s, 500);
    CHECK(!HP_Server_Start(s, "127.0.0.1", 0)); CHECK_EQ(HP_Server_GetLastError(s), SE_INVALID_PARAM);
    HP_TcpServer_SetKeepAliveTime(s, 60000);
    HP_TcpServer_SetSocketBufferSize(s, 7);
    CHECK(!HP_Server_Start(s, "127.0.0.1", 0)); CHECK_EQ(HP_Server_GetLastError(s), SE_INVALID_PARAM);
    HP_TcpServer_SetSocketBufferSize(s, 8);
    HP_Server_SetMaxConnectionCount(s, 5000001);
    CHECK(!HP_Server_Start(s, "127.0.0.1", 0)); CHECK_EQ(HP_Server_GetLastError(s), SE_INVALID_PARAM);
    HP_Server_SetMaxConnectionCount(s, 10000);
    CHECK_EQ(HP_Server_GetState(s), SS_STOPPED);

    /* started: setters are ignored */
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    CHECK_EQ(HP_Server_GetWorkerThreadCount(s), 2);
    CHECK_EQ(HP_TcpServer_GetSocketBufferSize(s), 8);
    FROZEN(s, HP_Server_SetSendPolicy, HP_Server_GetSendPolicy, SP_SAFE);
    FROZEN(s, HP_Server_SetOnSendSyncPolicy, HP_Server_GetOnSendSyncPolicy, OSSP_CLOSE);
    FROZEN(s, HP_Server_SetReuseAddressPolicy, HP_Server_GetReuseAddressPolicy, RAP_NONE);
    FROZEN(s, HP_Server_SetMaxConnectionCount, HP_Server_GetMaxConnectionCount, 5);
    FROZEN(s, HP_Server_SetWorkerThreadCount, HP_Server_GetWorkerThreadCount, 9);
    FROZEN(s, HP_Server_SetFreeSocketObjLockTime, HP_Server_GetFreeSocketObjLockTime, 1);
    FROZEN(s, HP_Server_SetFreeSocketObjPool, HP_Server_GetFreeSocketObjPool, 1);
    FROZEN(s, HP_Server_SetFreeBufferObjPool, HP_Server_GetFreeBufferObjPool, 1);
    FROZEN(s, HP_Server_SetFreeSocketObjHold, HP_Server_GetFreeSocketObjHold, 1);
    FROZEN(s, HP_Server_SetFreeBufferObjHold, HP_Server_GetFreeBufferObjHold, 1);
    FROZEN(s, HP_Server_SetMarkSilence, HP_Server_IsMarkSilence, FALSE);
    FROZEN(s, HP_Server_SetDualStack, HP_Server_IsDualStack, FALSE);
    FROZEN(s, HP_TcpServer_SetAcceptSocketCount, HP_TcpServer_GetAcceptSocketCount, 1);
    FROZEN(s, HP_TcpServer_SetSocketBufferSize, HP_TcpServer_GetSocketBufferSize, 1);
    FROZEN(s, HP_TcpServer_SetSocketListenQueue, HP_TcpServer_GetSocketListenQueue, 1);
    FROZEN(s, HP_TcpServer_SetKeepAliveTime, HP_TcpServer_GetKeepAliveTime, 1);
    FROZEN(s, HP_TcpServer_SetKeepAliveInterval, HP_TcpServer_GetKeepAliveInterval, 1);
    FROZEN(s, HP_TcpServer_SetNoDelay, HP_TcpServer_IsNoDelay, TRUE);
    CHECK(HP_Server_Stop(s));
    Destroy_HP_TcpServer(s);
    Destroy_HP_TcpServerListener(l);
}

static void agent_options(void) {
    HP_TcpAgentListener l = Create_HP_TcpAgentListener();
    HP_TcpAgent a = Create_HP_TcpAgent(l);
    OPT(a, HP_Agent_SetSendPolicy, HP_Agent_GetSendPolicy, SP_PACK, SP_SAFE);
    OPT(a, HP_Agent_SetOnSendSyncPolicy, HP_Agent_GetOnSendSyncPolicy, OSSP_NONE, OSSP_CLOSE);
    OPT(a, HP_Agent_SetReuseAddressPolicy, HP_Agent_GetReuseAddressPolicy, RAP_ADDR_ONLY, RAP_NONE);
    OPT(a, HP_Agent_SetMaxConnectionCount, HP_Agent_GetMaxConnectionCount, 10000, 3);
    OPT(a, HP_Agent_SetWorkerThreadCount, HP_Agent_GetWorkerThreadCount, default_workers(), 1);
    OPT(a, HP_Agent_SetFreeSocketObjLockTime, HP_Agent_GetFreeSocketObjLockTime, 20000, 1000);
    OPT(a, HP_Agent_SetFreeSocketObjPool, HP_Agent_GetFreeSocketObjPool, 600, 0);
    OPT(a, HP_Agent_SetFreeBufferObjPool, HP_Agent_GetFreeBufferObjPool, 1024, 0);
    OPT(a, HP_Agent_SetFreeSocketObjHold, HP_Agent_GetFreeSocketObjHold, 600, 0);
    OPT(a, HP_Agent_SetFreeBufferObjHold, HP_Agent_GetFreeBufferObjHold, 1024, 0);
    OPT(a, HP_Agent_SetMarkSilence, HP_Agent_IsMarkSilence, TRUE, FALSE);
    OPT(a, HP_TcpAgent_SetSocketBufferSize, HP_TcpAgent_GetSocketBufferSize, 4096, 65536);
    OPT(a, HP_TcpAgent_SetKeepAliveTime, HP_TcpAgent_GetKeepAliveTime, 60000, 2000);
    OPT(a, HP_TcpAgent_SetKeepAliveInterval, HP_TcpAgent_GetKeepAliveInterval, 20000, 0);
    OPT(a, HP_TcpAgent_SetNoDelay, HP_TcpAgent_IsNoDelay, FALSE, TRUE);
    OPT(a, HP_TcpAgent_SetSyncConnectTimeout, HP_TcpAgent_GetSyncConnectTimeout, 10000, 500);
    /* 5.1.1's BOOL view of the reuse policy */
    CHECK(HP_TcpAgent_IsReuseAddress(a));
    HP_TcpAgent_SetReuseAddress(a, FALSE);
    CHECK(!HP_TcpAgent_IsReuseAddress(a));
    CHECK_EQ(HP_Agent_GetReuseAddressPolicy(a), RAP_NONE);
    HP_TcpAgent_SetReuseAddress(a, TRUE);
    CHECK(HP_TcpAgent_IsReuseAddress(a));

    HP_Agent_SetWorkerThreadCount(a, 0);
    CHECK(!HP_Agent_Start(a, NULL, TRUE)); CHECK_EQ(HP_Agent_GetLastError(a), SE_INVALID_PARAM);
    HP_Agent_SetWorkerThreadCount(a, 1);
    CHECK(HP_Agent_Start(a, NULL, TRUE));
    FROZEN(a, HP_Agent_SetWorkerThreadCount, HP_Agent_GetWorkerThreadCount, 4);
    FROZEN(a, HP_Agent_SetSendPolicy, HP_Agent_GetSendPolicy, SP_DIRECT);
    FROZEN(a, HP_TcpAgent_SetSocketBufferSize, HP_TcpAgent_GetSocketBufferSize, 100);
    FROZEN(a, HP_TcpAgent_SetSyncConnectTimeout, HP_TcpAgent_GetSyncConnectTimeout, 1);
    FROZEN(a, HP_TcpAgent_SetNoDelay, HP_TcpAgent_IsNoDelay, FALSE);
    CHECK(HP_Agent_Stop(a));
    Destroy_HP_TcpAgent(a);
    Destroy_HP_TcpAgentListener(l);
}

static void client_options(void) {
    HP_TcpClientListener l = Create_HP_TcpClientListener();
    HP_TcpClient c = Create_HP_TcpClient(l);
    OPT(c, HP_Client_SetFreeBufferPoolSize, HP_Client_GetFreeBufferPoolSize, 60, 5);
    OPT(c, HP_Client_SetFreeBufferPoolHold, HP_Client_GetFreeBufferPoolHold, 60, 15);
    OPT(c, HP_TcpClient_SetSocketBufferSize, HP_TcpClient_GetSocketBufferSize, 4096, 1024);
    OPT(c, HP_TcpClient_SetKeepAliveTime, HP_TcpClient_GetKeepAliveTime, 60000, 30000);
    OPT(c, HP_TcpClient_SetKeepAliveInterval, HP_TcpClient_GetKeepAliveInterval, 20000, 10000);
    OPT(c, HP_TcpClient_SetNoDelay, HP_TcpClient_IsNoDelay, FALSE, TRUE);
    OPT(c, HP_TcpClient_SetSyncConnectTimeout, HP_TcpClient_GetSyncConnectTimeout, 10000, 3000);

    /* a server to connect to, so the client can be started */
    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_TcpServer s = Create_HP_TcpServer(sl);
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    TCHAR addr[64]; int len = sizeof(addr); USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(s, addr, &len, &port));

    HP_TcpClient_SetSocketBufferSize(c, 3);
    CHECK(!HP_Client_Start(c, "127.0.0.1", port, FALSE)); CHECK_EQ(HP_Client_GetLastError(c), SE_INVALID_PARAM);
    HP_TcpClient_SetSocketBufferSize(c, 4096);
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    FROZEN(c, HP_Client_SetFreeBufferPoolSize, HP_Client_GetFreeBufferPoolSize, 1);
    FROZEN(c, HP_TcpClient_SetSocketBufferSize, HP_TcpClient_GetSocketBufferSize, 100);
    FROZEN(c, HP_TcpClient_SetKeepAliveTime, HP_TcpClient_GetKeepAliveTime, 0);
    FROZEN(c, HP_TcpClient_SetNoDelay, HP_TcpClient_IsNoDelay, FALSE);
    FROZEN(c, HP_TcpClient_SetSyncConnectTimeout, HP_TcpClient_GetSyncConnectTimeout, 1);
    CHECK(HP_Client_Stop(c));
    Destroy_HP_TcpClient(c);
    Destroy_HP_TcpClientListener(l);
    CHECK(HP_Server_Stop(s));
    Destroy_HP_TcpServer(s);
    Destroy_HP_TcpServerListener(sl);
}

int main(void) {
    server_options();
    agent_options();
    client_options();
    return t_finish("api_options");
}
