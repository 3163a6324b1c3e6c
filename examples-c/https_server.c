/* https_server: an HttpsServer (an HttpServer over TLS) with a hello page and an echo.
 *
 *   usage: https_server CERT KEY [port] [seconds]
 *
 *   GET  /      200 "hello over https" (HEAD /: its headers only)
 *   POST /echo  200 with the request's body and Content-Type
 *   else        404
 *
 * CERT is a PEM certificate chain, KEY its (unencrypted) PEM key; clients are not asked for a
 * certificate (SSL_VM_NONE). The SSL context is set up before HP_Server_Start; everything else is
 * the HttpServer API (an HttpsServer takes every HP_HttpServer_* and HP_Server_* function).
 * OnHandShake prints each connection's TLS version and the server name (SNI) its client sent.
 * Port 0 picks a free port (default 8443); prints `LISTEN <port>` once listening. Runs for
 * `seconds` when given, else until its standard input closes; SIGINT/SIGTERM stop it either way. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "HPSocket4C-SSL.h"

/* the request body, gathered in the connection's extra */
struct body { BYTE *p; size_t len, cap; };

static struct body *body_of(HP_Server s, HP_CONNID id)
{
    PVOID p = NULL;
    HP_Server_GetConnectionExtra(s, id, &p);
    return (struct body *)p;
}

static En_HP_HandleResult __HP_CALL OnAccept(HP_Server s, HP_CONNID id, UINT_PTR so)
{
    (void)so;
    struct body *b = (struct body *)calloc(1, sizeof *b);
    return b && HP_Server_SetConnectionExtra(s, id, b) ? HR_OK : HR_ERROR;
}

static En_HP_HandleResult __HP_CALL OnHandShake(HP_Server s, HP_CONNID id)
{
    LPVOID version = NULL, name = NULL;
    HP_SSLServer_GetSSLSessionInfo(s, id, SSL_SSI_VERSION, &version);   /* a const char * */
    HP_SSLServer_GetSSLSessionInfo(s, id, SSL_SSI_SERVER_NAME, &name);  /* NULL: no SNI */
    printf("[https] #%llu handshake done: %s, server name %s\n", (unsigned long long)id,
           version ? (const char *)version : "?", name ? (const char *)name : "(none)");
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL OnClose(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    struct body *b = body_of(s, id);
    if (b) {
        HP_Server_SetConnectionExtra(s, id, NULL);
        free(b->p);
        free(b);
    }
    if (err) printf("[https] #%llu closed (operation %d, error %d)\n", (unsigned long long)id, (int)op, err);
    return HR_OK;
}

static En_HP_HttpParseResult __HP_CALL OnMessageBegin(HP_Http s, HP_CONNID id)
{
    struct body *b = body_of(s, id);
    if (b) b->len = 0;
    return HPR_OK;
}

static En_HP_HttpParseResult __HP_CALL OnBody(HP_Http s, HP_CONNID id, const BYTE *data, int len)
{
    struct body *b = body_of(s, id);
    if (!b) return HPR_ERROR;
    if (b->len + (size_t)len > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + (size_t)len) cap *= 2;
        BYTE *p = (BYTE *)realloc(b->p, cap);
        if (!p) return HPR_ERROR;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, (size_t)len);
    b->len += (size_t)len;
    return HPR_OK;
}

static En_HP_HttpParseResult __HP_CALL OnMessageComplete(HP_Http s, HP_CONNID id)
{
    const char *method = HP_HttpServer_GetMethod(s, id);
    const char *path = HP_HttpServer_GetUrlField(s, id, HUF_PATH);
    BOOL ok;
    if (!method || !path) return HPR_ERROR;
    if (strcmp(path, "/") == 0 && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)) {
        static const char hello[] = "hello over https\n";
        char len[16];
        snprintf(len, sizeof len, "%d", (int)sizeof hello - 1);
        THeader h[] = {{"Content-Type", "text/plain"}, {"Content-Length", len}};
        if (strcmp(method, "HEAD") == 0)
            ok = HP_HttpServer_SendResponse(s, id, HSC_OK, NULL, h, 2, NULL, 0);
        else
            ok = HP_HttpServer_SendResponse(s, id, HSC_OK, NULL, h, 1, (const BYTE *)hello, (int)sizeof hello - 1);
    } else if (strcmp(path, "/echo") == 0 && strcmp(method, "POST") == 0) {
        struct body *b = body_of(s, id);
        const char *type = HP_HttpServer_GetContentType(s, id);
        THeader h[] = {{"Content-Type", type}};
        ok = b && HP_HttpServer_SendResponse(s, id, HSC_OK, NULL, h, type && *type ? 1 : 0, b->p, (int)b->len);
    } else {
        static const char nf[] = "not found\n";
        THeader h[] = {{"Content-Type", "text/plain"}};
        ok = HP_HttpServer_SendResponse(s, id, 404, NULL, h, 1, (const BYTE *)nf, (int)sizeof nf - 1);
    }
    if (!ok) return HPR_ERROR;
    /* the server does not close on `Connection: close` (or HTTP/1.0) by itself */
    if (!HP_HttpServer_IsKeepAlive(s, id)) HP_HttpServer_Release(s, id);
    return HPR_OK;
}

static volatile sig_atomic_t g_quit;
static void on_signal(int sig) { (void)sig; g_quit = 1; }

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s CERT KEY [port] [seconds]\n", argv[0]);
        return 2;
    }
    const char *cert = argv[1], *key = argv[2];
    USHORT port = (USHORT)(argc > 3 ? atoi(argv[3]) : 8443);
    int seconds = argc > 4 ? atoi(argv[4]) : 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    HP_HttpServerListener listener = Create_HP_HttpServerListener();
    HP_Set_FN_HttpServer_OnAccept(listener, OnAccept);
    HP_Set_FN_HttpServer_OnHandShake(listener, OnHandShake);
    HP_Set_FN_HttpServer_OnClose(listener, OnClose);
    HP_Set_FN_HttpServer_OnMessageBegin(listener, OnMessageBegin);
    HP_Set_FN_HttpServer_OnBody(listener, OnBody);
    HP_Set_FN_HttpServer_OnMessageComplete(listener, OnMessageComplete);
    HP_HttpsServer server = Create_HP_HttpsServer(listener);
    HP_HttpServer_SetReleaseDelay(server, 100);

    /* the certificate and key: before Start (errno says what was wrong with the files) */
    if (!HP_SSLServer_SetupSSLContext(server, SSL_VM_NONE, cert, key, NULL, NULL, NULL)) {
        fprintf(stderr, "[https] cannot use %s / %s: %s\n", cert, key, strerror(errno));
        Destroy_HP_HttpsServer(server);
        Destroy_HP_HttpServerListener(listener);
        return 1;
    }
    if (!HP_Server_Start(server, "127.0.0.1", port)) {
        fprintf(stderr, "[https] start failed: %s (%d)\n", HP_Server_GetLastErrorDesc(server),
                (int)HP_Server_GetLastError(server));
        Destroy_HP_HttpsServer(server);
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
    Destroy_HP_HttpsServer(server);
    Destroy_HP_HttpServerListener(listener);
    printf("[https] stopped\n");
    return 0;
}
