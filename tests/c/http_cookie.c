/* Every HP_HttpCookie_* function: the helpers with known answers and the length protocol, the
 * process-wide store through its file (set, delete, clear, expire, load and save with and
 * without bKeepExists), and the refusals (NULL, bad names, bad SameSite, bad files). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "HPSocket4C.h"
#include "testutil.h"

/* The precise real-time clock the library reads: time(NULL) is the kernel's coarse copy, up to a
 * tick behind it, so around a second's turn it can still read the second before. */
static time_t real_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec;
}

static char dir[64];

/* A file in the test's own directory. */
typedef struct { char s[128]; } Path;
static Path path_of(const char *name) {
    Path p;
    snprintf(p.s, sizeof p.s, "%s/%s", dir, name);
    return p;
}

/* The whole file, NUL-terminated (static storage; "" when missing). */
static const char *slurp(const char *file) {
    static char text[8192];
    text[0] = 0;
    FILE *f = fopen(file, "r");
    if (!f) return text;
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = 0;
    fclose(f);
    return text;
}

static void spit(const char *file, const char *text) {
    FILE *f = fopen(file, "w");
    fputs(text, f);
    fclose(f);
}

/* The store's live persistent cookies, as the file SaveToFile writes. */
static const char *saved(void) {
    Path f = path_of("snapshot");
    CHECK(HP_HttpCookie_MGR_SaveToFile(f.s, FALSE));
    return slurp(f.s);
}

static void test_time_helpers(void) {
    time_t t0 = real_now();
    __time64_t now = HP_HttpCookie_HLP_CurrentUTCTime();
    time_t t1 = real_now();
    CHECK(now >= t0 && now <= t1);
    CHECK_EQ(sizeof(__time64_t), 8);

    CHECK_EQ(HP_HttpCookie_HLP_MaxAgeToExpires(0), 0);
    CHECK_EQ(HP_HttpCookie_HLP_MaxAgeToExpires(-3), -1);
    t0 = real_now();
    __time64_t e = HP_HttpCookie_HLP_MaxAgeToExpires(100);
    t1 = real_now();
    CHECK(e >= t0 + 100 && e <= t1 + 100);

    CHECK_EQ(HP_HttpCookie_HLP_ExpiresToMaxAge(-1), -1);
    CHECK_EQ(HP_HttpCookie_HLP_ExpiresToMaxAge(0), 0);
    CHECK_EQ(HP_HttpCookie_HLP_ExpiresToMaxAge(1000), 0);
    t0 = real_now();
    int left = HP_HttpCookie_HLP_ExpiresToMaxAge((__time64_t)t0 + 1000);
    t1 = real_now();
    CHECK(left <= 1000 && left >= 1000 - (t1 - t0));
    CHECK_EQ(HP_HttpCookie_HLP_ExpiresToMaxAge(0x7fffffffffffffffLL), 0x7fffffff);
}

static void test_expires_text(void) {
    char buf[64];
    int len = sizeof buf;
    CHECK(HP_HttpCookie_HLP_MakeExpiresStr(buf, &len, 1445412480));
    CHECK(strcmp(buf, "Wed, 21-Oct-2015 07:28:00 GMT") == 0);
    CHECK_EQ(len, 30);
    len = sizeof buf;
    CHECK(HP_HttpCookie_HLP_MakeExpiresStr(buf, &len, 0)); /* before 1 is 1, as upstream */
    CHECK(strcmp(buf, "Thu, 01-Jan-1970 00:00:01 GMT") == 0);
    len = sizeof buf;
    CHECK(HP_HttpCookie_HLP_MakeExpiresStr(buf, &len, 4107542400LL));
    CHECK(strcmp(buf, "Mon, 01-Mar-2100 00:00:00 GMT") == 0);
    /* too small, NULL buffer: FALSE and the size needed; NULL length: EINVAL */
    len = 30 - 1;
    errno = 0;
    CHECK(!HP_HttpCookie_HLP_MakeExpiresStr(buf, &len, 1445412480));
    CHECK_EQ(len, 30);
    CHECK_EQ(errno, ENOSPC);
    len = 0;
    CHECK(!HP_HttpCookie_HLP_MakeExpiresStr(NULL, &len, 1445412480));
    CHECK_EQ(len, 30);
    errno = 0;
    CHECK(!HP_HttpCookie_HLP_MakeExpiresStr(buf, NULL, 1445412480));
    CHECK_EQ(errno, EINVAL);

    __time64_t t = 0;
    CHECK(HP_HttpCookie_HLP_ParseExpires("Wed, 21-Oct-2015 07:28:00 GMT", &t));
    CHECK_EQ(t, 1445412480);
    CHECK(HP_HttpCookie_HLP_ParseExpires("Wed, 21 Oct 15 07:28:00 +0100", &t));
    CHECK_EQ(t, 1445412480 - 3600);
    CHECK(HP_HttpCookie_HLP_ParseExpires("Tue, 29-Feb-2000 00:00:00 GMT", &t));
    CHECK_EQ(t, 951782400);
    t = 42;
    errno = 0;
    CHECK(!HP_HttpCookie_HLP_ParseExpires("Wed, 21-Oct-2015 07:28:00", &t)); /* no zone */
    CHECK_EQ(errno, EBADMSG);
    CHECK_EQ(t, 42);
    CHECK(!HP_HttpCookie_HLP_ParseExpires("Wed, 21-Foo-2015 07:28:00 GMT", &t));
    CHECK(!HP_HttpCookie_HLP_ParseExpires("Wed, 31-Dec-1969 23:59:59 GMT", &t));
    CHECK(!HP_HttpCookie_HLP_ParseExpires("", &t));
    errno = 0;
    CHECK(!HP_HttpCookie_HLP_ParseExpires(NULL, &t));
    CHECK_EQ(errno, EINVAL);
    CHECK(!HP_HttpCookie_HLP_ParseExpires("Wed, 21-Oct-2015 07:28:00 GMT", NULL));
}

static void test_to_string(void) {
    char buf[256];
    int len = sizeof buf;
    CHECK(HP_HttpCookie_HLP_ToString(buf, &len, "sid", "abc", ".Example.COM", "/app/page", 0, TRUE, TRUE, 2));
    CHECK(strcmp(buf, "sid=abc; domain=example.com; path=/app/; expires=Thu, 01-Jan-1970 00:00:01 GMT; HttpOnly; secure; SameSite=Lax") == 0);
    CHECK_EQ(len, (int)strlen(buf) + 1);
    len = sizeof buf;
    CHECK(HP_HttpCookie_HLP_ToString(buf, &len, "n", NULL, NULL, NULL, -1, FALSE, FALSE, 1));
    CHECK(strcmp(buf, "n=; SameSite=Strict") == 0);
    len = sizeof buf;
    CHECK(HP_HttpCookie_HLP_ToString(buf, &len, "n", "v", "...", "nodir", -1, FALSE, FALSE, 0));
    CHECK(strcmp(buf, "n=v") == 0);
    /* a positive Max-Age gives now + age */
    len = sizeof buf;
    time_t t0 = real_now();
    CHECK(HP_HttpCookie_HLP_ToString(buf, &len, "n", "v", NULL, "/", 3600, FALSE, FALSE, 0));
    time_t t1 = real_now();
    int matched = 0;
    for (time_t t = t0; t <= t1; t++) {
        char exp[64], want[128];
        int el = sizeof exp;
        CHECK(HP_HttpCookie_HLP_MakeExpiresStr(exp, &el, (__time64_t)t + 3600));
        snprintf(want, sizeof want, "n=v; path=/; expires=%s", exp);
        matched |= strcmp(buf, want) == 0;
    }
    CHECK(matched);
    /* the length protocol */
    len = 3;
    errno = 0;
    CHECK(!HP_HttpCookie_HLP_ToString(buf, &len, "n", "v", NULL, NULL, -1, FALSE, FALSE, 0));
    CHECK_EQ(len, 4);
    CHECK_EQ(errno, ENOSPC);
    len = 0;
    CHECK(!HP_HttpCookie_HLP_ToString(NULL, &len, "n", "v", NULL, NULL, -1, FALSE, FALSE, 0));
    CHECK_EQ(len, 4);
    /* refusals */
    len = sizeof buf;
    errno = 0;
    CHECK(!HP_HttpCookie_HLP_ToString(buf, &len, NULL, "v", NULL, NULL, -1, FALSE, FALSE, 0));
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    CHECK(!HP_HttpCookie_HLP_ToString(buf, &len, "", "v", NULL, NULL, -1, FALSE, FALSE, 0));
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    CHECK(!HP_HttpCookie_HLP_ToString(buf, &len, "n", "v\r\nX: y", NULL, NULL, -1, FALSE, FALSE, 0));
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    CHECK(!HP_HttpCookie_HLP_ToString(buf, &len, "n", "v", NULL, NULL, -1, FALSE, FALSE, 3));
    CHECK_EQ(errno, EINVAL);
    CHECK(!HP_HttpCookie_HLP_ToString(buf, NULL, "n", "v", NULL, NULL, -1, FALSE, FALSE, 0));
}

static void test_third_party_flag(void) {
    CHECK(HP_HttpCookie_MGR_IsEnableThirdPartyCookie()); /* the default */
    HP_HttpCookie_MGR_SetEnableThirdPartyCookie(FALSE);
    CHECK(!HP_HttpCookie_MGR_IsEnableThirdPartyCookie());
    HP_HttpCookie_MGR_SetEnableThirdPartyCookie(7);
    CHECK_EQ(HP_HttpCookie_MGR_IsEnableThirdPartyCookie(), TRUE);
}

static void test_store(void) {
    CHECK(HP_HttpCookie_MGR_ClearCookies(NULL, NULL));
    CHECK(strcmp(saved(), "") == 0);
    CHECK(HP_HttpCookie_MGR_SetCookie("a", "1", ".Example.com", "/", 100000, TRUE, FALSE, 2, TRUE));
    CHECK(HP_HttpCookie_MGR_SetCookie("empty", NULL, "example.com", "/x", 100000, FALSE, TRUE, 1, TRUE));
    CHECK(HP_HttpCookie_MGR_SetCookie("b", "2", "www.example.com", "/p/q", 100000, FALSE, FALSE, 0, TRUE));
    CHECK(HP_HttpCookie_MGR_SetCookie("session", "s", "example.com", "/", -1, FALSE, FALSE, 0, TRUE));
    const char *text = saved();
    CHECK(strncmp(text, "example.com /\n\ta;1;", 19) == 0);
    CHECK(strstr(text, ";1;0;2\n\tempty; ;") != NULL); /* an empty value is saved as one space */
    CHECK(strstr(text, ";0;1;1\nwww.example.com /p/\n\tb;2;") != NULL);
    CHECK(strstr(text, "session") == NULL); /* session cookies are not saved */

    /* a session cookie only updates a live one's value, unless told to replace it */
    CHECK(HP_HttpCookie_MGR_SetCookie("a", "new", "example.com", "/", -1, TRUE, FALSE, 2, TRUE));
    CHECK(strstr(saved(), "\ta;new;") != NULL);
    CHECK(HP_HttpCookie_MGR_SetCookie("a", "gone", "example.com", "/", -1, TRUE, FALSE, 2, FALSE));
    CHECK(strstr(saved(), "\ta;") == NULL);
    /* Max-Age 0 deletes; ENOENT when there is nothing to delete */
    CHECK(HP_HttpCookie_MGR_SetCookie("b", "x", "www.example.com", "/p/", 0, FALSE, FALSE, 0, TRUE));
    CHECK(strstr(saved(), "\tb;") == NULL);
    errno = 0;
    CHECK(!HP_HttpCookie_MGR_SetCookie("b", "x", "www.example.com", "/p/", 0, FALSE, FALSE, 0, TRUE));
    CHECK_EQ(errno, ENOENT);
    /* refusals */
    const char *bad[][4] = {{NULL, "v", "d.com", "/"}, {"n", "v", NULL, "/"}, {"n", "v", "d.com", NULL}, {"", "v", "d.com", "/"},
                            {"n", "v", "...", "/"}, {"n", "v", "d.com", "nodir"}, {"n", "a;b", "d.com", "/"}, {"n=m", "v", "d.com", "/"},
                            {"n", "v", "d com", "/"}, {"n", "v\t", "d.com", "/"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        CHECK(!HP_HttpCookie_MGR_SetCookie(bad[i][0], bad[i][1], bad[i][2], bad[i][3], 60, FALSE, FALSE, 0, TRUE));
        CHECK_EQ(errno, EINVAL);
    }
    errno = 0;
    CHECK(!HP_HttpCookie_MGR_SetCookie("n", "v", "d.com", "/", 60, FALSE, FALSE, -1, TRUE));
    CHECK_EQ(errno, EINVAL);

    /* delete */
    CHECK(HP_HttpCookie_MGR_SetCookie("d", "1", "del.com", "/", 60, FALSE, FALSE, 0, TRUE));
    CHECK(HP_HttpCookie_MGR_DeleteCookie("DEL.com", "/page", "d"));
    errno = 0;
    CHECK(!HP_HttpCookie_MGR_DeleteCookie("del.com", "/", "d"));
    CHECK_EQ(errno, ENOENT);
    errno = 0;
    CHECK(!HP_HttpCookie_MGR_DeleteCookie("del.com", "/", NULL));
    CHECK_EQ(errno, EINVAL);
    CHECK(!HP_HttpCookie_MGR_DeleteCookie(NULL, "/", "d"));
    CHECK(!HP_HttpCookie_MGR_DeleteCookie("del.com", NULL, "d"));

    /* clear by domain, by path, by both */
    CHECK(HP_HttpCookie_MGR_ClearCookies(NULL, NULL));
    CHECK(HP_HttpCookie_MGR_SetCookie("x", "1", "a.com", "/", 60, FALSE, FALSE, 0, TRUE));
    CHECK(HP_HttpCookie_MGR_SetCookie("y", "1", "a.com", "/p/", 60, FALSE, FALSE, 0, TRUE));
    CHECK(HP_HttpCookie_MGR_SetCookie("z", "1", "b.com", "/p/", 60, FALSE, FALSE, 0, TRUE));
    CHECK(HP_HttpCookie_MGR_ClearCookies(NULL, "/p/file"));
    text = saved();
    CHECK(strstr(text, "\tx;") != NULL && strstr(text, "\ty;") == NULL && strstr(text, "\tz;") == NULL);
    CHECK(HP_HttpCookie_MGR_SetCookie("z", "1", "b.com", "/p/", 60, FALSE, FALSE, 0, TRUE));
    CHECK(HP_HttpCookie_MGR_ClearCookies(".A.COM", NULL));
    text = saved();
    CHECK(strstr(text, "\tx;") == NULL && strstr(text, "\tz;") != NULL);
    CHECK(HP_HttpCookie_MGR_ClearCookies("b.com", "/"));
    CHECK(strstr(saved(), "\tz;") != NULL);
    CHECK(HP_HttpCookie_MGR_ClearCookies("b.com", "/p/"));
    CHECK(strcmp(saved(), "") == 0);
    errno = 0;
    CHECK(!HP_HttpCookie_MGR_ClearCookies("...", NULL));
    CHECK_EQ(errno, EINVAL);
    CHECK(!HP_HttpCookie_MGR_ClearCookies(NULL, "nodir"));

    /* RemoveExpiredCookies keeps live ones (expiring ones need time to pass: the Rust tests) */
    CHECK(HP_HttpCookie_MGR_SetCookie("live", "1", "a.com", "/", 60, FALSE, FALSE, 0, TRUE));
    CHECK(HP_HttpCookie_MGR_RemoveExpiredCookies(NULL, NULL));
    CHECK(HP_HttpCookie_MGR_RemoveExpiredCookies("a.com", "/"));
    CHECK(strstr(saved(), "\tlive;") != NULL);
    errno = 0;
    CHECK(!HP_HttpCookie_MGR_RemoveExpiredCookies("a.com", "x"));
    CHECK_EQ(errno, EINVAL);
}

static void test_files(void) {
    char content[1024];
    long long future = (long long)time(NULL) + 100000;
    Path file_path = path_of("cookies.txt"), merged_path = path_of("merged.txt"), missing_path = path_of("missing.txt"), bad_path = path_of("bad.txt"), snapshot = path_of("snapshot");
    const char *file = file_path.s, *merged = merged_path.s, *missing = missing_path.s, *bad = bad_path.s;
    snprintf(content, sizeof content,
             "\r\n.Example.COM /dir/page\r\n\t x ; file ;%lld;0;0;0\r\n\ty;file;%lld;1;1;2\n\ty;dup;%lld;0;0;0\n\told;v;100;0;0;0\n\n",
             future, future, future);
    spit(file, content);
    /* no keep: the store becomes the file's live cookies (the first of a duplicate) */
    CHECK(HP_HttpCookie_MGR_SetCookie("mem", "1", "m.com", "/", 600, FALSE, FALSE, 0, TRUE));
    CHECK(HP_HttpCookie_MGR_LoadFromFile(file, FALSE));
    char want[512];
    snprintf(want, sizeof want, "example.com /dir/\n\tx;file;%lld;0;0;0\n\ty;file;%lld;1;1;2\n", future, future);
    CHECK(strcmp(saved(), want) == 0);
    /* keep: the store's cookie wins */
    CHECK(HP_HttpCookie_MGR_SetCookie("x", "memory", "example.com", "/dir/", 600, FALSE, FALSE, 0, TRUE));
    CHECK(HP_HttpCookie_MGR_SetCookie("mem", "1", "m.com", "/", 600, FALSE, FALSE, 0, TRUE));
    CHECK(HP_HttpCookie_MGR_LoadFromFile(file, TRUE));
    const char *text = saved();
    CHECK(strstr(text, "\tx;memory;") != NULL && strstr(text, "\ty;file;") != NULL && strstr(text, "\tmem;1;") != NULL);
    /* a keeping save merges the file in; a plain save replaces it */
    snprintf(content, sizeof content, "other.com /\n\tkept;1;%lld;0;0;0\n", future);
    spit(merged, content);
    CHECK(HP_HttpCookie_MGR_ClearCookies(NULL, NULL));
    CHECK(HP_HttpCookie_MGR_SetCookie("n", "1", "new.com", "/", 600, FALSE, FALSE, 0, TRUE));
    CHECK(HP_HttpCookie_MGR_SaveToFile(merged, TRUE));
    text = slurp(merged);
    CHECK(strstr(text, "\tkept;1;") != NULL && strstr(text, "\tn;1;") != NULL);
    CHECK(HP_HttpCookie_MGR_DeleteCookie("other.com", "/", "kept"));
    CHECK(HP_HttpCookie_MGR_SaveToFile(merged, FALSE));
    CHECK(strstr(slurp(merged), "kept") == NULL);
    /* a keeping save to a missing file is fine; a load of one is ENOENT */
    errno = 0;
    CHECK(!HP_HttpCookie_MGR_LoadFromFile(missing, TRUE));
    CHECK_EQ(errno, ENOENT);
    CHECK(HP_HttpCookie_MGR_SaveToFile(missing, TRUE));
    CHECK(strstr(slurp(missing), "\tn;1;") != NULL);
    /* bad files fail with EBADMSG and change nothing; a keeping save refuses to overwrite one */
    const char *bad_texts[] = {"\tx;v;99999999999;0;0;0\n", "example.com\n", "example.com /\n\tx;;99999999999;0;0;0\n",
                               "example.com /\n\tx;v;0;0;0;0\n", "example.com /\n\tx;v;99999999999;0;0;3\n"};
    const char *before = saved();
    char before_copy[1024];
    snprintf(before_copy, sizeof before_copy, "%s", before);
    for (size_t i = 0; i < sizeof bad_texts / sizeof bad_texts[0]; i++) {
        spit(bad, bad_texts[i]);
        errno = 0;
        CHECK(!HP_HttpCookie_MGR_LoadFromFile(bad, FALSE));
        CHECK_EQ(errno, EBADMSG);
        CHECK(strcmp(saved(), before_copy) == 0);
        CHECK(!HP_HttpCookie_MGR_SaveToFile(bad, TRUE));
        CHECK(strcmp(slurp(bad), bad_texts[i]) == 0);
    }
    errno = 0;
    CHECK(!HP_HttpCookie_MGR_LoadFromFile(NULL, TRUE));
    CHECK_EQ(errno, EINVAL);
    CHECK(!HP_HttpCookie_MGR_SaveToFile(NULL, FALSE));
    /* a directory cannot be written */
    CHECK(!HP_HttpCookie_MGR_SaveToFile(dir, FALSE));
    unlink(file); unlink(merged); unlink(missing); unlink(bad); unlink(snapshot.s);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/hp-cookie-XXXXXX");
    if (!mkdtemp(dir)) return 2;
    test_time_helpers();
    test_expires_text();
    test_to_string();
    test_third_party_flag();
    test_store();
    test_files();
    rmdir(dir);
    return t_finish("http_cookie");
}
