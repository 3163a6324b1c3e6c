/* The client side of HTTP: HttpAgent, HttpClient and HttpSyncClient against a tiny blocking HTTP
 * server of this program's own (BSD sockets on 127.0.0.1, a thread per connection) that records
 * each request's raw bytes and answers from a script.
 *
 * Checked, for the agent and the client alike (every case runs once over each): the bytes of the
 * requests each Send* writes (method upper-cased, a leading '/' added, caller headers kept, Host
 * with the port and none for CONNECT, Content-Length only with a body, HTTP/1.0, chunks, a local
 * file); the events of responses in order (lengths, chunks, a body delimited by the close, HEAD,
 * 204 and 304, two responses in one write) and the accessors with their count protocol; cookies
 * through the process-wide store; a WebSocket upgrade with masked and unmasked frames both ways
 * and a masked frame from the server closing the connection; a parse error; HttpAutoStart off.
 * Then HttpSyncClient: OpenUrl, connection reuse and forced reconnects, bodies from memory and
 * from a file, accessors after the server closed, timeouts, refused connects, URLs it refuses, a
 * blocking SendGet, WebSocket through a sync client; and HTTP calls on handles of the wrong
 * kind. Every HP_HttpAgent_*, HP_HttpClient_*, HP_HttpSyncClient_* export is called.
 *
 * Upstream's behaviour is the reference (Linux/src/HttpClient.cpp, HttpAgent.cpp, HttpHelper.h
 * and .cpp of HP-Socket 6.0.7). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "HPSocket4C.h"
#include "testutil.h"

static long get(volatile long *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static void add(volatile long *p, long n) { __atomic_add_fetch(p, n, __ATOMIC_SEQ_CST); }
static void put(volatile long *p, long v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }

/* ===================================================================================== */
/* The test server                                                                       */
/* ===================================================================================== */

typedef struct {
    int fd;
    int have;
    char buf[65536];
    char req[16384]; /* the request being handled */
} Conn;

enum { R_SEND = 0, R_CLOSE = 1, R_HOLD = 2, R_NONE = 4, R_DELAY = 8 };
typedef struct {
    const char *data; /* sent as is (strlen) */
    int flags;        /* R_CLOSE: close after sending; R_HOLD: never answer, wait for the peer's
                         close; R_NONE: no answer to this request; R_DELAY: wait 200 ms first */
} Reply;

typedef void (*Handler)(Conn *c);

static int srv_listen_fd;
static USHORT srv_port;
static char srv_host[32]; /* "127.0.0.1:<port>" */
static volatile long srv_quit;
static volatile long srv_conns; /* connections accepted */
static volatile long srv_reqs;  /* requests recorded */
static pthread_mutex_t srv_mu = PTHREAD_MUTEX_INITIALIZER;
#define MAX_REQS 32
static char srv_req[MAX_REQS][16384];
static int srv_req_len[MAX_REQS];
static Reply srv_script[16];
static int srv_script_n, srv_script_i;
static Handler srv_handler;
static const char *srv_greeting; /* sent on accept when set */

static void send_all(int fd, const void *p, size_t n) {
    const char *s = (const char *)p;
    while (n > 0) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w <= 0) return;
        s += w;
        n -= (size_t)w;
    }
}
static void send_str(int fd, const char *s) { send_all(fd, s, strlen(s)); }

static const char *find(const char *b, int n, const char *pat) {
    int m = (int)strlen(pat);
    for (int i = 0; i + m <= n; i++)
        if (memcmp(b + i, pat, (size_t)m) == 0) return b + i;
    return NULL;
}

/* The length of the first complete request in b[0..n): 0 when incomplete, -1 when malformed. A
 * body is delimited by Content-Length or chunks (sizes, data, CRLF; "0\r\n\r\n" ends it). */
static int request_len(const char *b, int n) {
    const char *end = find(b, n, "\r\n\r\n");
    if (!end) return 0;
    int head = (int)(end - b) + 4;
    long clen = 0;
    int chunked = 0;
    const char *line = find(b, head, "\r\n") + 2;
    while (line < end + 2) {
        const char *le = find(line, (int)(b + head - line), "\r\n");
        if (!le || le == line) break;
        if (strncasecmp(line, "Content-Length:", 15) == 0) clen = atol(line + 15);
        if (strncasecmp(line, "Transfer-Encoding:", 18) == 0 && find(line, (int)(le - line), "chunked")) chunked = 1;
        line = le + 2;
    }
    if (!chunked) return n >= head + clen ? head + (int)clen : 0;
    int p = head;
    for (;;) {
        const char *le = find(b + p, n - p, "\r\n");
        if (!le) return 0;
        char *stop;
        long sz = strtol(b + p, &stop, 16);
        if (stop == b + p || sz < 0) return -1;
        if (*stop != '\r' && *stop != ';') return -1;
        int data = (int)(le - b) + 2;
        if (sz == 0) {
            if (n < data + 2) return 0;
            return memcmp(b + data, "\r\n", 2) == 0 ? data + 2 : -1;
        }
        if (n < data + sz + 2) return 0;
        if (memcmp(b + data + sz, "\r\n", 2) != 0) return -1;
        p = data + (int)sz + 2;
    }
}

static int conn_fill(Conn *c) {
    if (c->have >= (int)sizeof c->buf) return -1;
    ssize_t n = recv(c->fd, c->buf + c->have, sizeof c->buf - (size_t)c->have, 0);
    if (n > 0) c->have += (int)n;
    return (int)n;
}

/* The next request into out (at most cap bytes kept): its length, or 0 at the end. */
static int read_request(Conn *c, char *out, int cap) {
    for (;;) {
        int len = request_len(c->buf, c->have);
        if (len < 0) return -1;
        if (len > 0) {
            memcpy(out, c->buf, (size_t)(len < cap ? len : cap));
            memmove(c->buf, c->buf + len, (size_t)(c->have - len));
            c->have -= len;
            return len < cap ? len : cap;
        }
        if (conn_fill(c) <= 0) return 0;
    }
}

/* n bytes out of the connection (waiting for them): 1, or 0 at the end. */
static int read_exact(Conn *c, void *out, int n) {
    while (c->have < n)
        if (conn_fill(c) <= 0) return 0;
    memcpy(out, c->buf, (size_t)n);
    memmove(c->buf, c->buf + n, (size_t)(c->have - n));
    c->have -= n;
    return 1;
}

static void drain(Conn *c) {
    char tmp[4096];
    while (recv(c->fd, tmp, sizeof tmp, 0) > 0) {}
}

static void srv_record(const char *p, int n) {
    pthread_mutex_lock(&srv_mu);
    long i = get(&srv_reqs);
    if (i < MAX_REQS) {
        int k = n < (int)sizeof srv_req[0] - 1 ? n : (int)sizeof srv_req[0] - 1;
        memcpy(srv_req[i], p, (size_t)k);
        srv_req[i][k] = 0;
        srv_req_len[i] = k;
    }
    pthread_mutex_unlock(&srv_mu);
    add(&srv_reqs, 1);
}

/* Answers each request with the next reply of the script. */
static void h_script(Conn *c) {
    char *req = c->req;
    for (;;) {
        int n = read_request(c, req, (int)sizeof c->req);
        if (n <= 0) return;
        pthread_mutex_lock(&srv_mu);
        Reply r = { NULL, R_NONE };
        if (srv_script_i < srv_script_n) r = srv_script[srv_script_i++];
        pthread_mutex_unlock(&srv_mu);
        srv_record(req, n);
        if (r.flags & R_HOLD) { drain(c); return; }
        if (r.flags & R_NONE) continue;
        if (r.flags & R_DELAY) sleep_ms(200);
        send_str(c->fd, r.data);
        if (r.flags & R_CLOSE) return;
    }
}

static void *conn_main(void *arg) {
    Conn *c = (Conn *)arg;
    struct timeval tv = { 10, 0 };
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    pthread_mutex_lock(&srv_mu);
    Handler h = srv_handler;
    const char *greet = srv_greeting;
    pthread_mutex_unlock(&srv_mu);
    if (greet) send_str(c->fd, greet);
    h(c);
    shutdown(c->fd, SHUT_RDWR);
    close(c->fd);
    free(c);
    return NULL;
}

static void *srv_main(void *arg) {
    (void)arg;
    while (!get(&srv_quit)) {
        struct pollfd pfd = { srv_listen_fd, POLLIN, 0 };
        if (poll(&pfd, 1, 50) <= 0) continue;
        int fd = accept(srv_listen_fd, NULL, NULL);
        if (fd < 0) continue;
        add(&srv_conns, 1);
        Conn *c = (Conn *)malloc(sizeof *c);
        c->fd = fd;
        c->have = 0;
        pthread_t t;
        pthread_create(&t, NULL, conn_main, c);
        pthread_detach(t);
    }
    return NULL;
}

static pthread_t srv_thread;
static void srv_start(void) {
    srv_listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(srv_listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    CHECK(bind(srv_listen_fd, (struct sockaddr *)&a, sizeof a) == 0);
    CHECK(listen(srv_listen_fd, 16) == 0);
    socklen_t len = sizeof a;
    getsockname(srv_listen_fd, (struct sockaddr *)&a, &len);
    srv_port = ntohs(a.sin_port);
    snprintf(srv_host, sizeof srv_host, "127.0.0.1:%u", (unsigned)srv_port);
    pthread_create(&srv_thread, NULL, srv_main, NULL);
}
static void srv_stop(void) {
    put(&srv_quit, 1);
    pthread_join(srv_thread, NULL);
    close(srv_listen_fd);
}

/* A new case: the handler of the next connections and the replies of h_script (NULL-ended). */
static void srv_set(Handler h, const char *greeting, const Reply *script) {
    pthread_mutex_lock(&srv_mu);
    srv_handler = h;
    srv_greeting = greeting;
    srv_script_n = 0;
    srv_script_i = 0;
    while (script && script[srv_script_n].data) {
        srv_script[srv_script_n] = script[srv_script_n];
        srv_script_n++;
    }
    put(&srv_reqs, 0);
    pthread_mutex_unlock(&srv_mu);
}

/* Request i as recorded (waits up to 5 s for it). */
static const char *srv_request(int i) {
    if (!wait_for(&srv_reqs, i + 1, 5000)) return "";
    pthread_mutex_lock(&srv_mu);
    const char *r = srv_req[i];
    pthread_mutex_unlock(&srv_mu);
    return r;
}

/* Checks request i against want, printing both when they differ. */
static int req_is(int i, const char *want, int line) {
    const char *got = srv_request(i);
    int ok = strcmp(got, want) == 0;
    if (!ok) fprintf(stderr, "line %d: request %d\n  got:  \"%s\"\n  want: \"%s\"\n", line, i, got, want);
    return ok;
}
#define REQ_IS(i, ...) do { char _w[4096]; snprintf(_w, sizeof _w, __VA_ARGS__); CHECK(req_is((i), _w, __LINE__)); } while (0)

static const char *OK0 = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

/* ===================================================================================== */
/* The components under test and their events                                            */
/* ===================================================================================== */

static int use_agent; /* the case runs over the HttpAgent (else the HttpClient) */
static HP_HttpAgentListener AL;
static HP_HttpAgent A;
static HP_CONNID A_id;
static HP_HttpClientListener CL;
static HP_HttpClient C;

/* An export of the agent or the client, for the connection under test. */
#define XCALL(name, ...) (use_agent ? HP_HttpAgent_##name(A, A_id, __VA_ARGS__) : HP_HttpClient_##name(C, __VA_ARGS__))
#define XCALL0(name) (use_agent ? HP_HttpAgent_##name(A, A_id) : HP_HttpClient_##name(C))
/* A setting of the agent or the client. */
#define XSET(name, v) (use_agent ? HP_HttpAgent_##name(A, v) : HP_HttpClient_##name(C, v))
#define XGET(name) (use_agent ? HP_HttpAgent_##name(A) : HP_HttpClient_##name(C))
/* Inside a callback: an export on the sender (an agent's, a client's or a sync client's). */
#define SCALL(name, ...) (use_agent ? HP_HttpAgent_##name(s, id, __VA_ARGS__) : HP_HttpClient_##name(s, __VA_ARGS__))
#define SCALL0(name) (use_agent ? HP_HttpAgent_##name(s, id) : HP_HttpClient_##name(s))

static pthread_mutex_t ev_mu = PTHREAD_MUTEX_INITIALIZER;
static char ev_log[8192];  /* the events, space separated */
static char ev_last;       /* the last token's first letter (body pieces are merged) */
static char ev_body[65536];
static int ev_body_len;
static char ws_body[131072];
static int ws_body_len;
static char raw[4096];
static volatile long raw_len;
static volatile long ev_prepares, ev_connects, ev_handshakes, ev_sends, ev_closes, ev_shutdowns;
static volatile long ev_begins, ev_completes, ev_upgrades, ev_errors, ev_ws_completes;
static volatile long ev_close_op = -1, ev_close_err = -1;
static volatile long ws_state_bad; /* GetWSMessageState disagreed with a frame */
static volatile long ws_mode;      /* OnHeadersComplete returns HPR_UPGRADE for a 101 */
static volatile long hc_error;     /* OnHeadersComplete returns HPR_ERROR */
static volatile long last_status;
/* Snapshots of the accessors taken in OnMessageComplete */
static volatile long mc_status, mc_keepalive, mc_version, mc_upgrade;
static volatile long long mc_clen;
/* OnParseError */
static volatile long pe_code = -1, pe_code_get = -1, pe_desc_ok;
static unsigned long long ws_cur_len, ws_cur_seen;

static void ev_add(char tag, const char *fmt, ...) {
    pthread_mutex_lock(&ev_mu);
    if (!(tag && tag == ev_last)) {
        size_t at = strlen(ev_log);
        if (at + 1 < sizeof ev_log) {
            if (at) ev_log[at++] = ' ';
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(ev_log + at, sizeof ev_log - at, fmt, ap);
            va_end(ap);
        }
    }
    ev_last = tag;
    pthread_mutex_unlock(&ev_mu);
}

static void ev_reset(void) {
    pthread_mutex_lock(&ev_mu);
    ev_log[0] = 0;
    ev_last = 0;
    ev_body_len = 0;
    ws_body_len = 0;
    memset(ev_body, 0, sizeof ev_body);
    memset(ws_body, 0, sizeof ws_body);
    memset(raw, 0, sizeof raw);
    pthread_mutex_unlock(&ev_mu);
    put(&raw_len, 0);
    volatile long *all[] = { &ev_prepares, &ev_connects, &ev_handshakes, &ev_sends, &ev_closes, &ev_shutdowns, &ev_begins,
                             &ev_completes, &ev_upgrades, &ev_errors, &ev_ws_completes, &ws_state_bad, &pe_desc_ok };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) put(all[i], 0);
    put(&ev_close_op, -1);
    put(&ev_close_err, -1);
    put(&pe_code, -1);
    put(&pe_code_get, -1);
}

/* Checks the event log against want, printing both when they differ. */
static int log_is(const char *want, int line) {
    pthread_mutex_lock(&ev_mu);
    int ok = strcmp(ev_log, want) == 0;
    if (!ok) fprintf(stderr, "line %d: events\n  got:  \"%s\"\n  want: \"%s\"\n", line, ev_log, want);
    pthread_mutex_unlock(&ev_mu);
    return ok;
}
#define LOG_IS(...) do { char _w[4096]; snprintf(_w, sizeof _w, __VA_ARGS__); CHECK(log_is(_w, __LINE__)); } while (0)

static En_HP_HandleResult __HP_CALL on_prepare(HP_Client s, HP_CONNID id, UINT_PTR so) { (void)s; (void)id; (void)so; add(&ev_prepares, 1); return HR_OK; }
static En_HP_HandleResult __HP_CALL on_connect(HP_Client s, HP_CONNID id) { (void)s; (void)id; add(&ev_connects, 1); return HR_OK; }
static En_HP_HandleResult __HP_CALL on_handshake(HP_Client s, HP_CONNID id) { (void)s; (void)id; add(&ev_handshakes, 1); return HR_OK; }
static En_HP_HandleResult __HP_CALL on_send(HP_Client s, HP_CONNID id, const BYTE *p, int n) { (void)s; (void)id; (void)p; (void)n; add(&ev_sends, 1); return HR_OK; }
static En_HP_HandleResult __HP_CALL on_receive(HP_Client s, HP_CONNID id, const BYTE *p, int n) {
    (void)s; (void)id;
    pthread_mutex_lock(&ev_mu);
    long at = get(&raw_len);
    if (at + n < (long)sizeof raw) memcpy(raw + at, p, (size_t)n);
    pthread_mutex_unlock(&ev_mu);
    add(&raw_len, n);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_close(HP_Client s, HP_CONNID id, En_HP_SocketOperation op, int err) {
    (void)s; (void)id;
    put(&ev_close_op, op);
    put(&ev_close_err, err);
    ev_add(0, "X");
    add(&ev_closes, 1);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_shutdown(HP_Agent s) { (void)s; add(&ev_shutdowns, 1); return HR_OK; }

static En_HP_HttpParseResult __HP_CALL on_begin(HP_Http s, HP_CONNID id) { (void)s; (void)id; ev_add(0, "B"); add(&ev_begins, 1); return HPR_OK; }
static En_HP_HttpParseResult __HP_CALL on_status(HP_Http s, HP_CONNID id, USHORT code, LPCSTR reason) {
    (void)s; (void)id;
    put(&last_status, code);
    ev_add(0, "S%u:%s", (unsigned)code, reason ? reason : "(null)");
    return HPR_OK;
}
static En_HP_HttpParseResult __HP_CALL on_header(HP_Http s, HP_CONNID id, LPCSTR name, LPCSTR value) {
    (void)s; (void)id;
    ev_add(0, "H:%s=%s", name, value);
    return HPR_OK;
}
static En_HP_HttpParseResult __HP_CALL on_headers_complete(HP_Http s, HP_CONNID id) {
    (void)s; (void)id;
    ev_add(0, "C");
    if (get(&hc_error)) return HPR_ERROR;
    return (get(&ws_mode) && get(&last_status) == 101) ? HPR_UPGRADE : HPR_OK;
}
static En_HP_HttpParseResult __HP_CALL on_body(HP_Http s, HP_CONNID id, const BYTE *p, int n) {
    (void)s; (void)id;
    ev_add('b', "b");
    pthread_mutex_lock(&ev_mu);
    if (ev_body_len + n < (int)sizeof ev_body) { memcpy(ev_body + ev_body_len, p, (size_t)n); ev_body_len += n; }
    pthread_mutex_unlock(&ev_mu);
    return HPR_OK;
}
static En_HP_HttpParseResult __HP_CALL on_chunk_header(HP_Http s, HP_CONNID id, int n) { (void)s; (void)id; ev_add(0, "K%d", n); return HPR_OK; }
static En_HP_HttpParseResult __HP_CALL on_chunk_complete(HP_Http s, HP_CONNID id) { (void)s; (void)id; ev_add(0, "k"); return HPR_OK; }
static En_HP_HttpParseResult __HP_CALL on_complete(HP_Http s, HP_CONNID id) {
    put(&mc_status, SCALL0(GetStatusCode));
    put(&mc_keepalive, SCALL0(IsKeepAlive));
    put(&mc_version, SCALL0(GetVersion));
    put(&mc_upgrade, SCALL0(IsUpgrade));
    __atomic_store_n(&mc_clen, (long long)SCALL0(GetContentLength), __ATOMIC_SEQ_CST);
    ev_add(0, "M");
    add(&ev_completes, 1);
    return HPR_OK;
}
static En_HP_HttpParseResult __HP_CALL on_upgrade(HP_Http s, HP_CONNID id, En_HP_HttpUpgradeType t) {
    (void)s; (void)id;
    ev_add(0, "U%d", (int)t);
    add(&ev_upgrades, 1);
    return HPR_OK;
}
static En_HP_HttpParseResult __HP_CALL on_parse_error(HP_Http s, HP_CONNID id, int code, LPCSTR desc) {
    LPCSTR d2 = NULL;
    put(&pe_code_get, SCALL(GetParseErrorCode, &d2));
    put(&pe_code, code);
    put(&pe_desc_ok, desc != NULL && d2 != NULL && desc[0] != 0);
    ev_add(0, "E%d", code);
    add(&ev_errors, 1);
    return HPR_OK;
}
static En_HP_HandleResult __HP_CALL on_ws_header(HP_Http s, HP_CONNID id, BOOL fin, BYTE rsv, BYTE op, const BYTE *mask, ULONGLONG len) {
    BOOL f = 2;
    BYTE r = 9, o = 99;
    LPCBYTE m = (LPCBYTE)"x";
    ULONGLONG bl = 1234, rem = 1234;
    if (!SCALL(GetWSMessageState, &f, &r, &o, &m, &bl, &rem) || f != fin || r != rsv || o != op || m != mask || bl != len || rem != len)
        add(&ws_state_bad, 1);
    ws_cur_len = len;
    ws_cur_seen = 0;
    ev_add(0, "w%d%d:%llu", fin ? 1 : 0, (int)op, (unsigned long long)len);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_ws_body(HP_Http s, HP_CONNID id, const BYTE *p, int n) {
    ULONGLONG bl = 0, rem = 0;
    ws_cur_seen += (unsigned long long)n;
    if (!SCALL(GetWSMessageState, NULL, NULL, NULL, NULL, &bl, &rem) || bl != ws_cur_len || rem != ws_cur_len - ws_cur_seen)
        add(&ws_state_bad, 1);
    ev_add('W', "W");
    pthread_mutex_lock(&ev_mu);
    if (ws_body_len + n < (int)sizeof ws_body) { memcpy(ws_body + ws_body_len, p, (size_t)n); ws_body_len += n; }
    pthread_mutex_unlock(&ev_mu);
    return HR_OK;
}
static En_HP_HandleResult __HP_CALL on_ws_complete(HP_Http s, HP_CONNID id) {
    (void)s; (void)id;
    ev_add(0, "c");
    add(&ev_ws_completes, 1);
    return HR_OK;
}

static void set_agent_listener(HP_HttpAgentListener l) {
    HP_Set_FN_HttpAgent_OnPrepareConnect(l, on_prepare);
    HP_Set_FN_HttpAgent_OnConnect(l, on_connect);
    HP_Set_FN_HttpAgent_OnHandShake(l, on_handshake);
    HP_Set_FN_HttpAgent_OnSend(l, on_send);
    HP_Set_FN_HttpAgent_OnReceive(l, on_receive);
    HP_Set_FN_HttpAgent_OnClose(l, on_close);
    HP_Set_FN_HttpAgent_OnShutdown(l, on_shutdown);
    HP_Set_FN_HttpAgent_OnMessageBegin(l, on_begin);
    HP_Set_FN_HttpAgent_OnStatusLine(l, on_status);
    HP_Set_FN_HttpAgent_OnHeader(l, on_header);
    HP_Set_FN_HttpAgent_OnHeadersComplete(l, on_headers_complete);
    HP_Set_FN_HttpAgent_OnBody(l, on_body);
    HP_Set_FN_HttpAgent_OnChunkHeader(l, on_chunk_header);
    HP_Set_FN_HttpAgent_OnChunkComplete(l, on_chunk_complete);
    HP_Set_FN_HttpAgent_OnMessageComplete(l, on_complete);
    HP_Set_FN_HttpAgent_OnUpgrade(l, on_upgrade);
    HP_Set_FN_HttpAgent_OnParseError(l, on_parse_error);
    HP_Set_FN_HttpAgent_OnWSMessageHeader(l, on_ws_header);
    HP_Set_FN_HttpAgent_OnWSMessageBody(l, on_ws_body);
    HP_Set_FN_HttpAgent_OnWSMessageComplete(l, on_ws_complete);
}

static void set_client_listener(HP_HttpClientListener l) {
    HP_Set_FN_HttpClient_OnPrepareConnect(l, on_prepare);
    HP_Set_FN_HttpClient_OnConnect(l, on_connect);
    HP_Set_FN_HttpClient_OnHandShake(l, on_handshake);
    HP_Set_FN_HttpClient_OnSend(l, on_send);
    HP_Set_FN_HttpClient_OnReceive(l, on_receive);
    HP_Set_FN_HttpClient_OnClose(l, on_close);
    HP_Set_FN_HttpClient_OnMessageBegin(l, on_begin);
    HP_Set_FN_HttpClient_OnStatusLine(l, on_status);
    HP_Set_FN_HttpClient_OnHeader(l, on_header);
    HP_Set_FN_HttpClient_OnHeadersComplete(l, on_headers_complete);
    HP_Set_FN_HttpClient_OnBody(l, on_body);
    HP_Set_FN_HttpClient_OnChunkHeader(l, on_chunk_header);
    HP_Set_FN_HttpClient_OnChunkComplete(l, on_chunk_complete);
    HP_Set_FN_HttpClient_OnMessageComplete(l, on_complete);
    HP_Set_FN_HttpClient_OnUpgrade(l, on_upgrade);
    HP_Set_FN_HttpClient_OnParseError(l, on_parse_error);
    HP_Set_FN_HttpClient_OnWSMessageHeader(l, on_ws_header);
    HP_Set_FN_HttpClient_OnWSMessageBody(l, on_ws_body);
    HP_Set_FN_HttpClient_OnWSMessageComplete(l, on_ws_complete);
}

/* Starts the component under test and connects it to the test server. */
static int x_start(void) {
    ev_reset();
    BOOL ok;
    if (use_agent) {
        ok = HP_Agent_Start(A, NULL, FALSE);
        CHECK(ok);
        HP_CONNID id = 0;
        ok = ok && HP_Agent_Connect(A, "127.0.0.1", srv_port, &id);
        A_id = id;
    } else {
        ok = HP_Client_Start(C, "127.0.0.1", srv_port, FALSE);
    }
    CHECK(ok);
    CHECK(wait_for(&ev_connects, 1, 5000));
    return ok;
}

static void x_stop(void) {
    if (use_agent) {
        HP_Agent_Stop(A);
        CHECK(HP_Agent_Wait(A, 5000));
        CHECK_EQ(HP_Agent_GetState(A), SS_STOPPED);
    } else {
        HP_Client_Stop(C);
        CHECK(HP_Client_Wait(C, 5000));
        CHECK_EQ(HP_Client_GetState(C), SS_STOPPED);
    }
}

/* Sends a request through f (a statement) and waits for its response. */
#define AWAIT(n) CHECK(wait_for(&ev_completes, (n), 5000))

/* ===================================================================================== */
/* Requests                                                                              */
/* ===================================================================================== */

static char tmp_file[64];

static void test_request_bytes(void) {
    Reply script[] = { { OK0, 0 }, { OK0, 0 }, { OK0, 0 }, { OK0, 0 }, { OK0, 0 }, { OK0, 0 }, { OK0, 0 },
                       { OK0, 0 }, { OK0, 0 }, { OK0, 0 }, { OK0, 0 }, { OK0, 0 }, { OK0, 0 }, { NULL, 0 } };
    srv_set(h_script, NULL, script);
    if (!x_start()) return;
    CHECK(wait_for(&ev_handshakes, 1, 5000));
    CHECK_EQ(get(&ev_prepares), 1);
    int k = 0;
    CHECK(!XCALL0(StartHttp)); /* auto start on: refused */

    THeader two[] = { { "X-A", "1" }, { "X-B", "two" } };
    CHECK(XCALL(SendRequest, "get", "path?x=1", two, 2, NULL, 0)); /* upper-cased, '/' added */
    AWAIT(++k);
    REQ_IS(0, "GET /path?x=1 HTTP/1.1\r\nX-A: 1\r\nX-B: two\r\nHost: %s\r\n\r\n", srv_host);

    CHECK(XCALL(SendPost, "/post", NULL, 0, (const BYTE *)"hello", 5));
    AWAIT(++k);
    REQ_IS(1, "POST /post HTTP/1.1\r\nContent-Length: 5\r\nHost: %s\r\n\r\nhello", srv_host);

    THeader ct[] = { { "Content-Type", "text/plain" } };
    CHECK(XCALL(SendPut, "put", ct, 1, (const BYTE *)"abc", 3));
    AWAIT(++k);
    REQ_IS(2, "PUT /put HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nHost: %s\r\n\r\nabc", srv_host);

    CHECK(XCALL(SendPatch, "/patch", NULL, 0, NULL, 0)); /* no body: no Content-Length */
    AWAIT(++k);
    REQ_IS(3, "PATCH /patch HTTP/1.1\r\nHost: %s\r\n\r\n", srv_host);

    THeader host[] = { { "Host", "example.com" } };
    CHECK(XCALL(SendGet, "/get", host, 1)); /* the caller's Host is kept, none added */
    AWAIT(++k);
    REQ_IS(4, "GET /get HTTP/1.1\r\nHost: example.com\r\n\r\n");

    CHECK(XCALL(SendDelete, "/del", NULL, 0));
    AWAIT(++k);
    REQ_IS(5, "DELETE /del HTTP/1.1\r\nHost: %s\r\n\r\n", srv_host);

    CHECK(XCALL(SendTrace, "/trace", NULL, 0));
    AWAIT(++k);
    REQ_IS(6, "TRACE /trace HTTP/1.1\r\nHost: %s\r\n\r\n", srv_host);

    CHECK(XCALL(SendOptions, "/opt", NULL, 0));
    AWAIT(++k);
    REQ_IS(7, "OPTIONS /opt HTTP/1.1\r\nHost: %s\r\n\r\n", srv_host);

    CHECK(XCALL(SendConnect, "127.0.0.1:443", NULL, 0)); /* an authority: no '/', no Host */
    AWAIT(++k);
    REQ_IS(8, "CONNECT 127.0.0.1:443 HTTP/1.1\r\n\r\n");

    THeader cl[] = { { "Content-Length", "4" } };
    CHECK(XCALL(SendRequest, "Post", "/cl", cl, 1, (const BYTE *)"wxyz", 4)); /* the caller's Content-Length only */
    AWAIT(++k);
    REQ_IS(9, "POST /cl HTTP/1.1\r\nContent-Length: 4\r\nHost: %s\r\n\r\nwxyz", srv_host);

    CHECK(XCALL(SendPost, "", NULL, 0, (const BYTE *)"", 0)); /* an empty path is "/" */
    AWAIT(++k);
    REQ_IS(10, "POST / HTTP/1.1\r\nHost: %s\r\n\r\n", srv_host);

    /* a local file as the body */
    FILE *f = fopen(tmp_file, "w");
    fputs("file-body-123", f);
    fclose(f);
    CHECK(XCALL(SendLocalFile, tmp_file, "put", "/file", NULL, 0));
    AWAIT(++k);
    REQ_IS(11, "PUT /file HTTP/1.1\r\nContent-Length: 13\r\nHost: %s\r\n\r\nfile-body-123", srv_host);
    errno = 0;
    CHECK(!XCALL(SendLocalFile, "/nonexistent/file.txt", "PUT", "/file", NULL, 0));
    CHECK_EQ(SYS_GetLastError(), ENOENT);

    /* a chunked body */
    THeader te[] = { { "Transfer-Encoding", "chunked" } };
    CHECK(XCALL(SendRequest, "POST", "/chunk", te, 1, NULL, 0));
    CHECK(XCALL(SendChunkData, (const BYTE *)"abc", 3, NULL));
    CHECK(XCALL(SendChunkData, (const BYTE *)"hello world", 11, "ext=1"));
    CHECK(XCALL(SendChunkData, NULL, 0, NULL));
    AWAIT(++k);
    /* upstream writes "b ;ext=1", which strict llhttp refuses; this library writes "b;ext=1" */
    REQ_IS(12, "POST /chunk HTTP/1.1\r\nTransfer-Encoding: chunked\r\nHost: %s\r\n\r\n3\r\nabc\r\nb;ext=1\r\nhello world\r\n0\r\n\r\n", srv_host);

    /* refusals: no method, a negative length */
    CHECK(!XCALL(SendRequest, NULL, "/", NULL, 0, NULL, 0));
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    CHECK(!XCALL(SendPost, "/", NULL, 0, (const BYTE *)"x", -1));
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    /* nothing else went out */
    sleep_ms(50);
    CHECK_EQ(get(&srv_reqs), 13);
    CHECK_EQ(get(&raw_len), 0); /* HTTP bytes never reach OnReceive */
    CHECK(get(&ev_sends) > 0);
    x_stop();
    CHECK_EQ(get(&ev_closes), 1);
    if (use_agent) CHECK_EQ(get(&ev_shutdowns), 1);
}

/* SetLocalVersion(HV_1_0): the request line says HTTP/1.0; the response's version is read back. */
static void test_http10(void) {
    Reply script[] = { { "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", 0 }, { NULL, 0 } };
    srv_set(h_script, NULL, script);
    CHECK_EQ(XGET(GetLocalVersion), HV_1_1);
    XSET(SetLocalVersion, HV_1_0);
    CHECK_EQ(XGET(GetLocalVersion), HV_1_0);
    if (!x_start()) return;
    CHECK(XCALL(SendGet, "/v", NULL, 0));
    AWAIT(1);
    REQ_IS(0, "GET /v HTTP/1.0\r\nHost: %s\r\n\r\n", srv_host);
    CHECK_EQ(get(&mc_version), 1); /* MAKEWORD(1, 0) */
    CHECK_EQ(get(&mc_keepalive), FALSE);
    x_stop();
    XSET(SetLocalVersion, HV_1_1);
    CHECK_EQ(XGET(GetLocalVersion), HV_1_1);
}

/* ===================================================================================== */
/* Responses                                                                             */
/* ===================================================================================== */

static void test_response_events(void) {
    Reply script[] = {
        { "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: identity\r\nX-Multi: a\r\nX-Multi: b\r\n"
          "Content-Length: 5\r\n\r\nhello", 0 },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", 0 },
        { NULL, 0 } };
    srv_set(h_script, NULL, script);
    if (!x_start()) return;

    /* before any response */
    CHECK_EQ(XCALL0(GetStatusCode), 0);
    CHECK(!XCALL(GetWSMessageState, NULL, NULL, NULL, NULL, NULL, NULL)); /* no WebSocket */

    CHECK(XCALL(SendGet, "/a", NULL, 0));
    AWAIT(1);
    LOG_IS("B S200:OK H:Content-Type=text/html H:Content-Encoding=identity H:X-Multi=a H:X-Multi=b H:Content-Length=5 C b M");
    CHECK(strcmp(ev_body, "hello") == 0);
    CHECK_EQ(get(&mc_status), 200);
    CHECK_EQ(get(&mc_version), 0x0101);
    CHECK_EQ(get(&mc_keepalive), TRUE);
    CHECK_EQ(get(&mc_upgrade), FALSE);
    CHECK_EQ(__atomic_load_n(&mc_clen, __ATOMIC_SEQ_CST), 5);
    /* the accessors keep the response after it completed */
    CHECK_EQ(XCALL0(GetStatusCode), 200);
    CHECK_EQ(XCALL0(GetVersion), 0x0101);
    CHECK(XCALL0(IsKeepAlive));
    CHECK(!XCALL0(IsUpgrade));
    CHECK_EQ(XCALL0(GetUpgradeType), HUT_NONE);
    CHECK_EQ(XCALL0(GetContentLength), 5);
    LPCSTR v = XCALL0(GetContentType);
    CHECK(v && strcmp(v, "text/html") == 0);
    v = XCALL0(GetContentEncoding);
    CHECK(v && strcmp(v, "identity") == 0);
    CHECK(XCALL0(GetTransferEncoding) == NULL);
    v = NULL;
    CHECK(XCALL(GetHeader, "content-TYPE", &v)); /* names ignore case */
    CHECK(v && strcmp(v, "text/html") == 0);
    CHECK(!XCALL(GetHeader, "X-None", &v));
    /* GetHeaders: the count protocol */
    LPCSTR vals[4] = { NULL, NULL, NULL, NULL };
    DWORD n = 0;
    CHECK(!XCALL(GetHeaders, "x-multi", vals, &n));
    CHECK_EQ(n, 2);
    n = 4;
    CHECK(!XCALL(GetHeaders, "x-multi", NULL, &n));
    CHECK_EQ(n, 2);
    n = 1;
    CHECK(!XCALL(GetHeaders, "x-multi", vals, &n));
    CHECK_EQ(n, 2);
    n = 4;
    CHECK(XCALL(GetHeaders, "x-multi", vals, &n));
    CHECK_EQ(n, 2);
    CHECK(vals[0] && vals[1] && ((strcmp(vals[0], "a") == 0 && strcmp(vals[1], "b") == 0) || (strcmp(vals[0], "b") == 0 && strcmp(vals[1], "a") == 0)));
    n = 4;
    CHECK(!XCALL(GetHeaders, "x-none", vals, &n));
    CHECK_EQ(n, 0);
    /* GetAllHeaders / GetAllHeaderNames */
    THeader hs[8];
    n = 0;
    CHECK(!XCALL(GetAllHeaders, NULL, &n));
    CHECK_EQ(n, 5);
    n = 4;
    CHECK(!XCALL(GetAllHeaders, hs, &n));
    CHECK_EQ(n, 5);
    n = 8;
    CHECK(XCALL(GetAllHeaders, hs, &n));
    CHECK_EQ(n, 5);
    int seen = 0;
    for (DWORD i = 0; i < n && i < 8; i++) {
        if (strcmp(hs[i].name, "Content-Length") == 0 && strcmp(hs[i].value, "5") == 0) seen |= 1;
        if (strcmp(hs[i].name, "X-Multi") == 0 && strcmp(hs[i].value, "b") == 0) seen |= 2;
        if (strcmp(hs[i].name, "Content-Type") == 0 && strcmp(hs[i].value, "text/html") == 0) seen |= 4;
    }
    CHECK_EQ(seen, 7);
    LPCSTR names[8];
    n = 0;
    CHECK(!XCALL(GetAllHeaderNames, NULL, &n));
    CHECK_EQ(n, 5);
    n = 2;
    CHECK(!XCALL(GetAllHeaderNames, names, &n));
    CHECK_EQ(n, 5);
    n = 8;
    CHECK(XCALL(GetAllHeaderNames, names, &n));
    CHECK_EQ(n, 5);
    int multi = 0;
    for (DWORD i = 0; i < n && i < 8; i++) multi += strcmp(names[i], "X-Multi") == 0;
    CHECK_EQ(multi, 2);
    /* no parse error */
    LPCSTR desc = NULL;
    CHECK_EQ(XCALL(GetParseErrorCode, &desc), 0);
    CHECK_EQ(XCALL(GetParseErrorCode, NULL), 0);
    /* no cookies */
    n = 4;
    TCookie ck[4];
    CHECK(!XCALL(GetAllCookies, ck, &n));
    CHECK_EQ(n, 0);

    /* a chunked response */
    ev_reset();
    CHECK(XCALL(SendGet, "/chunked", NULL, 0));
    AWAIT(1);
    LOG_IS("B S200:OK H:Transfer-Encoding=chunked C K5 b k K6 b k K0 k M");
    CHECK(strcmp(ev_body, "hello world") == 0);
    v = XCALL0(GetTransferEncoding);
    CHECK(v && strcmp(v, "chunked") == 0);
    CHECK(XCALL0(GetContentType) == NULL); /* the last response's headers only */
    CHECK(XCALL0(IsKeepAlive));
    x_stop();
}

/* A response without Content-Length ends with the server's close. */
static void test_close_delimited(void) {
    Reply script[] = { { "HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\nuntil the close", R_CLOSE }, { NULL, 0 } };
    srv_set(h_script, NULL, script);
    if (!x_start()) return;
    CHECK(XCALL(SendGet, "/eof", NULL, 0));
    CHECK(wait_for(&ev_closes, 1, 5000));
    /* The close completes the message before OnClose, as upstream's DoFireClose
     * (CheckBodyIdentityEof, llhttp_finish). */
    CHECK_EQ(get(&ev_completes), 1);
    LOG_IS("B S200:OK H:X-A=1 C b M X");
    CHECK(strcmp(ev_body, "until the close") == 0);
    if (get(&ev_completes) == 1) {
        CHECK_EQ(get(&mc_status), 200);
        CHECK_EQ(get(&mc_keepalive), FALSE);
    }
    x_stop();
}

/* HEAD: no body is read even with a Content-Length; 204 and 304 with a Content-Length have none
 * either; the next response on the connection parses. Then two responses in one write. */
static void test_no_body_and_pipelining(void) {
    Reply script[] = { { "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", 0 },
                       { "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", 0 },
                       { "HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n", 0 },
                       { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 0 },
                       { "", R_NONE },
                       { "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\n2", 0 },
                       { NULL, 0 } };
    srv_set(h_script, NULL, script);
    if (!x_start()) return;
    CHECK(XCALL(SendHead, "/h", NULL, 0));
    AWAIT(1);
    REQ_IS(0, "HEAD /h HTTP/1.1\r\nHost: %s\r\n\r\n", srv_host);
    CHECK_EQ(__atomic_load_n(&mc_clen, __ATOMIC_SEQ_CST), 10);
    CHECK(XCALL(SendGet, "/204", NULL, 0));
    AWAIT(2);
    CHECK(XCALL(SendGet, "/304", NULL, 0));
    AWAIT(3);
    CHECK(XCALL(SendGet, "/200", NULL, 0));
    AWAIT(4);
    LOG_IS("B S200:OK H:Content-Length=10 C M B S204:No Content H:Content-Length=5 C M "
           "B S304:Not Modified H:Content-Length=7 C M B S200:OK H:Content-Length=2 C b M");
    CHECK(strcmp(ev_body, "ok") == 0);

    ev_reset();
    CHECK(XCALL(SendGet, "/p1", NULL, 0));
    CHECK(XCALL(SendGet, "/p2", NULL, 0));
    AWAIT(2);
    LOG_IS("B S200:OK H:Content-Length=1 C b M B S201:Created H:Content-Length=1 C b M");
    CHECK(strcmp(ev_body, "12") == 0);
    CHECK_EQ(XCALL0(GetStatusCode), 201);
    CHECK_EQ(get(&ev_closes), 0);
    x_stop();
}

/* ===================================================================================== */
/* Cookies                                                                               */
/* ===================================================================================== */

static char cookie_file[64];
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
static const char *saved_cookies(void) {
    CHECK(HP_HttpCookie_MGR_SaveToFile(cookie_file, FALSE));
    return slurp(cookie_file);
}

static void test_cookies(void) {
    Reply script[] = {
        { "HTTP/1.1 200 OK\r\nSet-Cookie: a=1; Path=/\r\nSet-Cookie: p=2; Path=/; Max-Age=3600\r\nContent-Length: 0\r\n\r\n", 0 },
        { OK0, 0 }, { OK0, 0 }, { OK0, 0 }, { NULL, 0 } };
    CHECK(HP_HttpCookie_MGR_ClearCookies(NULL, NULL));
    srv_set(h_script, NULL, script);
    CHECK(XGET(IsUseCookie)); /* the default */
    if (!x_start()) return;
    CHECK(XCALL(SendGet, "/c", NULL, 0));
    AWAIT(1);
    REQ_IS(0, "GET /c HTTP/1.1\r\nHost: %s\r\n\r\n", srv_host);
    /* the response's cookies on the client (names are exact) */
    LPCSTR v = NULL;
    CHECK(XCALL(GetCookie, "a", &v));
    CHECK(v && strcmp(v, "1") == 0);
    CHECK(!XCALL(GetCookie, "A", &v));
    TCookie ck[4];
    DWORD n = 0;
    CHECK(!XCALL(GetAllCookies, NULL, &n));
    CHECK_EQ(n, 2);
    n = 1;
    CHECK(!XCALL(GetAllCookies, ck, &n));
    CHECK_EQ(n, 2);
    n = 4;
    CHECK(XCALL(GetAllCookies, ck, &n));
    CHECK_EQ(n, 2);
    int both = 0;
    for (DWORD i = 0; i < n && i < 4; i++) {
        if (strcmp(ck[i].name, "a") == 0 && strcmp(ck[i].value, "1") == 0) both |= 1;
        if (strcmp(ck[i].name, "p") == 0 && strcmp(ck[i].value, "2") == 0) both |= 2;
    }
    CHECK_EQ(both, 3);
    /* in the store: the persistent one is in the file, the session one is not saved */
    const char *file = saved_cookies();
    CHECK(strstr(file, "127.0.0.1 /\n") != NULL);
    CHECK(strstr(file, "\tp;2;") != NULL);
    CHECK(strstr(file, "\ta;") == NULL);
    /* the next request to the same host carries both */
    CHECK(XCALL(SendGet, "/d", NULL, 0));
    AWAIT(2);
    const char *r = srv_request(1);
    char w1[256], w2[256];
    snprintf(w1, sizeof w1, "GET /d HTTP/1.1\r\nHost: %s\r\nCookie: a=1; p=2\r\n\r\n", srv_host);
    snprintf(w2, sizeof w2, "GET /d HTTP/1.1\r\nHost: %s\r\nCookie: p=2; a=1\r\n\r\n", srv_host);
    CHECK(strcmp(r, w1) == 0 || strcmp(r, w2) == 0);
    if (strcmp(r, w1) != 0 && strcmp(r, w2) != 0) fprintf(stderr, "  got: \"%s\"\n", r);
    /* upstream's client holds the cookies it sent (ReloadCookies in SendRequest) plus those the
     * response set: "a" stays readable though this response set none */
    CHECK(XCALL(GetCookie, "a", &v));
    /* a cookie stored by the application goes out with the next request */
    CHECK(HP_HttpCookie_MGR_ClearCookies(NULL, NULL));
    CHECK(HP_HttpCookie_MGR_SetCookie("pre", "x", "127.0.0.1", "/", -1, FALSE, FALSE, 0, FALSE));
    CHECK(XCALL(SendGet, "/e", NULL, 0));
    AWAIT(3);
    REQ_IS(2, "GET /e HTTP/1.1\r\nHost: %s\r\nCookie: pre=x\r\n\r\n", srv_host);
    /* As upstream's SendRequest (ReloadCookies), the client's cookie list is the store's for each
     * request: after this response (which set none) GetCookie("pre") gives "x" and "a", cleared
     * from the store, is gone. */
    v = NULL;
    CHECK(XCALL(GetCookie, "pre", &v) && v && strcmp(v, "x") == 0);
    CHECK(!XCALL(GetCookie, "a", &v));
    /* a cleared store: no Cookie header */
    CHECK(HP_HttpCookie_MGR_ClearCookies(NULL, NULL));
    CHECK(XCALL(SendGet, "/f", NULL, 0));
    AWAIT(4);
    REQ_IS(3, "GET /f HTTP/1.1\r\nHost: %s\r\n\r\n", srv_host);
    x_stop();

    /* SetUseCookie(FALSE): nothing sent, nothing stored */
    Reply script2[] = { { "HTTP/1.1 200 OK\r\nSet-Cookie: b=2; Path=/; Max-Age=3600\r\nContent-Length: 0\r\n\r\n", 0 }, { NULL, 0 } };
    srv_set(h_script, NULL, script2);
    CHECK(HP_HttpCookie_MGR_SetCookie("keep", "k", "127.0.0.1", "/", 3600, FALSE, FALSE, 0, FALSE));
    XSET(SetUseCookie, FALSE);
    CHECK(!XGET(IsUseCookie));
    if (!x_start()) return;
    CHECK(XCALL(SendGet, "/nc", NULL, 0));
    AWAIT(1);
    REQ_IS(0, "GET /nc HTTP/1.1\r\nHost: %s\r\n\r\n", srv_host);
    file = saved_cookies();
    CHECK(strstr(file, "\tkeep;k;") != NULL);
    CHECK(strstr(file, "\tb;") == NULL);
    CHECK(!XCALL(GetCookie, "b", &v));
    x_stop();
    XSET(SetUseCookie, TRUE);
    CHECK(XGET(IsUseCookie));
    CHECK(HP_HttpCookie_MGR_ClearCookies(NULL, NULL));
}

/* ===================================================================================== */
/* WebSocket                                                                             */
/* ===================================================================================== */

typedef struct {
    int fin, opcode, masked, len;
    BYTE mask[4];
    BYTE data[1024];
} Frame;
static Frame ws_rx[8];
static volatile long ws_frames;    /* frames the server read */
static volatile long ws_go_masked; /* main -> server: send a masked frame now */

static int read_frame(Conn *c, Frame *f) {
    BYTE h[2], ext[8];
    if (!read_exact(c, h, 2)) return 0;
    f->fin = h[0] >> 7;
    f->opcode = h[0] & 15;
    f->masked = h[1] >> 7;
    unsigned long long len = h[1] & 127;
    if (len == 126) {
        if (!read_exact(c, ext, 2)) return 0;
        len = ((unsigned)ext[0] << 8) | ext[1];
    } else if (len == 127) {
        if (!read_exact(c, ext, 8)) return 0;
        len = 0;
        for (int i = 0; i < 8; i++) len = (len << 8) | ext[i];
    }
    if (f->masked && !read_exact(c, f->mask, 4)) return 0;
    if (len > sizeof f->data) return 0;
    f->len = (int)len;
    if (!read_exact(c, f->data, f->len)) return 0;
    if (f->masked)
        for (int i = 0; i < f->len; i++) f->data[i] ^= f->mask[i & 3];
    return 1;
}

static void h_ws(Conn *c) {
    char *req = c->req;
    int n = read_request(c, req, (int)sizeof c->req);
    if (n <= 0) return;
    srv_record(req, n);
    send_str(c->fd, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
    for (int i = 0; i < 4; i++) {
        if (!read_frame(c, &ws_rx[i])) return;
        add(&ws_frames, 1);
    }
    /* text "srv-text"; a text message in two fragments "ab" + "cd"; an empty ping; 70000 bytes
     * with a 64-bit length */
    static const BYTE frames[] = { 0x81, 8, 's', 'r', 'v', '-', 't', 'e', 'x', 't', 0x01, 2, 'a', 'b', 0x80, 2, 'c', 'd', 0x89, 0,
                                   0x82, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70 };
    send_all(c->fd, frames, sizeof frames);
    static BYTE zs[70000];
    memset(zs, 'z', sizeof zs);
    send_all(c->fd, zs, sizeof zs);
    for (int i = 0; i < 1000 && !get(&ws_go_masked); i++) sleep_ms(10);
    /* a masked frame: a client refuses it */
    BYTE masked[] = { 0x81, 0x82, 1, 2, 3, 4, (BYTE)('h' ^ 1), (BYTE)('i' ^ 2) };
    send_all(c->fd, masked, sizeof masked);
    drain(c);
}

static void test_websocket(void) {
    srv_set(h_ws, NULL, NULL);
    put(&ws_frames, 0);
    put(&ws_go_masked, 0);
    memset(ws_rx, 0, sizeof ws_rx);
    if (!x_start()) return;
    put(&ws_mode, 1);
    THeader up[] = { { "Upgrade", "websocket" }, { "Connection", "Upgrade" }, { "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==" }, { "Sec-WebSocket-Version", "13" } };
    CHECK(XCALL(SendGet, "/chat", up, 4));
    CHECK(wait_for(&ev_upgrades, 1, 5000));
    LOG_IS("B S101:Switching Protocols H:Upgrade=websocket H:Connection=Upgrade H:Sec-WebSocket-Accept=s3pPLMBiTxaQ9kYGzzhZRbK+xOo= C M U%d", (int)HUT_WEB_SOCKET);
    REQ_IS(0, "GET /chat HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
              "Sec-WebSocket-Version: 13\r\nHost: %s\r\n\r\n", srv_host);
    CHECK(XCALL0(IsUpgrade));
    CHECK_EQ(XCALL0(GetUpgradeType), HUT_WEB_SOCKET);
    CHECK_EQ(get(&mc_upgrade), TRUE); /* already in OnMessageComplete */
    CHECK_EQ(XCALL0(GetStatusCode), 101);
    CHECK(XCALL(GetWSMessageState, NULL, NULL, NULL, NULL, NULL, NULL));

    /* masked: the server unmasks "Hello"; the caller's buffer is not changed */
    BYTE mask[4] = { 0x11, 0x22, 0x33, 0x44 };
    BYTE hello[] = "Hello";
    CHECK(XCALL(SendWSMessage, TRUE, 0, 0x1, mask, hello, 5, 0));
    CHECK(memcmp(hello, "Hello", 6) == 0);
    /* NULL mask: an unmasked frame */
    BYTE bin[3] = { 1, 2, 3 };
    CHECK(XCALL(SendWSMessage, TRUE, 0, 0x2, NULL, bin, 3, 0));
    /* a declared length below the data's is refused */
    CHECK(!XCALL(SendWSMessage, TRUE, 0, 0x1, mask, hello, 5, 3));
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    /* 300 bytes: a 16-bit length, not final, reserved bits */
    BYTE big[300], copy[300];
    for (int i = 0; i < 300; i++) big[i] = copy[i] = (BYTE)(i * 7);
    CHECK(XCALL(SendWSMessage, FALSE, 0x4, 0x1, mask, big, 300, 0));
    CHECK(memcmp(big, copy, 300) == 0);
    /* a declared length beyond this call's data: the rest follows by Send */
    CHECK(XCALL(SendWSMessage, TRUE, 0, 0x0, NULL, (const BYTE *)"abc", 3, 6));
    CHECK(use_agent ? HP_Agent_Send(A, A_id, (const BYTE *)"def", 3) : HP_Client_Send(C, (const BYTE *)"def", 3));
    CHECK(wait_for(&ws_frames, 4, 5000));
    CHECK(ws_rx[0].fin == 1 && ws_rx[0].opcode == 1 && ws_rx[0].masked == 1 && ws_rx[0].len == 5);
    CHECK(memcmp(ws_rx[0].mask, mask, 4) == 0 && memcmp(ws_rx[0].data, "Hello", 5) == 0);
    CHECK(ws_rx[1].fin == 1 && ws_rx[1].opcode == 2 && ws_rx[1].masked == 0 && ws_rx[1].len == 3);
    CHECK(memcmp(ws_rx[1].data, bin, 3) == 0);
    CHECK(ws_rx[2].fin == 0 && ws_rx[2].opcode == 1 && ws_rx[2].masked == 1 && ws_rx[2].len == 300);
    CHECK(memcmp(ws_rx[2].data, copy, 300) == 0);
    CHECK(ws_rx[3].fin == 1 && ws_rx[3].opcode == 0 && ws_rx[3].masked == 0 && ws_rx[3].len == 6);
    CHECK(memcmp(ws_rx[3].data, "abcdef", 6) == 0);

    /* the server's frames */
    CHECK(wait_for(&ev_ws_completes, 5, 5000));
    pthread_mutex_lock(&ev_mu);
    const char *tail = strstr(ev_log, "U1 ");
    int tail_ok = tail && strcmp(tail, "U1 w11:8 W c w01:2 W c w10:2 W c w19:0 c w12:70000 W c") == 0;
    if (!tail_ok) fprintf(stderr, "ws events: \"%s\"\n", ev_log);
    pthread_mutex_unlock(&ev_mu);
    CHECK(tail_ok);
    CHECK(memcmp(ws_body, "srv-textabcd", 12) == 0 && ws_body_len == 12 + 70000);
    CHECK(ws_body[12] == 'z' && ws_body[12 + 69999] == 'z');
    CHECK_EQ(get(&ws_state_bad), 0);
    CHECK_EQ(get(&raw_len), 0);
    BOOL fin = 0;
    BYTE op = 0;
    CHECK(XCALL(GetWSMessageState, &fin, NULL, &op, NULL, NULL, NULL));
    CHECK(fin == TRUE && op == 0x2); /* the last frame's */

    /* a masked frame from the server closes the connection */
    put(&ws_go_masked, 1);
    CHECK(wait_for(&ev_closes, 1, 5000));
    pthread_mutex_lock(&ev_mu);
    size_t L = strlen(ev_log);
    int closed_ok = L >= 4 && strcmp(ev_log + L - 4, " c X") == 0;
    if (!closed_ok) fprintf(stderr, "ws events: \"%s\"\n", ev_log);
    pthread_mutex_unlock(&ev_mu);
    CHECK(closed_ok);
    CHECK_EQ(get(&ev_close_op), SO_RECEIVE);
    put(&ws_mode, 0);
    x_stop();
}

/* ===================================================================================== */
/* Parse errors, HttpAutoStart                                                           */
/* ===================================================================================== */

static void test_parse_error(void) {
    Reply script[] = { { "HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n", 0 }, { NULL, 0 } };
    srv_set(h_script, NULL, script);
    if (!x_start()) return;
    CHECK(XCALL(SendGet, "/bad", NULL, 0));
    CHECK(wait_for(&ev_closes, 1, 5000));
    LOG_IS("B E13 X"); /* HPE_INVALID_STATUS */
    CHECK_EQ(get(&pe_code), 13);
    CHECK_EQ(get(&pe_code_get), 13);
    CHECK(get(&pe_desc_ok));
    CHECK_EQ(get(&ev_close_op), SO_RECEIVE);
    CHECK_EQ(get(&ev_completes), 0);
    x_stop();

    /* HPR_ERROR from OnHeadersComplete: HPE_CB_HEADERS_COMPLETE, no body, the close */
    Reply script2[] = { { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 0 }, { NULL, 0 } };
    srv_set(h_script, NULL, script2);
    if (!x_start()) return;
    put(&hc_error, 1);
    CHECK(XCALL(SendGet, "/cb", NULL, 0));
    CHECK(wait_for(&ev_closes, 1, 5000));
    put(&hc_error, 0);
    LOG_IS("B S200:OK H:Content-Length=2 C E17 X");
    CHECK_EQ(get(&pe_code_get), 17);
    x_stop();
}

/* A 101 to another protocol: OnUpgrade(HUT_UNKNOWN), then the bytes go to OnReceive raw (those
 * in the same read as the 101 too). */
static void test_upgrade_other(void) {
    Reply script[] = { { "HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo\r\nConnection: Upgrade\r\n\r\nRAWDATA", 0 }, { NULL, 0 } };
    srv_set(h_script, NULL, script);
    if (!x_start()) return;
    THeader up[] = { { "Upgrade", "foo" }, { "Connection", "Upgrade" } };
    CHECK(XCALL(SendGet, "/foo", up, 2));
    CHECK(wait_for(&raw_len, 7, 5000));
    LOG_IS("B S101:Switching Protocols H:Upgrade=foo H:Connection=Upgrade C M U%d", (int)HUT_UNKNOWN);
    CHECK(memcmp(raw, "RAWDATA", 7) == 0);
    CHECK_EQ(XCALL0(GetUpgradeType), HUT_UNKNOWN);
    CHECK(XCALL0(IsUpgrade));
    CHECK(!XCALL(GetWSMessageState, NULL, NULL, NULL, NULL, NULL, NULL));
    x_stop();
}

static void test_auto_start_off(void) {
    Reply script[] = { { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 0 }, { NULL, 0 } };
    srv_set(h_script, "RAW-HELLO", script);
    CHECK(XGET(IsHttpAutoStart)); /* the default */
    XSET(SetHttpAutoStart, FALSE);
    CHECK(!XGET(IsHttpAutoStart));
    if (!x_start()) return;
    CHECK(wait_for(&raw_len, 9, 5000));
    CHECK(memcmp(raw, "RAW-HELLO", 9) == 0);
    LOG_IS("%s", ""); /* no HTTP events */
    /* upstream raises OnHandShake from StartHttp when auto start is off, not at connect
     * (CHttpClientT::FireConnect, StartHttp) */
    CHECK_EQ(get(&ev_handshakes), 0); /* not at connect with HttpAutoStart off */
    long hs = get(&ev_handshakes);
    CHECK(XCALL0(StartHttp));
    /* StartHttp raises OnHandShake (upstream inside the call; here on the connection's worker
     * right after) */
    CHECK(wait_for(&ev_handshakes, hs + 1, 2000));
    CHECK(!XCALL0(StartHttp)); /* already running */
    CHECK(XCALL(SendGet, "/after", NULL, 0));
    AWAIT(1);
    LOG_IS("B S200:OK H:Content-Length=2 C b M");
    CHECK_EQ(get(&raw_len), 9);
    x_stop();
    XSET(SetHttpAutoStart, TRUE);
    CHECK(XGET(IsHttpAutoStart));
}

static void run_cases(int agent) {
    use_agent = agent;
    test_request_bytes();
    test_http10();
    test_response_events();
    test_close_delimited();
    test_no_body_and_pipelining();
    test_cookies();
    test_websocket();
    test_parse_error();
    test_upgrade_other();
    test_auto_start_off();
}

/* ===================================================================================== */
/* HttpSyncClient                                                                        */
/* ===================================================================================== */

static int body_is(HP_HttpSyncClient s, const char *want) {
    LPCBYTE b = (LPCBYTE)"x";
    int n = -1;
    if (!HP_HttpSyncClient_GetResponseBody(s, &b, &n)) return 0;
    int ok = n == (int)strlen(want) && (n == 0 || (b && memcmp(b, want, (size_t)n) == 0));
    if (!ok) fprintf(stderr, "body: %d \"%.*s\" want \"%s\"\n", n, n > 0 && b ? n : 0, b ? (const char *)b : "", want);
    return ok;
}

static void wait_stopped(HP_HttpSyncClient s) {
    for (int i = 0; i < 500 && HP_Client_GetState(s) != SS_STOPPED; i++) sleep_ms(10);
}

static unsigned short closed_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, (struct sockaddr *)&a, sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

static void test_sync_client(void) {
    use_agent = 0;
    char url[128];
    HP_HttpSyncClient s = Create_HP_HttpSyncClient(NULL);
    CHECK(s != NULL);
    CHECK_EQ(HP_HttpSyncClient_GetConnectTimeout(s), 5000);
    CHECK_EQ(HP_HttpSyncClient_GetRequestTimeout(s), 10000);
    HP_HttpSyncClient_SetConnectTimeout(s, 3000);
    CHECK_EQ(HP_HttpSyncClient_GetConnectTimeout(s), 3000);

    Reply script[] = { { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Y: first\r\n\r\nhello", 0 },
                       { "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond", 0 },
                       { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nthird", 0 },
                       { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\necho\r\n0\r\n\r\n", 0 },
                       { "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nfile", 0 },
                       { "HTTP/1.1 201 Created\r\nContent-Length: 2\r\nX-Y: z\r\nConnection: close\r\n\r\nok", R_CLOSE },
                       { NULL, 0 } };
    srv_set(h_script, NULL, script);
    long conns0 = get(&srv_conns);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/path?q", (unsigned)srv_port);
    CHECK(HP_HttpSyncClient_OpenUrl(s, "GET", url, NULL, 0, NULL, 0, FALSE));
    CHECK(body_is(s, "hello"));
    REQ_IS(0, "GET /path?q HTTP/1.1\r\nHost: %s\r\n\r\n", srv_host);
    CHECK_EQ(HP_HttpClient_GetStatusCode(s), 200);
    LPCSTR v = NULL;
    CHECK(HP_HttpClient_GetHeader(s, "x-y", &v) && v && strcmp(v, "first") == 0);
    CHECK_EQ(get(&srv_conns), conns0 + 1);
    /* the same host: the same connection */
    snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)srv_port);
    CHECK(HP_HttpSyncClient_OpenUrl(s, "GET", url, NULL, 0, NULL, 0, FALSE));
    CHECK(body_is(s, "second"));
    REQ_IS(1, "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", srv_host);
    CHECK_EQ(get(&srv_conns), conns0 + 1);
    CHECK(!HP_HttpClient_GetHeader(s, "x-y", &v)); /* the last response's headers */
    /* forced: a new connection */
    snprintf(url, sizeof url, "http://127.0.0.1:%u/third", (unsigned)srv_port);
    CHECK(HP_HttpSyncClient_OpenUrl(s, "GET", url, NULL, 0, NULL, 0, TRUE));
    CHECK(body_is(s, "third"));
    CHECK(wait_for(&srv_conns, conns0 + 2, 5000));
    CHECK_EQ(get(&srv_conns), conns0 + 2);
    /* a POST with a body; a chunked response is joined */
    THeader ct[] = { { "Content-Type", "text/plain" } };
    CHECK(HP_HttpSyncClient_OpenUrl(s, "post", url, ct, 1, (const BYTE *)"data", 4, FALSE));
    CHECK(body_is(s, "echo"));
    REQ_IS(3, "POST /third HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 4\r\nHost: %s\r\n\r\ndata", srv_host);
    /* the body as a file name */
    FILE *f = fopen(tmp_file, "w");
    fputs("from-a-file", f);
    fclose(f);
    CHECK(HP_HttpSyncClient_OpenUrl(s, "PUT", url, NULL, 0, (const BYTE *)tmp_file, -1, FALSE));
    CHECK(body_is(s, "file"));
    REQ_IS(4, "PUT /third HTTP/1.1\r\nContent-Length: 11\r\nHost: %s\r\n\r\nfrom-a-file", srv_host);
    CHECK_EQ(get(&srv_conns), conns0 + 2);
    /* the server answers and closes: the response stays readable */
    CHECK(HP_HttpSyncClient_OpenUrl(s, "GET", url, NULL, 0, NULL, 0, FALSE));
    CHECK(body_is(s, "ok"));
    wait_stopped(s);
    CHECK_EQ(HP_Client_GetState(s), SS_STOPPED);
    CHECK_EQ(HP_HttpClient_GetStatusCode(s), 201);
    v = NULL;
    CHECK(HP_HttpClient_GetHeader(s, "X-Y", &v) && v && strcmp(v, "z") == 0);
    CHECK(!HP_HttpClient_IsKeepAlive(s));
    CHECK(body_is(s, "ok"));
    CHECK(HP_HttpSyncClient_CleanupRequestResult(s));
    CHECK(body_is(s, ""));

    /* a body delimited by the close; then a reconnect to the same host after the close */
    Reply script2[] = { { "HTTP/1.1 200 OK\r\n\r\nuntil-close", R_CLOSE }, { OK0, 0 }, { NULL, 0 } };
    srv_set(h_script, NULL, script2);
    long conns1 = get(&srv_conns);
    CHECK(HP_HttpSyncClient_OpenUrl(s, "GET", url, NULL, 0, NULL, 0, FALSE));
    CHECK(body_is(s, "until-close"));
    CHECK(wait_for(&srv_conns, conns1 + 1, 5000));
    wait_stopped(s);
    CHECK(HP_HttpSyncClient_OpenUrl(s, "GET", url, NULL, 0, NULL, 0, FALSE));
    CHECK(body_is(s, ""));
    CHECK_EQ(get(&srv_conns), conns1 + 2);

    /* no answer within RequestTimeout: ETIMEDOUT, and the client ends stopped */
    Reply hold[] = { { "", R_HOLD }, { NULL, 0 } };
    srv_set(h_script, NULL, hold);
    HP_HttpSyncClient_SetRequestTimeout(s, 300);
    CHECK_EQ(HP_HttpSyncClient_GetRequestTimeout(s), 300);
    CHECK(!HP_HttpSyncClient_OpenUrl(s, "GET", url, NULL, 0, NULL, 0, FALSE));
    CHECK_EQ(SYS_GetLastError(), ETIMEDOUT);
    wait_stopped(s);
    CHECK_EQ(HP_Client_GetState(s), SS_STOPPED);
    HP_HttpSyncClient_SetRequestTimeout(s, 10000);

    /* the server closes without answering: upstream fails with ERROR_CONNABORTED */
    Reply drop[] = { { "", R_CLOSE }, { NULL, 0 } };
    srv_set(h_script, NULL, drop);
    CHECK(!HP_HttpSyncClient_OpenUrl(s, "GET", url, NULL, 0, NULL, 0, FALSE));
    CHECK_EQ(SYS_GetLastError(), ECONNABORTED); /* upstream's HSRP_CLOSE is ERROR_CONNABORTED */
    wait_stopped(s);

    /* a bad status line: upstream fails with ERROR_INVALID_DATA */
    Reply bad[] = { { "HTTP/1.1 abc OK\r\n\r\n", 0 }, { NULL, 0 } };
    srv_set(h_script, NULL, bad);
    CHECK(!HP_HttpSyncClient_OpenUrl(s, "GET", url, NULL, 0, NULL, 0, FALSE));
    CHECK_EQ(SYS_GetLastError(), EBADMSG);
    CHECK_EQ(HP_HttpClient_GetParseErrorCode(s, NULL), 13);
    wait_stopped(s);

    /* a refused connect */
    snprintf(url, sizeof url, "http://127.0.0.1:%u/", (unsigned)closed_port());
    CHECK(!HP_HttpSyncClient_OpenUrl(s, "GET", url, NULL, 0, NULL, 0, FALSE));
    CHECK_EQ(SYS_GetLastError(), ECONNREFUSED);
    /* URLs it cannot open */
    snprintf(url, sizeof url, "https://127.0.0.1:%u/", (unsigned)srv_port);
    CHECK(!HP_HttpSyncClient_OpenUrl(s, "GET", url, NULL, 0, NULL, 0, FALSE));
    printf("https:// errno %d\n", (int)SYS_GetLastError());
    CHECK(!HP_HttpSyncClient_OpenUrl(s, "GET", "ftp://127.0.0.1/", NULL, 0, NULL, 0, FALSE));
    CHECK(!HP_HttpSyncClient_OpenUrl(s, "GET", NULL, NULL, 0, NULL, 0, FALSE));
    CHECK_EQ(HP_Client_GetState(s), SS_STOPPED);
    Destroy_HP_HttpSyncClient(s);
}

/* A sync client with a listener: its callbacks fire; HP_HttpClient_SendGet blocks until the
 * response is in. */
static void test_sync_client_listener(void) {
    use_agent = 0;
    Reply script[] = { { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", 0 },
                       { "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok-blocked", R_DELAY },
                       { NULL, 0 } };
    srv_set(h_script, NULL, script);
    ev_reset();
    HP_HttpSyncClient s = Create_HP_HttpSyncClient(CL);
    CHECK(s != NULL);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/l", (unsigned)srv_port);
    CHECK(HP_HttpSyncClient_OpenUrl(s, "GET", url, NULL, 0, NULL, 0, FALSE));
    CHECK(body_is(s, "hi"));
    CHECK_EQ(get(&ev_connects), 1);
    CHECK(wait_for(&ev_completes, 1, 5000));
    LOG_IS("B S200:OK H:Content-Length=2 C b M");
    CHECK(strcmp(ev_body, "hi") == 0);
    /* the HttpClient's SendGet on a sync client waits for the response */
    CHECK(HP_HttpClient_SendGet(s, "/blk", NULL, 0));
    CHECK(body_is(s, "ok-blocked"));
    CHECK_EQ(HP_HttpClient_GetStatusCode(s), 200);
    CHECK_EQ(HP_HttpClient_GetContentLength(s), 10);
    REQ_IS(1, "GET /blk HTTP/1.1\r\nHost: %s\r\n\r\n", srv_host);

    /* Destroy_HP_HttpClient on a sync client is refused: it still works afterwards */
    Destroy_HP_HttpClient(s);
    Reply again[] = { { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstill", 0 }, { NULL, 0 } };
    srv_set(h_script, NULL, again);
    CHECK(HP_HttpSyncClient_OpenUrl(s, "GET", url, NULL, 0, NULL, 0, FALSE));
    CHECK(body_is(s, "still"));
    CHECK(HP_Client_Stop(s));
    CHECK(HP_Client_Wait(s, 5000));
    CHECK(wait_for(&ev_closes, 1, 5000));
    Destroy_HP_HttpSyncClient(s);
}

/* Upgrades, then answers each frame with a text frame "re:" + its payload, 200 ms later. */
static void h_ws_echo(Conn *c) {
    int n = read_request(c, c->req, (int)sizeof c->req);
    if (n <= 0) return;
    srv_record(c->req, n);
    send_str(c->fd, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
    static Frame f;
    while (read_frame(c, &f)) {
        sleep_ms(200);
        BYTE out[2 + 3 + 64];
        int len = f.len < 64 ? f.len : 64;
        out[0] = 0x81;
        out[1] = (BYTE)(3 + len);
        memcpy(out + 2, "re:", 3);
        memcpy(out + 5, f.data, (size_t)len);
        send_all(c->fd, out, (size_t)(5 + len));
    }
}

/* Upstream's sync client speaks WebSocket too: OpenUrl returns at the upgrade, and
 * SendWSMessage waits for the next whole message from the server, whose payload is then the
 * response body (CHttpSyncClientT::SendWSMessage, OnWSMessageBody, OnWSMessageComplete). */
static void test_sync_websocket(void) {
    srv_set(h_ws_echo, NULL, NULL);
    HP_HttpSyncClient s = Create_HP_HttpSyncClient(NULL);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/ws", (unsigned)srv_port);
    THeader up[] = { { "Upgrade", "websocket" }, { "Connection", "Upgrade" }, { "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==" }, { "Sec-WebSocket-Version", "13" } };
    CHECK(HP_HttpSyncClient_OpenUrl(s, "GET", url, up, 4, NULL, 0, FALSE));
    CHECK_EQ(HP_HttpClient_GetStatusCode(s), 101);
    CHECK_EQ(HP_HttpClient_GetUpgradeType(s), HUT_WEB_SOCKET);
    BYTE mask[4] = { 9, 8, 7, 6 };
    CHECK(HP_HttpClient_SendWSMessage(s, TRUE, 0, 0x1, mask, (const BYTE *)"ping", 4, 0));
    CHECK(body_is(s, "re:ping")); /* a sync client's SendWSMessage waits for the answer */
    HP_Client_Stop(s);
    HP_Client_Wait(s, 5000);
    Destroy_HP_HttpSyncClient(s);
}

/* HTTP calls on handles of other kinds fail with EINVAL. */
static void test_wrong_handles(void) {
    HP_TcpClientListener tl = Create_HP_TcpClientListener();
    HP_TcpClient t = Create_HP_TcpClient(tl);
    errno = 0;
    CHECK(!HP_HttpClient_SendGet(t, "/", NULL, 0));
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    errno = 0;
    CHECK_EQ(HP_HttpClient_GetStatusCode(t), 0);
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    errno = 0;
    CHECK(!HP_HttpClient_IsUseCookie(t));
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    errno = 0;
    CHECK(!HP_HttpClient_StartHttp(t));
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    /* an agent's calls on a client, a sync client's on a plain client */
    errno = 0;
    CHECK(!HP_HttpAgent_SendGet(C, 1, "/", NULL, 0));
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    errno = 0;
    CHECK(!HP_HttpSyncClient_OpenUrl(C, "GET", "http://127.0.0.1/", NULL, 0, NULL, 0, FALSE));
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    errno = 0;
    CHECK_EQ(HP_HttpSyncClient_GetRequestTimeout(C), 0);
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    LPCBYTE b;
    int n;
    CHECK(!HP_HttpSyncClient_GetResponseBody(t, &b, &n));
    CHECK(!HP_HttpSyncClient_CleanupRequestResult(t));
    Destroy_HP_TcpClient(t);
    Destroy_HP_TcpClientListener(tl);
}

int main(void) {
    snprintf(tmp_file, sizeof tmp_file, "/tmp/http_client_%d.txt", (int)getpid());
    snprintf(cookie_file, sizeof cookie_file, "/tmp/http_client_%d.cookies", (int)getpid());
    srv_start();
    AL = Create_HP_HttpAgentListener();
    set_agent_listener(AL);
    A = Create_HP_HttpAgent(AL);
    HP_Agent_SetWorkerThreadCount(A, 2);
    CL = Create_HP_HttpClientListener();
    set_client_listener(CL);
    C = Create_HP_HttpClient(CL);
    CHECK(A != NULL && C != NULL);

    run_cases(0);
    run_cases(1);
    test_sync_client();
    test_sync_client_listener();
    test_sync_websocket();
    test_wrong_handles();

    Destroy_HP_HttpAgent(A);
    Destroy_HP_HttpAgentListener(AL);
    Destroy_HP_HttpClient(C);
    Destroy_HP_HttpClientListener(CL);
    srv_stop();
    unlink(tmp_file);
    unlink(cookie_file);
    return t_finish("http_client");
}
