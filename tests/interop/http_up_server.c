/* An HttpServer over a library loaded at run time (upstream's 5.1.1, PyPI hpsocket==0.9.3), for
 * tests/http_client_interop.rs: our HttpClient and HttpSyncClient request from it.
 *
 *   http_up_server <lib.so> <port>   prints "LISTEN", serves until stdin closes, then stops and
 *                                    prints "accepted=N requests=N closed=N errors=N"
 *
 * Answers:  GET /get      200, "hello from upstream", Content-Type text/plain
 *           * /echo       200, the request's body (any method; GET with a body too)
 *           GET /chunked  200, Transfer-Encoding: chunked, "hello" ", world" in two chunks
 *           anything else 404
 * Only calls whose signatures are the same in 5.1.1 and 6.0.7 are used; BOOL results are read
 * as one byte (5.1.1 was built with C++ bool). */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef _Bool PBOOL;
typedef unsigned long CONNID;
typedef void *H;
typedef struct { const char *name; const char *value; } NV;
typedef int (*FnAccept)(H, CONNID, uintptr_t);
typedef int (*FnClose)(H, CONNID, int, int);
typedef int (*FnId)(H, CONNID);
typedef int (*FnLine)(H, CONNID, const char *, const char *);
typedef int (*FnBody)(H, CONNID, const unsigned char *, int);
typedef int (*FnError)(H, CONNID, int, const char *);

static struct {
    H (*CreateListener)(void);
    H (*Create)(H);
    void (*Destroy)(H);
    void (*DestroyListener)(H);
    void (*SetAccept)(H, FnAccept);
    void (*SetClose)(H, FnClose);
    void (*SetMessageBegin)(H, FnId);
    void (*SetRequestLine)(H, FnLine);
    void (*SetBody)(H, FnBody);
    void (*SetMessageComplete)(H, FnId);
    void (*SetParseError)(H, FnError);
    PBOOL (*Start)(H, const char *, unsigned short);
    PBOOL (*Stop)(H);
    PBOOL (*SendResponse)(H, CONNID, unsigned short, const char *, const NV *, int, const unsigned char *, int);
} api;

static void *lib;
static void load(void **slot, const char *name) {
    *slot = dlsym(lib, name);
    if (!*slot) { fprintf(stderr, "missing symbol %s\n", name); exit(3); }
}
#define LOAD(field, name) load((void **)&api.field, name)

static volatile long accepted, requests, closed, errors;
static void add(volatile long *p) { __atomic_add_fetch(p, 1, __ATOMIC_SEQ_CST); }

/* Per-connection request state (a test has a few connections, one request at a time each). */
#define SLOTS 64
static struct {
    char method[16];
    char url[256];
    unsigned char body[1 << 16];
    int len;
} st[SLOTS];

static int on_accept(H s, CONNID id, uintptr_t so) { (void)s; (void)id; (void)so; add(&accepted); return 0; }
static int on_close(H s, CONNID id, int op, int err) { (void)s; (void)id; (void)op; (void)err; add(&closed); return 0; }
static int on_begin(H s, CONNID id) { (void)s; st[id % SLOTS].len = 0; return 0; }
static int on_line(H s, CONNID id, const char *method, const char *url) {
    (void)s;
    snprintf(st[id % SLOTS].method, sizeof st[0].method, "%s", method);
    snprintf(st[id % SLOTS].url, sizeof st[0].url, "%s", url);
    return 0;
}
static int on_body(H s, CONNID id, const unsigned char *p, int n) {
    (void)s;
    int at = st[id % SLOTS].len;
    if (at + n > (int)sizeof st[0].body) return -1;
    memcpy(st[id % SLOTS].body + at, p, (size_t)n);
    st[id % SLOTS].len = at + n;
    return 0;
}
static int on_error(H s, CONNID id, int code, const char *desc) {
    (void)s; (void)id;
    fprintf(stderr, "upstream server: parse error %d %s\n", code, desc ? desc : "");
    add(&errors);
    return 0;
}
static int on_complete(H s, CONNID id) {
    add(&requests);
    const char *url = st[id % SLOTS].url;
    PBOOL ok;
    if (strcmp(url, "/get") == 0) {
        NV h[] = { { "Content-Type", "text/plain" } };
        const char *b = "hello from upstream";
        ok = api.SendResponse(s, id, 200, "OK", h, 1, (const unsigned char *)b, (int)strlen(b));
    } else if (strcmp(url, "/echo") == 0) {
        NV h[] = { { "X-Method", st[id % SLOTS].method } };
        ok = api.SendResponse(s, id, 200, "OK", h, 1, st[id % SLOTS].body, st[id % SLOTS].len);
    } else if (strcmp(url, "/chunked") == 0) {
        /* 5.1.1 has no SendChunkData: the chunks go as the body of a response whose
         * Transfer-Encoding keeps upstream from adding a Content-Length */
        NV h[] = { { "Transfer-Encoding", "chunked" } };
        const char *b = "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n";
        ok = api.SendResponse(s, id, 200, "OK", h, 1, (const unsigned char *)b, (int)strlen(b));
    } else {
        ok = api.SendResponse(s, id, 404, NULL, NULL, 0, (const unsigned char *)"", 0);
    }
    if (!ok) add(&errors);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: http_up_server LIB PORT\n"); return 2; }
    lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 3; }
    LOAD(CreateListener, "Create_HP_HttpServerListener");
    LOAD(Create, "Create_HP_HttpServer");
    LOAD(Destroy, "Destroy_HP_HttpServer");
    LOAD(DestroyListener, "Destroy_HP_HttpServerListener");
    LOAD(SetAccept, "HP_Set_FN_HttpServer_OnAccept");
    LOAD(SetClose, "HP_Set_FN_HttpServer_OnClose");
    LOAD(SetMessageBegin, "HP_Set_FN_HttpServer_OnMessageBegin");
    LOAD(SetRequestLine, "HP_Set_FN_HttpServer_OnRequestLine");
    LOAD(SetBody, "HP_Set_FN_HttpServer_OnBody");
    LOAD(SetMessageComplete, "HP_Set_FN_HttpServer_OnMessageComplete");
    LOAD(SetParseError, "HP_Set_FN_HttpServer_OnParseError");
    LOAD(Start, "HP_Server_Start");
    LOAD(Stop, "HP_Server_Stop");
    LOAD(SendResponse, "HP_HttpServer_SendResponse");

    H l = api.CreateListener();
    api.SetAccept(l, on_accept);
    api.SetClose(l, on_close);
    api.SetMessageBegin(l, on_begin);
    api.SetRequestLine(l, on_line);
    api.SetBody(l, on_body);
    api.SetMessageComplete(l, on_complete);
    api.SetParseError(l, on_error);
    H s = api.Create(l);
    if (!api.Start(s, "127.0.0.1", (unsigned short)atoi(argv[2]))) { fprintf(stderr, "start failed\n"); return 4; }
    printf("LISTEN\n");
    fflush(stdout);
    char buf[64];
    while (read(0, buf, sizeof buf) > 0) {}
    /* let the clients' connections close first (see tests/interop_tcp.rs on 5.1.1's Stop) */
    for (int i = 0; i < 200 && __atomic_load_n(&closed, __ATOMIC_SEQ_CST) < __atomic_load_n(&accepted, __ATOMIC_SEQ_CST); i++) usleep(10000);
    printf("accepted=%ld requests=%ld closed=%ld errors=%ld\n", accepted, requests, closed, errors);
    fflush(stdout);
    api.Stop(s);
    api.Destroy(s);
    api.DestroyListener(l);
    return 0;
}
