"""Python's http.client over ssl as a client of tests/ssl/https_server.c (the routes of
examples-c/http_server.c over TLS), for tests/ssl_https.rs.

    python https_client.py PORT CERTDIR

Keep-alive requests on one TLS connection (GET, POSTs, a chunked response, HEAD, 404), a chunked
POST, and a context trusting the wrong CA refused. Prints one line per check; an assertion
failure exits non-zero."""
import http.client
import ssl
import sys

port = int(sys.argv[1])
certs = sys.argv[2]
CHUNKED = b"first chunk\nsecond chunk, a little longer\nthird and last chunk\n"

ctx = ssl.create_default_context(cafile=f"{certs}/ca.pem")  # verifies the chain and the host name
conn = http.client.HTTPSConnection("localhost", port, timeout=20, context=ctx)

# 1. keep-alive: every request on the one TLS connection
conn.request("GET", "/")
r = conn.getresponse()
page = r.read()
assert r.status == 200, r.status
assert r.getheader("Content-Type") == "text/html; charset=utf-8", r.getheaders()
assert int(r.getheader("Content-Length")) == len(page), r.getheaders()
assert b'<div id="result">' in page, page[:200]
sock = conn.sock
assert isinstance(sock, ssl.SSLSocket), type(sock)
version = sock.version()
assert version and version.startswith("TLSv1"), version
peer = sock.getpeercert()
assert dict(x[0] for x in peer["subject"])["commonName"] == "localhost", peer
print(f"get ok {version}", flush=True)

for i in range(5):
    body = f"message {i} ".encode() * (i * 300 + 1)
    conn.request("POST", "/echo", body=body, headers={"Content-Type": "application/x-test"})
    r = conn.getresponse()
    got = r.read()
    assert r.status == 200 and got == body, (r.status, len(got), got[:80])
    assert r.getheader("Content-Type") == "application/x-test", r.getheaders()
    assert conn.sock is sock, f"a new connection was opened for POST {i}"
print("keep-alive posts ok", flush=True)

conn.request("GET", "/chunked")
r = conn.getresponse()
got = r.read()
assert r.status == 200 and r.getheader("Transfer-Encoding") == "chunked", r.getheaders()
assert got == CHUNKED, got
assert conn.sock is sock
print("chunked response ok", flush=True)

conn.request("HEAD", "/")
r = conn.getresponse()
got = r.read()
assert r.status == 200 and got == b"", (r.status, got)
assert int(r.getheader("Content-Length")) == len(page), r.getheaders()
assert conn.sock is sock
print("head ok", flush=True)

conn.request("GET", "/missing")
r = conn.getresponse()
got = r.read()
assert r.status == 404 and got == b"not found\n", (r.status, got)
assert conn.sock is sock
print("404 ok", flush=True)

# 2. a chunked request body (an iterable with encode_chunked), 200 KB in all
parts = [b"alpha-", b"beta-" * 40000, b"gamma"]
conn.request("POST", "/echo", body=iter(parts), headers={"Content-Type": "text/plain", "Transfer-Encoding": "chunked"}, encode_chunked=True)
r = conn.getresponse()
got = r.read()
assert r.status == 200 and got == b"".join(parts), (r.status, len(got), got[:80])
assert r.getheader("Content-Type") == "text/plain", r.getheaders()
assert conn.sock is sock
print(f"chunked post ok {len(got)}", flush=True)
conn.close()

# 3. a context trusting another CA refuses the server's certificate
bad = ssl.create_default_context(cafile=f"{certs}/other-ca.pem")
conn = http.client.HTTPSConnection("localhost", port, timeout=20, context=bad)
try:
    conn.request("GET", "/")
    conn.getresponse()
    raise AssertionError("the wrong CA accepted the server")
except ssl.SSLCertVerificationError as e:
    print(f"wrong ca refused ({e.verify_message})", flush=True)
conn.close()
print("https_client: OK", flush=True)
