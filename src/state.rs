//! The state every handler reaches, shared by all workers. It sits low: it imports nothing
//! above config, db, mail, search and settings, so that a module's handlers can use it without
//! reaching the route table (which imports every module).

use std::sync::{Arc, Mutex, RwLock};

use crate::auth::ratelimit::Limits;
use crate::config::Config;
use crate::db::Db;
use crate::error::AppError;
use crate::mail::Mailer;
use crate::search::index::SearchIndex;
use crate::settings::{self, Instance};

/// What every handler can reach, shared by all workers.
pub struct AppState {
    pub config: Config,
    pub db: Db,
    pub mailer: Mailer,
    pub limits: Limits,
    /// The one-time code that protects the first-run setup; `None` once setup is done.
    pub setup_code: Mutex<Option<String>>,
    /// The search index (derived from SQLite, kept in step by the indexer thread).
    pub search: Arc<SearchIndex>,
    instance: RwLock<Arc<Instance>>,
}

impl AppState {
    /// Builds the state from an opened database.
    pub fn new(
        config: Config,
        db: Db,
        search: Arc<SearchIndex>,
        setup_code: Option<String>,
    ) -> Result<AppState, AppError> {
        let instance = db.conn().map(|c| settings::store::load_instance(&c))??;
        Ok(AppState {
            mailer: Mailer::new(config.mail_dir()),
            config,
            db,
            limits: Limits::default(),
            setup_code: Mutex::new(setup_code),
            search,
            instance: RwLock::new(Arc::new(instance)),
        })
    }

    /// The current settings (cached; cheap).
    pub fn instance(&self) -> Arc<Instance> {
        self.instance
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Reloads the cached settings after a change.
    pub async fn reload_instance(&self) -> Result<Arc<Instance>, AppError> {
        let fresh = Arc::new(
            self.db
                .read(|c| Ok(settings::store::load_instance(c)?))
                .await?,
        );
        *self.instance.write().unwrap_or_else(|e| e.into_inner()) = fresh.clone();
        Ok(fresh)
    }
}
