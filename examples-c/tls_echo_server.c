/* tls_echo_server: an SSLServer (a TcpServer over TLS) that sends every received byte back.
 *
 *   usage: tls_echo_server CERT KEY [port] [seconds]
 *
 * CERT is a PEM certificate chain, KEY its (unencrypted) PEM key. The SSL context is set up
 * before HP_Server_Start; the rest is the TcpServer API: OnReceive gets the plaintext and
 * HP_Server_Send encrypts. OnHandShake (each connection's TLS handshake done) prints the TLS
 * version; only then do the connection's OnReceive calls begin. Port 0 picks a free port
 * (default 5558); prints `LISTEN <port>` once listening. Runs for `seconds` when given, else until
 * its standard input closes; SIGINT/SIGTERM stop it either way. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "HPSocket4C-SSL.h"

static En_HP_HandleResult __HP_CALL OnHandShake(HP_Server sender, HP_CONNID id)
{
    LPVOID version = NULL;
    TCHAR addr[64];
    int len = sizeof addr;
    USHORT port = 0;
    HP_Server_GetRemoteAddress(sender, id, addr, &len, &port);
    HP_SSLServer_GetSSLSessionInfo(sender, id, SSL_SSI_VERSION, &version); /* a const char * */
    printf("[tls server] #%llu %s:%u handshake done: %s\n", (unsigned long long)id, addr, port,
           version ? (const char *)version : "?");
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL OnReceive(HP_Server sender, HP_CONNID id, const BYTE *data, int len)
{
    return HP_Server_Send(sender, id, data, len) ? HR_OK : HR_ERROR;
}

static En_HP_HandleResult __HP_CALL OnClose(HP_Server sender, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)sender;
    /* a client that refused the certificate (or spoke no TLS) ends here with an error */
    printf("[tls server] #%llu closed (operation %d, error %d)\n", (unsigned long long)id, (int)op, err);
    return HR_OK;
}

static volatile sig_atomic_t g_quit;
static void on_signal(int sig) { (void)sig; g_quit = 1; }

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s CERT KEY [port] [seconds]\n", argv[0]);
        return 2;
    }
    USHORT port = (USHORT)(argc > 3 ? atoi(argv[3]) : 5558);
    int seconds = argc > 4 ? atoi(argv[4]) : 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    HP_TcpServerListener listener = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnHandShake(listener, OnHandShake);
    HP_Set_FN_Server_OnReceive(listener, OnReceive);
    HP_Set_FN_Server_OnClose(listener, OnClose);
    HP_SSLServer server = Create_HP_SSLServer(listener);

    if (!HP_SSLServer_SetupSSLContext(server, SSL_VM_NONE, argv[1], argv[2], NULL, NULL, NULL)) {
        fprintf(stderr, "[tls server] cannot use %s / %s: %s\n", argv[1], argv[2], strerror(errno));
        Destroy_HP_SSLServer(server);
        Destroy_HP_TcpServerListener(listener);
        return 1;
    }
    if (!HP_Server_Start(server, "0.0.0.0", port)) {
        fprintf(stderr, "[tls server] start failed: %s (%d)\n", HP_Server_GetLastErrorDesc(server),
                (int)HP_Server_GetLastError(server));
        Destroy_HP_SSLServer(server);
        Destroy_HP_TcpServerListener(listener);
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
    Destroy_HP_SSLServer(server);
    Destroy_HP_TcpServerListener(listener);
    printf("[tls server] stopped\n");
    return 0;
}
