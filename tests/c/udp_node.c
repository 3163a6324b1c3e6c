/* UdpNode: unicast between two nodes (IPv4, IPv6, dual stack), every send form, OnSend, the
 * datagram size limit both ways, multicast on loopback, options, Stop inside a callback. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "HPSocket4C.h"
#include "testutil.h"

static volatile long b_recv, b_bytes, b_err, b_err_code, a_sent, a_recv, shutdowns, stop_in_cb;
static char b_from[64];
static USHORT b_from_port;
static BYTE b_last[2000];
static int b_last_len;
static HP_UdpNode g_a, g_b;

static En_HP_HandleResult __HP_CALL on_recv(HP_UdpNode n, LPCTSTR addr, USHORT port, const BYTE *p, int len) {
    if (n == g_b) {
        snprintf(b_from, sizeof b_from, "%s", addr);
        b_from_port = port;
        memcpy(b_last, p, (size_t)len);
        b_last_len = len;
        __atomic_add_fetch(&b_bytes, len, __ATOMIC_SEQ_CST);
        __atomic_add_fetch(&b_recv, 1, __ATOMIC_SEQ_CST);
        if (len == 4 && memcmp(p, "stop", 4) == 0) { HP_UdpNode_Stop(n); stop_in_cb = 1; }
        else HP_UdpNode_Send(n, addr, port, p, len); /* echo */
    } else {
        __atomic_add_fetch(&a_recv, 1, __ATOMIC_SEQ_CST);
    }
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_send(HP_UdpNode n, LPCTSTR addr, USHORT port, const BYTE *p, int len) {
    (void)addr; (void)port; (void)p;
    if (n == g_a) __atomic_add_fetch(&a_sent, len, __ATOMIC_SEQ_CST);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_error(HP_UdpNode n, En_HP_SocketOperation op, int code, LPCTSTR addr, USHORT port, const BYTE *p, int len) {
    (void)n; (void)addr; (void)port; (void)p; (void)len;
    if (op == SO_RECEIVE) { b_err_code = code; __atomic_add_fetch(&b_err, 1, __ATOMIC_SEQ_CST); }
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_shutdown(HP_UdpNode n) { (void)n; __atomic_add_fetch(&shutdowns, 1, __ATOMIC_SEQ_CST); return HR_OK; }

static USHORT local_port(HP_UdpNode n) {
    TCHAR addr[64]; int len = sizeof addr; USHORT port = 0;
    CHECK(HP_UdpNode_GetLocalAddress(n, addr, &len, &port));
    return port;
}

int main(void) {
    HP_UdpNodeListener l = Create_HP_UdpNodeListener();
    HP_Set_FN_UdpNode_OnReceive(l, on_recv);
    HP_Set_FN_UdpNode_OnSend(l, on_send);
    HP_Set_FN_UdpNode_OnError(l, on_error);
    HP_Set_FN_UdpNode_OnShutdown(l, on_shutdown);
    g_a = Create_HP_UdpNode(l);
    g_b = Create_HP_UdpNode(l);

    /* defaults (upstream's) and setters */
    CHECK_EQ(HP_UdpNode_GetMaxDatagramSize(g_a), 1432);
    CHECK_EQ(HP_UdpNode_GetReuseAddressPolicy(g_a), RAP_ADDR_ONLY);
    CHECK_EQ(HP_UdpNode_GetMultiCastTtl(g_a), 1);
    CHECK(!HP_UdpNode_IsMultiCastLoop(g_a));
    CHECK(HP_UdpNode_IsDualStack(g_a));
    CHECK_EQ(HP_UdpNode_GetPostReceiveCount(g_a), 64);
    CHECK_EQ(HP_UdpNode_GetFreeBufferPoolSize(g_a), 1024);
    CHECK_EQ(HP_UdpNode_GetFreeBufferPoolHold(g_a), 1024);
    CHECK(HP_UdpNode_GetWorkerThreadCount(g_a) >= 4);
    HP_UdpNode_SetWorkerThreadCount(g_a, 2); CHECK_EQ(HP_UdpNode_GetWorkerThreadCount(g_a), 2);
    HP_UdpNode_SetPostReceiveCount(g_a, 8); CHECK_EQ(HP_UdpNode_GetPostReceiveCount(g_a), 8);
    HP_UdpNode_SetFreeBufferPoolSize(g_a, 5); CHECK_EQ(HP_UdpNode_GetFreeBufferPoolSize(g_a), 5);
    HP_UdpNode_SetFreeBufferPoolHold(g_a, 6); CHECK_EQ(HP_UdpNode_GetFreeBufferPoolHold(g_a), 6);
    HP_UdpNode_SetReuseAddressPolicy(g_a, RAP_NONE); CHECK_EQ(HP_UdpNode_GetReuseAddressPolicy(g_a), RAP_NONE);
    HP_UdpNode_SetExtra(g_a, (PVOID)0x77); CHECK(HP_UdpNode_GetExtra(g_a) == (PVOID)0x77);
    HP_UdpNode_SetMaxDatagramSize(g_b, 100);
    CHECK_EQ(HP_UdpNode_GetState(g_a), SS_STOPPED);

    /* unicast */
    CHECK(HP_UdpNode_Start(g_a, "127.0.0.1", 0));
    CHECK(HP_UdpNode_Start(g_b, "127.0.0.1", 0));
    CHECK(!HP_UdpNode_Start(g_b, "127.0.0.1", 0));
    CHECK_EQ(HP_UdpNode_GetLastError(g_b), SE_ILLEGAL_STATE);
    CHECK(HP_UdpNode_HasStarted(g_a));
    HP_UdpNode_SetMaxDatagramSize(g_a, 5); CHECK_EQ(HP_UdpNode_GetMaxDatagramSize(g_a), 1432); /* frozen */
    USHORT pa = local_port(g_a), pb = local_port(g_b);
    CHECK(pa > 0 && pb > 0);
    CHECK(HP_UdpNode_Send(g_a, "127.0.0.1", pb, (const BYTE *)"hello", 5));
    CHECK(wait_for(&b_recv, 1, 5000));
    CHECK(strcmp(b_from, "127.0.0.1") == 0); CHECK_EQ(b_from_port, pa);
    CHECK(b_last_len == 5 && memcmp(b_last, "hello", 5) == 0);
    CHECK(wait_for(&a_recv, 1, 5000)); /* the echo */
    CHECK(HP_UdpNode_SendPart(g_a, "127.0.0.1", pb, (const BYTE *)"0123456789", 4, 3));
    CHECK(wait_for(&b_recv, 2, 5000));
    CHECK(b_last_len == 4 && memcmp(b_last, "3456", 4) == 0);
    WSABUF bufs[3] = { { 2, (BYTE *)"ab" }, { 3, (BYTE *)"cde" }, { 1, (BYTE *)"f" } };
    CHECK(HP_UdpNode_SendPackets(g_a, "127.0.0.1", pb, bufs, 3));
    CHECK(wait_for(&b_recv, 3, 5000));
    CHECK(b_last_len == 6 && memcmp(b_last, "abcdef", 6) == 0); /* one datagram */
    CHECK(wait_for(&a_sent, 15, 5000));
    int pending = -1;
    CHECK(HP_UdpNode_GetPendingDataLength(g_a, &pending)); CHECK_EQ(pending, 0);
    /* a datagram over our limit is refused; one over the receiver's limit is an error there */
    BYTE big[1500]; memset(big, 'x', sizeof big);
    errno = 0;
    CHECK(!HP_UdpNode_Send(g_a, "127.0.0.1", pb, big, 1433));
    CHECK_EQ(errno, EINVAL); /* as upstream: ERROR_INVALID_PARAMETER */
    CHECK(HP_UdpNode_Send(g_a, "127.0.0.1", pb, big, 200));
    CHECK(wait_for(&b_err, 1, 5000));
    CHECK_EQ(b_err_code, EMSGSIZE);
    CHECK(!HP_UdpNode_Send(g_a, "not-an-ip", pb, big, 1));
    CHECK(!HP_UdpNode_SendCast(g_a, big, 1)); /* no cast address on a unicast node */
    CHECK_EQ(HP_UdpNode_GetCastMode(g_a), CM_UNICAST);
    /* Stop inside OnReceive */
    CHECK(HP_UdpNode_Send(g_a, "127.0.0.1", pb, (const BYTE *)"stop", 4));
    CHECK(wait_for(&stop_in_cb, 1, 5000));
    CHECK(HP_UdpNode_Wait(g_b, 5000));
    CHECK_EQ(HP_UdpNode_GetState(g_b), SS_STOPPED);
    CHECK(HP_UdpNode_Stop(g_a));
    CHECK_EQ(shutdowns, 2);
    CHECK(!HP_UdpNode_Stop(g_a));

    /* IPv6, and a dual-stack node on "::" reached over IPv4 */
    b_recv = 0;
    HP_UdpNode_SetMaxDatagramSize(g_b, 1432);
    CHECK(HP_UdpNode_Start(g_a, "::1", 0));
    CHECK(HP_UdpNode_Start(g_b, "::", 0));
    pb = local_port(g_b);
    CHECK(HP_UdpNode_Send(g_a, "::1", pb, (const BYTE *)"v6", 2));
    CHECK(wait_for(&b_recv, 1, 5000));
    CHECK(strcmp(b_from, "::1") == 0);
    CHECK(HP_UdpNode_Stop(g_a));
    CHECK(HP_UdpNode_Start(g_a, "127.0.0.1", 0));
    CHECK(HP_UdpNode_Send(g_a, "127.0.0.1", pb, (const BYTE *)"v4", 2));
    CHECK(wait_for(&b_recv, 2, 5000));
    CHECK(strcmp(b_from, "127.0.0.1") == 0);
    CHECK(HP_UdpNode_Stop(g_a));
    CHECK(HP_UdpNode_Stop(g_b));

    /* multicast on loopback: two nodes in one group on one port */
    HP_UdpNode_SetReuseAddressPolicy(g_a, RAP_ADDR_AND_PORT);
    HP_UdpNode_SetReuseAddressPolicy(g_b, RAP_ADDR_AND_PORT);
    HP_UdpNode_SetMultiCastLoop(g_a, TRUE); HP_UdpNode_SetMultiCastLoop(g_b, TRUE);
    HP_UdpNode_SetMultiCastTtl(g_a, 2); CHECK_EQ(HP_UdpNode_GetMultiCastTtl(g_a), 2);
    int mc = HP_UdpNode_StartWithCast(g_b, "0.0.0.0", 0, CM_MULTICAST, "239.255.77.1");
    int mc_errno = errno;
    if (!mc && (mc_errno == ENODEV || mc_errno == ENETUNREACH || mc_errno == EADDRNOTAVAIL)) {
        /* a host without a multicast route cannot join a group: say so, test the rest */
        printf("SKIPPED multicast: no multicast route on this host (errno %d)\n", mc_errno);
    } else if (!mc) {
        CHECK(mc);
    } else {
    USHORT mp = local_port(g_b);
    if (HP_UdpNode_StartWithCast(g_a, "0.0.0.0", mp, CM_MULTICAST, "239.255.77.1")) {
        CHECK_EQ(HP_UdpNode_GetCastMode(g_a), CM_MULTICAST);
        TCHAR ca[64]; int cl = sizeof ca; USHORT cp = 0;
        CHECK(HP_UdpNode_GetCastAddress(g_a, ca, &cl, &cp));
        CHECK(strcmp(ca, "239.255.77.1") == 0); CHECK_EQ(cp, mp);
        b_recv = 0;
        CHECK(HP_UdpNode_SendCast(g_a, (const BYTE *)"group", 5));
        CHECK(wait_for(&b_recv, 1, 5000));
        CHECK(b_last_len == 5 && memcmp(b_last, "group", 5) == 0);
        WSABUF cb[2] = { { 2, (BYTE *)"gr" }, { 3, (BYTE *)"oup" } };
        CHECK(HP_UdpNode_SendCastPackets(g_a, cb, 2));
        CHECK(HP_UdpNode_SendCastPart(g_a, (const BYTE *)"xxgroup", 5, 2));
        CHECK(wait_for(&b_recv, 3, 5000));
        CHECK(HP_UdpNode_Stop(g_a));
    } else {
        fprintf(stderr, "note: multicast join failed here (%s)\n", HP_UdpNode_GetLastErrorDesc(g_a));
        CHECK(0);
    }
    CHECK(HP_UdpNode_Stop(g_b));
    }

    /* bad arguments */
    CHECK(!HP_UdpNode_StartWithCast(g_a, NULL, 0, CM_MULTICAST, "10.0.0.1")); /* not a group */
    CHECK(!HP_UdpNode_StartWithCast(g_a, NULL, 0, (En_HP_CastMode)7, NULL));
    CHECK(!HP_UdpNode_Send(g_a, "127.0.0.1", 1, NULL, 5));
    CHECK(!HP_UdpNode_SendPackets(g_a, "127.0.0.1", 1, NULL, 1));
    CHECK(Create_HP_UdpNode(NULL) == NULL);
    Destroy_HP_UdpNode(NULL);
    Destroy_HP_UdpNode(g_a);
    Destroy_HP_UdpNode(g_b);
    Destroy_HP_UdpNodeListener(l);
    return t_finish("udp_node");
}
