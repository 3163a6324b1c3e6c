#!/usr/bin/env bash
# HTTP hello world (benches/http_hello.c, one program loaded over each library) under wrk:
# our library and upstream 5.1.1's, alternating, REPS times (default 3).
#   benches/compare_http.sh                      keep-alive, 64 connections
#   C=256 benches/compare_http.sh                256 connections
#   CLOSE=1 benches/compare_http.sh              `Connection: close` on every request
# Needs wrk (Debian package wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet
bash tests/fetch-upstream.sh target/upstream-5.1.1 >/dev/null
mkdir -p target/bench
cc -O2 -g -std=gnu99 -Wall -Wextra -Werror benches/http_hello.c -o target/bench/http_hello -ldl
ours=$PWD/target/release/libhpsocket4c.so
up=$PWD/target/upstream-5.1.1/HPSocket/libhpsocket4c_amd64_64.so
conns=${C:-64}; secs=${D:-5}; workers=${W:-2}
hdr=(); [ -n "${CLOSE:-}" ] && hdr=(-H "Connection: close")
for rep in $(seq "${REPS:-3}"); do
  for name in ours upstream; do
    lib=$ours; [ "$name" = upstream ] && lib=$up
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    exec 3> >(target/bench/http_hello "$lib" "$port" "$workers" > target/bench/http_hello.out 2>&1)
    for _ in $(seq 50); do grep -q READY target/bench/http_hello.out 2>/dev/null && break; sleep 0.1; done
    r=$(wrk -t2 -c"$conns" -d"${secs}s" --latency "${hdr[@]}" "http://127.0.0.1:$port/" 2>&1)
    exec 3>&-
    sleep 0.5
    echo "$name rep$rep requests/s $(awk '/Requests\/sec/{print $2}' <<<"$r") p99 $(awk '/ 99%/{print $2}' <<<"$r")"
  done
done
