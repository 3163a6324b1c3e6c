/* udp_echo_server: a UdpServer that sends every datagram back to its sender.
 *
 *   usage: udp_echo_server [port] [seconds]
 *
 * Each peer address is a connection: OnAccept on its first datagram, OnClose when it sends the
 * close notification (its Stop) or stays silent for the detect timeout. Runs until SIGINT /
 * SIGTERM, or for `seconds` when given. */
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "HPSocket4C.h"

static volatile sig_atomic_t g_quit;
static void on_signal(int sig) { (void)sig; g_quit = 1; }

static En_HP_HandleResult __HP_CALL OnAccept(HP_Server sender, HP_CONNID id, UINT_PTR pClient)
{
    /* For UDP, pClient points at the peer's socket address. */
    const struct sockaddr *sa = (const struct sockaddr *)pClient;
    TCHAR addr[64];
    int len = sizeof(addr);
    USHORT port = 0;
    HP_Server_GetRemoteAddress(sender, id, addr, &len, &port);
    printf("[udp server] #%llu from %s:%u (%s socket address)\n", (unsigned long long)id, addr, port, sa->sa_family == AF_INET6 ? "IPv6" : "IPv4");
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL OnReceive(HP_Server sender, HP_CONNID id, const BYTE *data, int len)
{
    return HP_Server_Send(sender, id, data, len) ? HR_OK : HR_ERROR;
}

static En_HP_HandleResult __HP_CALL OnClose(HP_Server sender, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)sender;
    printf("[udp server] #%llu closed (operation %d, error %d)\n", (unsigned long long)id, (int)op, err);
    return HR_OK;
}

int main(int argc, char **argv)
{
    USHORT port = (USHORT)(argc > 1 ? atoi(argv[1]) : 5555);
    int seconds = argc > 2 ? atoi(argv[2]) : 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    HP_UdpServerListener listener = Create_HP_UdpServerListener();
    HP_Set_FN_Server_OnAccept(listener, OnAccept);
    HP_Set_FN_Server_OnReceive(listener, OnReceive);
    HP_Set_FN_Server_OnClose(listener, OnClose);
    HP_UdpServer server = Create_HP_UdpServer(listener);
    HP_UdpServer_SetDetectInterval(server, 5000); /* ms; a peer silent for 3 intervals is dropped */

    if (!HP_Server_Start(server, NULL, port)) { /* every address, IPv4 and IPv6 */
        fprintf(stderr, "[udp server] start failed: %s\n", HP_Server_GetLastErrorDesc(server));
        Destroy_HP_UdpServer(server);
        Destroy_HP_UdpServerListener(listener);
        return 1;
    }
    printf("[udp server] listening on port %u\n", port);

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    for (int ms = 0; !g_quit && (seconds == 0 || ms < seconds * 1000); ms += 50)
        usleep(50 * 1000);

    HP_Server_Stop(server);
    Destroy_HP_UdpServer(server);
    Destroy_HP_UdpServerListener(listener);
    return 0;
}
