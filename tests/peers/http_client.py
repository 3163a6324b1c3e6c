"""Python's stdlib http.client as a client of an HTTP server serving the routes of
examples-c/http_server.c (GET /, HEAD /, POST /echo, GET /chunked, 404 otherwise).

    python3 http_client.py PORT

Checks what it gets (an assertion failure exits non-zero) and prints one line per response:
`<case> <status> <framing headers> <body as a Python repr>`, so that two servers' transcripts can
be compared."""
import http.client
import socket
import sys

port = int(sys.argv[1])
CHUNKED = b"first chunk\nsecond chunk, a little longer\nthird and last chunk\n"


FRAMING = ("Content-Type", "Content-Length", "Transfer-Encoding", "Connection")


def show(case, status, body, response=None):
    heads = ""
    if response is not None:
        heads = " ".join(f"{h}={response.getheader(h)}" for h in FRAMING if response.getheader(h) is not None) + " "
    print(f"{case} {status} {heads}{body!r}", flush=True)


# 1. several requests on one connection (HTTP/1.1 keep-alive)
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
conn.request("GET", "/")
r = conn.getresponse()
page = r.read()
assert r.status == 200, r.status
assert r.getheader("Content-Type", "").startswith("text/html"), r.getheaders()
assert b'<div id="result">' in page, page
assert int(r.getheader("Content-Length")) == len(page)
show("keepalive-get", r.status, b"<page of %d bytes>" % len(page), r)
sock = conn.sock
assert sock is not None, "the server closed a keep-alive connection"

for i in range(5):
    body = f"message {i} ".encode() * (i * 100 + 1)
    conn.request("POST", "/echo", body=body, headers={"Content-Type": "application/x-test"})
    r = conn.getresponse()
    got = r.read()
    assert r.status == 200 and got == body, (r.status, got[:80])
    assert r.getheader("Content-Type") == "application/x-test", r.getheaders()
    assert conn.sock is sock, "a new connection was opened for request %d" % i
    show(f"keepalive-post{i}", r.status, b"<echo of %d bytes>" % len(got), r)

conn.request("GET", "/chunked")
r = conn.getresponse()
got = r.read()
assert r.status == 200 and r.getheader("Transfer-Encoding") == "chunked", r.getheaders()
assert got == CHUNKED, got
assert conn.sock is sock
show("keepalive-chunked", r.status, got, r)

conn.request("HEAD", "/")
r = conn.getresponse()
got = r.read()
assert r.status == 200 and got == b"", (r.status, got)
assert int(r.getheader("Content-Length")) == len(page), r.getheaders()
show("keepalive-head", r.status, got, r)

conn.request("GET", "/missing")
r = conn.getresponse()
got = r.read()
assert r.status == 404, r.status
assert conn.sock is sock
show("keepalive-404", r.status, got, r)

# 2. a chunked request body (http.client sends an iterable with encode_chunked)
parts = [b"alpha-", b"beta-" * 1000, b"gamma"]
conn.request("POST", "/echo", body=iter(parts), headers={"Content-Type": "text/plain", "Transfer-Encoding": "chunked"}, encode_chunked=True)
r = conn.getresponse()
got = r.read()
assert r.status == 200 and got == b"".join(parts), (r.status, got[:80])
assert conn.sock is sock
show("chunked-upload", r.status, b"<echo of %d bytes>" % len(got), r)
conn.close()

# 3. pipelining: two requests written at once, both responses read in order from one stream
s = socket.create_connection(("127.0.0.1", port), timeout=20)
s.sendall(
    b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nfirst"
    b"GET /chunked HTTP/1.1\r\nHost: x\r\n\r\n"
    b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecond"
)
stream = s.makefile("rb")


class Unclosed:
    """The shared stream, which an HTTPResponse may not close when it has read its body."""

    def __getattr__(self, name):
        return getattr(stream, name)

    def close(self):
        pass


class Shared:
    """Gives every HTTPResponse the same buffered stream, so bytes past one response stay for the next."""

    def makefile(self, *args, **kwargs):
        return Unclosed()


bodies = []
for i in range(3):
    r = http.client.HTTPResponse(Shared(), method="POST")
    r.begin()
    bodies.append((r.status, r.read()))
    show(f"pipelined{i}", r.status, bodies[-1][1], r)
assert bodies == [(200, b"first"), (200, CHUNKED), (200, b"second")], bodies
# the last request said Connection: close: the server Releases the connection
assert stream.read() == b""
s.close()

# 4. HTTP/1.0 (no keep-alive): the server answers and closes
s = socket.create_connection(("127.0.0.1", port), timeout=20)
s.sendall(b"POST /echo HTTP/1.0\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nold!")
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
head, _, body = data.partition(b"\r\n\r\n")
status_line = head.split(b"\r\n")[0]
assert status_line.startswith(b"HTTP/1.") and b" 200 " in status_line + b" ", head
assert body == b"old!", data
show("http10", 200, body)
print("http_client: OK", flush=True)
