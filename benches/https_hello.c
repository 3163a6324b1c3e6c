/* A hello-world HttpsServer over our C API (benches/http_hello.c over TLS, set up as
 * examples-c/https_server.c does), for wrk and the handshake client of benches/compare_tls.sh:
 *
 *   https_hello <lib.so> <port> <workers> <cert.pem> <key.pem>
 *
 * Answers every request with 200 and "hello" (Content-Type text/plain; keep-alive as the request
 * asks, a request that does not keep the connection alive is released), as the nginx peer's
 * `location / { return 200 "hello"; }`. No client certificate is asked for (SSL_VM_NONE).
 * Prints "READY <pid>" once listening; runs until SIGTERM or SIGINT. */
#include "tls_bench_common.h"

FN(HP_HttpServer_SendResponse);
FN(HP_HttpServer_IsKeepAlive);
FN(HP_HttpServer_Release);

static En_HP_HttpParseResult __HP_CALL on_complete(HP_Http s, HP_CONNID id)
{
    static const BYTE body[] = "hello";
    static const THeader headers[] = {{"Content-Type", "text/plain"}};
    if (!p_HP_HttpServer_SendResponse(s, id, 200, "OK", headers, 1, body, (int)sizeof body - 1))
        return HPR_ERROR;
    if (!p_HP_HttpServer_IsKeepAlive(s, id)) p_HP_HttpServer_Release(s, id);
    return HPR_OK;
}

FN(Create_HP_HttpServerListener);
FN(Create_HP_HttpsServer);
FN(HP_Set_FN_HttpServer_OnMessageComplete);
FN(HP_Server_SetWorkerThreadCount);
FN(HP_Server_SetMaxConnectionCount);
FN(HP_SSLServer_SetupSSLContext);
FN(HP_Server_Start);
FN(HP_Server_Stop);
FN(HP_Server_GetLastErrorDesc);

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: https_hello lib.so port workers cert.pem key.pem\n");
        return 2;
    }
    tls_bench_open(argv[1]);
    LOAD(HP_HttpServer_SendResponse);
    LOAD(HP_HttpServer_IsKeepAlive);
    LOAD(HP_HttpServer_Release);
    LOAD(Create_HP_HttpServerListener);
    LOAD(Create_HP_HttpsServer);
    LOAD(HP_Set_FN_HttpServer_OnMessageComplete);
    LOAD(HP_Server_SetWorkerThreadCount);
    LOAD(HP_Server_SetMaxConnectionCount);
    LOAD(HP_SSLServer_SetupSSLContext);
    LOAD(HP_Server_Start);
    LOAD(HP_Server_Stop);
    LOAD(HP_Server_GetLastErrorDesc);

    tls_bench_block_signals();
    HP_HttpServerListener l = p_Create_HP_HttpServerListener();
    p_HP_Set_FN_HttpServer_OnMessageComplete(l, on_complete);
    HP_HttpsServer s = p_Create_HP_HttpsServer(l);
    int workers = atoi(argv[3]);
    if (workers > 0) p_HP_Server_SetWorkerThreadCount(s, (DWORD)workers);
    p_HP_Server_SetMaxConnectionCount(s, 100000);
    if (!p_HP_SSLServer_SetupSSLContext(s, SSL_VM_NONE, argv[4], argv[5], NULL, NULL, NULL)) {
        fprintf(stderr, "https_hello: cannot use %s / %s\n", argv[4], argv[5]);
        return 1;
    }
    if (!p_HP_Server_Start(s, "127.0.0.1", (USHORT)atoi(argv[2]))) {
        fprintf(stderr, "https_hello: start failed: %s\n", p_HP_Server_GetLastErrorDesc(s));
        return 1;
    }
    printf("READY %d\n", (int)getpid());
    fflush(stdout);
    tls_bench_wait_signal();
    p_HP_Server_Stop(s);
    return 0;
}
