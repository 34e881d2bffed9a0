//! The configuration: one struct, filled from flags, `PLACETTE_*` environment variables (both
//! handled by clap), an optional TOML file, then defaults. Every path derives from the data dir.

use std::path::PathBuf;

use serde::Deserialize;

use crate::error::AppError;

/// Where Placette keeps its data when nothing else is said.
pub const DEFAULT_DATA_DIR: &str = "./placette-data";
/// Where Placette listens when nothing else is said.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The resolved configuration of one run.
#[derive(Clone, Debug)]
pub struct Config {
    /// The data directory: database, mail folder, uploads, derived indexes.
    pub data_dir: PathBuf,
    /// Address to bind, `HOST:PORT` (port 0 picks a free port).
    pub listen: String,
    /// Public address used in links sent by email, e.g. `https://placette.example.org`.
    /// When unset, links use the address the request came to.
    pub base_url: Option<String>,
    /// Mark cookies `Secure`: on when `base_url` is https.
    pub secure_cookies: bool,
}

/// Values given on the command line or in the environment (`None` when absent).
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub data_dir: Option<PathBuf>,
    pub config_file: Option<PathBuf>,
    pub listen: Option<String>,
    pub base_url: Option<String>,
}

/// The optional TOML file (`--config`, or `placette.toml` in the data dir).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    base_url: Option<String>,
}

impl Config {
    /// Merges flags/env over the TOML file over the defaults.
    pub fn load(o: Overrides) -> Result<Config, AppError> {
        let data_dir = o
            .data_dir
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let file_path = o
            .config_file
            .clone()
            .unwrap_or_else(|| data_dir.join("placette.toml"));
        let file = if file_path.exists() {
            let text = std::fs::read_to_string(&file_path)?;
            toml::from_str::<FileConfig>(&text).map_err(|e| {
                AppError::msg(format!("configuration file {}: {e}", file_path.display()))
            })?
        } else if o.config_file.is_some() {
            return Err(AppError::msg(format!(
                "configuration file {} not found",
                file_path.display()
            )));
        } else {
            FileConfig::default()
        };
        let base_url = o
            .base_url
            .or(file.base_url)
            .map(|u| u.trim_end_matches('/').to_string())
            .filter(|u| !u.is_empty());
        let secure_cookies = base_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"));
        Ok(Config {
            data_dir,
            listen: o
                .listen
                .or(file.listen)
                .unwrap_or_else(|| DEFAULT_LISTEN.to_string()),
            base_url,
            secure_cookies,
        })
    }

    /// The SQLite database, the truth.
    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("placette.db")
    }

    /// Mails written as `.eml` files when no SMTP relay is configured.
    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail-outbox")
    }

    /// The lock file held by a running server, so that `restore` refuses to run beside it.
    pub fn lock_path(&self) -> PathBuf {
        self.data_dir.join("placette.lock")
    }

    /// Creates the data directory if needed.
    pub fn ensure_data_dir(&self) -> Result<(), AppError> {
        std::fs::create_dir_all(&self.data_dir).map_err(|e| {
            AppError::msg(format!(
                "cannot create data directory {}: {e}",
                self.data_dir.display()
            ))
        })
    }
}
