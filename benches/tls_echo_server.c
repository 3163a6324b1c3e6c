/* The TLS echo server over our C API: an SSLServer (PUSH model) that sends back every byte it
 * receives, from OnReceive (benches/bench_server.c over TLS), for benches/compare_tls.sh:
 *
 *   tls_echo_server <lib.so> <port> <workers> <cert.pem> <key.pem> [socket_buffer_size]
 *
 * socket_buffer_size (HP_TcpServer_SetSocketBufferSize; the library's default 4096 when not given)
 * bounds what one OnReceive gets, so the size of the TLS records the echo sends.
 * No client certificate is asked for (SSL_VM_NONE). Prints "READY <pid>" once listening; runs
 * until SIGTERM or SIGINT. */
#include "tls_bench_common.h"

FN(HP_Server_Send);

static En_HP_HandleResult __HP_CALL on_receive(HP_Server s, HP_CONNID id, const BYTE *p, int n)
{
    return p_HP_Server_Send(s, id, p, n) ? HR_OK : HR_ERROR;
}

FN(Create_HP_TcpServerListener);
FN(Create_HP_SSLServer);
FN(HP_Set_FN_Server_OnReceive);
FN(HP_Server_SetWorkerThreadCount);
FN(HP_Server_SetMaxConnectionCount);
FN(HP_TcpServer_SetSocketBufferSize);
FN(HP_SSLServer_SetupSSLContext);
FN(HP_Server_Start);
FN(HP_Server_Stop);
FN(HP_Server_GetLastErrorDesc);

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: tls_echo_server lib.so port workers cert.pem key.pem\n");
        return 2;
    }
    tls_bench_open(argv[1]);
    LOAD(HP_Server_Send);
    LOAD(Create_HP_TcpServerListener);
    LOAD(Create_HP_SSLServer);
    LOAD(HP_Set_FN_Server_OnReceive);
    LOAD(HP_Server_SetWorkerThreadCount);
    LOAD(HP_Server_SetMaxConnectionCount);
    LOAD(HP_TcpServer_SetSocketBufferSize);
    LOAD(HP_SSLServer_SetupSSLContext);
    LOAD(HP_Server_Start);
    LOAD(HP_Server_Stop);
    LOAD(HP_Server_GetLastErrorDesc);

    tls_bench_block_signals();
    HP_TcpServerListener l = p_Create_HP_TcpServerListener();
    p_HP_Set_FN_Server_OnReceive(l, on_receive);
    HP_SSLServer s = p_Create_HP_SSLServer(l);
    int workers = atoi(argv[3]);
    if (workers > 0) p_HP_Server_SetWorkerThreadCount(s, (DWORD)workers);
    p_HP_Server_SetMaxConnectionCount(s, 100000);
    if (argc > 6) p_HP_TcpServer_SetSocketBufferSize(s, (DWORD)atoi(argv[6]));
    if (!p_HP_SSLServer_SetupSSLContext(s, SSL_VM_NONE, argv[4], argv[5], NULL, NULL, NULL)) {
        fprintf(stderr, "tls_echo_server: cannot use %s / %s\n", argv[4], argv[5]);
        return 1;
    }
    if (!p_HP_Server_Start(s, "127.0.0.1", (USHORT)atoi(argv[2]))) {
        fprintf(stderr, "tls_echo_server: start failed: %s\n", p_HP_Server_GetLastErrorDesc(s));
        return 1;
    }
    printf("READY %d\n", (int)getpid());
    fflush(stdout);
    tls_bench_wait_signal();
    p_HP_Server_Stop(s);
    return 0;
}
