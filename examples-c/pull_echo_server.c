/* pull_echo_server: a TcpPullServer speaking a head+body protocol: each message is a 4-byte
 * little-endian length, then that many bytes. OnPullReceive says how much is buffered; the
 * server Peeks at the head and Fetches whole messages only, then echoes them.
 *
 *   usage: pull_echo_server [port] [seconds]
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "HPSocket4C.h"

static volatile sig_atomic_t g_quit;
static void on_signal(int sig) { (void)sig; g_quit = 1; }

static En_HP_HandleResult __HP_CALL OnPullReceive(HP_Server sender, HP_CONNID id, int buffered)
{
    while (buffered >= 4) {
        BYTE head[4];
        if (HP_TcpPullServer_Peek(sender, id, head, 4) != FR_OK)
            break;
        int len = head[0] | head[1] << 8 | head[2] << 16 | head[3] << 24;
        if (len < 0 || len > (1 << 20))
            return HR_ERROR;                      /* not our protocol: close the connection */
        if (buffered < 4 + len)
            break;                                /* wait for the rest of the body */
        BYTE *msg = (BYTE *)malloc((size_t)(4 + len));
        if (HP_TcpPullServer_Fetch(sender, id, msg, 4 + len) != FR_OK) { free(msg); break; }
        BOOL ok = HP_Server_Send(sender, id, msg, 4 + len);
        free(msg);
        if (!ok)
            return HR_ERROR;
        buffered -= 4 + len;
    }
    return HR_OK;
}

int main(int argc, char **argv)
{
    USHORT port = (USHORT)(argc > 1 ? atoi(argv[1]) : 5557);
    int seconds = argc > 2 ? atoi(argv[2]) : 0;
    setvbuf(stdout, NULL, _IOLBF, 0);

    HP_TcpPullServerListener listener = Create_HP_TcpPullServerListener();
    HP_Set_FN_Server_OnPullReceive(listener, OnPullReceive);
    HP_TcpPullServer server = Create_HP_TcpPullServer(listener);
    if (!HP_Server_Start(server, "0.0.0.0", port)) {
        fprintf(stderr, "[pull server] start failed: %s\n", HP_Server_GetLastErrorDesc(server));
        return 1;
    }
    printf("[pull server] listening on port %u\n", port);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    for (int ms = 0; !g_quit && (seconds == 0 || ms < seconds * 1000); ms += 50)
        usleep(50 * 1000);
    HP_Server_Stop(server);
    Destroy_HP_TcpPullServer(server);
    Destroy_HP_TcpPullServerListener(listener);
    return 0;
}
