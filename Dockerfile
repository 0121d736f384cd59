# ePay Sandbox: compile with the Rust toolchain, run on a small Debian base.
#
#   docker build -t epay-sandbox .
#   docker run -p 8080:8080 epay-sandbox
#   docker run -p 18080:8080 -e EPAY_SANDBOX_PUBLIC_URL=http://localhost:18080 epay-sandbox
#
# EPAY_SANDBOX_PUBLIC_URL is the base URL that browsers and clients reach the sandbox at: the
# 3-D Secure `secure3D.action`, the ACS and payment-page links are built from it. It defaults to
# http://localhost:8080, right for `-p 8080:8080`; set it when publishing another port or host
# (e.g. http://epay-sandbox:8080 when only other containers talk to it). Every other flag has an
# EPAY_SANDBOX_* variable too (see `epay-sandbox --help`).
#
# Runtime base: debian:bookworm-slim rather than gcr.io/distroless/cc-debian12. Distroless would
# be about 50 MB smaller and has no shell, but the project's fresh-machine check can only stand in
# for debian:* and rust:*-SUITE images (base images cannot be pulled where it runs), so this is the
# runtime that is actually verified. The binary needs only glibc and libgcc_s, so replacing the
# second FROM with gcr.io/distroless/cc-debian12 works unchanged (USER is numeric, the
# HEALTHCHECK is the binary itself, not curl).

FROM rust:1-slim-bookworm AS build
WORKDIR /src
# Dependencies first, against a dummy crate: this layer is rebuilt only when Cargo.toml or
# Cargo.lock change, not on every source change. The manifest names its test and bench targets
# by path, so empty stand-ins for them must exist for it to parse (they are never built here).
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src tests/api benches \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs tests/embedding.rs tests/api/main.rs tests/cli.rs tests/readme.rs \
             benches/flat_cost.rs benches/hostile_rss.rs \
    && cargo build --profile dist --locked --bin epay-sandbox \
    && rm -rf src target/dist/.fingerprint/epay-sandbox-* target/dist/deps/epay_sandbox-* \
              target/dist/deps/libepay_sandbox-* target/dist/epay-sandbox*
COPY src ./src
COPY fixtures ./fixtures
COPY templates ./templates
COPY docs ./docs
COPY static ./static
COPY README.md ./
# The `dist` profile (Cargo.toml): fat LTO, for a smaller and slightly faster binary than
# `cargo run --release` builds.
RUN cargo build --profile dist --locked --bin epay-sandbox

FROM debian:bookworm-slim
COPY --from=build /src/target/dist/epay-sandbox /usr/local/bin/epay-sandbox
# A numeric non-root user: needs no /etc/passwd entry (nor useradd) in the runtime image.
USER 10001:10001
# Inside a container the sandbox must listen on every interface to be reachable.
ENV EPAY_SANDBOX_ADDR=0.0.0.0:8080 \
    EPAY_SANDBOX_PUBLIC_URL=http://localhost:8080
EXPOSE 8080
# `healthcheck` GETs /_sandbox/health on EPAY_SANDBOX_ADDR's port through loopback.
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/epay-sandbox", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/epay-sandbox"]
