//! The `epay-sandbox` binary: parses the command line and hands over to the library.

use clap::Parser;

/// mimalloc rather than glibc's malloc: see the `mimalloc` entry in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let cli = epay_sandbox::cli::Cli::parse();
    std::process::exit(epay_sandbox::cli::run(cli).await);
}
