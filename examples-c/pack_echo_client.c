/* pack_echo_client: a TcpPackClient sending messages of growing size; each echo must come back
 * as one whole message with the same bytes.
 *
 *   usage: pack_echo_client [host] [port] [count]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "HPSocket4C.h"

#define PACK_FLAG 0x169

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;
static BYTE g_sent[0x10000];
static int g_sent_len, g_echoed, g_bad, g_closed;

static En_HP_HandleResult __HP_CALL OnReceive(HP_Client sender, HP_CONNID id, const BYTE *body, int len)
{
    (void)sender; (void)id;
    pthread_mutex_lock(&g_lock);
    if (len != g_sent_len || memcmp(body, g_sent, (size_t)len) != 0)
        g_bad = 1;
    g_echoed++;
    pthread_cond_signal(&g_cond);
    pthread_mutex_unlock(&g_lock);
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL OnClose(HP_Client sender, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)sender; (void)id; (void)op; (void)err;
    pthread_mutex_lock(&g_lock);
    g_closed = 1;
    pthread_cond_signal(&g_cond);
    pthread_mutex_unlock(&g_lock);
    return HR_OK;
}

int main(int argc, char **argv)
{
    const char *host = argc > 1 ? argv[1] : "127.0.0.1";
    USHORT port = (USHORT)(argc > 2 ? atoi(argv[2]) : 5556);
    int count = argc > 3 ? atoi(argv[3]) : 200;

    HP_TcpPackClientListener listener = Create_HP_TcpPackClientListener();
    HP_Set_FN_Client_OnReceive(listener, OnReceive);
    HP_Set_FN_Client_OnClose(listener, OnClose);
    HP_TcpPackClient client = Create_HP_TcpPackClient(listener);
    HP_TcpPackClient_SetMaxPackSize(client, 0x10000);
    HP_TcpPackClient_SetPackHeaderFlag(client, PACK_FLAG);
    if (!HP_Client_Start(client, host, port, FALSE)) {
        fprintf(stderr, "[pack client] cannot connect: %s\n", HP_Client_GetLastErrorDesc(client));
        return 1;
    }

    int ok = 1;
    for (int i = 0; i < count && ok; i++) {
        int len = 1 + (i * 331) % (int)sizeof(g_sent);   /* 1 byte .. 64 KiB */
        pthread_mutex_lock(&g_lock);
        g_sent_len = len;
        for (int k = 0; k < len; k++) g_sent[k] = (BYTE)(i + k);
        pthread_mutex_unlock(&g_lock);
        /* one Send is one message, however large */
        if (!HP_Client_Send(client, g_sent, len)) { ok = 0; break; }
        pthread_mutex_lock(&g_lock);
        while (g_echoed <= i && !g_closed)
            pthread_cond_wait(&g_cond, &g_lock);
        ok = g_echoed == i + 1 && !g_bad;
        pthread_mutex_unlock(&g_lock);
    }

    HP_Client_Stop(client);
    Destroy_HP_TcpPackClient(client);
    Destroy_HP_TcpPackClientListener(listener);
    printf("[pack client] %s: %d of %d messages echoed whole\n", ok ? "OK" : "FAILED", g_echoed, count);
    return ok ? 0 : 1;
}
