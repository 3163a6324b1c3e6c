/* Shared by the benchmark programs: load an HPSocket4C library at run time, so one binary runs
 * over our library and over upstream's 5.1.1 library. Only calls whose signatures are the same
 * in both are used; BOOL results are read as one byte (5.1.1 returns a C++ bool, ours an int
 * 0/1, whose low byte is the same). */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef _Bool B;
typedef unsigned long CONNID;
typedef void *H;
typedef int (*FnAccept)(H, CONNID, uintptr_t);
typedef int (*FnConnect)(H, CONNID);
typedef int (*FnReceive)(H, CONNID, const unsigned char *, int);
typedef int (*FnClose)(H, CONNID, int, int);

/* /proc/PID/<file> opened for reading, or NULL. */
static inline FILE *proc_open(int pid, const char *file)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", pid, file);
    return fopen(path, "r");
}

/* User + system CPU seconds of process `pid` so far, from /proc/PID/stat (-1 if unreadable). */
static inline double cpu_s(int pid)
{
    char line[1024];
    FILE *f = proc_open(pid, "stat");
    if (!f) return -1;
    double r = -1;
    if (fgets(line, sizeof line, f)) {
        char *p = strrchr(line, ')');
        unsigned long ut = 0, st = 0;
        /* fields after the command: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
        if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) == 2)
            r = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
    }
    fclose(f);
    return r;
}

static void *bench_lib;
static inline void *sym(const char *name)
{
    void *p = dlsym(bench_lib, name);
    if (!p) { fprintf(stderr, "missing symbol %s\n", name); exit(3); }
    return p;
}
static inline void open_lib(const char *path)
{
    bench_lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!bench_lib) { fprintf(stderr, "dlopen %s: %s\n", path, dlerror()); exit(3); }
}
static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
static inline long rss_kb(int pid)
{
    char line[256];
    FILE *f = proc_open(pid, "status");
    if (!f) return -1;
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) break;
    fclose(f);
    return kb;
}
#endif
