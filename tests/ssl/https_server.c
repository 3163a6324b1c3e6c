/* https_server: the routes of examples-c/http_server.c served over TLS by an HttpsServer, for
 * tests/ssl_https.rs.
 *
 *   usage: https_server PORT CERTDIR
 *
 *   GET  /         the example's HTML page (HEAD / its headers)
 *   POST /echo     200 with the request's body and Content-Type
 *   GET  /chunked  a chunked response
 *   GET  /ws       WebSocket echo (wss://)
 *   anything else  404
 *
 * CERTDIR holds server.pem and server.key (tests/ssl/mkcerts.sh). The example's code is
 * included whole; only its Create/Destroy calls are redirected to the ones below, which make
 * an HttpsServer and set up its SSL context (SSL_VM_NONE: clients are not asked for a
 * certificate) before the example starts it. Port 0 picks a free port; prints `LISTEN <port>`
 * once listening; stops when its standard input closes. (The page's script talks to ws://,
 * so a browser would refuse it over https: only the routes are meant here.) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "HPSocket4C-SSL.h"

static char g_cert[4096], g_key[4096];

static HP_HttpsServer create_https_server(HP_HttpServerListener listener)
{
    HP_HttpsServer s = Create_HP_HttpsServer(listener);
    if (!s) {
        fprintf(stderr, "[https] Create_HP_HttpsServer failed: %s\n", strerror(errno));
        exit(1);
    }
    if (!HP_SSLServer_SetupSSLContext(s, SSL_VM_NONE, g_cert, g_key, NULL, NULL, NULL)) {
        fprintf(stderr, "[https] SetupSSLContext(%s, %s) failed: %s\n", g_cert, g_key, strerror(errno));
        exit(1);
    }
    return s;
}

#define Create_HP_HttpServer create_https_server
#define Destroy_HP_HttpServer Destroy_HP_HttpsServer
#define main http_server_main
#include "../../examples-c/http_server.c"
#undef main

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s PORT CERTDIR\n", argv[0]);
        return 2;
    }
    snprintf(g_cert, sizeof g_cert, "%s/server.pem", argv[2]);
    snprintf(g_key, sizeof g_key, "%s/server.key", argv[2]);
    char *args[] = {argv[0], argv[1], NULL};
    return http_server_main(2, args); /* no `seconds`: runs until standard input closes */
}
