//! The command line (clap): serve | admin | backup | restore | check.

use std::io::BufRead;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, Overrides};
use crate::error::AppError;
use crate::{ops, server};

/// Placette: the local commons of a village in one binary.
#[derive(Parser)]
#[command(name = "placette", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every command takes.
#[derive(Args)]
struct Global {
    /// Data directory (database, mail outbox, derived indexes); created if missing.
    #[arg(
        long = "data",
        short = 'd',
        env = "PLACETTE_DATA",
        global = true,
        value_name = "DIR"
    )]
    data: Option<PathBuf>,
    /// Optional TOML configuration file (default: DIR/placette.toml when present).
    #[arg(
        long = "config",
        env = "PLACETTE_CONFIG",
        global = true,
        value_name = "FILE"
    )]
    config: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site. The first line printed is `listening on http://HOST:PORT`.
    Serve {
        /// Address to listen on; port 0 picks a free port [default: 127.0.0.1:8080]
        #[arg(long, env = "PLACETTE_LISTEN", value_name = "ADDR")]
        listen: Option<String>,
        /// Public URL used in links sent by email, e.g. https://placette.example.org
        #[arg(long, env = "PLACETTE_BASE_URL", value_name = "URL")]
        base_url: Option<String>,
        /// Load a small fictional sample village into a new, empty instance.
        #[arg(long)]
        demo: bool,
    },
    /// Manage accounts from the command line.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Write a consistent copy of the database to FILE, even while the server runs.
    Backup {
        /// Where to write the copy (must not exist).
        file: PathBuf,
    },
    /// Replace the database by the backup FILE. Refuses while a server uses the data directory;
    /// the previous database is kept aside as placette.db.before-restore-TIMESTAMP.
    Restore {
        /// A file written by `placette backup`.
        file: PathBuf,
    },
    /// Check the database's integrity, summarise the configuration and list pending migrations.
    Check,
}

#[derive(Subcommand)]
enum AdminAction {
    /// Create an admin account (confirmed). The password is read from the first line of stdin.
    Create {
        /// The account's email address (its login).
        #[arg(long)]
        email: String,
        /// The name shown on the site.
        #[arg(long)]
        name: String,
    },
    /// Set a new password for an account and sign out its sessions. Reads it from stdin.
    ResetPassword {
        /// The account's email address.
        #[arg(long)]
        email: String,
    },
}

/// Parses the command line and runs the command.
pub fn run() -> Result<(), AppError> {
    let cli = Cli::parse();
    let mut overrides = Overrides {
        data_dir: cli.global.data,
        config_file: cli.global.config,
        ..Overrides::default()
    };
    match cli.command {
        Command::Serve {
            listen,
            base_url,
            demo,
        } => {
            overrides.listen = listen;
            overrides.base_url = base_url;
            server::serve(Config::load(overrides)?, demo)
        }
        Command::Admin { action } => {
            let config = Config::load(overrides)?;
            match action {
                AdminAction::Create { email, name } => {
                    let password = read_password()?;
                    ops::create_admin(&config, &email, &name, &password)?;
                    println!("admin account {email} created");
                }
                AdminAction::ResetPassword { email } => {
                    let password = read_password()?;
                    ops::reset_password(&config, &email, &password)?;
                    println!("password of {email} changed; its sessions are signed out");
                }
            }
            Ok(())
        }
        Command::Backup { file } => {
            let config = Config::load(overrides)?;
            let bytes = ops::backup(&config, &file)?;
            println!("backup written to {} ({bytes} bytes)", file.display());
            Ok(())
        }
        Command::Restore { file } => {
            let config = Config::load(overrides)?;
            let aside = ops::restore(&config, &file)?;
            match aside {
                Some(p) => println!(
                    "restored {}; the previous database is kept as {}",
                    file.display(),
                    p.display()
                ),
                None => println!("restored {}", file.display()),
            }
            Ok(())
        }
        Command::Check => {
            let config = Config::load(overrides)?;
            let report = ops::check(&config)?;
            print!("{report}");
            if report.ok {
                Ok(())
            } else {
                Err(AppError::msg("the database failed its integrity check"))
            }
        }
    }
}

/// Reads a password from the first line of stdin (a prompt goes to stderr when it is a terminal).
fn read_password() -> Result<String, AppError> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        eprint!("password: ");
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if let Some(key) = crate::auth::password_problem(&password) {
        return Err(AppError::msg(crate::i18n::Lang::En.t(key)));
    }
    Ok(password)
}
