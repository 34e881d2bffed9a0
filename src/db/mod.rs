//! The one SQLite file: connection pool, PRAGMAs, migrations, and the door through which
//! every database call leaves the async executor.

pub mod memo;
mod migrations;

pub use migrations::{migrate, pending_migrations, schema_version, MIGRATIONS};

use std::path::Path;
use std::time::Duration;

use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::AppError;

/// A pooled connection, as handed to the closures given to [`Db::read`] and [`Db::write`].
pub type Conn = r2d2::PooledConnection<SqliteConnectionManager>;

/// Shared handle on the database: cheap to clone, safe to use from any handler.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<SqliteConnectionManager>,
}

/// Sets the PRAGMAs every connection needs.
///
/// `synchronous = FULL` in WAL mode makes SQLite fsync the WAL at every commit, so a write that
/// was acknowledged to a client survives a power cut (NORMAL could lose the last commits).
///
/// Checkpoints belong to Litestream when it replicates the file (README, "Off-box copies"): it
/// checkpoints (PASSIVE) at 1,000 WAL pages and every minute after a sync, and SQLite's own
/// automatic checkpoint, raised to [`WAL_AUTOCHECKPOINT`] pages as Litestream advises, only
/// bounds the WAL (~40 MB) when no Litestream runs. Placette itself never checkpoints while it
/// serves (only `restore`, which refuses to run beside a server, does). `busy_timeout` lets a
/// write wait for Litestream's short locks instead of failing.
pub fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // Stores use prepare_cached: the hot statements are parsed once per connection.
    conn.set_prepared_statement_cache_capacity(128);
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;
         PRAGMA temp_store = MEMORY;",
    )?;
    // SQLite's own page cache, per connection (its default is 2 MB): the file's pages stay in
    // the kernel's page cache anyway, so a miss here costs a copy, not a read from the card.
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT)
}

/// KiB of page cache per pooled connection.
pub const CACHE_KIB: i64 = 1024;

/// Pooled connections: reads run side by side in WAL mode, and a Pi has four cores at most;
/// each connection holds its page cache and its prepared statements.
pub const POOL_SIZE: u32 = 4;

/// WAL pages after which SQLite checkpoints by itself: above Litestream's 1,000, so that
/// Litestream's checkpoints come first whenever it runs (its guidance for applications).
pub const WAL_AUTOCHECKPOINT: i64 = 10_000;

impl Db {
    /// Opens (creating if needed) the database file, migrates it, and builds the pool.
    /// Refuses a database written by a newer Placette.
    pub fn open(path: &Path) -> Result<Db, AppError> {
        let mut conn = Connection::open(path)?;
        configure(&conn)?;
        migrate(&mut conn)?;
        drop(conn);
        let manager = SqliteConnectionManager::file(path)
            .with_flags(OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .with_init(|c| configure(c));
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(1))
            // A connection opened for a burst is closed after a quiet minute, with its cache.
            .idle_timeout(Some(Duration::from_secs(60)))
            .connection_timeout(Duration::from_secs(10))
            .build(manager)?;
        Ok(Db { pool })
    }

    /// An in-memory database with the real schema, for store tests.
    #[cfg(test)]
    pub fn memory() -> Result<Db, AppError> {
        // A named shared-cache memory database so that every pooled connection sees the same data.
        let name = format!(
            "file:placette-mem-{}?mode=memory&cache=shared",
            rand::random::<u64>()
        );
        let manager = SqliteConnectionManager::file(&name)
            .with_flags(
                OpenFlags::SQLITE_OPEN_READ_WRITE
                    | OpenFlags::SQLITE_OPEN_CREATE
                    | OpenFlags::SQLITE_OPEN_URI,
            )
            .with_init(|c| c.execute_batch("PRAGMA foreign_keys = ON;"));
        let pool = r2d2::Pool::builder().max_size(2).build(manager)?;
        let mut conn = pool.get()?;
        migrate(&mut conn)?;
        drop(conn);
        Ok(Db { pool })
    }

    /// Runs a read on a pooled connection, on the blocking thread pool.
    pub async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&Connection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let conn = pool.get()?;
            f(&conn)
        })
        .await?
    }

    /// Runs `f` inside one `BEGIN IMMEDIATE` transaction on the blocking thread pool; commits
    /// when `f` returns `Ok`, rolls back otherwise. Every write of the application goes through here.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&Transaction) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            write_now(&mut conn, f)
        })
        .await?
    }

    /// Synchronous access for the command line and tests (never call from a request handler).
    pub fn conn(&self) -> Result<Conn, AppError> {
        Ok(self.pool.get()?)
    }
}

/// Runs `f` in an immediate transaction on `conn` right away (command line, tests, `Db::write`).
pub fn write_now<T, F>(conn: &mut Connection, f: F) -> Result<T, AppError>
where
    F: FnOnce(&Transaction) -> Result<T, AppError>,
{
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let value = f(&tx)?;
    tx.commit()?;
    memo::bump();
    Ok(value)
}

/// Seconds since the Unix epoch, the one time format stored in the database.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
