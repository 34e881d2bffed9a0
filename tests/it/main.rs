//! Integration tests: the real binary, real HTTP, a real SMTP server, real Chromium.

mod accounts;
mod addresses;
mod agenda;
mod agenda_import;
mod aid;
mod api;
mod browser;
mod cli;
mod crash;
mod directory;
mod feeds;
mod hostile;
mod lists;
mod map;
mod news;
mod official;
mod openapi;
mod opendata;
mod pi;
mod personal_data;
mod privacy;
mod rooms;
mod search;
mod security;
mod setup;
mod support;
