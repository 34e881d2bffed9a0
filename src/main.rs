//! Placette: the local commons of a village in one binary. See ARCHITECTURE.md.

fn main() {
    // Before any thread starts: at most two malloc arenas (see Cargo.toml's note on libc).
    #[cfg(target_env = "gnu")]
    // SAFETY: mallopt only sets a parameter of the allocator; it is called once, before any
    // other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        // A fixed threshold (glibc raises it up to 32 MB as large blocks are freed): response
        // bodies and feeds of more than 256 KB get their own mapping, given back when freed,
        // instead of fragmenting the arenas (peak RSS at 200 connections: see BENCHMARKS.md).
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
    if let Err(e) = placette::cli::run() {
        eprintln!("placette: {e}");
        std::process::exit(1);
    }
}
