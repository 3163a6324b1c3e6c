/* The streaming compressors and decompressors: zlib, gzip and brotli streams fed in pieces,
 * checked against the one-shot SYS_* functions, callback cancel, corrupt input, bad parameters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "HPSocket4C.h"
#include "testutil.h"

typedef struct { BYTE *p; int len, cap, calls, max_chunk, cancel_after; } Sink;

static int __HP_CALL collect(const BYTE *data, int len, PVOID ctx) {
    Sink *s = (Sink *)ctx;
    if (s->cancel_after && s->calls >= s->cancel_after) return FALSE;
    if (s->len + len > s->cap) { s->cap = (s->len + len) * 2; s->p = (BYTE *)realloc(s->p, (size_t)s->cap); }
    memcpy(s->p + s->len, data, (size_t)len);
    s->len += len;
    s->calls++;
    if (len > s->max_chunk) s->max_chunk = len;
    return TRUE;
}

static BYTE src[300000];

/* compress src in pieces (flushing once in the middle), then decompress in other pieces */
static void round_trip(const char *name, HP_Compressor c, HP_Decompressor d, int (*oneshot)(const BYTE *, DWORD, BYTE *, DWORD *)) {
    Sink z = {0}, back = {0};
    CHECK(HP_Compressor_IsValid(c));
    CHECK(HP_Decompressor_IsValid(d));
    int off = 0, piece = 777;
    while (off < (int)sizeof src) {
        int n = (int)sizeof src - off < piece ? (int)sizeof src - off : piece;
        int last = off + n == (int)sizeof src;
        BOOL ok = off == 150000 / piece * piece ? HP_Compressor_ProcessEx(c, src + off, n, last, TRUE, &z)
                                                : HP_Compressor_Process(c, src + off, n, last, &z);
        if (!ok) { fprintf(stderr, "%s: compress failed at %d\n", name, off); CHECK(ok); break; }
        off += n;
        piece = piece * 3 % 5000 + 1;
    }
    CHECK(z.len > 0 && z.len < (int)sizeof src);
    CHECK(z.max_chunk <= 16 * 1024);
    for (int i = 0; i < z.len; ) {
        int n = z.len - i < 1000 ? z.len - i : 1000;
        if (!HP_Decompressor_Process(d, z.p + i, n, &back)) { fprintf(stderr, "%s: decompress failed\n", name); CHECK(0); break; }
        i += n;
    }
    CHECK_EQ(back.len, (int)sizeof src);
    CHECK(back.len == (int)sizeof src && memcmp(back.p, src, sizeof src) == 0);
    /* the one-shot function reads the stream too */
    static BYTE out[sizeof src + 16];
    DWORD olen = sizeof out;
    CHECK_EQ(oneshot(z.p, (DWORD)z.len, out, &olen), 0);
    CHECK(olen == sizeof src && memcmp(out, src, sizeof src) == 0);
    /* the compressor reset after the last block: a second stream works the same */
    Sink z2 = {0};
    CHECK(HP_Compressor_Process(c, src, 1000, TRUE, &z2));
    Sink back2 = {0};
    CHECK(HP_Decompressor_Reset(d));
    CHECK(HP_Decompressor_Process(d, z2.p, z2.len, &back2));
    CHECK(back2.len == 1000 && memcmp(back2.p, src, 1000) == 0);
    /* a callback that says stop cancels the call */
    Sink stop = {0};
    stop.cancel_after = 1;
    stop.calls = 1;
    errno = 0;
    CHECK(!HP_Compressor_Process(c, src, sizeof src, TRUE, &stop));
    CHECK_EQ(errno, ECANCELED);
    CHECK(HP_Compressor_IsValid(c)); /* reset, usable again */
    free(z.p); free(back.p); free(z2.p); free(back2.p);
}

int main(void) {
    for (int i = 0; i < (int)sizeof src; i++) src[i] = (BYTE)((i / 13) % 64 + (i % 7));

    HP_Compressor c = Create_HP_ZLibCompressor(collect);
    HP_Decompressor d = Create_HP_ZLibDecompressor(collect);
    round_trip("zlib", c, d, SYS_Uncompress);
    /* corrupt input fails and resets */
    Sink junk = {0};
    errno = 0;
    CHECK(!HP_Decompressor_Process(d, (const BYTE *)"this is not zlib data at all", 28, &junk));
    CHECK_EQ(errno, EBADMSG);
    CHECK(HP_Decompressor_IsValid(d));
    Destroy_HP_Compressor(c); Destroy_HP_Decompressor(d);

    c = Create_HP_GZipCompressor(collect);
    d = Create_HP_GZipDecompressor(collect);
    round_trip("gzip", c, d, SYS_GZipUncompress);
    Destroy_HP_Compressor(c); Destroy_HP_Decompressor(d);

    c = Create_HP_BrotliCompressor(collect);
    d = Create_HP_BrotliDecompressor(collect);
    round_trip("brotli", c, d, SYS_BrotliUncompress);
    junk.len = 0;
    CHECK(HP_Decompressor_Reset(d));
    CHECK(!HP_Decompressor_Process(d, (const BYTE *)"\xff\xff\xff\xff garbage", 12, &junk));
    Destroy_HP_Compressor(c); Destroy_HP_Decompressor(d);

    /* Ex forms: raw deflate, gzip at level 1, brotli quality 5 text mode, small buffers */
    c = Create_HP_ZLibCompressorEx(collect, -15, 9, 8, 9, 0, 4096);
    d = Create_HP_ZLibDecompressorEx(collect, -15, 4096);
    Sink z = {0}, back = {0};
    CHECK(HP_Compressor_Process(c, src, sizeof src, TRUE, &z));
    CHECK(z.max_chunk <= 4096);
    CHECK(HP_Decompressor_Process(d, z.p, z.len, &back));
    CHECK(back.len == (int)sizeof src && memcmp(back.p, src, sizeof src) == 0);
    Destroy_HP_Compressor(c); Destroy_HP_Decompressor(d);
    free(z.p); free(back.p);
    c = Create_HP_GZipCompressorEx(collect, 1, 8, 8, 0, 8192);
    d = Create_HP_GZipDecompressorEx(collect, 8192);
    round_trip("gzip-ex", c, d, SYS_GZipUncompress);
    Destroy_HP_Compressor(c); Destroy_HP_Decompressor(d);
    c = Create_HP_BrotliCompressorEx(collect, 5, 20, 1, 8192);
    d = Create_HP_BrotliDecompressorEx(collect, 8192);
    round_trip("brotli-ex", c, d, SYS_BrotliUncompress);
    Destroy_HP_Compressor(c); Destroy_HP_Decompressor(d);

    /* bad parameters: an invalid object that refuses to work */
    c = Create_HP_ZLibCompressorEx(collect, 15, 42, 8, 8, 0, 0);
    CHECK(c != NULL);
    CHECK(!HP_Compressor_IsValid(c));
    CHECK(!HP_Compressor_Process(c, src, 10, TRUE, &junk));
    Destroy_HP_Compressor(c);
    c = Create_HP_BrotliCompressorEx(collect, 99, 22, 0, 0);
    CHECK(!HP_Compressor_IsValid(c));
    Destroy_HP_Compressor(c);
    /* NULL everywhere */
    CHECK(Create_HP_ZLibCompressor(NULL) == NULL);
    CHECK(Create_HP_BrotliDecompressor(NULL) == NULL);
    CHECK(!HP_Compressor_Process(NULL, src, 10, TRUE, NULL));
    CHECK(!HP_Decompressor_Process(NULL, src, 10, NULL));
    CHECK(!HP_Compressor_IsValid(NULL));
    CHECK(!HP_Decompressor_Reset(NULL));
    d = Create_HP_ZLibDecompressor(collect);
    CHECK(!HP_Compressor_IsValid((HP_Compressor)d)); /* a decompressor is not a compressor */
    CHECK(!HP_Decompressor_Process(d, NULL, 10, &junk));
    Destroy_HP_Decompressor(d);
    Destroy_HP_Compressor(NULL);
    Destroy_HP_Decompressor(NULL);
    free(junk.p);
    return t_finish("compressor");
}
