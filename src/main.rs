//! Placette: the local commons of a village in one binary. See ARCHITECTURE.md.

fn main() {
    if let Err(e) = placette::cli::run() {
        eprintln!("placette: {e}");
        std::process::exit(1);
    }
}
