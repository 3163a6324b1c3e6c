"""Headless Chromium opens a page and runs its script; prints the final <div id="result">.

    python browser.py CHROMIUM URL

`--dump-dom --virtual-time-budget` does not wait for a WebSocket (virtual time runs on while one
is pending, so under load the dump comes before the echo): this drives the browser over the
DevTools protocol instead (with the `websockets` package), opens URL, and polls the element in
real time until its text no longer says "pending" (30 s at most). Chromium runs in its own
process group, ended on the way out."""
import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from websockets.sync.client import connect

chromium, url = sys.argv[1], sys.argv[2]
# PR_SET_CHILD_SUBREAPER: the browser's helpers that outlive it become ours to reap
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)
profile = tempfile.mkdtemp(prefix="http-peers-chromium-")
proc = subprocess.Popen(
    [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        f"--user-data-dir={profile}",
        "about:blank",
    ],
    stdin=subprocess.DEVNULL,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.PIPE,
    text=True,
    start_new_session=True,
)
found = threading.Event()
endpoint = []
log = []


def read_stderr():
    for line in proc.stderr:
        log.append(line)
        m = re.search(r"DevTools listening on (ws://\S+)", line)
        if m and not endpoint:
            endpoint.append(m.group(1))
            found.set()


threading.Thread(target=read_stderr, daemon=True).start()

try:
    if not found.wait(30):
        sys.exit("chromium printed no DevTools address:\n" + "".join(log[-20:]))
    with connect(endpoint[0], max_size=None, open_timeout=20, close_timeout=5) as cdp:
        ids = iter(range(1, 1 << 30))

        def call(method, params=None, session=None):
            n = next(ids)
            msg = {"id": n, "method": method, "params": params or {}}
            if session:
                msg["sessionId"] = session
            cdp.send(json.dumps(msg))
            while True:
                r = json.loads(cdp.recv(timeout=30))
                if r.get("id") == n:
                    if "error" in r:
                        raise RuntimeError(f"{method}: {r['error']}")
                    return r["result"]

        target = call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        call("Page.navigate", {"url": url}, session)
        expr = "(() => { const e = document.getElementById('result'); return e ? e.outerHTML : ''; })()"
        html = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            html = call("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session)["result"].get("value", "")
            if html and "pending" not in html:
                break
            time.sleep(0.05)
        print(html, flush=True)
        try:
            call("Browser.close")
        except Exception:
            pass
finally:
    # give it time to exit after Browser.close, without reaping it (so its process group id
    # stays ours), then end whatever of the group is left (zygote, renderer)
    for _ in range(100):
        if os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            break
        time.sleep(0.05)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            if os.waitpid(-1, os.WNOHANG) == (0, 0):
                time.sleep(0.02)
        except ChildProcessError:
            break
    shutil.rmtree(profile, ignore_errors=True)
