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
}

impl App {
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
        let name = input.name.trim();
        if name.is_empty() || name.len() > 100 {
            return Err(AppError::Invalid(
                "invalid_name",
                "Give the profile a name of at most 100 characters.".into(),
            ));
        }
        let credentials = channel.credentials_from_json(input.credentials).map_err(|e| match e {
            CredentialsError::Incomplete(label) => AppError::Invalid(
                "invalid_credentials",
                format!("Credentials for {label} are incomplete."),
            ),
            CredentialsError::Invalid(message) => AppError::Invalid("invalid_credentials", message),
            CredentialsError::WrongPlatform => AppError::Invalid("invalid_credentials", e.to_string()),
        })?;
        let default = platform.default_service_level();
        let level = match input.service_level {
            Some(s) => ServiceLevel::parse(
                s.threshold_minutes.unwrap_or(default.threshold_minutes),
                s.target_percent.unwrap_or(default.target_percent),
            )
            .map_err(|m| AppError::Invalid("invalid_service_level", m.into()))?,
            None => default,
        };
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
        }
    }
}
