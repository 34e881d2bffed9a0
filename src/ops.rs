//! The volunteer's commands: admin accounts, backup, restore, check.

use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::auth::{self, store as users, Role};
use crate::config::Config;
use crate::db::{self, write_now, Db, MIGRATIONS};
use crate::error::AppError;
use crate::settings;

/// Takes the data directory's lock, held by a server for as long as it runs, so that `restore`
/// and a second server refuse to work beside it. `Err` says who holds it.
pub fn lock_data_dir(config: &Config) -> Result<File, AppError> {
    config.ensure_data_dir()?;
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(config.lock_path())?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(_) => Err(AppError::msg(format!(
            "another Placette is running on {} (its lock file {} is held)",
            config.data_dir.display(),
            config.lock_path().display()
        ))),
    }
}

/// Rebuilds the search index with a progress line on stderr. Needs the data directory to
/// itself: the running server owns the index while it runs.
pub fn reindex(config: &Config) -> Result<(usize, std::time::Duration), AppError> {
    use std::io::{IsTerminal, Write};
    let _lock = lock_data_dir(config)?;
    let db = open_existing(config)?;
    let dir = crate::search::index::index_dir(&config.data_dir);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    let (index, _) = crate::search::index::SearchIndex::open(&dir)?;
    let started = std::time::Instant::now();
    let tty = std::io::stderr().is_terminal();
    let docs = crate::search::indexer::rebuild(&index, &db, |done, total| {
        if tty && (done % 1000 == 0 || done == total) {
            let width = 30;
            let filled = if total == 0 {
                width
            } else {
                done * width / total
            };
            eprint!(
                "\r[{}{}] {done}/{total}",
                "#".repeat(filled),
                " ".repeat(width - filled)
            );
            let _ = std::io::stderr().flush();
        }
    })?;
    if tty {
        eprintln!();
    }
    Ok((docs, started.elapsed()))
}

/// Creates a confirmed admin account.
pub fn create_admin(
    config: &Config,
    email: &str,
    name: &str,
    password: &str,
) -> Result<i64, AppError> {
    if !auth::plausible_email(email) {
        return Err(AppError::msg(format!("{email:?} is not an email address")));
    }
    if name.trim().is_empty() {
        return Err(AppError::msg("the name is empty"));
    }
    config.ensure_data_dir()?;
    let db = Db::open(&config.db_path())?;
    let hash = auth::hash_password(password)?;
    let mut conn = db.conn()?;
    write_now(&mut conn, |tx| {
        let new = users::NewUser {
            email,
            name: name.trim(),
            password_hash: &hash,
            role: Role::Admin,
            lang: None,
            confirmed: true,
        };
        users::create_user(tx, &new, db::now())?.ok_or_else(|| {
            AppError::msg(format!(
                "an account with {email} exists; use `placette admin reset-password`"
            ))
        })
    })
}

/// Sets a new password, confirms the address and signs out every session of the account.
pub fn reset_password(config: &Config, email: &str, password: &str) -> Result<(), AppError> {
    let db = open_existing(config)?;
    let hash = auth::hash_password(password)?;
    let mut conn = db.conn()?;
    write_now(&mut conn, |tx| {
        let (user, _) = users::user_by_email(tx, email)?
            .ok_or_else(|| AppError::msg(format!("no account with {email}")))?;
        users::set_password(tx, user.id, &hash, db::now())?;
        users::confirm_email(tx, user.id, db::now())?;
        users::delete_user_sessions(tx, user.id)?;
        users::delete_user_api_tokens(tx, user.id)?;
        Ok(())
    })
}

fn open_existing(config: &Config) -> Result<Db, AppError> {
    if !config.db_path().exists() {
        return Err(AppError::msg(format!(
            "no database at {}",
            config.db_path().display()
        )));
    }
    Db::open(&config.db_path())
}

/// Writes a consistent snapshot of the database with `VACUUM INTO` (safe while the server
/// writes: it reads one transaction's view). Returns the size written.
pub fn backup(config: &Config, target: &Path) -> Result<u64, AppError> {
    if target.exists() {
        return Err(AppError::msg(format!(
            "{} exists; choose a new file name",
            target.display()
        )));
    }
    if !config.db_path().exists() {
        return Err(AppError::msg(format!(
            "no database at {}",
            config.db_path().display()
        )));
    }
    let conn = Connection::open_with_flags(config.db_path(), OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    db::configure(&conn)?;
    let target_str = target
        .to_str()
        .ok_or_else(|| AppError::msg("the backup path is not valid UTF-8"))?;
    conn.execute("VACUUM INTO ?1", [target_str])?;
    File::open(target)?.sync_all()?;
    // Photos live beside the database, not in it: copy them beside the backup.
    let uploads = config.data_dir.join("uploads");
    if uploads.is_dir() {
        copy_dir(&uploads, &uploads_beside(target))?;
    }
    Ok(std::fs::metadata(target)?.len())
}

/// Where the photos of a backup FILE are kept: the folder FILE.uploads beside it.
pub fn uploads_beside(file: &Path) -> PathBuf {
    PathBuf::from(format!("{}.uploads", file.display()))
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), AppError> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

/// Checks that a file is a Placette database this binary can use.
fn check_backup_file(file: &Path) -> Result<(), AppError> {
    let conn = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| AppError::msg(format!("{}: {e}", file.display())))?;
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| AppError::msg(format!("{} is not a SQLite database: {e}", file.display())))?;
    if integrity != "ok" {
        return Err(AppError::msg(format!(
            "{} fails its integrity check: {integrity}",
            file.display()
        )));
    }
    let version = db::schema_version(&conn)?;
    if version == 0 || version > MIGRATIONS.len() {
        return Err(AppError::msg(format!(
            "{} is not a Placette database this version can use (schema {version})",
            file.display()
        )));
    }
    Ok(())
}

/// Replaces the database by a backup. Refuses while a server holds the data directory; keeps
/// the previous database aside (checkpointed first, so nothing in its WAL is left behind).
pub fn restore(config: &Config, file: &Path) -> Result<Option<PathBuf>, AppError> {
    check_backup_file(file)?;
    let _lock = lock_data_dir(config)?;
    let live = config.db_path();
    let mut aside = None;
    if live.exists() {
        {
            let conn = Connection::open(&live)?;
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        let kept = config
            .data_dir
            .join(format!("placette.db.before-restore-{}", db::now()));
        std::fs::rename(&live, &kept)?;
        for ext in ["-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{ext}", live.display()));
            if p.exists() {
                std::fs::remove_file(p)?;
            }
        }
        aside = Some(kept);
    }
    let photos = uploads_beside(file);
    if photos.is_dir() {
        let live_uploads = config.data_dir.join("uploads");
        if live_uploads.exists() {
            let kept = config
                .data_dir
                .join(format!("uploads.before-restore-{}", db::now()));
            std::fs::rename(&live_uploads, kept)?;
        }
        copy_dir(&photos, &live_uploads)?;
    }
    let tmp = config.data_dir.join("placette.db.restoring");
    std::fs::copy(file, &tmp)?;
    File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, &live)?;
    File::open(&config.data_dir)?.sync_all()?;
    Ok(aside)
}

/// What `placette check` found.
pub struct CheckReport {
    pub ok: bool,
    lines: Vec<String>,
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for l in &self.lines {
            writeln!(f, "{l}")?;
        }
        Ok(())
    }
}

/// The clock's line of `check`: federation's signatures carry the time, which peers refuse
/// more than five minutes off (a Pi has no hardware clock).
fn clock_line(synchronised: Option<bool>) -> &'static str {
    match synchronised {
        Some(true) => "clock:          synchronised (NTP)",
        Some(false) => {
            "clock:          NOT synchronised: fediverse servers refuse signatures more than 5 minutes off (timedatectl set-ntp true)"
        }
        None => "clock:          unknown (timedatectl gave no answer)",
    }
}

/// The replication's lines of `check`: whether Litestream replicates the database, and how
/// old the replica's latest copy is (asked of the replica itself).
fn replication_lines(db: &Path) -> Vec<String> {
    use crate::replication::{self, Replica};
    let config = replication::config_path();
    let first = match replication::replica(db) {
        Replica::NotConfigured(why) => format!(
            "replication:    NOT configured ({why}): a copy on the SD card is no copy; \
             see README, \"Off-box copies\""
        ),
        Replica::Unreadable(why) => {
            format!(
                "replication:    configured in {}, replica unreadable: {why}",
                config.display()
            )
        }
        Replica::Latest { txid, at } => format!(
            "replication:    latest replica {} old (transaction {txid}; {})",
            replication::age(at),
            config.display()
        ),
    };
    let mut lines = vec![first];
    if let Some(local) = replication::local(db) {
        lines.push(match local.latest {
            Some(t) => format!(
                "litestream:     took the last change from the WAL {} ago",
                replication::age(t)
            ),
            None => "litestream:     has taken nothing from the WAL yet".into(),
        });
    }
    lines
}

/// Integrity check, configuration summary, pending migrations. Does not migrate.
pub fn check(config: &Config) -> Result<CheckReport, AppError> {
    let mut lines = vec![
        format!("data directory: {}", config.data_dir.display()),
        format!("listen:         {}", config.listen),
        format!(
            "base URL:       {}",
            config.base_url.as_deref().unwrap_or("(from each request)")
        ),
        clock_line(crate::time::clock_synchronised()).to_string(),
    ];
    lines.extend(replication_lines(&config.db_path()));
    let path = config.db_path();
    if !path.exists() {
        lines.push(format!(
            "database:       none yet at {} (created by `placette serve`)",
            path.display()
        ));
        lines.push(format!(
            "migrations:     {} would be applied",
            MIGRATIONS.len()
        ));
        return Ok(CheckReport { ok: true, lines });
    }
    let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let size = std::fs::metadata(&path)?.len();
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    let ok = integrity == "ok";
    lines.push(format!("database:       {} ({size} bytes)", path.display()));
    lines.push(format!("integrity:      {integrity}"));
    let version = db::schema_version(&conn)?;
    lines.push(format!(
        "schema version: {version} (this binary knows {})",
        MIGRATIONS.len()
    ));
    match db::pending_migrations(&conn) {
        Ok(p) if p.is_empty() => lines.push("migrations:     none pending".into()),
        Ok(p) => lines.push(format!("migrations:     would apply {}", p.join(", "))),
        Err(e) => lines.push(format!("migrations:     {e}")),
    }
    if version >= 1 && version <= MIGRATIONS.len() {
        let inst = settings::store::load_instance(&conn)?;
        let accounts = users::user_count(&conn)?;
        lines.push(format!(
            "instance:       {} ({})",
            if inst.name.is_empty() {
                "(unnamed)"
            } else {
                &inst.name
            },
            if inst.setup_done {
                "set up"
            } else {
                "waiting for first-run setup"
            }
        ));
        lines.push(format!(
            "centre:         {:.5}, {:.5}, radius {} km; language {}; time zone {}",
            inst.center_lat,
            inst.center_lon,
            inst.radius_km,
            inst.default_lang.code(),
            inst.time_zone
        ));
        lines.push(format!("accounts:       {accounts}"));
        let on: Vec<&str> = inst
            .modules
            .iter()
            .filter(|(_, on)| *on)
            .map(|(m, _)| m.as_str())
            .collect();
        lines.push(format!("modules on:     {}", on.join(", ")));
        lines.push(if inst.smtp.host.is_empty() {
            format!(
                "mail:           no relay; written to {}",
                config.mail_dir().display()
            )
        } else {
            format!(
                "mail:           relay {}:{} ({})",
                inst.smtp.host,
                inst.smtp.port,
                inst.smtp.security.as_str()
            )
        });
    }
    Ok(CheckReport { ok, lines })
}
