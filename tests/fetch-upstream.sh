#!/usr/bin/env bash
# Downloads upstream HP-Socket 5.1.1's Linux library (PyPI hpsocket==0.9.3) into $1 (a test peer only).
set -euo pipefail
dir=${1:-target/upstream-5.1.1}
so="$dir/HPSocket/libhpsocket4c_amd64_64.so"
[ -f "$so" ] && exit 0
mkdir -p "$dir"
tmp=$(mktemp -d)
python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" hpsocket==0.9.3 2>/dev/null \
  || python3 -m pip download --quiet --no-deps -d "$tmp" hpsocket==0.9.3
whl=$(ls "$tmp"/*.whl 2>/dev/null | head -n1 || true)
if [ -n "$whl" ]; then
  python3 -m zipfile -e "$whl" "$dir"
else
  tgz=$(ls "$tmp"/* | head -n1); tar -xf "$tgz" -C "$tmp"; cp -r "$(dirname "$(find "$tmp" -name libhpsocket4c_amd64_64.so | head -n1)")" "$dir/HPSocket"
fi
rm -rf "$tmp"
test -f "$so"
