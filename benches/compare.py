#!/usr/bin/env python3
"""Runs the echo benchmark configs A B C (ours, upstream 5.1.1, plain epoll) per repetition and
prints a Markdown table of medians. Usage: compare.py <bin dir> <ours.so> <upstream.so> <reps>.
The server is what is compared: the client is the same bench_client, over the library under
test (for the epoll ceiling, over ours). The "sends" configs run bench_sends instead (small
HP_Agent_Send calls from application threads), where the client library under test matters as
much as the server: over ours and upstream both sides use that library, over epoll the client
uses ours."""
import os, platform, re, socket, statistics, subprocess, sys, time

bindir, ours, upstream, reps = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3]), int(sys.argv[4])

CONFIGS = [
    # name, client mode, client args, server model
    ("ping-pong 64 B x 10", "pingpong", ["-c", "10", "-r", "20000", "-s", "64"], "push"),
    ("ping-pong 4 KB x 100", "pingpong", ["-c", "100", "-r", "1000", "-s", "4096"], "push"),
    ("flood 64 KB x 100", "flood", ["-c", "100", "-r", "50", "-s", "65536"], "push"),
    ("PACK ping-pong 64 B x 10", "pingpong", ["-c", "10", "-r", "20000", "-s", "64", "-m", "pack"], "pack"),
    ("ping-pong 64 B x 10, TcpClient each", "pingpong", ["-c", "10", "-r", "20000", "-s", "64", "-k", "client"], "push"),
    ("ping-pong 64 B x 1,000 connections", "pingpong", ["-c", "1000", "-r", "200", "-s", "64"], "push"),
    ("broadcast 64 B from one thread to 1,000 connections x 100", "bcast", ["-c", "1000", "-r", "100", "-s", "64"], "bcast"),
    ("10,000 idle connections", "scale", ["-c", "10000"], "push"),
    # mode "udp": udp_server (UdpServer echo; the plain column: a recvmmsg/sendmmsg loop) under
    # udp_client (20 sockets, 8 datagrams in flight each)
    ("UDP echo 64 B (plain column: recvmmsg loop)", "udp", ["-c", "20", "-q", "8", "-s", "64", "-n", "300000"], "udp"),
    ("UDP echo 1,400 B (plain column: recvmmsg loop)", "udp", ["-c", "20", "-q", "8", "-s", "1400", "-n", "200000"], "udp"),
    # mode "sends": bench_sends (20 connections, default SP_PACK send policy) instead of bench_client
    ("small sends 6 thr x 50,000 x 100 B", "sends", ["-t", "6", "-n", "50000", "-s", "100"], "push"),
    ("small sends 1 thr x 200,000 x 100 B", "sends", ["-t", "1", "-n", "200000", "-s", "100"], "push"),
    ("small sends 6 thr x 5,000 x 4,096 B", "sends", ["-t", "6", "-n", "5000", "-s", "4096"], "push"),
]

# ONLY=<text> runs just the configs whose name contains it.
if os.environ.get("ONLY"):
    CONFIGS = [c for c in CONFIGS if os.environ["ONLY"] in c[0]]

# The libuv echo server (benches/uv_echo.c) is built by compare.sh when libuv1-dev is installed.
HAVE_UV = os.path.exists(f"{bindir}/uv_echo")

def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p

def serve(srv, client):
    """Starts the server command `srv` (it prints "READY <pid>" and runs until stdin closes), runs
    the client command `client(pid)` against it, and returns the client's RESULT fields (None
    when it failed or took too long)."""
    p = subprocess.Popen(srv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        pid = int(p.stdout.readline().split()[1])
        try:
            r = subprocess.run(client(pid), capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            return None
        m = re.search(r"RESULT (.*)", r.stdout)
        if r.returncode != 0 or not m:
            return None
        return dict(kv.split("=", 1) for kv in m.group(1).split())
    finally:
        p.stdin.close()
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
        time.sleep(0.3)

def run(target, mode, args, model):
    if mode == "udp":
        # UDP echo: udp_server over the library (or, for "epoll", the plain recvmmsg/sendmmsg
        # loop), driven by udp_client (plain sockets, the same for every server).
        port = free_port(socket.SOCK_DGRAM)
        what = {"ours": ours, "upstream": upstream}.get(target, "mmsg")
        return serve([f"{bindir}/udp_server", what, str(port), "-w", "2"],
                     lambda pid: [f"{bindir}/udp_client", str(port)] + args + ["-p", str(pid)])
    port = free_port()
    if target in ("epoll", "libuv"):
        srv = [f"{bindir}/{'epoll_echo' if target == 'epoll' else 'uv_echo'}", str(port), "-w", "2"]
        lib = ours
    else:
        lib = ours if target == "ours" else upstream
        srv = [f"{bindir}/bench_server", lib, str(port), "-m", model]
    if mode == "sends":
        return serve(srv, lambda pid: [f"{bindir}/bench_sends", lib, str(port)] + args + ["-p", str(pid)])
    return serve(srv, lambda pid: [f"{bindir}/bench_client", lib, str(port), mode] + args + ["-p", str(pid)])

def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None

def fmt(v, nd=0):
    return "-" if v is None else f"{v:,.{nd}f}"

def ratio(a, b):
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}"

# When RATIOS names a file, lines `config<TAB>ours/peer<TAB>goal` are appended to it (benches/chart.py
# draws them), with the goals of the performance issue: >= 1.5x upstream on every config, >= 1.0x the
# plain epoll server on TCP and >= 0.8x the plain recvmmsg loop on UDP, and faster than libuv. For
# the memory row the ratio is upstream / ours (goal 1.0: no more memory than upstream), so that
# higher is better there too.
def goal(peer, mode):
    return {"upstream": "1.5", "epoll": "0.8" if mode == "udp" else "1.0", "libuv": "1.0"}[peer]
def note_ratio(name, peer, r, mode):
    if os.environ.get("RATIOS") and r != "-":
        with open(os.environ["RATIOS"], "a") as f:
            f.write(f"{name}: ours / {peer}\t{r}\t{goal(peer, mode)}\n")

rows = []
for name, mode, args, model in CONFIGS:
    plain = model == "push" and "-k" not in args
    targets = ["ours", "upstream"] + (["epoll"] if plain or mode == "udp" else []) + (["libuv"] if plain and HAVE_UV else [])
    res = {t: [] for t in targets}
    for _ in range(reps):
        for t in targets:
            res[t].append(run(t, mode, args, model))
    if mode == "scale":
        key = "rss_per_conn_bytes"
        vals = {t: med([float(r[key]) for r in res[t] if r]) for t in targets}
        conn = {t: med([float(r["connect_secs"]) for r in res[t] if r]) for t in targets}
        # The connecting side's memory too: bench_client's TcpAgent over the same library (for
        # the epoll and libuv servers it is ours again, so not shown there).
        agent = {t: med([float(r["client_rss_per_conn_bytes"]) for r in res[t] if r and "client_rss_per_conn_bytes" in r]) for t in ("ours", "upstream")}
        rows.append((name, f"{fmt(vals['ours'])} B/conn, connect {fmt(conn['ours'], 2)} s (TcpAgent: {fmt(agent['ours'])} B/conn)",
                     f"{fmt(vals['upstream'])} B/conn, connect {fmt(conn['upstream'], 2)} s (TcpAgent: {fmt(agent['upstream'])} B/conn)",
                     f"{fmt(vals.get('epoll'))} B/conn" if "epoll" in vals else "-",
                     f"{fmt(vals.get('libuv'))} B/conn" if "libuv" in vals else "-",
                     ratio(vals["ours"], vals["upstream"]) + " (memory, lower is better)", "-", "-"))
        r = ratio(vals["upstream"], vals["ours"])
        if os.environ.get("RATIOS") and r != "-":
            with open(os.environ["RATIOS"], "a") as f:
                f.write(f"{name}: upstream / ours memory\t{r}\t1.0\n")
        continue
    mps = {t: med([float(r["msgs_per_s"]) for r in res[t] if r]) for t in targets}
    extra = ""
    if mode == "pingpong":
        p = {t: (med([float(r["p50_us"]) for r in res[t] if r]), med([float(r["p99_us"]) for r in res[t] if r])) for t in ("ours", "upstream")}
        extra = f" (p50/p99 µs: ours {fmt(p['ours'][0], 0)}/{fmt(p['ours'][1], 0)}, upstream {fmt(p['upstream'][0], 0)}/{fmt(p['upstream'][1], 0)})"
    if mode in ("pingpong", "flood", "bcast"):
        cpu = {t: med([float(r["server_cpu_us_per_msg"]) for r in res[t] if r and "server_cpu_us_per_msg" in r]) for t in targets}
        extra += " (server CPU µs/msg: " + ", ".join(f"{t} {fmt(cpu[t], 2)}" for t in targets) + ")"
    elif mode in ("sends", "udp"):
        cpu = {t: med([float(r["server_cpu_s"]) for r in res[t] if r and "server_cpu_s" in r]) for t in targets}
        extra = " (server CPU s: " + ", ".join(f"{t} {fmt(cpu[t], 2)}" for t in targets) + ")"
    for peer in ("upstream", "epoll", "libuv"):
        if peer in mps:
            note_ratio(name, peer, ratio(mps["ours"], mps[peer]), mode)
    rows.append((name + extra, fmt(mps["ours"]), fmt(mps["upstream"]), fmt(mps.get("epoll")), fmt(mps.get("libuv")),
                 ratio(mps["ours"], mps["upstream"]), ratio(mps["ours"], mps.get("epoll")), ratio(mps["ours"], mps.get("libuv"))))

print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Linux {platform.release()}; "
      f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; medians of {reps} runs, A B C alternating.\n")
print("| config | ours msg/s | upstream 5.1.1 msg/s | plain epoll msg/s | libuv msg/s | ours / upstream | ours / epoll | ours / libuv |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for r in rows:
    print("| " + " | ".join(r) + " |")
