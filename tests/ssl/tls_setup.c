/* SetupSSLContext and its relatives: the documented errno of each failure, encrypted keys,
 * hashed CA directories, PEM text, Start without a context (SE_SSL_ENV_NOT_READY), a second
 * setup, Cleanup and setup again, SNI contexts and name bindings, the default SNI callback,
 * cipher lists, IsSecure. Each working context is proven by a TLS echo over loopback.
 * Usage: tls_setup CERTDIR */
#include <errno.h>
#include "HPSocket4C-SSL.h"
#include "testutil.h"

static char dir[512];
static const char *path(const char *name) {
    static char buf[16][600];
    static int k;
    char *p = buf[k++ % 16];
    snprintf(p, 600, "%s/%s", dir, name);
    return p;
}
static char *slurp(const char *name) {
    FILE *f = fopen(path(name), "rb");
    if (!f) { fprintf(stderr, "cannot read %s\n", name); exit(2); }
    char *buf = (char *)calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf; /* kept to the end: the program is short */
}

/* ---- an echo server, and a client whose handshake result is read back ---- */
static volatile long s_hs;
static En_HP_HandleResult __HP_CALL s_handshake(HP_Server s, HP_CONNID id) { __atomic_add_fetch(&s_hs, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL s_receive(HP_Server s, HP_CONNID id, const BYTE *p, int n) { return HP_Server_Send(s, id, p, n) ? HR_OK : HR_ERROR; }

static volatile long c_hs, c_rx, c_closed, c_close_err;
static En_HP_HandleResult __HP_CALL c_handshake(HP_Client c, HP_CONNID id) { __atomic_store_n(&c_hs, 1, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL c_receive(HP_Client c, HP_CONNID id, const BYTE *p, int n) { __atomic_add_fetch(&c_rx, n, __ATOMIC_SEQ_CST); return HR_OK; }
static En_HP_HandleResult __HP_CALL c_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int err) {
    c_close_err = err;
    __atomic_store_n(&c_closed, 1, __ATOMIC_SEQ_CST);
    return HR_OK;
}
static HP_TcpClientListener g_cl;

/* 1: TLS handshake and an echo; 0: the connection closed without a handshake. */
static int echo_over(HP_SSLClient c, const char *host, USHORT port) {
    c_hs = c_rx = c_closed = 0; c_close_err = -1;
    if (!HP_Client_Start(c, host, port, FALSE)) { fprintf(stderr, "client Start failed: %d\n", (int)HP_Client_GetLastError(c)); return -1; }
    for (int i = 0; i < 20000 && !c_hs && !c_closed; i++) sleep_ms(1);
    int ok = 0;
    if (c_hs) {
        BOOL sent = HP_Client_Send(c, (const BYTE *)"echo me", 7);
        /* a server may refuse us right after our handshake (TLS 1.3): Send may then fail while
           the connection is closing, and OnClose follows */
        if (!sent) CHECK(wait_for(&c_closed, 1, 20000));
        for (int i = 0; sent && i < 20000 && c_rx < 7 && !c_closed; i++) sleep_ms(1);
        ok = sent && c_rx == 7;
    }
    HP_Client_Stop(c);
    /* The setup checks below need it stopped (Stop waits for a client stopping by itself:
       tls_states.c part G; this loop only makes the setup checks independent of that). */
    for (int i = 0; i < 20000 && HP_Client_GetState(c) != SS_STOPPED; i++) sleep_ms(1);
    return ok;
}

typedef enum { BY_FILE, BY_MEMORY } how_t;
/* A new SSLClient set up with (vm, ca) from files, or with the CA's PEM text. */
static HP_SSLClient new_client(int vm, const char *cert, const char *key, const char *pass, const char *ca, how_t how) {
    HP_SSLClient c = Create_HP_SSLClient(g_cl);
    BOOL ok = how == BY_FILE ? HP_SSLClient_SetupSSLContext(c, vm, cert, key, pass, ca) : HP_SSLClient_SetupSSLContextByMemory(c, vm, cert, key, pass, ca);
    CHECK(ok);
    if (!ok) fprintf(stderr, "client setup failed: errno %d\n", errno);
    return c;
}
static int client_echo(USHORT port, int vm, const char *ca, how_t how) {
    HP_SSLClient c = new_client(vm, NULL, NULL, NULL, ca, how);
    int r = echo_over(c, "localhost", port);
    Destroy_HP_SSLClient(c);
    return r;
}

static USHORT listen_port(HP_Server s) {
    TCHAR addr[64]; int alen = sizeof addr; USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(s, addr, &alen, &port));
    return port;
}

/* Setup must fail with `want` as errno. */
#define SETUP_FAILS(call, want) do { errno = 0; BOOL _ok = (call); CHECK(!_ok); CHECK_EQ(errno, want); } while (0)

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: tls_setup CERTDIR\n"); return 2; }
    snprintf(dir, sizeof dir, "%s", argv[1]);
    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnHandShake(sl, s_handshake);
    HP_Set_FN_Server_OnReceive(sl, s_receive);
    g_cl = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnHandShake(g_cl, c_handshake);
    HP_Set_FN_Client_OnReceive(g_cl, c_receive);
    HP_Set_FN_Client_OnClose(g_cl, c_close);

    /* IsSecure: TRUE on the SSL components, FALSE on the plain ones */
    HP_SSLServer srv = Create_HP_SSLServer(sl);
    HP_TcpServer plain = Create_HP_TcpServer(sl);
    CHECK(HP_Server_IsSecure(srv));
    CHECK(!HP_Server_IsSecure(plain));
    HP_SSLClient cli0 = Create_HP_SSLClient(g_cl);
    HP_TcpClient pcli = Create_HP_TcpClient(g_cl);
    CHECK(HP_Client_IsSecure(cli0));
    CHECK(!HP_Client_IsSecure(pcli));
    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_SSLAgent agt = Create_HP_SSLAgent(al);
    HP_TcpAgent pagt = Create_HP_TcpAgent(al);
    CHECK(HP_Agent_IsSecure(agt));
    CHECK(!HP_Agent_IsSecure(pagt));
    HP_SSLPackServer pks = Create_HP_SSLPackServer(sl);
    CHECK(HP_Server_IsSecure(pks));
    Destroy_HP_SSLPackServer(pks);

    /* the SSL functions on handles that are not of their kind: refused with EINVAL */
    SETUP_FAILS(HP_SSLServer_SetupSSLContext(plain, SSL_VM_NONE, path("server.pem"), path("server.key"), NULL, NULL, NULL), EINVAL);
    SETUP_FAILS(HP_SSLServer_SetupSSLContext(NULL, SSL_VM_NONE, path("server.pem"), path("server.key"), NULL, NULL, NULL), EINVAL);
    SETUP_FAILS(HP_SSLClient_SetupSSLContext(pcli, SSL_VM_NONE, NULL, NULL, NULL, NULL), EINVAL);
    SETUP_FAILS(HP_SSLServer_SetupSSLContext(cli0, SSL_VM_NONE, NULL, NULL, NULL, NULL, NULL), EINVAL); /* a client handle */
    SETUP_FAILS(HP_SSLServer_StartSSLHandShake(plain, 1), EINVAL);
    {
        LPVOID v = (LPVOID)1;
        SETUP_FAILS(HP_SSLServer_GetSSLSessionInfo(plain, 1, SSL_SSI_VERSION, &v), EINVAL);
        SETUP_FAILS(HP_SSLServer_GetSSLSessionInfo(NULL, 1, SSL_SSI_VERSION, &v), EINVAL);
    }
    errno = 0;
    CHECK(HP_SSLServer_GetSSLCipherList(plain) == NULL);
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    CHECK_EQ(HP_SSLServer_AddSSLContext(plain, SSL_VM_NONE, path("alt.pem"), path("alt.key"), NULL, NULL), -1);
    CHECK_EQ(errno, EINVAL);
    /* a Destroy of another kind: refused, the object lives on */
    errno = 0;
    Destroy_HP_SSLServer(plain);
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    Destroy_HP_SSLPackServer(srv);
    CHECK_EQ(errno, EINVAL);
    CHECK(HP_Server_IsSecure(srv));
    CHECK(!HP_Server_IsSecure(plain));

    /* Start without a context: SE_SSL_ENV_NOT_READY (101) */
    CHECK(!HP_Server_Start(srv, "127.0.0.1", 0));
    CHECK_EQ(HP_Server_GetLastError(srv), SE_SSL_ENV_NOT_READY);
    CHECK_EQ(SE_SSL_ENV_NOT_READY, 101);
    CHECK_EQ(HP_Server_GetState(srv), SS_STOPPED);
    CHECK(!HP_Client_Start(cli0, "127.0.0.1", 1, FALSE));
    CHECK_EQ(HP_Client_GetLastError(cli0), SE_SSL_ENV_NOT_READY);
    CHECK(!HP_Agent_Start(agt, NULL, FALSE));
    CHECK_EQ(HP_Agent_GetLastError(agt), SE_SSL_ENV_NOT_READY);
    /* the plain server starts as always */
    CHECK(HP_Server_Start(plain, "127.0.0.1", 0));
    CHECK(HP_Server_Stop(plain));

    /* failures, each with its errno */
    SETUP_FAILS(HP_SSLServer_SetupSSLContext(srv, SSL_VM_NONE, path("server.pem"), NULL, NULL, NULL, NULL), EINVAL);  /* a certificate without its key */
    SETUP_FAILS(HP_SSLServer_SetupSSLContext(srv, SSL_VM_NONE, path("server.pem"), "", NULL, NULL, NULL), EINVAL);
    SETUP_FAILS(HP_SSLServer_SetupSSLContext(srv, SSL_VM_NONE, path("missing.pem"), path("server.key"), NULL, NULL, NULL), ENOENT);
    SETUP_FAILS(HP_SSLServer_SetupSSLContext(srv, SSL_VM_NONE, path("server.pem"), path("missing.key"), NULL, NULL, NULL), ENOENT);
    SETUP_FAILS(HP_SSLServer_SetupSSLContext(srv, SSL_VM_PEER, path("server.pem"), path("server.key"), NULL, path("missing-ca.pem"), NULL), ENOENT);
    SETUP_FAILS(HP_SSLServer_SetupSSLContext(srv, SSL_VM_NONE, path("server.pem"), path("enc.key"), "wrong password", NULL, NULL), EACCES);
    SETUP_FAILS(HP_SSLServer_SetupSSLContext(srv, SSL_VM_NONE, path("server.pem"), path("enc.key"), NULL, NULL, NULL), EACCES); /* no password */
    SETUP_FAILS(HP_SSLServer_SetupSSLContext(srv, SSL_VM_NONE, path("alt.pem"), path("server.key"), NULL, NULL, NULL), EACCES); /* the key of another certificate */
    SETUP_FAILS(HP_SSLServer_SetupSSLContext(srv, SSL_VM_NONE, path("server.ext"), path("server.key"), NULL, NULL, NULL), EBADMSG); /* not PEM */
    /* cipher list: default, a bad one makes setup fail, then a good one */
    CHECK(strcmp(HP_SSLServer_GetSSLCipherList(srv), "ALL:!aNULL:!eNULL") == 0);
    HP_SSLServer_SetSSLCipherList(srv, "NO-SUCH-CIPHER");
    CHECK(strcmp(HP_SSLServer_GetSSLCipherList(srv), "NO-SUCH-CIPHER") == 0);
    SETUP_FAILS(HP_SSLServer_SetupSSLContext(srv, SSL_VM_NONE, path("server.pem"), path("server.key"), NULL, NULL, NULL), EINVAL);
    HP_SSLServer_SetSSLCipherList(srv, "HIGH:!aNULL");
    CHECK(strcmp(HP_SSLServer_GetSSLCipherList(srv), "HIGH:!aNULL") == 0);
    /* none of the failures left a context: still not ready */
    CHECK(!HP_Server_Start(srv, "127.0.0.1", 0));
    CHECK_EQ(HP_Server_GetLastError(srv), SE_SSL_ENV_NOT_READY);
    /* AddSSLContext before SetupSSLContext */
    errno = 0;
    CHECK_EQ(HP_SSLServer_AddSSLContext(srv, SSL_VM_NONE, path("alt.pem"), path("alt.key"), NULL, NULL), -1);
    CHECK_EQ(errno, EPERM);

    /* the encrypted key with its password works */
    CHECK(HP_SSLServer_SetupSSLContext(srv, SSL_VM_NONE, path("server.pem"), path("enc.key"), "hpsocket", NULL, NULL));
    /* a second setup without Cleanup: refused, the first context stays */
    errno = 0;
    CHECK(!HP_SSLServer_SetupSSLContext(srv, SSL_VM_NONE, path("server.pem"), path("server.key"), NULL, NULL, NULL));
    CHECK_EQ(errno, EPERM);
    CHECK(HP_Server_Start(srv, "127.0.0.1", 0));
    USHORT port = listen_port(srv);
    /* verification by a CA file, a hashed CA directory, PEM text; the wrong CA fails */
    CHECK_EQ(client_echo(port, SSL_VM_PEER, path("ca.pem"), BY_FILE), 1);
    CHECK_EQ(client_echo(port, SSL_VM_PEER, path("cadir"), BY_FILE), 1);
    CHECK_EQ(client_echo(port, SSL_VM_PEER, slurp("ca.pem"), BY_MEMORY), 1);
    CHECK_EQ(client_echo(port, SSL_VM_PEER, path("other-ca.pem"), BY_FILE), 0);
    CHECK(c_close_err != 0);
    CHECK_EQ(client_echo(port, SSL_VM_PEER, slurp("other-ca.pem"), BY_MEMORY), 0);
    CHECK_EQ(client_echo(port, SSL_VM_NONE, path("other-ca.pem"), BY_FILE), 1); /* no verification */
    CHECK_EQ(client_echo(port, SSL_VM_NONE, NULL, BY_FILE), 1);
    /* while started: setup refused, Cleanup ignored (the server keeps working), auto handshake unchanged */
    errno = 0;
    CHECK(!HP_SSLServer_SetupSSLContext(srv, SSL_VM_NONE, path("server.pem"), path("server.key"), NULL, NULL, NULL));
    CHECK_EQ(errno, EPERM);
    HP_SSLServer_CleanupSSLContext(srv);
    HP_SSLServer_SetSSLAutoHandShake(srv, FALSE);
    CHECK(HP_SSLServer_IsSSLAutoHandShake(srv));
    CHECK_EQ(client_echo(port, SSL_VM_PEER, path("ca.pem"), BY_FILE), 1);
    CHECK(HP_Server_Stop(srv));

    /* Cleanup, then setup again: by memory this time */
    HP_SSLServer_CleanupSSLContext(srv);
    CHECK(!HP_Server_Start(srv, "127.0.0.1", 0));
    CHECK_EQ(HP_Server_GetLastError(srv), SE_SSL_ENV_NOT_READY);
    SETUP_FAILS(HP_SSLServer_SetupSSLContextByMemory(srv, SSL_VM_NONE, slurp("server.pem"), NULL, NULL, NULL, NULL), EINVAL);
    SETUP_FAILS(HP_SSLServer_SetupSSLContextByMemory(srv, SSL_VM_NONE, slurp("server.pem"), slurp("enc.key"), "wrong", NULL, NULL), EACCES);
    SETUP_FAILS(HP_SSLServer_SetupSSLContextByMemory(srv, SSL_VM_PEER, slurp("server.pem"), slurp("server.key"), NULL, "not a certificate", NULL), ENODATA);
    CHECK(HP_SSLServer_SetupSSLContextByMemory(srv, SSL_VM_NONE, slurp("server.pem"), slurp("enc.key"), "hpsocket", NULL, NULL));
    CHECK(HP_Server_Start(srv, "127.0.0.1", 0));
    port = listen_port(srv);
    CHECK_EQ(client_echo(port, SSL_VM_PEER, slurp("ca.pem"), BY_MEMORY), 1);
    CHECK_EQ(client_echo(port, SSL_VM_PEER, path("other-ca.pem"), BY_FILE), 0);
    CHECK(HP_Server_Stop(srv));

    /* mutual TLS with everything given as PEM text: the server's client CA list from the text */
    HP_SSLServer_CleanupSSLContext(srv);
    CHECK(HP_SSLServer_SetupSSLContextByMemory(srv, SSL_VM_PEER | SSL_VM_FAIL_IF_NO_PEER_CERT, slurp("server.pem"), slurp("server.key"), NULL, slurp("ca.pem"), NULL));
    CHECK(HP_Server_Start(srv, "127.0.0.1", 0));
    port = listen_port(srv);
    {
        HP_SSLClient mc = new_client(SSL_VM_PEER, slurp("client.pem"), slurp("client.key"), NULL, slurp("ca.pem"), BY_MEMORY);
        CHECK_EQ(echo_over(mc, "localhost", port), 1);
        Destroy_HP_SSLClient(mc);
        /* without a client certificate: refused (TLS 1.3: after the client's own handshake) */
        HP_SSLClient nc = new_client(SSL_VM_PEER, NULL, NULL, NULL, slurp("ca.pem"), BY_MEMORY);
        CHECK(echo_over(nc, "localhost", port) != 1);
        Destroy_HP_SSLClient(nc);
        /* a client key that does not match its certificate */
        HP_SSLClient bc = Create_HP_SSLClient(g_cl);
        SETUP_FAILS(HP_SSLClient_SetupSSLContextByMemory(bc, SSL_VM_PEER, slurp("client.pem"), slurp("server.key"), NULL, slurp("ca.pem")), EACCES);
        SETUP_FAILS(HP_SSLClient_SetupSSLContextByMemory(bc, SSL_VM_PEER, "garbage", slurp("client.key"), NULL, NULL), ENODATA);
        Destroy_HP_SSLClient(bc);
    }
    CHECK(HP_Server_Stop(srv));

    /* SNI contexts and bindings, and the default callback called directly */
    HP_SSLServer_CleanupSSLContext(srv);
    CHECK(HP_SSLServer_SetupSSLContext(srv, SSL_VM_NONE, path("server.pem"), path("server.key"), NULL, NULL, NULL));
    int alt = HP_SSLServer_AddSSLContext(srv, SSL_VM_NONE, path("alt.pem"), path("alt.key"), NULL, NULL);
    CHECK_EQ(alt, 1);
    int alt2 = HP_SSLServer_AddSSLContextByMemory(srv, SSL_VM_NONE, slurp("alt.pem"), slurp("alt.key"), NULL, NULL);
    CHECK_EQ(alt2, 2);
    errno = 0;
    CHECK_EQ(HP_SSLServer_AddSSLContext(srv, SSL_VM_NONE, path("alt.pem"), path("missing.key"), NULL, NULL), -1);
    CHECK_EQ(errno, ENOENT);
    errno = 0; CHECK(!HP_SSLServer_BindSSLServerName(srv, "localhost", alt)); CHECK_EQ(errno, EINVAL);   /* no dot */
    errno = 0; CHECK(!HP_SSLServer_BindSSLServerName(srv, "127.0.0.1", alt)); CHECK_EQ(errno, EINVAL);   /* an address */
    errno = 0; CHECK(!HP_SSLServer_BindSSLServerName(srv, "alt.test", -1)); CHECK_EQ(errno, EINVAL);
    errno = 0; CHECK(!HP_SSLServer_BindSSLServerName(srv, NULL, alt)); CHECK_EQ(errno, EINVAL);
    errno = 0; CHECK(!HP_SSLServer_BindSSLServerName(srv, "alt.test", 3)); CHECK_EQ(errno, ENOANO);      /* no such context */
    CHECK(HP_SSLServer_BindSSLServerName(srv, "alt.test", alt));
    CHECK(HP_SSLServer_BindSSLServerName(srv, "second.example", alt2));
    CHECK_EQ(HP_SSL_DefaultServerNameCallback("alt.test", srv), alt);
    CHECK_EQ(HP_SSL_DefaultServerNameCallback("www.alt.test", srv), alt);
    CHECK_EQ(HP_SSL_DefaultServerNameCallback("a.b.alt.test", srv), alt);
    CHECK_EQ(HP_SSL_DefaultServerNameCallback("second.example", srv), alt2);
    CHECK_EQ(HP_SSL_DefaultServerNameCallback("WWW.Alt.TEST", srv), alt);  /* DNS names ignore case */
    CHECK_EQ(HP_SSL_DefaultServerNameCallback("notalt.test", srv), 0);    /* not a subdomain */
    CHECK_EQ(HP_SSL_DefaultServerNameCallback("alt.test.evil", srv), 0);
    CHECK_EQ(HP_SSL_DefaultServerNameCallback("localhost", srv), 0);
    errno = 0;
    CHECK_EQ(HP_SSL_DefaultServerNameCallback("alt.test", NULL), 0);
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    CHECK_EQ(HP_SSL_DefaultServerNameCallback("alt.test", plain), 0);      /* not an SSL server */
    CHECK_EQ(errno, EINVAL);
    /* Cleanup drops the bindings too */
    HP_SSLServer_CleanupSSLContext(srv);
    CHECK_EQ(HP_SSL_DefaultServerNameCallback("alt.test", srv), 0);
    errno = 0;
    CHECK_EQ(HP_SSLServer_AddSSLContext(srv, SSL_VM_NONE, path("alt.pem"), path("alt.key"), NULL, NULL), -1);
    CHECK_EQ(errno, EPERM);

    /* the client side: its own errors, its cipher list, Cleanup and setup again */
    SETUP_FAILS(HP_SSLClient_SetupSSLContext(cli0, SSL_VM_PEER, path("client.pem"), NULL, NULL, path("ca.pem")), EINVAL);
    SETUP_FAILS(HP_SSLClient_SetupSSLContext(cli0, SSL_VM_PEER, NULL, NULL, NULL, path("missing")), ENOENT);
    SETUP_FAILS(HP_SSLAgent_SetupSSLContext(agt, SSL_VM_PEER, path("client.pem"), path("enc.key"), "hpsocket", NULL), EACCES); /* the server's key */
    CHECK(strcmp(HP_SSLClient_GetSSLCipherList(cli0), "ALL:!aNULL:!eNULL") == 0);
    CHECK(HP_SSLClient_SetupSSLContext(cli0, SSL_VM_PEER, NULL, NULL, NULL, path("ca.pem")));
    errno = 0;
    CHECK(!HP_SSLClient_SetupSSLContext(cli0, SSL_VM_PEER, NULL, NULL, NULL, path("ca.pem")));
    CHECK_EQ(errno, EPERM);
    HP_SSLClient_CleanupSSLContext(cli0);
    CHECK(!HP_Client_Start(cli0, "127.0.0.1", 1, FALSE));
    CHECK_EQ(HP_Client_GetLastError(cli0), SE_SSL_ENV_NOT_READY);
    CHECK(HP_SSLClient_SetupSSLContext(cli0, SSL_VM_PEER, NULL, NULL, NULL, path("other-ca.pem")));
    CHECK(HP_SSLAgent_SetupSSLContext(agt, SSL_VM_NONE, NULL, NULL, NULL, NULL));
    CHECK(HP_Agent_Start(agt, NULL, FALSE));
    CHECK(HP_Agent_Stop(agt));
    /* a server to prove the client's new context: the wrong CA now fails */
    CHECK(HP_SSLServer_SetupSSLContext(srv, SSL_VM_NONE, path("server.pem"), path("server.key"), NULL, NULL, NULL));
    CHECK(HP_Server_Start(srv, "127.0.0.1", 0));
    port = listen_port(srv);
    CHECK_EQ(echo_over(cli0, "localhost", port), 0);
    HP_SSLClient_CleanupSSLContext(cli0);
    CHECK(HP_SSLClient_SetupSSLContext(cli0, SSL_VM_PEER, NULL, NULL, NULL, path("cadir")));
    CHECK_EQ(echo_over(cli0, "localhost", port), 1);
    CHECK(HP_Server_Stop(srv));

    Destroy_HP_SSLAgent(agt); Destroy_HP_TcpAgent(pagt); Destroy_HP_TcpAgentListener(al);
    Destroy_HP_SSLClient(cli0); Destroy_HP_TcpClient(pcli);
    Destroy_HP_SSLServer(srv); Destroy_HP_TcpServer(plain);
    Destroy_HP_TcpClientListener(g_cl); Destroy_HP_TcpServerListener(sl);
    return t_finish("tls_setup");
}
