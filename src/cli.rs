//! The command line (clap): serve | admin | backup | restore | check | import | export.

use std::io::BufRead;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::{Config, Overrides};
use crate::db::{write_now, Db};
use crate::directory::{export, rna, rna_text, store as directory_store};
use crate::error::AppError;
use crate::{addresses, ops, server};

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
    /// Write a consistent copy of the database to FILE, even while the server runs
    /// (photos are copied to the folder FILE.uploads beside it).
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
    /// Rebuild the search index from the database (stop the server first).
    Reindex,
    /// Fill a NEW data directory with a generated village or département (for benchmarks and
    /// trying Placette at scale). The same size and seed always give the same data.
    Demo {
        /// village: 300 actors and their neighbourhood; departement: 10,000 actors over 70 km.
        #[arg(long, value_enum, default_value = "village")]
        size: crate::dataset::Size,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Bring open data in: associations (RNA) into the directory, addresses (BAN).
    Import {
        #[command(subcommand)]
        source: ImportSource,
    },
    /// Write open data out of the site.
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
}

#[derive(Subcommand)]
enum ImportSource {
    /// Import the associations of one commune from the national associations register (RNA).
    ///
    /// FILE is a département's "waldec" file as published on data.gouv.fr
    /// (rna_waldec_YYYYMMDD_dptNN.csv). The active associations whose seat is in the commune are
    /// added to the directory, in one transaction. Run it again with a newer file: known
    /// associations are updated (name, purpose, address, website), never duplicated, and
    /// dissolved ones are listed, not deleted.
    Rna {
        /// The département's waldec CSV file (UTF-8 or Latin-1, `;`-separated).
        file: PathBuf,
        /// The commune's INSEE code (not its postcode), e.g. 49007.
        #[arg(long, value_name = "INSEE")]
        commune: String,
    },
    /// Import the national address base (BAN), so that address fields suggest addresses and
    /// find their coordinates without any online geocoder.
    ///
    /// FILE is a département's file as published on adresse.data.gouv.fr (adresses-NN.csv or
    /// adresses-NN.csv.gz, gzipped or not). Run it again with a newer file: addresses are
    /// replaced by their BAN id, never duplicated.
    Ban {
        /// The département's BAN CSV file (UTF-8, `;`-separated), plain or gzipped.
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum ExportWhat {
    /// The public directory, as the site publishes it at /directory.csv, /directory.geojson
    /// and /api/v1/actors.
    Directory {
        /// Document format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// Where to write it [default: standard output].
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Csv,
    Geojson,
    Json,
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
    crate::modules::install();
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
        Command::Demo { size, seed } => {
            let config = Config::load(overrides)?;
            let started = std::time::Instant::now();
            let summary = crate::dataset::generate(&config, size, seed)?;
            println!(
                "{} dataset (seed {seed}) written to {} in {:.1} s: {} actors, {} accounts",
                summary.size,
                config.data_dir.display(),
                started.elapsed().as_secs_f64(),
                summary.actors,
                summary.accounts
            );
            if !summary.not_generated.is_empty() {
                println!(
                    "not generated yet (modules to come): {}",
                    summary.not_generated.join(", ")
                );
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
        Command::Reindex => {
            let config = Config::load(overrides)?;
            let (docs, took) = ops::reindex(&config)?;
            println!(
                "search index rebuilt: {docs} documents in {:.1} s",
                took.as_secs_f64()
            );
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
        Command::Import {
            source: ImportSource::Rna { file, commune },
        } => import_rna(&Config::load(overrides)?, &file, &commune),
        Command::Import {
            source: ImportSource::Ban { file },
        } => import_ban(&Config::load(overrides)?, &file),
        Command::Export {
            what: ExportWhat::Directory { format, output },
        } => export_directory(&Config::load(overrides)?, format, output.as_deref()),
    }
}

/// `placette import rna`: one transaction; progress on stderr when it is a terminal, the summary on stdout.
fn import_rna(config: &Config, file: &std::path::Path, commune: &str) -> Result<(), AppError> {
    use std::io::IsTerminal;
    let commune = commune.trim().to_uppercase();
    if !rna_text::valid_insee(&commune) {
        return Err(AppError::msg(format!(
            "{commune:?} is not an INSEE commune code (five characters, e.g. 49007)"
        )));
    }
    let input = std::fs::File::open(file)
        .map_err(|e| AppError::msg(format!("cannot read {}: {e}", file.display())))?;
    let tty = std::io::stderr().is_terminal();
    let mut progress = |n: u64| {
        if tty {
            eprint!("\rread {n} rows…");
        }
    };
    let result = rna::read(std::io::BufReader::new(input), &commune, &mut progress)?;
    if tty {
        eprintln!();
    }
    let parsed = match result {
        Ok(p) => p,
        Err(rna::Refusal::InvalidCommune) => return Err(AppError::msg("invalid INSEE code")),
        Err(rna::Refusal::MissingColumns(cols)) => {
            return Err(AppError::msg(format!(
                "{} is not an RNA waldec file: no column {}",
                file.display(),
                cols.join(", ")
            )))
        }
    };
    config.ensure_data_dir()?;
    let db = Db::open(&config.db_path())?;
    let mut conn = db.conn()?;
    let s = write_now(&mut conn, |tx| rna::apply(tx, &parsed, crate::db::now()))?;
    let encoding = match parsed.encoding {
        rna_text::Encoding::Utf8 => "UTF-8",
        rna_text::Encoding::Latin1 => "Latin-1",
    };
    println!(
        "RNA import of {} ({encoding}) for commune {commune}",
        file.display()
    );
    for (label, n) in [
        ("rows read:", s.read),
        ("in the commune:", s.matched_commune),
        ("inserted:", s.inserted),
        ("updated:", s.updated),
        ("unchanged:", s.unchanged),
        ("dissolved:", s.dissolved),
        ("skipped invalid:", s.skipped_invalid),
    ] {
        println!("  {label:<17} {n}");
    }
    for (slug, name) in &s.dissolved_actors {
        println!("  dissolved in the register, kept in the directory: {name} (/a/{slug})");
    }
    Ok(())
}

/// `placette import ban`: one transaction per 10,000 rows; progress on stderr when it is a
/// terminal, the summary on stdout.
fn import_ban(config: &Config, file: &std::path::Path) -> Result<(), AppError> {
    use std::io::IsTerminal;
    let input = addresses::open(file)?;
    config.ensure_data_dir()?;
    let db = Db::open(&config.db_path())?;
    let mut conn = db.conn()?;
    let tty = std::io::stderr().is_terminal();
    let mut progress = |n: u64| {
        if tty {
            eprint!("\rread {n} rows…");
        }
    };
    let result = addresses::import(&mut conn, input, &mut progress);
    if tty {
        eprintln!();
    }
    let s = result.map_err(|e| AppError::msg(format!("{}: {e}", file.display())))?;
    let (n, communes) = (s.imported, s.communes);
    println!("{n} addresses imported ({communes} communes)");
    let total = addresses::store::count(&conn)?;
    println!("{total} addresses in the base");
    if s.skipped > 0 {
        println!(
            "{} rows skipped (no id, street, commune or coordinates)",
            s.skipped
        );
    }
    Ok(())
}

/// `placette export directory`: the public directory as CSV, GeoJSON or JSON.
fn export_directory(
    config: &Config,
    format: ExportFormat,
    output: Option<&std::path::Path>,
) -> Result<(), AppError> {
    use std::io::Write;
    if !config.db_path().exists() {
        return Err(AppError::msg(format!(
            "no database at {}",
            config.db_path().display()
        )));
    }
    let db = Db::open(&config.db_path())?;
    let actors = directory_store::public_actors(&*db.conn()?)?;
    // Links in the documents are absolute: the configured public URL, else the listen address.
    let base = config
        .base_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", config.listen));
    let text = match format {
        ExportFormat::Csv => export::csv(&actors, &base)?,
        ExportFormat::Geojson => export::geojson(&actors, &base).to_string(),
        ExportFormat::Json => serde_json::to_string_pretty(&export::json(&actors, &base))?,
    };
    match output {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| AppError::msg(format!("cannot write {}: {e}", path.display())))?,
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(())
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
