/* Drives the HP_HttpCookie_* functions of the library given on the command line (ours or
 * upstream's 5.1.1) so a test can compare the two:
 *   cookie_peer LIB hlp              results of the helpers for fixed inputs
 *   cookie_peer LIB rc               return values of the store's calls for a fixed sequence
 *   cookie_peer LIB save OUT         sets fixed cookies (Max-Age 1000000) and saves them
 *   cookie_peer LIB resave IN OUT    loads IN (no keep) and saves OUT
 *   cookie_peer LIB merge A B C OUT  loads A, then B keeping A's; saves OUT; reloads A and saves
 *                                    into C keeping C's other cookies
 *   cookie_peer LIB load FILE        the return value and errno of loading FILE
 * BOOL results are read as one byte (5.1.1's C++ bool; our int's low byte is the same). */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef _Bool B;
typedef long long T64;
static void *lib;
static void *sym(const char *n) { void *p = dlsym(lib, n); if (!p) { fprintf(stderr, "missing %s\n", n); exit(3); } return p; }

static B (*load)(const char *, B);
static B (*save)(const char *, B);
static B (*clear)(const char *, const char *);
static B (*expire)(const char *, const char *);
static B (*set)(const char *, const char *, const char *, const char *, int, B, B, int, B);
static B (*del)(const char *, const char *, const char *);
static void (*set3rd)(B);
static B (*is3rd)(void);
static B (*parse)(const char *, T64 *);
static B (*mkexp)(char *, int *, T64);
static B (*tostr)(char *, int *, const char *, const char *, const char *, const char *, int, B, B, int);
static T64 (*now)(void);
static T64 (*age2exp)(int);
static int (*exp2age)(T64);

static void hlp(void) {
    const char *texts[] = {
        "Wed, 21-Oct-2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:28:00 GMT", "Wednesday, 21-October-15 07:28:00 GMT",
        "x,21/oct/2015 7:28:0 UTC", "Wed,  21 - Oct - 2015   07:28:00   GMT", "Wed, 21-Oct-2015 07:28:00 +0800",
        "Wed, 21-Oct-2015 07:28:00 GMT-0130", "Wed, 21-Oct-2015 07:28:00 +08:00", "Wed, 21-Oct-2015 07:28:00 UTC+12345",
        "Thu, 01-Jan-70 00:00:05 GMT", "Sat, 01-Jan-100 00:00:00 GMT", "Fri, 01-Jan-99 00:00:00 GMT", "Sat, 01-Jan-00 00:00:00 GMT",
        "Wed, 32-Oct-2015 07:28:00 GMT", "Wed, 21-Oct-2015 07:28:60 GMT", "Wed, 21-Oct-2015 99:99:99 GMT", "Wed, 0-Mar-2016 00:00:00 GMT",
        "Tue, 29-Feb-2000 00:00:00 GMT", "Thu, 29-Feb-2024 12:00:00 GMT", "Mon, 01-Mar-2100 00:00:00 GMT", "Tue, 19-Jan-2038 03:14:07 GMT",
        "Tue, 19-Jan-2038 03:14:08 GMT", "Fri, 31-Dec-9999 23:59:59 GMT", "Wed, +5-Oct-2015 07:28:00 GMT", "Wed, 21-OCTOBER-2015 07:28:00 GMT",
        "", "Wed, 21-Oct-2015 07:28:00", "Wed, 21-Oct-2015 07:28 GMT", ", 21-Oct-2015 07:28:00 GMT", "Wed 21-Oct-2015 07:28:00 GMT",
        "Wed, 21-Xyz-2015 07:28:00 GMT", "Wed, 21-Oc-2015 07:28:00 GMT", "Wed, 21-Oct-1969 07:28:00 GMT", "Thu, 01-Jan-1970 00:00:00 +0100",
        "Wed, 21-Septembers-2015 07:28:00 GMT", "Wed, 21-Oct-2015 07 :28:00 GMT", "Wednesday, 21-October-2015 07:28:00 GMT+000000000",
        "Wed, x1-Oct-2015 07:28:00 GMT", "Wed, 21-Oct-x015 07:28:00 GMT", "Wed, 21-Oct-2015 07:28:xx GMT",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        T64 t = -12345;
        /* Upstream reads the zone with "%8c" into a buffer it never terminates, so what follows a
         * short zone is whatever the previous call left on the stack: a zone of 8 bytes with no
         * sign first makes that the same for every input. */
        parse("Wed, 21-Oct-2015 07:28:00 ZZZZZZZZ", &t);
        B ok = parse(texts[i], &t);
        printf("parse %zu \"%s\" rc=%d t=%lld\n", i, texts[i], ok, ok ? t : 0LL);
    }
    T64 times[] = {0, 1, -5, 59, 86399, 951782400, 1445412480, 2147483647, 2147483648LL, 4107542400LL, 253402300799LL, 253402300800LL, 1000000000000LL};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        char buf[64];
        int len = sizeof buf;
        B ok = mkexp(buf, &len, times[i]);
        printf("mkexp %lld rc=%d len=%d \"%s\"\n", times[i], ok, len, ok ? buf : "");
    }
    {
        char buf[64];
        int len = 29;
        B ok = mkexp(buf, &len, 1445412480);
        printf("mkexp small rc=%d len=%d\n", ok, len);
        len = 0;
        ok = mkexp(NULL, &len, 1445412480);
        printf("mkexp null rc=%d len=%d\n", ok, len);
    }
    struct { const char *n, *v, *d, *p; int age; B h, s; int ss; } args[] = {
        {"sid", "abc", ".Example.COM", "/app/page", 0, 1, 1, 2}, {"n", "", NULL, NULL, -1, 0, 0, 1},
        {"n", NULL, NULL, NULL, -1, 0, 0, 0}, {"n", "v", "...", "nodir", -1, 0, 0, 0},
        {"n", "v", "a.b.c", "x/y/z", -1, 0, 1, 0}, {"n", "v", "", "", -5, 1, 0, 2}, {"n", "v", "h", "/", 0, 0, 0, 1},
        {"name with space", "value with space", "H", "//", -1, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof args / sizeof args[0]; i++) {
        char buf[256];
        int len = sizeof buf;
        B ok = tostr(buf, &len, args[i].n, args[i].v, args[i].d, args[i].p, args[i].age, args[i].h, args[i].s, args[i].ss);
        printf("tostr %zu rc=%d len=%d \"%s\"\n", i, ok, len, ok ? buf : "");
    }
    {
        char buf[8];
        int len = 3;
        B ok = tostr(buf, &len, "n", "v", NULL, NULL, -1, 0, 0, 0);
        printf("tostr small rc=%d len=%d\n", ok, len);
        len = 0;
        ok = tostr(NULL, &len, "n", "v", NULL, NULL, -1, 0, 0, 0);
        printf("tostr null rc=%d len=%d\n", ok, len);
    }
    int ages[] = {0, -1, -100};
    for (size_t i = 0; i < sizeof ages / sizeof ages[0]; i++) printf("age2exp %d = %lld\n", ages[i], age2exp(ages[i]));
    T64 t0 = now();
    T64 e = age2exp(500);
    T64 t1 = now();
    printf("age2exp 500 in range: %d\n", e >= t0 + 500 && e <= t1 + 500);
    T64 exps[] = {-1, -100, 0, 1000};
    for (size_t i = 0; i < sizeof exps / sizeof exps[0]; i++) printf("exp2age %lld = %d\n", exps[i], exp2age(exps[i]));
    t0 = now();
    int left = exp2age(t0 + 500);
    t1 = now();
    printf("exp2age now+500 in range: %d\n", left <= 500 && left >= 500 - (t1 - t0));
    printf("third party default %d\n", is3rd());
    set3rd(0);
    printf("third party off %d\n", is3rd());
    set3rd(1);
    printf("third party on %d\n", is3rd());
}

static void rc(void) {
    printf("clear all %d\n", clear(NULL, NULL));
    printf("set ok %d\n", set("a", "1", "a.com", "/", 60, 0, 0, 0, 1));
    printf("set session ok %d\n", set("s", "1", "a.com", "/p/", -1, 0, 0, 0, 1));
    printf("set update %d\n", set("a", "2", "a.com", "/", -1, 0, 0, 0, 1));
    printf("set replace %d\n", set("a", "3", "a.com", "/", -1, 0, 0, 0, 0));
    printf("set null value %d\n", set("v", NULL, "a.com", "/", 60, 0, 0, 0, 1));
    printf("set expire present %d\n", set("a", "x", "a.com", "/", 0, 0, 0, 0, 1));
    printf("set expire absent %d\n", set("a", "x", "a.com", "/", 0, 0, 0, 0, 1));
    printf("set empty name %d\n", set("", "1", "a.com", "/", 60, 0, 0, 0, 1));
    printf("set empty domain %d\n", set("n", "1", "", "/", 60, 0, 0, 0, 1));
    printf("set dots domain %d\n", set("n", "1", "...", "/", 60, 0, 0, 0, 1));
    printf("set null domain %d\n", set("n", "1", NULL, "/", 60, 0, 0, 0, 1));
    printf("set nodir path %d\n", set("n", "1", "a.com", "nodir", 60, 0, 0, 0, 1));
    printf("set null path %d\n", set("n", "1", "a.com", NULL, 60, 0, 0, 0, 1));
    printf("set file path %d\n", set("f", "1", "A.COM", "/p/file", 60, 0, 0, 0, 1));
    printf("delete present %d\n", del("a.com", "/p/x", "f"));
    printf("delete absent %d\n", del("a.com", "/p/", "f"));
    printf("delete empty name %d\n", del("a.com", "/p/", ""));
    printf("delete bad domain %d\n", del("...", "/p/", "s"));
    printf("clear bad domain %d\n", clear("...", NULL));
    printf("clear bad path %d\n", clear(NULL, "nodir"));
    printf("clear domain %d\n", clear("a.com", NULL));
    printf("clear path %d\n", clear(NULL, "/"));
    printf("clear both %d\n", clear("a.com", "/p/"));
    printf("expire all %d\n", expire(NULL, NULL));
    printf("expire scoped %d\n", expire("a.com", "/"));
    printf("expire bad domain %d\n", expire("...", NULL));
    printf("expire bad path %d\n", expire(NULL, "nodir"));
}

static void do_save(const char *out) {
    clear(NULL, NULL);
    T64 t0 = now();
    set("a", "1", ".Example.com", "/", 1000000, 1, 0, 2, 1);
    set("empty", "", "example.com", "/x/y", 1000000, 0, 1, 1, 1);
    set("b", "two words", "www.example.com", "/p/q", 1000000, 0, 0, 0, 1);
    set("c", "3", "www.example.com", "/p/", 1000000, 1, 1, 0, 1);
    set("session", "s", "example.com", "/", -1, 0, 0, 0, 1);
    set("gone", "g", "example.com", "/", 1000000, 0, 0, 0, 1);
    set("gone", "g", "example.com", "/", 0, 0, 0, 0, 1);
    set("upd", "old", "example.com", "/", 1000000, 0, 0, 0, 1);
    set("upd", "new", "example.com", "/", -1, 0, 0, 0, 1);
    T64 t1 = now();
    printf("save rc=%d t0=%lld t1=%lld\n", save(out, 0), t0, t1);
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) { fprintf(stderr, "%s\n", dlerror()); return 3; }
    load = (B (*)(const char *, B))sym("HP_HttpCookie_MGR_LoadFromFile");
    save = (B (*)(const char *, B))sym("HP_HttpCookie_MGR_SaveToFile");
    clear = (B (*)(const char *, const char *))sym("HP_HttpCookie_MGR_ClearCookies");
    expire = (B (*)(const char *, const char *))sym("HP_HttpCookie_MGR_RemoveExpiredCookies");
    set = (B (*)(const char *, const char *, const char *, const char *, int, B, B, int, B))sym("HP_HttpCookie_MGR_SetCookie");
    del = (B (*)(const char *, const char *, const char *))sym("HP_HttpCookie_MGR_DeleteCookie");
    set3rd = (void (*)(B))sym("HP_HttpCookie_MGR_SetEnableThirdPartyCookie");
    is3rd = (B (*)(void))sym("HP_HttpCookie_MGR_IsEnableThirdPartyCookie");
    parse = (B (*)(const char *, T64 *))sym("HP_HttpCookie_HLP_ParseExpires");
    mkexp = (B (*)(char *, int *, T64))sym("HP_HttpCookie_HLP_MakeExpiresStr");
    tostr = (B (*)(char *, int *, const char *, const char *, const char *, const char *, int, B, B, int))sym("HP_HttpCookie_HLP_ToString");
    now = (T64 (*)(void))sym("HP_HttpCookie_HLP_CurrentUTCTime");
    age2exp = (T64 (*)(int))sym("HP_HttpCookie_HLP_MaxAgeToExpires");
    exp2age = (int (*)(T64))sym("HP_HttpCookie_HLP_ExpiresToMaxAge");

    const char *cmd = argv[2];
    if (strcmp(cmd, "hlp") == 0) {
        hlp();
    } else if (strcmp(cmd, "rc") == 0) {
        rc();
    } else if (strcmp(cmd, "save") == 0 && argc == 4) {
        do_save(argv[3]);
    } else if (strcmp(cmd, "resave") == 0 && argc == 5) {
        B l = load(argv[3], 0);
        printf("load rc=%d save rc=%d\n", l, save(argv[4], 0));
    } else if (strcmp(cmd, "merge") == 0 && argc == 7) {
        B a = load(argv[3], 0);
        B b = load(argv[4], 1);
        B s = save(argv[6], 0);
        B a2 = load(argv[3], 0);
        printf("merge rc=%d%d%d%d keep-save rc=%d\n", a, b, s, a2, save(argv[5], 1));
    } else if (strcmp(cmd, "load") == 0 && argc == 4) {
        errno = 0;
        B l = load(argv[3], 1);
        printf("load rc=%d errno=%d\n", l, l ? 0 : errno);
    } else {
        return 2;
    }
    return 0;
}
