#!/usr/bin/env python3
"""Writes the seed inputs of fuzz/corpus/<target>/seed-*: well-formed traffic for each check in
fuzz/checks.rs, laid out as that check reads its input (control bytes first). Run from the
repository's top: python3 fuzz/seeds.py"""
import os, struct

def write(target, name, data):
    d = os.path.join("fuzz", "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)

# http_parser: control (bit 0 responses; bits 1-3 callback answers), split seed, bytes
reqs = (b"GET /a/b?c=d#e HTTP/1.1\r\nHost: example.com\r\nUser-Agent: x\r\nContent-Length: 3\r\n\r\nabc"
        b"POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n"
        b"3\r\nabc\r\n10;ext=1\r\n0123456789abcdef\r\n0\r\nTrailer: v\r\n\r\n"
        b"HEAD / HTTP/1.0\r\nX-Folded: a\r\n b\r\n\r\n")
write("http_parser", "requests", b"\x00\x07" + reqs)
write("http_parser", "requests-answers", b"\x0e\x21" + reqs * 2)
write("http_parser", "upgrade", b"\x00\x03GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n\x81\x85\x01\x02\x03\x04iggmn")
write("http_parser", "connect", b"\x00\x09CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\nbytes")
write("http_parser", "responses", b"\x01\x05HTTP/1.1 200 OK\r\nContent-Length: 5\r\nSet-Cookie: a=b; Path=/\r\n\r\nhello"
      b"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
      b"HTTP/1.0 200 OK\r\n\r\nuntil the connection closes")
write("http_parser", "switching", b"\x01\x0bHTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x02hi")
write("http_parser", "bad", b"\x00\x01GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx")

# ws_decoder: control (bit 0 a client's decoder), split seed, frames
def frame(op, payload, fin=True, mask=None, rsv=0):
    b0 = (0x80 if fin else 0) | (rsv << 4) | op
    n = len(payload)
    m = 0x80 if mask else 0
    if n < 126:
        h = bytes([b0, m | n])
    elif n < 65536:
        h = bytes([b0, m | 126]) + struct.pack(">H", n)
    else:
        h = bytes([b0, m | 127]) + struct.pack(">Q", n)
    if mask:
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
        h += mask
    return h + payload
k = b"\x37\xfa\x21\x3d"
server = (frame(1, b"Hello", mask=k) + frame(2, bytes(range(256)) * 2, mask=k) + frame(1, b"frag", fin=False, mask=k)
          + frame(0, b"ment", mask=k) + frame(9, b"ping", mask=k) + frame(8, b"\x03\xe8bye", mask=k))
write("ws_decoder", "server", b"\x00\x05" + server)
write("ws_decoder", "client", b"\x01\x0d" + frame(1, b"Hello") + frame(2, b"x" * 300) + frame(10, b"") + frame(8, b""))
write("ws_decoder", "client-sees-mask", b"\x01\x02" + frame(1, b"masked", mask=k))

# pack_parser: control (bit 0 4 MiB max; bit 1 check the flag; bit 2 refuse the third body),
# split seed, flag (2 bytes), frames of a 4-byte little-endian header (22-bit length, 10-bit flag)
def pack(body, flag=0):
    return struct.pack("<I", len(body) | flag << 22) + body
write("pack_parser", "plain", b"\x00\x03\x00\x00" + pack(b"a") + pack(b"hello world") + pack(bytes(300)) + pack(b"z" * 1024))
write("pack_parser", "flag", b"\x02\x11\x2a\x00" + pack(b"one", 0x2a) + pack(b"two", 0x2a) + pack(b"three", 0x2b))
write("pack_parser", "refuse", b"\x05\x07\x00\x00" + pack(b"1") + pack(b"2") + pack(b"3") + pack(b"4"))
write("pack_parser", "too-long", b"\x00\x01\x00\x00" + pack(b"ok") + struct.pack("<I", 2000) + b"x" * 10)

# arq_session / kcp_input: datagrams, each a length byte and its bytes. KCP segment: conv,
# cmd (81 push, 82 ack, 83 window ask, 84 window tell), frg, wnd, ts, sn, una, len, data
def seg(cmd, sn, una=0, data=b"", frg=0, ts=0, wnd=128, conv=0x11223344):
    return struct.pack("<IBBHIIII", conv, cmd, frg, wnd, ts, sn, una, len(data)) + data
def dgrams(*ds):
    out = b""
    for d in ds:
        assert len(d) < 256
        out += bytes([len(d)]) + d
    return out
kcp = dgrams(seg(81, 0, data=b"hello"), seg(81, 2, data=b"later"), seg(81, 1, data=b"middle"),
             seg(81, 3, frg=1, data=b"first half "), seg(81, 4, frg=0, data=b"second half"),
             seg(82, 0, ts=5), seg(83, 0), seg(84, 0), seg(81, 0, data=b"again") + seg(82, 1))
write("arq_session", "after-handshake", b"\x01" + kcp)
write("arq_session", "before-handshake", b"\x00" + kcp)
write("arq_session", "handshake-then-reset", b"\x01" + dgrams(struct.pack("<HBBII", 0xBB4F, 1, 1, 0x11223344, 0)) + kcp)
write("kcp_input", "segments", kcp)

# cookie_text: a Set-Cookie value; the line after the first newline also goes to the expires parser
write("cookie_text", "full", b"sid=abc123; Domain=.Example.com; Path=/a; Expires=Wed, 21-Oct-2026 07:28:00 GMT; "
      b"Max-Age=3600; HttpOnly; Secure; SameSite=Lax\nSun, 06 Nov 1994 08:49:37 GMT")
write("cookie_text", "session", b"lang=en-US\nThursday, 01-Jan-70 00:00:01 +0100")
write("cookie_text", "header", b"a=1; b=2; c=\"quoted\"; d\nFri, 31 Dec 9999 23:59:59 GMT")

# cookie_file: upstream's cookie file: a "domain path" line, then a tab-led line per cookie
# (name, value, expires, HttpOnly, Secure, SameSite, tab-separated)
write("cookie_file", "two-domains", b"example.com /\n\tsid\tabc\t1900000000\t1\t0\t1\n\tlang\ten\t1900000000\t0\t1\t0\n\n"
      b"other.org /a/\n\tk\tv\t1900000000\t0\t0\t2\n\texpired\tx\t1000\t0\t0\t0\n")

# url_split: control (bit 0 a CONNECT target), URL
write("url_split", "absolute", b"\x00http://user:pw@www.example.com:8080/p/a/t/h?query=1&x#frag")
write("url_split", "origin", b"\x00/index.html?x=y")
write("url_split", "connect", b"\x01example.com:443")
write("url_split", "ipv6", b"\x00https://[::1]:443/")

# codecs: any bytes
write("codecs", "text", b"hello world, a=b&c=d e+f/g?h#i")
write("codecs", "binary", bytes(range(256)))
write("codecs", "base64", b"SGVsbG8sIHdvcmxkIQ==\r\nAAEC")
write("codecs", "percent", b"a%20b+c%zz%4")

# decompress: control (format: 0 zlib, 1 gzip, 2 raw deflate, 3 zlib or gzip, 4 brotli; bit 3 also
# compress and decompress the data back), split seed, compressed bytes
import zlib
text = b"the quick brown fox jumps over the lazy dog " * 40
for fmt, wbits in ((0, 15), (1, 31), (2, -15)):
    c = zlib.compressobj(6, zlib.DEFLATED, wbits)
    packed = c.compress(text) + c.flush()
    write("decompress", f"format{fmt}", bytes([fmt, 7]) + packed)
    write("decompress", f"format{fmt}-roundtrip", bytes([fmt | 8, 3]) + packed)
    write("decompress", f"format{fmt}-truncated", bytes([fmt, 9]) + packed[: len(packed) // 2])
c = zlib.compressobj(6, zlib.DEFLATED, 31)
write("decompress", "auto-gzip", bytes([3, 5]) + c.compress(text) + c.flush())
# brotli: a one-byte stream, and bytes that are not brotli (compressed and back with bit 3)
write("decompress", "brotli-empty", bytes([4, 1, 0x06]))
write("decompress", "brotli-roundtrip", bytes([12, 2]) + b"brotli input that is not brotli")
