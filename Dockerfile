# ePay Sandbox — multi-stage build: compile with the Rust toolchain, run on a small Debian base.
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY fixtures ./fixtures
COPY templates ./templates
COPY docs ./docs
COPY static ./static
RUN cargo build --release --locked --bin epay-sandbox

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --no-create-home epay
COPY --from=build /src/target/release/epay-sandbox /usr/local/bin/epay-sandbox
USER 10001
# Inside a container the sandbox must listen on every interface to be reachable.
ENV EPAY_SANDBOX_ADDR=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/epay-sandbox"]
