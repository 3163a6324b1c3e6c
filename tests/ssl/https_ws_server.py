"""A wss:// echo server on the `websockets` package, for our HttpsClient in tests/ssl_https.rs.

    python https_ws_server.py CERTDIR

Listens on 127.0.0.1 (a free port) over TLS with CERTDIR's server.pem / server.key and prints
"LISTEN <port>". Echoes text messages as "echo:" + text and binary ones as they are. Serves
until stdin closes, then prints "messages=N connections=N sni=<names the clients sent, or ->"."""
import asyncio
import ssl
import sys

from websockets.asyncio.server import serve

certs = sys.argv[1]
messages = 0
connections = 0
names = []

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(f"{certs}/server.pem", f"{certs}/server.key")
ctx.sni_callback = lambda _sock, name, _ctx: names.append(name or "-")


async def echo(ws):
    global messages, connections
    connections += 1
    async for msg in ws:
        messages += 1
        await ws.send("echo:" + msg if isinstance(msg, str) else msg)


async def main():
    async with serve(echo, "127.0.0.1", 0, ssl=ctx, compression=None, max_size=1 << 20) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(f"LISTEN {port}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    print(f"messages={messages} connections={connections} sni={','.join(names) or '-'}", flush=True)


asyncio.run(main())
