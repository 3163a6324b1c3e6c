"""A WebSocket echo server on the `websockets` package, for tests/http_client_interop.rs.

Prints "LISTEN <port>" once bound to 127.0.0.1 (port 0: any), echoes text messages as
"echo:" + text and binary ones as they are, and serves until stdin closes; then prints
"messages=N connections=N".
"""
import asyncio
import sys

try:
    from websockets.asyncio.server import serve
except ImportError:  # older releases
    from websockets import serve

messages = 0
connections = 0


async def echo(ws, *_):
    global messages, connections
    connections += 1
    async for msg in ws:
        messages += 1
        await ws.send("echo:" + msg if isinstance(msg, str) else msg)


async def main():
    async with serve(echo, "127.0.0.1", 0, compression=None, max_size=1 << 20) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(f"LISTEN {port}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    print(f"messages={messages} connections={connections}", flush=True)


asyncio.run(main())
