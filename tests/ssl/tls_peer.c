/* tls_peer: hpsocket4c's SSL components as a peer for tests/ssl_tcp.rs, driven by arguments and
 * printing a normalised trace, one line per event (stdout, flushed at once):
 *
 *   tls_peer server [options]               an SSLServer echoing everything it receives
 *     --cert F --key F [--pass P]           the default context's certificate and key
 *     --ca F  --verify N                    the CA (file or hashed directory), SSL_VM_* bits
 *     --alt CERT KEY NAME                   AddSSLContext(CERT, KEY) bound to NAME (repeatable)
 *     --sni-user                            a user SNI callback: -1 for names starting with
 *                                           "refuse", 99 (no such context) for "index99...",
 *                                           for "probe..." it first reads every connection's
 *                                           session (GetAllConnectionIDs, GetSSLSessionInfo);
 *                                           then HP_SSL_DefaultServerNameCallback
 *     --ciphers LIST                        SetSSLCipherList(LIST) before the setup (TLS 1.2)
 *     --greet                               sends "WELCOME\n" from inside OnHandShake
 *     --bufsize N                           SetSocketBufferSize(N) (the most one OnReceive carries)
 *     --noauto                              SetSSLAutoHandShake(FALSE): a connection is in the
 *                                           clear; "STARTTLS\n" is answered "GO\n" and then
 *                                           StartSSLHandShake(id); other text is echoed
 *   prints LISTEN <port>, then
 *     ACCEPT <id> <remote port>
 *     SNI <name> ctx=<ok|bad>               (--sni-user) the callback's name and pContext
 *     PLAIN <id> <text>                     (--noauto) text received in the clear
 *     STARTTLS <id> <ok|E...> again=<E...>  StartSSLHandShake's result, and a second call's
 *     HANDSHAKE <id> version=V sni=S cert=C peer=P cipher=X
 *     CLOSE <id> <OP> <errno> rx=<plaintext bytes received after the handshake> max=<largest OnReceive>
 *   and reads commands from stdin: "count" prints COUNT <connections>; EOF stops it.
 *
 *   tls_peer client|agent HOST PORT [options]   an SSLClient (or SSLAgent with one connection)
 *     --verify N --ca F [--cert F --key F [--pass P]]
 *     --send TEXT                           sends TEXT (\n escapes allowed) after the handshake
 *     --size N                              or N bytes of a pattern, checked when echoed back
 *     --expect N                            bytes to wait for (default: what was sent)
 *   prints HANDSHAKE version=V sni=S peer=P cipher=X, then DATA <text> (for --send) or
 *   ECHO <n> <ok|bad> (for --size), CLOSE <OP> <errno> if the connection closed first, and
 *   END handshake=<0|1> rx=<n>. Exit status 0 unless the program itself failed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include "HPSocket4C-SSL.h"
#include "testutil.h"

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static void say(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&out_lock);
    vprintf(fmt, ap);
    putchar('\n');
    fflush(stdout);
    pthread_mutex_unlock(&out_lock);
    va_end(ap);
}

static const char *op_name(int op) {
    switch (op) {
    case SO_UNKNOWN: return "UNKNOWN";
    case SO_ACCEPT: return "ACCEPT";
    case SO_CONNECT: return "CONNECT";
    case SO_SEND: return "SEND";
    case SO_RECEIVE: return "RECEIVE";
    case SO_CLOSE: return "CLOSE";
    default: return "?";
    }
}

static const char *errno_name(int e) {
    switch (e) {
    case 0: return "0";
    case EPERM: return "EPERM";
    case EALREADY: return "EALREADY";
    case EBADSLT: return "EBADSLT";
    case EINVAL: return "EINVAL";
    default: {
        static char buf[32];
        snprintf(buf, sizeof buf, "E%d", e);
        return buf;
    }
    }
}

/* Printable text: \n, \r, \\ and other bytes escaped. */
static void escape(const BYTE *p, int n, char *out, size_t cap) {
    size_t o = 0;
    for (int i = 0; i < n && o + 5 < cap; i++) {
        BYTE c = p[i];
        if (c == '\n') { out[o++] = '\\'; out[o++] = 'n'; }
        else if (c == '\r') { out[o++] = '\\'; out[o++] = 'r'; }
        else if (c == '\\') { out[o++] = '\\'; out[o++] = '\\'; }
        else if (c >= 32 && c < 127) out[o++] = (char)c;
        else o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
    }
    out[o] = 0;
}

/* The session's items as one line: version, server name, own and peer certificate, cipher. */
typedef BOOL (*info_fn)(PVOID h, HP_CONNID id, En_HP_SSLSessionInfo item, LPVOID *out);
static void subject(X509 *x, char *out, size_t cap) {
    if (!x) { snprintf(out, cap, "-"); return; }
    X509_NAME_oneline(X509_get_subject_name(x), out, (int)cap);
}
static void session_line(char *line, size_t cap, info_fn get, PVOID h, HP_CONNID id) {
    LPVOID v = NULL, sni = NULL, cert = NULL, peer = NULL, cipher = NULL;
    BOOL ok = get(h, id, SSL_SSI_VERSION, &v);
    CHECK(ok);
    CHECK(get(h, id, SSL_SSI_SERVER_NAME, &sni));
    CHECK(get(h, id, SSL_SSI_CERT, &cert));
    CHECK(get(h, id, SSL_SSI_PEER_CERT, &peer));
    CHECK(get(h, id, SSL_SSI_CURRENT_CIPHER, &cipher));
    char cs[256], ps[256];
    subject((X509 *)cert, cs, sizeof cs);
    subject((X509 *)peer, ps, sizeof ps);
    snprintf(line, cap, "version=%s sni=%s cert=%s peer=%s cipher=%s", v ? (const char *)v : "-", sni ? (const char *)sni : "-", cs, ps,
             cipher ? SSL_CIPHER_get_name((const SSL_CIPHER *)cipher) : "-");
}

/* ---------------- server ---------------- */

typedef struct { long rx, max; int tls; char plain[256]; int plain_len; } conn_t;

static HP_SSLServer g_srv;
static int g_noauto, g_greet;

static BOOL server_info(PVOID h, HP_CONNID id, En_HP_SSLSessionInfo item, LPVOID *out) { return HP_SSLServer_GetSSLSessionInfo(h, id, item, out); }

static conn_t *conn_of(HP_Server s, HP_CONNID id) {
    PVOID p = NULL;
    if (!HP_Server_GetConnectionExtra(s, id, &p)) return NULL;
    return (conn_t *)p;
}

static En_HP_HandleResult __HP_CALL s_accept(HP_Server s, HP_CONNID id, UINT_PTR so) {
    conn_t *c = (conn_t *)calloc(1, sizeof *c);
    CHECK(HP_Server_SetConnectionExtra(s, id, c));
    TCHAR addr[64]; int alen = sizeof addr; USHORT port = 0;
    CHECK(HP_Server_GetRemoteAddress(s, id, addr, &alen, &port));
    say("ACCEPT %lu %u", (unsigned long)id, (unsigned)port);
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL s_handshake(HP_Server s, HP_CONNID id) {
    conn_t *c = conn_of(s, id);
    if (c) c->tls = 1;
    char line[1024];
    session_line(line, sizeof line, server_info, s, id);
    say("HANDSHAKE %lu %s", (unsigned long)id, line);
    /* --greet: the server speaks first, from inside OnHandShake */
    if (g_greet && !HP_Server_Send(s, id, (const BYTE *)"WELCOME\n", 8)) return HR_ERROR;
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL s_receive(HP_Server s, HP_CONNID id, const BYTE *p, int n) {
    conn_t *c = conn_of(s, id);
    if (!c) return HR_ERROR;
    if (g_noauto && !c->tls) {
        /* In the clear: whole lines are logged; STARTTLS switches to TLS, the rest is echoed. */
        char text[600];
        escape(p, n, text, sizeof text);
        say("PLAIN %lu %s", (unsigned long)id, text);
        if (c->plain_len + n < (int)sizeof c->plain) { memcpy(c->plain + c->plain_len, p, (size_t)n); c->plain_len += n; }
        c->plain[c->plain_len] = 0;
        if (strstr(c->plain, "STARTTLS\n")) {
            c->plain_len = 0;
            if (!HP_Server_Send(s, id, (const BYTE *)"GO\n", 3)) return HR_ERROR;
            BOOL ok = HP_SSLServer_StartSSLHandShake(s, id);
            int e1 = ok ? 0 : errno;
            BOOL again = HP_SSLServer_StartSSLHandShake(s, id);
            int e2 = again ? 0 : errno;
            say("STARTTLS %lu %s again=%s", (unsigned long)id, ok ? "ok" : errno_name(e1), again ? "TRUE" : errno_name(e2));
            return HR_OK;
        }
        if (memchr(p, '\n', (size_t)n)) c->plain_len = 0;
        return HP_Server_Send(s, id, p, n) ? HR_OK : HR_ERROR;
    }
    /* with auto handshake, no plaintext before OnHandShake */
    CHECK(c->tls);
    c->rx += n;
    if (n > c->max) c->max = n;
    return HP_Server_Send(s, id, p, n) ? HR_OK : HR_ERROR;
}

static En_HP_HandleResult __HP_CALL s_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int err) {
    conn_t *c = conn_of(s, id);
    say("CLOSE %lu %s %d rx=%ld max=%ld", (unsigned long)id, op_name(op), err, c ? c->rx : -1L, c ? c->max : -1L);
    if (c) { HP_Server_SetConnectionExtra(s, id, NULL); free(c); }
    return HR_OK;
}

static int __HP_CALL sni_user(LPCTSTR name, PVOID ctx) {
    say("SNI %s ctx=%s", name ? name : "(null)", ctx == g_srv ? "ok" : "bad");
    if (name && strncmp(name, "refuse", 6) == 0) return -1;
    if (name && strncmp(name, "index99", 7) == 0) return 99; /* no such context */
    if (name && strncmp(name, "probe", 5) == 0) {
        /* the server's API from inside the callback: every connection's session, this one's too */
        HP_CONNID ids[64];
        DWORD n = 64;
        int sessions = 0;
        if (HP_Server_GetAllConnectionIDs((HP_Server)ctx, ids, &n))
            for (DWORD i = 0; i < n; i++) {
                LPVOID v = NULL;
                if (HP_SSLServer_GetSSLSessionInfo((HP_Server)ctx, ids[i], SSL_SSI_CTX, &v) && v) sessions++;
            }
        say("PROBE conns=%lu sessions=%d", (unsigned long)n, sessions);
    }
    return HP_SSL_DefaultServerNameCallback(name, ctx);
}

static const char *opt(int argc, char **argv, const char *name) {
    for (int i = 0; i + 1 < argc; i++) if (strcmp(argv[i], name) == 0) return argv[i + 1];
    return NULL;
}
static int flag(int argc, char **argv, const char *name) {
    for (int i = 0; i < argc; i++) if (strcmp(argv[i], name) == 0) return 1;
    return 0;
}

static int run_server(int argc, char **argv) {
    HP_TcpServerListener l = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnAccept(l, s_accept);
    HP_Set_FN_Server_OnHandShake(l, s_handshake);
    HP_Set_FN_Server_OnReceive(l, s_receive);
    HP_Set_FN_Server_OnClose(l, s_close);
    g_srv = Create_HP_SSLServer(l);
    CHECK(g_srv != NULL);
    CHECK(HP_Server_IsSecure(g_srv));
    const char *verify = opt(argc, argv, "--verify");
    int vm = verify ? atoi(verify) : SSL_VM_NONE;
    g_noauto = flag(argc, argv, "--noauto");
    g_greet = flag(argc, argv, "--greet");
    if (opt(argc, argv, "--ciphers")) {
        HP_SSLServer_SetSSLCipherList(g_srv, opt(argc, argv, "--ciphers"));
        CHECK(strcmp(HP_SSLServer_GetSSLCipherList(g_srv), opt(argc, argv, "--ciphers")) == 0);
    }
    if (opt(argc, argv, "--bufsize")) HP_TcpServer_SetSocketBufferSize(g_srv, (DWORD)atoi(opt(argc, argv, "--bufsize")));
    if (g_noauto) { HP_SSLServer_SetSSLAutoHandShake(g_srv, FALSE); CHECK(!HP_SSLServer_IsSSLAutoHandShake(g_srv)); }
    if (!HP_SSLServer_SetupSSLContext(g_srv, vm, opt(argc, argv, "--cert"), opt(argc, argv, "--key"), opt(argc, argv, "--pass"), opt(argc, argv, "--ca"),
                                      flag(argc, argv, "--sni-user") ? sni_user : NULL)) {
        fprintf(stderr, "SetupSSLContext failed: errno %d\n", errno);
        return 2;
    }
    for (int i = 0; i + 3 < argc; i++) {
        if (strcmp(argv[i], "--alt") != 0) continue;
        int idx = HP_SSLServer_AddSSLContext(g_srv, vm, argv[i + 1], argv[i + 2], NULL, opt(argc, argv, "--ca"));
        CHECK(idx >= 1);
        CHECK(HP_SSLServer_BindSSLServerName(g_srv, argv[i + 3], idx));
    }
    HP_Server_SetWorkerThreadCount(g_srv, 2);
    /* a TcpServer setting on the SSL server: no Nagle delay for the lockstep echoes */
    HP_TcpServer_SetNoDelay(g_srv, TRUE);
    CHECK(HP_TcpServer_IsNoDelay(g_srv));
    if (!HP_Server_Start(g_srv, "127.0.0.1", 0)) {
        fprintf(stderr, "Start failed: %d\n", (int)HP_Server_GetLastError(g_srv));
        return 2;
    }
    TCHAR addr[64]; int alen = sizeof addr; USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(g_srv, addr, &alen, &port));
    say("LISTEN %u", (unsigned)port);
    char cmd[128];
    while (fgets(cmd, sizeof cmd, stdin)) {
        if (strncmp(cmd, "count", 5) == 0) say("COUNT %lu", (unsigned long)HP_Server_GetConnectionCount(g_srv));
    }
    CHECK(HP_Server_Stop(g_srv));
    Destroy_HP_SSLServer(g_srv);
    Destroy_HP_TcpServerListener(l);
    return t_finish("tls_peer server") ? 1 : 0;
}

/* ---------------- client / agent ---------------- */

static volatile long k_handshake, k_closed, k_rx;
static BYTE *k_buf;
static long k_cap;
static int k_is_agent;
static PVOID k_obj;

static BOOL client_info(PVOID h, HP_CONNID id, En_HP_SSLSessionInfo item, LPVOID *out) { (void)id; return HP_SSLClient_GetSSLSessionInfo(h, item, out); }
static BOOL agent_info(PVOID h, HP_CONNID id, En_HP_SSLSessionInfo item, LPVOID *out) { return HP_SSLAgent_GetSSLSessionInfo(h, id, item, out); }

static void k_on_handshake(PVOID h, HP_CONNID id) {
    char line[1024];
    session_line(line, sizeof line, k_is_agent ? agent_info : client_info, h, id);
    say("HANDSHAKE %s", line);
    __atomic_store_n(&k_handshake, 1, __ATOMIC_SEQ_CST);
}
static void k_on_receive(const BYTE *p, int n) {
    long at = k_rx;
    if (at + n <= k_cap) memcpy(k_buf + at, p, (size_t)n);
    __atomic_add_fetch(&k_rx, n, __ATOMIC_SEQ_CST);
}
static void k_on_close(int op, int err) {
    say("CLOSE %s %d", op_name(op), err);
    __atomic_store_n(&k_closed, 1, __ATOMIC_SEQ_CST);
}

static En_HP_HandleResult __HP_CALL c_handshake(HP_Client c, HP_CONNID id) { k_on_handshake(c, id); return HR_OK; }
static En_HP_HandleResult __HP_CALL c_receive(HP_Client c, HP_CONNID id, const BYTE *p, int n) { (void)c; (void)id; k_on_receive(p, n); return HR_OK; }
static En_HP_HandleResult __HP_CALL c_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int err) { (void)c; (void)id; k_on_close(op, err); return HR_OK; }
static En_HP_HandleResult __HP_CALL a_handshake(HP_Agent a, HP_CONNID id) { k_on_handshake(a, id); return HR_OK; }
static En_HP_HandleResult __HP_CALL a_receive(HP_Agent a, HP_CONNID id, const BYTE *p, int n) { (void)a; (void)id; k_on_receive(p, n); return HR_OK; }
static En_HP_HandleResult __HP_CALL a_close(HP_Agent a, HP_CONNID id, En_HP_SocketOperation op, int err) { (void)a; (void)id; k_on_close(op, err); return HR_OK; }

/* Waits until *flag is set or the connection closed; 1 when the flag is set. */
static int wait_or_close(volatile long *flag, long want, int ms) {
    for (int i = 0; i < ms; i++) {
        if (__atomic_load_n(flag, __ATOMIC_SEQ_CST) >= want) return 1;
        if (__atomic_load_n(&k_closed, __ATOMIC_SEQ_CST)) return __atomic_load_n(flag, __ATOMIC_SEQ_CST) >= want;
        sleep_ms(1);
    }
    return __atomic_load_n(flag, __ATOMIC_SEQ_CST) >= want;
}

static BYTE pattern(long i) { return (BYTE)(i * 7 + 3); }

/* "a\nb" -> bytes */
static int unescape(const char *s, BYTE *out) {
    int n = 0;
    for (; *s; s++) {
        if (s[0] == '\\' && s[1] == 'n') { out[n++] = '\n'; s++; }
        else if (s[0] == '\\' && s[1] == 'r') { out[n++] = '\r'; s++; }
        else out[n++] = (BYTE)*s;
    }
    return n;
}

static int run_connector(int argc, char **argv, int agent) {
    if (argc < 4) { fprintf(stderr, "usage: tls_peer client|agent HOST PORT ...\n"); return 2; }
    const char *host = argv[2];
    USHORT port = (USHORT)atoi(argv[3]);
    const char *verify = opt(argc, argv, "--verify");
    int vm = verify ? atoi(verify) : SSL_VM_NONE;
    const char *send_text = opt(argc, argv, "--send");
    const char *size_s = opt(argc, argv, "--size");
    long size = size_s ? atol(size_s) : 0;
    BYTE *msg = NULL;
    long len = 0;
    if (send_text) { msg = (BYTE *)malloc(strlen(send_text) + 1); len = unescape(send_text, msg); }
    else if (size > 0) { msg = (BYTE *)malloc((size_t)size); for (long i = 0; i < size; i++) msg[i] = pattern(i); len = size; }
    const char *expect_s = opt(argc, argv, "--expect");
    long expect = expect_s ? atol(expect_s) : len;
    k_cap = expect + 65536;
    k_buf = (BYTE *)malloc((size_t)k_cap);
    k_is_agent = agent;
    const char *cert = opt(argc, argv, "--cert"), *key = opt(argc, argv, "--key"), *pass = opt(argc, argv, "--pass"), *ca = opt(argc, argv, "--ca");

    HP_TcpClientListener cl = NULL;
    HP_TcpAgentListener al = NULL;
    HP_CONNID id = 0;
    BOOL started;
    if (agent) {
        al = Create_HP_TcpAgentListener();
        HP_Set_FN_Agent_OnHandShake(al, a_handshake);
        HP_Set_FN_Agent_OnReceive(al, a_receive);
        HP_Set_FN_Agent_OnClose(al, a_close);
        k_obj = Create_HP_SSLAgent(al);
        CHECK(HP_Agent_IsSecure(k_obj));
        if (!HP_SSLAgent_SetupSSLContext(k_obj, vm, cert, key, pass, ca)) { fprintf(stderr, "SetupSSLContext failed: errno %d\n", errno); return 2; }
        started = HP_Agent_Start(k_obj, NULL, TRUE) && HP_Agent_Connect(k_obj, host, port, &id);
    } else {
        cl = Create_HP_TcpClientListener();
        HP_Set_FN_Client_OnHandShake(cl, c_handshake);
        HP_Set_FN_Client_OnReceive(cl, c_receive);
        HP_Set_FN_Client_OnClose(cl, c_close);
        k_obj = Create_HP_SSLClient(cl);
        CHECK(HP_Client_IsSecure(k_obj));
        if (!HP_SSLClient_SetupSSLContext(k_obj, vm, cert, key, pass, ca)) { fprintf(stderr, "SetupSSLContext failed: errno %d\n", errno); return 2; }
        started = HP_Client_Start(k_obj, host, port, FALSE);
    }
    if (!started) { say("START failed errno=%d", errno); return 2; }
    if (wait_or_close(&k_handshake, 1, 20000) && msg) {
        BOOL ok = agent ? HP_Agent_Send(k_obj, id, msg, (int)len) : HP_Client_Send(k_obj, msg, (int)len);
        /* the peer may refuse us right after the handshake: then Send may fail while the
           connection is closing, and OnClose follows */
        if (!ok) CHECK(wait_for(&k_closed, 1, 20000));
        wait_or_close(&k_rx, expect, 20000);
        long got = k_rx;
        if (send_text) {
            char text[4096];
            escape(k_buf, got < k_cap ? (int)got : (int)k_cap, text, sizeof text);
            say("DATA %s", text);
        } else {
            int good = got == size;
            for (long i = 0; good && i < size; i++) if (k_buf[i] != pattern(i)) good = 0;
            say("ECHO %ld %s", got, good ? "ok" : "bad");
        }
    } else if (!k_handshake && !k_closed) {
        say("TIMEOUT");
    }
    long hs = k_handshake;
    if (agent) { CHECK(HP_Agent_Stop(k_obj)); Destroy_HP_SSLAgent(k_obj); Destroy_HP_TcpAgentListener(al); }
    else { HP_Client_Stop(k_obj); Destroy_HP_SSLClient(k_obj); Destroy_HP_TcpClientListener(cl); }
    say("END handshake=%ld rx=%ld", hs, (long)k_rx);
    free(msg);
    free(k_buf);
    return t_finish("tls_peer") ? 1 : 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "server") == 0) return run_server(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "client") == 0) return run_connector(argc, argv, 0);
    if (argc >= 2 && strcmp(argv[1], "agent") == 0) return run_connector(argc, argv, 1);
    fprintf(stderr, "usage: tls_peer server|client|agent ...\n");
    return 2;
}
