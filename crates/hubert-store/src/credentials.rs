//! Platform credentials at rest (decision 0003). `profiles.credentials` holds a value
//! sealed by [`crate::crypto`] with the profile id as associated data; the store seals on
//! write and opens on read, so nothing above it ever sees ciphertext.
//!
//! At start ([`Store::migrate`]) the store finishes or discards an interrupted key
//! rotation, proves the key opens every sealed value (a wrong key stops start-up before
//! anything is written), then encrypts credentials an older version stored in plain text
//! and scrubs their old bytes.
//! [`Store::rotate_key`] re-encrypts everything under a new key in one transaction.

use std::path::PathBuf;

use crate::crypto::{self, InvalidKey, KeyId, OpenError, SecretKey};
use crate::rows::ProfileRow;
use crate::{dialect, keyring, on_pool, Backend, Pool, Result, Store};

/// What went wrong with keys or sealed values; every message tells the operator what to do.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "HUBERT_SECRET_KEY is required with PostgreSQL (every instance must use the same key): \
         32 random bytes in standard base64, e.g. from `openssl rand -base64 32`"
    )]
    MissingKey,
    #[error("{var} is not a valid key: {reason}; it must be 32 bytes in standard base64")]
    InvalidKey { var: String, reason: InvalidKey },
    #[error("key file {path}: {error}")]
    KeyFile { path: String, error: String },
    #[error(
        "the secret key {ours} does not open the stored secrets ({what}: sealed \
         with key {stored}). Start with the key they were sealed with (HUBERT_SECRET_KEY, or the \
         key file beside the SQLite database)"
    )]
    WrongKey {
        /// Which value: "the credentials of profile …", "the two-factor secret of user …".
        what: String,
        stored: KeyId,
        ours: KeyId,
    },
    #[error("{what}: does not open with key {ours}; altered, or copied from another profile or user")]
    Forged { what: String, ours: KeyId },
    #[error("{what}: not in a format this version reads")]
    Malformed { what: String },
    #[error("{what}: stored in plain text; run `hubert migrate`")]
    NotSealed { what: String },
    #[error(
        "set HUBERT_NEW_SECRET_KEY to the new key (a key file is only generated on SQLite without HUBERT_SECRET_KEY)"
    )]
    NoNewKey,
    #[error("the new key is the key in use")]
    SameKey,
}

/// Reads a key from the environment variable `var`: `None` when unset or empty.
pub fn secret_key_from_env(var: &str) -> std::result::Result<Option<SecretKey>, SecretError> {
    match std::env::var(var) {
        Ok(text) if !text.trim().is_empty() => {
            let text = zeroize::Zeroizing::new(text);
            SecretKey::from_base64(&text)
                .map(Some)
                .map_err(|reason| SecretError::InvalidKey {
                    var: var.to_owned(),
                    reason,
                })
        }
        _ => Ok(None),
    }
}

/// What [`Store::rotate_key`] did.
#[derive(Debug, Clone)]
pub struct KeyRotation {
    /// Credentials re-encrypted.
    pub count: usize,
    pub old_key: KeyId,
    pub new_key: KeyId,
    /// The key file now holding the new key, when a key file was rotated.
    pub key_file: Option<PathBuf>,
}

/// A column whose values are sealed, each bound to its row by the row's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sealed {
    /// `profiles.credentials` by `profiles.id`.
    ProfileCredentials,
    /// `two_factor.secret` by `two_factor.user_id`.
    TwoFactorSecret,
}

impl Sealed {
    /// Every sealed column: start-up checks and key rotation go through all of them.
    pub(crate) const ALL: [Sealed; 2] = [Sealed::ProfileCredentials, Sealed::TwoFactorSecret];

    fn table(self) -> &'static str {
        match self {
            Sealed::ProfileCredentials => "profiles",
            Sealed::TwoFactorSecret => "two_factor",
        }
    }

    fn id_column(self) -> &'static str {
        match self {
            Sealed::ProfileCredentials => "id",
            Sealed::TwoFactorSecret => "user_id",
        }
    }

    fn column(self) -> &'static str {
        match self {
            Sealed::ProfileCredentials => "credentials",
            Sealed::TwoFactorSecret => "secret",
        }
    }

    /// Binds a sealed value to its row and column.
    fn associated_data(self, id: &str) -> Vec<u8> {
        format!("hubert:{}.{}:{id}", self.table(), self.column()).into_bytes()
    }

    fn describe(self, id: &str) -> String {
        match self {
            Sealed::ProfileCredentials => format!("the credentials of profile {id}"),
            Sealed::TwoFactorSecret => format!("the two-factor secret of user {id}"),
        }
    }

    pub(crate) fn seal(self, key: &SecretKey, id: &str, plain: &str) -> String {
        crypto::seal(key, &self.associated_data(id), plain.as_bytes())
    }

    pub(crate) fn open(self, key: &SecretKey, id: &str, stored: &str) -> std::result::Result<String, SecretError> {
        open_with(self, key, id, stored)
    }
}

fn open_with(col: Sealed, key: &SecretKey, id: &str, stored: &str) -> std::result::Result<String, SecretError> {
    let what = col.describe(id);
    match crypto::open(key, &col.associated_data(id), stored) {
        Ok(plain) => String::from_utf8(plain.to_vec()).map_err(|_| SecretError::Malformed { what }),
        Err(OpenError::NotSealed) => Err(SecretError::NotSealed { what }),
        Err(OpenError::Malformed) => Err(SecretError::Malformed { what }),
        Err(OpenError::OtherKey(stored)) => Err(SecretError::WrongKey {
            what,
            stored,
            ours: key.id(),
        }),
        Err(OpenError::Forged) => Err(SecretError::Forged { what, ours: key.id() }),
    }
}

impl Store {
    /// The id of the key in use (safe to print).
    pub fn key_id(&self) -> KeyId {
        self.keys.id()
    }

    /// The value to store for `plain` credentials of `profile_id`.
    pub(crate) fn seal_credentials(&self, profile_id: &str, plain: &str) -> String {
        Sealed::ProfileCredentials.seal(&self.keys.key(), profile_id, plain)
    }

    /// A profile row as read, with its credentials opened.
    pub(crate) fn open_credentials(&self, mut row: ProfileRow) -> Result<ProfileRow> {
        row.credentials = Sealed::ProfileCredentials.open(&self.keys.key(), &row.id, &row.credentials)?;
        Ok(row)
    }

    /// The start-up step after the SQL migrations: see the module docs. Idempotent.
    pub(crate) async fn secure_credentials(&self) -> Result<()> {
        self.finish_interrupted_rotation().await?;
        // The key must open what is sealed before it seals anything more.
        let key = self.keys.key();
        for (col, id, stored) in self.stored_secrets().await? {
            if crypto::is_sealed(&stored) {
                col.open(&key, &id, &stored)?;
            }
        }
        let sealed = self.seal_plain_credentials().await?;
        if sealed > 0 {
            tracing::info!(
                count = sealed,
                "encrypted credentials stored in plain text by an older version"
            );
            self.scrub().await?;
        } else if self.backend() == Backend::Sqlite {
            // Also after a crash between sealing and scrubbing: old page images in the
            // main file and the WAL are overwritten by the checkpoint, and the WAL emptied.
            self.checkpoint().await?;
        }
        Ok(())
    }

    /// Every sealed value of every sealed column (and credentials not sealed yet).
    async fn stored_secrets(&self) -> Result<Vec<(Sealed, String, String)>> {
        let mut all = Vec::new();
        for col in Sealed::ALL {
            let sql = format!(
                "SELECT {}, {} FROM {} ORDER BY {}",
                col.id_column(),
                col.column(),
                col.table(),
                col.id_column()
            );
            let rows = on_pool!(&self.write, pool => {
                sqlx::query_as::<_, (String, String)>(&sql).fetch_all(pool).await?
            });
            all.extend(rows.into_iter().map(|(id, v)| (col, id, v)));
        }
        Ok(all)
    }

    /// A rotation that wrote `hubert.key.new` and then stopped: if any credential is still
    /// sealed with the current key, the database never committed and the new file goes;
    /// otherwise the database committed and the new file replaces the old one.
    async fn finish_interrupted_rotation(&self) -> Result<()> {
        let (Some(file), Some(pending)) = (self.keys.file().map(PathBuf::from), self.keys.pending_file()) else {
            return Ok(());
        };
        if !pending.exists() {
            return Ok(());
        }
        let current = self.keys.id();
        let stored = self.stored_secrets().await?;
        if stored.iter().any(|(_, _, v)| crypto::sealed_with(v) == Some(current)) {
            tracing::warn!(file = %pending.display(), "removing the key of a key rotation that did not commit");
            std::fs::remove_file(&pending).map_err(|e| SecretError::KeyFile {
                path: pending.display().to_string(),
                error: e.to_string(),
            })?;
        } else {
            let next = keyring::read_key_file(&pending)?;
            keyring::promote(&pending, &file)?;
            tracing::warn!(file = %file.display(), key = %next.id(), "finished a key rotation interrupted after its commit");
            self.keys.replace(next);
        }
        Ok(())
    }

    /// Seals every credential still in plain text, in one transaction; returns how many.
    async fn seal_plain_credentials(&self) -> Result<usize> {
        let lock = dialect::for_update(&self.write);
        let key = self.keys.key();
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            let rows = sqlx::query_as::<_, (String, String)>(&format!(
                "SELECT id, credentials FROM profiles WHERE credentials NOT LIKE 'enc:%' ORDER BY id {lock}"))
                .fetch_all(&mut *tx).await?;
            for (id, plain) in &rows {
                let plain = zeroize::Zeroizing::new(plain.clone());
                let sealed = Sealed::ProfileCredentials.seal(&key, id, &plain);
                sqlx::query("UPDATE profiles SET credentials = $1 WHERE id = $2")
                    .bind(&sealed).bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(rows.len())
        })
    }

    /// Leaves no old bytes of replaced values in the database files: SQLite (with
    /// `secure_delete` on every connection) is vacuumed and its WAL checkpointed and
    /// truncated; PostgreSQL rewrites the table (`VACUUM FULL`).
    async fn scrub(&self) -> Result<()> {
        match &self.write {
            Pool::Sqlite(pool) => {
                sqlx::query("VACUUM").execute(pool).await?;
                self.checkpoint().await
            }
            Pool::Postgres(pool) => {
                sqlx::query("VACUUM FULL profiles").execute(pool).await?;
                sqlx::query("VACUUM FULL two_factor").execute(pool).await?;
                Ok(())
            }
        }
    }

    /// `PRAGMA wal_checkpoint(TRUNCATE)`: every page into the main file, the WAL emptied.
    async fn checkpoint(&self) -> Result<()> {
        if let Pool::Sqlite(pool) = &self.write {
            let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(pool)
                .await?;
            if busy != 0 {
                tracing::warn!("the WAL checkpoint could not finish (readers busy); it completes later");
            }
        }
        Ok(())
    }

    /// Re-encrypts every credential under `new` (or, on SQLite with a key file and no
    /// `new`, under a generated key that replaces the key file once the transaction
    /// committed), writes `key.rotated` to the audit log of every workspace in the same
    /// transaction, swaps the key this store uses and scrubs the old ciphertexts.
    pub async fn rotate_key(&self, new: Option<SecretKey>, actor: &str, now: i64) -> Result<KeyRotation> {
        let (target, pending) = match new {
            Some(key) => (key, None),
            None => {
                let pending = self.keys.pending_file().ok_or(SecretError::NoNewKey)?;
                let key = SecretKey::generate();
                keyring::write_pending(&pending, &key)?;
                (key, Some(pending))
            }
        };
        let old_key = self.keys.key();
        if target.id() == old_key.id() {
            return Err(SecretError::SameKey.into());
        }
        let count = match self.reseal_all(&old_key, &target, actor, now).await {
            Ok(count) => count,
            Err(e) => {
                if let Some(p) = &pending {
                    let _ = std::fs::remove_file(p);
                }
                return Err(e);
            }
        };
        // Committed. A crash from here until the rename is finished at the next start.
        let new_key = target.id();
        self.keys.replace(target);
        let key_file = match (&pending, self.keys.file()) {
            (Some(p), Some(file)) => {
                keyring::promote(p, file)?;
                Some(file.to_path_buf())
            }
            _ => None,
        };
        self.scrub().await?;
        Ok(KeyRotation {
            count,
            old_key: old_key.id(),
            new_key,
            key_file,
        })
    }

    /// One transaction: open every sealed value with `old`, seal it with `new`, audit.
    async fn reseal_all(&self, old: &SecretKey, new: &SecretKey, actor: &str, now: i64) -> Result<usize> {
        let lock = dialect::for_update(&self.write);
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            let mut count = 0;
            for col in Sealed::ALL {
                let (table, id_col, value_col) = (col.table(), col.id_column(), col.column());
                let rows = sqlx::query_as::<_, (String, String)>(&format!(
                    "SELECT {id_col}, {value_col} FROM {table} ORDER BY {id_col} {lock}"))
                    .fetch_all(&mut *tx).await?;
                for (id, stored) in &rows {
                    let plain = zeroize::Zeroizing::new(col.open(old, id, stored)?);
                    let sealed = col.seal(new, id, &plain);
                    sqlx::query(&format!("UPDATE {table} SET {value_col} = $1 WHERE {id_col} = $2"))
                        .bind(&sealed).bind(id).execute(&mut *tx).await?;
                }
                count += rows.len();
            }
            let subject = format!("{count} secrets re-encrypted: key {} → {}", old.id(), new.id());
            let workspaces = sqlx::query_scalar::<_, String>("SELECT id FROM workspaces ORDER BY id")
                .fetch_all(&mut *tx).await?;
            for ws in &workspaces {
                sqlx::query("INSERT INTO audit_log (id, workspace_id, actor, action, subject, at) VALUES ($1, $2, $3, 'key.rotated', $4, $5)")
                    .bind(hubert_core::new_id()).bind(ws).bind(actor).bind(&subject).bind(now)
                    .execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(count)
        })
    }
}
