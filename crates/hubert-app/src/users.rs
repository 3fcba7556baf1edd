//! People, managed by admins: the workspace's users with their e-mail and state, a change
//! of name or role, and deactivating a leaver — their sessions end and the API tokens they
//! made are revoked at once, in one transaction with the audit entry; a deactivated user
//! cannot sign in. An admin cannot deactivate or demote themself (no lock-out by accident).

use hubert_core::Role;
use hubert_store::NewAudit;
use hubert_store::UserRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::AuditKind;
use crate::{App, AppError, Principal};

/// A user as admins see them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserInfo {
    pub id: String,
    pub name: String,
    pub email: String,
    /// `agent`, `lead` or `admin`.
    pub role: String,
    /// False once deactivated.
    pub active: bool,
    pub deactivated_at: Option<i64>,
}

impl From<UserRow> for UserInfo {
    fn from(u: UserRow) -> Self {
        Self {
            id: u.id,
            name: u.name,
            email: u.email,
            role: u.role,
            active: u.deactivated_at.is_none(),
            deactivated_at: u.deactivated_at,
        }
    }
}

/// A change to a user; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UserPatch {
    pub name: Option<String>,
    /// `agent`, `lead` or `admin`.
    pub role: Option<String>,
    /// False deactivates (sessions end, their tokens are revoked); true lets them back in.
    pub active: Option<bool>,
}

/// A user for an admin to create; the password is generated and shown once.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewUserInput {
    pub email: String,
    pub name: String,
    /// `agent`, `lead` or `admin`.
    pub role: String,
}

/// A created user with the generated password, shown this once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedUser {
    #[serde(flatten)]
    pub user: UserInfo,
    /// Give it to the person; they change it at once (`POST /api/v1/me/password`).
    pub password: String,
}

/// A change of one's own password.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    /// At least 12 characters, at most 1 KB.
    pub new_password: String,
}

/// A one-time link to set a password, shown once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResetLink {
    pub url: String,
    pub expires_at: i64,
}

/// How long a reset link works: three days.
pub const RESET_LINK_TTL_MS: i64 = 3 * 24 * 60 * 60 * 1000;

/// The shortest password a user may choose.
pub const MIN_PASSWORD_CHARS: usize = 12;

impl App {
    /// Creates a user with a generated password (admins); the password is in the answer
    /// once.
    pub async fn create_user_by_admin(
        &self,
        who: &Principal,
        input: NewUserInput,
        client: &str,
    ) -> Result<CreatedUser, AppError> {
        who.require(Role::Admin)?;
        let role = Role::parse(&input.role)
            .ok_or_else(|| AppError::Invalid("invalid_role", "A role is agent, lead or admin.".into()))?;
        let (email, name) = (input.email.trim(), input.name.trim());
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::Invalid(
                "invalid_name",
                "A name has 1 to 100 characters.".into(),
            ));
        }
        let password = crate::auth::random_token(12);
        let id = self
            .create_user_as(&who.workspace_id, email, name, role, &password, &who.actor_id, client)
            .await?;
        let user = self
            .store
            .user(&who.workspace_id, &id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(CreatedUser {
            user: UserInfo::from(user),
            password,
        })
    }

    /// Makes a one-time reset link for a user (admins): `{public_url}/reset/{token}`,
    /// valid three days, stored as the hash of its token.
    pub async fn reset_link(&self, who: &Principal, user_id: &str, client: &str) -> Result<ResetLink, AppError> {
        who.require(Role::Admin)?;
        if !hubert_core::ids::is_id(user_id) {
            return Err(AppError::NotFound);
        }
        let user = self
            .store
            .user(&who.workspace_id, user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if user.deactivated_at.is_some() {
            return Err(AppError::Conflict("deactivated", "Let the user back in first.".into()));
        }
        let token = crate::auth::random_token(32);
        let now = self.now();
        let expires_at = now + RESET_LINK_TTL_MS;
        let entry = self.audit_entry(who, AuditKind::PasswordResetLinkCreated, user_id, client, "", now);
        self.store
            .create_password_reset(
                &who.workspace_id,
                user_id,
                &crate::auth::hash_secret(&token),
                now,
                expires_at,
                &entry,
            )
            .await?;
        Ok(ResetLink {
            url: format!("{}/reset/{token}", self.public_url.trim_end_matches('/')),
            expires_at,
        })
    }

    /// Whether a reset link still works (for the page).
    pub async fn reset_link_valid(&self, token: &str) -> Result<bool, AppError> {
        Ok(self
            .store
            .password_reset(&crate::auth::hash_secret(token), self.now())
            .await?
            .is_some())
    }

    /// Sets a new password through a reset link; the link works once, every session of
    /// the user ends.
    pub async fn reset_password(&self, token: &str, new_password: &str) -> Result<(), AppError> {
        if new_password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(AppError::Invalid(
                "weak_password",
                format!("A password has at least {MIN_PASSWORD_CHARS} characters."),
            ));
        }
        let token_hash = crate::auth::hash_secret(token);
        if self.store.password_reset(&token_hash, self.now()).await?.is_none() {
            return Err(AppError::NotFound);
        }
        let hash = self.hash_password(new_password).await?;
        self.store
            .use_password_reset(&token_hash, &hash, self.now(), AuditKind::PasswordReset.as_str())
            .await?;
        Ok(())
    }

    /// Changes the caller's own password after checking the current one; their other
    /// sessions end. `session_hash` is the hash of the session making the change ("" for
    /// none).
    pub async fn change_own_password(
        &self,
        who: &Principal,
        change: PasswordChange,
        session_hash: &str,
        client: &str,
    ) -> Result<(), AppError> {
        let Some(user_id) = who.user_id.as_deref() else {
            return Err(AppError::Invalid("not_a_user", "A token has no password.".into()));
        };
        if change.new_password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(AppError::Invalid(
                "weak_password",
                format!("A password has at least {MIN_PASSWORD_CHARS} characters."),
            ));
        }
        let user = self
            .store
            .user(&who.workspace_id, user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !self
            .verify_password(&change.current_password, &user.password_hash)
            .await?
        {
            return Err(AppError::Invalid(
                "wrong_password",
                "The current password is not right.".into(),
            ));
        }
        let hash = self.hash_password(&change.new_password).await?;
        let entry = self.audit_entry(who, AuditKind::PasswordChanged, user_id, client, "", self.now());
        self.store
            .set_password(&who.workspace_id, user_id, &hash, session_hash, &entry)
            .await?;
        Ok(())
    }

    /// Changes a user's name, role or state (admins).
    pub async fn update_user(
        &self,
        who: &Principal,
        id: &str,
        patch: UserPatch,
        client: &str,
    ) -> Result<UserInfo, AppError> {
        who.require(Role::Admin)?;
        if !hubert_core::ids::is_id(id) {
            return Err(AppError::NotFound);
        }
        let name = patch.name.as_deref().map(str::trim);
        if name.is_some_and(|n| n.is_empty() || n.chars().count() > 100) {
            return Err(AppError::Invalid(
                "invalid_name",
                "A name has 1 to 100 characters.".into(),
            ));
        }
        let role = match patch.role.as_deref() {
            Some(r) => Some(
                Role::parse(r)
                    .ok_or_else(|| AppError::Invalid("invalid_role", "A role is agent, lead or admin.".into()))?,
            ),
            None => None,
        };
        let myself = who.user_id.as_deref() == Some(id);
        if myself && (patch.active == Some(false) || role.is_some_and(|r| r < Role::Admin)) {
            return Err(AppError::Conflict(
                "not_yourself",
                "You cannot deactivate or demote yourself; ask another admin.".into(),
            ));
        }
        let now = self.now();
        if name.is_some() || role.is_some() {
            let detail = role.map(|r| format!("role {}", r.as_str())).unwrap_or_default();
            let entry = self.audit_entry(who, AuditKind::UserUpdated, id, client, &detail, now);
            self.store
                .update_user(&who.workspace_id, id, name, role.map(Role::as_str), &entry)
                .await?;
        }
        if let Some(active) = patch.active {
            let kind = if active {
                AuditKind::UserReactivated
            } else {
                AuditKind::UserDeactivated
            };
            let entry = self.audit_entry(who, kind, id, client, "", now);
            let at = (!active).then_some(now);
            self.store
                .set_user_deactivated(&who.workspace_id, id, at, &entry)
                .await?;
            tracing::info!(user = %id, actor = %who.actor_id, active, "user state changed");
        }
        let user = self
            .store
            .user(&who.workspace_id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(UserInfo::from(user))
    }

    pub(crate) fn audit_entry<'a>(
        &self,
        who: &'a Principal,
        kind: AuditKind,
        subject: &'a str,
        client: &'a str,
        detail: &'a str,
        at: i64,
    ) -> NewAudit<'a> {
        NewAudit {
            workspace_id: &who.workspace_id,
            actor: &who.actor_id,
            action: kind.as_str(),
            subject,
            client,
            detail,
            at,
        }
    }
}
