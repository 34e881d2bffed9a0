//! Integration tests: the real binary, real HTTP, a real SMTP server, real Chromium.

mod accounts;
mod addresses;
mod agenda;
mod agenda_import;
mod api;
mod browser;
mod cli;
mod crash;
mod directory;
mod hostile;
mod map;
mod news;
mod opendata;
mod pi;
mod search;
mod security;
mod setup;
mod support;
