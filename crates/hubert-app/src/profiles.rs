//! Connecting accounts ("webcareprofielen"). Credentials are validated per platform,
//! stored, and never shown again; the answer carries the webhook URL to configure.

use hubert_channels::channel::CredentialsError;
use hubert_core::{Role, ServiceLevel};
use hubert_store::ProfileRow;
use serde::Deserialize;
use serde_json::Value;

use crate::view::ServiceLevelView;

use crate::{App, AppError, Principal};

/// A profile to connect. `credentials` per platform: WhatsApp `phone_number_id`,
/// `access_token`, `app_secret`, `verify_token`; X `user_id`, `consumer_secret`,
/// `access_token`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewProfile {
    pub platform: String,
    pub name: String,
    #[schema(value_type = Object)]
    pub credentials: Value,
    #[serde(default)]
    pub service_level: Option<ServiceLevelInput>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ServiceLevelInput {
    pub threshold_minutes: Option<i64>,
    pub target_percent: Option<f64>,
}

/// A connected profile; its credentials are never shown.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ProfileView {
    pub id: String,
    pub platform: String,
    pub name: String,
    /// Our account at the platform (WhatsApp phone number id, X user id).
    pub account_id: String,
    pub service_level: ServiceLevelView,
    /// The URL to configure at the platform.
    pub webhook_url: String,
    pub created_at: i64,
    /// Set once an admin disconnected the profile (no webhooks, no sends; history stays).
    pub disconnected_at: Option<i64>,
    /// The platform refused the token ("opnieuw verbinden"): new credentials are needed.
    pub needs_reconnect: bool,
}

/// A change to a profile; absent fields stay. New credentials replace the old ones whole
/// and must belong to the same account at the platform.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ProfilePatch {
    pub name: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub credentials: Option<Value>,
    pub service_level: Option<ServiceLevelInput>,
}

fn credentials_error(e: CredentialsError) -> AppError {
    match e {
        CredentialsError::Incomplete(label) => AppError::Invalid(
            "invalid_credentials",
            format!("Credentials for {label} are incomplete."),
        ),
        CredentialsError::Invalid(message) => AppError::Invalid("invalid_credentials", message),
        CredentialsError::WrongPlatform => AppError::Invalid("invalid_credentials", e.to_string()),
    }
}

fn valid_name(name: &str) -> Result<&str, AppError> {
    let name = name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(AppError::Invalid(
            "invalid_name",
            "Give the profile a name of at most 100 characters.".into(),
        ));
    }
    Ok(name)
}

/// The norm asked for, on top of `base` (the platform's default or the current norm).
fn service_level(input: Option<ServiceLevelInput>, base: ServiceLevel) -> Result<ServiceLevel, AppError> {
    match input {
        Some(s) => ServiceLevel::parse(
            s.threshold_minutes.unwrap_or(base.threshold_minutes),
            s.target_percent.unwrap_or(base.target_percent),
        )
        .map_err(|m| AppError::Invalid("invalid_service_level", m.into())),
        None => Ok(base),
    }
}

impl App {
    /// Changes a profile's name, credentials (same account only) or norm (admins).
    pub async fn update_profile(&self, who: &Principal, id: &str, patch: ProfilePatch) -> Result<ProfileRow, AppError> {
        who.require(Role::Admin)?;
        let current = self
            .store
            .profile(&who.workspace_id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if current.disconnected_at.is_some() {
            return Err(AppError::Conflict(
                "profile_disconnected",
                "This profile is disconnected.".into(),
            ));
        }
        let name = patch.name.as_deref().map(valid_name).transpose()?.map(str::to_owned);
        let credentials = match patch.credentials {
            Some(value) => {
                let channel = hubert_channels::channel(current.platform)
                    .ok_or_else(|| AppError::Invalid("unsupported_platform", current.platform.to_string()))?;
                let parsed = channel.credentials_from_json(value).map_err(credentials_error)?;
                if parsed.account_id() != current.account_id {
                    return Err(AppError::Invalid(
                        "account_changed",
                        "These credentials belong to another account: connect it as a new profile.".into(),
                    ));
                }
                Some(parsed.to_stored_json().to_owned())
            }
            None => None,
        };
        let level = patch
            .service_level
            .map(|s| service_level(Some(s), current.service_level()))
            .transpose()?;
        let change = hubert_store::ProfileChange {
            name,
            credentials,
            threshold_minutes: level.map(|l| l.threshold_minutes),
            target_percent: level.map(|l| l.target_percent),
        };
        let what: Vec<&str> = [
            change.name.as_ref().map(|_| "name"),
            change.credentials.as_ref().map(|_| "credentials"),
            level.map(|_| "service level"),
        ]
        .into_iter()
        .flatten()
        .collect();
        let detail = what.join(", ");
        let entry = self.audit_entry(
            who,
            crate::audit::AuditKind::ProfileUpdated,
            id,
            "",
            &detail,
            self.now(),
        );
        if !self
            .store
            .update_profile(&who.workspace_id, id, &change, &entry)
            .await?
        {
            return Err(AppError::NotFound);
        }
        if change.credentials.is_some() {
            // New credentials: "opnieuw verbinden" is done.
            self.store.set_needs_reconnect(id, false).await?;
        }
        self.profile_cache.invalidate(id);
        self.store
            .profile(&who.workspace_id, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Disconnects a profile (admins): webhooks and sends stop at once, history stays.
    pub async fn disconnect_profile(&self, who: &Principal, id: &str) -> Result<(), AppError> {
        who.require(Role::Admin)?;
        let entry = self.audit_entry(
            who,
            crate::audit::AuditKind::ProfileDisconnected,
            id,
            "",
            "",
            self.now(),
        );
        if !self.store.disconnect_profile(&who.workspace_id, id, &entry).await? {
            return Err(AppError::NotFound);
        }
        self.profile_cache.invalidate(id);
        Ok(())
    }

    pub async fn create_profile(&self, who: &Principal, input: NewProfile) -> Result<ProfileRow, AppError> {
        who.require(Role::Admin)?;
        let channel = hubert_channels::channel_by_name(&input.platform).ok_or_else(|| {
            let names: Vec<&str> = hubert_channels::channels()
                .iter()
                .map(|c| c.platform().as_str())
                .collect();
            AppError::Invalid(
                "unsupported_platform",
                format!("Supported platforms: {}.", names.join(", ")),
            )
        })?;
        let platform = channel.platform();
        let name = valid_name(&input.name)?;
        let credentials = channel
            .credentials_from_json(input.credentials)
            .map_err(credentials_error)?;
        let level = service_level(input.service_level, platform.default_service_level())?;
        let row = ProfileRow {
            id: hubert_core::new_id(),
            workspace_id: who.workspace_id.clone(),
            platform,
            name: name.into(),
            account_id: credentials.account_id().to_owned(),
            credentials: credentials.to_stored_json().to_owned(),
            threshold_minutes: level.threshold_minutes,
            target_percent: level.target_percent,
            created_at: self.now(),
            disconnected_at: None,
        };
        self.store.create_profile(&row).await?;
        let detail = format!("{} {}", row.platform, row.name);
        self.record(
            who,
            crate::audit::Recorded {
                kind: crate::audit::AuditKind::ProfileCreated,
                subject: &row.id,
                client: "",
                detail: &detail,
            },
        )
        .await?;
        Ok(row)
    }

    pub async fn profiles(&self, who: &Principal) -> Result<Vec<ProfileRow>, AppError> {
        who.require(Role::Agent)?;
        Ok(self.store.profiles(&who.workspace_id).await?)
    }

    pub fn webhook_url(&self, p: &ProfileRow) -> String {
        format!(
            "{}/webhooks/{}/{}",
            self.public_url.trim_end_matches('/'),
            p.platform,
            p.id
        )
    }

    /// A profile as the API shows it: never its credentials.
    pub fn profile_view(&self, p: &ProfileRow) -> ProfileView {
        ProfileView {
            id: p.id.clone(),
            platform: p.platform.as_str().to_owned(),
            name: p.name.clone(),
            account_id: p.account_id.clone(),
            service_level: ServiceLevelView {
                threshold_minutes: p.threshold_minutes,
                target_percent: p.target_percent,
            },
            webhook_url: self.webhook_url(p),
            created_at: p.created_at,
            disconnected_at: p.disconnected_at,
            needs_reconnect: false,
        }
    }

    /// The workspace's profiles as the API shows them, with their reconnect state.
    pub async fn profile_views(&self, who: &Principal) -> Result<Vec<ProfileView>, AppError> {
        let rows = self.profiles(who).await?;
        let reconnect = self.store.profiles_needing_reconnect(Some(&who.workspace_id)).await?;
        Ok(rows
            .iter()
            .map(|p| ProfileView {
                needs_reconnect: reconnect.iter().any(|(id, _)| *id == p.id),
                ..self.profile_view(p)
            })
            .collect())
    }
}
