/* Tiny assertion helpers shared by the C tests. */
#ifndef HP_TESTUTIL_H
#define HP_TESTUTIL_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int t_passed, t_failed;
#define CHECK(cond) do { if (cond) t_passed++; else { t_failed++; fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_EQ(a, b) do { long long _a = (long long)(a), _b = (long long)(b); if (_a == _b) t_passed++; else { t_failed++; fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s (%lld vs %lld)\n", __FILE__, __LINE__, #a, #b, _a, _b); } } while (0)

static inline void sleep_ms(int ms) { struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L }; nanosleep(&ts, NULL); }

/* Waits up to ms for *flag (read atomically) to reach at least want. */
static inline int wait_for(volatile long *flag, long want, int ms) {
    for (int i = 0; i < ms; i++) { if (__atomic_load_n(flag, __ATOMIC_SEQ_CST) >= want) return 1; sleep_ms(1); }
    return __atomic_load_n(flag, __ATOMIC_SEQ_CST) >= want;
}

static inline int t_finish(const char *name) {
    printf("%s: %d passed, %d failed\n", name, t_passed, t_failed);
    return t_failed == 0 ? 0 : 1;
}
#endif
