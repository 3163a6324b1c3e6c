/* The SSL components' connection states between ours over loopback:
 *  A. Send before the handshake is done (a peer that never answers): FALSE, EPERM, on the
 *     client, the agent and the server.
 *  B. Auto handshake off on both ends (server, client, agent): plain text first, OnHandShake
 *     only after StartSSLHandShake and the TLS handshake, GetSSLSessionInfo refused before it,
 *     StartSSLHandShake's errors (EBADSLT, EALREADY), SetSSLAutoHandShake only while stopped.
 *  C. PauseReceive on a TLS connection, then resume: nothing lost.
 *  D. Forty agent connections handshaking and echoing at once.
 *  E. Stop and Start again with the same contexts (server and client).
 *  G. A client whose connection closed by itself (a failed handshake), stopped from another
 *     thread while its OnClose runs: Stop returns once it is stopped, as upstream's does.
 *  F. Every kind of send over TLS: SendPackets, SendPart, a zero length, SendSmallFile from the
 *     client (echoed) and from the server; the client started with an asynchronous connect.
 * Usage: tls_states CERTDIR [G]   (G: part G alone; else A to F) */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
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

static USHORT listen_port(HP_Server s) {
    TCHAR addr[64]; int alen = sizeof addr; USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(s, addr, &alen, &port));
    return port;
}

/* A plain TCP socket listening on loopback, never answering. */
static int silent_listener(USHORT *port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
    CHECK(listen(fd, 16) == 0);
    socklen_t len = sizeof a;
    CHECK(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
    *port = ntohs(a.sin_port);
    return fd;
}
static int raw_connect(USHORT port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    return fd;
}

/* Waits until the connection's TLS session exists (GetSSLSessionInfo answers): between
 * OnConnect / OnAccept and that moment the connection has no session yet and, as upstream's,
 * would send in the clear. */
typedef BOOL (*info_fn)(PVOID h, HP_CONNID id, En_HP_SSLSessionInfo item, LPVOID *out);
static BOOL cli_info(PVOID h, HP_CONNID id, En_HP_SSLSessionInfo item, LPVOID *out) { (void)id; return HP_SSLClient_GetSSLSessionInfo(h, item, out); }
static BOOL agt_info(PVOID h, HP_CONNID id, En_HP_SSLSessionInfo item, LPVOID *out) { return HP_SSLAgent_GetSSLSessionInfo(h, id, item, out); }
static BOOL srv_info(PVOID h, HP_CONNID id, En_HP_SSLSessionInfo item, LPVOID *out) { return HP_SSLServer_GetSSLSessionInfo(h, id, item, out); }
static int wait_session(info_fn f, PVOID h, HP_CONNID id) {
    for (int i = 0; i < 20000; i++) {
        LPVOID v = NULL;
        if (f(h, id, SSL_SSI_CTX, &v) && v) return 1;
        sleep_ms(1);
    }
    return 0;
}

/* ---------------- the server: echo, with a STARTTLS command while in the clear ---------------- */
static volatile long s_accepts, s_hs, s_closes, s_rx, s_plain_rx, s_start_ok, s_again_errno;
static volatile HP_CONNID s_last;
static char s_plain[256];
static int s_noauto;
static En_HP_HandleResult __HP_CALL s_accept(HP_Server s, HP_CONNID id, UINT_PTR so) {
    s_last = id;
    __atomic_add_fetch(&s_accepts, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL s_handshake(HP_Server s, HP_CONNID id) {
    return HP_Server_SetConnectionExtra(s, id, (PVOID)1) && __atomic_add_fetch(&s_hs, 1, __ATOMIC_SEQ_CST) ? HR_OK : HR_ERROR;
}
static En_HP_HandleResult __HP_CALL s_receive(HP_Server s, HP_CONNID id, const BYTE *p, int n) {
    PVOID tls = NULL;
    HP_Server_GetConnectionExtra(s, id, &tls);
    if (s_noauto && !tls) {
        __atomic_add_fetch(&s_plain_rx, n, __ATOMIC_SEQ_CST);
        if (n == 9 && memcmp(p, "STARTTLS\n", 9) == 0) {
            if (!HP_Server_Send(s, id, (const BYTE *)"GO\n", 3)) return HR_ERROR;
            if (HP_SSLServer_StartSSLHandShake(s, id)) __atomic_add_fetch(&s_start_ok, 1, __ATOMIC_SEQ_CST);
            errno = 0;
            CHECK(!HP_SSLServer_StartSSLHandShake(s, id));
            s_again_errno = errno;
            return HR_OK;
        }
        if (n < (int)sizeof s_plain) { memcpy(s_plain, p, (size_t)n); s_plain[n] = 0; }
    } else {
        __atomic_add_fetch(&s_rx, n, __ATOMIC_SEQ_CST);
    }
    return HP_Server_Send(s, id, p, n) ? HR_OK : HR_ERROR;
}
static En_HP_HandleResult __HP_CALL s_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int err) { __atomic_add_fetch(&s_closes, 1, __ATOMIC_SEQ_CST); return HR_OK; }

/* ---------------- client and agent ---------------- */
static volatile long c_connect, c_hs, c_rx, c_closed, c_go;
static BYTE c_buf[16384];
static En_HP_HandleResult __HP_CALL c_on_connect(HP_Client c, HP_CONNID id) { __atomic_add_fetch(&c_connect, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL c_handshake(HP_Client c, HP_CONNID id) { __atomic_add_fetch(&c_hs, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL c_receive(HP_Client c, HP_CONNID id, const BYTE *p, int n) {
    long at = c_rx;
    if (at + n <= (long)sizeof c_buf) memcpy(c_buf + at, p, (size_t)n);
    if (n == 3 && memcmp(p, "GO\n", 3) == 0) __atomic_store_n(&c_go, 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&c_rx, n, __ATOMIC_SEQ_CST);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL c_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int err) { __atomic_add_fetch(&c_closed, 1, __ATOMIC_SEQ_CST); return HR_OK; }

#define NAGENT 40
static volatile long a_connect, a_hs, a_rx_total, a_go, a_closed;
static volatile long a_rx[NAGENT + 1];
static HP_CONNID a_ids[NAGENT + 1];
static int a_index(HP_CONNID id) {
    for (int i = 0; i <= NAGENT; i++) if (a_ids[i] == id) return i;
    return 0;
}
static En_HP_HandleResult __HP_CALL a_on_connect(HP_Agent a, HP_CONNID id) { __atomic_add_fetch(&a_connect, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL a_handshake(HP_Agent a, HP_CONNID id) { __atomic_add_fetch(&a_hs, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL a_receive(HP_Agent a, HP_CONNID id, const BYTE *p, int n) {
    if (n == 3 && memcmp(p, "GO\n", 3) == 0) __atomic_store_n(&a_go, 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&a_rx[a_index(id)], n, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&a_rx_total, n, __ATOMIC_SEQ_CST);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL a_close(HP_Agent a, HP_CONNID id, En_HP_SocketOperation op, int err) { __atomic_add_fetch(&a_closed, 1, __ATOMIC_SEQ_CST); return HR_OK; }

static HP_TcpServerListener g_sl;
static HP_TcpClientListener g_cl;
static HP_TcpAgentListener g_al;

static HP_SSLServer new_server(int noauto) {
    HP_SSLServer s = Create_HP_SSLServer(g_sl);
    if (noauto) HP_SSLServer_SetSSLAutoHandShake(s, FALSE);
    CHECK(HP_SSLServer_SetupSSLContext(s, SSL_VM_NONE, path("server.pem"), path("server.key"), NULL, NULL, NULL));
    s_noauto = noauto;
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    return s;
}

static void reset_counters(void) {
    s_accepts = s_hs = s_closes = s_rx = s_plain_rx = s_start_ok = 0; s_again_errno = -1;
    c_connect = c_hs = c_rx = c_closed = c_go = 0;
    a_connect = a_hs = a_rx_total = a_go = a_closed = 0;
    memset((void *)a_rx, 0, sizeof a_rx);
}

static void part_a_send_before_handshake(void) {
    fprintf(stderr, "-- A\n");
    reset_counters();
    USHORT port;
    int lfd = silent_listener(&port);
    HP_SSLClient c = Create_HP_SSLClient(g_cl);
    CHECK(HP_SSLClient_SetupSSLContext(c, SSL_VM_NONE, NULL, NULL, NULL, NULL));
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(wait_for(&c_connect, 1, 20000));
    CHECK(wait_session(cli_info, c, 0)); /* the session exists, mid-handshake */
    errno = 0;
    CHECK(!HP_Client_Send(c, (const BYTE *)"early", 5));
    CHECK_EQ(errno, EPERM);
    CHECK_EQ(c_hs, 0);
    HP_Client_Stop(c);
    Destroy_HP_SSLClient(c);

    HP_SSLAgent a = Create_HP_SSLAgent(g_al);
    CHECK(HP_SSLAgent_SetupSSLContext(a, SSL_VM_NONE, NULL, NULL, NULL, NULL));
    CHECK(HP_Agent_Start(a, NULL, FALSE));
    HP_CONNID id = 0;
    CHECK(HP_Agent_Connect(a, "127.0.0.1", port, &id));
    CHECK(wait_for(&a_connect, 1, 20000));
    CHECK(wait_session(agt_info, a, id));
    errno = 0;
    CHECK(!HP_Agent_Send(a, id, (const BYTE *)"early", 5));
    CHECK_EQ(errno, EPERM);
    WSABUF b = { 5, (BYTE *)"early" };
    errno = 0;
    CHECK(!HP_Agent_SendPackets(a, id, &b, 1));
    CHECK_EQ(errno, EPERM);
    CHECK(HP_Agent_Stop(a));
    Destroy_HP_SSLAgent(a);
    close(lfd);

    /* the server side: a raw client that never sends its hello */
    HP_SSLServer s = new_server(0);
    int fd = raw_connect(listen_port(s));
    CHECK(wait_for(&s_accepts, 1, 20000));
    CHECK(wait_session(srv_info, s, s_last));
    errno = 0;
    CHECK(!HP_Server_Send(s, s_last, (const BYTE *)"early", 5));
    CHECK_EQ(errno, EPERM);
    CHECK_EQ(s_hs, 0);
    CHECK(HP_Server_Disconnect(s, s_last, TRUE));
    CHECK(wait_for(&s_closes, 1, 20000));
    close(fd);
    CHECK(HP_Server_Stop(s));
    Destroy_HP_SSLServer(s);
}

static void part_b_auto_off(void) {
    fprintf(stderr, "-- B\n");
    reset_counters();
    HP_SSLServer s = new_server(1);
    CHECK(!HP_SSLServer_IsSSLAutoHandShake(s));
    HP_SSLServer_SetSSLAutoHandShake(s, TRUE); /* only while stopped */
    CHECK(!HP_SSLServer_IsSSLAutoHandShake(s));
    USHORT port = listen_port(s);
    errno = 0;
    CHECK(!HP_SSLServer_StartSSLHandShake(s, 999999));
    CHECK_EQ(errno, EBADSLT);

    HP_SSLClient c = Create_HP_SSLClient(g_cl);
    CHECK(HP_Client_IsSecure(c));
    HP_SSLClient_SetSSLAutoHandShake(c, FALSE);
    CHECK(!HP_SSLClient_IsSSLAutoHandShake(c));
    CHECK(HP_SSLClient_SetupSSLContext(c, SSL_VM_PEER, NULL, NULL, NULL, path("ca.pem")));
    CHECK(HP_Client_Start(c, "localhost", port, FALSE));
    CHECK(wait_for(&c_connect, 1, 20000));
    CHECK(wait_for(&s_accepts, 1, 20000));
    HP_CONNID sid = s_last;
    /* in the clear: no session yet */
    LPVOID v = (LPVOID)1;
    errno = 0;
    CHECK(!HP_SSLServer_GetSSLSessionInfo(s, sid, SSL_SSI_VERSION, &v));
    CHECK_EQ(errno, EPERM);
    errno = 0;
    CHECK(!HP_SSLClient_GetSSLSessionInfo(c, SSL_SSI_VERSION, &v));
    CHECK_EQ(errno, EPERM);
    CHECK(HP_Client_Send(c, (const BYTE *)"hello plain\n", 12));
    CHECK(wait_for(&c_rx, 12, 20000));
    CHECK(memcmp(c_buf, "hello plain\n", 12) == 0);
    CHECK(strcmp(s_plain, "hello plain\n") == 0);
    CHECK_EQ(s_hs, 0);
    CHECK_EQ(c_hs, 0);
    /* STARTTLS: the server answers GO and starts; the client starts when it reads GO */
    CHECK(HP_Client_Send(c, (const BYTE *)"STARTTLS\n", 9));
    CHECK(wait_for(&c_go, 1, 20000));
    CHECK(HP_SSLClient_StartSSLHandShake(c));
    errno = 0;
    CHECK(!HP_SSLClient_StartSSLHandShake(c));
    CHECK_EQ(errno, EALREADY);
    CHECK(wait_for(&c_hs, 1, 20000));
    CHECK(wait_for(&s_hs, 1, 20000));
    CHECK_EQ(s_start_ok, 1);
    CHECK_EQ(s_again_errno, EALREADY);
    CHECK(HP_SSLServer_GetSSLSessionInfo(s, sid, SSL_SSI_VERSION, &v));
    CHECK(v && strcmp((const char *)v, "TLSv1.3") == 0);
    CHECK(HP_SSLServer_GetSSLSessionInfo(s, sid, SSL_SSI_SERVER_NAME, &v));
    CHECK(v && strcmp((const char *)v, "localhost") == 0);
    long before = c_rx;
    CHECK(HP_Client_Send(c, (const BYTE *)"secret", 6));
    CHECK(wait_for(&c_rx, before + 6, 20000));
    CHECK(memcmp(c_buf + before, "secret", 6) == 0);
    CHECK(wait_for(&s_rx, 6, 20000));
    CHECK_EQ(s_plain_rx, 12 + 9);
    CHECK_EQ(s_hs, 1);
    CHECK_EQ(c_hs, 1);
    HP_Client_Stop(c);
    Destroy_HP_SSLClient(c);

    /* the agent the same way */
    HP_SSLAgent a = Create_HP_SSLAgent(g_al);
    HP_SSLAgent_SetSSLAutoHandShake(a, FALSE);
    CHECK(!HP_SSLAgent_IsSSLAutoHandShake(a));
    CHECK(HP_SSLAgent_SetupSSLContext(a, SSL_VM_PEER, NULL, NULL, NULL, path("ca.pem")));
    CHECK(HP_Agent_Start(a, NULL, FALSE));
    HP_SSLAgent_SetSSLAutoHandShake(a, TRUE); /* ignored: started */
    CHECK(!HP_SSLAgent_IsSSLAutoHandShake(a));
    memset(a_ids, 0, sizeof a_ids);
    CHECK(HP_Agent_Connect(a, "localhost", port, &a_ids[1]));
    CHECK(wait_for(&a_connect, 1, 20000));
    errno = 0;
    CHECK(!HP_SSLAgent_StartSSLHandShake(a, a_ids[1] + 100));
    CHECK_EQ(errno, EBADSLT);
    CHECK(HP_Agent_Send(a, a_ids[1], (const BYTE *)"STARTTLS\n", 9));
    CHECK(wait_for(&a_go, 1, 20000));
    CHECK_EQ(a_hs, 0);
    CHECK(HP_SSLAgent_StartSSLHandShake(a, a_ids[1]));
    CHECK(wait_for(&a_hs, 1, 20000));
    CHECK(wait_for(&s_hs, 2, 20000));
    CHECK(HP_Agent_Send(a, a_ids[1], (const BYTE *)"agent secret", 12));
    CHECK(wait_for(&a_rx[1], 3 + 12, 20000));
    CHECK(wait_for(&s_rx, 6 + 12, 20000));
    CHECK(HP_Agent_Stop(a));
    Destroy_HP_SSLAgent(a);
    CHECK(HP_Server_Stop(s));
    Destroy_HP_SSLServer(s);
}

static void part_c_pause(void) {
    fprintf(stderr, "-- C\n");
    reset_counters();
    HP_SSLServer s = new_server(0);
    HP_SSLClient c = Create_HP_SSLClient(g_cl);
    CHECK(HP_SSLClient_SetupSSLContext(c, SSL_VM_PEER, NULL, NULL, NULL, path("ca.pem")));
    CHECK(HP_Client_Start(c, "localhost", listen_port(s), FALSE));
    CHECK(wait_for(&c_hs, 1, 20000));
    CHECK(wait_for(&s_hs, 1, 20000));
    CHECK(HP_Server_PauseReceive(s, s_last, TRUE));
    BOOL paused = FALSE;
    CHECK(HP_Server_IsPauseReceive(s, s_last, &paused));
    CHECK(paused);
    BYTE msg[3000];
    for (int i = 0; i < 3000; i++) msg[i] = (BYTE)(i * 13);
    CHECK(HP_Client_Send(c, msg, 3000));
    sleep_ms(200);
    CHECK_EQ(s_rx, 0); /* held back while paused */
    CHECK(HP_Server_PauseReceive(s, s_last, FALSE));
    CHECK(wait_for(&s_rx, 3000, 20000));
    CHECK(wait_for(&c_rx, 3000, 20000));
    CHECK(memcmp(c_buf, msg, 3000) == 0);
    /* Stop and Start again with the same contexts: server and client */
    HP_Client_Stop(c);
    CHECK(HP_Server_Stop(s));
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    c_hs = c_rx = 0;
    CHECK(HP_Client_Start(c, "localhost", listen_port(s), FALSE));
    CHECK(wait_for(&c_hs, 1, 20000));
    CHECK(HP_Client_Send(c, msg, 100));
    CHECK(wait_for(&c_rx, 100, 20000));
    CHECK(memcmp(c_buf, msg, 100) == 0);
    HP_Client_Stop(c);
    Destroy_HP_SSLClient(c);
    CHECK(HP_Server_Stop(s));
    Destroy_HP_SSLServer(s);
}

static void part_d_many(void) {
    fprintf(stderr, "-- D\n");
    reset_counters();
    HP_SSLServer s = new_server(0);
    USHORT port = listen_port(s);
    HP_SSLAgent a = Create_HP_SSLAgent(g_al);
    CHECK(HP_SSLAgent_SetupSSLContext(a, SSL_VM_PEER, NULL, NULL, NULL, path("ca.pem")));
    HP_Agent_SetWorkerThreadCount(a, 4);
    CHECK(HP_Agent_Start(a, NULL, TRUE));
    memset(a_ids, 0, sizeof a_ids);
    for (int i = 1; i <= NAGENT; i++) CHECK(HP_Agent_Connect(a, "localhost", port, &a_ids[i]));
    CHECK(wait_for(&a_hs, NAGENT, 30000));
    CHECK(wait_for(&s_hs, NAGENT, 30000));
    BYTE msg[1000];
    for (int i = 0; i < 1000; i++) msg[i] = (BYTE)i;
    for (int i = 1; i <= NAGENT; i++) CHECK(HP_Agent_Send(a, a_ids[i], msg, 1000));
    CHECK(wait_for(&a_rx_total, NAGENT * 1000L, 30000));
    for (int i = 1; i <= NAGENT; i++) CHECK_EQ(a_rx[i], 1000);
    CHECK_EQ(a_hs, NAGENT);
    CHECK_EQ(s_hs, NAGENT);
    CHECK_EQ(a_closed, 0);
    CHECK(HP_Agent_Stop(a));
    CHECK_EQ(a_closed, NAGENT);
    CHECK(wait_for(&s_closes, NAGENT, 20000));
    Destroy_HP_SSLAgent(a);
    CHECK(HP_Server_Stop(s));
    Destroy_HP_SSLServer(s);
}

static long slurp_into(const char *name, BYTE *out, long cap) {
    FILE *f = fopen(path(name), "rb");
    if (!f) return -1;
    long n = (long)fread(out, 1, (size_t)cap, f);
    fclose(f);
    return n;
}

static void part_f_send_kinds(void) {
    fprintf(stderr, "-- F\n");
    reset_counters();
    HP_SSLServer s = new_server(0);
    HP_SSLClient c = Create_HP_SSLClient(g_cl);
    CHECK(HP_SSLClient_SetupSSLContext(c, SSL_VM_PEER, NULL, NULL, NULL, path("ca.pem")));
    CHECK(HP_Client_Start(c, "localhost", listen_port(s), TRUE)); /* asynchronous connect */
    CHECK(wait_for(&c_hs, 1, 20000));
    CHECK(wait_for(&s_hs, 1, 20000));
    static BYTE want[16384];
    long w = 0;
    WSABUF bufs[3] = { { 2, (BYTE *)"ab" }, { 2, (BYTE *)"cd" }, { 2, (BYTE *)"ef" } };
    CHECK(HP_Client_SendPackets(c, bufs, 3));
    memcpy(want + w, "abcdef", 6); w += 6;
    CHECK(HP_Client_Send(c, (const BYTE *)"x", 0)); /* nothing sent */
    CHECK(HP_Client_SendPart(c, (const BYTE *)"0123456789", 3, 2));
    memcpy(want + w, "234", 3); w += 3;
    WSABUF head = { 2, (BYTE *)"H:" }, tail = { 2, (BYTE *)":T" };
    CHECK(HP_TcpClient_SendSmallFile(c, path("server.pem"), &head, &tail));
    memcpy(want + w, "H:", 2); w += 2;
    long n = slurp_into("server.pem", want + w, 6000);
    CHECK(n > 0); w += n;
    memcpy(want + w, ":T", 2); w += 2;
    CHECK(wait_for(&c_rx, w, 20000));
    /* from the server */
    WSABUF sh = { 3, (BYTE *)"SH:" }, st = { 3, (BYTE *)":ST" };
    CHECK(HP_TcpServer_SendSmallFile(s, s_last, path("ca.pem"), &sh, &st));
    memcpy(want + w, "SH:", 3); w += 3;
    n = slurp_into("ca.pem", want + w, 6000);
    CHECK(n > 0); w += n;
    memcpy(want + w, ":ST", 3); w += 3;
    CHECK(wait_for(&c_rx, w, 20000));
    sleep_ms(50);
    CHECK_EQ(c_rx, w);
    CHECK(memcmp(c_buf, want, (size_t)w) == 0);
    HP_Client_Stop(c);
    Destroy_HP_SSLClient(c);
    CHECK(HP_Server_Stop(s));
    Destroy_HP_SSLServer(s);
}

static volatile long g_in_close, g_close_done;
static En_HP_HandleResult __HP_CALL g_on_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int err) {
    __atomic_store_n(&g_in_close, 1, __ATOMIC_SEQ_CST);
    sleep_ms(300); /* a slow OnClose: the Stop below comes while it runs */
    __atomic_store_n(&g_close_done, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}

static void part_g_stop_while_closing(void) {
    fprintf(stderr, "-- G\n");
    reset_counters();
    HP_SSLServer s = new_server(0);
    HP_TcpClientListener l = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnClose(l, g_on_close);
    HP_SSLClient c = Create_HP_SSLClient(l);
    CHECK(HP_SSLClient_SetupSSLContext(c, SSL_VM_PEER, NULL, NULL, NULL, path("other-ca.pem")));
    CHECK(HP_Client_Start(c, "localhost", listen_port(s), FALSE));
    CHECK(wait_for(&g_in_close, 1, 20000)); /* the handshake failed: OnClose is running */
    CHECK(!HP_Client_Stop(c));             /* not started any more */
    CHECK_EQ(HP_Client_GetLastError(c), SE_ILLEGAL_STATE);
    /* As upstream's Stop (CTcpClient::CheckStoping): outside the client's own thread it waits
       until a client that is stopping by itself is SS_STOPPED (its OnClose done), so Cleanup,
       SetupSSLContext and Start work right after it. */
    CHECK_EQ(HP_Client_GetState(c), SS_STOPPED);
    CHECK_EQ(g_close_done, 1);
    HP_SSLClient_CleanupSSLContext(c);
    CHECK(HP_SSLClient_SetupSSLContext(c, SSL_VM_PEER, NULL, NULL, NULL, path("ca.pem")));
    CHECK(HP_Client_Start(c, "localhost", listen_port(s), FALSE));
    /* let it end before the next part, whatever happened above */
    for (int i = 0; i < 20000 && !g_close_done; i++) sleep_ms(1);
    HP_Client_Stop(c);
    for (int i = 0; i < 20000 && HP_Client_GetState(c) != SS_STOPPED; i++) sleep_ms(1);
    Destroy_HP_SSLClient(c);
    Destroy_HP_TcpClientListener(l);
    CHECK(HP_Server_Stop(s));
    Destroy_HP_SSLServer(s);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: tls_states CERTDIR [G]\n"); return 2; }
    snprintf(dir, sizeof dir, "%s", argv[1]);
    g_sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnAccept(g_sl, s_accept);
    HP_Set_FN_Server_OnHandShake(g_sl, s_handshake);
    HP_Set_FN_Server_OnReceive(g_sl, s_receive);
    HP_Set_FN_Server_OnClose(g_sl, s_close);
    g_cl = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnConnect(g_cl, c_on_connect);
    HP_Set_FN_Client_OnHandShake(g_cl, c_handshake);
    HP_Set_FN_Client_OnReceive(g_cl, c_receive);
    HP_Set_FN_Client_OnClose(g_cl, c_close);
    g_al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnConnect(g_al, a_on_connect);
    HP_Set_FN_Agent_OnHandShake(g_al, a_handshake);
    HP_Set_FN_Agent_OnReceive(g_al, a_receive);
    HP_Set_FN_Agent_OnClose(g_al, a_close);
    if (argc > 2 && strcmp(argv[2], "G") == 0) {
        part_g_stop_while_closing();
    } else {
        part_a_send_before_handshake();
        part_b_auto_off();
        part_c_pause();
        part_d_many();
        part_f_send_kinds();
    }
    Destroy_HP_TcpServerListener(g_sl);
    Destroy_HP_TcpClientListener(g_cl);
    Destroy_HP_TcpAgentListener(g_al);
    return t_finish("tls_states");
}
