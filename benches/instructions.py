#!/usr/bin/env python3
"""Counts the instructions the server runs per request, under valgrind's callgrind.

wrk's req/s move by ±20 % between runs on a shared 2-core VM (docs/benchmarks.md); an instruction
count does not: the same binary, requests and fixtures give the same count within ~0.5 %,
whatever else the machine is doing. So this measures a change to the request path where
`bench.py` cannot: for each scenario the server starts under callgrind with counting off, gets
its setup (a token, a saved card), then counting is switched on (`callgrind_control -i on`) and
N requests are sent one after another on one keep-alive connection. Instructions / N is the
server's user-space work per request (the kernel's part is not counted), and the ratio to the
bare axum hello's is the host-independent counterpart of bench.py's throughput ratios.

Usage: python3 benches/instructions.py [--requests 2000] [--only token,status,saved,transfer] [--profile dist]
Needs valgrind (Debian package). Prints a markdown table; asserts nothing.
"""
import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the shared helpers: binaries, fixtures' credentials, start/stop)

SCENARIOS = ["hello", "token", "status", "saved", "transfer"]


def counted(cmd, ready_path, setup, request, n):
    """Instructions of n requests (request(conn, i, ctx)) after setup(url) -> ctx, counting on."""
    out = tempfile.NamedTemporaryFile(prefix="callgrind.", delete=False).name
    valgrind = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--instr-atstart=no"]
    proc, url, _ = bench.start(valgrind + cmd, ready_path, ready_timeout=120)
    try:
        ctx = setup(url)
        subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        host, port = url[len("http://"):].split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        for i in range(n):
            request(conn, i, ctx)
            answer = conn.getresponse()
            body = answer.read()
            if answer.status != 200:
                raise RuntimeError(f"{answer.status}: {body[:200]!r}")
    finally:
        proc.terminate()
        proc.wait(timeout=120)
    with open(out) as f:
        totals = [int(line.split()[1]) for line in f if line.startswith(("summary:", "totals:"))]
    os.remove(out)
    return totals[-1]


def sandbox_setup(url):
    bearer = bench.token(url)
    paid = bench.pay(url, bearer, "00999999", bench.cryptogram(), accountId="bench-acc", cardSave=True)
    p2p = bench.token(url, terminal=bench.P2P_TERMINAL, scope="transfer")
    return {"bearer": bearer, "card": paid["cardID"], "p2p": p2p, "parties": bench.saved_transfer_cards(url, p2p)}


def json_post(conn, path, bearer, body):
    conn.request("POST", path, json.dumps(body),
                 {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"})


def token_request(conn, i, ctx):
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "scope": "payment", **bench.CLIENT,
                                   "terminal": bench.TERMINAL})
    conn.request("POST", "/oauth2/token", form, {"Content-Type": "application/x-www-form-urlencoded"})


def status_request(conn, i, ctx):
    conn.request("GET", bench.CHECK_STATUS, headers={"Authorization": f"Bearer {ctx['bearer']}"})


def saved_request(conn, i, ctx):
    json_post(conn, "/payments/cards/auth", ctx["bearer"], {
        "amount": 100, "currency": "KZT", "name": "BENCH", "terminalId": bench.TERMINAL,
        "invoiceId": f"7{i:08d}", "description": "bench", "accountId": "bench-acc",
        "paymentType": "cardId", "cardId": {"id": ctx["card"]}})


def transfer_request(conn, i, ctx):
    sender, receiver = ctx["parties"]
    json_post(conn, "/p2p/transfer", ctx["p2p"], {
        "order": {"amount": 1, "currency": "KZT", "description": "bench", "id": f"8{i:011d}",
                  "accountID": "bench-acc", "terminalId": bench.P2P_TERMINAL},
        "card": {"sender": {"transferType": "TYPECARDID", "cardCred": sender},
                 "receiver": {"transferType": "TYPECARDID", "cardCred": receiver}}})


def per_request(key, n):
    """Instructions per request of one scenario: the difference of two counts, so that the
    first requests' one-time work (lazy statics, first allocations) cancels out."""
    if key == "hello":
        run = lambda k: counted([bench.HELLO, "{addr}"], "/", lambda url: {},
                                lambda conn, i, ctx: conn.request("GET", "/"), k)
    else:
        request = {"token": token_request, "status": status_request, "saved": saved_request,
                   "transfer": transfer_request}[key]
        run = lambda k: counted(bench.sandbox_cmd(), "/_sandbox/health", sandbox_setup, request, k)
    warm = max(n // 10, 50)
    return (run(warm + n) - run(warm)) / n


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--only", default=",".join(SCENARIOS[1:]))
    parser.add_argument("--bin", action="append", default=[],
                        help="a sandbox binary to count instead of building one; repeat to compare builds")
    parser.add_argument("--profile", default=bench.PROFILE,
                        help="Cargo profile to build (and of the hello binary); default dist, as bench.py")
    args = parser.parse_args()
    bench.use_profile(args.profile)
    if not shutil.which("valgrind"):
        sys.exit("valgrind is needed (apt-get install valgrind)")
    if not args.bin:
        bench.ensure_tools()
    binaries = args.bin or [bench.BIN]
    hello = per_request("hello", args.requests)
    names = [os.path.basename(b) for b in binaries]
    print("| scenario | " + " | ".join(f"{n}: instructions / request (× hello)" for n in names) + " |")
    print("|---|" + "---|" * len(names))
    print(f"| bare axum hello (GET /) | " + " | ".join(f"{hello / 1000:.1f}k (1.0)" for _ in names) + " |")
    for key in [k for k in args.only.split(",") if k and k != "hello"]:
        cells = []
        for binary in binaries:
            bench.BIN = binary
            count = per_request(key, args.requests)
            cells.append(f"{count / 1000:.1f}k ({count / hello:.1f})")
        print(f"| {key} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
