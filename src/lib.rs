//! Placette: the local commons of a village in one binary. See ARCHITECTURE.md.
//!
//! The binary (`src/main.rs`) is a thin shell over this library; the library form lets the
//! fuzz targets (`fuzz/`) call the parsers of outside input directly.

pub mod addresses;
pub mod agenda;
pub mod aid;
pub mod api;
pub mod app;
pub mod auth;
pub mod channels;
pub mod cli;
pub mod config;
pub mod dataset;
pub mod db;
pub mod demo;
pub mod directory;
pub mod error;
pub mod federation;
pub mod geo;
pub mod i18n;
pub mod ical;
pub mod lists;
pub mod mail;
pub mod map;
pub mod moderation;
pub mod modules;
pub mod neighbours;
pub mod net;
pub mod news;
pub mod ops;
pub mod outbox;
pub mod personal_data;
pub mod privacy;
pub mod replication;
pub mod rooms;
pub mod search;
pub mod server;
pub mod settings;
pub mod smtp;
pub mod state;
pub mod text;
pub mod time;
pub mod uploads;
pub mod votes;
pub mod web;
