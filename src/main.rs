//! The `epay-sandbox` binary: parses the command line and hands over to the library.

use clap::Parser;

/// mimalloc instead of glibc malloc: allocation was the largest single cost of a bank request
/// (docs/benchmarks.md, "Allocator").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    return_freed_memory_at_once();
    run();
}

#[tokio::main]
async fn run() {
    let cli = epay_sandbox::cli::Cli::parse();
    std::process::exit(epay_sandbox::cli::run(cli).await);
}

/// Makes mimalloc hand freed pages back to the OS at once instead of after a delay, so a growing
/// store's old tables leave the RSS as soon as they are freed. With the `no_thp` build (no
/// transparent huge pages, which made the RSS grow in 2 MiB steps) this keeps the bytes per stored
/// transaction of bench.py at glibc's (docs/benchmarks.md, "Allocator").
fn return_freed_memory_at_once() {
    // `mi_option_purge_delay` of `mi_option_e` in mimalloc.h (the same in its v2 and v3); the
    // Rust crate does not name it.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: `mi_option_set` stores an integer in mimalloc's option table, read when memory is
    // next purged.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
    }
}
