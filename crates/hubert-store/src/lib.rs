//! The only crate that speaks SQL. One code path serves SQLite (embedded default) and
//! PostgreSQL (scale-out): every method body is written once and expanded for both
//! sqlx drivers by the [`on_pool!`] macro, so the two can never drift apart. The few
//! real differences between the dialects live in [`dialect`].
//!
//! Conventions (both schemas, lock-step migrations under `migrations/`): ids are UUIDv7
//! text, timestamps BIGINT epoch milliseconds, JSON as TEXT, flags BIGINT 0/1, and every
//! business table carries `workspace_id`, which every query filters on.
//!
//! SQLite has one writer: writes go through a single-connection pool (so no transaction
//! ever fails with "database is locked"), reads through a wider pool. Durability:
//! SQLite WAL with `synchronous=FULL`; PostgreSQL `synchronous_commit=on`.
//!
//! Secrets at rest (decision 0003): platform credentials are sealed on write and opened
//! on read ([`credentials`], [`crypto`]) under the key of [`keyring`]; SQLite files are
//! created 0600 and every SQLite connection runs with `secure_delete` on.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, PgPool, SqlitePool};

pub mod audit;
mod auth;
mod bulk;
mod calendars;
mod changes;
mod conversations;
pub mod credentials;
pub mod crypto;
mod echoes;
pub mod events;
mod ingest;
mod jobs;
mod keyring;
mod media;
mod meta_endpoints;
mod profiles;
mod reconnect;
mod reports;
pub mod rows;
mod two_factor;
mod wallboards;
mod words;

pub use audit::{AuditFilter, NewAudit};
pub use auth::{NewSession, NewToken, NewUser};
pub use calendars::{AnsweredMessage, CalendarVersionRow, NormVersionRow, VersionEffects};
pub use changes::{ChangeKind, NewChange, NewWatermark, REDACTED_REMOVED, REDACTED_UNSENT};
pub use conversations::{ConversationFilter, NewReply, ReplyOutcome};
pub use credentials::{secret_key_from_env, KeyRotation, SecretError};
pub use crypto::{KeyId, SecretKey};
pub use echoes::NewEcho;
pub use events::{Event, EventBus};
pub use ingest::{IngestBatch, IngestOutcome, NewInbound, NewStatus};
pub use jobs::{ClaimedJob, JobResult};
pub use media::{MediaRow, NewMedia, PlatformMedia};
pub use meta_endpoints::meta_key_hash;
pub use profiles::ProfileChange;
pub use rows::*;
pub use two_factor::{ChallengeRow, NewChallenge, TwoFactorRow};
pub use wallboards::{FeedRow, QueueRow, WallboardRow};
pub use words::AllowedWord;

/// Errors of the store. `Conflict` and `NotFound` are meant for people; `Database`
/// carries the driver's error for the log.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Secret(#[from] SecretError),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete sqlx pool of `$which`. The body is
/// expanded once per backend, so the same SQL and binding code serves both.
macro_rules! on_pool {
    ($which:expr, $pool:ident => $body:expr) => {
        match $which {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Handle to the database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) write: Pool,
    pub(crate) read: Pool,
    /// The key credentials are sealed with (shared by every clone).
    pub(crate) keys: Arc<keyring::Keyring>,
}

impl Store {
    /// Connects to `sqlite:PATH`, a bare file path, or `postgres://…` with the default key:
    /// on SQLite the key file beside the database (created on first use); PostgreSQL needs
    /// a key, so this fails there (use [`Store::connect_with_key`]).
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with_key(url, None).await
    }

    /// Connects with `key` (from `HUBERT_SECRET_KEY`), or the default key when `None`.
    pub async fn connect_with_key(url: &str, key: Option<SecretKey>) -> Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let keys = Arc::new(keyring::Keyring::given(key.ok_or(SecretError::MissingKey)?));
            let opts = PgConnectOptions::from_str(url)?
                .options([("synchronous_commit", "on")])
                .log_statements(tracing::log::LevelFilter::Trace);
            let pool = PgPoolOptions::new()
                .max_connections(32)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            let pool = Pool::Postgres(pool);
            Ok(Self {
                write: pool.clone(),
                read: pool,
                keys,
            })
        } else {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or(url);
            let keys = Arc::new(match key {
                Some(key) => keyring::Keyring::given(key),
                None => keyring::Keyring::key_file_beside(std::path::Path::new(path))?,
            });
            keyring::private_database_files(std::path::Path::new(path)).map_err(sqlx::Error::Io)?;
            let opts = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .pragma("cache_size", "-65536")
                .pragma("secure_delete", "ON")
                .log_statements(tracing::log::LevelFilter::Trace);
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts.clone())
                .await?;
            let read = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts.read_only(true))
                .await;
            // A read-only connection cannot open a database that does not exist yet, so
            // migrate first when needed by retrying after the writer created the file.
            let read = match read {
                Ok(r) => r,
                Err(_) => {
                    SqlitePoolOptions::new()
                        .max_connections(8)
                        .connect_with(
                            SqliteConnectOptions::new()
                                .filename(path)
                                .busy_timeout(Duration::from_secs(10))
                                .synchronous(SqliteSynchronous::Full)
                                .pragma("secure_delete", "ON"),
                        )
                        .await?
                }
            };
            // The WAL and shared-memory files exist now; older versions left them readable.
            keyring::private_database_files(std::path::Path::new(path)).map_err(sqlx::Error::Io)?;
            Ok(Self {
                write: Pool::Sqlite(write),
                read: Pool::Sqlite(read),
                keys,
            })
        }
    }

    pub fn backend(&self) -> Backend {
        match self.write {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations of this backend, then secures the stored credentials:
    /// plain text left by an older version is encrypted (and its old bytes scrubbed), and
    /// the key must open every stored value, or this fails (a wrong key stops start-up).
    pub async fn migrate(&self) -> Result<()> {
        match &self.write {
            Pool::Sqlite(p) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
            Pool::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        self.secure_credentials().await
    }

    /// A trivial query, for `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        on_pool!(&self.read, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Every table and its columns (lower-case names, sorted), for the schema-parity test.
    pub async fn schema(&self) -> Result<Vec<(String, Vec<String>)>> {
        use sqlx::Row;
        let rows: Vec<(String, String)> = match &self.read {
            Pool::Sqlite(p) => sqlx::query(
                "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
            )
            .fetch_all(p)
            .await?
            .into_iter()
            .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
            .collect(),
            Pool::Postgres(p) => sqlx::query(
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'",
            )
            .fetch_all(p)
            .await?
            .into_iter()
            .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
            .collect(),
        };
        let mut map: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for (t, c) in rows {
            map.entry(t.to_lowercase()).or_default().push(c.to_lowercase());
        }
        Ok(map
            .into_iter()
            .map(|(t, mut cols)| {
                cols.sort();
                (t, cols)
            })
            .collect())
    }

    /// Closes both pools (used on shutdown and by tests that restart the app).
    pub async fn close(&self) {
        for p in [&self.write, &self.read] {
            match p {
                Pool::Sqlite(p) => p.close().await,
                Pool::Postgres(p) => p.close().await,
            }
        }
    }
}

/// The places where the two SQL dialects differ.
pub(crate) mod dialect {
    use super::Pool;

    /// Row locking for the job queue: PostgreSQL skips rows another worker holds; SQLite
    /// has a single writer, so there is nothing to skip.
    pub fn for_update(pool: &Pool) -> &'static str {
        match pool {
            Pool::Sqlite(_) => "",
            Pool::Postgres(_) => "FOR UPDATE",
        }
    }

    pub fn skip_locked(pool: &Pool) -> &'static str {
        match pool {
            Pool::Sqlite(_) => "",
            Pool::Postgres(_) => "FOR UPDATE SKIP LOCKED",
        }
    }
}
