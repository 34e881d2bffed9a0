//! Placette: the local commons of a village in one binary. See ARCHITECTURE.md.

mod addresses;
mod api;
mod app;
mod auth;
mod cli;
mod config;
mod db;
mod demo;
mod directory;
mod error;
mod geo;
mod i18n;
mod mail;
mod map;
mod ops;
mod privacy;
mod search;
mod server;
mod settings;
mod web;

fn main() {
    if let Err(e) = cli::run() {
        eprintln!("placette: {e}");
        std::process::exit(1);
    }
}
