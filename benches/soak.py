#!/usr/bin/env python3
"""Soak: drives a steady mixed load at a release build and samples its RSS, to show that memory
stays bounded (caps and TTLs of docs/benchmarks.md) instead of growing with every request.

The load (wrk, one Lua script): token requests (each stores a token), control-plane payments
with fresh invoiceIds (`POST /_sandbox/transactions`, each stores a transaction) and
check-status lookups of the transaction the connection just created, in equal parts. RSS is sampled every --every seconds and printed as a
curve (Markdown table). Caps are the defaults unless overridden with --sandbox-args.

Usage: python3 benches/soak.py [--minutes 10] [--every 5] [--connections 16]
       [--sandbox-args "--max-transactions 20000 --max-tokens 50000"]
"""
import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (same directory)

LUA = """
local next_thread = 0
function setup(thread) thread:set("tid", next_thread); next_thread = next_thread + 1 end
local n, last = 0, "00999999"
function request()
  n = n + 1
  local k = n % 3
  if k == 0 then
    return wrk.format("POST", "/oauth2/token", {["Content-Type"] = "application/x-www-form-urlencoded"}, TOKEN_FORM)
  elseif k == 1 then
    -- ePay wants the last six digits unique per terminal: interleave the threads' counters.
    last = string.format("50%06d", (n * THREADS + tid) % 999999)
    local body = '{"terminal":"TERMINAL","invoiceId":"' .. last .. '","amount":100,"outcome":{"kind":"approve"}}'
    return wrk.format("POST", "/_sandbox/transactions", {["Content-Type"] = "application/json"}, body)
  else
    return wrk.format("GET", "/check-status/payment/transaction/" .. last, {["Authorization"] = "Bearer BEARER"})
  end
end
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--every", type=float, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sandbox-args", default="")
    args = parser.parse_args()
    bench.ensure_tools()
    proc, url, _ = bench.start(bench.sandbox_cmd(*shlex.split(args.sandbox_args)), "/_sandbox/health")
    seconds = int(args.minutes * 60)
    samples = []
    try:
        bearer = bench.token(url)
        bench.post(url + "/_sandbox/transactions", (
            '{"terminal":"%s","invoiceId":"00999999","amount":100,"outcome":{"kind":"approve"}}' % bench.TERMINAL
        ).encode(), {"Content-Type": "application/json"})
        form = (f"grant_type=client_credentials&scope=payment&client_id={bench.CLIENT['client_id']}"
                f"&client_secret={bench.CLIENT['client_secret']}&terminal={bench.TERMINAL}")
        lua = (LUA.replace("TOKEN_FORM", repr(form).replace("'", '"')).replace("TERMINAL", bench.TERMINAL)
               .replace("BEARER", bearer).replace("THREADS", str(args.threads)))
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write(lua)
            script = f.name
        started = time.monotonic()
        samples.append((0.0, bench.rss_kib(proc.pid)))
        load = subprocess.Popen(["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{seconds}s",
                                 "-s", script, url + "/"], stdout=subprocess.PIPE, text=True)
        while load.poll() is None:
            time.sleep(args.every)
            samples.append((time.monotonic() - started, bench.rss_kib(proc.pid)))
            print(f"{samples[-1][0]:7.1f}s  RSS {samples[-1][1] / 1024:7.1f} MiB", file=sys.stderr)
        out = load.stdout.read()
        os.unlink(script)
        with urllib.request.urlopen(url + "/_sandbox/health", timeout=5) as r:
            r.read()
        alive = proc.poll() is None
    finally:
        bench.stop(proc)
    total = [line for line in out.splitlines() if "requests in" in line or "Requests/sec" in line
             or "Non-2xx" in line]
    rss = [kib for _, kib in samples]
    half = rss[len(rss) // 2:]
    print(f"Soak: {args.minutes:g} min, wrk -t{args.threads} -c{args.connections}, sandbox args "
          f"'{args.sandbox_args or '(defaults)'}'; {'; '.join(s.strip() for s in total)}; alive after: {alive}.")
    print(f"RSS: start {rss[0] / 1024:.1f} MiB, peak {max(rss) / 1024:.1f} MiB, end {rss[-1] / 1024:.1f} MiB; "
          f"second half min/max {min(half) / 1024:.1f}/{max(half) / 1024:.1f} MiB.")
    print()
    print("| t (s) | RSS (MiB) |")
    print("|---:|---:|")
    step = max(1, len(samples) // 40)
    for t, kib in samples[::step]:
        print(f"| {t:.0f} | {kib / 1024:.1f} |")


if __name__ == "__main__":
    main()
