/* A TcpServer in a process out of file descriptors keeps serving once they free up.
 * Run by tests/faults.rs, which makes the connections from another process:
 *   this program prints "port N"; then, on stdin, "agent" (the peer holds 150 connections:
 *   an agent's connect must fail with EMFILE), then "quit" (the peer has closed them all and
 *   checked that a new connection is echoed). */
#include <errno.h>
#include <sys/resource.h>
#include "HPSocket4C.h"
#include "testutil.h"

static En_HP_HandleResult __HP_CALL on_receive(HP_Server s, HP_CONNID id, const BYTE *data, int len) {
    return HP_Server_Send(s, id, data, len) ? HR_OK : HR_ERROR;
}

int main(void) {
    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnReceive(sl, on_receive);
    HP_TcpServer srv = Create_HP_TcpServer(sl);
    HP_Server_SetWorkerThreadCount(srv, 2);
    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_TcpAgent agt = Create_HP_TcpAgent(al);
    HP_Agent_SetWorkerThreadCount(agt, 1);
    CHECK(HP_Agent_Start(agt, NULL, FALSE));

    struct rlimit rl;
    CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    rl.rlim_cur = 64;
    CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);

    CHECK(HP_Server_Start(srv, "127.0.0.1", 0));
    TCHAR addr[64]; int alen = sizeof(addr); USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(srv, addr, &alen, &port));
    printf("port %u\n", port);
    fflush(stdout);

    char line[64];
    while (fgets(line, sizeof(line), stdin)) {
        if (strncmp(line, "agent", 5) == 0) {
            /* The server takes descriptors as connections arrive: once it has taken them all,
             * a new socket cannot be made. */
            int refused = 0, err = 0;
            for (int i = 0; i < 200 && !refused; i++) {
                HP_CONNID cid = 0;
                errno = 0;
                if (!HP_Agent_Connect(agt, "127.0.0.1", port, &cid)) {
                    err = errno;
                    refused = 1;
                } else {
                    sleep_ms(20);
                }
            }
            CHECK(refused);
            CHECK_EQ(err, EMFILE);
            printf("agent refused errno %d\n", err);
            fflush(stdout);
        } else if (strncmp(line, "quit", 4) == 0) {
            break;
        }
    }
    CHECK(HP_Agent_Stop(agt));
    CHECK(HP_Server_Stop(srv));
    Destroy_HP_TcpAgent(agt);
    Destroy_HP_TcpServer(srv);
    Destroy_HP_TcpAgentListener(al);
    Destroy_HP_TcpServerListener(sl);
    return t_finish("fault_fd_limit");
}
