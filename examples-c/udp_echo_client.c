/* udp_echo_client: a UdpClient that sends datagrams to a UDP echo server and checks each echo.
 *
 *   usage: udp_echo_client [host] [port] [count] [size]
 *
 * Datagrams may be lost, so each is sent again when its echo does not come back in time (the
 * first one also waits for the server to come up). Exits 0 when every echo matched. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "HPSocket4C.h"

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;
static BYTE g_msg[1432];
static int g_len, g_echoed, g_mismatch, g_closed;

static En_HP_HandleResult __HP_CALL OnReceive(HP_Client sender, HP_CONNID id, const BYTE *data, int len)
{
    (void)sender; (void)id;
    pthread_mutex_lock(&g_lock);
    if (len == g_len && memcmp(data, g_msg, (size_t)len) == 0)
        g_echoed = 1;
    else if (len != g_len || data[0] != 0xEE) /* a late echo of an earlier resend is fine */
        g_mismatch++;
    pthread_cond_signal(&g_cond);
    pthread_mutex_unlock(&g_lock);
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL OnClose(HP_Client sender, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)sender; (void)id;
    printf("[udp client] closed (operation %d, error %d)\n", (int)op, err);
    pthread_mutex_lock(&g_lock);
    g_closed = 1;
    pthread_cond_signal(&g_cond);
    pthread_mutex_unlock(&g_lock);
    return HR_OK;
}

/* Sends the current message until its echo arrives (at most `tries` times, 100 ms apart). */
static int echo(HP_UdpClient client, int tries)
{
    pthread_mutex_lock(&g_lock);
    g_echoed = 0;
    for (int t = 0; t < tries && !g_echoed && !g_closed; t++) {
        pthread_mutex_unlock(&g_lock);
        HP_Client_Send(client, g_msg, g_len);
        pthread_mutex_lock(&g_lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 100 * 1000000L;
        if (until.tv_nsec >= 1000000000L) { until.tv_sec++; until.tv_nsec -= 1000000000L; }
        while (!g_echoed && !g_closed && pthread_cond_timedwait(&g_cond, &g_lock, &until) == 0) {}
    }
    int ok = g_echoed;
    pthread_mutex_unlock(&g_lock);
    return ok;
}

int main(int argc, char **argv)
{
    const char *host = argc > 1 ? argv[1] : "127.0.0.1";
    USHORT port = (USHORT)(argc > 2 ? atoi(argv[2]) : 5555);
    int count = argc > 3 ? atoi(argv[3]) : 1000;
    int size = argc > 4 ? atoi(argv[4]) : 512;
    if (size < 1 || size > (int)sizeof(g_msg)) size = 512;

    setvbuf(stdout, NULL, _IOLBF, 0);
    HP_UdpClientListener listener = Create_HP_UdpClientListener();
    HP_Set_FN_Client_OnReceive(listener, OnReceive);
    HP_Set_FN_Client_OnClose(listener, OnClose);
    HP_UdpClient client = Create_HP_UdpClient(listener);
    HP_UdpClient_SetDetectInterval(client, 1000); /* ms: heartbeats keep the connection up */

    if (!HP_Client_Start(client, host, port, FALSE)) {
        fprintf(stderr, "[udp client] start failed: %s\n", HP_Client_GetLastErrorDesc(client));
        return 1;
    }
    int ok = 1;
    for (int i = 0; i < count && ok; i++) {
        pthread_mutex_lock(&g_lock);
        g_len = size;
        for (int k = 0; k < size; k++) g_msg[k] = (BYTE)(i * 31 + k);
        g_msg[0] = 0xEE;
        pthread_mutex_unlock(&g_lock);
        ok = echo(client, i == 0 ? 50 : 20);
    }
    HP_Client_Stop(client); /* tells the server at once (close notification) */
    printf("[udp client] %d datagrams of %d bytes echoed: %s\n", count, size, ok && !g_mismatch ? "OK" : "FAILED");
    Destroy_HP_UdpClient(client);
    Destroy_HP_UdpClientListener(listener);
    return ok && !g_mismatch ? 0 : 1;
}
