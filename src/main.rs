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

/// Makes mimalloc hand freed pages back to the OS at once and commit arena memory only when used,
/// instead of keeping both around for reuse: a growing store's old tables then leave the RSS as
/// soon as they are freed. Measured with bench.py's bytes per stored transaction: ~2,970 with
/// mimalloc's defaults, ~880 with these (glibc with a fixed mmap threshold: 911).
fn return_freed_memory_at_once() {
    // `mi_option_e` in mimalloc.h (the same in its v2 and v3); the Rust crate names neither.
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: `mi_option_set` stores an integer in mimalloc's option table; both options are read
    // when memory is next purged or an arena is next reserved.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
    }
}
