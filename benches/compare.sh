#!/usr/bin/env bash
# Builds the library and the benchmark, fetches upstream 5.1.1, and runs every config against
# our library, upstream's and the plain-epoll ceiling, alternating A B C per repetition.
#   benches/compare.sh            (REPS=3 by default; REPS=5 benches/compare.sh for more)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bash tests/fetch-upstream.sh target/upstream-5.1.1 >/dev/null
out=target/bench
mkdir -p "$out"
for p in bench_server bench_client bench_sends epoll_echo udp_server udp_client; do
  cc -O2 -g -std=gnu99 -Wall -Wextra -Werror "benches/$p.c" -o "$out/$p" -ldl -lpthread
done
# The libuv peer, when libuv1-dev is installed (apt-get install libuv1-dev); its rows say "-" otherwise.
rm -f "$out/uv_echo"
if pkg-config --exists libuv 2>/dev/null; then
  cc -O2 -g -std=gnu99 -Wall -Wextra -Werror benches/uv_echo.c -o "$out/uv_echo" $(pkg-config --cflags --libs libuv) -lpthread
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
exec python3 benches/compare.py "$out" target/release/libhpsocket4c.so \
  target/upstream-5.1.1/HPSocket/libhpsocket4c_amd64_64.so "${REPS:-3}"
