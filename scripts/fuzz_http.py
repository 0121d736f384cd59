#!/usr/bin/env python3
"""HTTP fuzzer: generates requests for every operation of the live OpenAPI document
(GET /_sandbox/openapi.json) and asserts that the sandbox never answers 5xx and never panics.

It complements scripts/schemathesis_run.py, which checks that answers conform to the document:
this one sends what no schema describes (invalid UTF-8, wrong content types, forged tokens,
hostile strings in ids) and reads the server log for panics.

Standard library only (no pip, nothing to pin). Deterministic for a given --seed. Starts the
sandbox binary on a free loopback port, then for each operation sends --per-operation requests:
path and query parameters from a pool of valid ids and hostile strings, bodies generated from the
operation's schema (resolved $refs) and then mutated (wrong types, missing and extra fields, huge
and negative numbers, deep nesting, invalid UTF-8, wrong content types), with a valid, forged or
no token. Fault rules (`POST /_sandbox/faults`), which inject 5xx on purpose, are deleted right
after each request that may have created one; scenario rules likewise.

Usage: python3 scripts/fuzz_http.py --bin target/debug/epay-sandbox [--per-operation 40] [--seed 1]
Exit status 1 on any 5xx, connection failure or panic in the server log. The one exception is a
501 whose body says "not implemented" (a documented route whose work lives on another branch,
P2P at the time of writing): it is counted and listed in the output, never hidden.
"""
import argparse
import http.client
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLIENT_ID, CLIENT_SECRET = "test", "yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG"
TERMINAL = "67e34d63-102f-4bd1-898e-370781d0074d"
HOSTILE = ["", " ", "0", "-1", "1e309", "99999999999999999999999", "null", "true", "[]", "{}",
           "%00", "..%2F..%2Fetc%2Fpasswd", "'; DROP TABLE x;--", "<script>", "\u0000", "ü€𝄞",
           "a" * 5000, "00000000-0000-0000-0000-000000000000", "12345678901234567890", "NaN", "-0.001"]
EPAY_FIELDS = {
    "amount": [100, 0, -5, 10.5, "100", 1e18, None], "currency": ["KZT", "USD", "XXX", 1],
    "invoiceId": ["000123456", "1", "x" * 40, 5], "invoiceIdAlt": ["1"], "terminalId": [TERMINAL, "nope"],
    "name": ["TEST TEST"], "description": ["d", "x" * 200], "accountId": ["acc-1", ""], "email": ["a@b.c"],
    "phone": ["77001234567"], "language": ["rus", "zzz"], "cryptogram": ["AAAA", "%%%", "A" * 684],
    "cardId": ["00000000-0000-4000-8000-000000000001", "bad"], "cardSave": [True, "yes"],
    "paymentType": ["applePay", "googlePay", "other"], "postLink": ["http://127.0.0.1:1/cb"],
    "backLink": ["http://x"], "externalID": ["e-1"], "md": ["m"], "paRes": ["p"], "order": [{}, {"amount": 1}],
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Fuzzer:
    def __init__(self, doc, port, rng):
        self.doc, self.port, self.rng = doc, port, rng
        self.count, self.failures, self.by_status = 0, [], {}
        self.ids = {}
        self.not_implemented = set()

    def request(self, method, path, body=None, headers=None, check=True):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            status, data = 0, str(error).encode()
        finally:
            conn.close()
        if check:
            self.count += 1
            self.by_status[status] = self.by_status.get(status, 0) + 1
            if status == 501 and b"not implemented" in data.lower():
                # A documented route whose work lives on another branch (P2P): counted, reported.
                self.not_implemented.add(f"{method} {path.split('?')[0][:60]}")
            elif status >= 500 or status == 0:
                self.failures.append((method, path[:200], status, data[:300]))
        return status, data

    def setup(self, binary):
        def form(fields):
            return urllib.parse.urlencode(fields), {"Content-Type": "application/x-www-form-urlencoded"}
        body, headers = form({"grant_type": "client_credentials", "scope": "payment", "client_id": CLIENT_ID,
                              "client_secret": CLIENT_SECRET, "terminal": TERMINAL})
        token = json.loads(self.request("POST", "/oauth2/token", body, headers, check=False)[1])["access_token"]
        cryptogram = subprocess.run([binary, "cryptogram", "--pan", "4405639704015096", "--exp", "0127",
                                     "--cvc", "321", "--terminal", TERMINAL], capture_output=True, text=True,
                                    check=True).stdout.strip()
        pay = {"amount": 100, "currency": "KZT", "name": "TEST", "invoiceId": "900000001", "description": "fuzz",
               "cryptogram": cryptogram, "accountId": "fuzz-acc", "cardSave": True}
        status, data = self.request("POST", "/payment/cryptopay", json.dumps(pay),
                                    {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
                                    check=False)
        paid = json.loads(data)
        if status != 200:
            raise SystemExit(f"fuzz setup: payment failed: {status} {paid}")
        self.token = token
        self.ids = {"invoiceId": "900000001", "order": "900000001", "id": paid.get("id", ""),
                    "accountId": "fuzz-acc", "cardId": paid.get("cardID", ""), "operation": "charge"}

    def resolve(self, schema, depth=0):
        while isinstance(schema, dict) and "$ref" in schema and depth < 10:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self.doc.get("components", {}).get("schemas", {}).get(name, {})
            depth += 1
        return schema if isinstance(schema, dict) else {}

    def value_for(self, schema, depth=0):
        schema = self.resolve(schema)
        rng = self.rng
        if "enum" in schema and rng.random() < 0.7:
            return rng.choice(schema["enum"])
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = rng.choice(kind)
        if kind == "object" or "properties" in schema:
            props = schema.get("properties", {})
            out = {k: self.value_for(v, depth + 1) for k, v in props.items()
                   if depth < 4 and (k in schema.get("required", []) or rng.random() < 0.6)}
            if not props:
                for k in rng.sample(sorted(EPAY_FIELDS), rng.randint(0, len(EPAY_FIELDS))):
                    out[k] = rng.choice(EPAY_FIELDS[k])
            return out
        if kind == "array":
            return [self.value_for(schema.get("items", {}), depth + 1) for _ in range(rng.randint(0, 3))]
        if kind == "integer":
            return rng.choice([0, 1, -1, 100, 2**31, 2**63, rng.randint(-1000, 100000)])
        if kind == "number":
            return rng.choice([0, 0.5, -1.25, 1e300, rng.uniform(-1e6, 1e6)])
        if kind == "boolean":
            return rng.random() < 0.5
        return rng.choice(HOSTILE + ["NEW", "AUTH", "CHARGE", "approve", "decline", "1h", "2030-01-01T00:00:00Z"])

    def mutate(self, value):
        rng = self.rng
        roll = rng.random()
        if roll < 0.5:
            return value
        if roll < 0.6:
            return rng.choice([None, 1, "x", [], [1, [2, [3]]], True])
        if isinstance(value, dict) and value:
            key = rng.choice(sorted(value))
            if roll < 0.75:
                del value[key]
            else:
                value[key] = rng.choice([None, -1, 1e308, "", "x" * 3000, {"nested": [1] * 50}, []])
        elif isinstance(value, dict):
            value["unexpected"] = rng.choice(HOSTILE)
        return value

    def path_for(self, template):
        def param(match):
            name = match.group(1)
            if name in self.ids and self.rng.random() < 0.6:
                return urllib.parse.quote(self.ids[name], safe="")
            return urllib.parse.quote(self.rng.choice(HOSTILE), safe="")
        return re.sub(r"\{(\w+)\}", param, template)

    def query_for(self, operation):
        pairs = []
        for p in operation.get("parameters", []):
            p = self.resolve(p)
            if p.get("in") == "query" and self.rng.random() < 0.6:
                pairs.append((p["name"], str(self.value_for(p.get("schema", {})))))
        if self.rng.random() < 0.2:
            pairs.append(("amount", self.rng.choice(HOSTILE)))
        return "?" + urllib.parse.urlencode(pairs) if pairs else ""

    def body_for(self, operation):
        content = operation.get("requestBody", {}).get("content", {})
        rng = self.rng
        if not content or rng.random() < 0.1:
            raw = rng.choice([b"", b"{", b"\xff\xfe\x00", b"[1,2", b"a=b&&&=", os.urandom(64)])
            return raw, rng.choice(["application/json", "application/x-www-form-urlencoded", "text/plain"])
        media = rng.choice(sorted(content))
        value = self.mutate(self.value_for(content[media].get("schema", {})))
        if media == "application/json":
            return json.dumps(value).encode(), media
        fields = value if isinstance(value, dict) else {"value": value}
        encoded = urllib.parse.urlencode({k: json.dumps(v) if isinstance(v, (dict, list)) else v
                                          for k, v in fields.items()}).encode()
        if media == "multipart/form-data":
            boundary = "fuzzboundary"
            parts = b"".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode()
                             for k, v in fields.items())
            return parts + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"
        return encoded, media

    def run_operation(self, method, template, operation):
        path = self.path_for(template) + self.query_for(operation)
        body, media = self.body_for(operation) if method in ("POST", "PUT", "PATCH") else (None, None)
        headers = {}
        if media:
            headers["Content-Type"] = media
        auth = self.rng.random()
        if auth < 0.7:
            headers["Authorization"] = f"Bearer {self.token}"
        elif auth < 0.85:
            headers["Authorization"] = self.rng.choice(["Bearer forged", "Basic abc", "Bearer ", "bearer  x  y"])
        self.request(method, path, body, headers)
        if template.startswith("/_sandbox/faults") or template.startswith("/_sandbox/scenarios"):
            self.request("DELETE", "/_sandbox/faults", check=False)
            self.request("DELETE", "/_sandbox/scenarios", check=False)
        if template.startswith("/_sandbox/reset") or template.startswith("/_sandbox/merchants"):
            self.setup_again = True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=os.path.join(ROOT, "target", "debug", "epay-sandbox"))
    parser.add_argument("--per-operation", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    port = free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([args.bin, "--addr", f"127.0.0.1:{port}", "--log-level", "warn",
                             "--callback-attempts", "1", "--callback-timeout-ms", "200"],
                            stdout=subprocess.DEVNULL, stderr=log)
    rng = random.Random(args.seed)
    fuzzer = Fuzzer(None, port, rng)
    deadline = time.monotonic() + 60
    while fuzzer.request("GET", "/_sandbox/health", check=False)[0] != 200:
        if time.monotonic() > deadline or proc.poll() is not None:
            raise SystemExit("fuzz: the sandbox did not start")
        time.sleep(0.05)
    fuzzer.doc = json.loads(fuzzer.request("GET", "/_sandbox/openapi.json", check=False)[1])
    operations = [(m.upper(), p, o) for p, item in fuzzer.doc["paths"].items() for m, o in item.items()
                  if m in ("get", "post", "put", "delete", "patch")]
    started = time.monotonic()
    try:
        fuzzer.setup(args.bin)
        for round_ in range(args.per_operation):
            rng.shuffle(operations)
            for method, template, operation in operations:
                fuzzer.setup_again = False
                fuzzer.run_operation(method, template, operation)
                if fuzzer.setup_again:
                    fuzzer.request("POST", "/_sandbox/reset", b"{}", {"Content-Type": "application/json"}, check=False)
                    fuzzer.setup(args.bin)
            if proc.poll() is not None:
                fuzzer.failures.append(("-", "-", 0, b"the sandbox process died"))
                break
    finally:
        alive = proc.poll() is None
        proc.terminate()
        proc.wait(timeout=10)
    log.seek(0)
    server_log = log.read().decode(errors="replace")
    panics = [line for line in server_log.splitlines() if "panicked" in line]
    elapsed = time.monotonic() - started
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(fuzzer.by_status.items()))
    print(f"fuzz: {fuzzer.count} requests over {len(operations)} operations in {elapsed:.1f}s "
          f"(seed {args.seed}); statuses {{{statuses}}}; 5xx: {len(fuzzer.failures)}; panics: {len(panics)}")
    if fuzzer.not_implemented:
        print(f"fuzz: 501 'not implemented' (placeholders of unmerged work) from: {sorted(fuzzer.not_implemented)}")
    for failure in fuzzer.failures[:20]:
        print("  5xx/failure:", failure, file=sys.stderr)
    for line in panics[:5]:
        print("  panic:", line, file=sys.stderr)
    if fuzzer.failures or panics or not alive:
        sys.exit(1)


if __name__ == "__main__":
    main()
