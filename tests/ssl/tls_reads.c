/* How an SSLServer reads and answers a stream (it reads up to 64 KiB of records at a time, hands
 * the plaintext to OnReceive in SocketBufferSize pieces, and seals the replies its callbacks Send
 * during one read together), seen from a plain OpenSSL client on a blocking socket:
 *  A. PauseReceive from inside OnReceive stops delivery at once, also in the middle of one read;
 *     after the resume the rest arrives in order, in pieces of at most SocketBufferSize, and the
 *     client's close_notify, which came in behind it, closes the connection (SO_CLOSE, 0) only
 *     after the last byte was delivered.
 *  B. An echo of 48 KiB sent at once, with SocketBufferSize 1 KiB (48 OnReceive calls, 48 Sends),
 *     comes back whole and in order in far fewer than 48 TLS records.
 * Usage: tls_reads CERTDIR */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include "HPSocket4C-SSL.h"
#include "testutil.h"

static char dir[512];
static const char *path(const char *name) {
    static char buf[4][600];
    static int k;
    char *p = buf[k++ % 4];
    snprintf(p, 600, "%s/%s", dir, name);
    return p;
}

enum { TOTAL = 48 * 1024, PIECE = 1024 };
static BYTE data[TOTAL];

static volatile long r_bytes, r_calls, r_big, r_bad, r_pause_now, r_hs, r_closes, r_close_op = -1, r_close_err = -1, r_bytes_at_close = -1;
static volatile long r_echo;
static HP_CONNID r_id;

static En_HP_HandleResult __HP_CALL on_handshake(HP_Server s, HP_CONNID id) {
    (void)s; (void)id;
    __atomic_add_fetch(&r_hs, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_receive(HP_Server s, HP_CONNID id, const BYTE *p, int n) {
    if (n > PIECE) __atomic_add_fetch(&r_big, 1, __ATOMIC_SEQ_CST);
    long at = __atomic_load_n(&r_bytes, __ATOMIC_SEQ_CST);
    for (int i = 0; i < n; i++)
        if (p[i] != (BYTE)((at + i) % 251)) { __atomic_add_fetch(&r_bad, 1, __ATOMIC_SEQ_CST); break; }
    __atomic_add_fetch(&r_bytes, n, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&r_calls, 1, __ATOMIC_SEQ_CST);
    r_id = id;
    if (__atomic_load_n(&r_echo, __ATOMIC_SEQ_CST) && !HP_Server_Send(s, id, p, n)) return HR_ERROR;
    if (__atomic_exchange_n(&r_pause_now, 0, __ATOMIC_SEQ_CST)) HP_Server_PauseReceive(s, id, TRUE);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int err) {
    (void)s; (void)id;
    r_close_op = op;
    r_close_err = err;
    r_bytes_at_close = __atomic_load_n(&r_bytes, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&r_closes, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}

/* Application-data records the client received (TLS 1.3 tickets also travel as such). */
static long c_records;
static void count_records(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl, void *arg) {
    (void)version; (void)ssl; (void)arg;
    if (!write_p && content_type == SSL3_RT_HEADER && len >= 1 && ((const unsigned char *)buf)[0] == SSL3_RT_APPLICATION_DATA) c_records++;
}

static SSL *connect_tls(SSL_CTX *ctx, USHORT port, int *fd_out) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    CHECK(SSL_connect(ssl) == 1);
    *fd_out = fd;
    return ssl;
}

static void reset(void) {
    r_bytes = r_calls = r_big = r_bad = r_pause_now = r_hs = r_closes = r_echo = 0;
    r_close_op = r_close_err = r_bytes_at_close = -1;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: tls_reads CERTDIR\n"); return 2; }
    snprintf(dir, sizeof dir, "%s", argv[1]);
    for (int i = 0; i < TOTAL; i++) data[i] = (BYTE)(i % 251);

    HP_TcpServerListener l = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnHandShake(l, on_handshake);
    HP_Set_FN_Server_OnReceive(l, on_receive);
    HP_Set_FN_Server_OnClose(l, on_close);
    HP_SSLServer s = Create_HP_SSLServer(l);
    CHECK(HP_SSLServer_SetupSSLContext(s, SSL_VM_NONE, path("server.pem"), path("server.key"), NULL, NULL, NULL));
    HP_TcpServer_SetSocketBufferSize(s, PIECE);
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    TCHAR addr[64]; int alen = sizeof(addr); USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(s, addr, &alen, &port));

    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_msg_callback(ctx, count_records);

    /* A: paused in the first OnReceive, with the rest of the stream and a close_notify behind it. */
    reset();
    r_pause_now = 1;
    int fd;
    SSL *ssl = connect_tls(ctx, port, &fd);
    CHECK(SSL_write(ssl, data, TOTAL) == TOTAL);
    SSL_shutdown(ssl);
    CHECK(wait_for(&r_calls, 1, 5000));
    sleep_ms(300);
    CHECK_EQ(r_calls, 1);
    CHECK(r_bytes <= PIECE);
    CHECK_EQ(r_closes, 0);
    BOOL paused = FALSE;
    CHECK(HP_Server_IsPauseReceive(s, r_id, &paused)); CHECK(paused);
    CHECK(HP_Server_PauseReceive(s, r_id, FALSE));
    CHECK(wait_for(&r_closes, 1, 5000));
    CHECK_EQ(r_bytes, TOTAL);
    CHECK_EQ(r_bytes_at_close, TOTAL);
    CHECK_EQ(r_close_op, SO_CLOSE);
    CHECK_EQ(r_close_err, 0);
    CHECK_EQ(r_big, 0);
    CHECK_EQ(r_bad, 0);
    SSL_free(ssl);
    close(fd);

    /* B: the echo of one 48 KiB write. */
    reset();
    r_echo = 1;
    ssl = connect_tls(ctx, port, &fd);
    CHECK(wait_for(&r_hs, 1, 5000));
    c_records = 0;
    CHECK(SSL_write(ssl, data, TOTAL) == TOTAL);
    static BYTE back[TOTAL];
    int got = 0;
    while (got < TOTAL) {
        int n = SSL_read(ssl, back + got, TOTAL - got);
        if (n <= 0) break;
        got += n;
    }
    CHECK_EQ(got, TOTAL);
    CHECK(memcmp(back, data, TOTAL) == 0);
    CHECK_EQ(r_calls, TOTAL / PIECE);
    /* One record per Send would be 48; sealed per read they are a handful (plus tickets). */
    fprintf(stderr, "tls_reads: echo of %d bytes came back in %ld records\n", TOTAL, c_records);
    CHECK(c_records <= 16);
    CHECK_EQ(r_big, 0);
    CHECK_EQ(r_bad, 0);
    SSL_shutdown(ssl);
    CHECK(wait_for(&r_closes, 1, 5000));
    SSL_free(ssl);
    close(fd);
    SSL_CTX_free(ctx);

    CHECK(HP_Server_Stop(s));
    Destroy_HP_SSLServer(s);
    Destroy_HP_TcpServerListener(l);
    return t_finish("tls_reads");
}
