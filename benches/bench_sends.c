/* Small sends from application threads: one TcpAgent (PUSH, default send policy) holds -c
 * connections to an echo server; -t pthreads each call HP_Agent_Send as fast as they can,
 * round-robin over the connections, -n messages of -s bytes each. OnReceive counts the echoed
 * bytes; the run ends when all t*n*s bytes are back. Loads the library given on the command line.
 *
 *   bench_sends <lib.so> <port> -t threads -n messages_per_thread -s bytes [-c conns] [-p server_pid]
 *
 * A send that returns FALSE is retried after a short sleep (counted); more than 1e6 failed sends
 * in all, a closed connection, or 120 s without every echo, and it exits non-zero.
 * Prints "RESULT mode=sends threads=T messages=N bytes=S msgs_per_s=X seconds=Y retries=R"
 * (with -p also "server_cpu_s=Z": the server's user+system CPU seconds over the run). */
#include <pthread.h>
#include <unistd.h>
#include "bench_common.h"

#define MAX_RETRIES 1000000L
#define TIMEOUT_S 120.0

static B (*AgentSend)(H, CONNID, const unsigned char *, int);
static int n_threads = 1, n_msgs = 1000, size = 100, n_conns = 20;
static unsigned char *payload;
static CONNID *conn_ids;
static long total_bytes;
static volatile long received, retries, connected, closed, aborted, go;
static double t_end; /* written once by the OnReceive that completes the run, before `done` */
static volatile long done;

static int on_receive(H sender, CONNID id, const unsigned char *p, int n)
{
    (void)sender; (void)id; (void)p;
    long after = __atomic_add_fetch(&received, (long)n, __ATOMIC_SEQ_CST);
    if (after >= total_bytes && after - n < total_bytes) {
        t_end = now_s();
        __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
    }
    return 0;
}
static int on_connect(H sender, CONNID id) { (void)sender; (void)id; __atomic_add_fetch(&connected, 1, __ATOMIC_SEQ_CST); return 0; }
static int on_close(H sender, CONNID id, int op, int err) { (void)sender; (void)id; (void)op; (void)err; __atomic_add_fetch(&closed, 1, __ATOMIC_SEQ_CST); return 0; }

static H agent;
static void *sender_thread(void *arg)
{
    long k = (long)arg;
    while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE)) usleep(50);
    int c = (int)(k % n_conns); /* threads start on different connections */
    for (int j = 0; j < n_msgs; j++) {
        while (!AgentSend(agent, conn_ids[c], payload, size)) {
            long r = __atomic_add_fetch(&retries, 1, __ATOMIC_RELAXED);
            if (r > MAX_RETRIES || __atomic_load_n(&aborted, __ATOMIC_RELAXED) || closed) {
                __atomic_store_n(&aborted, 1, __ATOMIC_SEQ_CST);
                return NULL;
            }
            usleep(20);
        }
        if (++c == n_conns) c = 0;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_sends lib.so port -t threads -n messages_per_thread -s bytes [-c conns] [-p server_pid]\n");
        return 2;
    }
    open_lib(argv[1]);
    int port = atoi(argv[2]), server_pid = 0;
    for (int i = 3; i + 1 < argc; i += 2) {
        const char *o = argv[i], *v = argv[i + 1];
        if (!strcmp(o, "-t")) n_threads = atoi(v);
        else if (!strcmp(o, "-n")) n_msgs = atoi(v);
        else if (!strcmp(o, "-s")) size = atoi(v);
        else if (!strcmp(o, "-c")) n_conns = atoi(v);
        else if (!strcmp(o, "-p")) server_pid = atoi(v);
        else { fprintf(stderr, "unknown option %s\n", o); return 2; }
    }
    if (n_threads < 1 || n_msgs < 1 || size < 1 || n_conns < 1) { fprintf(stderr, "-t -n -s -c must be positive\n"); return 2; }
    total_bytes = (long)n_threads * n_msgs * size;
    payload = (unsigned char *)malloc((size_t)size);
    for (int i = 0; i < size; i++) payload[i] = (unsigned char)('a' + i % 26);
    conn_ids = (CONNID *)calloc((size_t)n_conns, sizeof(CONNID));

    H listener = ((H (*)(void))sym("Create_HP_TcpAgentListener"))();
    ((void (*)(H, FnReceive))sym("HP_Set_FN_Agent_OnReceive"))(listener, on_receive);
    ((void (*)(H, FnConnect))sym("HP_Set_FN_Agent_OnConnect"))(listener, on_connect);
    ((void (*)(H, FnClose))sym("HP_Set_FN_Agent_OnClose"))(listener, on_close);
    agent = ((H (*)(H))sym("Create_HP_TcpAgent"))(listener);
    AgentSend = (B (*)(H, CONNID, const unsigned char *, int))sym("HP_Agent_Send");
    B (*Start)(H, const char *, B) = (B (*)(H, const char *, B))sym("HP_Agent_Start");
    B (*Stop)(H) = (B (*)(H))sym("HP_Agent_Stop");
    B (*Connect)(H, const char *, unsigned short, CONNID *) = (B (*)(H, const char *, unsigned short, CONNID *))sym("HP_Agent_Connect");
    void (*Destroy)(H) = (void (*)(H))sym("Destroy_HP_TcpAgent");
    void (*DestroyListener)(H) = (void (*)(H))sym("Destroy_HP_TcpAgentListener");

    if (!Start(agent, NULL, 0)) { fprintf(stderr, "agent start failed\n"); return 1; }
    double t_conn = now_s();
    for (int i = 0; i < n_conns; i++)
        if (!Connect(agent, "127.0.0.1", (unsigned short)port, &conn_ids[i])) { fprintf(stderr, "connect %d failed\n", i); return 1; }
    while (connected < n_conns && closed == 0 && now_s() - t_conn < 30) usleep(1000);
    if (connected < n_conns) { fprintf(stderr, "only %ld of %d connected (%ld closed)\n", connected, n_conns, closed); return 1; }

    pthread_t *th = (pthread_t *)calloc((size_t)n_threads, sizeof(pthread_t));
    for (long k = 0; k < n_threads; k++)
        if (pthread_create(&th[k], NULL, sender_thread, (void *)k)) { fprintf(stderr, "pthread_create failed\n"); return 1; }
    usleep(10 * 1000); /* let every thread reach the start line */
    double cpu0 = server_pid ? cpu_s(server_pid) : -1;
    double t0 = now_s();
    __atomic_store_n(&go, 1, __ATOMIC_RELEASE);

    while (!__atomic_load_n(&done, __ATOMIC_ACQUIRE) && !aborted && closed == 0 && now_s() - t0 < TIMEOUT_S) usleep(200);
    double cpu1 = server_pid ? cpu_s(server_pid) : -1;
    if (!__atomic_load_n(&done, __ATOMIC_ACQUIRE)) {
        fprintf(stderr, "%s: %ld of %ld bytes echoed after %.1f s, %ld failed sends, %ld connections closed\n",
                aborted ? "aborted" : closed ? "connection closed" : "timeout", (long)received, total_bytes,
                now_s() - t0, (long)retries, (long)closed);
        fflush(stderr);
        _exit(1);
    }
    for (int k = 0; k < n_threads; k++) pthread_join(th[k], NULL);
    double secs = t_end - t0;
    printf("RESULT mode=sends threads=%d messages=%d bytes=%d msgs_per_s=%.0f seconds=%.3f retries=%ld",
           n_threads, n_msgs, size, (double)n_threads * n_msgs / secs, secs, (long)retries);
    if (server_pid) printf(" server_cpu_s=%.2f", cpu1 - cpu0);
    printf("\n");
    fflush(stdout);

    Stop(agent);
    Destroy(agent);
    DestroyListener(listener);
    return 0;
}
