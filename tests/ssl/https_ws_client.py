"""The `websockets` package (PyPI) over wss:// as a client of the WebSocket echo on /ws of
tests/ssl/https_server.c, for tests/ssl_https.rs.

    python https_ws_client.py PORT CERTDIR

Text and binary echo, a message in fragments, a 100 KB message, ping/pong, a clean close.
Prints one line per check; an assertion failure exits non-zero."""
import os
import ssl
import sys

from websockets.sync.client import connect

port = int(sys.argv[1])
certs = sys.argv[2]
ctx = ssl.create_default_context(cafile=f"{certs}/ca.pem")

with connect(f"wss://localhost:{port}/ws", ssl=ctx, open_timeout=20, close_timeout=20, max_size=4 << 20, compression=None) as ws:
    tls = ws.socket.version()
    assert tls and tls.startswith("TLSv1"), tls
    print(f"open ok {tls}", flush=True)

    ws.send("hello-wss")
    got = ws.recv(timeout=20)
    assert got == "hello-wss", got
    print("text ok", flush=True)

    data = bytes(range(256)) * 4
    ws.send(data)
    got = ws.recv(timeout=20)
    assert isinstance(got, bytes) and got == data, got[:40]
    print("binary ok", flush=True)

    ws.send(["frag-", "ment", "ed"])  # one text message in three frames
    got = ws.recv(timeout=20)
    assert got == "frag-mented", got
    print("fragments ok", flush=True)

    big = os.urandom(100 * 1024)
    ws.send(big)
    got = ws.recv(timeout=20)
    assert isinstance(got, bytes) and got == big, (len(got), got[:16])
    print("100KB ok", flush=True)

    pong = ws.ping(b"are-you-there")
    assert pong.wait(20), "no pong"
    print("ping ok", flush=True)

    ws.close(code=1000, reason="bye")
    rcvd = ws.protocol.close_rcvd
    assert rcvd is not None, "the server sent no close frame"
    assert (rcvd.code, rcvd.reason) == (1000, "bye"), rcvd
    print(f"close ok {rcvd.code} {rcvd.reason}", flush=True)
print("https_ws_client: OK", flush=True)
