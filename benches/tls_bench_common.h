/* Shared by the TLS benchmark servers over our C API (https_hello.c, tls_echo_server.c): the
 * library is loaded with dlopen (as the other benchmark programs do), its functions typed from
 * include/HPSocket4C-SSL.h with __typeof__, so a call with the wrong arguments does not compile.
 * The servers run until SIGTERM or SIGINT (blocked before the library starts its threads, so
 * they inherit the mask and main takes the signal with sigwait). */
#ifndef TLS_BENCH_COMMON_H
#define TLS_BENCH_COMMON_H
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "HPSocket4C-SSL.h"

static void *tls_bench_lib;
static inline void *tls_bench_sym(const char *name)
{
    void *p = dlsym(tls_bench_lib, name);
    if (!p) { fprintf(stderr, "missing symbol %s\n", name); exit(3); }
    return p;
}
/* FN(name) declares `static __typeof__(name) *p_name`; LOAD(name) fills it from the library */
#define FN(name) static __typeof__(name) *p_##name
#define LOAD(name) (p_##name = (__typeof__(name) *)tls_bench_sym(#name))

static inline void tls_bench_open(const char *path)
{
    tls_bench_lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!tls_bench_lib) { fprintf(stderr, "dlopen %s: %s\n", path, dlerror()); exit(3); }
}

static sigset_t tls_bench_sigs;
static inline void tls_bench_block_signals(void)
{
    sigemptyset(&tls_bench_sigs);
    sigaddset(&tls_bench_sigs, SIGTERM);
    sigaddset(&tls_bench_sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &tls_bench_sigs, NULL);
}
static inline void tls_bench_wait_signal(void)
{
    int sig;
    sigwait(&tls_bench_sigs, &sig);
}
#endif
