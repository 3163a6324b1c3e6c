#!/usr/bin/env bash
# Every benchmark row in one run: builds the library and the benchmarks, fetches upstream 5.1.1,
# and runs
#   - benches/compare.py: TCP, UDP and small-sends configs, ours vs upstream 5.x vs plain epoll vs
#     libuv (alternating A B C D per repetition);
#   - benches/compare_http.sh: HttpServer hello world under wrk (keep-alive 64 and 256
#     connections, `Connection: close`), ours vs upstream vs nginx;
#   - benches/compare_tls.sh: HTTPS vs nginx, TLS handshakes, TLS flood vs an OpenSSL echo;
#   - benches/compare_arq.sh, when that file exists;
#   - with SOAK=1 only, benches/soak.sh (about 2 minutes: churn while messages flow, wrk 60 s
#     against HTTP and HTTPS with the server's RSS; DURATION is honoured).
# Writes one Markdown document to target/bench/results.md, the ours / peer ratios to
# target/bench/ratios.tsv (`config<TAB>ratio<TAB>goal`) and their chart to target/bench/ratios.png
# (benches/chart.py, matplotlib in a venv under target/bench-venv, installed with pip on first use).
#   benches/compare.sh                  REPS=3 repetitions of everything
#   REPS=1 benches/compare.sh           a quick smoke run
#   WRITE=1 benches/compare.sh          also prepend the document as a new dated section of
#                                       benches/RESULTS.md and copy the chart to benches/ratios.png
# Knobs: ONLY=<text> (compare.py configs whose name contains it), HTTP_ONLY / TLS_ONLY (the same for
# the row ids of compare_http.sh / compare_tls.sh), SKIP_ECHO=1, SKIP_HTTP=1, SKIP_TLS=1, SKIP_ARQ=1,
# D, W, C, T, FC, M (see compare_http.sh and compare_tls.sh). Missing optional peers (wrk, nginx,
# libuv) leave their rows or columns "-" instead of failing. CARGO_TARGET_DIR is honoured.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
start_all=$(date +%s)
cargo build --release --quiet -j1
lib=$(realpath "${CARGO_TARGET_DIR:-target}/release/libhpsocket4c.so")
bash tests/fetch-upstream.sh target/upstream-5.1.1 >/dev/null
up=$root/target/upstream-5.1.1/HPSocket/libhpsocket4c_amd64_64.so
out=$root/target/bench
mkdir -p "$out"
for p in bench_server bench_client bench_sends epoll_echo udp_server udp_client; do
  cc -O2 -g -std=gnu99 -Wall -Wextra -Werror "benches/$p.c" -o "$out/$p" -ldl -lpthread
done
# The libuv peer, when libuv1-dev is installed (apt-get install libuv1-dev); its column says "-" otherwise.
rm -f "$out/uv_echo"
if pkg-config --exists libuv 2>/dev/null; then
  cc -O2 -g -std=gnu99 -Wall -Wextra -Werror benches/uv_echo.c -o "$out/uv_echo" $(pkg-config --cflags --libs libuv) -lpthread
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

reps=${REPS:-3}
export REPS=$reps NO_BUILD=1
export RATIOS=$out/ratios.tsv
: > "$RATIOS"
doc=$out/results.md
have() { command -v "$1" >/dev/null || [ -x "/usr/sbin/$1" ]; }
took() { echo; echo "($(( $(date +%s) - $1 )) s)"; }

# section <title> <skip-var> <missing-note> <command...>: a "###" section with the command's stdout
section() {
  local title=$1 skip=$2 missing=$3 t0 rc
  shift 3
  echo "### $title"
  echo
  if [ -n "${!skip:-}" ]; then echo "Skipped ($skip=1)."; echo; return; fi
  if [ -n "$missing" ]; then echo "- ($missing)"; echo; return; fi
  t0=$(date +%s)
  echo "$title ..." >&2
  rc=0; "$@" || rc=$?
  [ "$rc" = 0 ] || echo "(failed: exit status $rc; rows above, if any, are partial)"
  took "$t0"
  echo
}

{
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC'): every row (\`REPS=$reps benches/compare.sh\`)"
  echo
  echo "Commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' (with local changes)');" \
       "$(nginx -v 2>&1 | sed -n 's|.*nginx/|nginx |p' || true)$(have nginx || echo 'no nginx')," \
       "$(wrk -v 2>&1 | awk 'NR == 1 { print $1, $2 }' || true)$(have wrk || echo 'no wrk')," \
       "$(pkg-config --modversion libuv 2>/dev/null | sed 's/^/libuv /' || echo 'no libuv'). The chart of every ratio below: \`benches/ratios.png\`."
  echo
  section "TCP, UDP and small sends (benches/compare.py: ours, upstream 5.1.1, plain epoll, libuv)" SKIP_ECHO "" \
    python3 benches/compare.py "$out" "$lib" "$up" "$reps"
  miss=; have wrk || miss="wrk is missing: apt-get install wrk"
  section "HTTP (benches/compare_http.sh: HttpServer hello world vs upstream 5.1.1 and nginx)" SKIP_HTTP "$miss" \
    env ONLY="${HTTP_ONLY:-}" bash benches/compare_http.sh
  have nginx || miss="${miss:+$miss; }nginx is missing: apt-get install nginx"
  section "TLS (benches/compare_tls.sh: vs nginx and a plain OpenSSL echo)" SKIP_TLS "$miss" \
    env ONLY="${TLS_ONLY:-}" bash benches/compare_tls.sh
  if [ -f benches/compare_arq.sh ]; then
    section "ARQ (benches/compare_arq.sh)" SKIP_ARQ "" env ONLY= bash benches/compare_arq.sh
  fi
  if [ -n "${SOAK:-}" ]; then
    section "Soak (benches/soak.sh)" SKIP_SOAK "" bash benches/soak.sh
  fi
  echo "Whole run: $(( $(date +%s) - start_all )) s."
  echo
} > "$doc.tmp"
mv "$doc.tmp" "$doc"

# The chart (matplotlib in a venv under target/; a failure here leaves the table alone)
venv=$root/target/bench-venv
chart=
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import matplotlib' 2>/dev/null ||
   { python3 -m venv "$venv" >&2 && "$venv/bin/pip" install -q matplotlib >&2; }; then
  "$venv/bin/python" benches/chart.py "$RATIOS" "$out/ratios.png" \
    "ours / peer, $(date -u +%Y-%m-%d), REPS=$reps (higher is better)" >&2 && chart=$out/ratios.png
else
  echo "matplotlib could not be installed into $venv: no chart" >&2
fi

if [ -n "${WRITE:-}" ]; then
  # below the title line (and the blank line after it)
  { sed -n '1,2p' benches/RESULTS.md; cat "$doc"; sed -n '3,$p' benches/RESULTS.md; } > "$out/RESULTS.md.new"
  mv "$out/RESULTS.md.new" benches/RESULTS.md
  [ -n "$chart" ] && cp "$chart" benches/ratios.png
  echo "wrote benches/RESULTS.md${chart:+ and benches/ratios.png}" >&2
fi
cat "$doc"
