/* echo_client: a TcpClient that sends messages to an echo server and checks each echo.
 *
 *   usage: echo_client [host] [port] [count] [size]
 *
 * Exits 0 when every byte came back in order. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "HPSocket4C.h"

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;
static BYTE *g_expect;        /* everything we sent, in order */
static long g_received;       /* how much of it came back */
static int g_mismatch, g_closed;

static En_HP_HandleResult __HP_CALL OnConnect(HP_Client sender, HP_CONNID id)
{
    (void)sender;
    printf("[client] #%llu connected\n", (unsigned long long)id);
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL OnReceive(HP_Client sender, HP_CONNID id, const BYTE *data, int len)
{
    (void)sender; (void)id;
    pthread_mutex_lock(&g_lock);
    if (memcmp(g_expect + g_received, data, (size_t)len) != 0)
        g_mismatch = 1;
    g_received += len;
    pthread_cond_signal(&g_cond);
    pthread_mutex_unlock(&g_lock);
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL OnClose(HP_Client sender, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)sender;
    printf("[client] #%llu closed (operation %d, error %d)\n", (unsigned long long)id, (int)op, err);
    pthread_mutex_lock(&g_lock);
    g_closed = 1;
    pthread_cond_signal(&g_cond);
    pthread_mutex_unlock(&g_lock);
    return HR_OK;
}

int main(int argc, char **argv)
{
    const char *host = argc > 1 ? argv[1] : "127.0.0.1";
    USHORT port = (USHORT)(argc > 2 ? atoi(argv[2]) : 5555);
    int count = argc > 3 ? atoi(argv[3]) : 1000;
    int size = argc > 4 ? atoi(argv[4]) : 100;
    if (count <= 0 || size <= 0) { fprintf(stderr, "count and size must be positive\n"); return 2; }

    g_expect = malloc((size_t)count * (size_t)size);
    for (long i = 0; i < (long)count * size; i++)
        g_expect[i] = (BYTE)(i * 7 + i / 251);

    HP_TcpClientListener listener = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnConnect(listener, OnConnect);
    HP_Set_FN_Client_OnReceive(listener, OnReceive);
    HP_Set_FN_Client_OnClose(listener, OnClose);
    HP_TcpClient client = Create_HP_TcpClient(listener);

    /* bAsyncConnect = FALSE: Start returns once the connection is up (or has failed). */
    if (!HP_Client_Start(client, host, port, FALSE)) {
        fprintf(stderr, "[client] cannot connect to %s:%u: %s\n", host, port, HP_Client_GetLastErrorDesc(client));
        Destroy_HP_TcpClient(client);
        Destroy_HP_TcpClientListener(listener);
        return 1;
    }

    int ok = 1;
    for (int i = 0; i < count && ok; i++) {
        /* ping-pong: send one message, wait for its whole echo */
        if (!HP_Client_Send(client, g_expect + (long)i * size, size)) { ok = 0; break; }
        long want = (long)(i + 1) * size;
        pthread_mutex_lock(&g_lock);
        while (g_received < want && !g_closed && !g_mismatch)
            pthread_cond_wait(&g_cond, &g_lock);
        ok = g_received >= want && !g_mismatch;
        pthread_mutex_unlock(&g_lock);
    }

    HP_Client_Stop(client);
    Destroy_HP_TcpClient(client);
    Destroy_HP_TcpClientListener(listener);
    printf("[client] %s: %ld of %ld bytes echoed\n", ok ? "OK" : "FAILED", g_received, (long)count * size);
    free(g_expect);
    return ok ? 0 : 1;
}
