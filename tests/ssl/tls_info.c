/* GetSSLSessionInfo handed to libssl: every item of a live session (server, client and agent
 * sides of mutual TLS over loopback) read through OpenSSL's own functions, the argument errors,
 * and StartSSLHandShake with auto handshake on. Usage: tls_info CERTDIR */
#include <errno.h>
#include <stdint.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/evp.h>
#include "HPSocket4C-SSL.h"
#include "testutil.h"

static char dir[512];
static const char *path(const char *name) {
    static char buf[8][600];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, 600, "%s/%s", dir, name);
    return p;
}

static volatile long s_hs, s_closes, c_hs, c_rx, a_hs, a_rx, s_info_in_cb;
static volatile HP_CONNID s_ids[8];
static HP_SSLServer g_srv;

static void subj(X509 *x, char *out, int cap) {
    out[0] = 0;
    if (x) X509_NAME_oneline(X509_get_subject_name(x), out, cap);
}

static En_HP_HandleResult __HP_CALL s_handshake(HP_Server s, HP_CONNID id) {
    /* inside the callback too: the peer's certificate is there */
    LPVOID peer = NULL;
    if (HP_SSLServer_GetSSLSessionInfo(s, id, SSL_SSI_PEER_CERT, &peer) && peer) __atomic_add_fetch(&s_info_in_cb, 1, __ATOMIC_SEQ_CST);
    long k = __atomic_fetch_add(&s_hs, 1, __ATOMIC_SEQ_CST);
    if (k < 8) s_ids[k] = id;
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL s_receive(HP_Server s, HP_CONNID id, const BYTE *p, int n) { return HP_Server_Send(s, id, p, n) ? HR_OK : HR_ERROR; }
static En_HP_HandleResult __HP_CALL s_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int err) { __atomic_add_fetch(&s_closes, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL c_handshake(HP_Client c, HP_CONNID id) { __atomic_add_fetch(&c_hs, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL c_receive(HP_Client c, HP_CONNID id, const BYTE *p, int n) { __atomic_add_fetch(&c_rx, n, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL a_handshake(HP_Agent a, HP_CONNID id) { __atomic_add_fetch(&a_hs, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL a_receive(HP_Agent a, HP_CONNID id, const BYTE *p, int n) { __atomic_add_fetch(&a_rx, n, __ATOMIC_SEQ_CST); return HR_OK; }

typedef BOOL (*info_fn)(PVOID h, HP_CONNID id, En_HP_SSLSessionInfo item, LPVOID *out);
static BOOL srv_info(PVOID h, HP_CONNID id, En_HP_SSLSessionInfo item, LPVOID *out) { return HP_SSLServer_GetSSLSessionInfo(h, id, item, out); }
static BOOL cli_info(PVOID h, HP_CONNID id, En_HP_SSLSessionInfo item, LPVOID *out) { (void)id; return HP_SSLClient_GetSSLSessionInfo(h, item, out); }
static BOOL agt_info(PVOID h, HP_CONNID id, En_HP_SSLSessionInfo item, LPVOID *out) { return HP_SSLAgent_GetSSLSessionInfo(h, id, item, out); }

static LPVOID item(info_fn f, PVOID h, HP_CONNID id, int it) {
    LPVOID v = (LPVOID)0x1;
    BOOL ok = f(h, id, (En_HP_SSLSessionInfo)it, &v);
    if (!ok) fprintf(stderr, "GetSSLSessionInfo(%d) failed: errno %d\n", it, errno);
    CHECK(ok);
    return ok ? v : NULL;
}

/* The items every side has; `server` picks the side-specific expectations. */
static void check_session(const char *side, info_fn f, PVOID h, HP_CONNID id, int server, int verify_mode, const char *own, const char *peer_subject) {
    char buf[256];
    fprintf(stderr, "-- %s\n", side);
    SSL_CTX *ctx = (SSL_CTX *)item(f, h, id, SSL_SSI_CTX);
    CHECK(ctx != NULL);
    if (!ctx) return;
    CHECK_EQ(SSL_CTX_get_verify_mode(ctx), verify_mode);
    const SSL_METHOD *cm = (const SSL_METHOD *)item(f, h, id, SSL_SSI_CTX_METHOD);
    CHECK(cm != NULL && cm == SSL_CTX_get_ssl_method(ctx));
    STACK_OF(SSL_CIPHER) *cc = (STACK_OF(SSL_CIPHER) *)item(f, h, id, SSL_SSI_CTX_CIPHERS);
    CHECK(cc != NULL && cc == SSL_CTX_get_ciphers(ctx) && sk_SSL_CIPHER_num(cc) > 0);
    X509_STORE *store = (X509_STORE *)item(f, h, id, SSL_SSI_CTX_CERT_STORE);
    CHECK(store != NULL && store == SSL_CTX_get_cert_store(ctx));
    CHECK_EQ((intptr_t)item(f, h, id, SSL_SSI_SERVER_NAME_TYPE), TLSEXT_NAMETYPE_host_name);
    const char *sni = (const char *)item(f, h, id, SSL_SSI_SERVER_NAME);
    CHECK(sni != NULL && strcmp(sni, "localhost") == 0);
    const char *ver = (const char *)item(f, h, id, SSL_SSI_VERSION);
    CHECK(ver != NULL && strcmp(ver, "TLSv1.3") == 0);
    const SSL_METHOD *m = (const SSL_METHOD *)item(f, h, id, SSL_SSI_METHOD);
    CHECK(m != NULL);
    X509 *cert = (X509 *)item(f, h, id, SSL_SSI_CERT);
    subj(cert, buf, sizeof buf);
    CHECK(strcmp(buf, own) == 0);
    if (strcmp(buf, own) != 0) fprintf(stderr, "own certificate: %s, want %s\n", buf, own);
    EVP_PKEY *pk = (EVP_PKEY *)item(f, h, id, SSL_SSI_PKEY);
    CHECK(pk != NULL && EVP_PKEY_get_bits(pk) == 2048);
    if (pk && cert) CHECK_EQ(X509_check_private_key(cert, pk), 1);
    const SSL_CIPHER *cur = (const SSL_CIPHER *)item(f, h, id, SSL_SSI_CURRENT_CIPHER);
    CHECK(cur != NULL && strncmp(SSL_CIPHER_get_name(cur), "TLS_", 4) == 0);
    CHECK(cur != NULL && strcmp(SSL_CIPHER_get_version(cur), "TLSv1.3") == 0);
    STACK_OF(SSL_CIPHER) *sc = (STACK_OF(SSL_CIPHER) *)item(f, h, id, SSL_SSI_CIPHERS);
    CHECK(sc != NULL && sk_SSL_CIPHER_num(sc) > 0);
    STACK_OF(SSL_CIPHER) *clc = (STACK_OF(SSL_CIPHER) *)item(f, h, id, SSL_SSI_CLIENT_CIPHERS);
    if (server) { /* what the client offered, which includes the cipher chosen */
        int found = 0;
        for (int i = 0; clc && i < sk_SSL_CIPHER_num(clc); i++) if (sk_SSL_CIPHER_value(clc, i) == cur) found = 1;
        CHECK(found);
    }
    X509 *peer = (X509 *)item(f, h, id, SSL_SSI_PEER_CERT);
    subj(peer, buf, sizeof buf);
    CHECK(strcmp(buf, peer_subject) == 0);
    if (strcmp(buf, peer_subject) != 0) fprintf(stderr, "peer certificate: %s, want %s\n", buf, peer_subject);
    STACK_OF(X509) *chain = (STACK_OF(X509) *)item(f, h, id, SSL_SSI_PEER_CERT_CHAIN);
    CHECK(chain != NULL);
    if (!server) { /* a client's peer chain starts with the server's certificate */
        CHECK(chain && sk_X509_num(chain) >= 1 && X509_cmp(sk_X509_value(chain, 0), peer) == 0);
    }
    STACK_OF(X509) *vchain = (STACK_OF(X509) *)item(f, h, id, SSL_SSI_VERIFIED_CHAIN);
    CHECK(vchain != NULL && sk_X509_num(vchain) == 2); /* the peer's leaf and the test CA */
    if (vchain && sk_X509_num(vchain) == 2) {
        subj(sk_X509_value(vchain, 1), buf, sizeof buf);
        CHECK(strcmp(buf, "/CN=hpsocket4c test CA") == 0);
    }
    /* out of range and bad arguments */
    LPVOID v = (LPVOID)0x1;
    errno = 0;
    CHECK(!f(h, id, (En_HP_SSLSessionInfo)-1, &v));
    CHECK_EQ(errno, EINVAL);
    CHECK(v == NULL);
    v = (LPVOID)0x1;
    errno = 0;
    CHECK(!f(h, id, (En_HP_SSLSessionInfo)16, &v));
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    CHECK(!f(h, id, SSL_SSI_VERSION, NULL));
    CHECK_EQ(errno, EINVAL);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: tls_info CERTDIR\n"); return 2; }
    snprintf(dir, sizeof dir, "%s", argv[1]);

    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnHandShake(sl, s_handshake);
    HP_Set_FN_Server_OnReceive(sl, s_receive);
    HP_Set_FN_Server_OnClose(sl, s_close);
    g_srv = Create_HP_SSLServer(sl);
    CHECK(HP_SSLServer_SetupSSLContext(g_srv, SSL_VM_PEER | SSL_VM_FAIL_IF_NO_PEER_CERT, path("server.pem"), path("server.key"), NULL, path("ca.pem"), NULL));
    CHECK(HP_Server_Start(g_srv, "127.0.0.1", 0));
    TCHAR addr[64]; int alen = sizeof addr; USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(g_srv, addr, &alen, &port));

    /* client: mutual TLS to "localhost" (so it sends SNI) */
    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnHandShake(cl, c_handshake);
    HP_Set_FN_Client_OnReceive(cl, c_receive);
    HP_SSLClient cli = Create_HP_SSLClient(cl);
    CHECK(HP_SSLClient_SetupSSLContext(cli, SSL_VM_PEER, path("client.pem"), path("client.key"), NULL, path("ca.pem")));
    LPVOID v = (LPVOID)0x1;
    CHECK(!HP_SSLClient_GetSSLSessionInfo(cli, SSL_SSI_VERSION, &v)); /* no connection yet */
    CHECK(HP_Client_Start(cli, "localhost", port, FALSE));
    CHECK(wait_for(&c_hs, 1, 20000));
    CHECK(wait_for(&s_hs, 1, 20000));
    CHECK(HP_Client_Send(cli, (const BYTE *)"ping", 4));
    CHECK(wait_for(&c_rx, 4, 20000));
    HP_CONNID sid = s_ids[0];

    check_session("server side of the client's connection", srv_info, g_srv, sid, 1, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, "/CN=localhost", "/CN=hp-client");
    check_session("client", cli_info, cli, 0, 0, SSL_VERIFY_PEER, "/CN=hp-client", "/CN=localhost");
    CHECK_EQ(s_info_in_cb, 1);
    /* both ends agree on the cipher */
    LPVOID c1 = NULL, c2 = NULL;
    CHECK(HP_SSLServer_GetSSLSessionInfo(g_srv, sid, SSL_SSI_CURRENT_CIPHER, &c1));
    CHECK(HP_SSLClient_GetSSLSessionInfo(cli, SSL_SSI_CURRENT_CIPHER, &c2));
    CHECK(c1 && c2 && strcmp(SSL_CIPHER_get_name((const SSL_CIPHER *)c1), SSL_CIPHER_get_name((const SSL_CIPHER *)c2)) == 0);
    /* an unknown connection */
    errno = 0;
    CHECK(!HP_SSLServer_GetSSLSessionInfo(g_srv, 999999, SSL_SSI_VERSION, &v));
    CHECK_EQ(errno, EBADSLT);
    /* StartSSLHandShake with auto handshake on: refused */
    CHECK(HP_SSLServer_IsSSLAutoHandShake(g_srv));
    errno = 0;
    CHECK(!HP_SSLServer_StartSSLHandShake(g_srv, sid));
    CHECK_EQ(errno, EPERM);
    errno = 0;
    CHECK(!HP_SSLClient_StartSSLHandShake(cli));
    CHECK_EQ(errno, EPERM);
    /* the connection still works after all that */
    CHECK(HP_Client_Send(cli, (const BYTE *)"pong", 4));
    CHECK(wait_for(&c_rx, 8, 20000));

    /* agent: one connection to "localhost" with the client certificate, the CA as a hashed directory */
    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnHandShake(al, a_handshake);
    HP_Set_FN_Agent_OnReceive(al, a_receive);
    HP_SSLAgent agt = Create_HP_SSLAgent(al);
    CHECK(HP_SSLAgent_SetupSSLContext(agt, SSL_VM_PEER, path("client.pem"), path("client.key"), NULL, path("cadir")));
    CHECK(HP_Agent_Start(agt, NULL, TRUE));
    HP_CONNID aid = 0;
    CHECK(HP_Agent_Connect(agt, "localhost", port, &aid));
    CHECK(wait_for(&a_hs, 1, 20000));
    CHECK(wait_for(&s_hs, 2, 20000));
    CHECK(HP_Agent_Send(agt, aid, (const BYTE *)"agent", 5));
    CHECK(wait_for(&a_rx, 5, 20000));
    check_session("agent", agt_info, agt, aid, 0, SSL_VERIFY_PEER, "/CN=hp-client", "/CN=localhost");
    check_session("server side of the agent's connection", srv_info, g_srv, s_ids[1], 1, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, "/CN=localhost", "/CN=hp-client");
    errno = 0;
    CHECK(!HP_SSLAgent_GetSSLSessionInfo(agt, aid + 1000, SSL_SSI_VERSION, &v));
    CHECK_EQ(errno, EBADSLT);
    errno = 0;
    CHECK(!HP_SSLAgent_StartSSLHandShake(agt, aid));
    CHECK_EQ(errno, EPERM);

    /* once closed, the server's id is unknown */
    CHECK(HP_Agent_Stop(agt));
    CHECK(wait_for(&s_closes, 1, 20000));
    sleep_ms(50);
    errno = 0;
    CHECK(!HP_SSLServer_GetSSLSessionInfo(g_srv, s_ids[1], SSL_SSI_VERSION, &v));
    CHECK_EQ(errno, EBADSLT);
    CHECK(HP_Client_Stop(cli));
    CHECK(!HP_SSLClient_GetSSLSessionInfo(cli, SSL_SSI_VERSION, &v));
    CHECK(wait_for(&s_closes, 2, 20000));
    CHECK(HP_Server_Stop(g_srv));

    Destroy_HP_SSLAgent(agt); Destroy_HP_TcpAgentListener(al);
    Destroy_HP_SSLClient(cli); Destroy_HP_TcpClientListener(cl);
    Destroy_HP_SSLServer(g_srv); Destroy_HP_TcpServerListener(sl);
    return t_finish("tls_info");
}
