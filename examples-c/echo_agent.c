/* echo_agent: one TcpAgent holding several connections to an echo server; each connection sends
 * its own bytes and checks its own echo. Connection state lives in the connection's "extra".
 *
 *   usage: echo_agent [host] [port] [connections] [bytes per connection]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "HPSocket4C.h"

typedef struct {
    HP_CONNID id;
    long sent, received;
    int bad;
} Conn;

static volatile long g_done, g_closed;

static BYTE pattern(HP_CONNID id, long i) { return (BYTE)(id * 31 + i); }

static En_HP_HandleResult __HP_CALL OnConnect(HP_Agent sender, HP_CONNID id)
{
    Conn *c = calloc(1, sizeof(Conn));
    c->id = id;
    HP_Agent_SetConnectionExtra(sender, id, c);
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL OnReceive(HP_Agent sender, HP_CONNID id, const BYTE *data, int len)
{
    PVOID extra = NULL;
    if (!HP_Agent_GetConnectionExtra(sender, id, &extra) || extra == NULL)
        return HR_ERROR;
    Conn *c = extra;
    for (int i = 0; i < len; i++)
        if (data[i] != pattern(id, c->received + i))
            c->bad = 1;
    c->received += len;
    if (c->received == __atomic_load_n(&c->sent, __ATOMIC_ACQUIRE))
        __atomic_add_fetch(&g_done, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL OnClose(HP_Agent sender, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    PVOID extra = NULL;
    (void)op; (void)err;
    if (HP_Agent_GetConnectionExtra(sender, id, &extra))
        free(extra);
    HP_Agent_SetConnectionExtra(sender, id, NULL);
    __atomic_add_fetch(&g_closed, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}

int main(int argc, char **argv)
{
    const char *host = argc > 1 ? argv[1] : "127.0.0.1";
    USHORT port = (USHORT)(argc > 2 ? atoi(argv[2]) : 5555);
    int conns = argc > 3 ? atoi(argv[3]) : 8;
    long bytes = argc > 4 ? atol(argv[4]) : 100000;
    if (conns <= 0 || conns > 1000 || bytes <= 0) { fprintf(stderr, "bad arguments\n"); return 2; }

    HP_TcpAgentListener listener = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnConnect(listener, OnConnect);
    HP_Set_FN_Agent_OnReceive(listener, OnReceive);
    HP_Set_FN_Agent_OnClose(listener, OnClose);
    HP_TcpAgent agent = Create_HP_TcpAgent(listener);

    /* bAsyncConnect = FALSE: each Connect returns once that connection is up. */
    if (!HP_Agent_Start(agent, NULL, FALSE)) {
        fprintf(stderr, "[agent] start failed: %s\n", HP_Agent_GetLastErrorDesc(agent));
        return 1;
    }
    HP_CONNID *ids = calloc((size_t)conns, sizeof(HP_CONNID));
    for (int i = 0; i < conns; i++) {
        if (!HP_Agent_Connect(agent, host, port, &ids[i])) {
            fprintf(stderr, "[agent] connect failed: %s\n", HP_Agent_GetLastErrorDesc(agent));
            return 1;
        }
    }
    printf("[agent] %d connections up\n", conns);

    /* Send each connection's bytes in 1000-byte calls; record the total first so that OnReceive
     * can tell when everything came back. */
    BYTE *buf = malloc((size_t)bytes);
    for (int i = 0; i < conns; i++) {
        PVOID extra = NULL;
        /* OnConnect runs on a worker thread and may still be on its way */
        for (int ms = 0; ms < 5000 && (!HP_Agent_GetConnectionExtra(agent, ids[i], &extra) || extra == NULL); ms++)
            usleep(1000);
        if (extra == NULL) { fprintf(stderr, "[agent] connection %d never connected\n", i); return 1; }
        __atomic_store_n(&((Conn *)extra)->sent, bytes, __ATOMIC_RELEASE);
        for (long j = 0; j < bytes; j++)
            buf[j] = pattern(ids[i], j);
        for (long off = 0; off < bytes; off += 1000) {
            int n = (int)(bytes - off < 1000 ? bytes - off : 1000);
            if (!HP_Agent_Send(agent, ids[i], buf + off, n)) { fprintf(stderr, "[agent] send failed\n"); return 1; }
        }
    }

    for (int ms = 0; g_done < conns && g_closed == 0 && ms < 20000; ms += 10)
        usleep(10 * 1000);
    int bad = 0;
    for (int i = 0; i < conns; i++) {
        PVOID extra = NULL;
        if (!HP_Agent_GetConnectionExtra(agent, ids[i], &extra) || extra == NULL || ((Conn *)extra)->bad)
            bad = 1;
    }
    int ok = g_done == conns && !bad;

    HP_Agent_Stop(agent); /* closes every connection; OnClose frees each Conn */
    Destroy_HP_TcpAgent(agent);
    Destroy_HP_TcpAgentListener(listener);
    printf("[agent] %s: %ld of %d connections echoed %ld bytes each\n", ok ? "OK" : "FAILED", g_done, conns, bytes);
    free(buf);
    free(ids);
    return ok ? 0 : 1;
}
