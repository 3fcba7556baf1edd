//! Profiles as webhooks and the delivery worker use them: the row, its channel from the
//! registry and its credentials parsed once ([`LoadedProfile`]), cached for a few seconds
//! so a delivery neither reads the database nor parses JSON.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hubert_channels::{Credentials, DynChannel};
use hubert_store::{ProfileRow, StoreError};

use crate::App;

/// How long a profile (and its secrets) is reused without a database read.
const PROFILE_CACHE_TTL: Duration = Duration::from_secs(10);
/// Profiles remembered at most (the cache is emptied when full).
const PROFILE_CACHE_SIZE: usize = 10_000;

/// A profile with its channel and parsed credentials.
#[derive(Debug)]
pub struct LoadedProfile {
    pub row: ProfileRow,
    pub channel: &'static dyn DynChannel,
    pub credentials: Credentials,
}

/// Why a profile could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("database: {0}")]
    Store(#[from] StoreError),
    /// Hubert has no channel for the profile's platform.
    #[error("sending on {0} is not built yet")]
    Unsupported(String),
    #[error("stored credentials are unreadable")]
    Credentials,
}

/// Profile id → loaded profile and when it was read; shared by the app's clones.
#[derive(Clone, Default)]
pub(crate) struct ProfileCache(Arc<Mutex<HashMap<String, CacheEntry>>>);

/// A cached profile and when it was read.
type CacheEntry = (Arc<LoadedProfile>, Instant);

impl ProfileCache {
    fn get(&self, id: &str) -> Option<Arc<LoadedProfile>> {
        let cache = self.0.lock().expect("profile cache lock");
        cache
            .get(id)
            .filter(|(_, at)| at.elapsed() < PROFILE_CACHE_TTL)
            .map(|(p, _)| p.clone())
    }

    /// Forgets a profile that changed (this instance; others re-read within the TTL).
    pub(crate) fn invalidate(&self, id: &str) {
        self.0.lock().expect("profile cache lock").remove(id);
    }

    fn put(&self, loaded: Arc<LoadedProfile>) {
        let mut cache = self.0.lock().expect("profile cache lock");
        if cache.len() >= PROFILE_CACHE_SIZE {
            cache.clear();
        }
        cache.insert(loaded.row.id.clone(), (loaded, Instant::now()));
    }
}

/// The row with its channel and parsed credentials.
pub fn load(row: ProfileRow) -> Result<LoadedProfile, LoadError> {
    let channel =
        hubert_channels::channel(row.platform).ok_or_else(|| LoadError::Unsupported(row.platform.to_string()))?;
    let credentials = channel
        .credentials_from_stored(&row.credentials)
        .map_err(|_| LoadError::Credentials)?;
    Ok(LoadedProfile {
        row,
        channel,
        credentials,
    })
}

impl App {
    /// The profile `profile_id` (any workspace), from the cache or the database.
    pub async fn loaded_profile(&self, profile_id: &str) -> Result<Option<Arc<LoadedProfile>>, LoadError> {
        if let Some(hit) = self.profile_cache.get(profile_id) {
            return Ok(Some(hit));
        }
        let Some(row) = self.store.profile_for_webhook(profile_id).await? else {
            return Ok(None);
        };
        let loaded = Arc::new(load(row)?);
        self.profile_cache.put(loaded.clone());
        Ok(Some(loaded))
    }
}
