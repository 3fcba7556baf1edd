//! The shared Meta webhook endpoint of a workspace, `/webhooks/meta/{key}`. Meta sends
//! all of one app's deliveries of an object type to one callback URL, so one URL per
//! workspace takes them all: the delivery is verified with the app secret of one of the
//! workspace's Meta profiles (Facebook, Instagram, WhatsApp), then cut by `entry.id`
//! ([`split_by_account`]) and each part ingested for the profile whose account id it is.
//! Entries for unknown ids (or without one) are quarantined. The key is 32 random bytes
//! (hex), unguessable; the store keeps only its hash for lookup and a sealed copy to
//! show admins. Every failure looks like an unknown URL (401).

use std::collections::HashMap;
use std::sync::Arc;

use hubert_channels::channel::{HandshakeReply, SafeChallenge};
use hubert_channels::meta::split_by_account;
use hubert_core::{Platform, Role};
use rand::RngCore;

use crate::ingest::{IngestReport, WebhookError};
use crate::loaded::LoadedProfile;
use crate::{App, AppError, Principal};

const META_PLATFORMS: [Platform; 3] = [Platform::Facebook, Platform::Instagram, Platform::Whatsapp];

impl App {
    /// The workspace's shared Meta webhook URL (created on first use). Admins only.
    pub async fn meta_endpoint_url(&self, who: &Principal) -> Result<Option<String>, AppError> {
        who.require(Role::Admin)?;
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        let fresh = hex::encode(bytes);
        let key = self
            .store
            .meta_endpoint_key(&who.workspace_id, &fresh, self.now())
            .await?;
        Ok(key.map(|key| format!("{}/webhooks/meta/{key}", self.public_url.trim_end_matches('/'))))
    }

    /// The workspace's Facebook, Instagram and WhatsApp profiles, loaded.
    async fn meta_profiles(&self, key: &str) -> Result<(String, Vec<Arc<LoadedProfile>>), WebhookError> {
        if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(WebhookError::UnknownProfile);
        }
        let workspace = self
            .store
            .meta_endpoint_workspace(key)
            .await?
            .ok_or(WebhookError::UnknownProfile)?;
        let mut loaded = Vec::new();
        for row in self.store.profiles(&workspace).await? {
            if META_PLATFORMS.contains(&row.platform) && row.disconnected_at.is_none() {
                if let Ok(Some(p)) = self.loaded_profile(&row.id).await {
                    loaded.push(p);
                }
            }
        }
        Ok((workspace, loaded))
    }

    /// The GET handshake: answered when the verify token is one of the workspace's
    /// Meta profiles' (the challenge checked as for every channel).
    pub async fn meta_endpoint_handshake(
        &self,
        key: &str,
        query: &HashMap<String, String>,
    ) -> Result<HandshakeReply, WebhookError> {
        let challenge = query
            .get("hub.challenge")
            .and_then(|c| SafeChallenge::new(c))
            .ok_or_else(|| WebhookError::BadRequest("hub.challenge must be a short token".into()))?;
        let (_, profiles) = self.meta_profiles(key).await?;
        profiles
            .iter()
            .find_map(|p| p.channel.handshake(&p.credentials, challenge, query).ok())
            .ok_or_else(|| WebhookError::Unauthorized("the verify token does not match".into()))
    }

    /// A delivery to the shared endpoint: verified, split per account, ingested per
    /// profile; unknown accounts quarantined.
    pub async fn ingest_meta_shared(
        &self,
        key: &str,
        signature: Option<&str>,
        raw: &[u8],
    ) -> Result<IngestReport, WebhookError> {
        let (workspace, profiles) = self.meta_profiles(key).await?;
        if !profiles
            .iter()
            .any(|p| p.channel.verify_signature(&p.credentials, signature, raw).is_ok())
        {
            return Err(WebhookError::Unauthorized("signature does not match".into()));
        }
        let split = match split_by_account(raw) {
            Ok(split) => split,
            Err(e) => {
                let body = String::from_utf8_lossy(raw).into_owned();
                self.quarantine_shared(&workspace, vec![(e.to_string(), body)]).await?;
                return Err(WebhookError::Malformed(e.to_string()));
            }
        };
        let mut report = IngestReport::default();
        let mut unknown: Vec<(String, String)> = split.unroutable.into_iter().map(|r| (r.reason, r.raw)).collect();
        for account in split.accounts {
            let owner = profiles
                .iter()
                .find(|p| p.row.account_id == account.account_id && object_fits(p.row.platform, &account.object));
            match owner {
                Some(profile) => {
                    let part = self.ingest_body(profile, &account.body).await?;
                    report.messages += part.messages;
                    report.statuses += part.statuses;
                    report.changes += part.changes;
                    report.duplicates += part.duplicates;
                    report.quarantined += part.quarantined;
                }
                None => unknown.push((
                    format!("no profile for account {}", account.account_id),
                    String::from_utf8_lossy(&account.body).into_owned(),
                )),
            }
        }
        report.quarantined += unknown.len();
        if !unknown.is_empty() {
            self.quarantine_shared(&workspace, unknown).await?;
        }
        Ok(report)
    }

    async fn quarantine_shared(&self, workspace: &str, items: Vec<(String, String)>) -> Result<(), WebhookError> {
        self.store
            .quarantine_many(workspace, None, "meta", &items, self.now())
            .await?;
        self.bus
            .publish(workspace, "quarantine.added", None, serde_json::json!({}));
        Ok(())
    }
}

/// Whether an envelope's `object` belongs to a platform's profiles.
fn object_fits(platform: Platform, object: &str) -> bool {
    matches!(
        (platform, object),
        (Platform::Facebook, "page")
            | (Platform::Instagram, "instagram")
            | (Platform::Whatsapp, "whatsapp_business_account")
    )
}
