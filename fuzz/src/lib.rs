//! What the fuzz targets share: a demo village database and search index, built once per
//! process in a scratch directory, and a way to run a write that is always rolled back, so that
//! every input meets the same database and a crash replays exactly.

use std::path::PathBuf;
use std::sync::OnceLock;

use placette::auth::User;
use placette::db::Db;
use placette::search::index::SearchIndex;
use placette::settings::Instance;
use rusqlite::Transaction;

/// The demo village, its search index and its admin, shared by every input of a process.
pub struct Village {
    pub db: Db,
    pub index: SearchIndex,
    pub instance: Instance,
    pub admin: User,
}

/// The scratch directories live under `$TMPDIR/placette-fuzz/<pid>`; those of processes that
/// are gone (a fuzzer ends with `exit`, which drops nothing) are removed by the next one.
fn scratch_dir() -> PathBuf {
    let root = std::env::temp_dir().join("placette-fuzz");
    if let Ok(entries) = std::fs::read_dir(&root) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let alive = name
                .parse::<u32>()
                .is_ok_and(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists());
            if !alive {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    let dir = root.join(std::process::id().to_string());
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the fuzz scratch directory");
    dir
}

/// The demo village (`serve --demo`), opened and indexed on first use.
pub fn village() -> &'static Village {
    static VILLAGE: OnceLock<Village> = OnceLock::new();
    VILLAGE.get_or_init(|| {
        placette::modules::install();
        let dir = scratch_dir();
        let db = Db::open(&dir.join("placette.db")).expect("open the database");
        placette::demo::load_if_new(&db).expect("load the demo village");
        let (index, _) = SearchIndex::open(&placette::search::index::index_dir(&dir))
            .expect("open the search index");
        placette::search::indexer::rebuild(&index, &db, |_, _| {}).expect("index the village");
        let conn = db.conn().expect("a connection");
        let instance = placette::settings::store::load_instance(&conn).expect("the instance");
        let (admin, _) = placette::auth::store::user_by_email(&conn, placette::demo::ADMIN_EMAIL)
            .expect("read the admin")
            .expect("the demo admin");
        drop(conn);
        Village {
            db,
            index,
            instance,
            admin,
        }
    })
}

/// Runs `f` in a transaction of the demo database that is rolled back afterwards.
pub fn rolled_back<T>(f: impl FnOnce(&Transaction) -> T) -> T {
    let mut conn = village().db.conn().expect("a connection");
    let tx = conn.transaction().expect("begin");
    let out = f(&tx);
    drop(tx);
    out
}

/// Whether `s` has no whitespace at either end (what trimming parsers promise).
pub fn trimmed(s: &str) -> bool {
    s.trim() == s
}
