/* pack_echo_server: a TcpPackServer. Every message arrives whole in OnReceive (body only) and
 * is sent back as one message.
 *
 *   usage: pack_echo_server [port] [seconds]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "HPSocket4C.h"

#define PACK_FLAG 0x169  /* both sides must agree; 0 would accept any flag */

static volatile sig_atomic_t g_quit;
static void on_signal(int sig) { (void)sig; g_quit = 1; }

static En_HP_HandleResult __HP_CALL OnReceive(HP_Server sender, HP_CONNID id, const BYTE *body, int len)
{
    return HP_Server_Send(sender, id, body, len) ? HR_OK : HR_ERROR;
}

static En_HP_HandleResult __HP_CALL OnClose(HP_Server sender, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)sender;
    printf("[pack server] #%llu closed (operation %d, error %d)\n", (unsigned long long)id, (int)op, err);
    return HR_OK;
}

int main(int argc, char **argv)
{
    USHORT port = (USHORT)(argc > 1 ? atoi(argv[1]) : 5556);
    int seconds = argc > 2 ? atoi(argv[2]) : 0;
    setvbuf(stdout, NULL, _IOLBF, 0);

    HP_TcpPackServerListener listener = Create_HP_TcpPackServerListener();
    HP_Set_FN_Server_OnReceive(listener, OnReceive);
    HP_Set_FN_Server_OnClose(listener, OnClose);
    HP_TcpPackServer server = Create_HP_TcpPackServer(listener);
    HP_TcpPackServer_SetMaxPackSize(server, 0x10000);
    HP_TcpPackServer_SetPackHeaderFlag(server, PACK_FLAG);

    if (!HP_Server_Start(server, "0.0.0.0", port)) {
        fprintf(stderr, "[pack server] start failed: %s\n", HP_Server_GetLastErrorDesc(server));
        return 1;
    }
    printf("[pack server] listening on port %u\n", port);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    for (int ms = 0; !g_quit && (seconds == 0 || ms < seconds * 1000); ms += 50)
        usleep(50 * 1000);

    HP_Server_Stop(server);
    Destroy_HP_TcpPackServer(server);
    Destroy_HP_TcpPackServerListener(listener);
    return 0;
}
