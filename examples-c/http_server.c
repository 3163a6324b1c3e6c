/* http_server: an HttpServer with a page, an echo, a chunked response and a WebSocket echo.
 *
 *   usage: http_server [port] [seconds]
 *
 *   GET  /         an HTML page whose script POSTs to /echo and talks to /ws, then writes
 *                  `fetch=<echo> ws=<echo>` into <div id="result">
 *   HEAD /         the page's headers, no body
 *   POST /echo     200 with the request's body and Content-Type
 *   GET  /chunked  a chunked response (HP_HttpServer_SendChunkData)
 *   GET  /ws       WebSocket echo (text and binary messages, fragments joined; ping gets pong,
 *                  close gets close)
 *   anything else  404
 *
 * Port 0 picks a free port. Prints `LISTEN <port>` once listening. Runs for `seconds` when given,
 * else until its standard input closes; SIGINT/SIGTERM stop it either way. */
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "HPSocket4C.h"

static const char PAGE[] =
    "<!DOCTYPE html>\n"
    "<html><head><meta charset=\"utf-8\"><title>hpsocket4c http_server</title></head>\n"
    "<body><h1>hpsocket4c HttpServer</h1>\n"
    "<div id=\"result\">pending</div>\n"
    "<script>\n"
    "(async () => {\n"
    "  let out = 'fetch=';\n"
    "  try {\n"
    "    const r = await fetch('/echo', {method: 'POST', body: 'ping-from-page'});\n"
    "    out += await r.text();\n"
    "  } catch (e) { out += 'error'; }\n"
    "  out += ' ws=';\n"
    "  document.getElementById('result').textContent = out + 'pending';\n"
    "  try {\n"
    "    out += await new Promise((resolve, reject) => {\n"
    "      const ws = new WebSocket('ws://' + location.host + '/ws');\n"
    "      ws.onopen = () => ws.send('hello-ws');\n"
    "      ws.onmessage = (ev) => { resolve(ev.data); ws.close(1000); };\n"
    "      ws.onerror = () => reject(new Error('ws'));\n"
    "    });\n"
    "  } catch (e) { out += 'error'; }\n"
    "  document.getElementById('result').textContent = out;\n"
    "})();\n"
    "</script></body></html>\n";

static const char *const CHUNKS[] = {"first chunk\n", "second chunk, a little longer\n", "third and last chunk\n"};

/* ---- SHA-1 (FIPS 180-1) and base64, for Sec-WebSocket-Accept ---- */
static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1_block(uint32_t h[5], const unsigned char *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
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

static void sha1(const unsigned char *data, size_t len, unsigned char out[20])
{
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    unsigned char block[64];
    size_t i = 0;
    for (; i + 64 <= len; i += 64) sha1_block(h, data + i);
    size_t rest = len - i;
    memset(block, 0, sizeof block);
    memcpy(block, data + i, rest);
    block[rest] = 0x80;
    if (rest >= 56) { sha1_block(h, block); memset(block, 0, sizeof block); }
    uint64_t bits = (uint64_t)len * 8;
    for (int j = 0; j < 8; j++) block[63 - j] = (unsigned char)(bits >> (8 * j));
    sha1_block(h, block);
    for (int j = 0; j < 20; j++) out[j] = (unsigned char)(h[j / 4] >> (24 - 8 * (j % 4)));
}

static void base64(const unsigned char *in, size_t len, char *out)
{
    static const char T[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < len ? in[i + 2] : 0);
        out[o++] = T[v >> 18 & 63];
        out[o++] = T[v >> 12 & 63];
        out[o++] = i + 1 < len ? T[v >> 6 & 63] : '=';
        out[o++] = i + 2 < len ? T[v & 63] : '=';
    }
    out[o] = 0;
}

/* Sec-WebSocket-Accept: base64(SHA-1(key + GUID)) (RFC 6455 section 4.2.2). */
static void ws_accept(const char *key, char out[29])
{
    char buf[128];
    unsigned char digest[20];
    int n = snprintf(buf, sizeof buf, "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", key);
    sha1((const unsigned char *)buf, (size_t)(n < (int)sizeof buf ? n : (int)sizeof buf - 1), digest);
    base64(digest, 20, out);
}

/* ---- per-connection state (connection extra) ---- */
struct buf { unsigned char *p; size_t len, cap; };

static int buf_add(struct buf *b, const BYTE *data, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n) cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (!p) return 0;
        b->p = p;
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->len, data, n);
    b->len += n;
    return 1;
}

struct conn {
    struct buf body; /* request body, then the WebSocket message being joined */
    struct buf ctl;  /* the current control frame's payload */
    BYTE frame_op;   /* opcode of the frame being received */
    BOOL frame_fin;
    BYTE msg_op;     /* opcode (1 text, 2 binary) of the message being joined */
};

static struct conn *conn_of(HP_Server s, HP_CONNID id)
{
    PVOID p = NULL;
    HP_Server_GetConnectionExtra(s, id, &p);
    return (struct conn *)p;
}

static En_HP_HandleResult __HP_CALL OnAccept(HP_Server s, HP_CONNID id, UINT_PTR so)
{
    (void)so;
    struct conn *c = calloc(1, sizeof *c);
    return c && HP_Server_SetConnectionExtra(s, id, c) ? HR_OK : HR_ERROR;
}

static En_HP_HandleResult __HP_CALL OnClose(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)op; (void)err;
    struct conn *c = conn_of(s, id);
    if (c) {
        HP_Server_SetConnectionExtra(s, id, NULL);
        free(c->body.p);
        free(c->ctl.p);
        free(c);
    }
    return HR_OK;
}

/* ---- HTTP ---- */
static const char *path_of(HP_HttpServer s, HP_CONNID id)
{
    const char *p = HP_HttpServer_GetUrlField(s, id, HUF_PATH);
    return p ? p : "";
}

static En_HP_HttpParseResult __HP_CALL OnMessageBegin(HP_Http s, HP_CONNID id)
{
    struct conn *c = conn_of(s, id);
    if (c) c->body.len = 0;
    return HPR_OK;
}

static En_HP_HttpParseResult __HP_CALL OnHeadersComplete(HP_Http s, HP_CONNID id)
{
    if (HP_HttpServer_GetUpgradeType(s, id) == HUT_WEB_SOCKET) return HPR_UPGRADE;
    return HPR_OK;
}

static En_HP_HttpParseResult __HP_CALL OnBody(HP_Http s, HP_CONNID id, const BYTE *data, int len)
{
    struct conn *c = conn_of(s, id);
    return c && buf_add(&c->body, data, (size_t)len) ? HPR_OK : HPR_ERROR;
}

static void finish(HP_HttpServer s, HP_CONNID id)
{
    /* the server does not close on `Connection: close` (or HTTP/1.0) by itself */
    if (!HP_HttpServer_IsKeepAlive(s, id)) HP_HttpServer_Release(s, id);
}

static En_HP_HttpParseResult __HP_CALL OnMessageComplete(HP_Http s, HP_CONNID id)
{
    if (HP_HttpServer_IsUpgrade(s, id)) return HPR_OK; /* answered in OnUpgrade */
    struct conn *c = conn_of(s, id);
    const char *method = HP_HttpServer_GetMethod(s, id);
    const char *path = path_of(s, id);
    BOOL ok;
    if (strcmp(path, "/") == 0 && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)) {
        char len[24];
        snprintf(len, sizeof len, "%zu", sizeof PAGE - 1);
        THeader h[] = {{"Content-Type", "text/html; charset=utf-8"}, {"Content-Length", len}};
        if (strcmp(method, "HEAD") == 0) /* the same headers, no body */
            ok = HP_HttpServer_SendResponse(s, id, HSC_OK, NULL, h, 2, NULL, 0);
        else
            ok = HP_HttpServer_SendResponse(s, id, HSC_OK, NULL, h, 1, (const BYTE *)PAGE, (int)sizeof PAGE - 1);
    } else if (strcmp(path, "/echo") == 0 && strcmp(method, "POST") == 0) {
        const char *type = HP_HttpServer_GetContentType(s, id);
        THeader h[] = {{"Content-Type", type}};
        ok = HP_HttpServer_SendResponse(s, id, HSC_OK, NULL, h, type && *type ? 1 : 0, c->body.p, (int)c->body.len);
    } else if (strcmp(path, "/chunked") == 0 && strcmp(method, "GET") == 0) {
        THeader h[] = {{"Content-Type", "text/plain"}, {"Transfer-Encoding", "chunked"}};
        ok = HP_HttpServer_SendResponse(s, id, HSC_OK, NULL, h, 2, NULL, 0);
        for (size_t i = 0; ok && i < sizeof CHUNKS / sizeof CHUNKS[0]; i++)
            ok = HP_HttpServer_SendChunkData(s, id, (const BYTE *)CHUNKS[i], (int)strlen(CHUNKS[i]), NULL);
        if (ok) ok = HP_HttpServer_SendChunkData(s, id, NULL, 0, NULL); /* the last chunk */
    } else {
        static const char nf[] = "not found\n";
        THeader h[] = {{"Content-Type", "text/plain"}};
        ok = HP_HttpServer_SendResponse(s, id, 404, NULL, h, 1, (const BYTE *)nf, (int)sizeof nf - 1);
    }
    if (!ok) return HPR_ERROR;
    finish(s, id);
    return HPR_OK;
}

static En_HP_HttpParseResult __HP_CALL OnUpgrade(HP_Http s, HP_CONNID id, En_HP_HttpUpgradeType type)
{
    LPCSTR key = NULL;
    if (type != HUT_WEB_SOCKET || strcmp(path_of(s, id), "/ws") != 0 ||
        !HP_HttpServer_GetHeader(s, id, "Sec-WebSocket-Key", &key) || !key) {
        static const char msg[] = "WebSocket on /ws only\n";
        THeader h[] = {{"Content-Type", "text/plain"}, {"Connection", "close"}};
        HP_HttpServer_SendResponse(s, id, HSC_BAD_REQUEST, NULL, h, 2, (const BYTE *)msg, (int)sizeof msg - 1);
        HP_HttpServer_Release(s, id);
        return HPR_OK;
    }
    char accept[29];
    ws_accept(key, accept);
    THeader h[] = {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Accept", accept}};
    return HP_HttpServer_SendResponse(s, id, HSC_SWITCHING_PROTOCOLS, NULL, h, 3, NULL, 0) ? HPR_OK : HPR_ERROR;
}

static En_HP_HttpParseResult __HP_CALL OnParseError(HP_Http s, HP_CONNID id, int code, LPCSTR desc)
{
    (void)s;
    fprintf(stderr, "[http] #%llu parse error %d: %s\n", (unsigned long long)id, code, desc ? desc : "");
    return HPR_OK;
}

/* ---- WebSocket ---- */
static En_HP_HandleResult __HP_CALL OnWSMessageHeader(HP_Http s, HP_CONNID id, BOOL fin, BYTE rsv, BYTE op,
                                                      const BYTE *mask, ULONGLONG len)
{
    (void)rsv; (void)mask; (void)len;
    struct conn *c = conn_of(s, id);
    if (!c) return HR_ERROR;
    c->frame_op = op;
    c->frame_fin = fin;
    if (op >= 0x8) c->ctl.len = 0;            /* a control frame (may come between fragments) */
    else if (op != 0x0) { c->msg_op = op; c->body.len = 0; } /* a message's first frame */
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL OnWSMessageBody(HP_Http s, HP_CONNID id, const BYTE *data, int len)
{
    struct conn *c = conn_of(s, id);
    if (!c) return HR_ERROR;
    return buf_add(c->frame_op >= 0x8 ? &c->ctl : &c->body, data, (size_t)len) ? HR_OK : HR_ERROR;
}

static En_HP_HandleResult __HP_CALL OnWSMessageComplete(HP_Http s, HP_CONNID id)
{
    struct conn *c = conn_of(s, id);
    if (!c) return HR_ERROR;
    BOOL ok = TRUE;
    switch (c->frame_op) {
    case 0x8: /* close: answer with the same status code, then close the connection */
        HP_HttpServer_SendWSMessage(s, id, TRUE, 0, 0x8, c->ctl.p, (int)c->ctl.len, 0);
        HP_HttpServer_Release(s, id);
        return HR_OK;
    case 0x9: /* ping: pong with its payload */
        ok = HP_HttpServer_SendWSMessage(s, id, TRUE, 0, 0xA, c->ctl.p, (int)c->ctl.len, 0);
        break;
    case 0xA: /* pong: nothing to do */
        break;
    default: /* text, binary or continuation: echo the whole message once its last frame came */
        if (c->frame_fin) {
            ok = HP_HttpServer_SendWSMessage(s, id, TRUE, 0, c->msg_op, c->body.p, (int)c->body.len, 0);
            c->body.len = 0;
        }
    }
    return ok ? HR_OK : HR_ERROR;
}

static volatile sig_atomic_t g_quit;
static void on_signal(int sig) { (void)sig; g_quit = 1; }

int main(int argc, char **argv)
{
    USHORT port = (USHORT)(argc > 1 ? atoi(argv[1]) : 8080);
    int seconds = argc > 2 ? atoi(argv[2]) : 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    HP_HttpServerListener listener = Create_HP_HttpServerListener();
    HP_Set_FN_HttpServer_OnAccept(listener, OnAccept);
    HP_Set_FN_HttpServer_OnClose(listener, OnClose);
    HP_Set_FN_HttpServer_OnMessageBegin(listener, OnMessageBegin);
    HP_Set_FN_HttpServer_OnHeadersComplete(listener, OnHeadersComplete);
    HP_Set_FN_HttpServer_OnBody(listener, OnBody);
    HP_Set_FN_HttpServer_OnMessageComplete(listener, OnMessageComplete);
    HP_Set_FN_HttpServer_OnUpgrade(listener, OnUpgrade);
    HP_Set_FN_HttpServer_OnParseError(listener, OnParseError);
    HP_Set_FN_HttpServer_OnWSMessageHeader(listener, OnWSMessageHeader);
    HP_Set_FN_HttpServer_OnWSMessageBody(listener, OnWSMessageBody);
    HP_Set_FN_HttpServer_OnWSMessageComplete(listener, OnWSMessageComplete);
    HP_HttpServer server = Create_HP_HttpServer(listener);
    HP_HttpServer_SetReleaseDelay(server, 100); /* closes Released connections 100 ms later */

    if (!HP_Server_Start(server, "127.0.0.1", port)) {
        fprintf(stderr, "[http] start failed: %s (%d)\n", HP_Server_GetLastErrorDesc(server),
                (int)HP_Server_GetLastError(server));
        Destroy_HP_HttpServer(server);
        Destroy_HP_HttpServerListener(listener);
        return 1;
    }
    TCHAR addr[64];
    int alen = sizeof addr;
    HP_Server_GetListenAddress(server, addr, &alen, &port);
    printf("LISTEN %u\n", port);

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    for (int ms = 0; !g_quit && (seconds == 0 || ms < seconds * 1000); ms += 50) {
        if (seconds == 0) { /* stop when standard input closes */
            struct pollfd p = {0, POLLIN, 0};
            char b[256];
            if (poll(&p, 1, 50) > 0 && read(0, b, sizeof b) <= 0) break;
        } else {
            usleep(50 * 1000);
        }
    }

    HP_Server_Stop(server);
    Destroy_HP_HttpServer(server);
    Destroy_HP_HttpServerListener(listener);
    printf("[http] stopped\n");
    return 0;
}
