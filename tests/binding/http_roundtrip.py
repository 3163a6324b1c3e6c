# coding: utf-8
"""HTTP through the binding's HTTP functions: an HttpServer (listener callbacks, request getters,
HP_HttpServer_SendResponse) answering an HttpClient (listener callbacks, two requests on one
connection, response getters) and an HttpSyncClient (OpenUrl, GetResponseBody).

Prints deterministic lines (no ports, dates or ids).
"""
import ctypes
import sys

import HPSocket.pyhpsocket as H

from harness import Waiter, listen_port, loaded_library, out

OK = H.EnHandleResult.HR_OK
HPR_OK = H.EnHttpParseResult.HPR_OK
failures = []
keep = []  # ctypes callback objects must outlive the sockets that call them


def check(what, ok):
    out("%s: %s" % (what, "ok" if ok else "FAILED"))
    if not ok:
        failures.append(what)


def cb(ftype, fn):
    f = ftype(fn)
    keep.append(f)
    return f


def headers(pairs):
    arr = (H.THeader * len(pairs))()
    for i, (n, v) in enumerate(pairs):
        arr[i].name = n
        arr[i].value = v
    return arr, len(pairs)


def byte_buf(data):
    buf = ctypes.create_string_buffer(data, len(data))
    keep.append(buf)
    return ctypes.cast(buf, ctypes.POINTER(ctypes.c_byte)), len(data)


def s(b):
    return None if b is None else b.decode("latin-1")


# --------------------------------------------------------------------------------------- server

w = Waiter()
srv_listener = H.Create_HP_HttpServerListener()
server = H.Create_HP_HttpServer(srv_listener)
requests = []  # one dict per request, filled by the callbacks of the connection's thread
current = {}


def srv_request_line(sender, conn, method, url):
    current[conn] = {"line": (s(method), s(url)), "headers": [], "body": b""}
    return HPR_OK


def srv_header(sender, conn, name, value):
    current[conn]["headers"].append((s(name), s(value)))
    return HPR_OK


def srv_headers_complete(sender, conn):
    r = current[conn]
    v = ctypes.c_char_p()
    r["get_header"] = s(v.value) if H.HP_HttpServer_GetHeader(sender, conn, b"X-Req", ctypes.byref(v)) else None
    r["method"] = s(H.HP_HttpServer_GetMethod(sender, conn))
    r["path"] = s(H.HP_HttpServer_GetUrlField(sender, conn, H.EnHttpUrlField.HUF_PATH))
    r["query"] = s(H.HP_HttpServer_GetUrlField(sender, conn, H.EnHttpUrlField.HUF_QUERY))
    r["content_length"] = H.HP_HttpServer_GetContentLength(sender, conn)
    r["keep_alive"] = bool(H.HP_HttpServer_IsKeepAlive(sender, conn))
    r["host"] = s(H.HP_HttpServer_GetHost(sender, conn))
    return HPR_OK


def srv_body(sender, conn, data, length):
    current[conn]["body"] += ctypes.string_at(data, length)
    return HPR_OK


def srv_message_complete(sender, conn):
    r = current.pop(conn)
    body = ("%s %s?%s, %d bytes: " % (r["method"], r["path"], r["query"], len(r["body"]))).encode() + r["body"]
    hdrs, n = headers([(b"X-Resp", ("answer-%d" % (len(requests) + 1)).encode()), (b"Content-Type", b"text/plain")])
    pbody, blen = byte_buf(body)
    r["sent"] = bool(H.HP_HttpServer_SendResponse(sender, conn, 201, b"Created Here", hdrs, n, pbody, blen))
    requests.append(r)  # the client may have the answer before SendResponse returns here
    w.bump("server.requests")
    return HPR_OK


def srv_parse_error(sender, conn, code, desc):
    out("server OnParseError %d %s" % (code, s(desc)))
    return HPR_OK


srv_closes = []


def srv_close(sender, conn, op, err):
    srv_closes.append("op%d/err%d" % (op, err))
    w.bump("server.close")
    return OK


def srv_shutdown(sender):
    w.bump("server.shutdown")
    return OK


H.HP_Set_FN_HttpServer_OnRequestLine(srv_listener, cb(H.HP_FN_HttpServer_OnRequestLine, srv_request_line))
H.HP_Set_FN_HttpServer_OnHeader(srv_listener, cb(H.HP_FN_HttpServer_OnHeader, srv_header))
H.HP_Set_FN_HttpServer_OnHeadersComplete(srv_listener, cb(H.HP_FN_HttpServer_OnHeadersComplete, srv_headers_complete))
H.HP_Set_FN_HttpServer_OnBody(srv_listener, cb(H.HP_FN_HttpServer_OnBody, srv_body))
H.HP_Set_FN_HttpServer_OnMessageComplete(srv_listener, cb(H.HP_FN_HttpServer_OnMessageComplete, srv_message_complete))
H.HP_Set_FN_HttpServer_OnParseError(srv_listener, cb(H.HP_FN_HttpServer_OnParseError, srv_parse_error))
H.HP_Set_FN_HttpServer_OnClose(srv_listener, cb(H.HP_FN_HttpServer_OnClose, srv_close))
H.HP_Set_FN_HttpServer_OnShutdown(srv_listener, cb(H.HP_FN_HttpServer_OnShutdown, srv_shutdown))

check("HttpServer Start", bool(H.HP_Server_Start(server, "127.0.0.1", 0)))
port = listen_port(server)


def show_request(i, r, want):
    method, path, query, body, xreq = want
    names = sorted(n.lower() for n, _ in r["headers"])
    out("request %d: line %s %s" % (i, r["line"][0], r["line"][1]))
    out("request %d: header names %s" % (i, names))
    out("request %d: X-Req via OnHeader %s, via GetHeader %s" % (i, dict(r["headers"]).get("X-Req"), r["get_header"]))
    out("request %d: method %s path %s query %s keep-alive %s body %r" % (
        i, r["method"], r["path"], r["query"], r["keep_alive"], r["body"]))
    out("request %d: GetContentLength in OnHeadersComplete %d" % (i, r["content_length"]))
    check("request %d as sent" % i, (r["method"], r["path"], r["query"], r["body"], r["get_header"]) == want)
    check("request %d Host is 127.0.0.1:port" % i, r["host"] == "127.0.0.1:%d" % port)
    check("request %d SendResponse" % i, r["sent"])


def want_body(method, path, query, body):
    return ("%s %s?%s, %d bytes: " % (method, path, query, len(body))).encode() + body


# --------------------------------------------------------------------------------------- client

cli_listener = H.Create_HP_HttpClientListener()
client = H.Create_HP_HttpClient(cli_listener)
responses = []
resp = {}


def cli_connect(sender, conn):
    w.bump("client.connect")
    return OK


def cli_status_line(sender, conn, code, desc):
    resp.clear()
    resp.update(status=(code, s(desc)), headers=[], body=b"")
    return HPR_OK


def cli_header(sender, conn, name, value):
    resp["headers"].append((s(name), s(value)))
    return HPR_OK


def cli_body(sender, conn, data, length):
    resp["body"] += ctypes.string_at(data, length)
    return HPR_OK


def cli_message_complete(sender, conn):
    r = dict(resp)
    r["get_status"] = H.HP_HttpClient_GetStatusCode(sender)
    v = ctypes.c_char_p()
    r["get_header"] = s(v.value) if H.HP_HttpClient_GetHeader(sender, b"X-Resp", ctypes.byref(v)) else None
    arr = (H.THeader * 32)()
    count = ctypes.c_uint(32)
    ok = H.HP_HttpClient_GetAllHeaders(sender, arr, ctypes.byref(count))
    r["all_headers"] = sorted(s(arr[i].name).lower() for i in range(count.value)) if ok else None
    r["content_length"] = H.HP_HttpClient_GetContentLength(sender)
    responses.append(r)
    w.bump("client.responses")
    return HPR_OK


cli_closes = []


def cli_close(sender, conn, op, err):
    cli_closes.append("op%d/err%d" % (op, err))
    w.bump("client.close")
    return OK


H.HP_Set_FN_HttpClient_OnConnect(cli_listener, cb(H.HP_FN_HttpClient_OnConnect, cli_connect))
H.HP_Set_FN_HttpClient_OnStatusLine(cli_listener, cb(H.HP_FN_HttpClient_OnStatusLine, cli_status_line))
H.HP_Set_FN_HttpClient_OnHeader(cli_listener, cb(H.HP_FN_HttpClient_OnHeader, cli_header))
H.HP_Set_FN_HttpClient_OnBody(cli_listener, cb(H.HP_FN_HttpClient_OnBody, cli_body))
H.HP_Set_FN_HttpClient_OnMessageComplete(cli_listener, cb(H.HP_FN_HttpClient_OnMessageComplete, cli_message_complete))
H.HP_Set_FN_HttpClient_OnClose(cli_listener, cb(H.HP_FN_HttpClient_OnClose, cli_close))

check("HttpClient Start", bool(H.HP_Client_Start(client, "127.0.0.1", port, False)))
check("HttpClient OnConnect", w.wait("client.connect"))

exchanges = [
    (b"POST", b"/echo/one?x=1&y=two", [(b"X-Req", b"first"), (b"Content-Type", b"text/plain")], b"hello, http server"),
    (b"GET", b"/second", [(b"X-Req", b"second")], b""),
]
for i, (method, path, hdr, body) in enumerate(exchanges, 1):
    hdrs, n = headers(hdr)
    pbody, blen = byte_buf(body)
    check("HttpClient SendRequest %d" % i, bool(H.HP_HttpClient_SendRequest(client, method, path, hdrs, n, pbody, blen)))
    check("response %d complete" % i, w.wait("client.responses", i) and w.wait("server.requests", i))

for i, (method, path, hdr, body) in enumerate(exchanges, 1):
    p, _, q = s(path).partition("?")
    show_request(i, requests[i - 1], (s(method), p, q, body, dict(hdr)[b"X-Req"].decode()))
    r = responses[i - 1]
    out("response %d: status line %s, GetStatusCode %d" % (i, r["status"], r["get_status"]))
    out("response %d: header names (OnHeader) %s" % (i, sorted(n.lower() for n, _ in r["headers"])))
    out("response %d: header names (GetAllHeaders) %s" % (i, r["all_headers"]))
    out("response %d: X-Resp via OnHeader %s, via GetHeader %s; body %r" % (
        i, dict(r["headers"]).get("X-Resp"), r["get_header"], r["body"]))
    out("response %d: GetContentLength in OnMessageComplete %d" % (i, r["content_length"]))
    check("response %d status" % i, r["status"] == (201, "Created Here") and r["get_status"] == 201)
    check("response %d X-Resp" % i, r["get_header"] == "answer-%d" % i == dict(r["headers"]).get("X-Resp"))
    check("response %d body" % i, r["body"] == want_body(s(method), p, q, body))

check("HttpClient Stop", bool(H.HP_Client_Stop(client)))
check("server OnClose (client)", w.wait("server.close", 1))

# ---------------------------------------------------------------------------------- sync client

sync = H.Create_HP_HttpSyncClient(None)
body = b"sync \x00 body"
hdrs, n = headers([(b"X-Req", b"sync")])
pbody, blen = byte_buf(body)
url = b"http://127.0.0.1:%d/sync/path?z=3" % port
check("HttpSyncClient OpenUrl", bool(H.HP_HttpSyncClient_OpenUrl(sync, b"PUT", url, hdrs, n, pbody, blen, False)))
status = H.HP_HttpClient_GetStatusCode(sync)
v = ctypes.c_char_p()
xresp = s(v.value) if H.HP_HttpClient_GetHeader(sync, b"X-Resp", ctypes.byref(v)) else None
pdata = H.LPCBYTE()
dlen = ctypes.c_int(0)
got_body = ctypes.string_at(pdata, dlen.value) if H.HP_HttpSyncClient_GetResponseBody(sync, ctypes.byref(pdata), ctypes.byref(dlen)) else None
check("server handled the sync request", w.wait("server.requests", 3))
show_request(3, requests[2], ("PUT", "/sync/path", "z=3", body, "sync"))
out("sync response: GetStatusCode %d, X-Resp %s, body %r" % (status, xresp, got_body))
check("sync response", (status, xresp, got_body) == (201, "answer-3", want_body("PUT", "/sync/path", "z=3", body)))
check("HttpSyncClient CleanupRequestResult", bool(H.HP_HttpSyncClient_CleanupRequestResult(sync)))
check("HttpSyncClient Stop", bool(H.HP_Client_Stop(sync)))
check("server OnClose (sync client)", w.wait("server.close", 2))
H.Destroy_HP_HttpSyncClient(sync)

check("HttpServer Stop", bool(H.HP_Server_Stop(server)))
check("server OnShutdown", w.wait("server.shutdown"))
out("server closes: %s; client closes: %s" % (srv_closes, cli_closes))
H.Destroy_HP_HttpClient(client)
H.Destroy_HP_HttpClientListener(cli_listener)
H.Destroy_HP_HttpServer(server)
H.Destroy_HP_HttpServerListener(srv_listener)

print("library:", loaded_library(), file=sys.stderr)
out("failures: %d" % len(failures))
for f in failures:
    out("  " + f)
sys.exit(1 if failures else 0)
