# coding: utf-8
"""The binding's own demo classes (HPSocket/TcpPush.py, TcpPull.py, TcpPack.py), unchanged, as
a server and a peer (its client class, then its agent class) of each model over loopback.

Subclasses override only the demo classes' documented user hooks (OnAccept, OnConnect,
OnReceive / OnReceiveHead / OnReceiveBody, OnSend, OnClose, OnShutdown) to record what arrives;
the servers answer every message, so both directions are checked. Prints deterministic lines.
"""
import hashlib
import sys

import HPSocket.helper as helper
import HPSocket.pyhpsocket as HPSocket
from HPSocket.TcpPack import HP_TcpPackAgent, HP_TcpPackClient, HP_TcpPackServer
from HPSocket.TcpPull import HP_TcpPullAgent, HP_TcpPullClient, HP_TcpPullServer
from HPSocket.TcpPush import HP_TcpPushAgent, HP_TcpPushClient, HP_TcpPushServer

from harness import Waiter, listen_port, loaded_library, out

HOST = "127.0.0.1"
PACK_FLAG = 0x1A3
failures = []


def digest(data):
    return "%d bytes sha256 %s" % (len(data), hashlib.sha256(bytes(data)).hexdigest()[:16])


def check(tag, what, ok):
    out("%s %s: %s" % (tag, what, "ok" if ok else "FAILED"))
    if not ok:
        failures.append("%s %s" % (tag, what))


def events(obj):
    """The recorded events, as a deterministic string."""
    return " ".join("%s=%s" % (k, v) for k, v in sorted(obj.ev.items()))


def recorder(base):
    """A subclass of one of the demo classes that counts the common events."""

    class Recorded(base):
        def __init__(self, w, *args):
            self.w = w
            self.ev = {}
            self.sent = 0
            base.__init__(self, *args)

        def note(self, what, value=None):
            if value is None:
                self.ev[what] = self.ev.get(what, 0) + 1
            else:
                self.ev.setdefault(what, []).append(value)
            self.w.bump(self.role + "." + what)

        def OnAccept(self, Sender, ConnID, Client):
            self.note("accept")
            return HPSocket.EnHandleResult.HR_OK

        def OnConnect(self, Sender, ConnID):
            self.note("connect")
            return HPSocket.EnHandleResult.HR_OK

        def OnSend(self, Sender, ConnID, Data, Length=None):
            self.sent += len(Data)
            self.w.bump(self.role + ".sent", len(Data))
            return HPSocket.EnHandleResult.HR_OK

        def OnClose(self, Sender, ConnID, Operation, ErrorCode):
            self.note("close", "op%d/err%d" % (Operation, ErrorCode))
            return HPSocket.EnHandleResult.HR_OK

        def OnShutdown(self, Sender):
            self.note("shutdown")
            return HPSocket.EnHandleResult.HR_OK

    return Recorded


def start_peer(tag, w, peer_cls, kind, port, *flags):
    """Starts a client (connects in Start) or an agent (Start, then Connect); returns it and the
    connection id to send on (None for a client)."""
    peer = peer_cls(w)
    peer.role = "peer"
    if kind == "client":
        ok = peer.Start(HOST, port, *flags)
        check(tag, "client Start", bool(ok))
        conn = None
    else:
        ok = peer.Start("", *flags)
        check(tag, "agent Start", bool(ok))
        conn = peer.Connect(HOST, port)
        check(tag, "agent Connect gives a connection id", conn is not None)
    check(tag, "peer OnConnect", w.wait("peer.connect"))
    check(tag, "server OnAccept", w.wait("server.accept"))
    return peer, conn


def peer_send(peer, kind, conn, data):
    if kind == "client":
        return peer.Send(peer.Client, data)
    return peer.Send(peer.Agent, conn, data)


def sent_totals(tag, w, peer, server, peer_total, server_total):
    """OnSend may come after the peer has the data: wait for the totals, then print them."""
    w.wait("peer.sent", peer_total)
    w.wait("server.sent", server_total)
    out("%s peer OnSend total: %d, server OnSend total: %d" % (tag, peer.sent, server.sent))


def stop(tag, w, server, peer, kind):
    if kind == "client":
        check(tag, "HP_Client_Stop", bool(HPSocket.HP_Client_Stop(peer.Client)))
    else:
        # (The demo agents create an OnShutdown handle but never register it with
        # HP_Set_FN_Agent_OnShutdown, so no OnShutdown is awaited here.)
        peer.Stop()  # raises when HP_Agent_Stop fails
        out("%s HP_Agent_Stop: ok" % tag)
    check(tag, "server OnClose", w.wait("server.close"))
    check(tag, "HP_Server_Stop", bool(HPSocket.HP_Server_Stop(server.Server)))
    check(tag, "server OnShutdown", w.wait("server.shutdown"))
    out("%s server events: %s" % (tag, events(server)))
    out("%s peer events: %s" % (tag, events(peer)))


# ----------------------------------------------------------------------------------------- push

def push(kind):
    tag = "push/" + kind
    w = Waiter()

    class Server(recorder(HP_TcpPushServer)):
        got = bytearray()

        def OnReceive(self, Sender, ConnID, Data, Length):
            self.got += Data
            if len(Data) != Length:
                self.note("length-mismatch")
            self.Send(Sender, ConnID, Data.upper())  # chunking does not change the answer
            self.w.bump("server.bytes", len(Data))
            return HPSocket.EnHandleResult.HR_OK

    base = HP_TcpPushClient if kind == "client" else HP_TcpPushAgent

    class Peer(recorder(base)):
        got = bytearray()

        def OnReceive(self, Sender, ConnID, Data, Length):
            self.got += Data
            self.w.bump("peer.bytes", len(Data))
            return HPSocket.EnHandleResult.HR_OK

    server = Server(w)
    server.role = "server"
    check(tag, "server Start", bool(server.Start(HOST, 0)))
    peer, conn = start_peer(tag, w, Peer, kind, listen_port(server.Server))

    msgs = [b"hello, server", bytes(range(256)), "汉字 GBK".encode("GBK"), bytes(i * 7 % 251 for i in range(100000))]
    total = 0
    for m in msgs:  # one at a time: each answer is awaited before the next message
        check(tag, "Send %d bytes" % len(m), bool(peer_send(peer, kind, conn, m)))
        total += len(m)
        w.wait("peer.bytes", total)
    sent = b"".join(msgs)
    check(tag, "server received what was sent (%s)" % digest(sent), bytes(server.got) == sent)
    check(tag, "peer received the answers (%s)" % digest(sent.upper()), bytes(peer.got) == sent.upper())
    sent_totals(tag, w, peer, server, len(sent), len(sent))
    stop(tag, w, server, peer, kind)
    del server, peer


# ----------------------------------------------------------------------------------------- pull

# The demo's packets: helper.GeneratePkgBuffer's TPkgHeader (seq, body length) and a body of a
# 30-byte GBK name, a short age and a GBK description. (Its body length and the description field
# use len() of the str, not of its GBK bytes, so a non-ASCII description would be cut: the
# descriptions here are ASCII; the names, in their fixed field, need not be.)
PULL_PKGS = [(1, "Alice", 30, "first"), (2, "张三", 41, "the second packet"), (3, "Bob", 7, "x" * 3000)]


def unpack_body(body):
    name, age, desc = helper.GeneratePkg(body)
    return (name.rstrip("\x00"), age, desc)


def reply_of(name, age, desc):
    return (name.upper(), age + 1, desc.upper())


def pull(kind):
    tag = "pull/" + kind
    w = Waiter()
    replies = []

    class Server(recorder(HP_TcpPullServer)):
        heads = []
        bodies = []
        seq = {}

        def OnAccept(self, Sender, ConnID, Client):
            # The demo's OnReceive keeps its head/body state in the connection extra (a dict of
            # pyhpsocket's), which the application sets when a connection arrives.
            HPSocket.HP_Server_SetConnectionExtra(Sender, ConnID, helper.TPkgInfo())
            return super().OnAccept(Sender, ConnID, Client)

        def OnReceiveHead(self, Sender, ConnID, Seq, Length, raw):
            self.heads.append((Seq, Length))
            self.seq[ConnID] = Seq
            return HPSocket.EnHandleResult.HR_OK

        def OnReceiveBody(self, Sender, ConnID, Body):
            body = unpack_body(Body)
            self.bodies.append(body)
            reply = helper.GeneratePkgBuffer(self.seq[ConnID] + 100, *reply_of(*body))
            replies.append(reply)
            self.Send(Sender, ConnID, reply)
            return HPSocket.EnHandleResult.HR_OK

    base = HP_TcpPullClient if kind == "client" else HP_TcpPullAgent

    class Peer(recorder(base)):
        heads = []
        bodies = []

        def OnReceiveHead(self, Sender, ConnID, Seq, Length, raw):
            self.heads.append((Seq, Length))
            return HPSocket.EnHandleResult.HR_OK

        def OnReceiveBody(self, Sender, ConnID, Body):
            self.bodies.append(unpack_body(Body))
            self.w.bump("peer.bodies")
            return HPSocket.EnHandleResult.HR_OK

    server = Server(w)
    server.role = "server"
    check(tag, "server Start", bool(server.Start(HOST, 0)))
    peer, conn = start_peer(tag, w, Peer, kind, listen_port(server.Server))

    bufs = [helper.GeneratePkgBuffer(*p) for p in PULL_PKGS]
    # The first two packets in one Send (the demo's Fetch loop splits them), then the third.
    check(tag, "Send packets 1+2", bool(peer_send(peer, kind, conn, bufs[0] + bufs[1])))
    w.wait("peer.bodies", 2)
    check(tag, "Send packet 3", bool(peer_send(peer, kind, conn, bufs[2])))
    w.wait("peer.bodies", 3)

    def short(bodies):
        return [(n, a, d if len(d) < 40 else "%s...(%d)" % (d[:8], len(d))) for n, a, d in bodies]

    want_heads = [(p[0], 32 + len(p[3])) for p in PULL_PKGS]
    want_bodies = [(p[1], p[2], p[3]) for p in PULL_PKGS]
    out("%s server heads: %s" % (tag, server.heads))
    out("%s server bodies: %s" % (tag, short(server.bodies)))
    check(tag, "server heads", server.heads == want_heads)
    check(tag, "server bodies", server.bodies == want_bodies)
    out("%s peer heads: %s" % (tag, peer.heads))
    out("%s peer bodies: %s" % (tag, short(peer.bodies)))
    check(tag, "peer heads", peer.heads == [(s + 100, n) for s, n in want_heads])
    check(tag, "peer bodies", peer.bodies == [reply_of(*b) for b in want_bodies])
    sent_totals(tag, w, peer, server, sum(map(len, bufs)), sum(map(len, replies)))
    stop(tag, w, server, peer, kind)
    del server, peer


# ----------------------------------------------------------------------------------------- pack

PACK_MSGS = [b"one", b"two" * 100, bytes(range(256)) * 15, "包".encode("GBK")]


def pack(kind):
    tag = "pack/" + kind
    w = Waiter()

    class Server(recorder(HP_TcpPackServer)):
        got = []

        def OnReceive(self, Sender, ConnID, Data):
            self.got.append(Data)
            self.Send(Sender, ConnID, b"re:" + Data)
            return HPSocket.EnHandleResult.HR_OK

    base = HP_TcpPackClient if kind == "client" else HP_TcpPackAgent

    class Peer(recorder(base)):
        got = []

        def OnReceive(self, Sender, ConnID, Data):
            self.got.append(Data)
            self.w.bump("peer.msgs")
            return HPSocket.EnHandleResult.HR_OK

    server = Server(w)
    server.role = "server"
    check(tag, "server Start", bool(server.Start(HOST, 0, PACK_FLAG)))
    peer, conn = start_peer(tag, w, Peer, kind, listen_port(server.Server), PACK_FLAG)
    for m in PACK_MSGS:  # all at once: the pack model keeps the boundaries
        check(tag, "Send %d bytes" % len(m), bool(peer_send(peer, kind, conn, m)))
    w.wait("peer.msgs", len(PACK_MSGS))
    out("%s server messages: %s" % (tag, [len(m) for m in server.got]))
    check(tag, "server messages", server.got == PACK_MSGS)
    out("%s peer messages: %s" % (tag, [m[:8] for m in peer.got]))
    check(tag, "peer messages", peer.got == [b"re:" + m for m in PACK_MSGS])
    # OnSend reports each packet with its 4-byte pack header
    sent_totals(tag, w, peer, server, sum(len(m) + 4 for m in PACK_MSGS), sum(len(m) + 7 for m in PACK_MSGS))
    stop(tag, w, server, peer, kind)
    del server, peer


def main():
    print("library:", loaded_library(), file=sys.stderr)
    for model in (push, pull, pack):
        for kind in ("client", "agent"):
            model(kind)
    out("failures: %d" % len(failures))
    for f in failures:
        out("  " + f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
