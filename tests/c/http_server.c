/* The HttpServer's contract from C: an HttpServer on 127.0.0.1 (port 0) and a blocking BSD-socket
 * client in the same program. Covers the event order (GET, POST with Content-Length, chunked
 * requests with extensions, pipelining, HEAD), the accessors inside OnHeadersComplete /
 * OnMessageComplete and after (URL fields, host, version, keep-alive, headers and cookies with the
 * count protocol, content fields, string lifetimes), responses (SendResponse's Content-Length and
 * Connection, reason phrases, SendChunkData, SendLocalFile), Release, the settings, HttpAutoStart
 * off and StartHttp, parse errors, the upgrade to WebSocket and the CONNECT tunnel, HP_Server_*
 * on an HttpServer, and wrong handles. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include "HPSocket4C.h"
#include "testutil.h"

#define TIMEOUT_MS 5000

/* ---- checks made inside callbacks (worker threads): counted atomically, added at the end ---- */
static volatile long cb_pass, cb_fail;
#define CB_CHECK(cond) do { if (cond) __atomic_add_fetch(&cb_pass, 1, __ATOMIC_SEQ_CST); else { __atomic_add_fetch(&cb_fail, 1, __ATOMIC_SEQ_CST); fprintf(stderr, "%s:%d: CB_CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CB_CHECK_EQ(a, b) do { long long _a = (long long)(a), _b = (long long)(b); if (_a == _b) __atomic_add_fetch(&cb_pass, 1, __ATOMIC_SEQ_CST); else { __atomic_add_fetch(&cb_fail, 1, __ATOMIC_SEQ_CST); fprintf(stderr, "%s:%d: CB_CHECK_EQ failed: %s == %s (%lld vs %lld)\n", __FILE__, __LINE__, #a, #b, _a, _b); } } while (0)
#define CB_CHECK_STR(a, b) do { const char *_a = (a), *_b = (b); if (_a && _b && strcmp(_a, _b) == 0) __atomic_add_fetch(&cb_pass, 1, __ATOMIC_SEQ_CST); else { __atomic_add_fetch(&cb_fail, 1, __ATOMIC_SEQ_CST); fprintf(stderr, "%s:%d: CB_CHECK_STR failed: %s == %s (\"%s\" vs \"%s\")\n", __FILE__, __LINE__, #a, #b, _a ? _a : "(null)", _b ? _b : "(null)"); } } while (0)
#define CHECK_STR(a, b) do { const char *_a = (a), *_b = (b); if (_a && _b && strcmp(_a, _b) == 0) t_passed++; else { t_failed++; fprintf(stderr, "%s:%d: CHECK_STR failed: %s == %s (\"%s\" vs \"%s\")\n", __FILE__, __LINE__, #a, #b, _a ? _a : "(null)", _b ? _b : "(null)"); } } while (0)

static long ld(volatile long *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static void inc(volatile long *p) { __atomic_add_fetch(p, 1, __ATOMIC_SEQ_CST); }

static int ieq(const char *a, const char *b) {
    for (; *a && *b; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
        if (x != y) return 0;
    }
    return *a == *b;
}

static void copy_str(char *dst, size_t cap, const char *src) {
    if (!src) { snprintf(dst, cap, "(null)"); return; }
    snprintf(dst, cap, "%s", src);
}

/* ---- the event log: one line of tokens, cleared by each test ---- */
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static char g_log[16384];
static size_t g_log_len;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...) {
    va_list ap;
    pthread_mutex_lock(&g_mu);
    if (g_log_len < sizeof(g_log) - 1) {
        va_start(ap, fmt);
        int n = vsnprintf(g_log + g_log_len, sizeof(g_log) - g_log_len, fmt, ap);
        va_end(ap);
        if (n > 0) g_log_len += (size_t)n;
        if (g_log_len > sizeof(g_log) - 1) g_log_len = sizeof(g_log) - 1;
    }
    pthread_mutex_unlock(&g_mu);
}
/* A body token only once per run of body pieces (their number depends on the reads). */
static void log_body(void) {
    pthread_mutex_lock(&g_mu);
    if (!(g_log_len >= 3 && memcmp(g_log + g_log_len - 3, "BD|", 3) == 0) && g_log_len + 4 < sizeof(g_log)) {
        memcpy(g_log + g_log_len, "BD|", 4);
        g_log_len += 3;
    }
    pthread_mutex_unlock(&g_mu);
}
static void log_get(char *out, size_t cap) {
    pthread_mutex_lock(&g_mu);
    snprintf(out, cap, "%s", g_log);
    pthread_mutex_unlock(&g_mu);
}

/* ---- what the callbacks record ---- */
static HP_HttpServer srv, srv_raw, srv10;
static volatile long g_accepts, g_handshakes_raw, g_begins, g_completes, g_closes, g_perrors, g_upgrades;
static volatile long g_ws_headers, g_ws_completes, g_raw_bytes, g_shutdowns, g_sent, g_hc;
static volatile HP_CONNID g_last_id, g_accept_id, g_close_id, g_perr_id;
static volatile long g_close_op = -1, g_close_err = -1;

static char g_body[65536];              /* OnBody bytes of the current test */
static volatile long g_body_len, g_body_pieces;
static char g_raw[4096];                /* OnReceive bytes */

/* A snapshot of the accessors, taken in OnHeadersComplete (hc) and OnMessageComplete (mc). */
typedef struct {
    char method[32], host[128], ctype[64], cenc[64], tenc[64];
    char field[HUF_MAX][128];
    USHORT fieldset, version;
    BOOL keepalive, upgrade;
    int upgrade_type;
    ULONGLONG clen;
} snap_t;
static snap_t g_hc_snap, g_mc_snap;

static void take_snap(HP_HttpServer s, HP_CONNID id, snap_t *o) {
    snap_t sn;
    memset(&sn, 0, sizeof sn);
    copy_str(sn.method, sizeof sn.method, HP_HttpServer_GetMethod(s, id));
    copy_str(sn.host, sizeof sn.host, HP_HttpServer_GetHost(s, id));
    copy_str(sn.ctype, sizeof sn.ctype, HP_HttpServer_GetContentType(s, id));
    copy_str(sn.cenc, sizeof sn.cenc, HP_HttpServer_GetContentEncoding(s, id));
    copy_str(sn.tenc, sizeof sn.tenc, HP_HttpServer_GetTransferEncoding(s, id));
    for (int f = 0; f < HUF_MAX; f++) copy_str(sn.field[f], sizeof sn.field[f], HP_HttpServer_GetUrlField(s, id, (En_HP_HttpUrlField)f));
    sn.fieldset = HP_HttpServer_GetUrlFieldSet(s, id);
    sn.version = HP_HttpServer_GetVersion(s, id);
    sn.keepalive = HP_HttpServer_IsKeepAlive(s, id);
    sn.upgrade = HP_HttpServer_IsUpgrade(s, id);
    sn.upgrade_type = (int)HP_HttpServer_GetUpgradeType(s, id);
    sn.clen = HP_HttpServer_GetContentLength(s, id);
    pthread_mutex_lock(&g_mu);
    *o = sn;
    pthread_mutex_unlock(&g_mu);
}
static snap_t get_snap(snap_t *p) {
    pthread_mutex_lock(&g_mu);
    snap_t s = *p;
    pthread_mutex_unlock(&g_mu);
    return s;
}

static const char *path_of(HP_HttpServer s, HP_CONNID id) {
    const char *p = HP_HttpServer_GetUrlField(s, id, HUF_PATH);
    return p ? p : "";
}

/* ---- listener callbacks ---- */
static En_HP_HandleResult __HP_CALL on_prepare_listen(HP_Server s, UINT_PTR so) { (void)s; (void)so; return HR_OK; }
static En_HP_HandleResult __HP_CALL on_accept(HP_Server s, HP_CONNID id, UINT_PTR so) {
    (void)s; (void)so;
    g_accept_id = id;
    inc(&g_accepts);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_handshake(HP_Server s, HP_CONNID id) {
    (void)id;
    if (s == srv_raw) inc(&g_handshakes_raw);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_send(HP_Server s, HP_CONNID id, const BYTE *p, int n) {
    (void)s; (void)id; (void)p;
    __atomic_add_fetch(&g_sent, n, __ATOMIC_SEQ_CST);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_receive(HP_Server s, HP_CONNID id, const BYTE *p, int n) {
    (void)s; (void)id;
    pthread_mutex_lock(&g_mu);
    long at = g_raw_bytes;
    if (at + n < (long)sizeof(g_raw)) memcpy(g_raw + at, p, (size_t)n);
    pthread_mutex_unlock(&g_mu);
    __atomic_add_fetch(&g_raw_bytes, n, __ATOMIC_SEQ_CST);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int err) {
    (void)s;
    g_close_id = id; g_close_op = op; g_close_err = err;
    logf_("X|");
    inc(&g_closes);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_shutdown(HP_Server s) { (void)s; inc(&g_shutdowns); return HR_OK; }

static En_HP_HttpParseResult __HP_CALL on_message_begin(HP_Http h, HP_CONNID id) {
    (void)h;
    g_last_id = id;
    logf_("B|");
    inc(&g_begins);
    return HPR_OK;
}
static En_HP_HttpParseResult __HP_CALL on_request_line(HP_Http h, HP_CONNID id, LPCSTR method, LPCSTR url) {
    (void)h; (void)id;
    logf_("RL:%s %s|", method, url);
    return HPR_OK;
}

/* String lifetimes: a pointer GetHeader gives in OnHeader, checked again in OnMessageComplete. */
static const char *volatile g_life_ptr;
static char g_life_copy[64];

static En_HP_HttpParseResult __HP_CALL on_header(HP_Http h, HP_CONNID id, LPCSTR name, LPCSTR value) {
    char v[40];
    snprintf(v, sizeof v, "%s", value);
    logf_("H:%s=%s|", name, v);
    if (ieq(name, "X-First")) {
        LPCSTR p = NULL;
        CB_CHECK(HP_HttpServer_GetHeader((HP_HttpServer)h, id, "x-first", &p));
        g_life_ptr = p;
        copy_str(g_life_copy, sizeof g_life_copy, p);
    }
    return HPR_OK;
}

/* The accessor battery of GET /acc (its request is in test_accessors). */
static void accessor_battery(HP_HttpServer s, HP_CONNID id) {
    LPCSTR v = NULL;
    /* GetHeader ignores case; of several values, the last to arrive (as upstream's multimap). */
    CB_CHECK(HP_HttpServer_GetHeader(s, id, "x-multi", &v));
    CB_CHECK_STR(v, "three");
    v = NULL;
    CB_CHECK(HP_HttpServer_GetHeader(s, id, "USER-AGENT", &v));
    CB_CHECK_STR(v, "hp-test");
    CB_CHECK(!HP_HttpServer_GetHeader(s, id, "X-Missing", &v));

    /* GetHeaders: every value; the count protocol. */
    DWORD n = 0;
    CB_CHECK(!HP_HttpServer_GetHeaders(s, id, "X-Multi", NULL, &n));
    CB_CHECK_EQ(n, 3);
    LPCSTR vals[4] = {NULL, NULL, NULL, NULL};
    n = 0;
    CB_CHECK(!HP_HttpServer_GetHeaders(s, id, "X-Multi", vals, &n));
    CB_CHECK_EQ(n, 3);
    n = 2;
    CB_CHECK(!HP_HttpServer_GetHeaders(s, id, "x-multi", vals, &n));
    CB_CHECK_EQ(n, 3);
    n = 4;
    CB_CHECK(HP_HttpServer_GetHeaders(s, id, "x-MULTI", vals, &n));
    CB_CHECK_EQ(n, 3);
    {
        int one = 0, two = 0, three = 0;
        for (int i = 0; i < 3; i++) {
            if (!vals[i]) continue;
            one += strcmp(vals[i], "one") == 0;
            two += strcmp(vals[i], "two") == 0;
            three += strcmp(vals[i], "three") == 0;
        }
        CB_CHECK(one == 1 && two == 1 && three == 1);
        /* last to arrive first, as upstream */
        CB_CHECK_STR(vals[0], "three");
        CB_CHECK_STR(vals[2], "one");
    }
    n = 4;
    CB_CHECK(!HP_HttpServer_GetHeaders(s, id, "X-Missing", vals, &n));
    CB_CHECK_EQ(n, 0);

    /* GetAllHeaders / GetAllHeaderNames: 7 headers (Host, User-Agent, 3 x X-Multi, Cookie,
     * Accept). */
    const DWORD total = 7;
    THeader hs[8];
    n = 0;
    CB_CHECK(!HP_HttpServer_GetAllHeaders(s, id, NULL, &n));
    CB_CHECK_EQ(n, total);
    n = 0;
    CB_CHECK(!HP_HttpServer_GetAllHeaders(s, id, hs, &n));
    CB_CHECK_EQ(n, total);
    n = total - 1;
    CB_CHECK(!HP_HttpServer_GetAllHeaders(s, id, hs, &n));
    CB_CHECK_EQ(n, total);
    n = 8;
    memset(hs, 0, sizeof hs);
    CB_CHECK(HP_HttpServer_GetAllHeaders(s, id, hs, &n));
    CB_CHECK_EQ(n, total);
    {
        int host = 0, multi = 0, accept = 0;
        for (DWORD i = 0; i < total; i++) {
            if (!hs[i].name || !hs[i].value) continue;
            if (strcmp(hs[i].name, "Host") == 0 && strcmp(hs[i].value, "acc.example:81") == 0) host++;
            if (ieq(hs[i].name, "X-Multi")) multi++;
            if (strcmp(hs[i].name, "Accept") == 0 && strcmp(hs[i].value, "*/*") == 0) accept++;
        }
        CB_CHECK(host == 1 && multi == 3 && accept == 1);
    }
    LPCSTR names[8];
    n = 0;
    CB_CHECK(!HP_HttpServer_GetAllHeaderNames(s, id, NULL, &n));
    CB_CHECK_EQ(n, total);
    n = 3;
    CB_CHECK(!HP_HttpServer_GetAllHeaderNames(s, id, names, &n));
    CB_CHECK_EQ(n, total);
    n = total;
    memset(names, 0, sizeof names);
    CB_CHECK(HP_HttpServer_GetAllHeaderNames(s, id, names, &n));
    CB_CHECK_EQ(n, total);
    {
        int cookie = 0, ua = 0;
        for (DWORD i = 0; i < total; i++) {
            if (!names[i]) continue;
            cookie += strcmp(names[i], "Cookie") == 0;
            ua += strcmp(names[i], "User-Agent") == 0;
        }
        CB_CHECK(cookie == 1 && ua == 1);
    }

    /* Cookies: `Cookie: a=1; B=2; b=3; sp = x y`, names case-sensitive. */
    v = NULL;
    CB_CHECK(HP_HttpServer_GetCookie(s, id, "a", &v));
    CB_CHECK_STR(v, "1");
    CB_CHECK(HP_HttpServer_GetCookie(s, id, "B", &v));
    CB_CHECK_STR(v, "2");
    CB_CHECK(HP_HttpServer_GetCookie(s, id, "b", &v));
    CB_CHECK_STR(v, "3");
    CB_CHECK(!HP_HttpServer_GetCookie(s, id, "A", &v));
    CB_CHECK(!HP_HttpServer_GetCookie(s, id, "missing", &v));
    TCookie cs[4];
    n = 0;
    CB_CHECK(!HP_HttpServer_GetAllCookies(s, id, NULL, &n));
    CB_CHECK_EQ(n, 3);
    n = 2;
    CB_CHECK(!HP_HttpServer_GetAllCookies(s, id, cs, &n));
    CB_CHECK_EQ(n, 3);
    n = 4;
    memset(cs, 0, sizeof cs);
    CB_CHECK(HP_HttpServer_GetAllCookies(s, id, cs, &n));
    CB_CHECK_EQ(n, 3);
    {
        int ok = 0;
        for (int i = 0; i < 3; i++) {
            if (!cs[i].name || !cs[i].value) continue;
            ok += strcmp(cs[i].name, "a") == 0 && strcmp(cs[i].value, "1") == 0;
            ok += strcmp(cs[i].name, "B") == 0 && strcmp(cs[i].value, "2") == 0;
            ok += strcmp(cs[i].name, "b") == 0 && strcmp(cs[i].value, "3") == 0;
        }
        CB_CHECK_EQ(ok, 3);
    }
    /* A field past HUF_MAX has no value. */
    CB_CHECK(HP_HttpServer_GetUrlField(s, id, HUF_MAX) == NULL);
    /* No parse error, no WebSocket state on a plain request. */
    LPCSTR desc = NULL;
    CB_CHECK_EQ(HP_HttpServer_GetParseErrorCode(s, id, &desc), 0);
    BOOL fin = 0;
    CB_CHECK(!HP_HttpServer_GetWSMessageState(s, id, &fin, NULL, NULL, NULL, NULL, NULL));
}

static En_HP_HttpParseResult __HP_CALL on_headers_complete(HP_Http h, HP_CONNID id) {
    HP_HttpServer s = (HP_HttpServer)h;
    const char *path = path_of(s, id);
    logf_("HC|");
    take_snap(s, id, &g_hc_snap);
    inc(&g_hc);
    if (strcmp(path, "/acc") == 0) accessor_battery(s, id);
    if (strcmp(path, "/cb-error") == 0) return HPR_ERROR;
    if (strcmp(path, "/cb-errno") == 0) { errno = EPROTO; return HPR_ERROR; }
    if (strcmp(path, "/ws") == 0 || strcmp(path, "/ws-refuse") == 0) return HPR_UPGRADE;
    return HPR_OK;
}
static En_HP_HttpParseResult __HP_CALL on_body(HP_Http h, HP_CONNID id, const BYTE *p, int n) {
    (void)h; (void)id;
    log_body();
    pthread_mutex_lock(&g_mu);
    long at = g_body_len;
    if (at + n < (long)sizeof(g_body)) memcpy(g_body + at, p, (size_t)n);
    pthread_mutex_unlock(&g_mu);
    __atomic_add_fetch(&g_body_len, n, __ATOMIC_SEQ_CST);
    inc(&g_body_pieces);
    return HPR_OK;
}
static En_HP_HttpParseResult __HP_CALL on_chunk_header(HP_Http h, HP_CONNID id, int len) {
    (void)h; (void)id;
    logf_("CH:%d|", len);
    return HPR_OK;
}
static En_HP_HttpParseResult __HP_CALL on_chunk_complete(HP_Http h, HP_CONNID id) {
    (void)h; (void)id;
    logf_("CC|");
    return HPR_OK;
}

/* What SendLocalFile sends, and what the responses report. */
static char g_file[256];
static char g_file_data[3000];
static volatile long g_sendfile_ok = -1, g_nofile_ok = -1, g_nofile_errno = -1;
static volatile long g_release1 = -1, g_release2 = -1, g_chunks_ok = -1, g_raw_send_ok = -1;

static void respond(HP_HttpServer s, HP_CONNID id) {
    const char *path = path_of(s, id);
    const char *method = HP_HttpServer_GetMethod(s, id);
    THeader text[1] = {{"Content-Type", "text/plain"}};
    if (method && strcmp(method, "HEAD") == 0) {
        THeader hd[1] = {{"Content-Length", "5"}};
        HP_HttpServer_SendResponse(s, id, 200, NULL, hd, 1, NULL, 0);
    } else if (strcmp(path, "/empty") == 0) {
        HP_HttpServer_SendResponse(s, id, 200, NULL, NULL, 0, NULL, 0);
    } else if (strcmp(path, "/notfound") == 0) {
        HP_HttpServer_SendResponse(s, id, 404, NULL, NULL, 0, NULL, 0);
    } else if (strcmp(path, "/own") == 0) {
        THeader own[3] = {{"content-length", "5"}, {"CONNECTION", "close"}, {"X-Own", "1"}};
        HP_HttpServer_SendResponse(s, id, 201, "Made", own, 3, (const BYTE *)"abcde", 5);
    } else if (strcmp(path, "/chunked") == 0) {
        THeader te[1] = {{"Transfer-Encoding", "chunked"}};
        int ok = HP_HttpServer_SendResponse(s, id, 200, "OK", te, 1, NULL, 0);
        ok = ok && HP_HttpServer_SendChunkData(s, id, (const BYTE *)"hello", 5, NULL);
        ok = ok && HP_HttpServer_SendChunkData(s, id, (const BYTE *)" world!", 7, "a=b");
        ok = ok && HP_HttpServer_SendChunkData(s, id, (const BYTE *)"0123456789abcdefg", 17, NULL);
        ok = ok && HP_HttpServer_SendChunkData(s, id, NULL, 0, NULL);
        g_chunks_ok = ok;
    } else if (strcmp(path, "/file") == 0) {
        THeader ct[1] = {{"Content-Type", "application/octet-stream"}};
        g_sendfile_ok = HP_HttpServer_SendLocalFile(s, id, g_file, 200, NULL, ct, 1);
    } else if (strcmp(path, "/nofile") == 0) {
        BOOL ok = HP_HttpServer_SendLocalFile(s, id, "/nonexistent/hp-test-no-such-file", 200, NULL, NULL, 0);
        g_nofile_errno = (long)SYS_GetLastError();
        g_nofile_ok = ok;
        HP_HttpServer_SendResponse(s, id, 500, NULL, NULL, 0, NULL, 0);
    } else if (strcmp(path, "/release") == 0) {
        HP_HttpServer_SendResponse(s, id, 200, NULL, text, 1, (const BYTE *)"bye", 3);
        g_release1 = HP_HttpServer_Release(s, id);
        g_release2 = HP_HttpServer_Release(s, id);
    } else if (strcmp(path, "/release-framed") == 0) {
        /* The caller's own Content-Length: the body follows in a Send after Release. */
        THeader cl[1] = {{"Content-Length", "5"}};
        HP_HttpServer_SendResponse(s, id, 200, NULL, cl, 1, NULL, 0);
        g_release1 = HP_HttpServer_Release(s, id);
        HP_Server_Send(s, id, (const BYTE *)"later", 5);
    } else if (strcmp(path, "/raw") == 0) {
        static const char raw[] = "HTTP/1.1 299 Raw\r\nContent-Length: 3\r\n\r\nraw";
        g_raw_send_ok = HP_Server_Send(s, id, (const BYTE *)raw, (int)strlen(raw));
    } else if (strcmp(path, "/noreply") == 0) {
        /* nothing: the test disconnects */
    } else {
        char body[256];
        int n = snprintf(body, sizeof body, "path=%s", path);
        HP_HttpServer_SendResponse(s, id, 200, NULL, text, 1, (const BYTE *)body, n);
    }
}

static En_HP_HttpParseResult __HP_CALL on_message_complete(HP_Http h, HP_CONNID id) {
    HP_HttpServer s = (HP_HttpServer)h;
    logf_("MC|");
    take_snap(s, id, &g_mc_snap);
    if (strcmp(path_of(s, id), "/life") == 0) {
        /* The pointer GetHeader gave in OnHeader is still valid and unchanged after more headers. */
        const char *p = g_life_ptr;
        CB_CHECK(p != NULL);
        if (p) CB_CHECK_STR(p, g_life_copy);
        if (p) CB_CHECK_STR(p, "keep-me");
        LPCSTR again = NULL;
        CB_CHECK(HP_HttpServer_GetHeader(s, id, "X-First", &again));
        CB_CHECK(again == p);
    }
    if (HP_HttpServer_GetUpgradeType(s, id) == HUT_NONE) respond(s, id);
    inc(&g_completes);
    return HPR_OK;
}

static volatile long g_upgrade_type = -99, g_upgrade_isup = -1;
static En_HP_HttpParseResult __HP_CALL on_upgrade(HP_Http h, HP_CONNID id, En_HP_HttpUpgradeType t) {
    HP_HttpServer s = (HP_HttpServer)h;
    logf_("U:%d|", (int)t);
    g_upgrade_type = t;
    g_upgrade_isup = HP_HttpServer_IsUpgrade(s, id);
    CB_CHECK_EQ(HP_HttpServer_GetUpgradeType(s, id), t);
    if (strcmp(path_of(s, id), "/ws-refuse") == 0) {
        inc(&g_upgrades);
        return HPR_ERROR;
    }
    if (t == HUT_WEB_SOCKET) {
        THeader hs[3] = {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}};
        CB_CHECK(HP_HttpServer_SendResponse(s, id, 101, NULL, hs, 3, NULL, 0));
    } else if (t == HUT_HTTP_TUNNEL) {
        CB_CHECK(HP_HttpServer_SendResponse(s, id, 200, "Connection Established", NULL, 0, NULL, 0));
    }
    inc(&g_upgrades);
    return HPR_OK;
}

static volatile long g_perr_code = -1, g_perr_same = -1;
static char g_perr_desc[256];
static En_HP_HttpParseResult __HP_CALL on_parse_error(HP_Http h, HP_CONNID id, int code, LPCSTR desc) {
    HP_HttpServer s = (HP_HttpServer)h;
    LPCSTR d2 = NULL;
    USHORT c2 = HP_HttpServer_GetParseErrorCode(s, id, &d2);
    pthread_mutex_lock(&g_mu);
    copy_str(g_perr_desc, sizeof g_perr_desc, desc);
    pthread_mutex_unlock(&g_mu);
    g_perr_same = (c2 == code) && d2 != NULL && desc != NULL && strcmp(d2, desc) == 0;
    g_perr_code = code;
    g_perr_id = id;
    logf_("E:%d|", code);
    inc(&g_perrors);
    return HPR_OK;
}

/* WebSocket frames: the payload is gathered and echoed (a ping is answered with a pong). */
static char g_ws_payload[4096];
static volatile long g_ws_len, g_ws_hdr_len, g_ws_opcode = -1, g_ws_masked = -1;
static BYTE g_ws_mask[4];

static En_HP_HandleResult __HP_CALL on_ws_header(HP_Http h, HP_CONNID id, BOOL fin, BYTE rsv, BYTE opcode, const BYTE *mask, ULONGLONG len) {
    HP_HttpServer s = (HP_HttpServer)h;
    logf_("WH:%d,%d,%d,%s,%llu|", fin ? 1 : 0, rsv, opcode, mask ? "m" : "-", (unsigned long long)len);
    BOOL f = 9; BYTE r = 9, o = 99; LPCBYTE m = NULL; ULONGLONG bl = 1234, rem = 1234;
    CB_CHECK(HP_HttpServer_GetWSMessageState(s, id, &f, &r, &o, &m, &bl, &rem));
    CB_CHECK_EQ(!!f, !!fin);
    CB_CHECK_EQ(r, rsv);
    CB_CHECK_EQ(o, opcode);
    CB_CHECK(m != NULL && mask != NULL && memcmp(m, mask, 4) == 0);
    CB_CHECK_EQ(bl, len);
    CB_CHECK_EQ(rem, len);
    /* Each pointer may be NULL. */
    CB_CHECK(HP_HttpServer_GetWSMessageState(s, id, NULL, NULL, NULL, NULL, NULL, NULL));
    pthread_mutex_lock(&g_mu);
    g_ws_len = 0;
    g_ws_hdr_len = (long)len;
    g_ws_opcode = opcode;
    g_ws_masked = mask != NULL;
    if (mask) memcpy(g_ws_mask, mask, 4);
    pthread_mutex_unlock(&g_mu);
    inc(&g_ws_headers);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_ws_body(HP_Http h, HP_CONNID id, const BYTE *p, int n) {
    HP_HttpServer s = (HP_HttpServer)h;
    log_body();
    pthread_mutex_lock(&g_mu);
    long at = g_ws_len;
    if (at + n <= (long)sizeof(g_ws_payload)) memcpy(g_ws_payload + at, p, (size_t)n);
    g_ws_len = at + n;
    long total = g_ws_hdr_len;
    pthread_mutex_unlock(&g_mu);
    ULONGLONG bl = 0, rem = 999999;
    CB_CHECK(HP_HttpServer_GetWSMessageState(s, id, NULL, NULL, NULL, NULL, &bl, &rem));
    CB_CHECK_EQ(bl, total);
    CB_CHECK_EQ(rem, total - (at + n));
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_ws_complete(HP_Http h, HP_CONNID id) {
    HP_HttpServer s = (HP_HttpServer)h;
    BYTE op = 0;
    CB_CHECK(HP_HttpServer_GetWSMessageState(s, id, NULL, NULL, &op, NULL, NULL, NULL));
    logf_("WC|");
    char copy[4096];
    pthread_mutex_lock(&g_mu);
    long n = g_ws_len;
    if (n > (long)sizeof copy) n = sizeof copy;
    memcpy(copy, g_ws_payload, (size_t)n);
    pthread_mutex_unlock(&g_mu);
    if (op == 1 || op == 2) CB_CHECK(HP_HttpServer_SendWSMessage(s, id, TRUE, 0, op, (const BYTE *)copy, (int)n, 0));
    if (op == 9) CB_CHECK(HP_HttpServer_SendWSMessage(s, id, TRUE, 0, 10, (const BYTE *)copy, (int)n, 0));
    inc(&g_ws_completes);
    return HR_OK;
}

/* ---- the client: blocking sockets, a buffer for what has arrived ---- */
static USHORT g_port, g_port_raw, g_port10;

typedef struct {
    int fd;
    size_t len;
    char buf[1 << 17];
} cli_t;

static long g_open_clients;   /* main thread only */

static cli_t *cli_open(USHORT port) {
    cli_t *c = (cli_t *)calloc(1, sizeof(cli_t));
    g_open_clients++;
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0) {
        fprintf(stderr, "connect to %u failed: %s\n", port, strerror(errno));
        t_failed++;
    }
    return c;
}
static void cli_close(cli_t *c) {
    if (!c) return;
    g_open_clients--;
    close(c->fd);
    free(c);
}
static void cli_send(cli_t *c, const void *p, size_t n) {
    const char *b = (const char *)p;
    while (n > 0) {
        ssize_t w = send(c->fd, b, n, MSG_NOSIGNAL);
        if (w <= 0) { fprintf(stderr, "send failed: %s\n", strerror(errno)); return; }
        b += w; n -= (size_t)w;
    }
}
static void cli_sends(cli_t *c, const char *s) { cli_send(c, s, strlen(s)); }

/* Reads more: > 0 bytes read, 0 at EOF (or reset), -1 after ms without data. */
static int cli_more(cli_t *c, int ms) {
    struct pollfd p = {c->fd, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0) return -1;
    if (c->len >= sizeof c->buf) return -1;
    ssize_t r = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
    if (r <= 0) return 0;
    c->len += (size_t)r;
    return (int)r;
}
static int cli_need(cli_t *c, size_t n) {
    while (c->len < n)
        if (cli_more(c, TIMEOUT_MS) <= 0) return 0;
    return 1;
}
static long find(const char *b, size_t len, size_t from, const char *s) {
    size_t n = strlen(s);
    for (size_t i = from; i + n <= len; i++)
        if (memcmp(b + i, s, n) == 0) return (long)i;
    return -1;
}
static void cli_consume(cli_t *c, size_t n) {
    memmove(c->buf, c->buf + n, c->len - n);
    c->len -= n;
}
/* Waits for EOF, dropping any data: 1 when the peer closed within ms. */
static int cli_eof(cli_t *c, int ms) {
    for (int waited = 0; waited < ms; waited += 50) {
        int r = cli_more(c, 50);
        if (r == 0) return 1;
        if (r > 0) c->len = 0;
    }
    return 0;
}
/* Nothing arrives within ms (the connection stays open and silent). */
static int cli_silent(cli_t *c, int ms) { return cli_more(c, ms) < 0; }

typedef struct {
    int ok, status;
    char line[256];
    char head[8192];
    char body[65536];
    size_t blen;
    char chunk_lines[1024];
} resp_t;

/* Reads one response: the status line, the headers, and the body (Content-Length, chunked, or
 * none for a HEAD). */
static resp_t *cli_response(cli_t *c, int head_only) {
    static resp_t rs[2];
    static int which;
    resp_t *r = &rs[which ^= 1];
    memset(r, 0, sizeof *r);
    long end;
    while ((end = find(c->buf, c->len, 0, "\r\n\r\n")) < 0)
        if (cli_more(c, TIMEOUT_MS) <= 0) { fprintf(stderr, "no response head (have %zu bytes)\n", c->len); return r; }
    size_t head_len = (size_t)end + 4;
    long eol = find(c->buf, c->len, 0, "\r\n");
    snprintf(r->line, sizeof r->line, "%.*s", (int)eol, c->buf);
    snprintf(r->head, sizeof r->head, "%.*s", (int)(head_len - (size_t)eol - 2), c->buf + eol + 2);
    if (sscanf(r->line, "HTTP/%*d.%*d %d", &r->status) != 1) r->status = -1;
    cli_consume(c, head_len);
    /* framing */
    const char *h = r->head;
    long clen = -1;
    int chunked = 0;
    while (*h) {
        const char *nl = strstr(h, "\r\n");
        if (!nl) break;
        char name[128], value[512];
        const char *colon = (const char *)memchr(h, ':', (size_t)(nl - h));
        if (colon) {
            snprintf(name, sizeof name, "%.*s", (int)(colon - h), h);
            const char *v = colon + 1;
            while (*v == ' ') v++;
            snprintf(value, sizeof value, "%.*s", (int)(nl - v), v);
            if (ieq(name, "Content-Length")) clen = atol(value);
            if (ieq(name, "Transfer-Encoding") && ieq(value, "chunked")) chunked = 1;
        }
        h = nl + 2;
    }
    if (head_only || r->status == 101 || (r->status >= 100 && r->status < 200)) { r->ok = 1; return r; }
    if (chunked) {
        for (;;) {
            long le;
            while ((le = find(c->buf, c->len, 0, "\r\n")) < 0)
                if (cli_more(c, TIMEOUT_MS) <= 0) return r;
            char line[128];
            snprintf(line, sizeof line, "%.*s", (int)le, c->buf);
            size_t cl = strlen(r->chunk_lines);
            snprintf(r->chunk_lines + cl, sizeof r->chunk_lines - cl, "%s|", line);
            unsigned long size = strtoul(line, NULL, 16);
            cli_consume(c, (size_t)le + 2);
            if (size == 0) {
                if (!cli_need(c, 2)) return r;
                if (memcmp(c->buf, "\r\n", 2) != 0) return r;
                cli_consume(c, 2);
                break;
            }
            if (!cli_need(c, size + 2)) return r;
            if (r->blen + size < sizeof r->body) memcpy(r->body + r->blen, c->buf, size);
            r->blen += size;
            if (memcmp(c->buf + size, "\r\n", 2) != 0) return r;
            cli_consume(c, size + 2);
        }
    } else if (clen > 0) {
        if (!cli_need(c, (size_t)clen)) return r;
        size_t n = (size_t)clen < sizeof r->body ? (size_t)clen : sizeof r->body - 1;
        memcpy(r->body, c->buf, n);
        r->blen = (size_t)clen;
        cli_consume(c, (size_t)clen);
    }
    r->ok = 1;
    return r;
}
/* How many times the response has header `name`; its (first) value into `out`. */
static int resp_header(const resp_t *r, const char *name, char *out, size_t cap) {
    int count = 0;
    const char *h = r->head;
    if (out && cap) out[0] = 0;
    while (*h) {
        const char *nl = strstr(h, "\r\n");
        if (!nl) break;
        const char *colon = (const char *)memchr(h, ':', (size_t)(nl - h));
        if (colon) {
            char nm[128];
            snprintf(nm, sizeof nm, "%.*s", (int)(colon - h), h);
            if (ieq(nm, name)) {
                const char *v = colon + 1;
                while (*v == ' ') v++;
                if (count == 0 && out) snprintf(out, cap, "%.*s", (int)(nl - v), v);
                count++;
            }
        }
        h = nl + 2;
    }
    return count;
}
static int body_is(const resp_t *r, const char *s) { return r->blen == strlen(s) && memcmp(r->body, s, r->blen) == 0; }

/* Waits until every connection the client closed has had its OnClose (so that no event of an
 * earlier test lands in this test's log), then clears what the callbacks recorded. */
static void reset_test(void) {
    for (int i = 0; i < TIMEOUT_MS && ld(&g_accepts) - ld(&g_closes) > g_open_clients; i++) sleep_ms(1);
    if (ld(&g_accepts) - ld(&g_closes) > g_open_clients) fprintf(stderr, "reset_test: connections still open\n");
    pthread_mutex_lock(&g_mu);
    g_log[0] = 0; g_log_len = 0;
    g_body_len = 0; g_body_pieces = 0;
    g_raw_bytes = 0;
    memset(&g_hc_snap, 0, sizeof g_hc_snap);
    memset(&g_mc_snap, 0, sizeof g_mc_snap);
    pthread_mutex_unlock(&g_mu);
}
#define LOG_IS(expect) do { char _l[16384]; log_get(_l, sizeof _l); CHECK_STR(_l, expect); } while (0)
/* Waits until the log reads exactly `expect` (events of other threads come in their own time). */
static int log_wait(const char *expect) {
    char l[16384];
    for (int i = 0; i < TIMEOUT_MS; i++) {
        log_get(l, sizeof l);
        if (strcmp(l, expect) == 0) return 1;
        sleep_ms(1);
    }
    return 0;
}
#define LOG_WAIT(expect) do { if (!log_wait(expect)) LOG_IS(expect); else t_passed++; } while (0)

/* ---- the tests ---- */

static void test_settings(HP_HttpServerListener l) {
    HP_HttpServer s = Create_HP_HttpServer(l);
    CHECK(s != NULL);
    CHECK(HP_HttpServer_IsHttpAutoStart(s));
    CHECK_EQ(HP_HttpServer_GetLocalVersion(s), HV_1_1);
    DWORD d = HP_HttpServer_GetReleaseDelay(s);
    CHECK(d >= 100 && d <= 60000);
    HP_HttpServer_SetReleaseDelay(s, 1234);
    CHECK_EQ(HP_HttpServer_GetReleaseDelay(s), 1234);
    HP_HttpServer_SetLocalVersion(s, HV_1_0);
    CHECK_EQ(HP_HttpServer_GetLocalVersion(s), HV_1_0);
    HP_HttpServer_SetLocalVersion(s, HV_1_1);
    CHECK_EQ(HP_HttpServer_GetLocalVersion(s), HV_1_1);
    HP_HttpServer_SetHttpAutoStart(s, FALSE);
    CHECK(!HP_HttpServer_IsHttpAutoStart(s));
    HP_HttpServer_SetHttpAutoStart(s, TRUE);
    CHECK(HP_HttpServer_IsHttpAutoStart(s));
    /* Release delay outside 100..60000: Start refuses with SE_INVALID_PARAM. */
    HP_HttpServer_SetReleaseDelay(s, 99);
    CHECK(!HP_Server_Start(s, "127.0.0.1", 0));
    CHECK_EQ(HP_Server_GetLastError(s), SE_INVALID_PARAM);
    CHECK_EQ(HP_Server_GetState(s), SS_STOPPED);
    HP_HttpServer_SetReleaseDelay(s, 60001);
    CHECK(!HP_Server_Start(s, "127.0.0.1", 0));
    CHECK_EQ(HP_Server_GetLastError(s), SE_INVALID_PARAM);
    /* The bounds themselves are fine. */
    HP_HttpServer_SetReleaseDelay(s, 100);
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    CHECK(HP_Server_Stop(s));
    HP_HttpServer_SetReleaseDelay(s, 60000);
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    CHECK(HP_Server_Stop(s));
    CHECK_EQ(HP_HttpServer_GetReleaseDelay(s), 60000);
    Destroy_HP_HttpServer(s);
}

/* Setters while started change nothing. */
static void test_setters_while_started(void) {
    HP_HttpServer_SetReleaseDelay(srv, 5000);
    CHECK_EQ(HP_HttpServer_GetReleaseDelay(srv), 100);
    HP_HttpServer_SetLocalVersion(srv, HV_1_0);
    CHECK_EQ(HP_HttpServer_GetLocalVersion(srv), HV_1_1);
    HP_HttpServer_SetHttpAutoStart(srv, FALSE);
    CHECK(HP_HttpServer_IsHttpAutoStart(srv));
}

static void test_get_order(void) {
    reset_test();
    cli_t *c = cli_open(g_port);
    cli_sends(c, "GET /order?q=1 HTTP/1.1\r\nHost: a.example\r\nX-One: 1\r\nx-two:  two\r\n\r\n");
    resp_t *r = cli_response(c, 0);
    CHECK(r->ok);
    CHECK_EQ(r->status, 200);
    CHECK_STR(r->line, "HTTP/1.1 200 OK");
    CHECK(body_is(r, "path=/order"));
    char v[128];
    CHECK_EQ(resp_header(r, "Content-Length", v, sizeof v), 1);
    CHECK_STR(v, "11");
    CHECK_EQ(resp_header(r, "Connection", v, sizeof v), 1);
    CHECK_STR(v, "keep-alive");
    CHECK_EQ(resp_header(r, "Content-Type", v, sizeof v), 1);
    LOG_WAIT("B|RL:GET /order?q=1|H:Host=a.example|H:X-One=1|H:x-two=two|HC|MC|");
    snap_t s = get_snap(&g_hc_snap);
    CHECK_STR(s.method, "GET");
    CHECK_STR(s.host, "a.example");
    CHECK_EQ(s.version, 0x0101);
    CHECK_EQ(s.fieldset, (1 << HUF_PATH) | (1 << HUF_QUERY));
    CHECK_STR(s.field[HUF_PATH], "/order");
    CHECK_STR(s.field[HUF_QUERY], "q=1");
    CHECK(!s.upgrade);
    CHECK_EQ(s.upgrade_type, HUT_NONE);
    CHECK_EQ(s.clen, 0);
    CHECK_STR(s.ctype, "(null)");
    CHECK_STR(s.tenc, "(null)");
    /* HTTP requests never reach OnReceive. */
    CHECK_EQ(ld(&g_raw_bytes), 0);
    cli_close(c);
}

static void test_post(void) {
    reset_test();
    cli_t *c = cli_open(g_port);
    cli_sends(c, "POST /post HTTP/1.1\r\nHost: p\r\nContent-Type: text/plain; charset=utf-8\r\n"
                 "Content-Encoding: identity\r\nContent-Length: 11\r\n\r\nhello");
    CHECK(wait_for(&g_body_len, 5, TIMEOUT_MS));
    sleep_ms(20);
    cli_sends(c, " world");
    resp_t *r = cli_response(c, 0);
    CHECK(r->ok && body_is(r, "path=/post"));
    LOG_WAIT("B|RL:POST /post|H:Host=p|H:Content-Type=text/plain; charset=utf-8|H:Content-Encoding=identity|H:Content-Length=11|HC|BD|MC|");
    CHECK_EQ(ld(&g_body_len), 11);
    CHECK(ld(&g_body_pieces) >= 2);
    pthread_mutex_lock(&g_mu);
    CHECK(memcmp(g_body, "hello world", 11) == 0);
    pthread_mutex_unlock(&g_mu);
    snap_t s = get_snap(&g_hc_snap);
    CHECK_STR(s.method, "POST");
    CHECK_EQ(s.clen, 11);
    CHECK_STR(s.ctype, "text/plain; charset=utf-8");
    CHECK_STR(s.cenc, "identity");
    cli_close(c);
}

static void test_chunked_request(void) {
    reset_test();
    cli_t *c = cli_open(g_port);
    cli_sends(c, "POST /chunk HTTP/1.1\r\nHost: c\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "5;ext=1\r\nhello\r\n6;name=\"quoted value\"\r\n world\r\n0\r\n\r\n");
    resp_t *r = cli_response(c, 0);
    CHECK(r->ok && body_is(r, "path=/chunk"));
    LOG_WAIT("B|RL:POST /chunk|H:Host=c|H:Transfer-Encoding=chunked|HC|CH:5|BD|CC|CH:6|BD|CC|CH:0|CC|MC|");
    CHECK_EQ(ld(&g_body_len), 11);
    pthread_mutex_lock(&g_mu);
    CHECK(memcmp(g_body, "hello world", 11) == 0);
    pthread_mutex_unlock(&g_mu);
    snap_t s = get_snap(&g_hc_snap);
    CHECK_STR(s.tenc, "chunked");
    cli_close(c);
}

static void test_pipelined_and_head(void) {
    reset_test();
    cli_t *c = cli_open(g_port);
    long before = ld(&g_completes);
    cli_sends(c, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n");
    for (int i = 1; i <= 3; i++) {
        char want[16];
        snprintf(want, sizeof want, "path=/%d", i);
        resp_t *r = cli_response(c, 0);
        CHECK(r->ok && body_is(r, want));
    }
    CHECK(wait_for(&g_completes, before + 3, TIMEOUT_MS));
    LOG_WAIT("B|RL:GET /1|H:Host=x|HC|MC|B|RL:GET /2|H:Host=x|HC|MC|B|RL:GET /3|H:Host=x|HC|MC|");

    /* HEAD: the same events; the answer's own Content-Length is kept, once, and no body follows. */
    reset_test();
    cli_sends(c, "HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n");
    resp_t *r = cli_response(c, 1);
    CHECK(r->ok && r->status == 200);
    char v[64];
    CHECK_EQ(resp_header(r, "Content-Length", v, sizeof v), 1);
    CHECK_STR(v, "5");
    LOG_WAIT("B|RL:HEAD /h|H:Host=x|HC|MC|");
    CHECK_STR(get_snap(&g_mc_snap).method, "HEAD");
    /* The connection still works, and nothing extra came after the HEAD answer. */
    cli_sends(c, "GET /after-head HTTP/1.1\r\nHost: x\r\n\r\n");
    r = cli_response(c, 0);
    CHECK(r->ok && body_is(r, "path=/after-head"));
    cli_close(c);
}

static void test_accessors(void) {
    reset_test();
    long before = ld(&g_hc);
    cli_t *c = cli_open(g_port);
    cli_sends(c, "GET /acc HTTP/1.1\r\nHost: acc.example:81\r\nUser-Agent: hp-test\r\nX-Multi: one\r\n"
                 "Cookie: a=1; B=2; b=3\r\nx-multi: two\r\nX-MULTI: three\r\nAccept: */*\r\n\r\n");
    resp_t *r = cli_response(c, 0);
    CHECK(r->ok && body_is(r, "path=/acc"));
    CHECK(wait_for(&g_hc, before + 1, TIMEOUT_MS));

    /* URL fields of /p/a?x=1#f */
    reset_test();
    cli_sends(c, "GET /p/a?x=1#f HTTP/1.1\r\nHost: u\r\n\r\n");
    r = cli_response(c, 0);
    CHECK(r->ok && body_is(r, "path=/p/a"));
    for (int k = 0; k < 2; k++) {
        snap_t s = get_snap(k ? &g_mc_snap : &g_hc_snap);
        CHECK_EQ(s.fieldset, (1 << HUF_PATH) | (1 << HUF_QUERY) | (1 << HUF_FRAGMENT));
        CHECK_STR(s.field[HUF_PATH], "/p/a");
        CHECK_STR(s.field[HUF_QUERY], "x=1");
        CHECK_STR(s.field[HUF_FRAGMENT], "f");
        CHECK_STR(s.field[HUF_SCHEMA], "");
        CHECK_STR(s.field[HUF_HOST], "");
        CHECK_STR(s.field[HUF_PORT], "");
        CHECK_STR(s.field[HUF_USERINFO], "");
        CHECK_STR(s.host, "u");
    }

    /* An absolute URL: every field. GetHost is the Host header. */
    reset_test();
    cli_sends(c, "GET http://user:pw@example.com:8080/x/y?q=2#frag HTTP/1.1\r\nHost: example.com:8080\r\n\r\n");
    r = cli_response(c, 0);
    CHECK(r->ok && body_is(r, "path=/x/y"));
    LOG_WAIT("B|RL:GET http://user:pw@example.com:8080/x/y?q=2#frag|H:Host=example.com:8080|HC|MC|");
    snap_t s = get_snap(&g_hc_snap);
    CHECK_EQ(s.fieldset, 0x7F);
    CHECK_STR(s.field[HUF_SCHEMA], "http");
    CHECK_STR(s.field[HUF_HOST], "example.com");
    CHECK_STR(s.field[HUF_PORT], "8080");
    CHECK_STR(s.field[HUF_PATH], "/x/y");
    CHECK_STR(s.field[HUF_QUERY], "q=2");
    CHECK_STR(s.field[HUF_FRAGMENT], "frag");
    CHECK_STR(s.field[HUF_USERINFO], "user:pw");
    CHECK_STR(s.host, "example.com:8080");

    /* A request without Host: GetHost is NULL. */
    reset_test();
    cli_sends(c, "GET /nohost HTTP/1.1\r\n\r\n");
    r = cli_response(c, 0);
    CHECK(r->ok && body_is(r, "path=/nohost"));
    CHECK_STR(get_snap(&g_hc_snap).host, "(null)");
    cli_close(c);
}

static void test_keepalive(void) {
    static const struct { const char *req; int ka; USHORT ver; } cases[] = {
        {"GET /ka HTTP/1.1\r\nHost: k\r\n\r\n", 1, 0x0101},
        {"GET /ka HTTP/1.1\r\nHost: k\r\nConnection: close\r\n\r\n", 0, 0x0101},
        {"GET /ka HTTP/1.0\r\nHost: k\r\n\r\n", 0, 0x0001},
        {"GET /ka HTTP/1.0\r\nHost: k\r\nConnection: keep-alive\r\n\r\n", 1, 0x0001},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        reset_test();
        cli_t *c = cli_open(g_port);
        cli_sends(c, cases[i].req);
        resp_t *r = cli_response(c, 0);
        CHECK(r->ok && body_is(r, "path=/ka"));
        char v[64];
        CHECK_EQ(resp_header(r, "Connection", v, sizeof v), 1);
        CHECK_STR(v, cases[i].ka ? "keep-alive" : "close");
        snap_t hc = get_snap(&g_hc_snap), mc = get_snap(&g_mc_snap);
        CHECK_EQ(hc.keepalive, cases[i].ka);
        CHECK_EQ(mc.keepalive, cases[i].ka);
        CHECK_EQ(hc.version, cases[i].ver);
        /* Still right from the main thread after the message completed (upstream's 315, 317). */
        HP_CONNID id = g_last_id;
        CHECK_EQ(HP_HttpServer_IsKeepAlive(srv, id), cases[i].ka);
        CHECK_EQ(HP_HttpServer_GetVersion(srv, id), cases[i].ver);
        CHECK_STR(HP_HttpServer_GetMethod(srv, id), "GET");
        /* The server does not close on `Connection: close` by itself. */
        CHECK(cli_silent(c, 50));
        cli_close(c);
    }
}

static void test_lifetime(void) {
    reset_test();
    g_life_ptr = NULL;
    cli_t *c = cli_open(g_port);
    char req[4096];
    int n = snprintf(req, sizeof req, "GET /life HTTP/1.1\r\nHost: l\r\nX-First: keep-me\r\n");
    for (int i = 0; i < 40; i++) n += snprintf(req + n, sizeof req - (size_t)n, "X-Filler-%02d: %s\r\n", i, "................................................................");
    snprintf(req + n, sizeof req - (size_t)n, "\r\n");
    cli_sends(c, req);
    resp_t *r = cli_response(c, 0);
    CHECK(r->ok && body_is(r, "path=/life"));
    cli_close(c);
}

static void test_responses(void) {
    cli_t *c = cli_open(g_port);
    char v[128];
    /* An empty body gets Content-Length: 0. */
    cli_sends(c, "GET /empty HTTP/1.1\r\nHost: r\r\n\r\n");
    resp_t *r = cli_response(c, 0);
    CHECK(r->ok);
    CHECK_STR(r->line, "HTTP/1.1 200 OK");
    CHECK_EQ(resp_header(r, "Content-Length", v, sizeof v), 1);
    CHECK_STR(v, "0");
    CHECK_EQ(r->blen, 0);
    /* A NULL description gets the standard reason phrase. */
    cli_sends(c, "GET /notfound HTTP/1.1\r\nHost: r\r\n\r\n");
    r = cli_response(c, 0);
    CHECK(r->ok);
    CHECK_STR(r->line, "HTTP/1.1 404 Not Found");
    CHECK_EQ(resp_header(r, "Content-Length", v, sizeof v), 1);
    CHECK_STR(v, "0");
    CHECK_EQ(resp_header(r, "Connection", v, sizeof v), 1);
    CHECK_STR(v, "keep-alive");
    /* The caller's own Content-Length and Connection are not duplicated; its description kept. */
    cli_sends(c, "GET /own HTTP/1.1\r\nHost: r\r\n\r\n");
    r = cli_response(c, 0);
    CHECK(r->ok && body_is(r, "abcde"));
    CHECK_STR(r->line, "HTTP/1.1 201 Made");
    CHECK_EQ(resp_header(r, "Content-Length", v, sizeof v), 1);
    CHECK_STR(v, "5");
    CHECK_EQ(resp_header(r, "Connection", v, sizeof v), 1);
    CHECK_STR(v, "close");
    CHECK_EQ(resp_header(r, "X-Own", v, sizeof v), 1);
    /* SendChunkData: a valid chunked body, with and without an extension; no Content-Length. */
    cli_sends(c, "GET /chunked HTTP/1.1\r\nHost: r\r\n\r\n");
    r = cli_response(c, 0);
    CHECK(r->ok);
    CHECK(body_is(r, "hello world!0123456789abcdefg"));
    CHECK_EQ(resp_header(r, "Content-Length", v, sizeof v), 0);
    CHECK_EQ(resp_header(r, "Transfer-Encoding", v, sizeof v), 1);
    CHECK(strncmp(r->chunk_lines, "5|7", 3) == 0);
    CHECK(strstr(r->chunk_lines, "a=b") != NULL);
    CHECK(strstr(r->chunk_lines, "|11|0|") != NULL);
    CHECK_EQ(ld(&g_chunks_ok), 1);
    /* SendLocalFile sends the file's bytes. */
    cli_sends(c, "GET /file HTTP/1.1\r\nHost: r\r\n\r\n");
    r = cli_response(c, 0);
    CHECK(r->ok);
    CHECK_EQ(r->status, 200);
    CHECK_EQ(r->blen, sizeof g_file_data);
    CHECK(memcmp(r->body, g_file_data, sizeof g_file_data) == 0);
    CHECK_EQ(resp_header(r, "Content-Type", v, sizeof v), 1);
    CHECK_STR(v, "application/octet-stream");
    CHECK_EQ(ld(&g_sendfile_ok), 1);
    /* ... and fails with errno for a missing file (sending nothing). */
    cli_sends(c, "GET /nofile HTTP/1.1\r\nHost: r\r\n\r\n");
    r = cli_response(c, 0);
    CHECK(r->ok);
    CHECK_STR(r->line, "HTTP/1.1 500 Internal Server Error");
    CHECK_EQ(ld(&g_nofile_ok), 0);
    CHECK_EQ(ld(&g_nofile_errno), ENOENT);
    /* HP_Server_Send writes raw bytes on an HttpServer's connection. */
    cli_sends(c, "GET /raw HTTP/1.1\r\nHost: r\r\n\r\n");
    r = cli_response(c, 0);
    CHECK(r->ok && body_is(r, "raw"));
    CHECK_STR(r->line, "HTTP/1.1 299 Raw");
    CHECK_EQ(ld(&g_raw_send_ok), 1);
    cli_close(c);
    /* SendResponse on an unknown connection: FALSE, EBADSLT. */
    CHECK(!HP_HttpServer_SendResponse(srv, 987654, 200, NULL, NULL, 0, NULL, 0));
    CHECK_EQ(SYS_GetLastError(), EBADSLT);
}

static void test_release(void) {
    reset_test();
    g_release1 = g_release2 = -1;
    long closes = ld(&g_closes);
    cli_t *c = cli_open(g_port);
    cli_sends(c, "GET /release HTTP/1.1\r\nHost: r\r\n\r\n");
    resp_t *r = cli_response(c, 0);
    CHECK(r->ok && body_is(r, "bye"));
    CHECK(cli_eof(c, TIMEOUT_MS));
    CHECK(wait_for(&g_closes, closes + 1, TIMEOUT_MS));
    CHECK_EQ(ld(&g_release1), 1);
    /* A second Release of the same connection fails, as upstream's (HttpServer.cpp:
     * `if(pHttpObj == nullptr || pHttpObj->HasReleased()) return FALSE;`). */
    CHECK_EQ(ld(&g_release2), 0);
    LOG_WAIT("B|RL:GET /release|H:Host=r|HC|MC|X|");
    cli_close(c);
    /* Release of an unknown connection fails. */
    CHECK(!HP_HttpServer_Release(srv, 987654));
}

/* srv10: LocalVersion HV_1_0 and ReleaseDelay 60000. */
static void test_srv10(void) {
    reset_test();
    long closes = ld(&g_closes);
    cli_t *c = cli_open(g_port10);
    cli_sends(c, "GET /v10 HTTP/1.1\r\nHost: r\r\n\r\n");
    resp_t *r = cli_response(c, 0);
    CHECK(r->ok && body_is(r, "path=/v10"));
    CHECK_STR(r->line, "HTTP/1.0 200 OK");
    /* Released with a long delay: the connection stays until data arrives, which closes it at
     * once. */
    cli_sends(c, "GET /release HTTP/1.1\r\nHost: r\r\n\r\n");
    r = cli_response(c, 0);
    CHECK(r->ok && body_is(r, "bye"));
    CHECK_STR(r->line, "HTTP/1.0 200 OK");
    CHECK(cli_silent(c, 200));
    CHECK_EQ(ld(&g_closes), closes);
    cli_sends(c, "GET /more HTTP/1.1\r\nHost: r\r\n\r\n");
    CHECK(cli_eof(c, TIMEOUT_MS));
    CHECK(wait_for(&g_closes, closes + 1, TIMEOUT_MS));
    cli_close(c);

    /* A request that asks to close, answered by a whole response and released: the server ends
     * its side of the stream (FIN) right after the response, long before the 60 s delay; the
     * connection closes once the client closes. (Upstream waits for the client's close.) */
    closes = ld(&g_closes);
    c = cli_open(g_port10);
    cli_sends(c, "GET /release HTTP/1.1\r\nHost: r\r\nConnection: close\r\n\r\n");
    r = cli_response(c, 0);
    CHECK(r->ok && body_is(r, "bye"));
    CHECK(cli_eof(c, TIMEOUT_MS));
    CHECK_EQ(ld(&g_closes), closes);
    cli_close(c);
    CHECK(wait_for(&g_closes, closes + 1, TIMEOUT_MS));

    /* The same request, but the response's body is framed by the application's own
     * Content-Length and sent after Release: the server does not end the stream early (the
     * whole body arrives, and no FIN follows until the client closes). */
    closes = ld(&g_closes);
    g_release1 = -1;
    c = cli_open(g_port10);
    cli_sends(c, "GET /release-framed HTTP/1.1\r\nHost: r\r\nConnection: close\r\n\r\n");
    r = cli_response(c, 0);
    CHECK(r->ok && body_is(r, "later"));
    CHECK_EQ(ld(&g_release1), 1);
    CHECK(cli_silent(c, 200));
    cli_close(c);
    CHECK(wait_for(&g_closes, closes + 1, TIMEOUT_MS));

    /* A keep-alive request that is released keeps upstream's behaviour: no FIN before the
     * client closes or the delay passes. */
    c = cli_open(g_port10);
    cli_sends(c, "GET /release HTTP/1.1\r\nHost: r\r\n\r\n");
    r = cli_response(c, 0);
    CHECK(r->ok && body_is(r, "bye"));
    CHECK(cli_silent(c, 200));
    cli_close(c);
}

static void test_auto_start_off(void) {
    reset_test();
    long acc = ld(&g_accepts);
    long hs = ld(&g_handshakes_raw);
    CHECK(!HP_HttpServer_IsHttpAutoStart(srv_raw));
    cli_t *c = cli_open(g_port_raw);
    CHECK(wait_for(&g_accepts, acc + 1, TIMEOUT_MS));
    HP_CONNID id = g_accept_id;
    static const char raw[] = "GET /not-parsed HTTP/1.1\r\n\r\n";
    const long rawn = (long)strlen(raw);
    cli_sends(c, raw);
    CHECK(wait_for(&g_raw_bytes, rawn, TIMEOUT_MS));
    sleep_ms(20);
    CHECK_EQ(ld(&g_raw_bytes), rawn);
    pthread_mutex_lock(&g_mu);
    CHECK(memcmp(g_raw, raw, (size_t)rawn) == 0);
    pthread_mutex_unlock(&g_mu);
    LOG_IS("");
    /* With HttpAutoStart off, OnHandShake waits for StartHttp, as upstream's (its FireAccept skips
     * FireHandShake; StartHttp raises it). Ours raises it on the connection's worker right after
     * StartHttp, before any further bytes are parsed (callbacks of a connection stay on its thread). */
    CHECK_EQ(ld(&g_handshakes_raw), hs);
    CHECK(HP_HttpServer_StartHttp(srv_raw, id));
    errno = 0;
    CHECK(!HP_HttpServer_StartHttp(srv_raw, id));
    /* A second StartHttp: ERROR_ALREADY_INITIALIZED (EALREADY), as upstream. */
    CHECK_EQ(SYS_GetLastError(), EALREADY);
    CHECK(wait_for(&g_handshakes_raw, hs + 1, TIMEOUT_MS));
    CHECK_EQ(ld(&g_handshakes_raw), hs + 1);
    cli_sends(c, "GET /parsed HTTP/1.1\r\nHost: s\r\n\r\n");
    resp_t *r = cli_response(c, 0);
    CHECK(r->ok && body_is(r, "path=/parsed"));
    LOG_WAIT("B|RL:GET /parsed|H:Host=s|HC|MC|");
    CHECK_EQ(ld(&g_raw_bytes), rawn);
    cli_close(c);
    /* StartHttp fails when auto start is on (ERROR_INVALID_OPERATION = EPERM) and for an unknown id. */
    cli_t *c2 = cli_open(g_port);
    acc = ld(&g_accepts);
    cli_sends(c2, "GET /x HTTP/1.1\r\nHost: s\r\n\r\n");
    r = cli_response(c2, 0);
    CHECK(r->ok);
    CHECK(!HP_HttpServer_StartHttp(srv, g_last_id));
    CHECK_EQ(SYS_GetLastError(), EPERM);
    errno = 0;
    CHECK(!HP_HttpServer_StartHttp(srv_raw, 987654));
    /* An unknown id: ERROR_OBJECT_NOT_FOUND (EBADSLT), as upstream. */
    CHECK_EQ(SYS_GetLastError(), EBADSLT);
    cli_close(c2);
}

static void test_parse_errors(void) {
    static char big[72 * 1024];
    {
        int n = snprintf(big, sizeof big, "GET /big HTTP/1.1\r\nHost: b\r\nX-Big: ");
        memset(big + n, 'a', 66 * 1024);
        snprintf(big + n + 66 * 1024, sizeof big - (size_t)n - 66 * 1024, "\r\n\r\n");
    }
    static const struct { const char *req; int code; } cases[] = {
        {"XYZ / HTTP/1.1\r\nHost: e\r\n\r\n", 6},                                     /* HPE_INVALID_METHOD */
        {"GET / HTTP/1.x\r\nHost: e\r\n\r\n", 9},                                     /* HPE_INVALID_VERSION */
        {"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", 10},                              /* HPE_INVALID_HEADER_TOKEN */
        {"POST / HTTP/1.1\r\nHost: e\r\nContent-Length: abc\r\n\r\n", 11},            /* HPE_INVALID_CONTENT_LENGTH */
        {"POST / HTTP/1.1\r\nHost: e\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 12}, /* HPE_INVALID_CHUNK_SIZE */
        {NULL, 24},                                                                   /* head over 64 KiB: HPE_USER */
        {"GET /cb-error HTTP/1.1\r\nHost: e\r\n\r\n", 17},                            /* HPE_CB_HEADERS_COMPLETE */
        {"GET /cb-errno HTTP/1.1\r\nHost: e\r\n\r\n", 17},                            /* the same, errno left EPROTO */
    };
    /* Another connection, open all along, keeps working. */
    cli_t *other = cli_open(g_port);
    cli_sends(other, "GET /other HTTP/1.1\r\nHost: o\r\n\r\n");
    resp_t *r = cli_response(other, 0);
    CHECK(r->ok && body_is(r, "path=/other"));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        reset_test();
        long errs = ld(&g_perrors), closes = ld(&g_closes), acc = ld(&g_accepts);
        g_perr_same = -1;
        cli_t *c = cli_open(g_port);
        CHECK(wait_for(&g_accepts, acc + 1, TIMEOUT_MS));
        HP_CONNID id = g_accept_id;
        if (cases[i].req) cli_sends(c, cases[i].req);
        else cli_send(c, big, strlen(big));
        if (!wait_for(&g_perrors, errs + 1, TIMEOUT_MS)) fprintf(stderr, "case %zu: no OnParseError\n", i);
        CHECK_EQ(ld(&g_perrors), errs + 1);
        if (ld(&g_perr_code) != cases[i].code) fprintf(stderr, "case %zu: code %ld, desc %s\n", i, ld(&g_perr_code), g_perr_desc);
        CHECK_EQ(ld(&g_perr_code), cases[i].code);
        CHECK_EQ(ld(&g_perr_same), 1);
        CHECK(g_perr_id == id);
        CHECK(g_perr_desc[0] != 0 && strcmp(g_perr_desc, "(null)") != 0);
        /* The connection closes; the server writes no 400 itself. */
        CHECK(wait_for(&g_closes, closes + 1, TIMEOUT_MS));
        CHECK(g_close_id == id);
        /* As upstream: the close code is the errno the failing callback left. */
        if (cases[i].req && strstr(cases[i].req, "/cb-errno")) { CHECK_EQ(g_close_op, SO_RECEIVE); CHECK_EQ(g_close_err, EPROTO); }
        CHECK_EQ(c->len, 0);
        CHECK(cli_eof(c, TIMEOUT_MS));
        cli_close(c);
        cli_sends(other, "GET /other HTTP/1.1\r\nHost: o\r\n\r\n");
        r = cli_response(other, 0);
        CHECK(r->ok && body_is(r, "path=/other"));
    }
    cli_close(other);
}

/* A masked client frame. */
static size_t ws_frame(BYTE *out, int fin, int opcode, const BYTE mask[4], const char *payload, size_t len) {
    size_t n = 0;
    out[n++] = (BYTE)((fin ? 0x80 : 0) | (opcode & 0x0F));
    BYTE mbit = mask ? 0x80 : 0;
    if (len < 126) out[n++] = (BYTE)(mbit | len);
    else { out[n++] = (BYTE)(mbit | 126); out[n++] = (BYTE)(len >> 8); out[n++] = (BYTE)len; }
    if (mask) { memcpy(out + n, mask, 4); n += 4; }
    for (size_t i = 0; i < len; i++) out[n + i] = (BYTE)(mask ? payload[i] ^ mask[i & 3] : payload[i]);
    return n + len;
}
/* Reads one unmasked server frame: opcode, payload. */
static int ws_read(cli_t *c, int *opcode, char *payload, size_t cap, size_t *len) {
    if (!cli_need(c, 2)) return 0;
    BYTE b0 = (BYTE)c->buf[0], b1 = (BYTE)c->buf[1];
    if (b1 & 0x80) return 0;
    size_t l = b1 & 0x7F, hl = 2;
    if (l == 126) { if (!cli_need(c, 4)) return 0; l = ((size_t)(BYTE)c->buf[2] << 8) | (BYTE)c->buf[3]; hl = 4; }
    if (l == 127) return 0;
    if (!cli_need(c, hl + l)) return 0;
    *opcode = b0 & 0x0F;
    if (!(b0 & 0x80)) return 0;
    *len = l;
    memcpy(payload, c->buf + hl, l < cap ? l : cap);
    cli_consume(c, hl + l);
    return 1;
}

static const char *WS_REQ = "GET /ws HTTP/1.1\r\nHost: w\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

static void test_websocket(void) {
    reset_test();
    long ups = ld(&g_upgrades);
    cli_t *c = cli_open(g_port);
    cli_sends(c, WS_REQ);
    resp_t *r = cli_response(c, 0);
    CHECK(r->ok);
    CHECK_EQ(r->status, 101);
    CHECK_STR(r->line, "HTTP/1.1 101 Switching Protocols");
    char v[128];
    CHECK_EQ(resp_header(r, "Connection", v, sizeof v), 1);
    CHECK_STR(v, "Upgrade");
    CHECK(wait_for(&g_upgrades, ups + 1, TIMEOUT_MS));
    CHECK_EQ(ld(&g_upgrade_type), HUT_WEB_SOCKET);
    CHECK_EQ(ld(&g_upgrade_isup), 1);
    snap_t mc = get_snap(&g_mc_snap);
    CHECK(mc.upgrade);
    CHECK_EQ(mc.upgrade_type, HUT_WEB_SOCKET);
    LOG_WAIT("B|RL:GET /ws|H:Host=w|H:Upgrade=websocket|H:Connection=Upgrade|H:Sec-WebSocket-Key=dGhlIHNhbXBsZSBub25jZQ==|H:Sec-WebSocket-Version=13|HC|MC|U:1|");
    HP_CONNID id = g_last_id;
    CHECK(HP_HttpServer_IsUpgrade(srv, id));
    CHECK_EQ(HP_HttpServer_GetUpgradeType(srv, id), HUT_WEB_SOCKET);

    /* A masked text frame, echoed unmasked. */
    static const BYTE mask[4] = {0x11, 0x22, 0x33, 0x44};
    BYTE f[512];
    reset_test();
    long done = ld(&g_ws_completes);
    size_t n = ws_frame(f, 1, 1, mask, "hello", 5);
    cli_send(c, f, n);
    int op = 0;
    char pl[512];
    size_t pn = 0;
    CHECK(ws_read(c, &op, pl, sizeof pl, &pn));
    CHECK_EQ(op, 1);
    CHECK(pn == 5 && memcmp(pl, "hello", 5) == 0);
    CHECK(wait_for(&g_ws_completes, done + 1, TIMEOUT_MS));
    LOG_WAIT("WH:1,0,1,m,5|BD|WC|");
    pthread_mutex_lock(&g_mu);
    CHECK(memcmp(g_ws_mask, mask, 4) == 0);
    CHECK_EQ(g_ws_masked, 1);
    pthread_mutex_unlock(&g_mu);

    /* A 200-byte binary frame in two pieces: the body comes unmasked in pieces, echoed whole. */
    reset_test();
    char big[200];
    for (int i = 0; i < 200; i++) big[i] = (char)('A' + i % 26);
    n = ws_frame(f, 1, 2, mask, big, sizeof big);
    cli_send(c, f, 50);
    sleep_ms(20);
    cli_send(c, f + 50, n - 50);
    CHECK(ws_read(c, &op, pl, sizeof pl, &pn));
    CHECK_EQ(op, 2);
    CHECK(pn == sizeof big && memcmp(pl, big, sizeof big) == 0);
    LOG_WAIT("WH:1,0,2,m,200|BD|WC|");

    /* A ping arrives as opcode 9 (the application answers with a pong here). */
    reset_test();
    n = ws_frame(f, 1, 9, mask, "pi", 2);
    cli_send(c, f, n);
    CHECK(ws_read(c, &op, pl, sizeof pl, &pn));
    CHECK_EQ(op, 10);
    CHECK(pn == 2 && memcmp(pl, "pi", 2) == 0);
    LOG_WAIT("WH:1,0,9,m,2|BD|WC|");

    /* A non-final frame with reserved bits, and an empty frame. */
    reset_test();
    n = ws_frame(f, 0, 1, mask, "ab", 2);
    f[0] = (BYTE)(f[0] | 0x40);
    cli_send(c, f, n);
    n = ws_frame(f, 1, 0, mask, "", 0);
    cli_send(c, f, n);
    LOG_WAIT("WH:0,4,1,m,2|BD|WC|WH:1,0,0,m,0|WC|");
    CHECK(ws_read(c, &op, pl, sizeof pl, &pn));   /* the echo of the text fragment */
    CHECK(pn == 2 && memcmp(pl, "ab", 2) == 0);

    /* An unmasked frame from the client closes the connection. */
    long closes = ld(&g_closes);
    n = ws_frame(f, 1, 1, NULL, "bad", 3);
    cli_send(c, f, n);
    CHECK(wait_for(&g_closes, closes + 1, TIMEOUT_MS));
    CHECK(g_close_id == id);
    CHECK(cli_eof(c, TIMEOUT_MS));
    cli_close(c);
}

/* OnUpgrade refusing the upgrade (HPR_ERROR): the connection closes. */
static void test_upgrade_refused(void) {
    reset_test();
    long ups = ld(&g_upgrades), closes = ld(&g_closes), errs = ld(&g_perrors);
    cli_t *c = cli_open(g_port);
    cli_sends(c, "GET /ws-refuse HTTP/1.1\r\nHost: w\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    CHECK(wait_for(&g_upgrades, ups + 1, TIMEOUT_MS));
    CHECK(wait_for(&g_closes, closes + 1, TIMEOUT_MS));
    CHECK(cli_eof(c, TIMEOUT_MS));
    /* Refusing the upgrade closes the connection without OnParseError, as upstream's
     * THttpObjT::Upgrade (HttpHelper.h). */
    CHECK_EQ(ld(&g_perrors), errs);
    cli_close(c);
}

static void test_connect_tunnel(void) {
    reset_test();
    long ups = ld(&g_upgrades);
    cli_t *c = cli_open(g_port);
    cli_sends(c, "CONNECT host.example:443 HTTP/1.1\r\nHost: host.example:443\r\n\r\nearly");
    resp_t *r = cli_response(c, 1);
    CHECK(r->ok);
    CHECK_STR(r->line, "HTTP/1.1 200 Connection Established");
    CHECK(wait_for(&g_upgrades, ups + 1, TIMEOUT_MS));
    CHECK_EQ(ld(&g_upgrade_type), HUT_HTTP_TUNNEL);
    snap_t s = get_snap(&g_hc_snap);
    CHECK_STR(s.method, "CONNECT");
    CHECK_EQ(s.fieldset, (1 << HUF_HOST) | (1 << HUF_PORT));
    CHECK_STR(s.field[HUF_HOST], "host.example");
    CHECK_STR(s.field[HUF_PORT], "443");
    CHECK(wait_for(&g_raw_bytes, 5, TIMEOUT_MS));
    cli_sends(c, "later-bytes");
    CHECK(wait_for(&g_raw_bytes, 16, TIMEOUT_MS));
    sleep_ms(20);
    CHECK_EQ(ld(&g_raw_bytes), 16);
    pthread_mutex_lock(&g_mu);
    CHECK(memcmp(g_raw, "earlylater-bytes", 16) == 0);
    pthread_mutex_unlock(&g_mu);
    LOG_WAIT("B|RL:CONNECT host.example:443|H:Host=host.example:443|HC|MC|U:2|");
    /* The tunnel's bytes go both ways: HP_Server_Send raw. */
    CHECK(HP_Server_Send(srv, g_last_id, (const BYTE *)"pong", 4));
    CHECK(cli_need(c, 4) && memcmp(c->buf, "pong", 4) == 0);
    cli_close(c);
}

static void test_server_functions(void) {
    reset_test();
    cli_t *a = cli_open(g_port);
    cli_t *b = cli_open(g_port);
    cli_sends(a, "GET /noreply HTTP/1.1\r\nHost: n\r\n\r\n");
    CHECK(log_wait("B|RL:GET /noreply|H:Host=n|HC|MC|"));
    HP_CONNID id = g_last_id;
    cli_sends(b, "GET /b HTTP/1.1\r\nHost: n\r\n\r\n");
    resp_t *r = cli_response(b, 0);
    CHECK(r->ok);
    CHECK(HP_Server_GetConnectionCount(srv) >= 2);
    long closes = ld(&g_closes);
    CHECK(HP_Server_Disconnect(srv, id, TRUE));
    CHECK(cli_eof(a, TIMEOUT_MS));
    CHECK(wait_for(&g_closes, closes + 1, TIMEOUT_MS));
    CHECK(g_close_id == id);
    /* The id is gone: the accessors give nothing. */
    for (int i = 0; i < 100 && HP_HttpServer_GetMethod(srv, id) != NULL; i++) sleep_ms(10);
    CHECK(HP_HttpServer_GetMethod(srv, id) == NULL);
    CHECK_EQ(HP_HttpServer_GetVersion(srv, id), 0);
    CHECK(!HP_HttpServer_IsKeepAlive(srv, id));
    cli_close(a);
    cli_close(b);
}

static void test_wrong_handles(HP_HttpServerListener l) {
    HP_TcpServerListener tl = Create_HP_TcpServerListener();
    HP_TcpServer tcp = Create_HP_TcpServer(tl);
    errno = 0;
    CHECK(!HP_HttpServer_SendResponse(tcp, 1, 200, NULL, NULL, 0, NULL, 0));
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    errno = 0;
    CHECK(!HP_HttpServer_StartHttp(tcp, 1));
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    errno = 0;
    CHECK(!HP_HttpServer_Release(tcp, 1));
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    errno = 0;
    CHECK(!HP_HttpServer_SendChunkData(tcp, 1, (const BYTE *)"x", 1, NULL));
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    errno = 0;
    CHECK(!HP_HttpServer_SendWSMessage(tcp, 1, TRUE, 0, 1, (const BYTE *)"x", 1, 0));
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    errno = 0;
    CHECK(HP_HttpServer_GetMethod(tcp, 1) == NULL);
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    errno = 0;
    LPCSTR v = NULL;
    CHECK(!HP_HttpServer_GetHeader(tcp, 1, "Host", &v));
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    errno = 0;
    HP_HttpServer_GetReleaseDelay(tcp);
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    errno = 0;
    HP_HttpServer_SetReleaseDelay(tcp, 500);
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    Destroy_HP_TcpServer(tcp);
    Destroy_HP_TcpServerListener(tl);
    /* An HttpServer listener is not a TcpServer listener either way round: Destroy_HP_TcpServer on
     * an HttpServer is refused and the server keeps working. */
    (void)l;
    errno = 0;
    Destroy_HP_TcpServer(srv);
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    CHECK(HP_Server_HasStarted(srv));
    cli_t *c = cli_open(g_port);
    cli_sends(c, "GET /still HTTP/1.1\r\nHost: s\r\n\r\n");
    resp_t *r = cli_response(c, 0);
    CHECK(r->ok && body_is(r, "path=/still"));
    cli_close(c);
}

static HP_HttpServer start_server(HP_HttpServerListener l, USHORT *port, BOOL auto_start, DWORD delay, En_HP_HttpVersion ver) {
    HP_HttpServer s = Create_HP_HttpServer(l);
    HP_HttpServer_SetHttpAutoStart(s, auto_start);
    HP_HttpServer_SetReleaseDelay(s, delay);
    HP_HttpServer_SetLocalVersion(s, ver);
    HP_Server_SetWorkerThreadCount(s, 2);
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    TCHAR addr[64];
    int alen = sizeof addr / sizeof addr[0];
    USHORT p = 0;
    CHECK(HP_Server_GetListenAddress(s, addr, &alen, &p));
    CHECK(p != 0);
    *port = p;
    return s;
}

int main(void) {
    /* The file SendLocalFile sends. */
    for (size_t i = 0; i < sizeof g_file_data; i++) g_file_data[i] = (char)(i * 7 + 3);
    snprintf(g_file, sizeof g_file, "/tmp/hp-http-server-XXXXXX");
    int fd = mkstemp(g_file);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, g_file_data, sizeof g_file_data), (long)sizeof g_file_data);
    close(fd);

    HP_HttpServerListener l = Create_HP_HttpServerListener();
    HP_Set_FN_HttpServer_OnPrepareListen(l, on_prepare_listen);
    HP_Set_FN_HttpServer_OnAccept(l, on_accept);
    HP_Set_FN_HttpServer_OnHandShake(l, on_handshake);
    HP_Set_FN_HttpServer_OnReceive(l, on_receive);
    HP_Set_FN_HttpServer_OnSend(l, on_send);
    HP_Set_FN_HttpServer_OnClose(l, on_close);
    HP_Set_FN_HttpServer_OnShutdown(l, on_shutdown);
    HP_Set_FN_HttpServer_OnMessageBegin(l, on_message_begin);
    HP_Set_FN_HttpServer_OnRequestLine(l, on_request_line);
    HP_Set_FN_HttpServer_OnHeader(l, on_header);
    HP_Set_FN_HttpServer_OnHeadersComplete(l, on_headers_complete);
    HP_Set_FN_HttpServer_OnBody(l, on_body);
    HP_Set_FN_HttpServer_OnChunkHeader(l, on_chunk_header);
    HP_Set_FN_HttpServer_OnChunkComplete(l, on_chunk_complete);
    HP_Set_FN_HttpServer_OnMessageComplete(l, on_message_complete);
    HP_Set_FN_HttpServer_OnUpgrade(l, on_upgrade);
    HP_Set_FN_HttpServer_OnParseError(l, on_parse_error);
    HP_Set_FN_HttpServer_OnWSMessageHeader(l, on_ws_header);
    HP_Set_FN_HttpServer_OnWSMessageBody(l, on_ws_body);
    HP_Set_FN_HttpServer_OnWSMessageComplete(l, on_ws_complete);

    test_settings(l);
    long shutdowns = ld(&g_shutdowns);

    srv = start_server(l, &g_port, TRUE, 100, HV_1_1);
    srv_raw = start_server(l, &g_port_raw, FALSE, 100, HV_1_1);
    srv10 = start_server(l, &g_port10, TRUE, 60000, HV_1_0);

    test_setters_while_started();
    test_get_order();
    test_post();
    test_chunked_request();
    test_pipelined_and_head();
    test_accessors();
    test_keepalive();
    test_lifetime();
    test_responses();
    test_release();
    test_srv10();
    test_auto_start_off();
    test_parse_errors();
    test_websocket();
    test_upgrade_refused();
    test_connect_tunnel();
    test_server_functions();
    test_wrong_handles(l);
    CHECK(ld(&g_sent) > 0);

    CHECK(HP_Server_Stop(srv));
    CHECK(HP_Server_Stop(srv_raw));
    CHECK(HP_Server_Stop(srv10));
    CHECK(wait_for(&g_shutdowns, shutdowns + 3, TIMEOUT_MS));
    Destroy_HP_HttpServer(srv);
    Destroy_HP_HttpServer(srv_raw);
    Destroy_HP_HttpServer(srv10);
    Destroy_HP_HttpServerListener(l);
    unlink(g_file);

    t_passed += (int)ld(&cb_pass);
    t_failed += (int)ld(&cb_fail);
    return t_finish("http_server");
}
