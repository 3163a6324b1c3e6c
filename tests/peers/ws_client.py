"""The `websockets` package (PyPI) as a client of the WebSocket echo on /ws of
examples-c/http_server.c.

    python ws_client.py PORT

Text and binary echo, a message sent in fragments, a 100 KB message, ping/pong, a clean close.
Prints one line per check; an assertion failure exits non-zero."""
import os
import sys

from websockets.sync.client import connect

port = int(sys.argv[1])
url = f"ws://127.0.0.1:{port}/ws"

with connect(url, open_timeout=20, close_timeout=20, max_size=4 << 20, compression=None) as ws:
    ws.send("hello-ws")
    got = ws.recv(timeout=20)
    assert got == "hello-ws", got
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
    assert got == big, (len(got), got[:16])
    print("100KB ok", flush=True)

    text = "ü" * 70000  # multi-byte text over 64 KiB (a 64-bit length)
    ws.send(text)
    got = ws.recv(timeout=20)
    assert got == text, len(got)
    print("big text ok", flush=True)

    pong = ws.ping(b"are-you-there")
    assert pong.wait(20), "no pong"
    print("ping ok", flush=True)

    for i in range(20):
        ws.send(f"burst {i}")
    for i in range(20):
        got = ws.recv(timeout=20)
        assert got == f"burst {i}", got
    print("burst ok", flush=True)

    ws.close(code=1000, reason="bye")
    rcvd = ws.protocol.close_rcvd
    assert rcvd is not None, "the server sent no close frame"
    assert (rcvd.code, rcvd.reason) == (1000, "bye"), rcvd
    print(f"close ok {rcvd.code} {rcvd.reason}", flush=True)
print("ws_client: OK", flush=True)
