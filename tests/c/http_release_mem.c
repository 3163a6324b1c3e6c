/* Release does not keep a connection alive: an HttpServer answering `Connection: close` requests
 * with Release and the longest ReleaseDelay (60 s) serves 3,000 connections, one after the other,
 * each closed by the client once it has the response. Every connection must end (OnClose) when
 * the client closes it, not 60 s later, and the process's memory must stay flat (a connection
 * kept until its release time holds its message and buffers: about 6 KiB each, 18 MB in all). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "HPSocket4C.h"
#include "testutil.h"

#define CONNS 3000

static volatile long closes;
static En_HP_HttpParseResult __HP_CALL on_complete(HP_HttpServer s, HP_CONNID id) {
    static const char body[] = "hello";
    THeader h = { "Content-Type", "text/plain" };
    HP_HttpServer_SendResponse(s, id, 200, "OK", &h, 1, (const BYTE *)body, 5);
    if (!HP_HttpServer_IsKeepAlive(s, id)) HP_HttpServer_Release(s, id);
    return HPR_OK;
}
static En_HP_HandleResult __HP_CALL on_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int err) {
    (void)s; (void)id; (void)op; (void)err;
    __atomic_add_fetch(&closes, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}

static long rss_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256]; long kb = -1;
    while (f && fgets(line, sizeof line, f)) if (sscanf(line, "VmRSS: %ld", &kb) == 1) break;
    if (f) fclose(f);
    return kb;
}

/* One request on a new connection; the response is read whole, then the client closes. */
static int one_request(USHORT port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { close(fd); return 0; }
    static const char req[] = "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    if (write(fd, req, sizeof req - 1) != (ssize_t)(sizeof req - 1)) { close(fd); return 0; }
    char buf[1024]; size_t got = 0;
    while (got < sizeof buf - 1) {
        ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
        if (n <= 0) break;
        got += (size_t)n;
        buf[got] = 0;
        if (strstr(buf, "\r\n\r\nhello")) break;
    }
    close(fd);
    return strstr(buf, "200 OK") != NULL && strstr(buf, "\r\n\r\nhello") != NULL;
}

int main(void) {
    HP_HttpServerListener l = Create_HP_HttpServerListener();
    HP_Set_FN_HttpServer_OnMessageComplete(l, on_complete);
    HP_Set_FN_HttpServer_OnClose(l, on_close);
    HP_HttpServer s = Create_HP_HttpServer(l);
    HP_Server_SetWorkerThreadCount(s, 2);
    HP_HttpServer_SetReleaseDelay(s, 60 * 1000);
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    TCHAR addr[64]; int len = sizeof addr; USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(s, addr, &len, &port));

    /* warm-up: the first connections' allocations (worker buffers, tables) */
    long ok = 0;
    for (int i = 0; i < 200; i++) ok += one_request(port);
    CHECK(wait_for(&closes, 200, 10000));
    long before = rss_kb();
    for (int i = 0; i < CONNS; i++) ok += one_request(port);
    CHECK_EQ(ok, 200 + CONNS);
    /* every connection ends when its client closes it, long before its 60 s release time */
    CHECK(wait_for(&closes, 200 + CONNS, 20000));
    CHECK_EQ(HP_Server_GetConnectionCount(s), 0);
    long after = rss_kb();
    printf("RSS %ld kB -> %ld kB over %d released connections\n", before, after, CONNS);
    CHECK(before > 0 && after - before < 6 * 1024);

    CHECK(HP_Server_Stop(s));
    Destroy_HP_HttpServer(s);
    Destroy_HP_HttpServerListener(l);
    return t_finish("http_release_mem");
}
