//! The `epay-sandbox` binary: parses the command line and hands over to the library.

use clap::Parser;

fn main() {
    fix_mmap_threshold();
    run();
}

#[tokio::main]
async fn run() {
    let cli = epay_sandbox::cli::Cli::parse();
    std::process::exit(epay_sandbox::cli::run(cli).await);
}

/// Keeps glibc's mmap threshold at its default 128 KiB instead of letting it rise each time a
/// large block is freed: the stores' tables then come from (and go back to) mmap when they grow,
/// instead of leaving their old copies resident in the heap. Measured with bench.py's bytes per
/// stored transaction: 1,468 with the dynamic threshold, 911 with this (docs/benchmarks.md).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn fix_mmap_threshold() {
    // SAFETY: `mallopt` only sets an allocator parameter; it is called before the runtime starts any
    // thread and takes plain integers.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// Other allocators choose for themselves.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn fix_mmap_threshold() {}
