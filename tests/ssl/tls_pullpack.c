/* SSL PACK and SSL PULL between ours over loopback TLS: an SSLPackServer echoing messages of
 * many sizes to an SSLPackClient and an SSLPackAgent (every message whole, in order, after
 * OnHandShake), and an SSLPullServer echoing a 4-byte-length + body protocol, fetched with exact
 * lengths, to an SSLPullClient and an SSLPullAgent. Usage: tls_pullpack CERTDIR [small]
 * ("small": fewer and smaller messages, for valgrind) */
#include <errno.h>
#include <stdint.h>
#include "HPSocket4C-SSL.h"
#include "testutil.h"

static char dir[512];
static const char *path(const char *name) {
    static char buf[8][600];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, 600, "%s/%s", dir, name);
    return p;
}

#define FLAG 0x155
#define MAXPACK (2 * 1024 * 1024)
static const int all_sizes[] = { 1, 2, 100, 4095, 4096, 4097, 16383, 16384, 16385, 65536, 300000, 1048576 + 7 };
static const int small_sizes[] = { 1, 100, 16385, 70000 };
static const int *sizes;
static int nsizes;
#define MAXCONN 8

static BYTE byte_at(int len, int k) { return (BYTE)(k * 31 + len); }
static BYTE *make_msg(int len) {
    BYTE *m = (BYTE *)malloc((size_t)len);
    for (int k = 0; k < len; k++) m[k] = byte_at(len, k);
    return m;
}
static int msg_ok(const BYTE *p, int len, int want) {
    if (len != want) return 0;
    for (int k = 0; k < len; k++) if (p[k] != byte_at(len, k)) return 0;
    return 1;
}

/* ---------------- PACK ---------------- */
static volatile long ps_hs, ps_msgs, ps_before_hs;
static volatile long pk_got[MAXCONN], pk_bad[MAXCONN], pk_hs;
static HP_CONNID pk_ids[MAXCONN];
static int conn_index(HP_CONNID id) {
    for (int i = 0; i < MAXCONN; i++) if (pk_ids[i] == id) return i;
    return MAXCONN - 1;
}

static En_HP_HandleResult __HP_CALL ps_handshake(HP_Server s, HP_CONNID id) {
    __atomic_add_fetch(&ps_hs, 1, __ATOMIC_SEQ_CST);
    return HP_Server_SetConnectionExtra(s, id, (PVOID)1) ? HR_OK : HR_ERROR;
}
static En_HP_HandleResult __HP_CALL ps_receive(HP_Server s, HP_CONNID id, const BYTE *p, int n) {
    PVOID hs = NULL;
    HP_Server_GetConnectionExtra(s, id, &hs);
    if (!hs) __atomic_add_fetch(&ps_before_hs, 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&ps_msgs, 1, __ATOMIC_SEQ_CST);
    return HP_Server_Send(s, id, p, n) ? HR_OK : HR_ERROR;
}
static void pk_record(int i, const BYTE *p, int n) {
    long k = pk_got[i];
    if (k >= nsizes || !msg_ok(p, n, sizes[k])) {
        if (!pk_bad[i]) fprintf(stderr, "PACK conn %d message %ld: %d bytes, want %d\n", i, k, n, k < nsizes ? sizes[k] : -1);
        pk_bad[i]++;
    }
    __atomic_add_fetch(&pk_got[i], 1, __ATOMIC_SEQ_CST);
}
static En_HP_HandleResult __HP_CALL pc_handshake(HP_Client c, HP_CONNID id) { __atomic_add_fetch(&pk_hs, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL pc_receive(HP_Client c, HP_CONNID id, const BYTE *p, int n) { pk_record(0, p, n); return HR_OK; }
static En_HP_HandleResult __HP_CALL pa_handshake(HP_Agent a, HP_CONNID id) { __atomic_add_fetch(&pk_hs, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL pa_receive(HP_Agent a, HP_CONNID id, const BYTE *p, int n) { pk_record(conn_index(id), p, n); return HR_OK; }

static void pack_part(void) {
    HP_TcpPackServerListener sl = Create_HP_TcpPackServerListener();
    HP_Set_FN_Server_OnHandShake(sl, ps_handshake);
    HP_Set_FN_Server_OnReceive(sl, ps_receive);
    HP_SSLPackServer srv = Create_HP_SSLPackServer(sl);
    CHECK(HP_Server_IsSecure(srv));
    HP_TcpPackServer_SetMaxPackSize(srv, MAXPACK);
    HP_TcpPackServer_SetPackHeaderFlag(srv, FLAG);
    CHECK_EQ(HP_TcpPackServer_GetMaxPackSize(srv), MAXPACK);
    CHECK_EQ(HP_TcpPackServer_GetPackHeaderFlag(srv), FLAG);
    CHECK(HP_SSLServer_SetupSSLContext(srv, SSL_VM_NONE, path("server.pem"), path("server.key"), NULL, NULL, NULL));
    CHECK(HP_Server_Start(srv, "127.0.0.1", 0));
    TCHAR addr[64]; int alen = sizeof addr; USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(srv, addr, &alen, &port));

    /* client: every size, by Send and by SendPackets (one message of several buffers) */
    HP_TcpPackClientListener cl = Create_HP_TcpPackClientListener();
    HP_Set_FN_Client_OnHandShake(cl, pc_handshake);
    HP_Set_FN_Client_OnReceive(cl, pc_receive);
    HP_SSLPackClient cli = Create_HP_SSLPackClient(cl);
    HP_TcpPackClient_SetMaxPackSize(cli, MAXPACK);
    HP_TcpPackClient_SetPackHeaderFlag(cli, FLAG);
    CHECK(HP_SSLClient_SetupSSLContext(cli, SSL_VM_PEER, NULL, NULL, NULL, path("ca.pem")));
    CHECK(HP_Client_Start(cli, "localhost", port, FALSE));
    CHECK(wait_for(&pk_hs, 1, 20000));
    for (int i = 0; i < nsizes; i++) {
        BYTE *m = make_msg(sizes[i]);
        if (i % 2 == 0) CHECK(HP_Client_Send(cli, m, sizes[i]));
        else {
            int h = sizes[i] / 2;
            WSABUF b[2] = { { (UINT)h, m }, { (UINT)(sizes[i] - h), m + h } };
            CHECK(HP_Client_SendPackets(cli, b, 2));
        }
        free(m);
    }
    CHECK(wait_for(&pk_got[0], nsizes, 30000));
    CHECK_EQ(pk_got[0], nsizes);
    CHECK_EQ(pk_bad[0], 0);
    CHECK(HP_Client_Stop(cli));

    /* agent: three connections, all sizes on each, sent interleaved */
    HP_TcpPackAgentListener al = Create_HP_TcpPackAgentListener();
    HP_Set_FN_Agent_OnHandShake(al, pa_handshake);
    HP_Set_FN_Agent_OnReceive(al, pa_receive);
    HP_SSLPackAgent agt = Create_HP_SSLPackAgent(al);
    HP_TcpPackAgent_SetMaxPackSize(agt, MAXPACK);
    HP_TcpPackAgent_SetPackHeaderFlag(agt, FLAG);
    CHECK(HP_SSLAgent_SetupSSLContext(agt, SSL_VM_PEER, NULL, NULL, NULL, path("cadir")));
    CHECK(HP_Agent_Start(agt, NULL, FALSE));
    for (int c = 1; c <= 3; c++) CHECK(HP_Agent_Connect(agt, "localhost", port, &pk_ids[c]));
    CHECK(wait_for(&pk_hs, 4, 20000));
    for (int i = 0; i < nsizes; i++) {
        BYTE *m = make_msg(sizes[i]);
        for (int c = 1; c <= 3; c++) CHECK(HP_Agent_Send(agt, pk_ids[c], m, sizes[i]));
        free(m);
    }
    for (int c = 1; c <= 3; c++) {
        CHECK(wait_for(&pk_got[c], nsizes, 30000));
        CHECK_EQ(pk_got[c], nsizes);
        CHECK_EQ(pk_bad[c], 0);
    }
    CHECK_EQ(ps_hs, 4);
    CHECK_EQ(ps_msgs, 4 * nsizes);
    CHECK_EQ(ps_before_hs, 0);
    CHECK(HP_Agent_Stop(agt));
    CHECK(HP_Server_Stop(srv));
    Destroy_HP_SSLPackAgent(agt); Destroy_HP_TcpPackAgentListener(al);
    Destroy_HP_SSLPackClient(cli); Destroy_HP_TcpPackClientListener(cl);
    Destroy_HP_SSLPackServer(srv); Destroy_HP_TcpPackServerListener(sl);
}

/* ---------------- PULL ---------------- */
static volatile long pl_srv_msgs, pl_srv_bad, pl_hs;
static volatile long pl_got[MAXCONN], pl_bad[MAXCONN], pl_too_long;
static HP_CONNID pl_ids[MAXCONN];
static int pl_index(HP_CONNID id) {
    for (int i = 0; i < MAXCONN; i++) if (pl_ids[i] == id) return i;
    return MAXCONN - 1;
}
static uint32_t le32(const BYTE *h) { return (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24; }

/* The server: a whole message (head and body) in one exact Fetch, echoed. */
static En_HP_HandleResult __HP_CALL ls_pull(HP_Server s, HP_CONNID id, int total) {
    for (;;) {
        BYTE head[4];
        if (total < 4) return HR_OK;
        if (HP_TcpPullServer_Peek(s, id, head, 4) != FR_OK) return HR_ERROR;
        uint32_t len = le32(head);
        if ((long)total < 4 + (long)len) return HR_OK; /* the body is not all here yet */
        BYTE *m = (BYTE *)malloc(4 + len);
        if (HP_TcpPullServer_Fetch(s, id, m, (int)(4 + len)) != FR_OK) { free(m); return HR_ERROR; }
        if (le32(m) != len) __atomic_add_fetch(&pl_srv_bad, 1, __ATOMIC_SEQ_CST);
        total -= (int)(4 + len);
        __atomic_add_fetch(&pl_srv_msgs, 1, __ATOMIC_SEQ_CST);
        BOOL ok = HP_Server_Send(s, id, m, (int)(4 + len));
        free(m);
        if (!ok) return HR_ERROR;
    }
}

/* The clients: the head and the body in two exact Fetches once both are there. */
typedef En_HP_FetchResult (*fetch_fn)(PVOID h, HP_CONNID id, BYTE *p, int n);
static En_HP_FetchResult c_fetch(PVOID h, HP_CONNID id, BYTE *p, int n) { (void)id; return HP_TcpPullClient_Fetch(h, p, n); }
static En_HP_FetchResult c_peek(PVOID h, HP_CONNID id, BYTE *p, int n) { (void)id; return HP_TcpPullClient_Peek(h, p, n); }
static En_HP_FetchResult a_fetch(PVOID h, HP_CONNID id, BYTE *p, int n) { return HP_TcpPullAgent_Fetch(h, id, p, n); }
static En_HP_FetchResult a_peek(PVOID h, HP_CONNID id, BYTE *p, int n) { return HP_TcpPullAgent_Peek(h, id, p, n); }
static void pull_take(int i, PVOID h, HP_CONNID id, int total, fetch_fn fetch, fetch_fn peek) {
    for (;;) {
        BYTE head[4];
        if (total < 4 || peek(h, id, head, 4) != FR_OK) return;
        uint32_t len = le32(head);
        if ((long)total < 4 + (long)len) return;
        BYTE h2[4];
        if (fetch(h, id, h2, 4) != FR_OK || le32(h2) != len) { pl_bad[i]++; return; }
        BYTE *m = (BYTE *)malloc(len ? len : 1);
        En_HP_FetchResult r = len ? fetch(h, id, m, (int)len) : FR_OK;
        long k = pl_got[i];
        if (r != FR_OK || k >= nsizes || !msg_ok(m, (int)len, sizes[k])) {
            if (!pl_bad[i]) fprintf(stderr, "PULL conn %d message %ld: %u bytes (fetch %d), want %d\n", i, k, len, (int)r, k < nsizes ? sizes[k] : -1);
            pl_bad[i]++;
        }
        free(m);
        total -= (int)(4 + len);
        __atomic_add_fetch(&pl_got[i], 1, __ATOMIC_SEQ_CST);
    }
}
static En_HP_HandleResult __HP_CALL lc_handshake(HP_Client c, HP_CONNID id) { __atomic_add_fetch(&pl_hs, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL lc_pull(HP_Client c, HP_CONNID id, int total) {
    /* more than there is: refused, nothing taken */
    BYTE *probe = (BYTE *)malloc((size_t)total + 1);
    if (HP_TcpPullClient_Fetch(c, probe, total + 1) == FR_LENGTH_TOO_LONG) __atomic_add_fetch(&pl_too_long, 1, __ATOMIC_SEQ_CST);
    free(probe);
    pull_take(0, c, id, total, c_fetch, c_peek);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL la_handshake(HP_Agent a, HP_CONNID id) { __atomic_add_fetch(&pl_hs, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL la_pull(HP_Agent a, HP_CONNID id, int total) { pull_take(pl_index(id), a, id, total, a_fetch, a_peek); return HR_OK; }

static BYTE *framed(int len) {
    BYTE *m = (BYTE *)malloc(4 + (size_t)len);
    m[0] = (BYTE)len; m[1] = (BYTE)(len >> 8); m[2] = (BYTE)(len >> 16); m[3] = (BYTE)(len >> 24);
    for (int k = 0; k < len; k++) m[4 + k] = byte_at(len, k);
    return m;
}

static void pull_part(void) {
    HP_TcpPullServerListener sl = Create_HP_TcpPullServerListener();
    HP_Set_FN_Server_OnPullReceive(sl, ls_pull);
    HP_SSLPullServer srv = Create_HP_SSLPullServer(sl);
    CHECK(HP_Server_IsSecure(srv));
    CHECK(HP_SSLServer_SetupSSLContext(srv, SSL_VM_NONE, path("server.pem"), path("enc.key"), "hpsocket", NULL, NULL));
    CHECK(HP_Server_Start(srv, "127.0.0.1", 0));
    TCHAR addr[64]; int alen = sizeof addr; USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(srv, addr, &alen, &port));

    /* client: head and body in separate Sends; the first message a byte at a time */
    HP_TcpPullClientListener cl = Create_HP_TcpPullClientListener();
    HP_Set_FN_Client_OnHandShake(cl, lc_handshake);
    HP_Set_FN_Client_OnPullReceive(cl, lc_pull);
    HP_SSLPullClient cli = Create_HP_SSLPullClient(cl);
    CHECK(HP_SSLClient_SetupSSLContext(cli, SSL_VM_PEER, NULL, NULL, NULL, path("ca.pem")));
    CHECK(HP_Client_Start(cli, "localhost", port, FALSE));
    CHECK(wait_for(&pl_hs, 1, 20000));
    for (int i = 0; i < nsizes; i++) {
        BYTE *m = framed(sizes[i]);
        if (i == 0) {
            for (int k = 0; k < 4 + sizes[i]; k++) CHECK(HP_Client_Send(cli, m + k, 1));
        } else {
            CHECK(HP_Client_Send(cli, m, 4));
            CHECK(HP_Client_Send(cli, m + 4, sizes[i]));
        }
        free(m);
    }
    CHECK(wait_for(&pl_got[0], nsizes, 30000));
    CHECK_EQ(pl_got[0], nsizes);
    CHECK_EQ(pl_bad[0], 0);
    CHECK(pl_too_long > 0);
    CHECK(HP_Client_Stop(cli));

    /* agent: two connections; all messages of a connection in one Send */
    HP_TcpPullAgentListener al = Create_HP_TcpPullAgentListener();
    HP_Set_FN_Agent_OnHandShake(al, la_handshake);
    HP_Set_FN_Agent_OnPullReceive(al, la_pull);
    HP_SSLPullAgent agt = Create_HP_SSLPullAgent(al);
    CHECK(HP_SSLAgent_SetupSSLContext(agt, SSL_VM_PEER, NULL, NULL, NULL, path("ca.pem")));
    CHECK(HP_Agent_Start(agt, NULL, FALSE));
    for (int c = 1; c <= 2; c++) CHECK(HP_Agent_Connect(agt, "localhost", port, &pl_ids[c]));
    CHECK(wait_for(&pl_hs, 3, 20000));
    long total = 0;
    for (int i = 0; i < nsizes; i++) total += 4 + sizes[i];
    BYTE *all = (BYTE *)malloc((size_t)total);
    long at = 0;
    for (int i = 0; i < nsizes; i++) { BYTE *m = framed(sizes[i]); memcpy(all + at, m, 4 + (size_t)sizes[i]); at += 4 + sizes[i]; free(m); }
    for (int c = 1; c <= 2; c++) CHECK(HP_Agent_Send(agt, pl_ids[c], all, (int)total));
    free(all);
    for (int c = 1; c <= 2; c++) {
        CHECK(wait_for(&pl_got[c], nsizes, 30000));
        CHECK_EQ(pl_got[c], nsizes);
        CHECK_EQ(pl_bad[c], 0);
    }
    CHECK_EQ(pl_srv_msgs, 3 * nsizes);
    CHECK_EQ(pl_srv_bad, 0);
    CHECK(HP_Agent_Stop(agt));
    CHECK(HP_Server_Stop(srv));
    Destroy_HP_SSLPullAgent(agt); Destroy_HP_TcpPullAgentListener(al);
    Destroy_HP_SSLPullClient(cli); Destroy_HP_TcpPullClientListener(cl);
    Destroy_HP_SSLPullServer(srv); Destroy_HP_TcpPullServerListener(sl);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: tls_pullpack CERTDIR [small]\n"); return 2; }
    snprintf(dir, sizeof dir, "%s", argv[1]);
    int small = argc > 2 && strcmp(argv[2], "small") == 0;
    sizes = small ? small_sizes : all_sizes;
    nsizes = small ? (int)(sizeof small_sizes / sizeof *small_sizes) : (int)(sizeof all_sizes / sizeof *all_sizes);
    pack_part();
    pull_part();
    return t_finish("tls_pullpack");
}
