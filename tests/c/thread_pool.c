/* The thread pool: thousands of tasks, each rejected policy, Stop with tasks queued,
 * AdjustThreadCount up and down while busy, socket tasks, listener events, bad arguments. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "HPSocket4C.h"
#include "testutil.h"

static volatile long n_startup, n_shutdown, n_tstart, n_tend, n_done, gate;
static void __HP_CALL on_startup(HP_ThreadPool p) { (void)p; __atomic_add_fetch(&n_startup, 1, __ATOMIC_SEQ_CST); }
static void __HP_CALL on_shutdown(HP_ThreadPool p) { (void)p; __atomic_add_fetch(&n_shutdown, 1, __ATOMIC_SEQ_CST); }
static void __HP_CALL on_tstart(HP_ThreadPool p, THR_ID t) { (void)p; (void)t; __atomic_add_fetch(&n_tstart, 1, __ATOMIC_SEQ_CST); }
static void __HP_CALL on_tend(HP_ThreadPool p, THR_ID t) { (void)p; (void)t; __atomic_add_fetch(&n_tend, 1, __ATOMIC_SEQ_CST); }

static void __HP_CALL count_task(PVOID arg) { (void)arg; __atomic_add_fetch(&n_done, 1, __ATOMIC_SEQ_CST); }
/* blocks until the gate opens */
static void __HP_CALL gate_task(PVOID arg) {
    (void)arg;
    while (!__atomic_load_n(&gate, __ATOMIC_SEQ_CST)) sleep_ms(1);
    __atomic_add_fetch(&n_done, 1, __ATOMIC_SEQ_CST);
}
static volatile pthread_t ran_on;
static void __HP_CALL where_task(PVOID arg) { (void)arg; ran_on = pthread_self(); }

static volatile long task_ok;
static void __HP_CALL socket_task(TSocketTask *t) {
    if (t->sender == (PVOID)0x55 && t->connID == 9 && t->bufLen == 5 && memcmp(t->buf, "hello", 5) == 0 && t->wparam == 1 && t->lparam == 2)
        __atomic_add_fetch(&task_ok, 1, __ATOMIC_SEQ_CST);
}

static void *open_gate_later(void *arg) { (void)arg; sleep_ms(100); gate = 1; return NULL; }

int main(void) {
    HP_ThreadPoolListener l = Create_HP_ThreadPoolListener();
    HP_Set_FN_ThreadPool_OnStartup(l, on_startup);
    HP_Set_FN_ThreadPool_OnShutdown(l, on_shutdown);
    HP_Set_FN_ThreadPool_OnWorkerThreadStart(l, on_tstart);
    HP_Set_FN_ThreadPool_OnWorkerThreadEnd(l, on_tend);
    HP_ThreadPool p = Create_HP_ThreadPool(l);
    CHECK(p != NULL);
    CHECK_EQ(HP_ThreadPool_GetState(p), SS_STOPPED);
    CHECK(!HP_ThreadPool_Submit(p, count_task, NULL, 0)); /* not started */

    /* thousands of tasks; Stop waits for all of them */
    CHECK(HP_ThreadPool_Start(p, 4, 0, TRP_CALL_FAIL, 0));
    CHECK(!HP_ThreadPool_Start(p, 4, 0, TRP_CALL_FAIL, 0));
    CHECK(HP_ThreadPool_HasStarted(p));
    CHECK_EQ(HP_ThreadPool_GetThreadCount(p), 4);
    CHECK_EQ(n_startup, 1);
    for (int i = 0; i < 5000; i++) CHECK(HP_ThreadPool_Submit(p, count_task, NULL, 0));
    CHECK(HP_ThreadPool_Stop(p, (DWORD)-1));
    CHECK_EQ(n_done, 5000);
    CHECK(HP_ThreadPool_Wait(p, 5000));
    CHECK_EQ(HP_ThreadPool_GetState(p), SS_STOPPED);
    CHECK_EQ(n_tstart, 4); CHECK_EQ(n_tend, 4); CHECK_EQ(n_shutdown, 1);
    CHECK(!HP_ThreadPool_Submit(p, count_task, NULL, 0)); /* stopped */
    CHECK(!HP_ThreadPool_Stop(p, 0));

    /* TRP_CALL_FAIL: one busy thread, queue of 2 */
    gate = 0; n_done = 0;
    CHECK(HP_ThreadPool_Start(p, 1, 2, TRP_CALL_FAIL, 0));
    CHECK_EQ(HP_ThreadPool_GetMaxQueueSize(p), 2);
    CHECK_EQ(HP_ThreadPool_GetRejectedPolicy(p), TRP_CALL_FAIL);
    CHECK(HP_ThreadPool_Submit(p, gate_task, NULL, 0));
    for (int i = 0; i < 100 && HP_ThreadPool_GetQueueSize(p) > 0; i++) sleep_ms(1); /* the worker took it */
    CHECK(HP_ThreadPool_Submit(p, count_task, NULL, 0));
    CHECK(HP_ThreadPool_Submit(p, count_task, NULL, 0));
    CHECK_EQ(HP_ThreadPool_GetQueueSize(p), 2);
    CHECK_EQ(HP_ThreadPool_GetTaskCount(p), 3);
    errno = 0;
    CHECK(!HP_ThreadPool_Submit(p, count_task, NULL, 0));
    CHECK_EQ(errno, EAGAIN);
    gate = 1;
    CHECK(HP_ThreadPool_Stop(p, (DWORD)-1));
    CHECK_EQ(n_done, 3);

    /* TRP_WAIT_FOR: a timeout, then a wait that the gate ends */
    gate = 0; n_done = 0;
    CHECK(HP_ThreadPool_Start(p, 1, 1, TRP_WAIT_FOR, 0));
    CHECK(HP_ThreadPool_Submit(p, gate_task, NULL, 0));
    for (int i = 0; i < 100 && HP_ThreadPool_GetQueueSize(p) > 0; i++) sleep_ms(1);
    CHECK(HP_ThreadPool_Submit(p, count_task, NULL, 0));
    errno = 0;
    CHECK(!HP_ThreadPool_Submit(p, count_task, NULL, 50));
    CHECK_EQ(errno, ETIMEDOUT);
    pthread_t opener;
    pthread_create(&opener, NULL, open_gate_later, NULL);
    CHECK(HP_ThreadPool_Submit(p, count_task, NULL, (DWORD)-1));
    pthread_join(opener, NULL);
    CHECK(HP_ThreadPool_Stop(p, (DWORD)-1));
    CHECK_EQ(n_done, 3);

    /* TRP_CALLER_RUN: a full queue runs the task in the caller's thread */
    gate = 0; n_done = 0;
    CHECK(HP_ThreadPool_Start(p, 1, 1, TRP_CALLER_RUN, 0));
    CHECK(HP_ThreadPool_Submit(p, gate_task, NULL, 0));
    for (int i = 0; i < 100 && HP_ThreadPool_GetQueueSize(p) > 0; i++) sleep_ms(1);
    CHECK(HP_ThreadPool_Submit(p, count_task, NULL, 0));
    CHECK(HP_ThreadPool_Submit(p, where_task, NULL, 0));
    CHECK(pthread_equal(ran_on, pthread_self()));
    gate = 1;
    CHECK(HP_ThreadPool_Stop(p, (DWORD)-1));

    /* Stop with tasks queued and a short wait: what is left is dropped, the pool stops */
    gate = 0; n_done = 0;
    CHECK(HP_ThreadPool_Start(p, 1, 0, TRP_CALL_FAIL, 0));
    CHECK(HP_ThreadPool_Submit(p, gate_task, NULL, 0));
    for (int i = 0; i < 10; i++) CHECK(HP_ThreadPool_Submit(p, count_task, NULL, 0));
    errno = 0;
    CHECK(!HP_ThreadPool_Stop(p, 50));
    CHECK_EQ(errno, ETIMEDOUT);
    CHECK_EQ(HP_ThreadPool_GetState(p), SS_STOPPED);
    CHECK_EQ(HP_ThreadPool_GetQueueSize(p), 0);
    gate = 1;
    CHECK(HP_ThreadPool_Wait(p, 5000));
    CHECK_EQ(n_done, 1); /* only the running one finished */

    /* AdjustThreadCount up and down while busy */
    gate = 0; n_done = 0;
    CHECK(HP_ThreadPool_Start(p, 2, 0, TRP_CALL_FAIL, 0));
    for (int i = 0; i < 6; i++) CHECK(HP_ThreadPool_Submit(p, gate_task, NULL, 0));
    CHECK(HP_ThreadPool_AdjustThreadCount(p, 6));
    CHECK_EQ(HP_ThreadPool_GetThreadCount(p), 6);
    for (int i = 0; i < 200 && HP_ThreadPool_GetQueueSize(p) > 0; i++) sleep_ms(1);
    CHECK_EQ(HP_ThreadPool_GetTaskCount(p), 6); /* all six running at once */
    CHECK(HP_ThreadPool_AdjustThreadCount(p, 1));
    gate = 1;
    for (int i = 0; i < 500 && HP_ThreadPool_GetThreadCount(p) != 1; i++) sleep_ms(2);
    CHECK_EQ(HP_ThreadPool_GetThreadCount(p), 1);
    for (int i = 0; i < 1000; i++) CHECK(HP_ThreadPool_Submit(p, count_task, NULL, 0));
    CHECK(HP_ThreadPool_Stop(p, (DWORD)-1));
    CHECK_EQ(n_done, 1006);

    /* socket tasks: run, then destroyed by the pool */
    CHECK(HP_ThreadPool_Start(p, 0, 0, TRP_CALL_FAIL, 0));
    CHECK(HP_ThreadPool_GetThreadCount(p) >= 4);
    for (int i = 0; i < 100; i++) {
        LPTSocketTask t = Create_HP_SocketTaskObj(socket_task, (PVOID)0x55, 9, (const BYTE *)"hello", 5, TBT_COPY, 1, 2);
        CHECK(HP_ThreadPool_Submit_Task(p, t, 0));
    }
    BYTE *attached = SYS_Malloc(5);
    memcpy(attached, "hello", 5);
    CHECK(HP_ThreadPool_Submit_Task(p, Create_HP_SocketTaskObj(socket_task, (PVOID)0x55, 9, attached, 5, TBT_ATTACH, 1, 2), 0));
    CHECK(HP_ThreadPool_Submit_Task(p, Create_HP_SocketTaskObj(socket_task, (PVOID)0x55, 9, (const BYTE *)"hello", 5, TBT_REFER, 1, 2), 0));
    CHECK(HP_ThreadPool_Stop(p, (DWORD)-1));
    CHECK_EQ(task_ok, 102);
    LPTSocketTask lone = Create_HP_SocketTaskObj(socket_task, NULL, 1, NULL, 0, TBT_COPY, 0, 0);
    CHECK(lone != NULL);
    Destroy_HP_SocketTaskObj(lone);
    CHECK(Create_HP_SocketTaskObj(NULL, NULL, 1, NULL, 0, TBT_COPY, 0, 0) == NULL);
    CHECK(Create_HP_SocketTaskObj(socket_task, NULL, 1, NULL, 0, (En_HP_TaskBufferType)5, 0, 0) == NULL);

    /* bad arguments */
    CHECK(!HP_ThreadPool_Start(p, 1, 0, (En_HP_RejectedPolicy)9, 0));
    CHECK(!HP_ThreadPool_Start(NULL, 1, 0, TRP_CALL_FAIL, 0));
    CHECK(!HP_ThreadPool_Submit(NULL, count_task, NULL, 0));
    CHECK(!HP_ThreadPool_Submit_Task(p, NULL, 0));
    CHECK(!HP_ThreadPool_AdjustThreadCount(p, 3)); /* stopped */
    CHECK_EQ(HP_ThreadPool_GetThreadCount(NULL), 0);
    /* The listener is optional, as upstream's: a pool without one runs tasks, no callbacks. */
    {
        HP_ThreadPool bare = Create_HP_ThreadPool(NULL);
        CHECK(bare != NULL);
        int before = __atomic_load_n(&n_done, __ATOMIC_SEQ_CST);
        CHECK(HP_ThreadPool_Start(bare, 2, 0, TRP_CALL_FAIL, 0));
        for (int i = 0; i < 50; i++) CHECK(HP_ThreadPool_Submit(bare, count_task, NULL, 0));
        CHECK(HP_ThreadPool_Stop(bare, (DWORD)-1));
        CHECK_EQ(__atomic_load_n(&n_done, __ATOMIC_SEQ_CST) - before, 50);
        Destroy_HP_ThreadPool(bare);
    }
    /* A listener destroyed before its pool: the pool keeps its own reference. */
    {
        HP_ThreadPoolListener l2 = Create_HP_ThreadPoolListener();
        HP_ThreadPool p2 = Create_HP_ThreadPool(l2);
        Destroy_HP_ThreadPoolListener(l2);
        CHECK(HP_ThreadPool_Start(p2, 1, 0, TRP_CALL_FAIL, 0));
        CHECK(HP_ThreadPool_Stop(p2, (DWORD)-1));
        Destroy_HP_ThreadPool(p2);
    }
    Destroy_HP_ThreadPool(NULL);
    Destroy_HP_SocketTaskObj(NULL);

    /* Destroy while running stops it first */
    CHECK(HP_ThreadPool_Start(p, 2, 0, TRP_CALL_FAIL, 0));
    for (int i = 0; i < 100; i++) HP_ThreadPool_Submit(p, count_task, NULL, 0);
    Destroy_HP_ThreadPool(p);
    Destroy_HP_ThreadPoolListener(l);
    return t_finish("thread_pool");
}
