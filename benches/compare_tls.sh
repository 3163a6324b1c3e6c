#!/usr/bin/env bash
# The TLS rows: our library's TLS servers against nginx and a plain OpenSSL server (upstream's
# 5.x library, the peer of compare.sh and compare_http.sh, has no SSL), alternating A B per
# repetition, REPS times (default 3); prints a Markdown table of medians.
#   benches/compare_tls.sh                   every row
#   REPS=5 D=10 benches/compare_tls.sh       more and longer runs
#   ONLY=flood benches/compare_tls.sh        only the rows whose id contains the text
#                                            (https, hs13, hs12, hs13echo, flood, flood16k, ktls)
# Other knobs: W workers / nginx worker_processes / echo threads (2), D seconds per timed run (5),
# C wrk connections (64), T handshake client threads (8), FC flood connections (100), M flood
# messages per connection (100). The library is $CARGO_TARGET_DIR/release (default target/).
# Rows (certificate and key from tests/ssl/mkcerts.sh in target/bench/certs, RSA 2048):
#   https    HTTPS requests/s with keep-alive: benches/https_hello.c (HttpsServer, W workers) vs
#            nginx (worker_processes W, `return 200 "hello"`, access_log off, TLS 1.2 and 1.3,
#            session tickets as default, keepalive_requests raised so that neither side closes
#            a connection during the run) under `wrk -t2 -c$C -d${D}s --latency`: requests/s, p99
#   hs13     new TLS 1.3 handshakes/s (benches/tls_handshakes.c, T threads, no resumption):
#            https_hello vs nginx
#   hs12     the same with TLS 1.2
#   hs13echo the same against the bare SSLServer echo (benches/tls_echo_server.c) vs the plain
#            OpenSSL echo server (benches/openssl_echo.c, W threads)
#   flood    bulk flood over TLS 1.3 (benches/tls_flood.c: FC connections, each M messages of
#            64 KiB, echo read back and checked): tls_echo_server vs openssl_echo, MB/s
#   flood16k the same with the SSLServer's SocketBufferSize at 16 KiB (the default, 4 KiB, bounds
#            what one OnReceive gets, so the echo's Sends, so its TLS records: 4 KiB records
#            against the OpenSSL echo's 16 KiB ones, which are one SSL_read each)
#   ktls     openssl_echo with SSL_OP_ENABLE_KTLS vs without, when the kernel has kTLS
#            (`tls` in /proc/sys/net/ipv4/tcp_available_ulp); else the table says why not
# Every run also records the server's CPU seconds (user + system from /proc/PID/stat, nginx's
# master and workers summed), since throughput on a shared machine is noisy.
# Needs nginx and wrk (Debian: apt-get install nginx wrk) and libssl-dev.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
nginx=$(command -v nginx || echo /usr/sbin/nginx)
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -x "$nginx" ] || { echo "nginx is missing: apt-get install nginx" >&2; exit 1; }
. benches/bench_lib.sh
bench_prologue
certs=$out/certs
sh tests/ssl/mkcerts.sh "$certs" >/dev/null
cert=$certs/server.pem key=$certs/server.key
for p in https_hello tls_echo_server; do
  cc -O2 -g -std=gnu99 -Wall -Wextra -Werror -Iinclude "benches/$p.c" -o "$out/$p" -ldl -lpthread
done
for p in openssl_echo tls_handshakes tls_flood; do
  cc -O2 -g -std=gnu99 -Wall -Wextra -Werror "benches/$p.c" -o "$out/$p" -lssl -lcrypto -lpthread
done
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

reps=${REPS:-3} secs=${D:-5} workers=${W:-2} conns=${C:-64} hs_threads=${T:-8}
flood_conns=${FC:-100} flood_msgs=${M:-100}
hz=$(getconf CLK_TCK)
results=$out/tls_results.tsv
: > "$results"

servers=() client=
cleanup() {
  [ -n "$client" ] && kill -TERM "$client" 2>/dev/null
  for p in "${servers[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${servers[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# start <server> <port>: sets $srv to the server's pid once it listens
start() {
  local name=$1 port=$2 log=$out/tls_server.out
  case $name in
    https_hello|tls_echo_server)
      "$out/$name" "$lib" "$port" "$workers" "$cert" "$key" > "$log" 2>&1 & srv=$! ;;
    tls_echo_server16k)
      "$out/tls_echo_server" "$lib" "$port" "$workers" "$cert" "$key" 16384 > "$log" 2>&1 & srv=$! ;;
    nginx)
      nginx_conf "$out/nginx" "$port" "$workers" "$cert" "$key"
      nginx_start "$nginx" "$out/nginx" "$log" "$workers" ;;
    openssl_echo)
      "$out/openssl_echo" "$port" "$cert" "$key" -w "$workers" > "$log" 2>&1 & srv=$! ;;
    openssl_echo_ktls)
      "$out/openssl_echo" "$port" "$cert" "$key" -w "$workers" -k > "$log" 2>&1 & srv=$! ;;
  esac
  servers+=("$srv")
  if [ "$name" != nginx ]; then
    for _ in $(seq 100); do grep -q READY "$log" 2>/dev/null && break; sleep 0.05; done
  fi
  wait_port "$port" "$srv" || { echo "$name did not start:" >&2; cat "$log" >&2; return 1; }
  sleep 0.2
}

stop() {
  kill -TERM "$srv" 2>/dev/null || true
  wait "$srv" 2>/dev/null || true
  servers=()
  sleep 0.5
}

# client <command...>: runs a client to its end, its output (stdout and stderr) in $r; in the
# background with a wait, so that a signal to this script stops it at once (the trap runs)
client() {
  "$@" > "$out/tls_client.out" 2>&1 & client=$!
  wait "$client" || true
  client=
  r=$(cat "$out/tls_client.out")
}


# run <row> <target> <server>: one measurement; the row's client against a fresh server
run() {
  local row=$1 target=$2 name=$3 port r c0 c1 v
  port=$(free_port)
  start "$name" "$port"
  c0=$(cpu_ticks "$srv")
  case $row in
    https)
      client wrk -t2 -c"$conns" -d"${secs}s" --latency "https://127.0.0.1:$port/"
      c1=$(cpu_ticks "$srv")
      record_wrk "$row" "$target" "$row $target" <<<"$r" ;;
    hs13|hs12|hs13echo)
      local ver=1.3; [ "$row" = hs12 ] && ver=1.2
      client "$out/tls_handshakes" "$port" -t "$hs_threads" -d "$secs" -v "$ver"
      c1=$(cpu_ticks "$srv")
      v=$(sed -n 's/.*handshakes_per_s=\([0-9.]*\).*/\1/p' <<<"$r")
      [ -n "$v" ] && record "$row" "$target" ops "$v"
      record "$row" "$target" count "$(sed -n 's/.* handshakes=\([0-9]*\).*/\1/p' <<<"$r")"
      v=$(sed -n 's/.*failures=\([0-9]*\).*/\1/p' <<<"$r")
      [ "${v:-0}" != 0 ] && echo "$row $target: $v failed handshakes" >&2
      record "$row" "$target" cipher "$(sed -n 's/.*version=\([^ ]*\) cipher=\([^ ]*\).*/\1 \2/p' <<<"$r")" ;;
    flood|flood16k|ktls)
      client timeout 300 "$out/tls_flood" "$port" -c "$flood_conns" -m "$flood_msgs"
      c1=$(cpu_ticks "$srv")
      v=$(sed -n 's/.*mb_per_s=\([0-9.]*\).*/\1/p' <<<"$r")
      [ -n "$v" ] && record "$row" "$target" ops "$v"
      [ -z "$v" ] && echo "$row $target: $r" >&2
      record "$row" "$target" count "$(sed -n 's/.* bytes=\([0-9]*\).*/\1/p' <<<"$r")"
      record "$row" "$target" cipher "$(sed -n 's/.*version=\([^ ]*\) cipher=\([^ ]*\).*/\1 \2/p' <<<"$r")" ;;
  esac
  record "$row" "$target" cpu_s "$(awk -v a="$c0" -v b="$c1" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz }')"
  [ "$row" = ktls ] && [ "$target" = ours ] && grep kTLS "$out/tls_server.out" | head -1 > "$out/ktls.txt"
  stop
}

ktls=no
grep -qw tls /proc/sys/net/ipv4/tcp_available_ulp 2>/dev/null && ktls=yes
rows="https hs13 hs12 hs13echo flood flood16k ktls"
for row in $rows; do
  case $row in *"${ONLY:-}"*) ;; *) continue ;; esac
  case $row in
    https|hs13|hs12) a=https_hello b=nginx ;;
    hs13echo|flood) a=tls_echo_server b=openssl_echo ;;
    flood16k) a=tls_echo_server16k b=openssl_echo ;;
    ktls) [ "$ktls" = yes ] || continue; a=openssl_echo_ktls b=openssl_echo ;;
  esac
  for rep in $(seq "$reps"); do
    run "$row" ours "$a"
    run "$row" peer "$b"
    echo "$row rep $rep done" >&2
  done
done

exec python3 - "$results" "$reps" "$secs" "$workers" "$conns" "$hs_threads" "$flood_conns" "$flood_msgs" "$ktls" "$out/ktls.txt" <<'EOF'
import os, platform, statistics, sys, time
path, reps, secs, workers, conns, hs_threads, fconns, fmsgs, ktls, ktls_txt = sys.argv[1:]
ratios = os.environ.get("RATIOS")
sys.path.insert(0, "benches")
from bench_results import Results, fmt, ratio_text as ratio
results = Results(path)
res = results.res
med = results.med

def cipher(row):
    c = sorted(set(v for t in ("ours", "peer") for v in res.get((row, t, "cipher"), []) if v))
    return ", ".join(c) if c else "?"

ROWS = [
    # id, label, peer, unit, per-op CPU unit (scale, name), goal (ours / peer at least)
    ("https", f"HTTPS keep-alive, wrk -t2 -c{conns} {secs} s: HttpsServer vs nginx", "nginx", "req/s", (1e6, "µs/req"), 0.9),
    ("hs13", f"new TLS 1.3 handshakes, {hs_threads} client threads {secs} s: HttpsServer vs nginx", "nginx", "handshakes/s", (1e3, "ms/handshake"), None),
    ("hs12", f"new TLS 1.2 handshakes, {hs_threads} client threads {secs} s: HttpsServer vs nginx", "nginx", "handshakes/s", (1e3, "ms/handshake"), None),
    ("hs13echo", f"new TLS 1.3 handshakes, {hs_threads} client threads {secs} s: SSLServer vs OpenSSL echo", "OpenSSL echo", "handshakes/s", (1e3, "ms/handshake"), None),
    ("flood", f"TLS 1.3 flood {fconns} conns x {fmsgs} x 64 KiB: SSLServer vs OpenSSL echo", "OpenSSL echo", "MB/s", (1e9, "s/GB"), 0.9),
    ("flood16k", f"TLS 1.3 flood {fconns} conns x {fmsgs} x 64 KiB: SSLServer with SocketBufferSize 16 KiB vs OpenSSL echo", "OpenSSL echo", "MB/s", (1e9, "s/GB"), None),
    ("ktls", f"TLS 1.3 flood {fconns} conns x {fmsgs} x 64 KiB: OpenSSL echo with kTLS vs without", "OpenSSL echo", "MB/s", (1e9, "s/GB"), None),
]

print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Linux {platform.release()}; "
      f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; medians of {reps} runs, A B alternating; "
      f"servers with {workers} workers.\n")
print("| config | ours | peer | ours / peer | server CPU s (ours / peer) | server CPU per op (ours / peer) | goal |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for rid, label, peer, unit, (scale, per), goal in ROWS:
    if not any(k[0] == rid for k in res):
        continue
    o, p = med(rid, "ours", "ops"), med(rid, "peer", "ops")
    extra = f" ({cipher(rid)})"
    if rid == "https":
        extra = f" (p99 ms: ours {fmt(med(rid, 'ours', 'p99_ms'), 2)}, nginx {fmt(med(rid, 'peer', 'p99_ms'), 2)}; {cipher(rid) if cipher(rid) != '?' else 'TLS 1.3 from wrk'})"
    co, cp = med(rid, "ours", "cpu_s"), med(rid, "peer", "cpu_s")
    def per_op(t):
        vals = []
        for c, n in zip(res.get((rid, t, "cpu_s"), []), res.get((rid, t, "count"), [])):
            if n and float(n) > 0:
                vals.append(float(c) / float(n) * scale)
        return statistics.median(vals) if vals else None
    r = ratio(o, p)
    if ratios and r != "-":
        with open(ratios, "a") as f:
            f.write(f"TLS {rid}: ours / {peer}\t{r}\t{'-' if goal is None else goal}\n")
    g = "-" if goal is None else (f"≥ {goal}: " + ("met" if r != "-" and float(r) >= goal else "not met"))
    print(f"| {label}{extra} | {fmt(o)} {unit} | {fmt(p)} {unit} | {r} | {fmt(co, 2)} / {fmt(cp, 2)} "
          f"| {fmt(per_op('ours'), 2)} / {fmt(per_op('peer'), 2)} {per} | {g} |")
if ktls != "yes":
    print("\nkTLS: not measured, this kernel has no TLS upper layer protocol "
          "(`tls` is not in /proc/sys/net/ipv4/tcp_available_ulp: "
          f"`{open('/proc/sys/net/ipv4/tcp_available_ulp').read().strip()}`).")
elif os.path.exists(ktls_txt):
    print("\n" + open(ktls_txt).read().strip())
EOF
