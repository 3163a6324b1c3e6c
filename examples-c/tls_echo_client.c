/* tls_echo_client: an SSLClient (a TcpClient over TLS) sending a few lines to a TLS echo server
 * and printing each echo.
 *
 *   usage: tls_echo_client CA [host] [port]
 *
 * CA is the PEM file of the certificate authority the server's certificate must chain to
 * (SSL_VM_PEER: a server it does not vouch for is refused). The client connects to `host`
 * (default localhost; a name, not an IP address, is sent as SNI), waits for OnHandShake (data may
 * be sent only once the handshake is done), then sends each line and waits for its whole echo.
 * Exits 0 when every line came back as sent, 1 otherwise. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "HPSocket4C-SSL.h"

static const char *const LINES[] = {"hello over TLS\n", "a second line\n", "and the last one, a little longer\n"};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;
static int g_ready, g_closed, g_close_error;
static char g_echo[256];
static size_t g_len;

static En_HP_HandleResult __HP_CALL OnHandShake(HP_Client sender, HP_CONNID id)
{
    LPVOID version = NULL;
    HP_SSLClient_GetSSLSessionInfo(sender, SSL_SSI_VERSION, &version); /* a const char * */
    printf("[tls client] #%llu handshake done: %s\n", (unsigned long long)id, version ? (const char *)version : "?");
    pthread_mutex_lock(&g_lock);
    g_ready = 1;
    pthread_cond_signal(&g_cond);
    pthread_mutex_unlock(&g_lock);
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL OnReceive(HP_Client sender, HP_CONNID id, const BYTE *data, int len)
{
    (void)sender; (void)id;
    pthread_mutex_lock(&g_lock);
    size_t n = (size_t)len < sizeof g_echo - 1 - g_len ? (size_t)len : sizeof g_echo - 1 - g_len;
    memcpy(g_echo + g_len, data, n);
    g_len += n;
    pthread_cond_signal(&g_cond);
    pthread_mutex_unlock(&g_lock);
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL OnClose(HP_Client sender, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)sender;
    /* a refused certificate closes the connection here, before any OnHandShake */
    printf("[tls client] #%llu closed (operation %d, error %d)\n", (unsigned long long)id, (int)op, err);
    pthread_mutex_lock(&g_lock);
    g_closed = 1;
    g_close_error = err;
    pthread_cond_signal(&g_cond);
    pthread_mutex_unlock(&g_lock);
    return HR_OK;
}

/* waits (up to 10 s) until `done` holds or the connection closed; call with g_lock held */
static int wait_until(int (*done)(void))
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    while (!done() && !g_closed)
        if (pthread_cond_timedwait(&g_cond, &g_lock, &until) != 0) break;
    return done();
}
static int is_ready(void) { return g_ready; }
static size_t g_want;
static int echo_complete(void) { return g_len >= g_want; }

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CA [host] [port]\n", argv[0]);
        return 2;
    }
    const char *host = argc > 2 ? argv[2] : "localhost";
    USHORT port = (USHORT)(argc > 3 ? atoi(argv[3]) : 5558);

    setvbuf(stdout, NULL, _IOLBF, 0);
    HP_TcpClientListener listener = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnHandShake(listener, OnHandShake);
    HP_Set_FN_Client_OnReceive(listener, OnReceive);
    HP_Set_FN_Client_OnClose(listener, OnClose);
    HP_SSLClient client = Create_HP_SSLClient(listener);

    /* no client certificate; verify the server against the CA */
    if (!HP_SSLClient_SetupSSLContext(client, SSL_VM_PEER, NULL, NULL, NULL, argv[1])) {
        fprintf(stderr, "[tls client] cannot use CA %s: %s\n", argv[1], SYS_GetLastErrorStr());
        Destroy_HP_SSLClient(client);
        Destroy_HP_TcpClientListener(listener);
        return 1;
    }
    if (!HP_Client_Start(client, host, port, FALSE)) {
        fprintf(stderr, "[tls client] cannot connect to %s:%u: %s\n", host, port, HP_Client_GetLastErrorDesc(client));
        Destroy_HP_SSLClient(client);
        Destroy_HP_TcpClientListener(listener);
        return 1;
    }

    pthread_mutex_lock(&g_lock);
    int ok = wait_until(is_ready);
    pthread_mutex_unlock(&g_lock);
    if (!ok) printf("[tls client] no TLS handshake with %s:%u\n", host, port);

    int echoed = 0;
    for (size_t i = 0; ok && i < sizeof LINES / sizeof LINES[0]; i++) {
        size_t n = strlen(LINES[i]);
        pthread_mutex_lock(&g_lock);
        g_len = 0;
        g_want = n;
        pthread_mutex_unlock(&g_lock);
        if (!HP_Client_Send(client, (const BYTE *)LINES[i], (int)n)) { ok = 0; break; }
        pthread_mutex_lock(&g_lock);
        ok = wait_until(echo_complete) && g_len == n && memcmp(g_echo, LINES[i], n) == 0;
        if (ok) printf("[tls client] echo: %.*s", (int)g_len, g_echo);
        pthread_mutex_unlock(&g_lock);
        echoed += ok;
    }

    HP_Client_Stop(client);
    Destroy_HP_SSLClient(client);
    Destroy_HP_TcpClientListener(listener);
    int total = (int)(sizeof LINES / sizeof LINES[0]);
    printf("[tls client] %s: %d of %d lines echoed\n", ok ? "OK" : "FAILED", echoed, total);
    return ok ? 0 : 1;
}
