/* echo_server: a TcpServer that sends every received byte back.
 *
 *   usage: echo_server [port] [seconds]
 *
 * Runs until SIGINT/SIGTERM, or for `seconds` when given. Prints the port it listens on. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "HPSocket4C.h"

static volatile sig_atomic_t g_quit;
static void on_signal(int sig) { (void)sig; g_quit = 1; }

static En_HP_HandleResult __HP_CALL OnAccept(HP_Server sender, HP_CONNID id, UINT_PTR soClient)
{
    TCHAR addr[64];
    int len = sizeof(addr);
    USHORT port = 0;
    (void)soClient;
    HP_Server_GetRemoteAddress(sender, id, addr, &len, &port);
    printf("[server] #%llu connected from %s:%u\n", (unsigned long long)id, addr, port);
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL OnReceive(HP_Server sender, HP_CONNID id, const BYTE *data, int len)
{
    /* Send copies what the socket does not take at once, so `data` may be passed straight on. */
    return HP_Server_Send(sender, id, data, len) ? HR_OK : HR_ERROR;
}

static En_HP_HandleResult __HP_CALL OnClose(HP_Server sender, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)sender;
    printf("[server] #%llu closed (operation %d, error %d)\n", (unsigned long long)id, (int)op, err);
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL OnShutdown(HP_Server sender)
{
    (void)sender;
    printf("[server] shut down\n");
    return HR_OK;
}

int main(int argc, char **argv)
{
    USHORT port = (USHORT)(argc > 1 ? atoi(argv[1]) : 5555);
    int seconds = argc > 2 ? atoi(argv[2]) : 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    HP_TcpServerListener listener = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnAccept(listener, OnAccept);
    HP_Set_FN_Server_OnReceive(listener, OnReceive);
    HP_Set_FN_Server_OnClose(listener, OnClose);
    HP_Set_FN_Server_OnShutdown(listener, OnShutdown);
    HP_TcpServer server = Create_HP_TcpServer(listener);

    if (!HP_Server_Start(server, "0.0.0.0", port)) {
        fprintf(stderr, "[server] start failed: %s (%d)\n",
                HP_Server_GetLastErrorDesc(server), (int)HP_Server_GetLastError(server));
        Destroy_HP_TcpServer(server);
        Destroy_HP_TcpServerListener(listener);
        return 1;
    }
    printf("[server] listening on port %u\n", port);
    fflush(stdout);

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    for (int ms = 0; !g_quit && (seconds == 0 || ms < seconds * 1000); ms += 50)
        usleep(50 * 1000);

    HP_Server_Stop(server);
    Destroy_HP_TcpServer(server);
    Destroy_HP_TcpServerListener(listener);
    return 0;
}
