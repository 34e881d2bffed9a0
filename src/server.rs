//! `placette serve`: open the data dir, bind, print the address (and the setup code), serve
//! until SIGTERM/SIGINT, then stop gracefully.

use std::io::Write;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, HttpServer};
use rand::Rng;

use crate::app::{self, AppState};
use crate::config::Config;
use crate::db::{self, Db};
use crate::error::AppError;
use crate::search::index::{index_dir, SearchIndex};
use crate::{auth, demo, ops, search, settings};

/// Runs the server until it is told to stop.
pub fn serve(config: Config, with_demo: bool) -> Result<(), AppError> {
    init_logging();
    let _lock = ops::lock_data_dir(&config)?;
    let db = Db::open(&config.db_path())?;
    if with_demo {
        demo::load_if_new(&db)?;
    }
    let instance = settings::store::load_instance(&*db.conn()?)?;
    let setup_code = (!instance.setup_done).then(new_setup_code);

    let listener = TcpListener::bind(&config.listen)
        .map_err(|e| AppError::msg(format!("cannot listen on {}: {e}", config.listen)))?;
    let addr = listener.local_addr()?;
    // Scripts and tests read this first line: keep its format.
    println!("listening on http://{addr}");
    crate::web::set_listen_origin(format!("http://{addr}"));
    if let Some(code) = &setup_code {
        println!("setup code: {code} (open http://{addr}/setup to set up this Placette)");
    }
    if with_demo {
        println!(
            "demo: sign in as {} with password {}",
            demo::ADMIN_EMAIL,
            demo::PASSWORD
        );
    }
    std::io::stdout().flush()?;
    log::info!("data directory {}", config.data_dir.display());

    let (index, fresh) = SearchIndex::open(&index_dir(&config.data_dir))?;
    let index = Arc::new(index);
    search::indexer::spawn(index.clone(), db.clone(), fresh);
    let state = web::Data::new(AppState::new(config, db, index, setup_code)?);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    actix_web::rt::System::new().block_on(async move {
        actix_web::rt::spawn(housekeeping(state.clone()));
        HttpServer::new(move || app::build(state.clone()))
            // Compressed responses go out in several writes; without TCP_NODELAY, Nagle's
            // algorithm and the client's delayed ACK hold each response for 40 ms.
            .on_connect(|conn, _| {
                if let Some(tcp) = conn.downcast_ref::<actix_web::rt::net::TcpStream>() {
                    let _ = tcp.set_nodelay(true);
                }
            })
            .workers(workers)
            // Database and search work runs on the blocking pool (one per worker); more
            // threads than pooled connections would only wait for one, each with its own stack.
            .worker_max_blocking_threads(db::POOL_SIZE as usize)
            .shutdown_timeout(10)
            .listen(listener)?
            .run()
            .await
    })?;
    log::info!("stopped");
    Ok(())
}

fn init_logging() {
    let env = env_logger::Env::default().filter_or("PLACETTE_LOG", "info,actix_server=warn");
    let _ = env_logger::Builder::from_env(env).try_init();
}

/// A code such as `K7PM-3QXD`, from an alphabet without look-alikes (0/O, 1/I/L).
fn new_setup_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let chars: String = (0..8)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// Hourly: forget expired sessions and spent tokens.
async fn housekeeping(state: web::Data<AppState>) {
    // Each module's own background work (calendar imports, mails, reminders, expiry, the
    // sending queue), as the modules' list names it.
    for task in crate::modules::TASKS {
        actix_web::rt::spawn(task(state.clone()));
    }
    let mut tick = actix_web::rt::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let purged = state
            .db
            .write(|tx| Ok(auth::store::purge_expired(tx, db::now())?))
            .await;
        match purged {
            Ok(n) if n > 0 => log::info!("housekeeping: {n} expired sessions and tokens removed"),
            Ok(_) => {}
            Err(e) => log::error!("housekeeping: {e}"),
        }
    }
}
