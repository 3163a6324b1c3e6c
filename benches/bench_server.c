/* The benchmark's echo server over the C API: a TcpServer (PUSH, echoing from OnReceive) or a
 * TcpPackServer (-m pack). Loads the library given on the command line.
 *
 *   bench_server <lib.so> <port> [-w workers] [-m push|pack|bcast]
 *
 * bcast: a TcpServer that echoes nothing; a message "B <rounds> <size>" on any connection makes
 * one thread of the server send <rounds> messages of <size> bytes to every connection, round by
 * round (HP_Server_GetAllConnectionIDs, then HP_Server_Send to each).
 * Prints "READY <pid>" once listening; runs until stdin closes. */
#include <pthread.h>
#include <unistd.h>
#include "bench_common.h"

static B (*ServerSend)(H, CONNID, const unsigned char *, int);
static B (*GetAllIds)(H, CONNID *, unsigned *);
static int bcast;
struct Job { H s; int rounds, size; };
static void *broadcaster(void *arg);
static int on_receive(H s, CONNID id, const unsigned char *p, int n)
{
    if (bcast) {
        static int started;
        int rounds = 0, size = 0;
        char cmd[64];
        int k = n < (int)sizeof cmd - 1 ? n : (int)sizeof cmd - 1;
        memcpy(cmd, p, (size_t)k);
        cmd[k] = 0;
        if (!started && sscanf(cmd, "B %d %d", &rounds, &size) == 2 && rounds > 0 && size > 0) {
            started = 1;
            struct Job *job = malloc(sizeof *job);
            job->s = s; job->rounds = rounds; job->size = size;
            pthread_t t;
            pthread_create(&t, NULL, broadcaster, job);
            pthread_detach(t);
        }
        (void)id;
        return 0;
    }
    return ServerSend(s, id, p, n) ? 0 : 2;
}

static void *broadcaster(void *arg)
{
    struct Job *job = arg;
    unsigned count = 0;
    GetAllIds(job->s, NULL, &count);
    CONNID *ids = malloc(sizeof(CONNID) * (count + 1));
    if (!GetAllIds(job->s, ids, &count)) { fprintf(stderr, "GetAllConnectionIDs failed\n"); exit(1); }
    unsigned char *msg = calloc(1, (size_t)job->size);
    for (int r = 0; r < job->rounds; r++)
        for (unsigned i = 0; i < count; i++)
            while (!ServerSend(job->s, ids[i], msg, job->size)) usleep(20);
    free(msg);
    free(ids);
    free(job);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3) { fprintf(stderr, "usage: bench_server lib.so port [-w workers] [-m push|pack]\n"); return 2; }
    open_lib(argv[1]);
    int port = atoi(argv[2]), workers = 0, pack = 0;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-w")) workers = atoi(argv[i + 1]);
        if (!strcmp(argv[i], "-m")) pack = !strcmp(argv[i + 1], "pack"), bcast = !strcmp(argv[i + 1], "bcast");
    }
    H (*CreateListener)(void) = (H (*)(void))sym(pack ? "Create_HP_TcpPackServerListener" : "Create_HP_TcpServerListener");
    H (*Create)(H) = (H (*)(H))sym(pack ? "Create_HP_TcpPackServer" : "Create_HP_TcpServer");
    void (*SetReceive)(H, FnReceive) = (void (*)(H, FnReceive))sym("HP_Set_FN_Server_OnReceive");
    void (*SetWorkers)(H, unsigned) = (void (*)(H, unsigned))sym("HP_Server_SetWorkerThreadCount");
    void (*SetMaxConn)(H, unsigned) = (void (*)(H, unsigned))sym("HP_Server_SetMaxConnectionCount");
    B (*Start)(H, const char *, unsigned short) = (B (*)(H, const char *, unsigned short))sym("HP_Server_Start");
    B (*Stop)(H) = (B (*)(H))sym("HP_Server_Stop");
    ServerSend = (B (*)(H, CONNID, const unsigned char *, int))sym("HP_Server_Send");
    GetAllIds = (B (*)(H, CONNID *, unsigned *))sym("HP_Server_GetAllConnectionIDs");

    H l = CreateListener();
    SetReceive(l, on_receive);
    H s = Create(l);
    if (workers > 0) SetWorkers(s, (unsigned)workers);
    SetMaxConn(s, 100000);
    if (pack) ((void (*)(H, unsigned))sym("HP_TcpPackServer_SetMaxPackSize"))(s, 0x3FFFFF);
    if (!Start(s, "127.0.0.1", (unsigned short)port)) { fprintf(stderr, "start failed\n"); return 1; }
    printf("READY %d\n", (int)getpid());
    fflush(stdout);
    char buf[64];
    while (fgets(buf, sizeof buf, stdin)) {}
    Stop(s);
    return 0;
}
