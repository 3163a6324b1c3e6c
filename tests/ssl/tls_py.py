"""Python `ssl` peers for tests/ssl_tcp.rs. Each prints a normalised trace, one line per event.

  tls_py.py client PORT [--host H] [--sni NAME | --no-sni] [--tls 1.2|1.3] [--ca F]
                        [--cert F --key F] [--size N]
      a TLS client: LOCAL <port>, then VERSION <v>, PEER_CN <cn>, ECHO <n> ok|bad, or
      HANDSHAKE_FAIL <reason> / ERROR <reason>
  tls_py.py server --cert F --key F [--max 1.2]
      a TLS echo server: LISTEN <port>, then per connection SNI <name|none>, VERSION <v>,
      CLOSED <bytes>; HANDSHAKE_FAIL <reason>; stops when stdin closes
  tls_py.py starttls PORT --ca F
      plain text, then STARTTLS and a TLS handshake on the same socket (the server's --noauto)
  tls_py.py resume PORT --ca F --tls 1.2|1.3
      session resumption: three connections, each offering the previous one's session
  tls_py.py hostile PORT --ca F
      a TLS connection kept open while hostile connections come and go, then its echo again
"""
import argparse
import os
import select
import socket
import ssl
import sys
import threading
import time

TIMEOUT = 20


def say(*parts):
    print(*parts, flush=True)


def pattern(n):
    return bytes((i * 7 + 3) & 0xFF for i in range(n))


def client_ctx(a):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if a.ca:
        ctx.load_verify_locations(a.ca)
        ctx.check_hostname = a.sni is not None and not a.no_sni
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if a.tls == "1.2":
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    elif a.tls == "1.3":
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    if a.cert:
        ctx.load_cert_chain(a.cert, a.key)
    return ctx


def recv_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        d = s.recv(min(65536, n - len(buf)))
        if not d:
            break
        buf += d
    return bytes(buf)


def peer_cn(s):
    cert = s.getpeercert()
    if not cert:
        return "-"
    for rdn in cert.get("subject", ()):
        for k, v in rdn:
            if k == "commonName":
                return v
    return "-"


def cmd_client(a):
    raw = socket.create_connection((a.host, a.port), timeout=TIMEOUT)
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    say("LOCAL", raw.getsockname()[1])
    ctx = client_ctx(a)
    name = None if a.no_sni else (a.sni or None)
    try:
        s = ctx.wrap_socket(raw, server_hostname=name)
    except (ssl.SSLError, OSError) as e:
        say("HANDSHAKE_FAIL", type(e).__name__, str(e).replace("\n", " "))
        return
    say("VERSION", s.version())
    say("PEER_CN", peer_cn(s) if a.ca else "-")
    if a.size:
        data = pattern(a.size)
        try:
            # in lockstep, 16 KiB at a time: an SSL socket is not for two threads at once
            back = bytearray()
            for at in range(0, a.size, 16384):
                piece = data[at : at + 16384]
                s.sendall(piece)
                got = recv_exact(s, len(piece))
                back += got
                if len(got) < len(piece):
                    break
            say("ECHO", len(back), "ok" if back == data else "bad")
        except (ssl.SSLError, OSError) as e:
            say("ERROR", type(e).__name__, str(e).replace("\n", " "))
    s.close()


def cmd_server(a):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    if a.max == "1.2":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    last_sni = [None]

    def sni(_sslsock, name, _ctx):
        last_sni[0] = name

    ctx.sni_callback = sni
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    say("LISTEN", ls.getsockname()[1])
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    lock = threading.Lock()

    def serve(conn):
        last_sni[0] = None
        try:
            s = ctx.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as e:
            with lock:
                say("HANDSHAKE_FAIL", type(e).__name__)
            conn.close()
            return
        with lock:
            say("SNI", last_sni[0] or "none")
            say("VERSION", s.version())
        n = 0
        try:
            while True:
                d = s.recv(65536)
                if not d:
                    break
                n += len(d)
                s.sendall(d)
        except (ssl.SSLError, OSError):
            pass
        with lock:
            say("CLOSED", n)
        s.close()

    # one connection at a time: the trace stays in order
    while not stop.is_set():
        r, _, _ = select.select([ls], [], [], 0.1)
        if r:
            conn, _ = ls.accept()
            conn.settimeout(TIMEOUT)
            serve(conn)


def tls_client_ctx(ca):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ca)
    return ctx


def cmd_starttls(a):
    s = socket.create_connection(("127.0.0.1", a.port), timeout=TIMEOUT)
    say("LOCAL", s.getsockname()[1])
    s.sendall(b"hello plain\n")
    say("PLAIN_ECHO", recv_exact(s, 12) == b"hello plain\n")
    s.sendall(b"STARTTLS\n")
    say("GO", recv_exact(s, 3) == b"GO\n")
    t = tls_client_ctx(a.ca).wrap_socket(s, server_hostname="localhost")
    say("VERSION", t.version())
    t.sendall(b"secret over tls\n")
    say("TLS_ECHO", recv_exact(t, 16) == b"secret over tls\n")
    t.close()


def client_hello():
    """A real ClientHello, made with a memory BIO."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def wait_closed(s):
    """True when the server closes the connection (EOF or reset) within the timeout."""
    s.settimeout(TIMEOUT)
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def cmd_hostile(a):
    ctx = tls_client_ctx(a.ca)
    kept = ctx.wrap_socket(socket.create_connection(("127.0.0.1", a.port), timeout=TIMEOUT), server_hostname="localhost")
    say("LOCAL kept", kept.getsockname()[1])
    kept.sendall(b"before\n")
    say("KEPT_BEFORE", recv_exact(kept, 7) == b"before\n")
    hello = client_hello()
    say("HELLO_LEN", len(hello))

    def case(name, act):
        s = socket.create_connection(("127.0.0.1", a.port), timeout=TIMEOUT)
        say("LOCAL", name, s.getsockname()[1])
        act(s)
        say("CLOSED" if wait_closed(s) else "OPEN", name)
        s.close()

    case("garbage", lambda s: s.sendall(b"\x00\xffthis is not TLS at all\x01\x02" * 8 + hello))
    case("http", lambda s: s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"))

    def truncated(s):
        s.sendall(hello[: len(hello) // 2])
        s.shutdown(socket.SHUT_WR)

    case("truncated", truncated)

    def stopped(s):
        # a whole ClientHello, the server's first flight read, then the client gives up
        s.sendall(hello)
        s.settimeout(TIMEOUT)
        s.recv(1)
        s.shutdown(socket.SHUT_WR)

    case("stopped", stopped)

    def bad_record(s):
        # a whole ClientHello, then a record of the wrong type in the middle of the handshake
        s.sendall(hello)
        s.settimeout(TIMEOUT)
        s.recv(1)
        s.sendall(b"\x17\x03\x03\x00\x10" + os.urandom(16))

    case("bad_record", bad_record)
    kept.sendall(b"after\n")
    say("KEPT_AFTER", recv_exact(kept, 6) == b"after\n")
    kept.close()


def cmd_resume(a):
    """Three connections, each offering the previous one's session: REUSED <i> True|False."""
    ctx = tls_client_ctx(a.ca)
    if a.tls == "1.2":
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    elif a.tls == "1.3":
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    sess = None
    for i in range(3):
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", a.port), timeout=TIMEOUT), server_hostname="localhost", session=sess)
        s.sendall(b"resume")
        say("ECHO", i, recv_exact(s, 6) == b"resume")
        say("REUSED", i, s.session_reused)
        sess = s.session
        s.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cmd")
    p.add_argument("port", type=int, nargs="?")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--sni")
    p.add_argument("--no-sni", action="store_true")
    p.add_argument("--tls")
    p.add_argument("--ca")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--size", type=int, default=0)
    p.add_argument("--max")
    p.add_argument("--timeout", type=float)
    a = p.parse_args()
    if a.timeout:
        global TIMEOUT
        TIMEOUT = a.timeout
    {"client": cmd_client, "server": cmd_server, "starttls": cmd_starttls, "hostile": cmd_hostile, "resume": cmd_resume}[a.cmd](a)


if __name__ == "__main__":
    main()
