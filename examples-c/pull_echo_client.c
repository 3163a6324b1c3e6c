/* pull_echo_client: a TcpPullClient sending head+body messages (4-byte little-endian length,
 * then the body) and fetching each echo whole.
 *
 *   usage: pull_echo_client [host] [port] [count]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "HPSocket4C.h"

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;
static BYTE g_sent[4 + 100000];
static int g_sent_len, g_echoed, g_bad, g_closed;

static En_HP_HandleResult __HP_CALL OnPullReceive(HP_Client sender, HP_CONNID id, int buffered)
{
    (void)id;
    pthread_mutex_lock(&g_lock);
    if (buffered >= g_sent_len) {
        static BYTE echo[sizeof g_sent];
        if (HP_TcpPullClient_Fetch(sender, echo, g_sent_len) == FR_OK) {
            if (memcmp(echo, g_sent, (size_t)g_sent_len) != 0) g_bad = 1;
            g_echoed++;
            pthread_cond_signal(&g_cond);
        }
    }
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
    USHORT port = (USHORT)(argc > 2 ? atoi(argv[2]) : 5557);
    int count = argc > 3 ? atoi(argv[3]) : 200;

    HP_TcpPullClientListener listener = Create_HP_TcpPullClientListener();
    HP_Set_FN_Client_OnPullReceive(listener, OnPullReceive);
    HP_Set_FN_Client_OnClose(listener, OnClose);
    HP_TcpPullClient client = Create_HP_TcpPullClient(listener);
    if (!HP_Client_Start(client, host, port, FALSE)) {
        fprintf(stderr, "[pull client] cannot connect: %s\n", HP_Client_GetLastErrorDesc(client));
        return 1;
    }

    int ok = 1;
    for (int i = 0; i < count && ok; i++) {
        int len = 1 + (i * 997) % 100000;
        pthread_mutex_lock(&g_lock);
        g_sent[0] = (BYTE)len; g_sent[1] = (BYTE)(len >> 8); g_sent[2] = (BYTE)(len >> 16); g_sent[3] = 0;
        for (int k = 0; k < len; k++) g_sent[4 + k] = (BYTE)(i * 3 + k);
        g_sent_len = 4 + len;
        pthread_mutex_unlock(&g_lock);
        /* the head, then the body: the server fetches only whole messages */
        if (!HP_Client_Send(client, g_sent, 4) || !HP_Client_Send(client, g_sent + 4, len)) { ok = 0; break; }
        pthread_mutex_lock(&g_lock);
        while (g_echoed <= i && !g_closed)
            pthread_cond_wait(&g_cond, &g_lock);
        ok = g_echoed == i + 1 && !g_bad;
        pthread_mutex_unlock(&g_lock);
    }
    HP_Client_Stop(client);
    Destroy_HP_TcpPullClient(client);
    Destroy_HP_TcpPullClientListener(listener);
    printf("[pull client] %s: %d of %d messages echoed whole\n", ok ? "OK" : "FAILED", g_echoed, count);
    return ok ? 0 : 1;
}
