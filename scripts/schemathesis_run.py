#!/usr/bin/env python3
"""Conformance run: schemathesis against the live, generated OpenAPI document.

Starts the sandbox binary on a free loopback port, takes a bearer token from the documented test
client (the one of tests/api/helpers.rs), and runs schemathesis (pinned in
scripts/requirements-test.txt) on GET /_sandbox/openapi.json with four checks: no 5xx
(not_a_server_error), every status code documented (status_code_conformance), every
Content-Type documented (content_type_conformance) and every body valid against its schema
(response_schema_conformance).

Two passes, so that the control plane cannot pull the ground from under the bank API:
  1. every operation except those that wipe or bend shared state (reset, seed, the clock,
     scenario and fault rules, merchants), with the bearer token;
  2. those, last, on their own and without the stateful phase (sequences of resets and clock
     moves check nothing more). They touch /_sandbox only, which fault rules never hit.

Bounded by --examples per operation and phase and by --max-time for both passes together; the
generated cases are the same for a --seed, but how many run before the time ceiling depends on the
machine. Prints one line per pass and a total: cases, failures, seconds. Exit status 1 on any failure or a panic in the server log.

Usage: python3 scripts/schemathesis_run.py --bin target/debug/epay-sandbox [--examples 30] [--seed 1]
"""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLIENT_ID, CLIENT_SECRET = "test", "yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG"
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# The operations of pass 2: they reset, reseed, move the clock, force outcomes or remove merchants.
DISRUPTIVE = r"^/_sandbox/(reset|seed|clock|scenarios|faults|merchants)"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base, proc):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/_sandbox/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("schemathesis: the sandbox did not start")


def bearer_token(base):
    form = urllib.parse.urlencode({
        "grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        "scope": "webapi usermanagement email_send verification statement statistics payment",
    }).encode()
    with urllib.request.urlopen(f"{base}/oauth2/token", data=form, timeout=10) as response:
        return json.load(response)["access_token"]


def run_pass(name, schemathesis, base, extra, args, workers, max_time):
    command = [schemathesis, "run", f"{base}/_sandbox/openapi.json", "--checks", CHECKS,
               "--max-examples", str(args.examples), "--seed", str(args.seed), "--workers", str(workers),
               "--max-time", str(max_time), "--continue-on-failure", "--max-failures", "50",
               "--output-truncate", "true", "--warnings", "off", *extra]
    attempts = 3
    for attempt in range(1, attempts + 1):
        started = time.monotonic()
        # schemathesis keeps a cache (.schemathesis/) in its working directory: under target/.
        result = subprocess.run(command, capture_output=True, text=True, cwd=os.path.join(ROOT, "target"))
        elapsed = time.monotonic() - started
        output = result.stdout + result.stderr
        cases = re.search(r"(\d+) generated", output)
        failures = re.search(r"found (\d+) unique failures?", output)
        cases = int(cases.group(1)) if cases else 0
        failures = int(failures.group(1)) if failures else 0
        # A crash inside schemathesis itself (seen: CPython's "AST constructor recursion depth
        # mismatch" under worker threads) is no finding about the server: run the pass again.
        tool_crash = result.returncode != 0 and failures == 0 and "Runtime Error" in output
        if tool_crash and attempt < attempts:
            print(f"schemathesis {name}: schemathesis itself crashed (not a check failure); once more", flush=True)
            continue
        break
    if result.returncode != 0:
        failures = max(failures, 1)  # a failed run without a count (e.g. the schema did not load)
    print(f"schemathesis {name}: {cases} cases, {failures} failures, {elapsed:.0f}s", flush=True)
    if result.returncode != 0 or cases == 0:
        print(output, file=sys.stderr)
    return cases, failures, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="the epay-sandbox binary")
    parser.add_argument("--examples", type=int, default=30, help="schemathesis --max-examples per operation")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-time", type=int, default=150,
                        help="ceiling in seconds for both passes (two thirds for pass 1)")
    args = parser.parse_args()
    schemathesis = os.path.join(os.path.dirname(sys.executable), "schemathesis")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([args.bin, "--addr", f"127.0.0.1:{port}", "--log-level", "warn",
                             "--callback-attempts", "1", "--callback-timeout-ms", "200"],
                            stdout=subprocess.DEVNULL, stderr=log)
    try:
        wait_until_up(base, proc)
        token = bearer_token(base)
        passes = [
            run_pass("pass 1 (bank API, control plane reads)", schemathesis, base,
                     ["--header", f"Authorization: Bearer {token}", "--exclude-path-regex", DISRUPTIVE], args, args.workers,
                     args.max_time * 2 // 3),
            run_pass("pass 2 (state-changing control plane)", schemathesis, base,
                     ["--include-path-regex", DISRUPTIVE, "--phases", "examples,coverage,fuzzing"], args, 1,
                     args.max_time // 3),
        ]
        alive = proc.poll() is None
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    log.seek(0)
    panics = [line for line in log.read().decode(errors="replace").splitlines() if "panicked" in line]
    cases = sum(p[0] for p in passes)
    failures = sum(p[1] for p in passes)
    seconds = sum(p[2] for p in passes)
    print(f"schemathesis: {cases} cases, {failures} failures, {len(panics)} panics, {seconds:.0f}s (seed {args.seed})")
    for line in panics[:5]:
        print("  panic:", line, file=sys.stderr)
    if failures or panics or not alive:
        sys.exit(1)


if __name__ == "__main__":
    main()
