/* HttpSyncClient: fetches a URL and prints the status line, the headers and the body.
 *   http_sync_client http://127.0.0.1:8080/path [METHOD [BODY]] [-n COUNT]
 * With -n the request is repeated COUNT times over the one kept-alive connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "HPSocket4C.h"

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s URL [METHOD [BODY]] [-n COUNT]\n", argv[0]);
        return 2;
    }
    const char *url = argv[1], *method = "GET", *body = NULL;
    int count = 1, pos = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) count = atoi(argv[++i]);
        else if (pos == 0) { method = argv[i]; pos++; }
        else if (pos == 1) { body = argv[i]; pos++; }
    }
    /* No listener: the sync client needs no callbacks. */
    HP_HttpSyncClient c = Create_HP_HttpSyncClient(NULL);
    HP_HttpSyncClient_SetRequestTimeout(c, 5000);
    int rc = 0;
    for (int n = 0; n < count; n++) {
        if (!HP_HttpSyncClient_OpenUrl(c, method, url, NULL, 0, (const BYTE *)body, body ? (int)strlen(body) : 0, FALSE)) {
            fprintf(stderr, "request failed: %s\n", SYS_GetLastErrorStr());
            rc = 1;
            break;
        }
        if (n + 1 < count) continue;
        USHORT v = HP_HttpClient_GetVersion(c);
        printf("HTTP/%d.%d %d\n", v & 0xFF, v >> 8, HP_HttpClient_GetStatusCode(c));
        DWORD nh = 0;
        HP_HttpClient_GetAllHeaders(c, NULL, &nh); /* asks how many */
        THeader *hs = calloc(nh ? nh : 1, sizeof *hs);
        if (hs && HP_HttpClient_GetAllHeaders(c, hs, &nh))
            for (DWORD i = 0; i < nh; i++) printf("%s: %s\n", hs[i].name, hs[i].value);
        free(hs);
        LPCBYTE data = NULL;
        int len = 0;
        HP_HttpSyncClient_GetResponseBody(c, &data, &len);
        printf("\n%.*s", len, data ? (const char *)data : "");
        if (len && data[len - 1] != '\n') printf("\n");
    }
    Destroy_HP_HttpSyncClient(c);
    return rc;
}
