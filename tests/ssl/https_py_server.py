"""An HTTPS server on Python's http.server and ssl (threaded, HTTP/1.1 keep-alive), for our
HttpsSyncClient in tests/ssl_https.rs.

    python https_py_server.py CERTDIR

Listens on 127.0.0.1 (a free port) with CERTDIR's server.pem / server.key and prints
"LISTEN <port>". Routes:
    GET  /hello   200 text/plain "hello over https\\n"
    POST /echo    200 with the request's body and Content-Type
    anything else 404
Every response carries X-Conn (the connection's number, from 1), X-SNI (the server name the
client sent, "-" for none) and X-Method. Serves until stdin closes, then prints
"connections=N requests=N tls_errors=N" (tls_errors: connections whose handshake failed or
was left)."""
import http.server
import ssl
import sys
import threading

certs = sys.argv[1]
lock = threading.Lock()
counts = {"connections": 0, "requests": 0, "tls_errors": 0}


def count(key):
    with lock:
        counts[key] += 1
        return counts[key]


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(f"{certs}/server.pem", f"{certs}/server.key")


def on_sni(sock, name, _ctx):
    sock.sni = name  # read back by the handler


ctx.sni_callback = on_sni


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30

    def setup(self):
        self.conn_no = count("connections")
        super().setup()
        # the handshake here, so that a client leaving it (with an alert or none) is a TLS error
        # (a first read would take an EOF in the handshake for a clean end)
        self.connection.do_handshake()

    def answer(self, status, body, ctype):
        count("requests")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Conn", str(self.conn_no))
        self.send_header("X-SNI", getattr(self.connection, "sni", None) or "-")
        self.send_header("X-Method", self.command)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        if self.path == "/hello":
            self.answer(200, b"hello over https\n", "text/plain")
        else:
            self.answer(404, b"not found\n", "text/plain")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        if self.path == "/echo":
            self.answer(200, body, self.headers.get("Content-Type", "application/octet-stream"))
        else:
            self.answer(404, b"not found\n", "text/plain")

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = False  # server_close joins the handlers: the counts are final

    def get_request(self):
        sock, addr = self.socket.accept()
        # the handshake runs in the handler's thread (on its first read), not in the accept loop
        return ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], ssl.SSLError):
            count("tls_errors")
        else:
            super().handle_error(request, client_address)


server = Server(("127.0.0.1", 0), Handler)
print(f"LISTEN {server.server_address[1]}", flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
server.shutdown()
server.server_close()
print(f"connections={counts['connections']} requests={counts['requests']} tls_errors={counts['tls_errors']}", flush=True)
