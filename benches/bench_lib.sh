# Shared by the benchmark scripts (compare_http.sh, compare_tls.sh, compare_arq.sh, soak.sh;
# sourced from the repository's root, not run): the library and output directory, cleanup of the
# processes a script started, its results file, free ports, server CPU from /proc, waiting for a
# port, wrk's figures, and nginx in a temporary prefix.

# bench_prologue: builds the library (unless NO_BUILD) and sets $lib (it, resolved) and $out
# (target/bench, made); expects $root.
bench_prologue() {
  [ -n "${NO_BUILD:-}" ] || cargo build --release --quiet -j1
  lib=$(realpath "${CARGO_TARGET_DIR:-target}/release/libhpsocket4c.so")
  out=$root/target/bench
  mkdir -p "$out"
}

# On exit: stops the $client, $proxy and $srv a script started (any may be empty) and closes fd 3
# (a server's stdin fifo). bench_traps installs it.
srv= proxy= client=
bench_cleanup() {
  [ -n "$client" ] && kill -TERM "$client" 2>/dev/null
  [ -n "$proxy" ] && kill -TERM "$proxy" 2>/dev/null
  exec 3>&- 2>/dev/null || true
  [ -n "$srv" ] && { kill -TERM "$srv" 2>/dev/null; wait "$srv" 2>/dev/null; } || true
}
bench_traps() {
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

# record <row> <target> <key> <value>: one line of $results
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$results"; }

# record_wrk <row> <target> <label> <<< "$wrk_output": requests/s (ops), p99 and the request count;
# errors wrk reports go to stderr under <label>
record_wrk() {
  local r v
  r=$(cat)
  v=$(awk '/Requests\/sec/ { print $2 }' <<<"$r")
  [ -n "$v" ] && record "$1" "$2" ops "$v"
  v=$(awk '/Non-2xx|Socket errors/' <<<"$r")
  [ -n "$v" ] && echo "$3: $v" >&2
  record "$1" "$2" p99_ms "$(wrk_p99_ms <<<"$r")"
  record "$1" "$2" count "$(awk '/requests in/ { print $1 }' <<<"$r")"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# user + system clock ticks of a process and its children (nginx: the master and its workers)
cpu_ticks() {
  local t=0 p v
  for p in "$1" $(pgrep -P "$1" 2>/dev/null || true); do
    v=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null || echo 0)
    t=$((t + ${v:-0}))
  done
  echo "$t"
}

wait_port() { # port pid: until the port accepts connections (the probe closes at once)
  for _ in $(seq 100); do
    kill -0 "$2" 2>/dev/null || return 1
    (exec 9<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# nginx_conf <dir> <port> <workers> [<cert> <key>]: an nginx.conf in <dir> (its own prefix: pid,
# logs and temp paths there) with worker_processes <workers>, access_log off, keepalive_requests
# high enough that no connection is closed by nginx during a run, and one location answering
# 200 with $NGINX_BODY (default "hello"); TLS 1.2 and 1.3 when a certificate and key are given.
nginx_conf() {
  local dir=$1 port=$2 nw=$3 cert=${4:-} key=${5:-} listen tls=
  mkdir -p "$dir/tmp"
  listen="127.0.0.1:$port"
  if [ -n "$cert" ]; then
    listen="$listen ssl"
    tls="ssl_certificate $cert;
        ssl_certificate_key $key;
        ssl_protocols TLSv1.2 TLSv1.3;"
  fi
  cat > "$dir/nginx.conf" <<EOF
daemon off;
worker_processes $nw;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    default_type text/plain;
    keepalive_requests 100000000;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    server {
        listen $listen;
        $tls
        location / { return 200 "${NGINX_BODY:-hello}"; }
    }
}
EOF
}

# nginx_start <nginx> <dir> <log>: starts nginx on <dir>/nginx.conf in the foreground (daemon
# off) in the background (under $pin_srv, e.g. "taskset -c 0", when set); sets $srv to the
# master's pid once <workers> workers exist
nginx_start() {
  ${pin_srv:-} "$1" -p "$2/" -c "$2/nginx.conf" -e "$2/error.log" > "$3" 2>&1 & srv=$!
  for _ in $(seq 100); do [ "$(pgrep -P "$srv" | wc -l)" -ge "${4:-1}" ] && break; sleep 0.05; done
}

# wrk_p99_ms: the 99 % latency of wrk --latency output on stdin, in ms
wrk_p99_ms() {
  awk '$1 == "99%" { v = $2; u = v; sub(/[a-z]+$/, "", v); sub(/^[0-9.]+/, "", u);
    print (u == "us" ? v / 1000 : u == "s" ? v * 1000 : v) }'
}
