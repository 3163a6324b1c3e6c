/* A TcpClient written against HP-Socket's C API and linked against upstream 5.1.1's
 * libhpsocket4c.so (PyPI hpsocket==0.9.3) by tests/dropin.rs, which runs the same binary over
 * that library and, unchanged, over ours (LD_LIBRARY_PATH picks the libhpsocket4c.so).
 *
 *   echo_client <port>   connects to 127.0.0.1:<port>, sends messages of 1 B .. 256 KiB one at a
 *                        time, checks every echoed byte, stops; prints "LOADED <path>" for each
 *                        libhpsocket4c mapped into the process (from /proc/self/maps), then
 *                        "OK bytes=N" (exit 0) or "FAILED ..." (exit 1)
 *
 * Built with our include/HPSocket4C.h: only calls whose signatures are the same in 5.1.1 and
 * 6.0.7 are used, and BOOL results are read through their low byte (5.1.1 was built with C++
 * bool, a one-byte result; our int BOOL is 0 or 1). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "HPSocket4C.h"

#define OK(b) (((b) & 0xff) != 0)

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;
static const BYTE *g_expect; /* the message in flight */
static long g_want, g_received;
static int g_mismatch, g_closed, g_connected;

static En_HP_HandleResult __HP_CALL OnConnect(HP_Client sender, HP_CONNID id)
{
    (void)sender; (void)id;
    pthread_mutex_lock(&g_lock);
    g_connected = 1;
    pthread_cond_broadcast(&g_cond);
    pthread_mutex_unlock(&g_lock);
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL OnReceive(HP_Client sender, HP_CONNID id, const BYTE *data, int len)
{
    (void)sender; (void)id;
    pthread_mutex_lock(&g_lock);
    if (g_received + len > g_want || memcmp(g_expect + g_received, data, (size_t)len) != 0)
        g_mismatch = 1;
    else
        g_received += len;
    pthread_cond_broadcast(&g_cond);
    pthread_mutex_unlock(&g_lock);
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL OnClose(HP_Client sender, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)sender; (void)id; (void)op; (void)err;
    pthread_mutex_lock(&g_lock);
    g_closed = 1;
    pthread_cond_broadcast(&g_cond);
    pthread_mutex_unlock(&g_lock);
    return HR_OK;
}

/* Waits (at most 30 s) until `*flag` is set, or the echo is complete when flag is NULL. */
static int wait_for(int *flag)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 30;
    int ok, rc = 0;
    pthread_mutex_lock(&g_lock);
    while (!(ok = flag ? *flag : g_received == g_want) && !g_mismatch && !(flag == NULL && g_closed) && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&g_cond, &g_lock, &until);
    ok = ok && !g_mismatch;
    pthread_mutex_unlock(&g_lock);
    return ok;
}

static void print_loaded(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[4096], last[4096] = "";
    while (f && fgets(line, sizeof line, f)) {
        char *path = strchr(line, '/');
        if (!path || !strstr(path, "libhpsocket4c")) continue;
        path[strcspn(path, "\n")] = 0;
        if (strcmp(path, last) != 0) { printf("LOADED %s\n", path); snprintf(last, sizeof last, "%s", path); }
    }
    if (f) fclose(f);
}

int main(int argc, char **argv)
{
    if (argc < 2) { fprintf(stderr, "usage: echo_client <port>\n"); return 2; }
    USHORT port = (USHORT)atoi(argv[1]);
    static const int sizes[] = {1, 10, 100, 1000, 4096, 65536, 262144};
    enum { MAX = 262144 };
    BYTE *msg = malloc(MAX);

    HP_TcpClientListener listener = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnConnect(listener, OnConnect);
    HP_Set_FN_Client_OnReceive(listener, OnReceive);
    HP_Set_FN_Client_OnClose(listener, OnClose);
    HP_TcpClient client = Create_HP_TcpClient(listener);
    print_loaded();

    long total = 0;
    int ok = OK(HP_Client_Start(client, "127.0.0.1", port, FALSE)) && wait_for(&g_connected);
    if (!ok) printf("FAILED: no connection to port %u (error %d)\n", port, (int)HP_Client_GetLastError(client));
    for (size_t i = 0; ok && i < sizeof sizes / sizeof sizes[0]; i++) {
        int n = sizes[i];
        for (int k = 0; k < n; k++) msg[k] = (BYTE)(k * 31 + i * 7 + k / 253);
        pthread_mutex_lock(&g_lock);
        g_expect = msg; g_want = n; g_received = 0;
        pthread_mutex_unlock(&g_lock);
        ok = OK(HP_Client_Send(client, msg, n)) && wait_for(NULL);
        if (ok) total += n;
        else printf("FAILED: message of %d bytes: %ld echoed, mismatch=%d closed=%d\n", n, g_received, g_mismatch, g_closed);
    }
    HP_Client_Stop(client);
    if (ok && !wait_for(&g_closed)) { printf("FAILED: no OnClose after Stop\n"); ok = 0; }
    Destroy_HP_TcpClient(client);
    Destroy_HP_TcpClientListener(listener);
    free(msg);
    if (ok) printf("OK bytes=%ld\n", total);
    return ok ? 0 : 1;
}
