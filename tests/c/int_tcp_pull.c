/* TcpPullServer / TcpPullAgent / TcpPullClient: a head+body protocol (4-byte length, then the
 * body) echoed through Fetch/Peek, Fetch's results, Fetch from another thread, and the buffer's
 * bound when the application does not fetch. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "HPSocket4C.h"
#include "testutil.h"

/* --- server: reads whole head+body messages inside OnPullReceive and echoes them --- */
static volatile long s_msgs, s_total_seen, s_fetch_mode; /* mode 0: fetch in callback; 1: don't */
static volatile long s_max_total;
static En_HP_HandleResult __HP_CALL s_pull(HP_Server s, HP_CONNID id, int total) {
    __atomic_store_n(&s_total_seen, total, __ATOMIC_SEQ_CST);
    if (total > s_max_total) s_max_total = total;
    if (s_fetch_mode) return HR_OK;
    for (;;) {
        BYTE head[4];
        if (HP_TcpPullServer_Peek(s, id, head, 4) != FR_OK) return HR_OK;
        uint32_t len = (uint32_t)head[0] | (uint32_t)head[1] << 8 | (uint32_t)head[2] << 16 | (uint32_t)head[3] << 24;
        BYTE *msg = (BYTE *)malloc(4 + len);
        En_HP_FetchResult r = HP_TcpPullServer_Fetch(s, id, msg, (int)(4 + len));
        if (r == FR_LENGTH_TOO_LONG) { free(msg); return HR_OK; } /* body not complete yet */
        if (r != FR_OK) { free(msg); return HR_ERROR; }
        __atomic_add_fetch(&s_msgs, 1, __ATOMIC_SEQ_CST);
        BOOL ok = HP_Server_Send(s, id, msg, (int)(4 + len));
        free(msg);
        if (!ok) return HR_ERROR;
    }
}
static volatile HP_CONNID s_last_id;
static En_HP_HandleResult __HP_CALL s_accept(HP_Server s, HP_CONNID id, UINT_PTR so) { (void)s; (void)so; s_last_id = id; return HR_OK; }

/* --- client: the same protocol on the way back --- */
static volatile long c_msgs, c_bad;
static long c_expect_len[64];
static En_HP_HandleResult __HP_CALL c_pull(HP_Client c, HP_CONNID id, int total) {
    (void)id; (void)total;
    for (;;) {
        BYTE head[4];
        if (HP_TcpPullClient_Peek(c, head, 4) != FR_OK) return HR_OK;
        uint32_t len = (uint32_t)head[0] | (uint32_t)head[1] << 8 | (uint32_t)head[2] << 16 | (uint32_t)head[3] << 24;
        BYTE *msg = (BYTE *)malloc(4 + len);
        if (HP_TcpPullClient_Fetch(c, msg, (int)(4 + len)) != FR_OK) { free(msg); return HR_OK; }
        long i = c_msgs;
        if (i < 64 && (long)len != c_expect_len[i]) c_bad++;
        for (uint32_t k = 0; k < len; k++) if (msg[4 + k] != (BYTE)(k + len)) { c_bad++; break; }
        free(msg);
        __atomic_add_fetch(&c_msgs, 1, __ATOMIC_SEQ_CST);
    }
}

static volatile long a_total;
static En_HP_HandleResult __HP_CALL a_pull(HP_Agent a, HP_CONNID id, int total) { (void)a; (void)id; a_total = total; return HR_OK; }

static int send_msg(HP_TcpPullClient c, uint32_t len) {
    BYTE *m = (BYTE *)malloc(4 + len);
    m[0] = (BYTE)len; m[1] = (BYTE)(len >> 8); m[2] = (BYTE)(len >> 16); m[3] = (BYTE)(len >> 24);
    for (uint32_t k = 0; k < len; k++) m[4 + k] = (BYTE)(k + len);
    /* head and body in separate calls, as head+body protocols usually do */
    int ok = HP_Client_Send(c, m, 4) && HP_Client_Send(c, m + 4, (int)len);
    free(m);
    return ok;
}

/* Fetch from a thread that is not the connection's */
static HP_TcpPullServer g_srv;
static volatile long t_fetched;
static void *fetcher(void *arg) {
    long want = (long)arg;
    BYTE buf[1000];
    while (t_fetched < want) {
        long left = want - t_fetched;
        int n = left < 1000 ? (int)left : 1000;
        if (HP_TcpPullServer_Fetch(g_srv, s_last_id, buf, n) == FR_OK) t_fetched += n;
        else sleep_ms(1);
    }
    return NULL;
}

int main(void) {
    HP_TcpPullServerListener sl = Create_HP_TcpPullServerListener();
    HP_Set_FN_Server_OnPullReceive(sl, s_pull);
    HP_Set_FN_Server_OnAccept(sl, s_accept);
    HP_TcpPullServer s = Create_HP_TcpPullServer(sl);
    g_srv = s;
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    TCHAR addr[64]; int alen = sizeof addr; USHORT port;
    CHECK(HP_Server_GetListenAddress(s, addr, &alen, &port));

    HP_TcpPullClientListener cl = Create_HP_TcpPullClientListener();
    HP_Set_FN_Client_OnPullReceive(cl, c_pull);
    HP_TcpPullClient c = Create_HP_TcpPullClient(cl);
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    uint32_t lens[6] = {1, 10, 1000, 4096, 65536, 1000000};
    for (int i = 0; i < 6; i++) { c_expect_len[i] = lens[i]; CHECK(send_msg(c, lens[i])); }
    CHECK(wait_for(&c_msgs, 6, 10000));
    CHECK_EQ(c_bad, 0);
    CHECK_EQ(s_msgs, 6);

    /* Fetch's answers, and Peek then Fetch, on a connection the server does not fetch from */
    s_fetch_mode = 1;
    s_total_seen = 0;
    BYTE b[16];
    CHECK(HP_Client_Send(c, (const BYTE *)"abcdef", 6));
    CHECK(wait_for(&s_total_seen, 6, 5000));
    HP_CONNID id = s_last_id;
    CHECK_EQ(HP_TcpPullServer_Fetch(s, id, b, 7), FR_LENGTH_TOO_LONG);
    CHECK_EQ(HP_TcpPullServer_Peek(s, id, b, 7), FR_LENGTH_TOO_LONG);
    CHECK_EQ(HP_TcpPullServer_Peek(s, id, b, 3), FR_OK);
    CHECK(memcmp(b, "abc", 3) == 0);
    CHECK_EQ(HP_TcpPullServer_Fetch(s, id, b, 3), FR_OK);
    CHECK(memcmp(b, "abc", 3) == 0);
    CHECK_EQ(HP_TcpPullServer_Fetch(s, id, b, 3), FR_OK);
    CHECK(memcmp(b, "def", 3) == 0);
    CHECK_EQ(HP_TcpPullServer_Fetch(s, id, b, 1), FR_LENGTH_TOO_LONG);
    CHECK_EQ(HP_TcpPullServer_Fetch(s, id, b, 0), FR_OK);
    CHECK_EQ(HP_TcpPullServer_Fetch(s, 99999, b, 1), FR_DATA_NOT_FOUND);
    CHECK_EQ(HP_TcpPullServer_Fetch(s, id, NULL, 1), FR_DATA_NOT_FOUND);
    CHECK_EQ(HP_TcpPullServer_Fetch(NULL, id, b, 1), FR_DATA_NOT_FOUND);
    CHECK_EQ(HP_TcpPullServer_Fetch((HP_TcpPullServer)c, id, b, 1), FR_DATA_NOT_FOUND);

    /* The buffer is bounded: 10 MB sent, nobody fetching, then a thread fetches it all */
    static BYTE big[1 << 20];
    s_max_total = 0;
    for (int i = 0; i < 10; i++) CHECK(HP_Client_Send(c, big, sizeof big));
    sleep_ms(300);
    CHECK(s_max_total >= 4 * 1024 * 1024);
    CHECK(s_max_total < 4 * 1024 * 1024 + 64 * 1024);
    pthread_t th;
    pthread_create(&th, NULL, fetcher, (void *)(long)(10 << 20));
    pthread_join(th, NULL);
    CHECK_EQ(t_fetched, 10 << 20);
    CHECK_EQ(HP_TcpPullServer_Fetch(s, id, b, 1), FR_LENGTH_TOO_LONG);

    /* after close, the connection's data is gone */
    s_total_seen = 0;
    CHECK(HP_Client_Send(c, (const BYTE *)"zz", 2));
    CHECK(wait_for(&s_total_seen, 2, 5000));
    CHECK(HP_Client_Stop(c));
    for (int i = 0; i < 100 && HP_Server_GetConnectionCount(s) > 0; i++) sleep_ms(10);
    CHECK_EQ(HP_TcpPullServer_Fetch(s, id, b, 2), FR_DATA_NOT_FOUND);
    CHECK_EQ(HP_TcpPullClient_Fetch(c, b, 1), FR_DATA_NOT_FOUND);

    /* PullAgent: OnPullReceive totals, Peek / Fetch per connection */
    HP_TcpPullAgentListener al = Create_HP_TcpPullAgentListener();
    HP_Set_FN_Agent_OnPullReceive(al, a_pull);
    HP_TcpPullAgent a = Create_HP_TcpPullAgent(al);
    CHECK(HP_Agent_Start(a, NULL, FALSE));
    HP_CONNID aid;
    CHECK(HP_Agent_Connect(a, "127.0.0.1", port, &aid));
    sleep_ms(50);
    CHECK(HP_Server_Send(s, s_last_id, (const BYTE *)"hello", 5));
    CHECK(wait_for(&a_total, 5, 5000));
    CHECK_EQ(HP_TcpPullAgent_Peek(a, aid, b, 5), FR_OK);
    CHECK_EQ(HP_TcpPullAgent_Fetch(a, aid, b, 6), FR_LENGTH_TOO_LONG);
    CHECK_EQ(HP_TcpPullAgent_Fetch(a, aid, b, 5), FR_OK);
    CHECK(memcmp(b, "hello", 5) == 0);
    CHECK(HP_Agent_Stop(a));

    CHECK(HP_Server_Stop(s));
    Destroy_HP_TcpPullAgent(a); Destroy_HP_TcpPullAgentListener(al);
    Destroy_HP_TcpPullClient(c); Destroy_HP_TcpPullClientListener(cl);
    Destroy_HP_TcpPullServer(s); Destroy_HP_TcpPullServerListener(sl);
    return t_finish("int_tcp_pull");
}
