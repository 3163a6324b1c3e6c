/* Sending on a secure client right after a synchronous Start, before its TLS handshake, for
 * tests/ssl_https.rs: the send must be refused (upstream's ERROR_INVALID_STATE, EPERM), and
 * nothing may go out in the clear. The test's raw TCP listener on PORT (which never answers the
 * ClientHello) records every byte each connection sends and checks it is TLS only.
 *
 *   https_early_send PORT COUNT
 *
 * Starts COUNT HttpsClients, each sending SendGet("/early-send-leak") just after
 * HP_Client_Start(..., FALSE) returned, and COUNT SSLClients each sending "early-send-leak"
 * the same way; keeps them all connected until a line arrives on stdin (the test sends it once
 * each connection's ClientHello came), then stops them. Prints "https_early_send: N passed, M
 * failed". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "HPSocket4C-SSL.h"
#include "testutil.h"

#define MAX 64

int main(int argc, char **argv)
{
    if (argc != 3) { fprintf(stderr, "usage: https_early_send PORT COUNT\n"); return 2; }
    USHORT port = (USHORT)atoi(argv[1]);
    int count = atoi(argv[2]);
    if (count < 1 || count > MAX) { fprintf(stderr, "COUNT: 1..%d\n", MAX); return 2; }
    HP_HttpClientListener hl = Create_HP_HttpClientListener();
    HP_TcpClientListener tl = Create_HP_TcpClientListener();
    HP_HttpsClient h[MAX];
    HP_SSLClient t[MAX];
    int sent_http = 0, sent_tcp = 0;
    for (int i = 0; i < count; i++) {
        h[i] = Create_HP_HttpsClient(hl);
        CHECK(HP_SSLClient_SetupSSLContext(h[i], SSL_VM_NONE, NULL, NULL, NULL, NULL));
        CHECK(HP_Client_Start(h[i], "localhost", port, FALSE));
        errno = 0;
        BOOL ok = HP_HttpClient_SendGet(h[i], "/early-send-leak", NULL, 0);
        int e = errno;
        /* Start returns with the TLS session attached: the request is refused (EPERM) until
           the handshake is done, never written in the clear ahead of the ClientHello */
        CHECK(!ok);
        CHECK_EQ(e, EPERM);
        sent_http += ok ? 1 : 0;

        t[i] = Create_HP_SSLClient(tl);
        CHECK(HP_SSLClient_SetupSSLContext(t[i], SSL_VM_NONE, NULL, NULL, NULL, NULL));
        CHECK(HP_Client_Start(t[i], "localhost", port, FALSE));
        errno = 0;
        ok = HP_Client_Send(t[i], (const BYTE *)"early-send-leak", 15);
        e = errno;
        CHECK(!ok); /* as above */
        CHECK_EQ(e, EPERM);
        sent_tcp += ok ? 1 : 0;
    }
    printf("early sends accepted: HttpsClient %d of %d, SSLClient %d of %d\n", sent_http, count, sent_tcp, count);
    fflush(stdout);
    char line[16];
    if (!fgets(line, sizeof line, stdin)) fprintf(stderr, "stdin closed\n");
    for (int i = 0; i < count; i++) {
        HP_Client_Stop(h[i]);
        CHECK(HP_Client_Wait(h[i], 20000));
        Destroy_HP_HttpsClient(h[i]);
        HP_Client_Stop(t[i]);
        CHECK(HP_Client_Wait(t[i], 20000));
        Destroy_HP_SSLClient(t[i]);
    }
    Destroy_HP_HttpClientListener(hl);
    Destroy_HP_TcpClientListener(tl);
    return t_finish("https_early_send");
}
