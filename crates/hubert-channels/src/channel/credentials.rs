//! [`Credentials`]: one profile's parsed, validated credentials, opaque to everyone but
//! its channel. Made once (profile creation, or loading a profile into the app's cache)
//! and cloned cheaply; its `Debug` shows the platform and account only.

use std::any::Any;
use std::sync::Arc;

use hubert_core::Platform;

/// Why credentials were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    /// Not the channel's shape, or a required field is empty.
    #[error("credentials for {0} are incomplete")]
    Incomplete(&'static str),
    /// The shape is right but a value is not (a sentence for the admin).
    #[error("{0}")]
    Invalid(String),
    /// The credentials belong to another platform's channel.
    #[error("these credentials belong to another platform")]
    WrongPlatform,
}

/// A profile's credentials as its channel parsed them.
#[derive(Clone)]
pub struct Credentials {
    platform: Platform,
    account_id: String,
    stored: String,
    typed: Arc<dyn Any + Send + Sync>,
}

impl Credentials {
    pub(crate) fn new<T: Any + Send + Sync>(platform: Platform, account_id: String, stored: String, typed: T) -> Self {
        Self {
            platform,
            account_id,
            stored,
            typed: Arc::new(typed),
        }
    }

    pub fn platform(&self) -> Platform {
        self.platform
    }

    /// Our account's id at the platform (WhatsApp phone number id, X user id, …).
    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    /// The JSON to store (the store seals it at rest). Never log or show it.
    pub fn to_stored_json(&self) -> &str {
        &self.stored
    }

    /// The typed credentials, when they are `T`'s.
    pub fn get<T: Any>(&self) -> Option<&T> {
        self.typed.downcast_ref()
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("platform", &self.platform)
            .field("account_id", &self.account_id)
            .field("secrets", &"<redacted>")
            .finish()
    }
}
