/* udp_node_chat: a chat over UdpNode, connectionless UDP with the sender's address in every
 * callback.
 *
 *   usage: udp_node_chat <port> <peer-host> <peer-port>   each stdin line goes to the peer;
 *                                                        what arrives is printed with its sender
 *          udp_node_chat demo [port]                     two nodes (alice, bob) in this process
 *                                                        chat on ports port and port+1
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "HPSocket4C.h"

static volatile long g_heard;

static En_HP_HandleResult __HP_CALL OnReceive(HP_UdpNode node, LPCTSTR addr, USHORT port, const BYTE *data, int len)
{
    TCHAR me[64];
    int n = sizeof(me);
    USHORT my_port = 0;
    HP_UdpNode_GetLocalAddress(node, me, &n, &my_port);
    printf("[%u] %s:%u says: %.*s\n", my_port, addr, port, len, (const char *)data);
    __atomic_add_fetch(&g_heard, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}

static HP_UdpNode start_node(HP_UdpNodeListener listener, USHORT port)
{
    HP_UdpNode node = Create_HP_UdpNode(listener);
    if (!HP_UdpNode_Start(node, "127.0.0.1", port)) {
        fprintf(stderr, "node on port %u: %s\n", port, HP_UdpNode_GetLastErrorDesc(node));
        exit(1);
    }
    return node;
}

static int demo(HP_UdpNodeListener listener, USHORT port)
{
    HP_UdpNode alice = start_node(listener, port), bob = start_node(listener, (USHORT)(port + 1));
    const char *lines[][2] = {{"alice", "hello bob"}, {"bob", "hi alice"}, {"alice", "bye"}};
    for (int i = 0; i < 3; i++) {
        int from_alice = strcmp(lines[i][0], "alice") == 0;
        HP_UdpNode from = from_alice ? alice : bob;
        USHORT to = from_alice ? (USHORT)(port + 1) : port;
        HP_UdpNode_Send(from, "127.0.0.1", to, (const BYTE *)lines[i][1], (int)strlen(lines[i][1]));
        for (int ms = 0; ms < 2000 && g_heard <= i; ms++) usleep(1000);
    }
    int ok = g_heard == 3;
    HP_UdpNode_Stop(alice);
    HP_UdpNode_Stop(bob);
    Destroy_HP_UdpNode(alice);
    Destroy_HP_UdpNode(bob);
    printf("[chat] %s\n", ok ? "OK" : "FAILED");
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    HP_UdpNodeListener listener = Create_HP_UdpNodeListener();
    HP_Set_FN_UdpNode_OnReceive(listener, OnReceive);
    int rc;
    if (argc >= 2 && strcmp(argv[1], "demo") == 0) {
        rc = demo(listener, (USHORT)(argc > 2 ? atoi(argv[2]) : 5560));
    } else if (argc >= 4) {
        HP_UdpNode node = start_node(listener, (USHORT)atoi(argv[1]));
        const char *peer = argv[2];
        USHORT peer_port = (USHORT)atoi(argv[3]);
        char line[1024];
        while (fgets(line, sizeof line, stdin)) {
            size_t n = strcspn(line, "\n");
            if (n > 0) HP_UdpNode_Send(node, peer, peer_port, (const BYTE *)line, (int)n);
        }
        HP_UdpNode_Stop(node);
        Destroy_HP_UdpNode(node);
        rc = 0;
    } else {
        fprintf(stderr, "usage: udp_node_chat <port> <peer-host> <peer-port> | udp_node_chat demo [port]\n");
        rc = 2;
    }
    Destroy_HP_UdpNodeListener(listener);
    return rc;
}
