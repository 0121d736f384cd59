#!/usr/bin/env bash
# The test command: installs what the tests need when it is missing, then runs the whole suite
# (Rust unit, property and integration tests, then the real-browser tests in headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "==> installing ${need_apt[*]} (Debian packages)"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -d tests/browser/node_modules/playwright-core ]; then
  echo "==> installing playwright-core (npm) for the browser tests"
  (cd tests/browser && npm install --no-audit --no-fund --silent)
fi

echo "==> OpenAPI document (docs/openapi.json) is valid"
if ! python3 -c "import openapi_spec_validator" >/dev/null 2>&1; then
  echo "==> installing openapi-spec-validator (pip)"
  python3 -m pip install --quiet --disable-pip-version-check openapi-spec-validator
fi
python3 -m openapi_spec_validator docs/openapi.json

echo "==> cargo test"
cargo test --locked

cargo build --locked --quiet
echo "==> HTTP fuzz: generated requests for every OpenAPI operation (0 5xx, 0 panics)"
python3 scripts/fuzz_http.py --bin "$PWD/target/debug/epay-sandbox" --per-operation 60 --seed 1

echo "==> browser tests (headless Chromium)"
EPAY_SANDBOX_BIN="$PWD/target/debug/epay-sandbox" node --test tests/browser/
