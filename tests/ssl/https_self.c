/* Our HttpsClient (async, with response events) against our HttpsServer in one process, for
 * tests/ssl_https.rs.
 *
 *   https_self CERTDIR
 *
 * The server (server.pem / server.key, SSL_VM_NONE) answers GET /hello and echoes POST /echo.
 * A client verifying with ca.pem (SSL_VM_PEER) connects to "localhost": after OnHandShake its
 * session's SSL_SSI_VERSION begins with "TLSv1" and the server saw SNI "localhost"; a GET and a
 * 100 KB POST on the one connection raise OnStatusLine / OnHeadersComplete / OnBody /
 * OnMessageComplete with the right status, headers and body. A client connecting to
 * "127.0.0.1" sends no SNI. A client trusting other-ca.pem never completes the handshake and is
 * closed with an error. Prints "https_self: N passed, M failed". */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "HPSocket4C-SSL.h"
#include "testutil.h"

static long get(volatile long *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static void inc(volatile long *p) { __atomic_add_fetch(p, 1, __ATOMIC_SEQ_CST); }

#define BIG (100 * 1024)

/* ---- the server ---- */
static pthread_mutex_t smu = PTHREAD_MUTEX_INITIALIZER;
static BYTE sbody[BIG + 16];
static int sbody_len, sbody_overflow;
static char s_sni[256], s_version[64];
static volatile long s_handshakes, s_closes, s_close_errors, s_requests;

static En_HP_HandleResult __HP_CALL s_on_handshake(HP_Server s, HP_CONNID id)
{
    LPVOID v = NULL;
    pthread_mutex_lock(&smu);
    if (HP_SSLServer_GetSSLSessionInfo(s, id, SSL_SSI_SERVER_NAME, &v))
        snprintf(s_sni, sizeof s_sni, "%s", v ? (const char *)v : "(none)");
    else
        snprintf(s_sni, sizeof s_sni, "(GetSSLSessionInfo failed)");
    v = NULL;
    if (HP_SSLServer_GetSSLSessionInfo(s, id, SSL_SSI_VERSION, &v) && v)
        snprintf(s_version, sizeof s_version, "%s", (const char *)v);
    pthread_mutex_unlock(&smu);
    inc(&s_handshakes);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL s_on_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)s; (void)id; (void)op;
    if (err) inc(&s_close_errors);
    inc(&s_closes);
    return HR_OK;
}
static En_HP_HttpParseResult __HP_CALL s_on_begin(HP_Http s, HP_CONNID id)
{
    (void)s; (void)id;
    pthread_mutex_lock(&smu);
    sbody_len = 0;
    sbody_overflow = 0;
    pthread_mutex_unlock(&smu);
    return HPR_OK;
}
static En_HP_HttpParseResult __HP_CALL s_on_body(HP_Http s, HP_CONNID id, const BYTE *p, int n)
{
    (void)s; (void)id;
    pthread_mutex_lock(&smu);
    if (sbody_len + n <= (int)sizeof sbody) { memcpy(sbody + sbody_len, p, (size_t)n); sbody_len += n; }
    else sbody_overflow = 1;
    pthread_mutex_unlock(&smu);
    return HPR_OK;
}
static En_HP_HttpParseResult __HP_CALL s_on_complete(HP_Http s, HP_CONNID id)
{
    const char *method = HP_HttpServer_GetMethod(s, id);
    const char *path = HP_HttpServer_GetUrlField(s, id, HUF_PATH);
    BOOL ok;
    inc(&s_requests);
    if (method && path && strcmp(method, "GET") == 0 && strcmp(path, "/hello") == 0) {
        static const char hello[] = "hello over tls";
        THeader h[] = {{"Content-Type", "text/plain"}, {"X-Route", "hello"}};
        ok = HP_HttpServer_SendResponse(s, id, HSC_OK, NULL, h, 2, (const BYTE *)hello, (int)sizeof hello - 1);
    } else if (method && path && strcmp(method, "POST") == 0 && strcmp(path, "/echo") == 0) {
        const char *type = HP_HttpServer_GetContentType(s, id);
        THeader h[] = {{"Content-Type", type ? type : ""}, {"X-Route", "echo"}};
        pthread_mutex_lock(&smu);
        ok = !sbody_overflow && HP_HttpServer_SendResponse(s, id, HSC_OK, NULL, h, 2, sbody, sbody_len);
        pthread_mutex_unlock(&smu);
    } else {
        static const char nf[] = "not found\n";
        THeader h[] = {{"Content-Type", "text/plain"}};
        ok = HP_HttpServer_SendResponse(s, id, 404, NULL, h, 1, (const BYTE *)nf, (int)sizeof nf - 1);
    }
    return ok ? HPR_OK : HPR_ERROR;
}

/* ---- the client ---- */
static pthread_mutex_t cmu = PTHREAD_MUTEX_INITIALIZER;
static char ev_log[4096];
static char ev_last;
static BYTE cbody[BIG + 16];
static int cbody_len;
static volatile long c_connects, c_handshakes, c_completes, c_closes, c_errors;
static int c_close_err;

static void ev_add(char tag, const char *fmt, ...)
{
    pthread_mutex_lock(&cmu);
    if (!(tag && tag == ev_last)) { /* a run of OnBody calls is one "b" */
        size_t at = strlen(ev_log);
        if (at + 1 < sizeof ev_log) {
            if (at) ev_log[at++] = ' ';
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(ev_log + at, sizeof ev_log - at, fmt, ap);
            va_end(ap);
        }
    }
    ev_last = tag;
    pthread_mutex_unlock(&cmu);
}
static void reset(void)
{
    pthread_mutex_lock(&cmu);
    ev_log[0] = 0;
    ev_last = 0;
    cbody_len = 0;
    pthread_mutex_unlock(&cmu);
}
static int log_is(const char *want)
{
    pthread_mutex_lock(&cmu);
    int ok = strcmp(ev_log, want) == 0;
    if (!ok) fprintf(stderr, "events \"%s\", want \"%s\"\n", ev_log, want);
    pthread_mutex_unlock(&cmu);
    return ok;
}
static int body_is(const void *want, int n)
{
    pthread_mutex_lock(&cmu);
    int ok = cbody_len == n && memcmp(cbody, want, (size_t)n) == 0;
    if (!ok) fprintf(stderr, "body of %d bytes \"%.*s\", want %d bytes\n", cbody_len, cbody_len > 80 ? 80 : cbody_len, (const char *)cbody, n);
    pthread_mutex_unlock(&cmu);
    return ok;
}

static En_HP_HandleResult __HP_CALL c_on_connect(HP_Client c, HP_CONNID id) { (void)c; (void)id; inc(&c_connects); return HR_OK; }
static En_HP_HandleResult __HP_CALL c_on_handshake(HP_Client c, HP_CONNID id) { (void)c; (void)id; ev_add(0, "H"); inc(&c_handshakes); return HR_OK; }
static En_HP_HandleResult __HP_CALL c_on_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)c; (void)id;
    ev_add(0, "X%d", (int)op);
    c_close_err = err;
    inc(&c_closes);
    return HR_OK;
}
static En_HP_HttpParseResult __HP_CALL c_on_status(HP_Http c, HP_CONNID id, USHORT code, LPCSTR reason) { (void)c; (void)id; ev_add(0, "S%u:%s", (unsigned)code, reason ? reason : ""); return HPR_OK; }
static En_HP_HttpParseResult __HP_CALL c_on_headers(HP_Http c, HP_CONNID id) { (void)c; (void)id; ev_add(0, "C"); return HPR_OK; }
static En_HP_HttpParseResult __HP_CALL c_on_body(HP_Http c, HP_CONNID id, const BYTE *p, int n)
{
    (void)c; (void)id;
    ev_add('b', "b");
    pthread_mutex_lock(&cmu);
    if (cbody_len + n <= (int)sizeof cbody) { memcpy(cbody + cbody_len, p, (size_t)n); cbody_len += n; }
    pthread_mutex_unlock(&cmu);
    return HPR_OK;
}
static En_HP_HttpParseResult __HP_CALL c_on_complete(HP_Http c, HP_CONNID id) { (void)c; (void)id; ev_add(0, "M"); inc(&c_completes); return HPR_OK; }
static En_HP_HttpParseResult __HP_CALL c_on_parse_error(HP_Http c, HP_CONNID id, int code, LPCSTR desc)
{
    (void)c; (void)id;
    fprintf(stderr, "client parse error %d %s\n", code, desc ? desc : "");
    inc(&c_errors);
    return HPR_OK;
}

static void reset_counters(void)
{
    __atomic_store_n(&c_connects, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&c_handshakes, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&c_completes, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&c_closes, 0, __ATOMIC_SEQ_CST);
    c_close_err = 0;
    reset();
}

static int header_is(HP_HttpClient c, const char *name, const char *want)
{
    LPCSTR v = NULL;
    int ok = HP_HttpClient_GetHeader(c, name, &v) && v && strcmp(v, want) == 0;
    if (!ok) fprintf(stderr, "header %s: \"%s\", want \"%s\"\n", name, v ? v : "(none)", want);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: https_self CERTDIR\n"); return 2; }
    char cert[4096], key[4096], ca[4096], other[4096];
    snprintf(cert, sizeof cert, "%s/server.pem", argv[1]);
    snprintf(key, sizeof key, "%s/server.key", argv[1]);
    snprintf(ca, sizeof ca, "%s/ca.pem", argv[1]);
    snprintf(other, sizeof other, "%s/other-ca.pem", argv[1]);

    HP_HttpServerListener sl = Create_HP_HttpServerListener();
    HP_Set_FN_HttpServer_OnHandShake(sl, s_on_handshake);
    HP_Set_FN_HttpServer_OnClose(sl, s_on_close);
    HP_Set_FN_HttpServer_OnMessageBegin(sl, s_on_begin);
    HP_Set_FN_HttpServer_OnBody(sl, s_on_body);
    HP_Set_FN_HttpServer_OnMessageComplete(sl, s_on_complete);
    HP_HttpsServer srv = Create_HP_HttpsServer(sl);
    CHECK(srv != NULL);
    CHECK(HP_SSLServer_SetupSSLContext(srv, SSL_VM_NONE, cert, key, NULL, NULL, NULL));
    CHECK(HP_Server_Start(srv, "127.0.0.1", 0));
    TCHAR addr[64];
    int alen = sizeof addr;
    USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(srv, addr, &alen, &port));

    HP_HttpClientListener cl = Create_HP_HttpClientListener();
    HP_Set_FN_HttpClient_OnConnect(cl, c_on_connect);
    HP_Set_FN_HttpClient_OnHandShake(cl, c_on_handshake);
    HP_Set_FN_HttpClient_OnClose(cl, c_on_close);
    HP_Set_FN_HttpClient_OnStatusLine(cl, c_on_status);
    HP_Set_FN_HttpClient_OnHeadersComplete(cl, c_on_headers);
    HP_Set_FN_HttpClient_OnBody(cl, c_on_body);
    HP_Set_FN_HttpClient_OnMessageComplete(cl, c_on_complete);
    HP_Set_FN_HttpClient_OnParseError(cl, c_on_parse_error);

    /* 1. "localhost", verifying the server against ca.pem */
    HP_HttpsClient c = Create_HP_HttpsClient(cl);
    CHECK(c != NULL);
    CHECK(HP_SSLClient_SetupSSLContext(c, SSL_VM_PEER, NULL, NULL, NULL, ca));
    reset_counters();
    CHECK(HP_Client_Start(c, "localhost", port, FALSE));
    CHECK(wait_for(&c_handshakes, 1, 20000));
    CHECK(wait_for(&s_handshakes, 1, 20000));
    LPVOID v = NULL;
    CHECK(HP_SSLClient_GetSSLSessionInfo(c, SSL_SSI_VERSION, &v));
    CHECK(v && strncmp((const char *)v, "TLSv1", 5) == 0);
    printf("client version %s\n", v ? (const char *)v : "(null)");
    v = NULL;
    CHECK(HP_SSLClient_GetSSLSessionInfo(c, SSL_SSI_PEER_CERT, &v));
    CHECK(v != NULL); /* the server's certificate (an X509*) */
    pthread_mutex_lock(&smu);
    CHECK(strcmp(s_sni, "localhost") == 0);
    CHECK(strncmp(s_version, "TLSv1", 5) == 0);
    printf("server saw sni=%s version=%s\n", s_sni, s_version);
    pthread_mutex_unlock(&smu);

    reset();
    CHECK(HP_HttpClient_SendGet(c, "/hello", NULL, 0));
    CHECK(wait_for(&c_completes, 1, 20000));
    CHECK(log_is("S200:OK C b M"));
    CHECK(body_is("hello over tls", 14));
    CHECK_EQ(HP_HttpClient_GetStatusCode(c), 200);
    CHECK_EQ(HP_HttpClient_GetContentLength(c), 14);
    CHECK(header_is(c, "Content-Type", "text/plain"));
    CHECK(header_is(c, "X-Route", "hello"));
    CHECK(HP_HttpClient_IsKeepAlive(c));

    static BYTE big[BIG];
    for (int i = 0; i < BIG; i++) big[i] = (BYTE)(i * 31 + i / 253);
    THeader ct[] = {{"Content-Type", "application/octet-stream"}};
    reset();
    CHECK(HP_HttpClient_SendPost(c, "/echo", ct, 1, big, BIG));
    CHECK(wait_for(&c_completes, 2, 20000));
    CHECK(log_is("S200:OK C b M"));
    CHECK(body_is(big, BIG));
    CHECK_EQ(HP_HttpClient_GetContentLength(c), BIG);
    CHECK(header_is(c, "Content-Type", "application/octet-stream"));
    CHECK(header_is(c, "X-Route", "echo"));

    reset();
    CHECK(HP_HttpClient_SendGet(c, "/nothing", NULL, 0));
    CHECK(wait_for(&c_completes, 3, 20000));
    CHECK(log_is("S404:Not Found C b M"));
    CHECK(body_is("not found\n", 10));

    CHECK_EQ(get(&c_connects), 1); /* one connection, one handshake for the three requests */
    CHECK_EQ(get(&c_handshakes), 1);
    CHECK_EQ(get(&s_handshakes), 1);
    CHECK_EQ(get(&s_requests), 3);
    CHECK(HP_Client_Stop(c));
    CHECK(HP_Client_Wait(c, 20000));
    CHECK(wait_for(&s_closes, 1, 20000));
    Destroy_HP_HttpsClient(c);

    /* 2. "127.0.0.1": an IP literal, so no SNI */
    c = Create_HP_HttpsClient(cl);
    CHECK(HP_SSLClient_SetupSSLContext(c, SSL_VM_PEER, NULL, NULL, NULL, ca));
    reset_counters();
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(wait_for(&c_handshakes, 1, 20000));
    CHECK(wait_for(&s_handshakes, 2, 20000));
    pthread_mutex_lock(&smu);
    CHECK(strcmp(s_sni, "(none)") == 0);
    printf("server saw sni=%s for 127.0.0.1\n", s_sni);
    pthread_mutex_unlock(&smu);
    reset();
    CHECK(HP_HttpClient_SendGet(c, "/hello", NULL, 0));
    CHECK(wait_for(&c_completes, 1, 20000));
    CHECK(body_is("hello over tls", 14));
    CHECK(HP_Client_Stop(c));
    CHECK(HP_Client_Wait(c, 20000));
    CHECK(wait_for(&s_closes, 2, 20000));
    Destroy_HP_HttpsClient(c);

    /* 3. trusting another CA: the handshake fails, the connection closes with an error */
    c = Create_HP_HttpsClient(cl);
    CHECK(HP_SSLClient_SetupSSLContext(c, SSL_VM_PEER, NULL, NULL, NULL, other));
    reset_counters();
    long closes_before = get(&s_closes);
    if (HP_Client_Start(c, "localhost", port, FALSE)) /* the TCP connection may come up first */
        CHECK(wait_for(&c_closes, 1, 20000));
    CHECK(wait_for(&s_closes, closes_before + 1, 20000));
    CHECK_EQ(get(&c_handshakes), 0);
    CHECK(c_close_err != 0);
    CHECK(!HP_HttpClient_SendGet(c, "/hello", NULL, 0));
    printf("wrong CA: client events \"%s\" error %d\n", ev_log, c_close_err);
    HP_Client_Stop(c);
    CHECK(HP_Client_Wait(c, 20000));
    Destroy_HP_HttpsClient(c);

    CHECK_EQ(get(&s_handshakes), 2);
    CHECK_EQ(get(&c_errors), 0);
    CHECK(HP_Server_Stop(srv));
    Destroy_HP_HttpsServer(srv);
    Destroy_HP_HttpServerListener(sl);
    Destroy_HP_HttpClientListener(cl);
    return t_finish("https_self");
}
