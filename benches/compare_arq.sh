#!/usr/bin/env bash
# The ARQ rows (issue goal: "ARQ messages/s and its throughput under 5 % loss"): our UdpArqServer
# echo under benches/arq_bench.c's UdpArqClients, directly over loopback and through
# benches/lossy_proxy.c (a UDP relay, plain sockets) at 0 % and at 5 % loss each way, against our
# own plain UdpServer echo at the same message size (upstream 5.1.1 has no ARQ, so there is no
# upstream peer). Alternating the four targets per repetition, REPS times (default 3); prints a
# Markdown table of medians.
#   benches/compare_arq.sh                  every row (about 110 s with REPS=3)
#   ONLY=pp64 benches/compare_arq.sh        only the rows whose id contains the text (pp64, bulk1k, bulk4k)
# Rows (C connections, default 10, each its own UdpArqClient / connected UDP socket):
#   pp64    64 B ping-pong, 10 messages in flight per connection (each echo sends the next): messages/s
#   bulk1k  1 KiB messages as fast as the ARQ send window allows (a sender thread keeps each
#           connection below 256 unanswered messages and below 2 x 128 segments waiting in KCP,
#           HP_UdpArqClient_GetWaitingSendMessageCount): messages/s and MB/s of echoed payload;
#           the plain UDP peer keeps 64 datagrams in flight per socket (more overflows the socket
#           buffers) and refills a window that has had nothing back for 200 ms (counted lost)
#   bulk4k  the same with 4 KiB messages
# Every ARQ echo is checked (length, sequence number, connection, contents): a message lost,
# reordered, duplicated or corrupted fails the run ("FAIL ..." on stderr, the cell says "-"), and
# after the timed part the client waits until every message sent has come back.
# Targets: udp (plain UdpServer, MaxDatagramSize 8 KiB; the client is plain sockets), arq (direct),
# arq0 (through lossy_proxy, no loss: the relay's own cost, which shares the 2 cores), arq5
# (through lossy_proxy dropping 5 % of datagrams each way, handshakes and detects included,
# seeded PRNG). Ratios: ARQ / plain UDP (direct), and ARQ under 5 % loss / ARQ through the same
# relay without loss; both without goal ("-").
# KCP in turbo mode on both ends (NoDelay, FlushInterval 10 ms, ResendByAcks 2, congestion control
# off); ARQ_MODE=default keeps upstream's defaults instead. Server with W workers (2). Server CPU
# seconds (user + system from /proc/PID/stat over the timed part) are in the table too.
# Knobs: D seconds per timed run (2.5), C connections (10), W, ARQ_MODE, LOSS (5), SEED (1).
# When RATIOS names a file, lines `config<TAB>ratio<TAB>-` are appended to it (benches/chart.py).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
. benches/bench_lib.sh
bench_prologue
for p in arq_bench lossy_proxy; do
  cc -O2 -g -std=gnu99 -Wall -Wextra -Werror -Iinclude "benches/$p.c" -o "$out/$p" -ldl -lpthread
done
reps=${REPS:-3} secs=${D:-2.5} conns=${C:-10} workers=${W:-2} mode=${ARQ_MODE:-fast} loss=${LOSS:-5} seed=${SEED:-1}
results=$out/arq_results.tsv
: > "$results"

bench_traps

# run <row> <target>: one measurement against a fresh server (and relay)
run() {
  local row=$1 target=$2 port pport cport kind=arq size=64 window=10 bulk=() r v log=$out/arq_server.out
  case $row in
    bulk1k) size=1024 ;;
    bulk4k) size=4096 ;;
  esac
  case $row in bulk*) bulk=(-b); window=256 ;; esac
  [ "$target" = udp ] && { kind=udp; [ "$row" != pp64 ] && window=64; }
  port=$(free_port)
  rm -f "$out/arq_server.fifo"; mkfifo "$out/arq_server.fifo"
  "$out/arq_bench" server "$lib" "$port" "$kind" -w "$workers" -f "$mode" < "$out/arq_server.fifo" > "$log" 2>&1 & srv=$!
  exec 3> "$out/arq_server.fifo"
  for _ in $(seq 100); do grep -q READY "$log" 2>/dev/null && break; sleep 0.05; done
  grep -q READY "$log" || { echo "arq_bench server did not start:" >&2; cat "$log" >&2; return 1; }
  cport=$port
  case $target in
    arq0|arq5)
      pport=$(free_port)
      local l=0; [ "$target" = arq5 ] && l=$loss
      "$out/lossy_proxy" "$pport" "$port" -l "$l" -s "$seed" > "$out/arq_proxy.out" 2>&1 & proxy=$!
      for _ in $(seq 100); do grep -q READY "$out/arq_proxy.out" 2>/dev/null && break; sleep 0.02; done
      cport=$pport ;;
  esac
  timeout 60 "$out/arq_bench" client "$lib" "$cport" "$kind" -c "$conns" -w "$window" -s "$size" -d "$secs" \
    -p "$srv" -f "$mode" "${bulk[@]}" > "$out/arq_client.out" 2>&1 & client=$!
  wait "$client" || true
  client=
  r=$(cat "$out/arq_client.out")
  if [ -n "$proxy" ]; then
    kill -TERM "$proxy" 2>/dev/null || true
    wait "$proxy" 2>/dev/null || true
    proxy=
    v=$(sed -n 's/.* up_dropped=\([0-9]*\) .* down_dropped=\([0-9]*\) .* loss_pct=\([0-9.\/]*\).*/\1 + \2 (\3 %)/p' "$out/arq_proxy.out")
    record "$row" "$target" dropped "$v"
  fi
  v=$(sed -n 's/^RESULT .* msgs_per_s=\([0-9.]*\).*/\1/p' <<<"$r")
  if [ -n "$v" ]; then
    record "$row" "$target" msgs "$v"
    record "$row" "$target" mb "$(sed -n 's/^RESULT .* mb_per_s=\([0-9.]*\).*/\1/p' <<<"$r")"
    record "$row" "$target" cpu_s "$(sed -n 's/^RESULT .* server_cpu_s=\([0-9.]*\).*/\1/p' <<<"$r")"
    record "$row" "$target" lost "$(sed -n 's/^RESULT .* lost=\([0-9]*\).*/\1/p' <<<"$r")"
  else
    record "$row" "$target" fail 1
    echo "arq $row $target: $r" >&2
  fi
  exec 3>&-
  wait "$srv" 2>/dev/null || true
  srv=
  sleep 0.1
}

for row in pp64 bulk1k bulk4k; do
  case $row in *"${ONLY:-}"*) ;; *) continue ;; esac
  for rep in $(seq "$reps"); do
    for t in udp arq arq0 arq5; do run "$row" "$t"; done
    echo "arq $row rep $rep done" >&2
  done
done

exec python3 - "$results" "$reps" "$secs" "$conns" "$workers" "$mode" "$loss" <<'EOF'
import os, platform, statistics, sys, time
path, reps, secs, conns, workers, mode, loss = sys.argv[1:]
ratios = os.environ.get("RATIOS")
sys.path.insert(0, "benches")
from bench_results import Results, fmt, ratio
results = Results(path)
res = results.res
med = results.med

T = ("udp", "arq", "arq0", "arq5")
ROWS = [
    ("pp64", f"64 B ping-pong, {conns} conns x 10 in flight", "msgs"),
    ("bulk1k", f"1 KiB bulk, {conns} conns (ARQ: send window full; UDP: 64 in flight)", "mb"),
    ("bulk4k", f"4 KiB bulk, {conns} conns (ARQ: send window full; UDP: 64 in flight)", "mb"),
]
kcp = ("KCP turbo mode (NoDelay, FlushInterval 10 ms, ResendByAcks 2, congestion control off)" if mode == "fast"
       else "KCP with upstream's defaults (FlushInterval 60 ms, congestion control on)")
print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Linux {platform.release()}; "
      f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; medians of {reps} runs of {secs} s, "
      f"UDP / ARQ / ARQ via relay 0 % / ARQ via relay {loss} % alternating; servers with {workers} workers; {kcp}. "
      f"No upstream peer (5.1.1 has no ARQ): the peer is our plain UdpServer echo. The relay "
      f"(benches/lossy_proxy.c) is one more process on the same 2 cores, so its 0 % row is the baseline of the loss ratio.\n")
print(f"| config | plain UDP | ARQ direct | ARQ via relay, 0 % | ARQ via relay, {loss} % loss each way "
      f"| ARQ / plain UDP | {loss} % loss / 0 % (via relay) | server CPU s (UDP / ARQ / 0 % / {loss} %) "
      f"| UDP lost | relay dropped, one run (up + down) | failed runs |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for rid, label, key in ROWS:
    if not any(k[0] == rid for k in res):
        continue
    def cell(t):
        m, b = med(rid, t, "msgs"), med(rid, t, "mb")
        if m is None:
            return "-"
        return f"{m:,.0f} msg/s" if key == "msgs" else f"{b:,.1f} MB/s ({m:,.0f} msg/s)"
    vals = {t: med(rid, t, key) for t in T}
    r1, r2 = ratio(vals["arq"], vals["udp"]), ratio(vals["arq5"], vals["arq0"])
    if ratios:
        with open(ratios, "a") as f:
            if r1 is not None:
                f.write(f"ARQ {rid}: ARQ / plain UDP\t{r1:.2f}\t-\n")
            if r2 is not None:
                f.write(f"ARQ {rid}: {loss} % loss / no loss\t{r2:.2f}\t-\n")
    drops = res.get((rid, "arq5", "dropped"), [])
    fails = sum(len(res.get((rid, t, "fail"), [])) for t in T)
    print(f"| {label} | {' | '.join(cell(t) for t in T)} | {'-' if r1 is None else f'{r1:.2f}'} "
          f"| {'-' if r2 is None else f'{r2:.2f}'} | {' / '.join(fmt(med(rid, t, 'cpu_s'), 2) for t in T)} "
          f"| {fmt(med(rid, 'udp', 'lost'))} | {drops[len(drops) // 2] if drops else '-'} | {fails} |")
EOF
