#!/usr/bin/env python3
"""Benchmarks the sandbox with wrk (Debian package) against a bare axum "hello" and openssl.

Builds the sandbox and `examples/hello.rs` in the `dist` profile (fat LTO, as the Docker image
ships them; `--profile release` for quicker rebuilds), then on this machine, in one run:
- time to ready (spawn → first 200, median of 5 starts) and idle RSS, for both servers;
- wrk req/s, p50/p99 latency and RSS for: hello, token, check-status of a real transaction,
  cards/auth by saved card, charge → refund of saved-card payments, a P2P transfer between saved
  cards, cryptopay, and the full token → cryptopay → check-status flow;
- check-status again with the transaction store full (flat cost in stored data);
- WireMock (npm package `wiremock`, its bundled standalone jar run by the system's `java`)
  serving a static stub of the same check-status answer, side by side: req/s and RSS;
- memory per stored transaction (RSS delta after N `POST /_sandbox/transactions`, divided by N);
- `openssl speed rsa4096` private-key operations/s (1 process and one per core) vs cryptopay;
- SIGTERM drain: exit time with an in-flight request held open;
- every ratio the performance targets are stated in (docs/benchmarks.md, "Targets").
A benchmark, not a test: it asserts nothing. Tokens for cards/auth and cryptopay are issued
without invoiceID/amount (the sandbox then does not check the binding, as the bank does not),
so one token serves every request while a wrk Lua counter gives each request a fresh invoiceId;
the flow scenario issues a bound token per payment instead.

Usage: python3 benches/bench.py [--duration 10] [--connections 32] [--threads 2] [--no-wiremock]
                               [--profile dist] [--write]
(--write regenerates the marked section of docs/benchmarks.md and the README's Performance table.)
"""
import argparse
import json
import os
import resource
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The Cargo profile measured: `dist` (fat LTO) is what the Docker image ships; `--profile release`
# (thin LTO, what `cargo run --release` builds) rebuilds faster while iterating.
PROFILE = "dist"
BIN = os.path.join(ROOT, "target", PROFILE, "epay-sandbox")
HELLO = os.path.join(ROOT, "target", PROFILE, "examples", "hello")
CLIENT = {"client_id": "test", "client_secret": "yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG"}
TERMINAL = "67e34d63-102f-4bd1-898e-370781d0074d"
CARD = ("4405639704015096", "0127", "321")
P2P_TERMINAL = "c36b282f-6819-4d4f-85df-a4bdc8a8f703"
TOOLS = os.path.join(ROOT, "target", "bench-tools")
CHECK_STATUS = "/check-status/payment/transaction/00999999"


def ensure_tools():
    if shutil.which("wrk") is None:
        print("==> installing wrk (Debian package)", file=sys.stderr)
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True)
        subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    print(f"==> cargo build --profile {PROFILE} (sandbox and examples/hello)", file=sys.stderr)
    subprocess.run(["cargo", "build", "--profile", PROFILE, "--quiet", "--bin", "epay-sandbox", "--example", "hello"],
                   cwd=ROOT, check=True)


def use_profile(profile):
    """Measures the binaries of Cargo profile `profile` (built by `ensure_tools`)."""
    global PROFILE, BIN, HELLO
    PROFILE = profile
    BIN = os.path.join(ROOT, "target", profile, "epay-sandbox")
    HELLO = os.path.join(ROOT, "target", profile, "examples", "hello")


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


def server_work(pid):
    """CPU seconds (user + system) the server has used, and the context switches (voluntary and
    not) of its live threads, from /proc: what a request costs the server whatever the host does
    to req/s."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    switches = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/status") as f:
                switches += sum(int(line.split()[1]) for line in f if "ctxt_switches:" in line)
        except OSError:
            pass
    return cpu, switches


def start(cmd, ready_path, ready_timeout=10):
    """Starts a server; returns (process, url, ms until the first 200 on ready_path)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    proc = subprocess.Popen([c.replace("{addr}", f"127.0.0.1:{port}").replace("{port}", str(port)) for c in cmd],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = started + ready_timeout
    while time.perf_counter() < deadline:
        try:
            with urllib.request.urlopen(url + ready_path, timeout=0.2) as r:
                if r.status == 200:
                    return proc, url, (time.perf_counter() - started) * 1000
        except OSError:
            time.sleep(0.0005)
    proc.kill()
    raise RuntimeError(f"{cmd[0]} did not become ready")


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()


def sandbox_cmd(*extra):
    return [BIN, "--addr", "{addr}", "--log-level", "warn", *extra]


def ready_stats(cmd, path):
    """Median time to ready over 5 starts, and idle RSS after the last one."""
    times = []
    for _ in range(5):
        proc, _, ms = start(cmd, path)
        times.append(ms)
        time.sleep(0.3)
        idle = rss_kib(proc.pid)
        stop(proc)
    return statistics.median(times), idle


def post(url, data, headers):
    with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=30) as r:
        return json.loads(r.read() or b"null")


def token(url, terminal=TERMINAL, scope="payment", **extra):
    fields = {"grant_type": "client_credentials", "scope": scope, **CLIENT, "terminal": terminal, **extra}
    return post(url + "/oauth2/token", urllib.parse.urlencode(fields).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"})["access_token"]


def cryptogram():
    pan, exp, cvc = CARD
    return subprocess.run([BIN, "cryptogram", "--pan", pan, "--exp", exp, "--cvc", cvc, "--terminal", TERMINAL],
                          capture_output=True, text=True, check=True).stdout.strip()


def pay(url, bearer, invoice, crypto, **extra):
    body = {"amount": 100, "currency": "KZT", "name": "BENCH", "invoiceId": invoice, "description": "bench",
            "cryptogram": crypto, **extra}
    return post(url + "/payment/cryptopay", json.dumps(body).encode(),
                {"Content-Type": "application/json", "Authorization": f"Bearer {bearer}"})


def wrk(url, path, lua, duration, connections, threads, pid=None):
    """wrk's req/s, p50/p99 and non-2xx count; with the server's `pid`, also the server's CPU time
    and context switches per request over the run, and wrk's own CPU time per request."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua)
        script = f.name
    before = server_work(pid) if pid else None
    load_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s",
                              "--latency", "-s", script, url + path],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    pct = dict(re.findall(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+\w+)", out, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    bad = (int(non2xx.group(1)) if non2xx else 0)
    result = {"rps": rps, "p50": pct.get("50", "?"), "p99": pct.get("99", "?"), "non2xx": bad,
              "socket_errors": errors.group(1) if errors else ""}
    if before:
        cpu, switches = server_work(pid)
        requests = max(int(re.search(r"(\d+) requests in", out).group(1)), 1)
        result["cpu_us"] = (cpu - before[0]) * 1e6 / requests
        result["switches"] = (switches - before[1]) / requests
        load = resource.getrusage(resource.RUSAGE_CHILDREN)
        result["wrk_us"] = ((load.ru_utime + load.ru_stime) - (load_before.ru_utime + load_before.ru_stime)) \
            * 1e6 / requests
    return result


def cost(r):
    """The server's and wrk's CPU time and the server's context switches per request, as table
    cells. wrk shares the cores, so its own time per request bounds req/s as much as the server's."""
    if "cpu_us" not in r:
        return "–", "–", "–"
    return f"{r['cpu_us']:.1f} µs", f"{r['wrk_us']:.1f} µs", f"{r['switches']:.2f}"


def lua_static(method, body=None, headers=None):
    lines = [f'wrk.method = "{method}"']
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(body)}")
    for k, v in (headers or {}).items():
        lines.append(f'wrk.headers["{k}"] = "{v}"')
    return "\n".join(lines) + "\n"


# Each wrk thread gets a distinct id (setup), each request a distinct invoiceId from a counter.
# ePay refuses an invoiceId whose last six digits were already used on the terminal, so the last
# six digits interleave the threads' counters: unique for the first 999,998 requests of a run.
# (Every scenario runs against a fresh sandbox; the setup payment uses the suffix 999999.)
LUA_COUNTER = """
local next_thread = 0
function setup(thread) thread:set("tid", next_thread); next_thread = next_thread + 1 end
local n = 0
local function invoice()
  n = n + 1
  return string.format("%02d%06d", PREFIX, (n * THREADS + tid) % 999999)
end
"""


def counter(prefix, threads):
    return LUA_COUNTER.replace("PREFIX", str(prefix)).replace("THREADS", str(threads))


# A fresh value goes where a request holds this placeholder: each request is formatted once per
# wrk thread (in `init`, once wrk has set `Host`) and split around it, so a request costs wrk one
# concatenation instead of a `wrk.format` of its headers and body. The placeholder is as long as an
# invoice id, so a body's Content-Length stays right.
PLACEHOLDER = "@@@@@@@@"
LUA_TEMPLATE = """
local function template(method, path, headers, body)
  local head, tail = wrk.format(method, path, headers, body):match("^(.-)PLACEHOLDER(.*)$")
  return {head, tail}
end
""".replace("PLACEHOLDER", PLACEHOLDER)


def lua_json_headers(bearer):
    return f'{{["Content-Type"] = "application/json", ["Authorization"] = "Bearer {bearer}"}}'


def lua_varying(path, body_fmt, bearer, prefix, threads):
    """POSTs of one JSON body whose `%s` takes a fresh invoice id each."""
    body = json.dumps(json.dumps(body_fmt).replace("%s", PLACEHOLDER))
    return counter(prefix, threads) + LUA_TEMPLATE + f"""
local req
function init(args) req = template("POST", "{path}", {lua_json_headers(bearer)}, {body}) end
function request() return req[1] .. invoice() .. req[2] end
"""


def lua_flow(crypto, prefix, threads):
    """token (bound to invoiceID/amount) → cryptopay → check-status, per connection (one per thread)."""
    form = (f"grant_type=client_credentials&scope=payment&client_id={CLIENT['client_id']}"
            f"&client_secret={CLIENT['client_secret']}&terminal={TERMINAL}&amount=100&currency=KZT&invoiceID=%s")
    pay_fmt = json.dumps({"amount": 100, "currency": "KZT", "name": "BENCH", "invoiceId": "%s",
                          "description": "flow", "cryptogram": crypto})
    return counter(prefix, threads) + f"""
local step, inv, tok = 0, nil, nil
flows = 0
function request()
  if step == 0 then
    inv = invoice()
    return wrk.format("POST", "/oauth2/token", {{["Content-Type"] = "application/x-www-form-urlencoded"}},
      string.format({json.dumps(form)}, inv))
  elseif step == 1 then
    return wrk.format("POST", "/payment/cryptopay", {{["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. tok}}, string.format({json.dumps(pay_fmt)}, inv))
  else
    return wrk.format("GET", "/check-status/payment/transaction/" .. inv, {{["Authorization"] = "Bearer " .. tok}})
  end
end
function response(status, headers, body)
  if step == 0 then
    tok = string.match(body, '"access_token"%s*:%s*"([^"]+)"') or "none"
    step = 1
  elseif step == 1 then
    step = 2
  else
    step = 0
  end
end
"""


def lua_steps(steps, prefix, threads):
    """A per-connection cycle of requests (one wrk thread per connection): `steps` is a list of
    (method, path, body, value), where the placeholder in the path or body takes the Lua expression
    `value`: `invoice()` (a fresh invoice id) or `id` (the `"id"` of the first step's answer)."""
    inits, branches = [], []
    for n, (method, path, body, value) in enumerate(steps):
        body_lua = "nil" if body is None else json.dumps(body)
        inits.append(f'  steps[{n}] = template("{method}", {json.dumps(path)}, headers, {body_lua})')
        branches.append(f"""  {"if" if n == 0 else "elseif"} step == {n} then
    return steps[{n}][1] .. {value} .. steps[{n}][2]""")
    return counter(prefix, threads) + LUA_TEMPLATE + f"""
local step, id, steps = 0, "none", {{}}
function init(args)
{chr(10).join(inits)}
end
function request()
{chr(10).join(branches)}
  end
end
function response(status, headers_, body)
  if step == 0 then id = string.match(body, '"id"%s*:%s*"([^"]+)"') or "none" end
  step = (step + 1) % {len(steps)}
end
"""


def lua_charge_refund(bearer, card_id, prefix, threads):
    """cards/auth by saved card on the two-step terminal (AUTH) → charge → refund."""
    auth = json.dumps({"amount": 100, "currency": "KZT", "name": "BENCH", "terminalId": TERMINAL,
                       "invoiceId": PLACEHOLDER, "description": "bench", "accountId": "bench-acc",
                       "paymentType": "cardId", "cardId": {"id": card_id}})
    head = f"local headers = {lua_json_headers(bearer)}\n"
    return head + lua_steps([
        ("POST", "/payments/cards/auth", auth, "invoice()"),
        ("POST", f"/operation/{PLACEHOLDER}/charge", None, "id"),
        ("POST", f"/operation/{PLACEHOLDER}/refund", None, "id"),
    ], prefix, threads)


def lua_transfer(bearer, sender, receiver, prefix, threads):
    """A P2P transfer of 1 KZT between two saved cards, a fresh order id each."""
    body = {"order": {"amount": 1, "currency": "KZT", "description": "bench", "id": "%s", "accountID": "bench-acc",
                      "terminalId": P2P_TERMINAL},
            "card": {"sender": {"transferType": "TYPECARDID", "cardCred": sender},
                     "receiver": {"transferType": "TYPECARDID", "cardCred": receiver}}}
    return lua_varying("/p2p/transfer", body, bearer, prefix, threads)


def saved_transfer_cards(url, bearer):
    """Saves a sender and a receiver card with one P2P transfer; returns their ids."""
    body = {"order": {"amount": 100, "currency": "KZT", "description": "bench", "id": "000000999999",
                      "accountID": "bench-acc", "terminalId": P2P_TERMINAL},
            "card": {"sender": {"save": True, "transferType": "TYPEPAN", "cardCred": CARD[0], "cvc": CARD[2],
                                "expire": {"month": CARD[1][:2], "year": CARD[1][2:]}, "name": "BENCH"},
                     "receiver": {"save": True, "transferType": "TYPEPAN", "cardCred": "5522042705066736"}}}
    answer = post(url + "/p2p/transfer", json.dumps(body).encode(),
                  {"Content-Type": "application/json", "Authorization": f"Bearer {bearer}"})
    return answer["senderCardID"], answer["receiverCardID"]


def fill_transactions(url, n, prefix):
    """Stores n approved transactions through the control plane (one connection)."""
    lua = counter(prefix, 1) + f"""
local limit = {n}
function request()
  if n >= limit then wrk.thread:stop() end
  local body = string.format('{{"terminal":"{TERMINAL}","invoiceId":"%s","amount":100,"outcome":{{"kind":"approve"}}}}', invoice())
  return wrk.format("POST", "/_sandbox/transactions", {{["Content-Type"] = "application/json"}}, body)
end
"""
    wrk(url, "/", lua, 60, 1, 1)


def wiremock_jar():
    """The standalone jar of the npm package `wiremock`, installed under target/ when missing."""
    def find():
        build = os.path.join(TOOLS, "node_modules", "wiremock", "build")
        jars = sorted(f for f in os.listdir(build) if f.endswith(".jar")) if os.path.isdir(build) else []
        return os.path.join(build, jars[-1]) if jars else None
    if find() is None and shutil.which("npm"):
        print("==> npm install wiremock (into target/bench-tools)", file=sys.stderr)
        os.makedirs(TOOLS, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", TOOLS, "--no-audit", "--no-fund", "wiremock"],
                       check=True, stdout=subprocess.DEVNULL)
    return find()


def wiremock_side_by_side(answer, bearer, d, c, t):
    """WireMock serving `answer` (the sandbox's check-status body) as a static stub."""
    jar, java = wiremock_jar(), shutil.which("java")
    if not jar or not java:
        print("    (skipped: needs npm and java)", file=sys.stderr)
        return None
    root = tempfile.mkdtemp(prefix="wiremock-")
    os.makedirs(os.path.join(root, "mappings"))
    with open(os.path.join(root, "mappings", "check-status.json"), "w") as f:
        json.dump({"request": {"method": "GET", "urlPath": CHECK_STATUS},
                   "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": answer}}, f)
    cmd = [java, "-Xmx512m", "-jar", jar, "--port", "{port}", "--root-dir", root, "--no-request-journal",
           "--disable-banner"]
    proc, url, _ = start(cmd, CHECK_STATUS, ready_timeout=60)
    try:
        wrk(url, CHECK_STATUS, lua_static("GET", headers={"Authorization": f"Bearer {bearer}"}), max(d // 2, 1), c, t)
        result = wrk(url, CHECK_STATUS, lua_static("GET", headers={"Authorization": f"Bearer {bearer}"}), d, c, t,
                     proc.pid)
        result["rss"] = rss_kib(proc.pid)
        return result
    finally:
        stop(proc)
        shutil.rmtree(root, ignore_errors=True)


def openssl_rsa4096():
    """Private-key (sign) operations/s of `openssl speed rsa4096`: one process, and one per core."""
    def run(extra):
        out = subprocess.run(["openssl", "speed", "-seconds", "3", *extra, "rsa4096"],
                             capture_output=True, text=True).stdout
        m = re.search(r"^rsa\s+4096 bits\s+[\d.]+s\s+[\d.]+s\s+([\d.]+)\s+([\d.]+)", out, re.M)
        return float(m.group(1)) if m else float("nan")
    return run([]), run(["-multi", str(os.cpu_count() or 1)])


def bytes_per_transaction(n):
    proc, url, _ = start(sandbox_cmd("--max-transactions", str(n * 2)), "/_sandbox/health")
    try:
        time.sleep(0.3)
        before = rss_kib(proc.pid)
        fill_transactions(url, n, 30)
        with urllib.request.urlopen(url + "/_sandbox/transactions?limit=1", timeout=30) as r:
            r.read()
        time.sleep(0.5)
        after = rss_kib(proc.pid)
        return before, after
    finally:
        stop(proc)


def drain_time():
    """ms from SIGTERM to exit while one request is in flight (its body never finishes)."""
    proc, url, _ = start(sandbox_cmd(), "/_sandbox/health")
    s = socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])))
    s.sendall(b"POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\ngrant")
    time.sleep(0.2)
    t0 = time.perf_counter()
    proc.terminate()
    proc.wait(timeout=10)
    s.close()
    return (time.perf_counter() - t0) * 1000


def write_between(path, marker, end, text, fresh_head):
    """Replaces what lies between `marker` and `end` in `path` with `text` (a file without the
    markers gets them appended when `fresh_head` is given, and is left alone otherwise)."""
    old = open(path).read() if os.path.exists(path) else ""
    if marker in old:
        head, _, rest = old.partition(marker)
        _, _, tail = rest.partition(end)
        new = f"{head}{marker}\n{text}\n{end}{tail}"
    elif fresh_head is not None:
        new = f"{old or fresh_head}{marker}\n{text}\n{end}\n"
    else:
        print(f"{path} has no {marker} marker: not written", file=sys.stderr)
        return
    with open(path, "w") as f:
        f.write(new)
    print(f"written to {path}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--flow-connections", type=int, default=16,
                        help="the flow scenario runs one wrk thread per connection (per-connection state)")
    parser.add_argument("--per-tx", type=int, default=20000, help="transactions stored for the bytes/tx figure")
    parser.add_argument("--full", type=int, default=20000,
                        help="transactions stored for the caps-full check-status (the default cap)")
    parser.add_argument("--no-wiremock", action="store_true", help="skip the WireMock side-by-side scenario")
    parser.add_argument("--only", default="",
                        help="comma-separated scenario keys (token,status,status_full,saved,charge_refund,"
                             "transfer,cryptopay,flow): a quick A/B of those against hello; prints, never writes")
    parser.add_argument("--write", action="store_true",
                        help="also write the results to docs/benchmarks.md and the README's Performance table")
    parser.add_argument("--profile", default=PROFILE,
                        help="Cargo profile to build and measure (default dist, as the Docker image ships)")
    args = parser.parse_args()
    use_profile(args.profile)
    ensure_tools()
    d, c, t, fc = args.duration, args.connections, args.threads, args.flow_connections

    print("==> time to ready / idle RSS", file=sys.stderr)
    sb_ready, sb_idle = ready_stats(sandbox_cmd(), "/_sandbox/health")
    hello_ready, hello_idle = ready_stats([HELLO, "{addr}"], "/")

    rows = []
    print("==> hello", file=sys.stderr)
    proc, url, _ = start([HELLO, "{addr}"], "/")
    try:
        hello = wrk(url, "/", "", d, c, t, proc.pid)
        hello["rss"] = rss_kib(proc.pid)
        hello_flowcfg = wrk(url, "/", "", d, fc, fc, proc.pid)
    finally:
        stop(proc)
    rows.append(("bare axum hello (GET /)", hello, f"-t{t} -c{c}"))
    rows.append(("bare axum hello (GET /)", {**hello_flowcfg, "rss": 0}, f"-t{fc} -c{fc}"))

    crypto = cryptogram()
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "scope": "payment", **CLIENT,
                                   "terminal": TERMINAL})
    # (key, name, path, lua(ctx), connections, threads, hello row to compare with)
    scen = [
        ("token", "token (POST /oauth2/token)", "/oauth2/token",
         lambda ctx: lua_static("POST", form, {"Content-Type": "application/x-www-form-urlencoded"}), c, t, hello),
        ("status", "check-status of a real transaction", CHECK_STATUS,
         lambda ctx: lua_static("GET", headers={"Authorization": f"Bearer {ctx['bearer']}"}), c, t, hello),
        ("status_full", f"check-status, {args.full:,} transactions stored", CHECK_STATUS,
         lambda ctx: lua_static("GET", headers={"Authorization": f"Bearer {ctx['bearer']}"}), c, t, hello),
        ("saved", "cards/auth by saved card (fresh invoiceId each)", "/payments/cards/auth",
         lambda ctx: lua_varying("/payments/cards/auth", {
             "amount": 100, "currency": "KZT", "name": "BENCH", "terminalId": TERMINAL, "invoiceId": "%s",
             "description": "bench", "accountId": "bench-acc", "paymentType": "cardId",
             "cardId": {"id": ctx["card_id"]}}, ctx["bearer"], 10, t), c, t, hello),
        ("charge_refund", "saved-card auth → charge → refund (req/s of the three)", "/",
         lambda ctx: lua_charge_refund(ctx["bearer"], ctx["card_id"], 60, fc), fc, fc, hello_flowcfg),
        ("transfer", "P2P transfer between saved cards (fresh order id each)", "/p2p/transfer",
         lambda ctx: lua_transfer(ctx["p2p_bearer"], *ctx["p2p_cards"], 70, t), c, t, hello),
        ("cryptopay", "cryptopay (RSA-4096 decrypt; fresh invoiceId each)", "/payment/cryptopay",
         lambda ctx: lua_varying("/payment/cryptopay", {
             "amount": 100, "currency": "KZT", "name": "BENCH", "invoiceId": "%s", "description": "bench",
             "cryptogram": crypto}, ctx["bearer"], 20, t), c, t, hello),
        ("flow", "flow token → cryptopay → check-status (req/s; flows/s = ÷3)", "/",
         lambda ctx: lua_flow(crypto, 40, fc), fc, fc, hello_flowcfg),
    ]
    results, baseline, answer, bearer_seen = {}, {}, None, None
    only = {k for k in args.only.split(",") if k}
    for key, name, path, lua, conns, threads, base in scen:
        if only and key not in only:
            continue
        print(f"==> {name}", file=sys.stderr)
        proc, url, _ = start(sandbox_cmd(), "/_sandbox/health")
        try:
            bearer = token(url)
            paid = pay(url, bearer, "00999999", crypto, accountId="bench-acc", cardSave=True)
            ctx = {"bearer": bearer, "card_id": paid["cardID"]}
            if key == "transfer":
                ctx["p2p_bearer"] = token(url, terminal=P2P_TERMINAL, scope="transfer")
                ctx["p2p_cards"] = saved_transfer_cards(url, ctx["p2p_bearer"])
            if key == "status_full":
                fill_transactions(url, args.full - 1, 50)
            if key == "status":
                req = urllib.request.Request(url + CHECK_STATUS, headers={"Authorization": f"Bearer {bearer}"})
                with urllib.request.urlopen(req, timeout=30) as r:
                    answer, bearer_seen = r.read().decode(), bearer
            result = wrk(url, path, lua(ctx), d, conns, threads, proc.pid)
            result["rss"] = rss_kib(proc.pid)
            results[key], baseline[key] = result, base
            rows.append((name, result, f"-t{threads} -c{conns}"))
        finally:
            stop(proc)

    if only:
        for name, r, cfg in rows:
            cpu_cell, wrk_cell, switches = cost(r)
            print(f"| {name} | {cfg} | {r['rps']:,.0f} | {r['p50']} | {r['p99']} | {r['rss'] / 1024:.1f} MiB "
                  f"| {cpu_cell} | {wrk_cell} | {switches} |")
        return
    wiremock = None
    if not args.no_wiremock and answer is not None:
        print("==> WireMock, static stub of the same check-status answer", file=sys.stderr)
        wiremock = wiremock_side_by_side(answer, bearer_seen, d, c, t)
        if wiremock:
            rows.append(("WireMock 3 static stub of that check-status answer (-Xmx512m, no journal)", wiremock,
                         f"-t{t} -c{c}"))

    print("==> openssl speed rsa4096", file=sys.stderr)
    ossl_1, ossl_all = openssl_rsa4096()
    print("==> bytes per stored transaction", file=sys.stderr)
    before, after = bytes_per_transaction(args.per_tx)
    per_tx = (after - before) * 1024 / max(args.per_tx, 1)
    print("==> SIGTERM drain", file=sys.stderr)
    drain = drain_time()

    flow = results["flow"]
    crypto_rps = results["cryptopay"]["rps"]
    flow_ratio = flow["rps"] / 3 / hello_flowcfg["rps"]
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"],
                         capture_output=True, text=True).stdout.strip()
    lines = [
        f"Machine: {os.cpu_count()} cores ({cpu}), shared with other jobs while measuring; wrk, servers and "
        f"openssl all on the same cores; wrk -d{d}s; `{PROFILE}` profile builds; log level warn.",
        "",
        "| | sandbox | bare axum hello |",
        "|---|---:|---:|",
        f"| time to ready (spawn → first 200, median of 5) | **{sb_ready:.1f} ms** | {hello_ready:.1f} ms |",
        f"| idle RSS | **{sb_idle / 1024:.1f} MiB** | {hello_idle / 1024:.1f} MiB |",
        "",
        "| scenario | wrk | req/s | p50 | p99 | RSS after | non-2xx | server CPU/request | wrk CPU/request "
        "| context switches/request |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r, cfg in rows:
        rss = f"{r['rss'] / 1024:.1f} MiB" if r.get("rss") else "–"
        cpu_cell, wrk_cell, switches = cost(r)
        lines.append(f"| {name} | {cfg} | {r['rps']:,.0f} | {r['p50']} | {r['p99']} | {rss} | {r['non2xx']} "
                     f"| {cpu_cell} | {wrk_cell} | {switches} |")

    def share(key):
        return results[key]["rps"] / baseline[key]["rps"]

    def mark(ok):
        return "✓" if ok else "✗"

    targets = []
    for key, label in [("token", "token"), ("status", "check-status"), ("saved", "saved-card payment"),
                       ("charge_refund", "charge/refund (auth → charge → refund)"),
                       ("transfer", "transfer by saved card")]:
        r = results[key]
        targets.append((f"{label} ≥ 50 % of bare hello req/s",
                        f"{r['rps']:,.0f} req/s = **{share(key):.0%}** of {baseline[key]['rps']:,.0f}",
                        mark(share(key) >= 0.5)))
    if wiremock:
        speed = results["status"]["rps"] / wiremock["rps"]
        mem = wiremock["rss"] / max(results["status"]["rss"], 1)
        targets.append(("check-status ≥ 4× WireMock's static stub",
                        f"{results['status']['rps']:,.0f} vs {wiremock['rps']:,.0f} req/s = **{speed:.1f}×**",
                        mark(speed >= 4)))
        targets.append(("… at ≤ 1/20 of its RSS",
                        f"{results['status']['rss'] / 1024:.1f} vs {wiremock['rss'] / 1024:.0f} MiB = "
                        f"**1/{mem:.1f}**", mark(mem >= 20)))
    flat = results["status_full"]["rps"] / results["status"]["rps"]
    targets.append(("per-request cost flat in stored data",
                    f"check-status with {args.full:,} stored: {results['status_full']['rps']:,.0f} req/s = "
                    f"**{flat:.2f}×** empty", mark(flat >= 0.8)))
    targets.append(("≤ 1 KB RSS per stored transaction", f"**{per_tx:,.0f} bytes**", mark(per_tx <= 1024)))
    slow = [k for k in ("token", "status", "status_full", "saved", "charge_refund", "transfer")
            if not results[k]["p99"].endswith(("us", "ms")) or
            (results[k]["p99"].endswith("ms") and float(results[k]["p99"][:-2]) > 5)]
    p99s = ", ".join(f"{k} {results[k]['p99']}" for k in ("token", "status", "saved", "charge_refund", "transfer"))
    targets.append(("p99 ≤ 5 ms on every non-RSA endpoint", p99s, mark(not slow)))
    targets.append(("cryptopay vs openssl RSA-4096 on all cores",
                    f"{crypto_rps:,.1f} vs {ossl_all:,.1f}/s = **{crypto_rps / ossl_all:.0%}**", "–"))
    targets.append(("time to ready / idle RSS", f"{sb_ready:.1f} ms / {sb_idle / 1024:.1f} MiB", "–"))

    lines += [
        "",
        "| target | this run | met? |",
        "|---|---|---|",
        *[f"| {a} | {b} | {c_} |" for a, b, c_ in targets],
        "",
        "- server CPU per request, against the bare hello's at the same wrk settings (wrk shares the "
        "cores, so req/s ratios also depend on how the host schedules the two): "
        + ", ".join(f"{key} {results[key]['cpu_us']:.1f} µs = {results[key]['cpu_us'] / baseline[key]['cpu_us']:.1f}×"
                    for key in ("token", "status", "saved", "charge_refund", "transfer"))
        + f" (hello {hello['cpu_us']:.1f} µs at -t{t} -c{c}, {hello_flowcfg['cpu_us']:.1f} µs at -t{fc} -c{fc}).",
        f"- full flow: **{flow['rps'] / 3:,.1f} flows/s** = {flow_ratio:.2%} of bare hello req/s at the same "
        f"wrk settings ({hello_flowcfg['rps']:,.0f} req/s); each flow includes one RSA-4096 decrypt.",
        f"- cryptopay: **{crypto_rps:,.1f} req/s** vs `openssl speed -seconds 3 rsa4096` private-key ops/s: "
        f"{ossl_1:,.1f} (1 process), {ossl_all:,.1f} (`-multi {os.cpu_count()}`) → "
        f"**{crypto_rps / ossl_all:.0%}** of openssl on all cores ({crypto_rps / ossl_1:.0%} of one core).",
        f"- memory per stored transaction: RSS {before / 1024:.1f} → {after / 1024:.1f} MiB after "
        f"{args.per_tx:,} `POST /_sandbox/transactions` → **{per_tx:,.0f} bytes/transaction**.",
        f"- SIGTERM with one request in flight (body never completed): exit after **{drain:.0f} ms** "
        f"(1 s grace for in-flight requests).",
    ]
    readme_table = "\n".join([
        "| target | measured | met? |",
        "|---|---|---|",
        *[f"| {a} | {b} | {c_} |" for a, b, c_ in targets],
        f"| SIGTERM with a request in flight | exits after {drain:.0f} ms (1 s drain) | – |",
    ])
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_between(os.path.join(ROOT, "docs", "benchmarks.md"), "<!-- bench.py output -->",
                      "<!-- end bench.py output -->", report, "# Benchmarks\n\n")
        write_between(os.path.join(ROOT, "README.md"), "<!-- bench.py table -->",
                      "<!-- end bench.py table -->", f"Machine: {os.cpu_count()} cores ({cpu}).\n\n{readme_table}",
                      None)

if __name__ == "__main__":
    main()
