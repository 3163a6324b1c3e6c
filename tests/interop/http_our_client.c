/* Our HttpClient and HttpSyncClient (linked against this library) against servers of other
 * implementations, for tests/http_client_interop.rs:
 *
 *   http_our_client http <port>   against upstream 5.1.1's HttpServer (tests/interop/http_up_server.c):
 *                                 an HttpClient sends GET, GET with a body, POST and a GET whose
 *                                 answer is chunked on one connection; an HttpSyncClient opens
 *                                 three URLs on one kept-alive connection
 *   http_our_client ws <port>     against the `websockets` Python package's server
 *                                 (tests/interop/ws_server.py, an echo): our HttpClient upgrades
 *                                 and exchanges masked frames (text, 16- and 64-bit lengths,
 *                                 fragments, ping, close)
 * Prints "http_our_client: N passed, M failed". */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "HPSocket4C.h"
#include "testutil.h"

static USHORT port;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char ev_log[8192];
static char ev_last;
static char body[1 << 17];
static int body_len;
static volatile long connects, completes, closes, upgrades, ws_completes, errors;

static long get(volatile long *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static void inc(volatile long *p) { __atomic_add_fetch(p, 1, __ATOMIC_SEQ_CST); }

static void ev_add(char tag, const char *fmt, ...) {
    pthread_mutex_lock(&mu);
    if (!(tag && tag == ev_last)) {
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
    pthread_mutex_unlock(&mu);
}
static void reset(void) {
    pthread_mutex_lock(&mu);
    ev_log[0] = 0;
    ev_last = 0;
    body_len = 0;
    memset(body, 0, sizeof body);
    pthread_mutex_unlock(&mu);
}
static void add_body(const BYTE *p, int n) {
    pthread_mutex_lock(&mu);
    if (body_len + n <= (int)sizeof body) { memcpy(body + body_len, p, (size_t)n); body_len += n; }
    pthread_mutex_unlock(&mu);
}
static int log_has(const char *want) {
    pthread_mutex_lock(&mu);
    int ok = strstr(ev_log, want) != NULL;
    if (!ok) fprintf(stderr, "events \"%s\" lack \"%s\"\n", ev_log, want);
    pthread_mutex_unlock(&mu);
    return ok;
}
static int body_is(const char *want, int n) {
    pthread_mutex_lock(&mu);
    int ok = body_len == n && memcmp(body, want, (size_t)n) == 0;
    if (!ok) fprintf(stderr, "body (%d) \"%.*s\" want \"%.*s\"\n", body_len, body_len > 200 ? 200 : body_len, body, n > 200 ? 200 : n, want);
    pthread_mutex_unlock(&mu);
    return ok;
}

static En_HP_HandleResult __HP_CALL on_connect(HP_Client s, HP_CONNID id) { (void)s; (void)id; inc(&connects); return HR_OK; }
static En_HP_HandleResult __HP_CALL on_close(HP_Client s, HP_CONNID id, En_HP_SocketOperation op, int err) {
    (void)s; (void)id;
    ev_add(0, "X%d:%d", (int)op, err);
    inc(&closes);
    return HR_OK;
}
static En_HP_HttpParseResult __HP_CALL on_status(HP_Http s, HP_CONNID id, USHORT code, LPCSTR reason) { (void)s; (void)id; ev_add(0, "S%u:%s", (unsigned)code, reason); return HPR_OK; }
static En_HP_HttpParseResult __HP_CALL on_headers_complete(HP_Http s, HP_CONNID id) { (void)s; (void)id; ev_add(0, "C"); return HPR_OK; }
static En_HP_HttpParseResult __HP_CALL on_body(HP_Http s, HP_CONNID id, const BYTE *p, int n) { (void)s; (void)id; ev_add('b', "b"); add_body(p, n); return HPR_OK; }
static En_HP_HttpParseResult __HP_CALL on_chunk_header(HP_Http s, HP_CONNID id, int n) { (void)s; (void)id; ev_add(0, "K%d", n); return HPR_OK; }
static En_HP_HttpParseResult __HP_CALL on_chunk_complete(HP_Http s, HP_CONNID id) { (void)s; (void)id; ev_add(0, "k"); return HPR_OK; }
static En_HP_HttpParseResult __HP_CALL on_complete(HP_Http s, HP_CONNID id) { (void)s; (void)id; ev_add(0, "M"); inc(&completes); return HPR_OK; }
static En_HP_HttpParseResult __HP_CALL on_upgrade(HP_Http s, HP_CONNID id, En_HP_HttpUpgradeType t) { (void)s; (void)id; ev_add(0, "U%d", (int)t); inc(&upgrades); return HPR_OK; }
static En_HP_HttpParseResult __HP_CALL on_parse_error(HP_Http s, HP_CONNID id, int code, LPCSTR desc) {
    (void)s; (void)id;
    fprintf(stderr, "parse error %d %s\n", code, desc ? desc : "");
    ev_add(0, "E%d", code);
    inc(&errors);
    return HPR_OK;
}
static En_HP_HandleResult __HP_CALL on_ws_header(HP_Http s, HP_CONNID id, BOOL fin, BYTE rsv, BYTE op, const BYTE *mask, ULONGLONG len) {
    (void)s; (void)id; (void)rsv;
    ev_add(0, "w%d%d:%llu%s", fin ? 1 : 0, (int)op, (unsigned long long)len, mask ? "m" : "");
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_ws_body(HP_Http s, HP_CONNID id, const BYTE *p, int n) { (void)s; (void)id; ev_add('W', "W"); add_body(p, n); return HR_OK; }
static En_HP_HandleResult __HP_CALL on_ws_complete(HP_Http s, HP_CONNID id) { (void)s; (void)id; ev_add(0, "c"); inc(&ws_completes); return HR_OK; }

static HP_HttpClientListener make_listener(void) {
    HP_HttpClientListener l = Create_HP_HttpClientListener();
    HP_Set_FN_HttpClient_OnConnect(l, on_connect);
    HP_Set_FN_HttpClient_OnClose(l, on_close);
    HP_Set_FN_HttpClient_OnStatusLine(l, on_status);
    HP_Set_FN_HttpClient_OnHeadersComplete(l, on_headers_complete);
    HP_Set_FN_HttpClient_OnBody(l, on_body);
    HP_Set_FN_HttpClient_OnChunkHeader(l, on_chunk_header);
    HP_Set_FN_HttpClient_OnChunkComplete(l, on_chunk_complete);
    HP_Set_FN_HttpClient_OnMessageComplete(l, on_complete);
    HP_Set_FN_HttpClient_OnUpgrade(l, on_upgrade);
    HP_Set_FN_HttpClient_OnParseError(l, on_parse_error);
    HP_Set_FN_HttpClient_OnWSMessageHeader(l, on_ws_header);
    HP_Set_FN_HttpClient_OnWSMessageBody(l, on_ws_body);
    HP_Set_FN_HttpClient_OnWSMessageComplete(l, on_ws_complete);
    return l;
}

static int sync_body_is(HP_HttpSyncClient s, const char *want) {
    LPCBYTE b = NULL;
    int n = -1;
    CHECK(HP_HttpSyncClient_GetResponseBody(s, &b, &n));
    int ok = n == (int)strlen(want) && b && memcmp(b, want, (size_t)n) == 0;
    if (!ok) fprintf(stderr, "sync body (%d) \"%.*s\" want \"%s\"\n", n, n > 0 && b ? n : 0, b ? (const char *)b : "", want);
    return ok;
}

/* ---- against upstream's HttpServer ---- */

static void http_upstream(void) {
    HP_HttpClientListener l = make_listener();
    HP_HttpClient c = Create_HP_HttpClient(l);
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(wait_for(&connects, 1, 5000));
    LPCSTR v = NULL;

    reset();
    CHECK(HP_HttpClient_SendGet(c, "/get", NULL, 0));
    CHECK(wait_for(&completes, 1, 5000));
    CHECK(log_has("S200:OK C b M"));
    CHECK(body_is("hello from upstream", 19));
    CHECK_EQ(HP_HttpClient_GetStatusCode(c), 200);
    CHECK(HP_HttpClient_IsKeepAlive(c));
    CHECK_EQ(HP_HttpClient_GetContentLength(c), 19);
    v = HP_HttpClient_GetContentType(c);
    CHECK(v && strcmp(v, "text/plain") == 0);
    CHECK(HP_HttpClient_GetHeader(c, "Connection", &v) && strcmp(v, "keep-alive") == 0);

    reset();
    CHECK(HP_HttpClient_SendRequest(c, "GET", "/echo", NULL, 0, (const BYTE *)"get-body", 8));
    CHECK(wait_for(&completes, 2, 5000));
    CHECK(body_is("get-body", 8));
    CHECK(HP_HttpClient_GetHeader(c, "X-Method", &v) && strcmp(v, "GET") == 0);

    reset();
    THeader ct[] = { { "Content-Type", "application/octet-stream" } };
    static BYTE big[40000];
    for (int i = 0; i < (int)sizeof big; i++) big[i] = (BYTE)(i * 31 + 7);
    CHECK(HP_HttpClient_SendPost(c, "/echo", ct, 1, big, (int)sizeof big));
    CHECK(wait_for(&completes, 3, 5000));
    CHECK(body_is((const char *)big, (int)sizeof big));
    CHECK(HP_HttpClient_GetHeader(c, "X-Method", &v) && strcmp(v, "POST") == 0);

    reset();
    CHECK(HP_HttpClient_SendGet(c, "/chunked", NULL, 0));
    CHECK(wait_for(&completes, 4, 5000));
    CHECK(log_has("C K5 b k K7 b k K0 k M"));
    CHECK(body_is("hello, world", 12));
    v = HP_HttpClient_GetTransferEncoding(c);
    CHECK(v && strcmp(v, "chunked") == 0);

    reset();
    CHECK(HP_HttpClient_SendGet(c, "/nothing", NULL, 0));
    CHECK(wait_for(&completes, 5, 5000));
    CHECK(log_has("S404:Not Found C M"));

    CHECK_EQ(get(&connects), 1); /* all on one connection */
    CHECK_EQ(get(&errors), 0);
    HP_Client_Stop(c);
    CHECK(HP_Client_Wait(c, 5000));
    Destroy_HP_HttpClient(c);
    Destroy_HP_HttpClientListener(l);

    /* HttpSyncClient: three URLs on one kept-alive connection */
    HP_HttpSyncClient s = Create_HP_HttpSyncClient(NULL);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/get", (unsigned)port);
    CHECK(HP_HttpSyncClient_OpenUrl(s, "GET", url, NULL, 0, NULL, 0, FALSE));
    CHECK(sync_body_is(s, "hello from upstream"));
    CHECK_EQ(HP_HttpClient_GetStatusCode(s), 200);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/echo", (unsigned)port);
    CHECK(HP_HttpSyncClient_OpenUrl(s, "POST", url, ct, 1, (const BYTE *)"sync-body", 9, FALSE));
    CHECK(sync_body_is(s, "sync-body"));
    snprintf(url, sizeof url, "http://127.0.0.1:%u/chunked", (unsigned)port);
    CHECK(HP_HttpSyncClient_OpenUrl(s, "GET", url, NULL, 0, NULL, 0, FALSE));
    CHECK(sync_body_is(s, "hello, world"));
    v = NULL;
    CHECK(HP_HttpClient_GetHeader(s, "Transfer-Encoding", &v) && v && strcmp(v, "chunked") == 0);
    HP_Client_Stop(s);
    HP_Client_Wait(s, 5000);
    Destroy_HP_HttpSyncClient(s);
}

/* ---- against the websockets package's echo server ---- */

static void ws_python(void) {
    HP_HttpClientListener l = make_listener();
    HP_HttpClient c = Create_HP_HttpClient(l);
    CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
    CHECK(wait_for(&connects, 1, 5000));
    THeader up[] = { { "Upgrade", "websocket" }, { "Connection", "Upgrade" }, { "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==" }, { "Sec-WebSocket-Version", "13" } };
    reset();
    CHECK(HP_HttpClient_SendGet(c, "/echo", up, 4));
    CHECK(wait_for(&upgrades, 1, 5000));
    CHECK(log_has("S101:Switching Protocols C M U1"));
    LPCSTR v = NULL;
    CHECK(HP_HttpClient_GetHeader(c, "Sec-WebSocket-Accept", &v) && v && strcmp(v, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0);
    CHECK_EQ(HP_HttpClient_GetUpgradeType(c), HUT_WEB_SOCKET);

    BYTE mask[4] = { 0xA1, 0xB2, 0xC3, 0xD4 };
    long k = 0;
    /* text */
    reset();
    BYTE hello[] = "hello";
    CHECK(HP_HttpClient_SendWSMessage(c, TRUE, 0, 0x1, mask, hello, 5, 0));
    CHECK(memcmp(hello, "hello", 6) == 0);
    CHECK(wait_for(&ws_completes, ++k, 5000));
    CHECK(log_has("w11:10 W c"));
    CHECK(body_is("echo:hello", 10));
    /* 300 bytes (16-bit length) and 70000 bytes (64-bit), binary */
    static BYTE big[70000], copy[70000];
    for (int i = 0; i < (int)sizeof big; i++) big[i] = copy[i] = (BYTE)(i * 13 + 1);
    reset();
    CHECK(HP_HttpClient_SendWSMessage(c, TRUE, 0, 0x2, mask, big, 300, 0));
    CHECK(wait_for(&ws_completes, ++k, 5000));
    CHECK(log_has("w12:300 W c"));
    CHECK(body_is((const char *)copy, 300));
    reset();
    CHECK(HP_HttpClient_SendWSMessage(c, TRUE, 0, 0x2, mask, big, (int)sizeof big, 0));
    CHECK(memcmp(big, copy, sizeof big) == 0);
    CHECK(wait_for(&ws_completes, ++k, 5000));
    CHECK(log_has("w12:70000 W c"));
    CHECK(body_is((const char *)copy, (int)sizeof big));
    /* a message in two fragments */
    reset();
    CHECK(HP_HttpClient_SendWSMessage(c, FALSE, 0, 0x1, mask, (const BYTE *)"frag", 4, 0));
    CHECK(HP_HttpClient_SendWSMessage(c, TRUE, 0, 0x0, mask, (const BYTE *)"ment", 4, 0));
    CHECK(wait_for(&ws_completes, ++k, 5000));
    CHECK(body_is("echo:fragment", 13));
    /* a ping: the server's pong */
    reset();
    CHECK(HP_HttpClient_SendWSMessage(c, TRUE, 0, 0x9, mask, (const BYTE *)"pp", 2, 0));
    CHECK(wait_for(&ws_completes, ++k, 5000));
    CHECK(log_has("w110:2 W c"));
    CHECK(body_is("pp", 2));
    /* close 1000: the server's close, then it ends the connection */
    reset();
    BYTE code[2] = { 0x03, 0xE8 };
    CHECK(HP_HttpClient_SendWSMessage(c, TRUE, 0, 0x8, mask, code, 2, 0));
    CHECK(wait_for(&ws_completes, ++k, 5000));
    CHECK(log_has("w18:2 W c"));
    CHECK(body_is("\x03\xE8", 2));
    CHECK(wait_for(&closes, 1, 5000));
    CHECK_EQ(get(&errors), 0);
    HP_Client_Stop(c);
    HP_Client_Wait(c, 5000);
    Destroy_HP_HttpClient(c);
    Destroy_HP_HttpClientListener(l);
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: http_our_client http|ws PORT\n"); return 2; }
    port = (USHORT)atoi(argv[2]);
    if (strcmp(argv[1], "http") == 0) http_upstream();
    else ws_python();
    return t_finish("http_our_client");
}
