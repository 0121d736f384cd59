//! The `epay-sandbox` binary: parses the command line and hands over to the library.

use clap::Parser;

#[tokio::main]
async fn main() {
    let cli = epay_sandbox::cli::Cli::parse();
    std::process::exit(epay_sandbox::cli::run(cli).await);
}
