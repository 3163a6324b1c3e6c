/* Our HttpsSyncClient against a Python HTTPS server (tests/ssl/https_py_server.py), for
 * tests/ssl_https.rs.
 *
 *   https_sync PORT CERTDIR
 *
 * With SSL_VM_PEER and ca.pem: GET https://localhost:PORT/hello, then a POST and a 300 KB POST
 * to /echo on the same connection (the server numbers its connections in X-Conn), the status,
 * headers and body read back; the server saw SNI "localhost". Trusting other-ca.pem the OpenUrl
 * fails. An http:// URL on the HttpsSyncClient, and an https:// URL on a plain HttpSyncClient,
 * fail with EPROTONOSUPPORT. Prints "https_sync: N passed, M failed". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "HPSocket4C-SSL.h"
#include "testutil.h"

static int header_is(HP_HttpSyncClient c, const char *name, const char *want)
{
    LPCSTR v = NULL;
    int ok = HP_HttpClient_GetHeader(c, name, &v) && v && strcmp(v, want) == 0;
    if (!ok) fprintf(stderr, "header %s: \"%s\", want \"%s\"\n", name, v ? v : "(none)", want);
    return ok;
}

static int body_is(HP_HttpSyncClient c, const void *want, int n)
{
    LPCBYTE b = NULL;
    int len = -1;
    if (!HP_HttpSyncClient_GetResponseBody(c, &b, &len)) { fprintf(stderr, "GetResponseBody failed\n"); return 0; }
    int ok = len == n && (n == 0 || (b && memcmp(b, want, (size_t)n) == 0));
    if (!ok) fprintf(stderr, "body of %d bytes \"%.*s\", want %d bytes\n", len, len > 80 ? 80 : (len > 0 ? len : 0), b ? (const char *)b : "", n);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 3) { fprintf(stderr, "usage: https_sync PORT CERTDIR\n"); return 2; }
    int port = atoi(argv[1]);
    char ca[4096], other[4096], url[256];
    snprintf(ca, sizeof ca, "%s/ca.pem", argv[2]);
    snprintf(other, sizeof other, "%s/other-ca.pem", argv[2]);

    /* 1. verifying the server against ca.pem */
    HP_HttpsSyncClient c = Create_HP_HttpsSyncClient(NULL);
    CHECK(c != NULL);
    HP_HttpSyncClient_SetConnectTimeout(c, 20000);
    HP_HttpSyncClient_SetRequestTimeout(c, 20000);
    CHECK(HP_SSLClient_SetupSSLContext(c, SSL_VM_PEER, NULL, NULL, NULL, ca));

    snprintf(url, sizeof url, "https://localhost:%d/hello", port);
    /* OpenUrl waits for the TLS handshake before it sends (as upstream's sync client waits for
       OnHandShake); the later OpenUrls reuse the connection. */
    CHECK(HP_HttpSyncClient_OpenUrl(c, "GET", url, NULL, 0, NULL, 0, FALSE));
    CHECK_EQ(HP_HttpClient_GetStatusCode(c), 200);
    CHECK(header_is(c, "Content-Type", "text/plain"));
    CHECK(header_is(c, "X-Method", "GET"));
    CHECK(header_is(c, "X-Conn", "1"));
    CHECK(header_is(c, "X-SNI", "localhost"));
    CHECK_EQ(HP_HttpClient_GetContentLength(c), 17);
    CHECK(body_is(c, "hello over https\n", 17));
    LPVOID v = NULL;
    CHECK(HP_SSLClient_GetSSLSessionInfo(c, SSL_SSI_VERSION, &v));
    CHECK(v && strncmp((const char *)v, "TLSv1", 5) == 0);
    printf("get ok %s\n", v ? (const char *)v : "(null)");

    snprintf(url, sizeof url, "https://localhost:%d/echo", port);
    THeader ct[] = {{"Content-Type", "text/x-sync"}};
    CHECK(HP_HttpSyncClient_OpenUrl(c, "POST", url, ct, 1, (const BYTE *)"sync post body", 14, FALSE));
    CHECK_EQ(HP_HttpClient_GetStatusCode(c), 200);
    CHECK(header_is(c, "Content-Type", "text/x-sync"));
    CHECK(header_is(c, "X-Method", "POST"));
    CHECK(header_is(c, "X-Conn", "1")); /* kept alive */
    CHECK(body_is(c, "sync post body", 14));

    enum { N = 300 * 1000 };
    static BYTE big[N];
    for (int i = 0; i < N; i++) big[i] = (BYTE)(i * 7 + i / 251);
    THeader bin[] = {{"Content-Type", "application/octet-stream"}};
    CHECK(HP_HttpSyncClient_OpenUrl(c, "POST", url, bin, 1, big, N, FALSE));
    CHECK_EQ(HP_HttpClient_GetStatusCode(c), 200);
    CHECK(header_is(c, "X-Conn", "1"));
    CHECK_EQ(HP_HttpClient_GetContentLength(c), N);
    CHECK(body_is(c, big, N));

    snprintf(url, sizeof url, "https://localhost:%d/missing", port);
    CHECK(HP_HttpSyncClient_OpenUrl(c, "GET", url, NULL, 0, NULL, 0, FALSE));
    CHECK_EQ(HP_HttpClient_GetStatusCode(c), 404);
    CHECK(body_is(c, "not found\n", 10));
    printf("post ok\n");

    /* 2. http:// on an HttpsSyncClient: EPROTONOSUPPORT */
    snprintf(url, sizeof url, "http://localhost:%d/hello", port);
    errno = 0;
    CHECK(!HP_HttpSyncClient_OpenUrl(c, "GET", url, NULL, 0, NULL, 0, FALSE));
    CHECK_EQ(errno, EPROTONOSUPPORT);
    printf("http:// refused: %s\n", strerror(errno));
    HP_Client_Stop(c);
    HP_Client_Wait(c, 20000);
    Destroy_HP_HttpsSyncClient(c);

    /* 3. https:// on a plain HttpSyncClient: EPROTONOSUPPORT */
    HP_HttpSyncClient plain = Create_HP_HttpSyncClient(NULL);
    snprintf(url, sizeof url, "https://localhost:%d/hello", port);
    errno = 0;
    CHECK(!HP_HttpSyncClient_OpenUrl(plain, "GET", url, NULL, 0, NULL, 0, FALSE));
    CHECK_EQ(errno, EPROTONOSUPPORT);
    Destroy_HP_HttpSyncClient(plain);

    /* 4. trusting another CA: the OpenUrl fails */
    c = Create_HP_HttpsSyncClient(NULL);
    HP_HttpSyncClient_SetConnectTimeout(c, 20000);
    HP_HttpSyncClient_SetRequestTimeout(c, 20000);
    CHECK(HP_SSLClient_SetupSSLContext(c, SSL_VM_PEER, NULL, NULL, NULL, other));
    errno = 0;
    CHECK(!HP_HttpSyncClient_OpenUrl(c, "GET", url, NULL, 0, NULL, 0, FALSE));
    printf("wrong CA refused: errno %d (%s)\n", errno, strerror(errno));
    CHECK(errno != 0);
    HP_Client_Stop(c);
    HP_Client_Wait(c, 20000);
    Destroy_HP_HttpsSyncClient(c);
    return t_finish("https_sync");
}
