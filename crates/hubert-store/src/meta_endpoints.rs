//! The shared Meta webhook endpoint of a workspace (`/webhooks/meta/{key}`): the key is
//! found by its SHA-256 (never stored in the clear) and kept sealed with the store's key
//! so admins can read it again. Not part of key rotation yet: after a rotation the
//! sealed copy cannot be opened and the endpoint must be re-created (the hash still
//! routes deliveries).

use sha2::{Digest, Sha256};

use crate::{crypto, on_pool, Result, Store};

fn associated_data(workspace_id: &str) -> Vec<u8> {
    format!("hubert:meta_endpoints.key_sealed:{workspace_id}").into_bytes()
}

/// The lookup hash of an endpoint key (hex SHA-256).
pub fn meta_key_hash(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Store {
    /// The workspace's endpoint key: the stored one, else `fresh` stored now (a
    /// concurrent first call may win; its key is returned then). `None` when the sealed
    /// key cannot be opened with the current key.
    pub async fn meta_endpoint_key(&self, workspace_id: &str, fresh: &str, now: i64) -> Result<Option<String>> {
        let sealed = crypto::seal(&self.keys.key(), &associated_data(workspace_id), fresh.as_bytes());
        let stored: String = on_pool!(&self.write, pool => {
            sqlx::query("INSERT INTO meta_endpoints (workspace_id, key_hash, key_sealed, created_at) VALUES ($1, $2, $3, $4) \
                ON CONFLICT (workspace_id) DO NOTHING")
                .bind(workspace_id).bind(meta_key_hash(fresh)).bind(&sealed).bind(now).execute(pool).await?;
            sqlx::query_scalar("SELECT key_sealed FROM meta_endpoints WHERE workspace_id = $1")
                .bind(workspace_id).fetch_one(pool).await?
        });
        Ok(crypto::open(&self.keys.key(), &associated_data(workspace_id), &stored)
            .ok()
            .and_then(|plain| String::from_utf8(plain.to_vec()).ok()))
    }

    /// The workspace whose endpoint key this is.
    pub async fn meta_endpoint_workspace(&self, key: &str) -> Result<Option<String>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_scalar("SELECT workspace_id FROM meta_endpoints WHERE key_hash = $1")
                .bind(meta_key_hash(key)).fetch_optional(pool).await?)
        })
    }
}
