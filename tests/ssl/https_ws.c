/* Our HttpsClient as a WebSocket client (wss) of the `websockets` package's echo server over TLS
 * (tests/ssl/https_ws_server.py), for tests/ssl_https.rs.
 *
 *   https_ws PORT CERTDIR
 *
 * Verifies the server against ca.pem (SSL_VM_PEER), connects to "localhost", waits for
 * OnHandShake, upgrades on /echo, then exchanges masked frames: text, 300 bytes and 100 KB
 * binary (16- and 64-bit lengths), a fragmented message, a ping and a close. Prints
 * "https_ws: N passed, M failed". */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "HPSocket4C-SSL.h"
#include "testutil.h"

#define BIG (100 * 1024)
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char ev_log[4096];
static char ev_last;
static BYTE body[BIG + 64];
static int body_len;
static volatile long handshakes, upgrades, ws_completes, closes, errors;

static long get(volatile long *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static void inc(volatile long *p) { __atomic_add_fetch(p, 1, __ATOMIC_SEQ_CST); }

static void ev_add(char tag, const char *fmt, ...)
{
    pthread_mutex_lock(&mu);
    if (!(tag && tag == ev_last)) { /* a run of OnWSMessageBody calls is one "W" */
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
static void reset(void)
{
    pthread_mutex_lock(&mu);
    ev_log[0] = 0;
    ev_last = 0;
    body_len = 0;
    pthread_mutex_unlock(&mu);
}
static int log_is(const char *want)
{
    pthread_mutex_lock(&mu);
    int ok = strcmp(ev_log, want) == 0;
    if (!ok) fprintf(stderr, "events \"%s\", want \"%s\"\n", ev_log, want);
    pthread_mutex_unlock(&mu);
    return ok;
}
static int body_is(const void *want, int n)
{
    pthread_mutex_lock(&mu);
    int ok = body_len == n && memcmp(body, want, (size_t)n) == 0;
    if (!ok) fprintf(stderr, "body of %d bytes \"%.*s\", want %d bytes\n", body_len, body_len > 80 ? 80 : body_len, (const char *)body, n);
    pthread_mutex_unlock(&mu);
    return ok;
}

static En_HP_HandleResult __HP_CALL on_handshake(HP_Client c, HP_CONNID id) { (void)c; (void)id; inc(&handshakes); return HR_OK; }
static En_HP_HandleResult __HP_CALL on_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)c; (void)id;
    ev_add(0, "X%d:%d", (int)op, err);
    inc(&closes);
    return HR_OK;
}
static En_HP_HttpParseResult __HP_CALL on_status(HP_Http c, HP_CONNID id, USHORT code, LPCSTR reason) { (void)c; (void)id; ev_add(0, "S%u", (unsigned)code); (void)reason; return HPR_OK; }
static En_HP_HttpParseResult __HP_CALL on_headers(HP_Http c, HP_CONNID id) { (void)c; (void)id; ev_add(0, "C"); return HPR_OK; }
static En_HP_HttpParseResult __HP_CALL on_complete(HP_Http c, HP_CONNID id) { (void)c; (void)id; ev_add(0, "M"); return HPR_OK; }
static En_HP_HttpParseResult __HP_CALL on_upgrade(HP_Http c, HP_CONNID id, En_HP_HttpUpgradeType t) { (void)c; (void)id; ev_add(0, "U%d", (int)t); inc(&upgrades); return HPR_OK; }
static En_HP_HttpParseResult __HP_CALL on_parse_error(HP_Http c, HP_CONNID id, int code, LPCSTR desc)
{
    (void)c; (void)id;
    fprintf(stderr, "parse error %d %s\n", code, desc ? desc : "");
    inc(&errors);
    return HPR_OK;
}
static En_HP_HandleResult __HP_CALL on_ws_header(HP_Http c, HP_CONNID id, BOOL fin, BYTE rsv, BYTE op, const BYTE *mask, ULONGLONG len)
{
    (void)c; (void)id; (void)rsv;
    ev_add(0, "w%d%d:%llu%s", fin ? 1 : 0, (int)op, (unsigned long long)len, mask ? "m" : "");
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_ws_body(HP_Http c, HP_CONNID id, const BYTE *p, int n)
{
    (void)c; (void)id;
    ev_add('W', "W");
    pthread_mutex_lock(&mu);
    if (body_len + n <= (int)sizeof body) { memcpy(body + body_len, p, (size_t)n); body_len += n; }
    pthread_mutex_unlock(&mu);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_ws_complete(HP_Http c, HP_CONNID id) { (void)c; (void)id; ev_add(0, "c"); inc(&ws_completes); return HR_OK; }

int main(int argc, char **argv)
{
    if (argc != 3) { fprintf(stderr, "usage: https_ws PORT CERTDIR\n"); return 2; }
    USHORT port = (USHORT)atoi(argv[1]);
    char ca[4096];
    snprintf(ca, sizeof ca, "%s/ca.pem", argv[2]);

    HP_HttpClientListener l = Create_HP_HttpClientListener();
    HP_Set_FN_HttpClient_OnHandShake(l, on_handshake);
    HP_Set_FN_HttpClient_OnClose(l, on_close);
    HP_Set_FN_HttpClient_OnStatusLine(l, on_status);
    HP_Set_FN_HttpClient_OnHeadersComplete(l, on_headers);
    HP_Set_FN_HttpClient_OnMessageComplete(l, on_complete);
    HP_Set_FN_HttpClient_OnUpgrade(l, on_upgrade);
    HP_Set_FN_HttpClient_OnParseError(l, on_parse_error);
    HP_Set_FN_HttpClient_OnWSMessageHeader(l, on_ws_header);
    HP_Set_FN_HttpClient_OnWSMessageBody(l, on_ws_body);
    HP_Set_FN_HttpClient_OnWSMessageComplete(l, on_ws_complete);
    HP_HttpsClient c = Create_HP_HttpsClient(l);
    CHECK(HP_SSLClient_SetupSSLContext(c, SSL_VM_PEER, NULL, NULL, NULL, ca));
    CHECK(HP_Client_Start(c, "localhost", port, FALSE));
    CHECK(wait_for(&handshakes, 1, 20000));
    LPVOID v = NULL;
    CHECK(HP_SSLClient_GetSSLSessionInfo(c, SSL_SSI_VERSION, &v));
    CHECK(v && strncmp((const char *)v, "TLSv1", 5) == 0);
    printf("handshake ok %s\n", v ? (const char *)v : "(null)");

    THeader up[] = {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}, {"Sec-WebSocket-Version", "13"}};
    reset();
    CHECK(HP_HttpClient_SendGet(c, "/echo", up, 4));
    CHECK(wait_for(&upgrades, 1, 20000));
    CHECK(log_is("S101 C M U1"));
    LPCSTR acc = NULL;
    CHECK(HP_HttpClient_GetHeader(c, "Sec-WebSocket-Accept", &acc) && acc && strcmp(acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0);
    CHECK_EQ(HP_HttpClient_GetUpgradeType(c), HUT_WEB_SOCKET);

    BYTE mask[4] = {0x5A, 0x17, 0xC3, 0x8E};
    long k = 0;
    reset(); /* text */
    CHECK(HP_HttpClient_SendWSMessage(c, TRUE, 0, 0x1, mask, (const BYTE *)"hello-wss", 9, 0));
    CHECK(wait_for(&ws_completes, ++k, 20000));
    CHECK(log_is("w11:14 W c"));
    CHECK(body_is("echo:hello-wss", 14));

    static BYTE big[BIG];
    for (int i = 0; i < BIG; i++) big[i] = (BYTE)(i * 13 + i / 509);
    reset(); /* 300 bytes: a 16-bit length */
    CHECK(HP_HttpClient_SendWSMessage(c, TRUE, 0, 0x2, mask, big, 300, 0));
    CHECK(wait_for(&ws_completes, ++k, 20000));
    CHECK(log_is("w12:300 W c"));
    CHECK(body_is(big, 300));
    reset(); /* 100 KB: a 64-bit length */
    CHECK(HP_HttpClient_SendWSMessage(c, TRUE, 0, 0x2, mask, big, BIG, 0));
    CHECK(wait_for(&ws_completes, ++k, 20000));
    CHECK(log_is("w12:102400 W c"));
    CHECK(body_is(big, BIG));

    reset(); /* one text message in two frames: echoed whole */
    CHECK(HP_HttpClient_SendWSMessage(c, FALSE, 0, 0x1, mask, (const BYTE *)"frag", 4, 0));
    CHECK(HP_HttpClient_SendWSMessage(c, TRUE, 0, 0x0, mask, (const BYTE *)"ment", 4, 0));
    CHECK(wait_for(&ws_completes, ++k, 20000));
    CHECK(log_is("w11:13 W c"));
    CHECK(body_is("echo:fragment", 13));

    reset(); /* ping: the server's pong */
    CHECK(HP_HttpClient_SendWSMessage(c, TRUE, 0, 0x9, mask, (const BYTE *)"pp", 2, 0));
    CHECK(wait_for(&ws_completes, ++k, 20000));
    CHECK(log_is("w110:2 W c"));
    CHECK(body_is("pp", 2));

    reset(); /* close 1000: the server's close, then it ends the connection */
    BYTE code[2] = {0x03, 0xE8};
    CHECK(HP_HttpClient_SendWSMessage(c, TRUE, 0, 0x8, mask, code, 2, 0));
    CHECK(wait_for(&ws_completes, ++k, 20000));
    CHECK(body_is("\x03\xE8", 2));
    CHECK(wait_for(&closes, 1, 20000));
    CHECK(strncmp(ev_log, "w18:2 W c X", 11) == 0);
    printf("ws events after close: %s\n", ev_log);
    CHECK_EQ(get(&handshakes), 1);
    CHECK_EQ(get(&errors), 0);
    HP_Client_Stop(c);
    CHECK(HP_Client_Wait(c, 20000));
    Destroy_HP_HttpsClient(c);
    Destroy_HP_HttpClientListener(l);
    return t_finish("https_ws");
}
