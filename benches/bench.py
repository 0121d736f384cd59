#!/usr/bin/env python3
"""Benchmarks the sandbox with a load generator from Debian's packages (wrk).

Starts a release build on a free loopback port, measures time to ready and idle RSS, then drives
each scenario with wrk and prints req/s, p50/p99 latency and RSS as a Markdown table (also written
to docs/benchmarks.md with --write). A benchmark, not a test: it asserts nothing.

Usage: python3 benches/bench.py [--duration 10] [--connections 32] [--threads 2] [--write]
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "epay-sandbox")
CLIENT = {"client_id": "test", "client_secret": "yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG"}
TERMINAL = "67e34d63-102f-4bd1-898e-370781d0074d"


def ensure_tools():
    if shutil.which("wrk") is None:
        print("==> installing wrk (Debian package)", file=sys.stderr)
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True)
        subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    print("==> cargo build --release", file=sys.stderr)
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "epay-sandbox"], cwd=ROOT, check=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def start_sandbox(extra_args=()):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    proc = subprocess.Popen([BIN, "--addr", f"127.0.0.1:{port}", "--log-level", "warn", *extra_args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = started + 10
    while time.perf_counter() < deadline:
        try:
            with urllib.request.urlopen(url + "/_sandbox/health", timeout=0.2) as r:
                if r.status == 200:
                    return proc, url, (time.perf_counter() - started) * 1000
        except OSError:
            time.sleep(0.001)
    proc.kill()
    raise RuntimeError("sandbox did not become ready")


def post_form(url, fields):
    data = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=5) as r:
        return json.loads(r.read())


def token(url, **extra):
    fields = {"grant_type": "client_credentials", "scope": "payment", **CLIENT, **extra}
    return post_form(url + "/oauth2/token", fields)["access_token"]


def wrk(url, path, lua, duration, connections, threads):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua)
        script = f.name
    try:
        out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s",
                              "--latency", "-s", script, url + path],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    pct = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, pct.get("50", "?"), pct.get("99", "?"), int(non2xx.group(1)) if non2xx else 0


def lua_request(method, body=None, headers=None):
    lines = [f'wrk.method = "{method}"']
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(body)}")
    for k, v in (headers or {}).items():
        lines.append(f'wrk.headers["{k}"] = "{v}"')
    return "\n".join(lines) + "\n"


def scenarios(url):
    """(name, path, lua) for each measured endpoint."""
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "scope": "payment", **CLIENT,
                                   "terminal": TERMINAL, "invoiceID": "000000001", "amount": "100",
                                   "currency": "KZT"})
    status_token = token(url, terminal=TERMINAL)
    return [
        ("token (POST /oauth2/token)", "/oauth2/token",
         lua_request("POST", form, {"Content-Type": "application/x-www-form-urlencoded"})),
        ("check-status (GET, unknown invoice → 102)", "/check-status/payment/transaction/000000001",
         lua_request("GET", headers={"Authorization": f"Bearer {status_token}"})),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="also write docs/benchmarks.md")
    args = parser.parse_args()
    ensure_tools()

    proc, url, ready_ms = start_sandbox()
    try:
        time.sleep(0.5)
        idle = rss_kib(proc.pid)
        rows = []
        for name, path, lua in scenarios(url):
            rps, p50, p99, errors = wrk(url, path, lua, args.duration, args.connections, args.threads)
            rows.append((name, rps, p50, p99, rss_kib(proc.pid), errors))
    finally:
        proc.terminate()
        proc.wait(timeout=5)

    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"],
                         capture_output=True, text=True).stdout.strip()
    lines = [
        f"Machine: {os.cpu_count()} cores ({cpu}); wrk -t{args.threads} -c{args.connections} -d{args.duration}s; "
        f"release build; log level warn.",
        "",
        f"- time to ready (spawn → first 200 from /_sandbox/health): **{ready_ms:.1f} ms**",
        f"- idle RSS: **{idle / 1024:.1f} MiB**",
        "",
        "| scenario | req/s | p50 | p99 | RSS after | non-2xx |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, rps, p50, p99, rss, errors in rows:
        lines.append(f"| {name} | {rps:,.0f} | {p50} | {p99} | {rss / 1024:.1f} MiB | {errors} |")
    report = "\n".join(lines)
    print(report)
    if args.write:
        path = os.path.join(ROOT, "docs", "benchmarks.md")
        with open(path, "w") as f:
            f.write("# Benchmarks\n\nProduced by `python3 benches/bench.py --write` on the project's CI machine.\n\n")
            f.write(report + "\n")
        print(f"written to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
