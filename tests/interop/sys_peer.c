/* Prints the results of the deterministic SYS_* functions for fixed inputs, over the library
 * given on the command line (ours or upstream's 5.1.1), so a test can compare them byte for
 * byte. BOOL results are read as one byte (5.1.1's C++ bool; our int's low byte is the same). */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

typedef _Bool B;
typedef unsigned int DW;
static void *lib;
static void *sym(const char *n) { void *p = dlsym(lib, n); if (!p) { fprintf(stderr, "missing %s\n", n); exit(3); } return p; }

static void hex(const char *tag, int rc, const unsigned char *p, long n)
{
    printf("%s rc=%d len=%ld ", tag, rc, n);
    for (long i = 0; i < n; i++) printf("%02x", p[i]);
    printf("\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) return 2;
    lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) { fprintf(stderr, "%s\n", dlerror()); return 3; }
    typedef int (*Codec)(const unsigned char *, DW, unsigned char *, DW *);
    Codec b64e = (Codec)sym("SYS_Base64Encode"), b64d = (Codec)sym("SYS_Base64Decode");
    Codec urle = (Codec)sym("SYS_UrlEncode"), urld = (Codec)sym("SYS_UrlDecode");
    Codec comp = (Codec)sym("SYS_Compress"), gzc = (Codec)sym("SYS_GZipCompress");
    Codec unc = (Codec)sym("SYS_Uncompress"), gzu = (Codec)sym("SYS_GZipUncompress");
    DW (*b64eb)(DW) = (DW (*)(DW))sym("SYS_GuessBase64EncodeBound");
    DW (*b64db)(const unsigned char *, DW) = (DW (*)(const unsigned char *, DW))sym("SYS_GuessBase64DecodeBound");
    DW (*urleb)(const unsigned char *, DW) = (DW (*)(const unsigned char *, DW))sym("SYS_GuessUrlEncodeBound");
    DW (*urldb)(const unsigned char *, DW) = (DW (*)(const unsigned char *, DW))sym("SYS_GuessUrlDecodeBound");
    DW (*cbound)(DW, B) = (DW (*)(DW, B))sym("SYS_GuessCompressBound");
    DW (*gzbound)(const unsigned char *, DW) = (DW (*)(const unsigned char *, DW))sym("SYS_GZipGuessUncompressBound");
    unsigned long long (*h2n)(unsigned long long) = (unsigned long long (*)(unsigned long long))sym("SYS_HToN64");
    unsigned long long (*n2h)(unsigned long long) = (unsigned long long (*)(unsigned long long))sym("SYS_NToH64");
    B (*isip)(const char *, int *) = (B (*)(const char *, int *))sym("SYS_IsIPAddress");
    typedef B (*Conv)(const void *, void *, int *);
    Conv g2u = (Conv)sym("SYS_GbkToUtf8"), u2g = (Conv)sym("SYS_Utf8ToGbk"), u2w = (Conv)sym("SYS_Utf8ToUnicode");
    Conv w2u = (Conv)sym("SYS_UnicodeToUtf8"), g2w = (Conv)sym("SYS_GbkToUnicode"), w2g = (Conv)sym("SYS_UnicodeToGbk");
    B (*cconv)(const char *, const char *, const char *, int, char *, int *) =
        (B (*)(const char *, const char *, const char *, int, char *, int *))sym("SYS_CharsetConvert");

    static unsigned char out[1 << 20];
    static unsigned char big[100000];
    for (int i = 0; i < (int)sizeof big; i++) big[i] = (unsigned char)(i * 7 ^ i >> 8);
    if (argc == 4 && strcmp(argv[2], "zdump") == 0) {
        /* write zlib and gzip compressions of `big` for another implementation to check */
        char path[512];
        DW len = sizeof out; int rc = comp(big, sizeof big, out, &len);
        snprintf(path, sizeof path, "%s/data.zlib", argv[3]);
        FILE *f = fopen(path, "wb"); fwrite(out, 1, len, f); fclose(f);
        len = sizeof out; rc |= gzc(big, sizeof big, out, &len);
        snprintf(path, sizeof path, "%s/data.gz", argv[3]);
        f = fopen(path, "wb"); fwrite(out, 1, len, f); fclose(f);
        return rc;
    }
    if (argc == 4 && strcmp(argv[2], "zload") == 0) {
        /* decompress files written by another implementation; they must give back `big` */
        const char *names[2] = {"data.zlib", "data.gz"};
        for (int k = 0; k < 2; k++) {
            char path[512];
            snprintf(path, sizeof path, "%s/%s", argv[3], names[k]);
            FILE *f = fopen(path, "rb");
            if (!f) return 4;
            DW n = (DW)fread(out, 1, sizeof out, f); fclose(f);
            static unsigned char back[100000];
            DW blen = sizeof back;
            int rc = (k == 0 ? unc : gzu)(out, n, back, &blen);
            printf("%s rc=%d ok=%d\n", names[k], rc, blen == sizeof big && memcmp(back, big, sizeof big) == 0);
        }
        return 0;
    }
    const char *texts[] = {"", "f", "fo", "foo", "foobar", "hello world & friends = 100% / ok?", "\xe4\xb8\xad\xe6\x96\x87 abc",
                           "a-b_c.d*e~f!g'h(i)j", "line1\r\nline2\n"};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        const unsigned char *s = (const unsigned char *)texts[t];
        DW n = (DW)strlen(texts[t]), len;
        printf("b64eb %u\n", b64eb(n));
        len = sizeof out; int rc = b64e(s, n, out, &len); hex("b64e", rc, out, rc == 0 ? len : 0);
        unsigned char enc[256]; memcpy(enc, out, len); DW elen = len;
        printf("b64db %u\n", b64db(enc, elen));
        len = sizeof out; rc = b64d(enc, elen, out, &len); hex("b64d", rc, out, rc == 0 ? len : 0);
        printf("urleb %u\n", urleb(s, n));
        len = sizeof out; rc = urle((unsigned char *)s, n, out, &len); hex("urle", rc, out, rc == 0 ? len : 0);
        memcpy(enc, out, len); elen = len;
        printf("urldb %u\n", urldb(enc, elen));
        len = sizeof out; rc = urld(enc, elen, out, &len); hex("urld", rc, out, rc == 0 ? len : 0);
        len = 3; rc = b64e(s, n, out, &len); printf("b64e-small rc=%d need=%u\n", rc, len);
    }
    /* decoding odd input */
    const char *b64bad[] = {"Zm9v#", "Zg=", "Zm9vYg", "Zm9v\r\nYmFy"};
    for (int i = 0; i < 4; i++) {
        DW len = sizeof out; int rc = b64d((const unsigned char *)b64bad[i], (DW)strlen(b64bad[i]), out, &len);
        hex("b64d-odd", rc, out, rc == 0 ? len : 0);
    }
    for (DW n = 0; n < 300000; n = n * 3 + 7) printf("cbound %u %u %u\n", n, cbound(n, 0), cbound(n, 1));
    /* compression: decompress what the other library compressed is checked by the test; here
     * the one-shot results of a fixed input */
    DW len = sizeof out; int rc = comp(big, sizeof big, out, &len);
    printf("comp rc=%d\n", rc);
    static unsigned char back[100000];
    DW blen = sizeof back; rc = unc(out, len, back, &blen);
    printf("comp-roundtrip rc=%d ok=%d\n", rc, blen == sizeof big && memcmp(back, big, sizeof big) == 0);
    len = sizeof out; rc = gzc(big, sizeof big, out, &len);
    printf("gzbound %u\n", gzbound(out, len));
    blen = sizeof back; rc = gzu(out, len, back, &blen);
    printf("gz-roundtrip rc=%d ok=%d\n", rc, blen == sizeof big && memcmp(back, big, sizeof big) == 0);
    printf("h2n %llx n2h %llx\n", h2n(0x0102030405060708ULL), n2h(0x1122334455667788ULL));
    const char *ips[] = {"127.0.0.1", "::1", "fe80::1", "1.2.3", "256.0.0.1", "localhost", "::ffff:1.2.3.4"};
    for (int i = 0; i < 7; i++) { int ty = -1; B ok = isip(ips[i], &ty); printf("isip %s %d %d\n", ips[i], ok, ok ? ty : -1); }
    /* charsets, ample buffers */
    const char *utf8 = "\xe4\xb8\xad\xe6\x96\x87 abc \xe2\x82\xac";
    int l = sizeof out; B ok = u2g(utf8, out, &l); hex("u2g", ok, out, ok ? l : 0);
    char gbk[64]; memcpy(gbk, out, (size_t)l);
    l = sizeof out; ok = g2u(gbk, out, &l); hex("g2u", ok, out, ok ? l : 0);
    wchar_t w[64]; l = 64; ok = u2w(utf8, w, &l); hex("u2w", ok, (unsigned char *)w, ok ? l * 4 : 0);
    l = sizeof out; ok = w2u(w, out, &l); hex("w2u", ok, out, ok ? l : 0);
    l = 64; ok = g2w(gbk, w, &l); hex("g2w", ok, (unsigned char *)w, ok ? l * 4 : 0);
    l = sizeof out; ok = w2g(w, out, &l); hex("w2g", ok, out, ok ? l : 0);
    l = sizeof out; ok = cconv("UTF-8", "UTF-16LE", utf8, (int)strlen(utf8), (char *)out, &l); hex("cconv", ok, out, ok ? l : 0);
    return 0;
}
