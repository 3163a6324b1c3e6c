/* An HTTP peer that loads an HPSocket4C library at run time, so the same program runs over our
 * library and over upstream's 5.1.1 library (PyPI hpsocket==0.9.3) in separate processes.
 *
 *   http_peer <lib.so> server <port>   an HttpServer with the routes of examples-c/http_server.c
 *                                      (GET/HEAD /, POST /echo, GET /chunked, WebSocket echo on
 *                                      /ws, 404 otherwise); port 0 picks one; prints
 *                                      "LISTEN <port>", runs until stdin closes
 *   http_peer <lib.so> client <port>   an HttpClient (PUSH): GET /, HEAD /, POST /echo, GET
 *                                      /chunked, GET /missing on one connection, then a
 *                                      WebSocket on /ws (text echo, ping/pong, close)
 *   http_peer <lib.so> sync <port>     an HttpSyncClient: OpenUrl for the same requests
 *
 * The clients print one line per response, `<case> status=<code> type=<Content-Type> len=<n>
 * body=<the body, C-escaped, at most 120 bytes>`, and exit 0 once every answer came (1 if one did
 * not within its time).
 *
 * Only calls whose signatures are the same in 5.1.1 and 6.0.7 are used, except SendWSMessage
 * (5.x's server form has a mask parameter) and SendChunkData (6.x only; over 5.1.1 chunks are
 * framed here and sent with HP_Server_Send): the server tells the versions apart by whether the
 * library exports HP_HttpServer_SendChunkData. BOOL is a one-byte _Bool, as in tcp_peer.c. */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

typedef _Bool PBOOL;
typedef unsigned long CONNID;
typedef void *H;
typedef struct { const char *name, *value; } NV;
typedef int (*FnAccept)(H, CONNID, uintptr_t);
typedef int (*FnClose)(H, CONNID, int, int);
typedef int (*FnConn)(H, CONNID);
typedef int (*FnData)(H, CONNID, const unsigned char *, int);
typedef int (*FnHeader)(H, CONNID, const char *, const char *);
typedef int (*FnStatus)(H, CONNID, unsigned short, const char *);
typedef int (*FnUpgrade)(H, CONNID, int);
typedef int (*FnParseError)(H, CONNID, int, const char *);
typedef int (*FnWSHeader)(H, CONNID, PBOOL, unsigned char, unsigned char, const unsigned char *, unsigned long long);

enum { HR_OK = 0, HR_ERROR = 2, HPR_OK = 0, HPR_UPGRADE = 2, HPR_ERROR = -1, HUT_WEB_SOCKET = 1, HUF_PATH = 3 };

static struct {
    /* server */
    H (*CreateServerListener)(void);
    H (*CreateServer)(H);
    void (*DestroyServer)(H);
    void (*DestroyServerListener)(H);
    void (*SetAccept)(H, FnAccept);
    void (*SetServerClose)(H, FnClose);
    void (*SetServerMessageBegin)(H, FnConn);
    void (*SetServerHeadersComplete)(H, FnConn);
    void (*SetServerBody)(H, FnData);
    void (*SetServerMessageComplete)(H, FnConn);
    void (*SetServerUpgrade)(H, FnUpgrade);
    void (*SetServerParseError)(H, FnParseError);
    void (*SetServerWSHeader)(H, FnWSHeader);
    void (*SetServerWSBody)(H, FnData);
    void (*SetServerWSComplete)(H, FnConn);
    PBOOL (*ServerStart)(H, const char *, unsigned short);
    PBOOL (*ServerStop)(H);
    PBOOL (*ServerSend)(H, CONNID, const unsigned char *, int);
    PBOOL (*GetListenAddress)(H, char *, int *, unsigned short *);
    PBOOL (*SetExtra)(H, CONNID, void *);
    PBOOL (*GetExtra)(H, CONNID, void **);
    void (*SetReleaseDelay)(H, unsigned int);
    PBOOL (*SendResponse)(H, CONNID, unsigned short, const char *, const NV *, int, const unsigned char *, int);
    PBOOL (*Release)(H, CONNID);
    PBOOL (*IsUpgrade)(H, CONNID);
    PBOOL (*IsKeepAlive)(H, CONNID);
    int (*GetUpgradeType)(H, CONNID);
    const char *(*GetMethod)(H, CONNID);
    const char *(*GetUrlField)(H, CONNID, int);
    const char *(*GetContentType)(H, CONNID);
    PBOOL (*ServerGetHeader)(H, CONNID, const char *, const char **);
    /* 6.x only */
    PBOOL (*SendChunkData)(H, CONNID, const unsigned char *, int, const char *);
    PBOOL (*SendWS6)(H, CONNID, PBOOL, unsigned char, unsigned char, const unsigned char *, int, unsigned long long);
    /* 5.x's form */
    PBOOL (*SendWS5)(H, CONNID, PBOOL, unsigned char, unsigned char, const unsigned char *, const unsigned char *, int, unsigned long long);

    /* clients */
    H (*CreateClientListener)(void);
    H (*CreateClient)(H);
    H (*CreateSyncClient)(H);
    void (*DestroyClient)(H);
    void (*DestroySyncClient)(H);
    void (*DestroyClientListener)(H);
    void (*SetClientClose)(H, FnClose);
    void (*SetClientStatusLine)(H, FnStatus);
    void (*SetClientHeader)(H, FnHeader);
    void (*SetClientBody)(H, FnData);
    void (*SetClientMessageComplete)(H, FnConn);
    void (*SetClientUpgrade)(H, FnUpgrade);
    void (*SetClientParseError)(H, FnParseError);
    void (*SetClientWSHeader)(H, FnWSHeader);
    void (*SetClientWSBody)(H, FnData);
    void (*SetClientWSComplete)(H, FnConn);
    PBOOL (*ClientStart)(H, const char *, unsigned short, PBOOL);
    PBOOL (*ClientStop)(H);
    PBOOL (*SendRequest)(H, const char *, const char *, const NV *, int, const unsigned char *, int);
    PBOOL (*SendGet)(H, const char *, const NV *, int);
    PBOOL (*SendHead)(H, const char *, const NV *, int);
    PBOOL (*SendPost)(H, const char *, const NV *, int, const unsigned char *, int);
    PBOOL (*ClientSendWS)(H, PBOOL, unsigned char, unsigned char, const unsigned char *, unsigned char *, int, unsigned long long);
    unsigned short (*GetStatusCode)(H);
    PBOOL (*ClientGetHeader)(H, const char *, const char **);
    PBOOL (*OpenUrl)(H, const char *, const char *, const NV *, int, const unsigned char *, int, PBOOL);
    PBOOL (*GetResponseBody)(H, const unsigned char **, int *);
} api;

static void *lib;
static void *sym(const char *name, int required)
{
    void *p = dlsym(lib, name);
    if (!p && required) { fprintf(stderr, "missing symbol %s\n", name); exit(3); }
    return p;
}
#define LOAD(field, name) (*(void **)&api.field = sym(name, 1))
#define LOAD_OPT(field, name) (*(void **)&api.field = sym(name, 0))

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}
static long get(volatile long *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static void add(volatile long *p, long n) { __atomic_add_fetch(p, n, __ATOMIC_SEQ_CST); }

struct buf { unsigned char *p; size_t len, cap; };
static int buf_add(struct buf *b, const unsigned char *d, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1) cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (!p) return 0;
        b->p = p;
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->len, d, n);
    b->len += n;
    b->p[b->len] = 0;
    return 1;
}

/* ================= server ================= */
static const char PAGE[] =
    "<!DOCTYPE html>\n<html><head><title>http_peer</title></head>\n"
    "<body><div id=\"result\">the interop peer's page</div></body></html>\n";
static const char *const CHUNKS[] = {"first chunk\n", "second chunk, a little longer\n", "third and last chunk\n"};

/* SHA-1 and base64 for Sec-WebSocket-Accept */
static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }
static void sha1_block(uint32_t h[5], const unsigned char *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++) w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 80; i++) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) { f = (b & c) | (~b & d); k = 0x5A827999; }
        else if (i < 40) { f = b ^ c ^ d; k = 0x6ED9EBA1; }
        else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC; }
        else { f = b ^ c ^ d; k = 0xCA62C1D6; }
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d; d = c; c = rol(b, 30); b = a; a = t;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}
static void ws_accept(const char *key, char out[29])
{
    static const char T[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char m[128] = {0};
    size_t len = (size_t)snprintf((char *)m, 100, "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", key);
    if (len > 99) len = 99;
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    m[len] = 0x80;
    size_t blocks = len + 9 <= 64 ? 1 : 2;
    uint64_t bits = (uint64_t)len * 8;
    for (int j = 0; j < 8; j++) m[blocks * 64 - 1 - j] = (unsigned char)(bits >> (8 * j));
    for (size_t b = 0; b < blocks; b++) sha1_block(h, m + 64 * b);
    unsigned char d[21] = {0};
    for (int j = 0; j < 20; j++) d[j] = (unsigned char)(h[j / 4] >> (24 - 8 * (j % 4)));
    int o = 0;
    for (int i = 0; i < 20; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8 | (i + 2 < 20 ? d[i + 2] : 0);
        out[o++] = T[v >> 18 & 63];
        out[o++] = T[v >> 12 & 63];
        out[o++] = T[v >> 6 & 63];
        out[o++] = i + 2 < 20 ? T[v & 63] : '=';
    }
    out[o] = 0;
}

struct conn { struct buf body, ctl; unsigned char frame_op, msg_op; PBOOL frame_fin; };
static struct conn *conn_of(H s, CONNID id)
{
    void *p = NULL;
    api.GetExtra(s, id, &p);
    return (struct conn *)p;
}

static PBOOL send_ws(H s, CONNID id, unsigned char op, const unsigned char *p, size_t n)
{
    if (api.SendWS6) return api.SendWS6(s, id, 1, 0, op, p, (int)n, 0);
    return api.SendWS5(s, id, 1, 0, op, NULL, p, (int)n, 0);
}

static PBOOL send_chunk(H s, CONNID id, const char *data, size_t n)
{
    if (api.SendChunkData) return api.SendChunkData(s, id, (const unsigned char *)data, (int)n, NULL);
    char head[32];
    int h = snprintf(head, sizeof head, "%zx\r\n", n);
    return api.ServerSend(s, id, (const unsigned char *)head, h) &&
           (n == 0 || api.ServerSend(s, id, (const unsigned char *)data, (int)n)) &&
           api.ServerSend(s, id, (const unsigned char *)"\r\n", 2);
}

static const char *path_of(H s, CONNID id)
{
    const char *p = api.GetUrlField(s, id, HUF_PATH);
    return p ? p : "";
}

static int s_accept(H s, CONNID id, uintptr_t so)
{
    (void)so;
    struct conn *c = calloc(1, sizeof *c);
    return c && api.SetExtra(s, id, c) ? HR_OK : HR_ERROR;
}
static int s_close(H s, CONNID id, int op, int err)
{
    (void)op; (void)err;
    struct conn *c = conn_of(s, id);
    if (c) { api.SetExtra(s, id, NULL); free(c->body.p); free(c->ctl.p); free(c); }
    return HR_OK;
}
static int s_begin(H s, CONNID id) { struct conn *c = conn_of(s, id); if (c) c->body.len = 0; return HPR_OK; }
static int s_headers(H s, CONNID id) { return api.GetUpgradeType(s, id) == HUT_WEB_SOCKET ? HPR_UPGRADE : HPR_OK; }
static int s_body(H s, CONNID id, const unsigned char *d, int n)
{
    struct conn *c = conn_of(s, id);
    return c && buf_add(&c->body, d, (size_t)n) ? HPR_OK : HPR_ERROR;
}
static int s_complete(H s, CONNID id)
{
    if (api.IsUpgrade(s, id)) return HPR_OK;
    struct conn *c = conn_of(s, id);
    const char *method = api.GetMethod(s, id), *path = path_of(s, id);
    PBOOL ok;
    if (strcmp(path, "/") == 0 && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)) {
        char len[24];
        snprintf(len, sizeof len, "%zu", sizeof PAGE - 1);
        NV h[] = {{"Content-Type", "text/html; charset=utf-8"}, {"Content-Length", len}};
        if (strcmp(method, "HEAD") == 0) ok = api.SendResponse(s, id, 200, NULL, h, 2, NULL, 0);
        else ok = api.SendResponse(s, id, 200, NULL, h, 1, (const unsigned char *)PAGE, (int)sizeof PAGE - 1);
    } else if (strcmp(path, "/echo") == 0 && strcmp(method, "POST") == 0) {
        const char *type = api.GetContentType(s, id);
        NV h[] = {{"Content-Type", type}};
        ok = api.SendResponse(s, id, 200, NULL, h, type && *type ? 1 : 0, c->body.p, (int)c->body.len);
    } else if (strcmp(path, "/chunked") == 0 && strcmp(method, "GET") == 0) {
        NV h[] = {{"Content-Type", "text/plain"}, {"Transfer-Encoding", "chunked"}};
        ok = api.SendResponse(s, id, 200, NULL, h, 2, NULL, 0);
        for (size_t i = 0; ok && i < sizeof CHUNKS / sizeof CHUNKS[0]; i++) ok = send_chunk(s, id, CHUNKS[i], strlen(CHUNKS[i]));
        if (ok) ok = send_chunk(s, id, NULL, 0);
    } else {
        NV h[] = {{"Content-Type", "text/plain"}};
        ok = api.SendResponse(s, id, 404, NULL, h, 1, (const unsigned char *)"not found\n", 10);
    }
    if (!ok) return HPR_ERROR;
    if (!api.IsKeepAlive(s, id)) api.Release(s, id);
    return HPR_OK;
}
static int s_upgrade(H s, CONNID id, int type)
{
    const char *key = NULL;
    if (type != HUT_WEB_SOCKET || strcmp(path_of(s, id), "/ws") != 0 || !api.ServerGetHeader(s, id, "Sec-WebSocket-Key", &key) || !key) {
        NV h[] = {{"Content-Type", "text/plain"}, {"Connection", "close"}};
        api.SendResponse(s, id, 400, NULL, h, 2, (const unsigned char *)"WebSocket on /ws only\n", 22);
        api.Release(s, id);
        return HPR_OK;
    }
    char accept[29];
    ws_accept(key, accept);
    NV h[] = {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Accept", accept}};
    return api.SendResponse(s, id, 101, NULL, h, 3, NULL, 0) ? HPR_OK : HPR_ERROR;
}
static int s_parse_error(H s, CONNID id, int code, const char *desc)
{
    (void)s;
    fprintf(stderr, "server: #%lu parse error %d %s\n", id, code, desc ? desc : "");
    return HPR_OK;
}
static int s_ws_header(H s, CONNID id, PBOOL fin, unsigned char rsv, unsigned char op, const unsigned char *mask, unsigned long long len)
{
    (void)rsv; (void)mask; (void)len;
    struct conn *c = conn_of(s, id);
    if (!c) return HR_ERROR;
    c->frame_op = op;
    c->frame_fin = fin;
    if (op >= 8) c->ctl.len = 0;
    else if (op != 0) { c->msg_op = op; c->body.len = 0; }
    return HR_OK;
}
static int s_ws_body(H s, CONNID id, const unsigned char *d, int n)
{
    struct conn *c = conn_of(s, id);
    return c && buf_add(c->frame_op >= 8 ? &c->ctl : &c->body, d, (size_t)n) ? HR_OK : HR_ERROR;
}
static int s_ws_complete(H s, CONNID id)
{
    struct conn *c = conn_of(s, id);
    if (!c) return HR_ERROR;
    PBOOL ok = 1;
    if (c->frame_op == 8) { send_ws(s, id, 8, c->ctl.p, c->ctl.len); api.Release(s, id); }
    else if (c->frame_op == 9) ok = send_ws(s, id, 10, c->ctl.p, c->ctl.len);
    else if (c->frame_op != 10 && c->frame_fin) { ok = send_ws(s, id, c->msg_op, c->body.p, c->body.len); c->body.len = 0; }
    return ok ? HR_OK : HR_ERROR;
}

static int run_server(unsigned short port)
{
    LOAD(CreateServerListener, "Create_HP_HttpServerListener");
    LOAD(CreateServer, "Create_HP_HttpServer");
    LOAD(DestroyServer, "Destroy_HP_HttpServer");
    LOAD(DestroyServerListener, "Destroy_HP_HttpServerListener");
    LOAD(SetAccept, "HP_Set_FN_HttpServer_OnAccept");
    LOAD(SetServerClose, "HP_Set_FN_HttpServer_OnClose");
    LOAD(SetServerMessageBegin, "HP_Set_FN_HttpServer_OnMessageBegin");
    LOAD(SetServerHeadersComplete, "HP_Set_FN_HttpServer_OnHeadersComplete");
    LOAD(SetServerBody, "HP_Set_FN_HttpServer_OnBody");
    LOAD(SetServerMessageComplete, "HP_Set_FN_HttpServer_OnMessageComplete");
    LOAD(SetServerUpgrade, "HP_Set_FN_HttpServer_OnUpgrade");
    LOAD(SetServerParseError, "HP_Set_FN_HttpServer_OnParseError");
    LOAD(SetServerWSHeader, "HP_Set_FN_HttpServer_OnWSMessageHeader");
    LOAD(SetServerWSBody, "HP_Set_FN_HttpServer_OnWSMessageBody");
    LOAD(SetServerWSComplete, "HP_Set_FN_HttpServer_OnWSMessageComplete");
    LOAD(ServerStart, "HP_Server_Start");
    LOAD(ServerStop, "HP_Server_Stop");
    LOAD(ServerSend, "HP_Server_Send");
    LOAD(GetListenAddress, "HP_Server_GetListenAddress");
    LOAD(SetExtra, "HP_Server_SetConnectionExtra");
    LOAD(GetExtra, "HP_Server_GetConnectionExtra");
    LOAD(SetReleaseDelay, "HP_HttpServer_SetReleaseDelay");
    LOAD(SendResponse, "HP_HttpServer_SendResponse");
    LOAD(Release, "HP_HttpServer_Release");
    LOAD(IsUpgrade, "HP_HttpServer_IsUpgrade");
    LOAD(IsKeepAlive, "HP_HttpServer_IsKeepAlive");
    LOAD(GetUpgradeType, "HP_HttpServer_GetUpgradeType");
    LOAD(GetMethod, "HP_HttpServer_GetMethod");
    LOAD(GetUrlField, "HP_HttpServer_GetUrlField");
    LOAD(GetContentType, "HP_HttpServer_GetContentType");
    LOAD(ServerGetHeader, "HP_HttpServer_GetHeader");
    LOAD_OPT(SendChunkData, "HP_HttpServer_SendChunkData");
    if (api.SendChunkData) LOAD(SendWS6, "HP_HttpServer_SendWSMessage");
    else LOAD(SendWS5, "HP_HttpServer_SendWSMessage");

    H l = api.CreateServerListener();
    api.SetAccept(l, s_accept);
    api.SetServerClose(l, s_close);
    api.SetServerMessageBegin(l, s_begin);
    api.SetServerHeadersComplete(l, s_headers);
    api.SetServerBody(l, s_body);
    api.SetServerMessageComplete(l, s_complete);
    api.SetServerUpgrade(l, s_upgrade);
    api.SetServerParseError(l, s_parse_error);
    api.SetServerWSHeader(l, s_ws_header);
    api.SetServerWSBody(l, s_ws_body);
    api.SetServerWSComplete(l, s_ws_complete);
    H s = api.CreateServer(l);
    api.SetReleaseDelay(s, 100);
    if (!api.ServerStart(s, "127.0.0.1", port)) { fprintf(stderr, "server start failed\n"); return 1; }
    char addr[64];
    int alen = sizeof addr;
    api.GetListenAddress(s, addr, &alen, &port);
    printf("LISTEN %u\n", port);
    fflush(stdout);
    char b[64];
    while (fgets(b, sizeof b, stdin)) {}
    api.ServerStop(s);
    api.DestroyServer(s);
    api.DestroyServerListener(l);
    return 0;
}

/* ================= clients ================= */
static void print_result(const char *name, unsigned status, const char *type, const unsigned char *body, size_t len)
{
    printf("%s status=%u type=%s len=%zu body=", name, status, type && *type ? type : "-", len);
    for (size_t i = 0; i < len && i < 120; i++) {
        unsigned char ch = body[i];
        if (ch == '\n') printf("\\n");
        else if (ch == '\r') printf("\\r");
        else if (ch == '\\') printf("\\\\");
        else if (ch < 32 || ch >= 127) printf("\\x%02x", ch);
        else putchar(ch);
    }
    printf("%s\n", len > 120 ? "..." : "");
    fflush(stdout);
}

static volatile long c_status, c_messages, c_upgraded, c_closed, c_ws_complete, c_parse_errors;
static struct buf c_body;
static unsigned char c_ws_op;

static int c_on_status(H c, CONNID id, unsigned short code, const char *desc) { (void)c; (void)id; (void)desc; c_status = code; return HPR_OK; }
/* the 101's Sec-WebSocket-Accept, as OnHeader saw it (upstream's GetHeader has nothing after an upgrade) */
static char c_accept[64];
static int c_on_header(H c, CONNID id, const char *name, const char *value)
{
    (void)c; (void)id;
    if (strcasecmp(name, "Sec-WebSocket-Accept") == 0) snprintf(c_accept, sizeof c_accept, "%s", value);
    return HPR_OK;
}
static int c_on_body(H c, CONNID id, const unsigned char *d, int n) { (void)c; (void)id; return buf_add(&c_body, d, (size_t)n) ? HPR_OK : HPR_ERROR; }
static int c_on_complete(H c, CONNID id) { (void)c; (void)id; add(&c_messages, 1); return HPR_OK; }
static int c_on_upgrade(H c, CONNID id, int type) { (void)c; (void)id; if (type == HUT_WEB_SOCKET) add(&c_upgraded, 1); return HPR_OK; }
static int c_on_parse_error(H c, CONNID id, int code, const char *desc)
{
    (void)c; (void)id;
    fprintf(stderr, "client: parse error %d %s\n", code, desc ? desc : "");
    add(&c_parse_errors, 1);
    return HPR_OK;
}
static int c_on_close(H c, CONNID id, int op, int err) { (void)c; (void)id; (void)op; (void)err; add(&c_closed, 1); return HR_OK; }
static int c_on_ws_header(H c, CONNID id, PBOOL fin, unsigned char rsv, unsigned char op, const unsigned char *mask, unsigned long long len)
{
    (void)c; (void)id; (void)fin; (void)rsv; (void)len;
    if (mask) fprintf(stderr, "client: a masked frame from the server\n");
    c_ws_op = op;
    c_body.len = 0;
    return HR_OK;
}
static int c_on_ws_body(H c, CONNID id, const unsigned char *d, int n) { return c_on_body(c, id, d, n) == HPR_OK ? HR_OK : HR_ERROR; }
static int c_on_ws_complete(H c, CONNID id) { (void)c; (void)id; add(&c_ws_complete, 1); return HR_OK; }

static int wait_for(volatile long *v, long n)
{
    for (long t = now_ms(); get(v) < n; usleep(1000))
        if (now_ms() - t > 20000) return 0;
    return 1;
}

static int failed;
static void expect(int ok, const char *what)
{
    if (!ok) { printf("FAILED %s\n", what); fflush(stdout); failed = 1; }
}

static void load_client_common(void)
{
    LOAD(CreateClientListener, "Create_HP_HttpClientListener");
    LOAD(DestroyClientListener, "Destroy_HP_HttpClientListener");
    LOAD(ClientStop, "HP_Client_Stop");
    LOAD(GetStatusCode, "HP_HttpClient_GetStatusCode");
    LOAD(ClientGetHeader, "HP_HttpClient_GetHeader");
}

static const char *header(H c, const char *name)
{
    const char *v = NULL;
    return api.ClientGetHeader(c, name, &v) ? v : NULL;
}

/* one request and its response on the async client */
static void async_request(H c, const char *name, const char *method, const char *path, const NV *h, int nh, const char *body)
{
    long before = get(&c_messages);
    c_body.len = 0;
    c_status = 0;
    PBOOL ok;
    if (strcmp(method, "GET") == 0) ok = api.SendGet(c, path, h, nh);
    else if (strcmp(method, "HEAD") == 0) ok = api.SendHead(c, path, h, nh);
    else if (strcmp(method, "POST") == 0) ok = api.SendPost(c, path, h, nh, (const unsigned char *)body, (int)strlen(body));
    else ok = api.SendRequest(c, method, path, h, nh, (const unsigned char *)body, body ? (int)strlen(body) : 0);
    expect(ok, name);
    expect(wait_for(&c_messages, before + 1), name);
    print_result(name, (unsigned)c_status, header(c, "Content-Type"), c_body.p, c_body.len);
}

static int run_client(unsigned short port)
{
    load_client_common();
    LOAD(CreateClient, "Create_HP_HttpClient");
    LOAD(DestroyClient, "Destroy_HP_HttpClient");
    LOAD(SetClientClose, "HP_Set_FN_HttpClient_OnClose");
    LOAD(SetClientStatusLine, "HP_Set_FN_HttpClient_OnStatusLine");
    LOAD(SetClientHeader, "HP_Set_FN_HttpClient_OnHeader");
    LOAD(SetClientBody, "HP_Set_FN_HttpClient_OnBody");
    LOAD(SetClientMessageComplete, "HP_Set_FN_HttpClient_OnMessageComplete");
    LOAD(SetClientUpgrade, "HP_Set_FN_HttpClient_OnUpgrade");
    LOAD(SetClientParseError, "HP_Set_FN_HttpClient_OnParseError");
    LOAD(SetClientWSHeader, "HP_Set_FN_HttpClient_OnWSMessageHeader");
    LOAD(SetClientWSBody, "HP_Set_FN_HttpClient_OnWSMessageBody");
    LOAD(SetClientWSComplete, "HP_Set_FN_HttpClient_OnWSMessageComplete");
    LOAD(ClientStart, "HP_Client_Start");
    LOAD(SendRequest, "HP_HttpClient_SendRequest");
    LOAD(SendGet, "HP_HttpClient_SendGet");
    LOAD(SendHead, "HP_HttpClient_SendHead");
    LOAD(SendPost, "HP_HttpClient_SendPost");
    LOAD(ClientSendWS, "HP_HttpClient_SendWSMessage");

    H l = api.CreateClientListener();
    api.SetClientClose(l, c_on_close);
    api.SetClientStatusLine(l, c_on_status);
    api.SetClientHeader(l, c_on_header);
    api.SetClientBody(l, c_on_body);
    api.SetClientMessageComplete(l, c_on_complete);
    api.SetClientUpgrade(l, c_on_upgrade);
    api.SetClientParseError(l, c_on_parse_error);
    api.SetClientWSHeader(l, c_on_ws_header);
    api.SetClientWSBody(l, c_on_ws_body);
    api.SetClientWSComplete(l, c_on_ws_complete);
    H c = api.CreateClient(l);
    if (!api.ClientStart(c, "127.0.0.1", port, 0)) { printf("FAILED connect\n"); return 1; }

    NV text[] = {{"Content-Type", "text/plain"}};
    async_request(c, "get-root", "GET", "/", NULL, 0, NULL);
    async_request(c, "head-root", "HEAD", "/", NULL, 0, NULL);
    async_request(c, "post-echo", "POST", "/echo", text, 1, "hello from upstream's HttpClient");
    async_request(c, "get-chunked", "GET", "/chunked", NULL, 0, NULL);
    async_request(c, "get-missing", "GET", "/missing", NULL, 0, NULL);
    async_request(c, "put-echo", "PUT", "/echo", text, 1, "put body");
    expect(get(&c_closed) == 0, "one connection for every request");

    /* WebSocket on the same connection */
    NV ws[] = {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
               {"Sec-WebSocket-Version", "13"}};
    async_request(c, "ws-upgrade", "GET", "/ws", ws, 4, NULL);
    expect(wait_for(&c_upgraded, 1), "OnUpgrade");
    printf("ws-accept %s\n", *c_accept ? c_accept : "-");
    fflush(stdout);
    static const unsigned char mask[4] = {0x11, 0x22, 0x33, 0x44};
    static const struct { const char *name; unsigned char op; const char *data; } frames[] = {
        {"ws-text", 1, "hello-ws"}, {"ws-binary", 2, "\x01\x02\x03 binary"}, {"ws-ping", 9, "ping!"}, {"ws-close", 8, "\x03\xe8" "bye"}};
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        long before = get(&c_ws_complete);
        size_t n = strlen(frames[i].data);
        unsigned char data[64]; /* upstream masks the payload in place */
        memcpy(data, frames[i].data, n);
        expect(api.ClientSendWS(c, 1, 0, frames[i].op, mask, data, (int)n, 0), frames[i].name);
        expect(wait_for(&c_ws_complete, before + 1), frames[i].name);
        printf("%s op=%u ", frames[i].name, c_ws_op);
        print_result("echo", 0, NULL, c_body.p, c_body.len);
    }
    expect(wait_for(&c_closed, 1), "the server closes after the close frame");
    printf("closed=%ld parse_errors=%ld\n", get(&c_closed), get(&c_parse_errors));
    api.ClientStop(c);
    api.DestroyClient(c);
    api.DestroyClientListener(l);
    return failed;
}

static int run_sync(unsigned short port)
{
    load_client_common();
    LOAD(CreateSyncClient, "Create_HP_HttpSyncClient");
    LOAD(DestroySyncClient, "Destroy_HP_HttpSyncClient");
    LOAD(OpenUrl, "HP_HttpSyncClient_OpenUrl");
    LOAD(GetResponseBody, "HP_HttpSyncClient_GetResponseBody");
    H c = api.CreateSyncClient(NULL);
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%u", port);
    static const struct { const char *name, *method, *path, *body; } reqs[] = {
        {"get-root", "GET", "/", NULL},
        {"post-echo", "POST", "/echo", "hello from upstream's HttpSyncClient"},
        {"get-chunked", "GET", "/chunked", NULL},
        {"get-missing", "GET", "/missing", NULL},
    };
    NV text[] = {{"Content-Type", "text/plain"}};
    for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++) {
        char url[128];
        snprintf(url, sizeof url, "%s%s", base, reqs[i].path);
        const char *b = reqs[i].body;
        PBOOL ok = api.OpenUrl(c, reqs[i].method, url, b ? text : NULL, b ? 1 : 0, (const unsigned char *)b, b ? (int)strlen(b) : 0, 0);
        expect(ok, reqs[i].name);
        const unsigned char *body = NULL;
        int len = 0;
        if (ok) api.GetResponseBody(c, &body, &len);
        print_result(reqs[i].name, ok ? api.GetStatusCode(c) : 0, ok ? header(c, "Content-Type") : NULL, body, (size_t)(len > 0 ? len : 0));
    }
    api.DestroySyncClient(c);
    return failed;
}

int main(int argc, char **argv)
{
    if (argc < 4) { fprintf(stderr, "usage: http_peer <lib.so> server|client|sync <port>\n"); return 2; }
    lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) { fprintf(stderr, "dlopen %s: %s\n", argv[1], dlerror()); return 3; }
    unsigned short port = (unsigned short)atoi(argv[3]);
    if (strcmp(argv[2], "server") == 0) return run_server(port);
    if (strcmp(argv[2], "client") == 0) return run_client(port);
    if (strcmp(argv[2], "sync") == 0) return run_sync(port);
    fprintf(stderr, "unknown mode %s\n", argv[2]);
    return 2;
}
