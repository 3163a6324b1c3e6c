/* A hello-world HttpServer over the C API, loaded with dlopen so that the same program runs over
 * our library and upstream's (for wrk):
 *
 *   http_hello <lib.so> <port> [workers]
 *
 * Answers every request with 200 and "hello, world\n" (keep-alive as the request asks; a request
 * that does not keep the connection alive is released). Prints "READY" once listening; runs until
 * stdin closes. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef void *H;
typedef unsigned long long ID;
typedef struct { const char *name; const char *value; } NV;

static int (*SendResponse)(H, ID, unsigned short, const char *, const NV *, int, const unsigned char *, int);
static int (*IsKeepAlive)(H, ID);
static int (*Release)(H, ID);

static void *sym(void *lib, const char *name) {
    void *p = dlsym(lib, name);
    if (!p) { fprintf(stderr, "missing %s\n", name); exit(2); }
    return p;
}

static int on_complete(H s, ID id) {
    static const unsigned char body[] = "hello, world\n";
    static const NV headers[] = { { "Content-Type", "text/plain" } };
    SendResponse(s, id, 200, "OK", headers, 1, body, (int)sizeof body - 1);
    if (!IsKeepAlive(s, id)) Release(s, id);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: http_hello lib.so port [workers]\n"); return 2; }
    void *lib = dlopen(argv[1], RTLD_NOW);
    if (!lib) { fprintf(stderr, "%s\n", dlerror()); return 2; }
    SendResponse = sym(lib, "HP_HttpServer_SendResponse");
    IsKeepAlive = sym(lib, "HP_HttpServer_IsKeepAlive");
    Release = sym(lib, "HP_HttpServer_Release");
    H (*CreateListener)(void) = sym(lib, "Create_HP_HttpServerListener");
    H (*Create)(H) = sym(lib, "Create_HP_HttpServer");
    void (*SetComplete)(H, int (*)(H, ID)) = sym(lib, "HP_Set_FN_HttpServer_OnMessageComplete");
    void (*SetWorkers)(H, unsigned) = sym(lib, "HP_Server_SetWorkerThreadCount");
    int (*Start)(H, const char *, unsigned short) = sym(lib, "HP_Server_Start");
    int (*Stop)(H) = sym(lib, "HP_Server_Stop");
    H l = CreateListener();
    SetComplete(l, on_complete);
    H s = Create(l);
    if (argc > 3) SetWorkers(s, (unsigned)atoi(argv[3]));
    if (!Start(s, "127.0.0.1", (unsigned short)atoi(argv[2]))) { fprintf(stderr, "start failed\n"); return 1; }
    printf("READY\n");
    fflush(stdout);
    char buf[64];
    while (read(0, buf, sizeof buf) > 0) {}
    Stop(s);
    return 0;
}
