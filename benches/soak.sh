#!/usr/bin/env bash
# Soak mode (a benchmark mode, not a CI test; not part of benches/compare.sh unless SOAK=1 there).
# Goals:
#   - "10,000 connections churned (connect, exchange, close) while 1,000,000 messages flow:
#     nothing lost, nothing reordered, RSS at the end within 10 % of RSS after warm-up";
#   - "wrk against the HttpServer for 60 s, and again for HTTPS: RSS flat".
# Two parts, Markdown on stdout:
#   1. benches/soak.c: a TcpServer (PUSH) echo over our library (its own process), and a client
#      process (plain sockets) with LONG (100) long-lived connections streaming MESSAGES
#      (1,000,000) numbered 64-byte messages, each echo checked (connection, sequence number,
#      contents), while 4 threads churn CHURN (10,000) short connections (connect, one message,
#      its echo compared, close), the two paced so that the churn spans the whole flow. The
#      server's RSS is sampled every 0.1 s; "warm" is the sample at 10 % of both, "end" the one
#      when all is done. PASS: nothing lost / reordered / corrupt, every churned exchange good,
#      end RSS <= 110 % of warm. Takes a few seconds.
#   2. wrk -t2 -c$C (64) for DURATION seconds (60) against benches/http_hello.c (HttpServer) and
#      then benches/https_hello.c (HttpsServer, certificate from tests/ssl/mkcerts.sh), W workers
#      (2), sampling the server's VmRSS every EVERY seconds (5; 1 when DURATION < 20) and printing
#      the series with first / last / max. Verdict "flat" when the last sample is within 10 % of
#      the reference sample, the first one taken at or after min(10 s, DURATION / 2) (the
#      warm-up: TLS session caches, buffer pools and allocator arenas fill in the first seconds).
#   benches/soak.sh                                  everything, about 2 minutes
#   DURATION=5 MESSAGES=100000 CHURN=1000 benches/soak.sh    a quick run
#   SKIP_WRK=1 / SKIP_CHURN=1                        one part only
# Exit status 1 when a verdict is FAIL / not flat. Needs wrk (apt-get install wrk) for part 2 and
# libssl-dev for https_hello. The library is $CARGO_TARGET_DIR/release (default target/); NO_BUILD=1
# skips the cargo build.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
. benches/bench_lib.sh
bench_prologue
cc -O2 -g -std=gnu99 -Wall -Wextra -Werror -Iinclude benches/soak.c -o "$out/soak" -ldl -lpthread
cc -O2 -g -std=gnu99 -Wall -Wextra -Werror benches/http_hello.c -o "$out/http_hello" -ldl
cc -O2 -g -std=gnu99 -Wall -Wextra -Werror -Iinclude benches/https_hello.c -o "$out/https_hello" -ldl -lpthread
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
duration=${DURATION:-60} conns=${C:-64} workers=${W:-2}
messages=${MESSAGES:-1000000} churn=${CHURN:-10000} long=${LONG:-100}
every=${EVERY:-}; [ -n "$every" ] || { [ "$duration" -lt 20 ] && every=1 || every=5; }
status=0

bench_traps

# starts "$@" with its stdin on a fifo held open on fd 3 (closing fd 3 stops it); $srv its pid
start_fifo() {
  local log=$1; shift
  rm -f "$out/soak.fifo"; mkfifo "$out/soak.fifo"
  "$@" < "$out/soak.fifo" > "$log" 2>&1 & srv=$!
  exec 3> "$out/soak.fifo"
  for _ in $(seq 100); do grep -q READY "$log" 2>/dev/null && break; sleep 0.05; done
}

echo "Machine: $(uname -m), $(nproc) CPUs, Linux $(uname -r); $(date -u '+%Y-%m-%d %H:%M UTC'); servers with $workers workers."
echo

if [ -z "${SKIP_CHURN:-}" ]; then
  port=$(free_port)
  start_fifo "$out/soak_server.out" "$out/soak" server "$lib" "$port" -w "$workers"
  wait_port "$port" "$srv" || { echo "soak server did not start" >&2; cat "$out/soak_server.out" >&2; exit 1; }
  rc=0
  "$out/soak" client "$port" -p "$srv" -l "$long" -n "$messages" -k "$churn" > "$out/soak_client.out" 2> "$out/soak_client.err" & client=$!
  wait "$client" || rc=$?
  client=
  exec 3>&-
  wait "$srv" 2>/dev/null || true
  srv=
  [ "$rc" = 0 ] || status=1
  python3 - "$out/soak_client.out" "$out/soak_server.out" "$out/soak_client.err" <<'EOF'
import sys
kv, series, server = {}, [], ""
for line in open(sys.argv[1]):
    if line.startswith("SOAK "):
        kv = dict(p.split("=", 1) for p in line.split()[1:])
    elif line.startswith("RSS_SERIES"):
        series = line.split()[1:]
for line in open(sys.argv[2]):
    if line.startswith("SERVER "):
        server = line.split(None, 1)[1].strip()
err = open(sys.argv[3]).read().strip()
print("#### Churn while messages flow (benches/soak.c: TcpServer PUSH echo)\n")
if not kv:
    print(f"- failed, no result: `{err[-500:]}`\n")
    sys.exit(0)
print("| messages (long-lived connections) | lost / reordered / corrupt | churned (threads) | churn failures "
      "| time s (messages / churn) | server RSS kB: start / warm / end / max / after close | end / warm (≤ 1.10) "
      "| server fds: start / warm / end / after close | verdict |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
print(f"| {int(kv['messages'].split('/')[0]):,} of {int(kv['messages'].split('/')[1]):,} x {kv['size']} B ({kv['long_conns']}, window {kv['window']}) "
      f"| {kv['lost']} / {kv['reordered']} / {kv['corrupt']} | {kv['churned']} ({kv['churn_threads']}) | {kv['churn_failures']} "
      f"| {kv['messages_secs']} / {kv['churn_secs']} | {kv['rss_start_kb']} / {kv['rss_warm_kb']} (at {kv['warm_at_s']} s) / "
      f"{kv['rss_end_kb']} / {kv['rss_max_kb']} / {kv['rss_after_close_kb']} | {kv['rss_end_over_warm']} "
      f"| {kv['fds_start']} / {kv['fds_warm']} / {kv['fds_end']} / {kv['fds_after_close']} "
      f"| data {kv['data']}, RSS {kv['rss']}: **{kv['verdict']}** |")
print()
if len(series) > 40:  # about 40 of the 0.1 s samples, evenly spread, and the last
    step = len(series) / 40
    series = [series[int(i * step)] for i in range(40)] + [series[-1]]
print(f"Server RSS samples (s:kB): {' '.join(series)}. Server: {server or '?'}."
      + (f" Client stderr: `{err[-300:]}`" if err else ""))
print()
EOF
fi

if [ -z "${SKIP_WRK:-}" ]; then
  echo "#### wrk -t2 -c$conns for $duration s: server RSS"
  echo
  if ! command -v wrk >/dev/null; then
    echo "- (wrk is missing: apt-get install wrk)"
  else
    sh tests/ssl/mkcerts.sh "$out/certs" >/dev/null
    echo "| server | requests/s | errors | RSS samples every $every s (s:MB) | first / last / max MB | reference (first sample ≥ $(( duration / 2 < 10 ? duration / 2 : 10 )) s) MB | last / reference | verdict |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
    for kind in http https; do
      port=$(free_port) url=
      if [ "$kind" = http ]; then
        start_fifo "$out/soak_http.out" "$out/http_hello" "$lib" "$port" "$workers"
        url=http://127.0.0.1:$port/
      else
        "$out/https_hello" "$lib" "$port" "$workers" "$out/certs/server.pem" "$out/certs/server.key" > "$out/soak_http.out" 2>&1 & srv=$!
        for _ in $(seq 100); do grep -q READY "$out/soak_http.out" 2>/dev/null && break; sleep 0.05; done
        url=https://127.0.0.1:$port/
      fi
      wait_port "$port" "$srv" || { echo "$kind server did not start" >&2; cat "$out/soak_http.out" >&2; exit 1; }
      sleep 0.2
      wrk -t2 -c"$conns" -d"${duration}s" "$url" > "$out/soak_wrk.out" 2>&1 & client=$!
      series=() t0=$(date +%s.%N)
      while kill -0 "$client" 2>/dev/null; do
        series+=("$(awk -v t0="$t0" -v now="$(date +%s.%N)" '/^VmRSS/ { printf "%.0f:%d", now - t0, $2 }' "/proc/$srv/status")")
        for _ in $(seq $(( every * 10 ))); do kill -0 "$client" 2>/dev/null || break; sleep 0.1; done
      done
      wait "$client" || true
      client=
      series+=("$(awk -v t0="$t0" -v now="$(date +%s.%N)" '/^VmRSS/ { printf "%.0f:%d", now - t0, $2 }' "/proc/$srv/status")")
      if [ "$kind" = http ]; then exec 3>&-; else kill -TERM "$srv" 2>/dev/null || true; fi
      wait "$srv" 2>/dev/null || true
      srv=
      rc=0
      python3 - "$kind" "$duration" "$out/soak_wrk.out" "${series[@]}" <<'EOF' || rc=$?
import re, sys
kind, duration, wrk_out = sys.argv[1], float(sys.argv[2]), open(sys.argv[3]).read()
samples = [(float(t), int(kb)) for t, kb in (s.split(":") for s in sys.argv[4:] if ":" in s)]
rps = re.search(r"Requests/sec:\s*([0-9.]+)", wrk_out)
errs = re.findall(r"(Socket errors:.*|Non-2xx.*)", wrk_out)
name = "HttpServer (http_hello)" if kind == "http" else "HttpsServer (https_hello)"
if not samples:
    print(f"| {name} | - | - | no samples | - | - | - | - |")
    sys.exit(1)
ref_at = min(10.0, duration / 2)
ref = next((kb for t, kb in samples if t >= ref_at), samples[-1][1])
first, last, mx = samples[0][1], samples[-1][1], max(kb for _, kb in samples)
r = last / ref
flat = r <= 1.10
mb = lambda kb: f"{kb / 1024:.1f}"
print(f"| {name} | {f'{float(rps.group(1)):,.0f}' if rps else '-'} | {'; '.join(e.strip() for e in errs) or 0} "
      f"| {' '.join(f'{t:.0f}:{mb(kb)}' for t, kb in samples)} | {mb(first)} / {mb(last)} / {mb(mx)} | {mb(ref)} "
      f"| {r:.3f} | {'flat' if flat else '**not flat**'} |")
sys.exit(0 if flat else 1)
EOF
      [ "$rc" = 0 ] || status=1
      sleep 0.5
    done
  fi
  echo
fi
exit "$status"
