#!/usr/bin/env bash
# The HTTP rows: a hello-world HttpServer (benches/http_hello.c, one program loaded by dlopen over
# each library) over our library and upstream 5.1.1's, and nginx, under wrk; alternating
# ours upstream nginx per repetition, REPS times (default 3); prints a Markdown table of medians.
#   benches/compare_http.sh                 every row
#   ONLY=close benches/compare_http.sh      only the rows whose id contains the text (ka64, ka256, close, pinned)
# Rows: wrk -t2 -c64 and -c256 with keep-alive, and -c64 with `Connection: close` on every request
# (one request per connection): requests/s, p99, and the server's CPU seconds (user + system from
# /proc/PID/stat; nginx: master plus workers). On 2 cores those rows run 2 server workers and 2 wrk
# threads on 2 CPUs, so a request's latency includes waiting for a CPU the other side holds (up
# to a scheduler slice, milliseconds); the row "pinned" measures latency without that: 1 server
# worker on CPU 0 and wrk -t1 on CPU 1 (taskset), keep-alive, 64 connections. nginx: worker_processes W, `return 200` with the same
# body as http_hello ("hello, world\n"), access_log off, keepalive_requests high (benches/bench_lib.sh).
# Knobs: W workers / nginx worker_processes (2), D seconds per run (5). When RATIOS names a file,
# lines `config<TAB>ours/peer<TAB>goal` are appended to it (for benches/chart.py).
# Needs wrk (Debian: apt-get install wrk); without nginx its column says "-".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
. benches/bench_lib.sh
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || nginx=
bench_prologue
[ -n "${NO_BUILD:-}" ] || bash tests/fetch-upstream.sh target/upstream-5.1.1 >/dev/null
cc -O2 -g -std=gnu99 -Wall -Wextra -Werror benches/http_hello.c -o "$out/http_hello" -ldl
ours=$lib
up=$root/target/upstream-5.1.1/HPSocket/libhpsocket4c_amd64_64.so
reps=${REPS:-3} secs=${D:-5} workers=${W:-2}
hz=$(getconf CLK_TCK)
results=$out/http_results.tsv
: > "$results"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

bench_traps

# run <row> <target>: one wrk run against a fresh server
run() {
  local row=$1 target=$2 port c0 c1 r v log=$out/http_server.out
  local conns=64 hdr=() nw=$workers threads=2 pin_cli=
  pin_srv=
  [ "$row" = ka256 ] && conns=256
  [ "$row" = close ] && hdr=(-H "Connection: close")
  [ "$row" = pinned ] && { nw=1 threads=1 pin_srv="taskset -c 0" pin_cli="taskset -c 1"; }
  port=$(free_port)
  if [ "$target" = nginx ]; then
    NGINX_BODY='hello, world\n' nginx_conf "$out/nginx-http" "$port" "$nw"
    nginx_start "$nginx" "$out/nginx-http" "$log" "$nw"
  else
    local lib=$ours; [ "$target" = upstream ] && lib=$up
    rm -f "$out/http_hello.fifo"; mkfifo "$out/http_hello.fifo"
    # the server's pid is $! (its stdin is the fifo; closing fd 3 stops it)
    $pin_srv "$out/http_hello" "$lib" "$port" "$nw" < "$out/http_hello.fifo" > "$log" 2>&1 & srv=$!
    exec 3> "$out/http_hello.fifo"
    for _ in $(seq 100); do grep -q READY "$log" 2>/dev/null && break; sleep 0.05; done
  fi
  wait_port "$port" "$srv" || { echo "$target did not start:" >&2; cat "$log" >&2; return 1; }
  sleep 0.2
  c0=$(cpu_ticks "$srv")
  $pin_cli wrk -t"$threads" -c"$conns" -d"${secs}s" --latency "${hdr[@]}" "http://127.0.0.1:$port/" > "$out/http_client.out" 2>&1 & client=$!
  wait "$client" || true
  client=
  r=$(cat "$out/http_client.out")
  c1=$(cpu_ticks "$srv")
  record_wrk "$row" "$target" "http $row $target" <<<"$r"
  record "$row" "$target" cpu_s "$(awk -v a="$c0" -v b="$c1" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz }')"
  if [ "$target" = nginx ]; then kill -TERM "$srv" 2>/dev/null || true; else exec 3>&-; fi
  wait "$srv" 2>/dev/null || true
  srv=
  sleep 0.5
}

targets="ours upstream"; [ -n "$nginx" ] && targets="$targets nginx"
rows="ka64 ka256 close"
[ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null && rows="$rows pinned"
for row in $rows; do
  case $row in *"${ONLY:-}"*) ;; *) continue ;; esac
  for rep in $(seq "$reps"); do
    for t in $targets; do run "$row" "$t"; done
    echo "http $row rep $rep done" >&2
  done
done

exec python3 - "$results" "$reps" "$secs" "$workers" "$("${nginx:-false}" -v 2>&1 | sed -n 's|.*nginx/||p')" <<'EOF'
import os, platform, statistics, sys, time
path, reps, secs, workers, nginx_version = sys.argv[1:]
ratios = os.environ.get("RATIOS")
sys.path.insert(0, "benches")
from bench_results import Results, fmt, ratio
results = Results(path)
res = results.res
med = results.med

def per_req(row, t):
    vals = [float(c) / float(n) * 1e6 for c, n in zip(res.get((row, t, "cpu_s"), []), res.get((row, t, "count"), []))
            if n and float(n) > 0]
    return statistics.median(vals) if vals else None

ROWS = [("ka64", f"HTTP keep-alive, wrk -t2 -c64 {secs} s"), ("ka256", f"HTTP keep-alive, wrk -t2 -c256 {secs} s"),
        ("close", f"HTTP `Connection: close` (one request per connection), wrk -t2 -c64 {secs} s"),
        ("pinned", f"HTTP keep-alive, 1 server worker on CPU 0, wrk -t1 -c64 on CPU 1 (no CPU shared), {secs} s")]
GOALS = {"upstream": 1.5, "nginx": 0.8}
print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Linux {platform.release()}; "
      f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; medians of {reps} runs, ours upstream nginx alternating; "
      f"servers with {workers} workers (nginx {nginx_version or 'missing'}: worker_processes {workers}).\n")
print("| config | ours req/s | upstream 5.1.1 req/s | nginx req/s | ours / upstream (goal ≥ 1.5) | ours / nginx (goal ≥ 0.8) "
      "| p99 ms (ours / upstream / nginx) | server CPU s (ours / upstream / nginx) | server CPU µs/req (ours / upstream / nginx) |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for rid, label in ROWS:
    if not any(k[0] == rid for k in res):
        continue
    o = med(rid, "ours", "ops")
    cells = []
    for peer in ("upstream", "nginx"):
        r = ratio(o, med(rid, peer, "ops"))
        if r is None:
            cells.append("-")
            continue
        cells.append(f"{r:.2f} ({'met' if r >= GOALS[peer] else 'not met'})")
        if ratios:
            with open(ratios, "a") as f:
                f.write(f"HTTP {rid}: ours / {peer}\t{r:.2f}\t{GOALS[peer]}\n")
    T = ("ours", "upstream", "nginx")
    print(f"| {label} | {fmt(o)} | {fmt(med(rid, 'upstream', 'ops'))} | {fmt(med(rid, 'nginx', 'ops'))} | {cells[0]} | {cells[1]} "
          f"| {' / '.join(fmt(med(rid, t, 'p99_ms'), 2) for t in T)} | {' / '.join(fmt(med(rid, t, 'cpu_s'), 2) for t in T)} "
          f"| {' / '.join(fmt(per_req(rid, t), 1) for t in T)} |")
EOF
