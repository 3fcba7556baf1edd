//! API tokens: made by admins (API, `/admin/tokens`, or the CLI), shown once, stored as a
//! SHA-256 hash, optionally expiring, revocable (the row stays for the audit trail).
//! An expired or revoked token is refused on its next request; the last use is written
//! at most once a minute per token ([`TOKEN_TOUCH_MS`]), never on every request.

use hubert_core::time::{DAY, MINUTE};
use hubert_core::Role;
use hubert_store::{NewAudit, NewToken as StoredToken, TokenRow};
use serde::{Deserialize, Serialize};

use crate::audit::AuditKind;
use crate::auth::{hash_secret, random_token};
use crate::{App, AppError, Principal};

/// How often the last use of one token is written at most.
pub const TOKEN_TOUCH_MS: i64 = MINUTE;
/// The longest expiry a token can be given, in days.
pub const MAX_TOKEN_DAYS: i64 = 3650;

/// What an admin asks for.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewToken {
    /// What the token is for (1 to 100 characters, not only spaces).
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: String,
    /// `admin`, `lead` or `agent`.
    #[schema(pattern = "^\\s*(admin|lead|agent)\\s*$", example = "agent")]
    pub role: String,
    /// Days until it expires (1 to 3650); never when absent.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 3650)]
    pub expires_in_days: Option<i64>,
}

/// Whether a token still opens the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TokenState {
    Active,
    Expired,
    Revoked,
}

/// A token as listed: never the token or its hash.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub role: String,
    pub state: TokenState,
    /// Epoch milliseconds, like every time below.
    pub created_at: i64,
    /// A user id, `token:<id>` or `cli`.
    pub created_by: String,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A new token: shown this once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub info: TokenInfo,
    pub token: String,
}

fn info(row: TokenRow, now: i64) -> TokenInfo {
    let state = if row.revoked_at.is_some() {
        TokenState::Revoked
    } else if row.is_live(now) {
        TokenState::Active
    } else {
        TokenState::Expired
    };
    TokenInfo {
        id: row.id,
        name: row.name,
        role: row.role,
        state,
        created_at: row.created_at,
        created_by: row.created_by,
        expires_at: row.expires_at,
        last_used_at: row.last_used_at,
        revoked_at: row.revoked_at,
    }
}

/// The name and role of a valid request.
fn checked(input: &NewToken) -> Result<(&str, Role), AppError> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::Invalid(
            "invalid_name",
            "Give the token a name of at most 100 characters.".into(),
        ));
    }
    let role = Role::parse(input.role.trim())
        .ok_or_else(|| AppError::Invalid("invalid_role", "role is admin, lead or agent".into()))?;
    if input
        .expires_in_days
        .is_some_and(|d| !(1..=MAX_TOKEN_DAYS).contains(&d))
    {
        return Err(AppError::Invalid(
            "invalid_expiry",
            format!("expires_in_days is 1 to {MAX_TOKEN_DAYS}"),
        ));
    }
    Ok((name, role))
}

impl Principal {
    /// The command line acting on a workspace (as an admin).
    pub fn cli(workspace_id: &str) -> Self {
        Principal {
            workspace_id: workspace_id.to_owned(),
            actor_id: "cli".into(),
            user_id: None,
            name: "cli".into(),
            role: Role::Admin,
        }
    }
}

impl App {
    /// Makes a token (admins). `client` is the caller's address for the audit log.
    pub async fn create_api_token(
        &self,
        who: &Principal,
        input: NewToken,
        client: &str,
    ) -> Result<CreatedToken, AppError> {
        who.require(Role::Admin)?;
        let (name, role) = checked(&input)?;
        let token = format!("hub_{}", random_token(32));
        let token_hash = hash_secret(&token);
        let id = hubert_core::new_id();
        let now = self.now();
        let row = StoredToken {
            id: &id,
            workspace_id: &who.workspace_id,
            name,
            role: role.as_str(),
            token_hash: &token_hash,
            created_at: now,
            created_by: &who.actor_id,
            expires_at: input.expires_in_days.map(|d| now + d * DAY),
        };
        let detail = format!("{name} ({})", role.as_str());
        let audit = NewAudit {
            workspace_id: &who.workspace_id,
            actor: &who.actor_id,
            action: AuditKind::TokenCreated.as_str(),
            subject: &id,
            client,
            detail: &detail,
            at: now,
        };
        self.store.create_api_token(&row, &audit).await?;
        tracing::info!(token = %id, actor = %who.actor_id, "API token created");
        Ok(CreatedToken {
            info: TokenInfo {
                id: id.clone(),
                name: name.to_owned(),
                role: role.as_str().to_owned(),
                state: TokenState::Active,
                created_at: now,
                created_by: who.actor_id.clone(),
                expires_at: row.expires_at,
                last_used_at: None,
                revoked_at: None,
            },
            token,
        })
    }

    /// A token that never expires, made by the system (seeds, benchmarks, tests).
    pub async fn create_token(&self, workspace_id: &str, name: &str, role: Role) -> Result<String, AppError> {
        let input = NewToken {
            name: name.to_owned(),
            role: role.as_str().to_owned(),
            expires_in_days: None,
        };
        let mut system = Principal::cli(workspace_id);
        system.actor_id = "system".into();
        Ok(self.create_api_token(&system, input, "").await?.token)
    }

    /// Every token of the workspace, newest first (admins).
    pub async fn api_tokens(&self, who: &Principal) -> Result<Vec<TokenInfo>, AppError> {
        who.require(Role::Admin)?;
        let now = self.now();
        let rows = self.store.api_tokens(&who.workspace_id).await?;
        Ok(rows.into_iter().map(|r| info(r, now)).collect())
    }

    /// Revokes a token at once (admins). Revoking a revoked token changes nothing.
    pub async fn revoke_api_token(&self, who: &Principal, id: &str, client: &str) -> Result<(), AppError> {
        who.require(Role::Admin)?;
        if !hubert_core::ids::is_id(id) {
            return Err(AppError::NotFound);
        }
        let audit = NewAudit {
            workspace_id: &who.workspace_id,
            actor: &who.actor_id,
            action: AuditKind::TokenRevoked.as_str(),
            subject: id,
            client,
            detail: "",
            at: self.now(),
        };
        self.store.revoke_api_token(&who.workspace_id, id, &audit).await?;
        tracing::info!(token = %id, actor = %who.actor_id, "API token revoked");
        Ok(())
    }

    /// The principal of a bearer token, if it is live. Records the use at most once a
    /// minute per token.
    pub async fn token_principal(&self, token: &str) -> Result<Option<Principal>, AppError> {
        let Some(t) = self.store.api_token(&hash_secret(token)).await? else {
            return Ok(None);
        };
        let now = self.now();
        if !t.is_live(now) {
            return Ok(None);
        }
        if t.last_used_at.is_none_or(|at| now - at >= TOKEN_TOUCH_MS) {
            self.store.touch_api_token(&t.id, now, now - TOKEN_TOUCH_MS + 1).await?;
        }
        Ok(Some(Principal {
            workspace_id: t.workspace_id,
            actor_id: format!("token:{}", t.id),
            user_id: None,
            name: t.name,
            role: Role::parse(&t.role).unwrap_or(Role::Agent),
        }))
    }
}
