/* Every SYS_* function, with known answers, bad arguments and the length protocol. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wchar.h>
#include "HPSocket4C.h"
#include "testutil.h"

static void test_errors_bytes_memory(void) {
    errno = ECONNRESET;
    CHECK_EQ(SYS_GetLastError(), ECONNRESET);
    CHECK(strcmp(SYS_GetLastErrorStr(), "Connection reset by peer") == 0);
    CHECK_EQ(SYS_GetLastError(), ECONNRESET); /* reading the text keeps the error */
    CHECK(SYS_HToN64(0x0102030405060708ULL) == 0x0807060504030201ULL);
    CHECK(SYS_NToH64(0x0807060504030201ULL) == 0x0102030405060708ULL);
    CHECK_EQ(SYS_SwapEndian16(0x1234), 0x3412);
    CHECK(SYS_SwapEndian32(0x12345678) == 0x78563412);
    CHECK(SYS_IsLittleEndian());
    LPBYTE p = SYS_Malloc(16);
    CHECK(p != NULL);
    memset(p, 7, 16);
    p = SYS_Realloc(p, 1 << 20);
    CHECK(p != NULL && p[15] == 7);
    SYS_Free(p);
    SYS_Free(NULL);
    BYTE *z = (BYTE *)SYS_Calloc(10, 10);
    int zero = 1;
    for (int i = 0; i < 100; i++) zero &= z[i] == 0;
    CHECK(zero);
    SYS_Free(z);
    CHECK(SYS_Malloc(-1) == NULL);
    CHECK(SYS_Calloc(-1, 4) == NULL);
}

static void test_base64_url(void) {
    BYTE out[256]; DWORD len;
    CHECK_EQ(SYS_GuessBase64EncodeBound(6), 8);
    CHECK_EQ(SYS_GuessBase64EncodeBound(7), 12);
    len = sizeof out;
    CHECK_EQ(SYS_Base64Encode((const BYTE *)"foobar!", 7, out, &len), 0);
    CHECK_EQ(len, 12);
    CHECK(strcmp((char *)out, "Zm9vYmFyIQ==") == 0);
    CHECK_EQ(SYS_GuessBase64DecodeBound((const BYTE *)"Zm9vYmFyIQ==", 12), 7);
    len = sizeof out;
    CHECK_EQ(SYS_Base64Decode((const BYTE *)"Zm9vYmFyIQ==", 12, out, &len), 0);
    CHECK_EQ(len, 7);
    CHECK(memcmp(out, "foobar!", 7) == 0);
    /* too small: -5 and the size needed; NULL destination likewise */
    len = 5;
    CHECK_EQ(SYS_Base64Encode((const BYTE *)"foobar!", 7, out, &len), -5);
    CHECK_EQ(len, 12);
    len = 0;
    CHECK_EQ(SYS_Base64Encode((const BYTE *)"foobar!", 7, NULL, &len), -5);
    CHECK_EQ(len, 12);
    len = sizeof out;
    CHECK_EQ(SYS_Base64Decode((const BYTE *)"Zm9v#mFy", 8, out, &len), -3);
    CHECK_EQ(SYS_Base64Decode((const BYTE *)"Zm9v", 4, out, NULL), -3);

    BYTE src[] = "a b&c=d/\xe4";
    CHECK_EQ(SYS_GuessUrlEncodeBound(src, 9), 17);
    len = sizeof out;
    CHECK_EQ(SYS_UrlEncode(src, 9, out, &len), 0);
    CHECK_EQ(len, 17);
    CHECK(strcmp((char *)out, "a+b%26c%3Dd%2F%E4") == 0);
    BYTE enc[] = "a+b%26c%3Dd%2F%E4";
    CHECK_EQ(SYS_GuessUrlDecodeBound(enc, 17), 9);
    BYTE dec[64]; len = sizeof dec;
    CHECK_EQ(SYS_UrlDecode(enc, 17, dec, &len), 0);
    CHECK_EQ(len, 9);
    CHECK(memcmp(dec, src, 9) == 0);
    len = 3;
    CHECK_EQ(SYS_UrlEncode(src, 9, out, &len), -5);
    CHECK_EQ(len, 17);
    BYTE bad[] = "abc%4";
    len = sizeof dec;
    CHECK_EQ(SYS_UrlDecode(bad, 5, dec, &len), -3);
}

static void test_compression(void) {
    static BYTE src[100000], c[200000], d[100000];
    for (int i = 0; i < (int)sizeof src; i++) src[i] = (BYTE)(i % 251 ^ i / 1000);
    DWORD bound = SYS_GuessCompressBound(sizeof src, FALSE);
    CHECK(bound >= sizeof src);
    CHECK_EQ(SYS_GuessCompressBound(sizeof src, TRUE), bound + 11);
    DWORD clen = sizeof c, dlen = sizeof d;
    CHECK_EQ(SYS_Compress(src, sizeof src, c, &clen), 0);
    CHECK(clen < sizeof src);
    CHECK(c[0] == 0x78); /* zlib header */
    CHECK_EQ(SYS_Uncompress(c, clen, d, &dlen), 0);
    CHECK(dlen == sizeof src && memcmp(d, src, sizeof src) == 0);
    dlen = 100;
    CHECK_EQ(SYS_Uncompress(c, clen, d, &dlen), -5);
    dlen = sizeof d;
    CHECK_EQ(SYS_Uncompress(c, clen / 2, d, &dlen), -3);
    clen = 10;
    CHECK_EQ(SYS_Compress(src, sizeof src, c, &clen), -5);
    /* Ex: raw deflate, best compression */
    clen = sizeof c; dlen = sizeof d;
    CHECK_EQ(SYS_CompressEx(src, sizeof src, c, &clen, 9, 8, -15, 9, 0), 0);
    CHECK_EQ(SYS_UncompressEx(c, clen, d, &dlen, -15), 0);
    CHECK(dlen == sizeof src && memcmp(d, src, sizeof src) == 0);
    CHECK(SYS_CompressEx(src, sizeof src, c, &clen, 42, 8, 15, 8, 0) != 0); /* bad level */
    /* gzip */
    clen = sizeof c; dlen = sizeof d;
    CHECK_EQ(SYS_GZipCompress(src, sizeof src, c, &clen), 0);
    CHECK(c[0] == 0x1F && c[1] == 0x8B);
    CHECK_EQ(SYS_GZipGuessUncompressBound(c, clen), sizeof src);
    CHECK_EQ(SYS_GZipGuessUncompressBound(src, 100), 0);
    CHECK_EQ(SYS_GZipUncompress(c, clen, d, &dlen), 0);
    CHECK(dlen == sizeof src && memcmp(d, src, sizeof src) == 0);
    /* brotli */
    CHECK(SYS_BrotliGuessCompressBound(sizeof src) >= sizeof src);
    clen = sizeof c; dlen = sizeof d;
    CHECK_EQ(SYS_BrotliCompress(src, sizeof src, c, &clen), 0);
    CHECK_EQ(SYS_BrotliUncompress(c, clen, d, &dlen), 0);
    CHECK(dlen == sizeof src && memcmp(d, src, sizeof src) == 0);
    dlen = 10;
    CHECK_EQ(SYS_BrotliUncompress(c, clen, d, &dlen), -5);
    dlen = sizeof d;
    CHECK_EQ(SYS_BrotliUncompress(src, 50, d, &dlen), -3);
    clen = sizeof c; dlen = sizeof d;
    CHECK_EQ(SYS_BrotliCompressEx(src, sizeof src, c, &clen, 5, 20, 1), 0);
    CHECK_EQ(SYS_BrotliUncompress(c, clen, d, &dlen), 0);
    CHECK_EQ(dlen, sizeof src);
    CHECK_EQ(SYS_BrotliCompressEx(src, sizeof src, c, &clen, 5, 99, 1), -3);
    CHECK_EQ(SYS_Compress(NULL, 10, c, &clen), -3);
}

static void test_charsets(void) {
    const char *utf8 = "\xe4\xb8\xad\xe6\x96\x87 abc";      /* "中文 abc" */
    const char *gbk = "\xd6\xd0\xce\xc4 abc";
    char out[64]; WCHAR w[64]; int len;
    len = sizeof out;
    CHECK(SYS_Utf8ToGbk(utf8, out, &len));
    CHECK_EQ(len, 9); /* with its NUL */
    CHECK(strcmp(out, gbk) == 0);
    len = sizeof out;
    CHECK(SYS_GbkToUtf8(gbk, out, &len));
    CHECK_EQ(len, 11);
    CHECK(strcmp(out, utf8) == 0);
    len = 64;
    CHECK(SYS_Utf8ToUnicode(utf8, w, &len));
    CHECK_EQ(len, 7);
    CHECK(w[0] == 0x4E2D && w[1] == 0x6587 && w[6] == 0);
    len = sizeof out;
    CHECK(SYS_UnicodeToUtf8(w, out, &len));
    CHECK(strcmp(out, utf8) == 0);
    len = sizeof out;
    CHECK(SYS_UnicodeToGbk(w, out, &len));
    CHECK(strcmp(out, gbk) == 0);
    len = 64;
    CHECK(SYS_GbkToUnicode(gbk, w, &len));
    CHECK_EQ(len, 7);
    CHECK(w[0] == 0x4E2D);
    /* Ex: exact lengths, no NUL added */
    len = sizeof out;
    CHECK(SYS_Utf8ToGbkEx(utf8, 6, out, &len));
    CHECK_EQ(len, 4);
    CHECK(memcmp(out, gbk, 4) == 0);
    len = 64;
    CHECK(SYS_GbkToUnicodeEx(gbk, 4, w, &len)); CHECK_EQ(len, 2);
    len = sizeof out;
    CHECK(SYS_UnicodeToUtf8Ex(w, 2, out, &len)); CHECK_EQ(len, 6);
    len = sizeof out;
    CHECK(SYS_UnicodeToGbkEx(w, 2, out, &len)); CHECK_EQ(len, 4);
    len = 64;
    CHECK(SYS_Utf8ToUnicodeEx(utf8, 6, w, &len)); CHECK_EQ(len, 2);
    len = sizeof out;
    CHECK(SYS_GbkToUtf8Ex(gbk, 4, out, &len)); CHECK_EQ(len, 6);
    /* too small: FALSE and the size needed; NULL destination likewise */
    len = 3;
    CHECK(!SYS_Utf8ToGbk(utf8, out, &len)); CHECK_EQ(len, 9);
    len = 0;
    CHECK(!SYS_Utf8ToUnicode(utf8, NULL, &len)); CHECK_EQ(len, 7);
    /* invalid input: FALSE, length 0, EILSEQ */
    len = sizeof out;
    CHECK(!SYS_Utf8ToGbk("\xff\xfe", out, &len)); CHECK_EQ(len, 0); CHECK_EQ(SYS_GetLastError(), EILSEQ);
    CHECK(!SYS_Utf8ToGbk(NULL, out, &len));
    CHECK(!SYS_Utf8ToGbk(utf8, out, NULL));
    /* any charset iconv knows */
    len = sizeof out;
    CHECK(SYS_CharsetConvert("UTF-8", "UTF-16BE", "AB", 2, out, &len));
    CHECK_EQ(len, 4);
    CHECK(memcmp(out, "\0A\0B", 4) == 0);
    len = sizeof out;
    CHECK(!SYS_CharsetConvert("NO-SUCH", "UTF-8", "AB", 2, out, &len));
    len = 1;
    CHECK(!SYS_CharsetConvert("UTF-8", "UTF-16BE", "AB", 2, out, &len)); CHECK_EQ(len, 4);
}

static void test_addresses(void) {
    En_HP_IPAddrType t = IPT_ALL;
    CHECK(SYS_IsIPAddress("127.0.0.1", &t)); CHECK_EQ(t, IPT_IPV4);
    CHECK(SYS_IsIPAddress("::1", &t)); CHECK_EQ(t, IPT_IPV6);
    CHECK(!SYS_IsIPAddress("localhost", &t));
    CHECK(!SYS_IsIPAddress("256.1.1.1", NULL));
    CHECK(!SYS_IsIPAddress(NULL, &t));
    TCHAR ip[64]; int len = sizeof ip;
    CHECK(SYS_GetIPAddress("localhost", ip, &len, &t));
    CHECK(strcmp(ip, "127.0.0.1") == 0 || strcmp(ip, "::1") == 0);
    len = sizeof ip;
    CHECK(SYS_GetIPAddress("10.1.2.3", ip, &len, &t));
    CHECK(strcmp(ip, "10.1.2.3") == 0); CHECK_EQ(len, 9); CHECK_EQ(t, IPT_IPV4);
    len = 2;
    /* too small: FALSE, ENOSPC, and the length any address of the family needs (upstream's
     * INET_ADDRSTRLEN / INET6_ADDRSTRLEN) */
    CHECK(!SYS_GetIPAddress("10.1.2.3", ip, &len, &t)); CHECK_EQ(len, 16); CHECK_EQ(errno, ENOSPC);
    len = 2;
    CHECK(!SYS_GetIPAddress("::1", ip, &len, &t)); CHECK_EQ(len, 46);
    CHECK(SYS_GetIPAddress("::1", ip, &len, &t)); CHECK(strcmp(ip, "::1") == 0); CHECK_EQ(len, 4);
    len = sizeof ip;
    CHECK(!SYS_GetIPAddress("no-such-host.invalid", ip, &len, &t));
    HP_LPTIPAddr *addrs = NULL; int n = 0;
    CHECK(SYS_EnumHostIPAddresses("localhost", IPT_ALL, &addrs, &n));
    CHECK(n >= 1 && addrs != NULL);
    int found = 0;
    for (int i = 0; i < n; i++) found |= strcmp(addrs[i]->address, "127.0.0.1") == 0 && addrs[i]->type == IPT_IPV4;
    CHECK(found);
    CHECK(addrs[n] == NULL);
    CHECK(SYS_FreeHostIPAddresses(addrs));
    CHECK(SYS_EnumHostIPAddresses("127.0.0.1", IPT_IPV4, &addrs, &n)); CHECK_EQ(n, 1);
    CHECK(SYS_FreeHostIPAddresses(addrs));
    CHECK(!SYS_EnumHostIPAddresses("127.0.0.1", IPT_IPV6, &addrs, &n));
    CHECK(!SYS_EnumHostIPAddresses("127.0.0.1", (En_HP_IPAddrType)9, &addrs, &n));
    CHECK(!SYS_FreeHostIPAddresses(NULL));
}

static void test_sockets(void) {
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a; memset(&a, 0, sizeof a);
    a.sin_family = AF_INET; a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK_EQ(SYS_SSO_ReuseAddress(ls, RAP_ADDR_AND_PORT), 0);
    int v = 0, vl = sizeof v;
    CHECK_EQ(SYS_GetSocketOption(ls, SOL_SOCKET, SO_REUSEPORT, &v, &vl), 0); CHECK_EQ(v, 1);
    CHECK_EQ(SYS_SSO_ReuseAddress(ls, RAP_NONE), 0);
    vl = sizeof v;
    CHECK_EQ(SYS_GetSocketOption(ls, SOL_SOCKET, SO_REUSEADDR, &v, &vl), 0); CHECK_EQ(v, 0);
    CHECK_EQ(SYS_SSO_ReuseAddress(ls, (En_HP_ReuseAddressPolicy)7), -1);
    CHECK(bind(ls, (struct sockaddr *)&a, sizeof a) == 0 && listen(ls, 4) == 0);
    TCHAR addr[64]; int len = sizeof addr; USHORT port = 0;
    CHECK(SYS_GetSocketLocalAddress(ls, addr, &len, &port));
    CHECK(strcmp(addr, "127.0.0.1") == 0); CHECK(port > 0);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_port = htons(port);
    CHECK(connect(c, (struct sockaddr *)&a, sizeof a) == 0);
    len = sizeof addr; USHORT rport = 0;
    CHECK(SYS_GetSocketRemoteAddress(c, addr, &len, &rport));
    CHECK_EQ(rport, port);
    len = 3;
    CHECK(!SYS_GetSocketRemoteAddress(c, addr, &len, &rport)); CHECK_EQ(len, 16); /* INET_ADDRSTRLEN, as upstream */
    CHECK(!SYS_GetSocketRemoteAddress(ls, addr, &len, &rport)); /* not connected */

    v = 1;
    CHECK_EQ(SYS_SetSocketOption(c, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v), 0);
    CHECK_EQ(SYS_SSO_NoDelay(c, FALSE), 0);
    vl = sizeof v;
    SYS_GetSocketOption(c, IPPROTO_TCP, TCP_NODELAY, &v, &vl); CHECK_EQ(v, 0);
    CHECK_EQ(SYS_SSO_NoBlock(c, TRUE), 0);
    CHECK(fcntl(c, F_GETFL) & O_NONBLOCK);
    CHECK(SYS_fcntl_SETFL(c, O_NONBLOCK, FALSE));
    CHECK(!(fcntl(c, F_GETFL) & O_NONBLOCK));
    ULONG nb = 1;
    CHECK_EQ(SYS_IoctlSocket(c, FIONBIO, &nb), 0);
    CHECK(fcntl(c, F_GETFL) & O_NONBLOCK);
    ULONG avail = 99;
    CHECK_EQ(SYS_IoctlSocket(c, FIONREAD, &avail), 0); CHECK_EQ(avail, 0);
    CHECK_EQ(SYS_SSO_RecvBuffSize(c, 65536), 0);
    CHECK_EQ(SYS_SSO_SendBuffSize(c, 65536), 0);
    CHECK_EQ(SYS_SSO_RecvTimeOut(c, 1500), 0);
    struct timeval tv; socklen_t tl = sizeof tv;
    getsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, &tl);
    CHECK(tv.tv_sec == 1 && tv.tv_usec == 500000);
    CHECK_EQ(SYS_SSO_SendTimeOut(c, 200), 0);
    CHECK_EQ(SYS_SSO_Linger(c, 1, 5), 0);
    struct linger lg; tl = sizeof lg;
    getsockopt(c, SOL_SOCKET, SO_LINGER, &lg, &tl);
    CHECK(lg.l_onoff == 1 && lg.l_linger == 5);
    CHECK_EQ(SYS_SSO_DontLinger(c, TRUE), 0);
    tl = sizeof lg;
    getsockopt(c, SOL_SOCKET, SO_LINGER, &lg, &tl);
    CHECK_EQ(lg.l_onoff, 0);
    /* bad descriptors fail cleanly */
    CHECK_EQ(SYS_SSO_NoDelay(-1, TRUE), -1);
    CHECK(!SYS_fcntl_SETFL(-1, O_NONBLOCK, TRUE));
    CHECK_EQ(SYS_IoctlSocket(c, FIONREAD, NULL), -1);
    /* a request that is not an int in or out could write past the caller's ULONG: refused */
    { ULONG big = 0; errno = 0; CHECK_EQ(SYS_IoctlSocket(c, SIOCGIFCONF, &big), -1); CHECK_EQ(errno, EINVAL); }
    CHECK_EQ(SYS_GetSocketOption(c, SOL_SOCKET, SO_ERROR, &v, NULL), -1);
    close(c); close(ls);
}

int main(void) {
    test_errors_bytes_memory();
    test_base64_url();
    test_compression();
    test_charsets();
    test_addresses();
    test_sockets();
    return t_finish("sys_api");
}
