"""The `requests` PyPI package as a client of the HTTP example (examples-c/http_server.c).

    python requests_client.py PORT

A Session keeps one connection over several requests; GET, HEAD, POST (form and bytes), a
chunked upload from a generator, the chunked route, and a 404. An assertion failure exits
non-zero; the last line is `requests: OK`."""
import sys

import requests

port = int(sys.argv[1])
base = f"http://127.0.0.1:{port}"

with requests.Session() as s:
    r = s.get(base + "/", timeout=20)
    assert r.status_code == 200 and '<div id="result">' in r.text, (r.status_code, r.text[:80])
    assert r.headers["Content-Length"] == str(len(r.content))
    r = s.head(base + "/", timeout=20)
    assert r.status_code == 200 and r.content == b"", r.content
    r = s.post(base + "/echo", data={"a": "1", "b": "two words"}, timeout=20)
    assert r.status_code == 200 and r.text == "a=1&b=two+words", r.text
    assert r.headers["Content-Type"] == "application/x-www-form-urlencoded", r.headers
    blob = bytes(range(256)) * 1024
    r = s.post(base + "/echo", data=blob, headers={"Content-Type": "application/octet-stream"}, timeout=20)
    assert r.status_code == 200 and r.content == blob, len(r.content)

    def pieces():
        for i in range(5):
            yield b"piece %d;" % i

    r = s.post(base + "/echo", data=pieces(), timeout=20)  # a generator body goes chunked
    assert r.status_code == 200 and r.content == b"".join(pieces()), r.content
    r = s.get(base + "/chunked", timeout=20)
    assert r.status_code == 200 and r.headers.get("Transfer-Encoding") == "chunked", r.headers
    assert r.text.startswith("first chunk"), r.text
    r = s.get(base + "/missing", timeout=20)
    assert r.status_code == 404, r.status_code
print("requests: OK")
