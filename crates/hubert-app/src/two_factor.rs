//! Two-factor sign-in: a code from an authenticator app ([`crate::totp`]) after the
//! password, or one of ten single-use recovery codes. Users turn it on themselves; a
//! workspace can require it of admins and leads (`PUT /api/v1/settings`), who then
//! enrol during their next sign-in before they get a session. An admin can remove a
//! colleague's authenticator (a lost phone). The secret is sealed at rest, recovery
//! codes are stored hashed, a code works once (also across instances), and wrong codes
//! count in the sign-in throttle and end the step after [`MAX_CODE_ATTEMPTS`].

use hubert_core::time::MINUTE;
use hubert_core::Role;
use hubert_store::{NewAudit, NewChallenge, NewSession as StoredSession, TwoFactorRow, UserRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::AuditKind;
use crate::auth::{hash_secret, random_token, NewSession, SESSION_TTL_MS};
use crate::totp;
use crate::{App, AppError, Principal};

/// How long the second step of a sign-in waits for its code.
pub const CHALLENGE_TTL_MS: i64 = 5 * MINUTE;
/// Wrong codes in one second step before it ends (sign in again).
pub const MAX_CODE_ATTEMPTS: i64 = 5;
/// Recovery codes made at a time.
pub const RECOVERY_CODES: usize = 10;
/// The issuer an authenticator app shows above the code.
const ISSUER: &str = "Hubert";

/// What a right password leads to.
pub enum LoginStep {
    /// Signed in.
    Session(NewSession),
    /// A code is needed: the token goes in a short-lived cookie for the second step.
    Code { token: String },
    /// The workspace requires two-factor sign-in of this role and the user has none yet:
    /// they enrol now (same cookie), then get a session.
    Enroll { token: String },
}

/// What the second step is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengePurpose {
    Verify,
    Enroll,
}

impl ChallengePurpose {
    fn as_str(self) -> &'static str {
        match self {
            ChallengePurpose::Verify => "verify",
            ChallengePurpose::Enroll => "enroll",
        }
    }
}

/// A new authenticator to add to the app: shown while enrolling, until confirmed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Enrollment {
    /// The secret in base32, for typing in by hand.
    pub secret: String,
    /// The `otpauth://` link (what the QR code holds).
    pub otpauth_uri: String,
}

/// Recovery codes, shown once: each signs in once instead of a code.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
}

/// A user's two-factor state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TwoFactorStatus {
    pub enabled: bool,
    /// The workspace requires it of this user's role.
    pub required: bool,
    pub recovery_codes_left: i64,
}

/// A code from the authenticator app, or a recovery code.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CodeInput {
    pub code: String,
}

/// The workspace's settings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Settings {
    /// Admins and leads must sign in with two-factor sign-in.
    pub two_factor_required: bool,
}

/// A change of settings; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SettingsPatch {
    pub two_factor_required: Option<bool>,
}

/// How a code was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Accepted {
    Authenticator,
    RecoveryCode,
}

fn needs_two_factor(role: Role) -> bool {
    role >= Role::Lead
}

/// Ten codes of 80 random bits each, shown as `abcd-efgh-ijkl-mnop`.
fn new_recovery_codes() -> (Vec<String>, Vec<String>) {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
            let raw = totp::base32_encode(&bytes).to_ascii_lowercase();
            let shown = raw
                .as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join("-");
            let hash = hash_secret(&raw);
            (shown, hash)
        })
        .unzip()
}

/// A recovery code as typed: case, spaces and dashes do not matter.
fn normalise_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn wrong_code() -> AppError {
    AppError::Invalid("wrong_code", "The code is not right (or was used already).".into())
}

fn user_only(who: &Principal) -> Result<&str, AppError> {
    who.user_id
        .as_deref()
        .ok_or_else(|| AppError::Invalid("not_a_user", "A token has no two-factor sign-in.".into()))
}

impl App {
    /// After a right password: a session, or the second step (code or enrolment).
    pub(crate) async fn after_password(&self, user: &UserRow, client: &str, now: i64) -> Result<LoginStep, AppError> {
        let enabled = self.has_two_factor(&user.id).await?;
        let role = Role::parse(&user.role).unwrap_or(Role::Agent);
        let purpose = if enabled {
            ChallengePurpose::Verify
        } else if needs_two_factor(role) && self.store.two_factor_required(&user.workspace_id).await? {
            ChallengePurpose::Enroll
        } else {
            return self.open_session(user, client, "", now).await.map(LoginStep::Session);
        };
        let token = random_token(32);
        self.store
            .create_login_challenge(&NewChallenge {
                id_hash: &hash_secret(&token),
                workspace_id: &user.workspace_id,
                user_id: &user.id,
                purpose: purpose.as_str(),
                created_at: now,
                expires_at: now + CHALLENGE_TTL_MS,
            })
            .await?;
        Ok(match purpose {
            ChallengePurpose::Verify => LoginStep::Code { token },
            ChallengePurpose::Enroll => LoginStep::Enroll { token },
        })
    }

    /// Opens a session, with the `login` audit entry (`detail` says how).
    pub(crate) async fn open_session(
        &self,
        user: &UserRow,
        client: &str,
        detail: &str,
        now: i64,
    ) -> Result<NewSession, AppError> {
        let (cookie_value, csrf_token) = (random_token(32), random_token(24));
        let id_hash = hash_secret(&cookie_value);
        let session = self.stored_session(user, &id_hash, &csrf_token, now);
        let audit = login_audit(user, client, detail, now);
        self.store.create_session(&session, &audit).await?;
        tracing::info!(user = %user.id, "signed in");
        Ok(NewSession {
            cookie_value,
            csrf_token,
        })
    }

    fn stored_session<'a>(&self, user: &'a UserRow, id_hash: &'a str, csrf: &'a str, now: i64) -> StoredSession<'a> {
        StoredSession {
            id_hash,
            workspace_id: &user.workspace_id,
            user_id: &user.id,
            csrf_token: csrf,
            created_at: now,
            expires_at: now + SESSION_TTL_MS,
        }
    }

    /// Whether the user has two-factor sign-in on.
    async fn has_two_factor(&self, user_id: &str) -> Result<bool, AppError> {
        Ok(self
            .store
            .two_factor(user_id)
            .await?
            .is_some_and(|t| t.enabled_at.is_some()))
    }

    /// The purpose of a live second step (to draw its page); `None` when it expired.
    pub async fn login_challenge_purpose(&self, token: &str) -> Result<Option<ChallengePurpose>, AppError> {
        let row = self.store.login_challenge(&hash_secret(token), self.now()).await?;
        Ok(row.map(|c| {
            if c.purpose == ChallengePurpose::Enroll.as_str() {
                ChallengePurpose::Enroll
            } else {
                ChallengePurpose::Verify
            }
        }))
    }

    /// The authenticator to add while enrolling at sign-in (the same one on every look
    /// until confirmed).
    pub async fn login_enrollment(&self, token: &str) -> Result<Enrollment, AppError> {
        let c = self
            .store
            .login_challenge(&hash_secret(token), self.now())
            .await?
            .filter(|c| c.purpose == ChallengePurpose::Enroll.as_str())
            .ok_or(AppError::Unauthorized)?;
        let user = self
            .store
            .user(&c.workspace_id, &c.user_id)
            .await?
            .ok_or(AppError::Unauthorized)?;
        self.pending_enrollment(&user).await
    }

    async fn pending_enrollment(&self, user: &UserRow) -> Result<Enrollment, AppError> {
        let secret = match self.store.two_factor(&user.id).await? {
            Some(t) if t.enabled_at.is_some() => {
                return Err(AppError::Conflict(
                    "two_factor_enabled",
                    "Two-factor sign-in is on already.".into(),
                ))
            }
            Some(t) => t.secret.to_string(),
            None => {
                let mut bytes = [0u8; totp::SECRET_BYTES];
                rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
                let secret = totp::base32_encode(&bytes);
                self.store
                    .begin_two_factor(&user.workspace_id, &user.id, &secret, self.now())
                    .await?;
                secret
            }
        };
        Ok(Enrollment {
            otpauth_uri: totp::otpauth_uri(&secret, ISSUER, &user.email),
            secret,
        })
    }

    /// The second step of a sign-in: the code (or, when enrolling, the first code of the
    /// new authenticator). Returns the session and, after an enrolment, the recovery
    /// codes to show once.
    pub async fn login_second_step(
        &self,
        token: &str,
        code: &str,
        client: std::net::IpAddr,
    ) -> Result<(NewSession, Option<RecoveryCodes>), AppError> {
        let now = self.now();
        let id_hash = hash_secret(token);
        let c = self
            .store
            .attempt_login_challenge(&id_hash, now)
            .await?
            .ok_or(AppError::Unauthorized)?;
        if c.attempts > MAX_CODE_ATTEMPTS {
            self.store.delete_login_challenge(&id_hash).await?;
            return Err(AppError::Unauthorized);
        }
        let user = self
            .store
            .user(&c.workspace_id, &c.user_id)
            .await?
            .ok_or(AppError::Unauthorized)?;
        if user.deactivated_at.is_some() {
            return Err(AppError::Unauthorized);
        }
        if let Err(wait_ms) = self.throttle.check(&user.email, client, now) {
            return Err(AppError::Throttled {
                retry_after_secs: u64::try_from((wait_ms + 999) / 1000).unwrap_or(1),
            });
        }
        let client_text = client.to_string();
        let outcome = if c.purpose == ChallengePurpose::Enroll.as_str() {
            self.confirm_enrollment(&user, code, &user.id, &client_text)
                .await
                .map(|codes| (Accepted::Authenticator, Some(codes)))
        } else {
            self.check_code(&user.id, code).await.map(|a| (a, None))
        };
        let (accepted, codes) = match outcome {
            Ok(done) => done,
            Err(AppError::Invalid("wrong_code", _)) => {
                self.metrics.login_failures.inc();
                self.throttle.failed(&user.email, client, now);
                let audit = NewAudit {
                    workspace_id: &user.workspace_id,
                    actor: "anonymous",
                    action: AuditKind::LoginFailed.as_str(),
                    subject: &user.id,
                    client: &client_text,
                    detail: "wrong two-factor code",
                    at: now,
                };
                self.store.record_audit(&audit).await?;
                return Err(wrong_code());
            }
            Err(e) => return Err(e),
        };
        self.throttle.succeeded(&user.email, client, now);
        let detail = match accepted {
            Accepted::Authenticator => "two-factor",
            Accepted::RecoveryCode => "two-factor, recovery code",
        };
        let (cookie_value, csrf_token) = (random_token(32), random_token(24));
        let session_hash = hash_secret(&cookie_value);
        let session = self.stored_session(&user, &session_hash, &csrf_token, now);
        let audit = login_audit(&user, &client_text, detail, now);
        if !self.store.complete_login_challenge(&id_hash, &session, &audit).await? {
            return Err(AppError::Unauthorized);
        }
        tracing::info!(user = %user.id, "signed in with two-factor");
        Ok((
            NewSession {
                cookie_value,
                csrf_token,
            },
            codes,
        ))
    }

    /// Checks a code of an enabled authenticator, or a recovery code; uses it up.
    async fn check_code(&self, user_id: &str, code: &str) -> Result<Accepted, AppError> {
        if code.len() > 64 {
            return Err(wrong_code());
        }
        let tf = self.store.two_factor(user_id).await?.filter(|t| t.enabled_at.is_some());
        let Some(tf) = tf else {
            return Err(AppError::Conflict(
                "two_factor_off",
                "Two-factor sign-in is not on.".into(),
            ));
        };
        if let Some(step) = self.code_step(&tf, code, tf.last_step) {
            return if self.store.use_totp_step(user_id, step).await? {
                Ok(Accepted::Authenticator)
            } else {
                Err(wrong_code())
            };
        }
        let recovery = normalise_recovery_code(code);
        if recovery.len() == 16
            && self
                .store
                .use_recovery_code(user_id, &hash_secret(&recovery), self.now())
                .await?
        {
            return Ok(Accepted::RecoveryCode);
        }
        Err(wrong_code())
    }

    fn code_step(&self, tf: &TwoFactorRow, code: &str, after: Option<i64>) -> Option<i64> {
        let secret = totp::base32_decode(&tf.secret)?;
        totp::verify(&secret, code, self.now(), after)
    }

    /// Confirms a pending authenticator with its first code; returns the recovery codes.
    async fn confirm_enrollment(
        &self,
        user: &UserRow,
        code: &str,
        actor: &str,
        client: &str,
    ) -> Result<RecoveryCodes, AppError> {
        let tf = self
            .store
            .two_factor(&user.id)
            .await?
            .filter(|t| t.enabled_at.is_none());
        let Some(tf) = tf else {
            return Err(AppError::Conflict(
                "no_enrollment",
                "Start adding an authenticator first.".into(),
            ));
        };
        let step = self.code_step(&tf, code, None).ok_or_else(wrong_code)?;
        let (codes, hashes) = new_recovery_codes();
        let audit = NewAudit {
            workspace_id: &user.workspace_id,
            actor,
            action: AuditKind::TwoFactorEnabled.as_str(),
            subject: &user.id,
            client,
            detail: "",
            at: self.now(),
        };
        if !self.store.enable_two_factor(&user.id, step, &hashes, &audit).await? {
            return Err(AppError::Conflict(
                "no_enrollment",
                "Start adding an authenticator first.".into(),
            ));
        }
        Ok(RecoveryCodes { codes })
    }

    async fn own_user(&self, who: &Principal) -> Result<UserRow, AppError> {
        let id = user_only(who)?;
        self.store.user(&who.workspace_id, id).await?.ok_or(AppError::NotFound)
    }

    /// The caller's two-factor state.
    pub async fn own_two_factor(&self, who: &Principal) -> Result<TwoFactorStatus, AppError> {
        let user = self.own_user(who).await?;
        let enabled = self.has_two_factor(&user.id).await?;
        let required = needs_two_factor(who.role) && self.store.two_factor_required(&who.workspace_id).await?;
        let recovery_codes_left = if enabled {
            self.store.recovery_codes_left(&user.id).await?
        } else {
            0
        };
        Ok(TwoFactorStatus {
            enabled,
            required,
            recovery_codes_left,
        })
    }

    /// Starts adding an authenticator for the caller.
    pub async fn begin_own_two_factor(&self, who: &Principal) -> Result<Enrollment, AppError> {
        let user = self.own_user(who).await?;
        self.pending_enrollment(&user).await
    }

    /// Confirms the caller's new authenticator with its first code.
    pub async fn confirm_own_two_factor(
        &self,
        who: &Principal,
        code: &str,
        client: &str,
    ) -> Result<RecoveryCodes, AppError> {
        let user = self.own_user(who).await?;
        self.confirm_enrollment(&user, code, &who.actor_id, client).await
    }

    /// Turns the caller's two-factor sign-in off, with a valid code; not while the
    /// workspace requires it of their role.
    pub async fn disable_own_two_factor(&self, who: &Principal, code: &str, client: &str) -> Result<(), AppError> {
        let user = self.own_user(who).await?;
        if needs_two_factor(who.role) && self.store.two_factor_required(&who.workspace_id).await? {
            return Err(AppError::Conflict(
                "two_factor_required",
                "The workspace requires two-factor sign-in of admins and leads.".into(),
            ));
        }
        self.check_code(&user.id, code).await?;
        let audit = self.audit_entry(who, AuditKind::TwoFactorDisabled, &user.id, client, "", self.now());
        self.store.remove_two_factor(&user.id, &audit).await?;
        Ok(())
    }

    /// New recovery codes for the caller, with a valid code; the old ones stop working.
    pub async fn renew_recovery_codes(
        &self,
        who: &Principal,
        code: &str,
        client: &str,
    ) -> Result<RecoveryCodes, AppError> {
        let user = self.own_user(who).await?;
        self.check_code(&user.id, code).await?;
        let (codes, hashes) = new_recovery_codes();
        let audit = self.audit_entry(who, AuditKind::RecoveryCodesRenewed, &user.id, client, "", self.now());
        self.store.replace_recovery_codes(&user.id, &hashes, &audit).await?;
        Ok(RecoveryCodes { codes })
    }

    /// Removes a user's authenticator (admins; for a lost phone). They enrol again.
    pub async fn reset_two_factor(&self, who: &Principal, user_id: &str, client: &str) -> Result<(), AppError> {
        who.require(Role::Admin)?;
        let user = self
            .store
            .user(&who.workspace_id, user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let audit = self.audit_entry(who, AuditKind::TwoFactorReset, &user.id, client, "", self.now());
        if !self.store.remove_two_factor(&user.id, &audit).await? {
            return Err(AppError::Conflict(
                "two_factor_off",
                "This user has no two-factor sign-in.".into(),
            ));
        }
        Ok(())
    }

    /// The workspace's settings (leads and admins).
    pub async fn settings(&self, who: &Principal) -> Result<Settings, AppError> {
        who.require(Role::Lead)?;
        Ok(Settings {
            two_factor_required: self.store.two_factor_required(&who.workspace_id).await?,
        })
    }

    /// Changes settings (admins). Requiring two-factor sign-in needs the admin doing it
    /// to use it (no lock-out); it ends the sessions of admins and leads without it.
    pub async fn update_settings(
        &self,
        who: &Principal,
        patch: SettingsPatch,
        client: &str,
    ) -> Result<Settings, AppError> {
        who.require(Role::Admin)?;
        if let Some(required) = patch.two_factor_required {
            if required {
                if let Some(me) = who.user_id.as_deref() {
                    if !self.has_two_factor(me).await? {
                        return Err(AppError::Conflict(
                            "two_factor_first",
                            "Turn on two-factor sign-in for yourself first.".into(),
                        ));
                    }
                }
            }
            let detail = if required {
                "two_factor_required=true"
            } else {
                "two_factor_required=false"
            };
            let audit = self.audit_entry(
                who,
                AuditKind::SettingsChanged,
                "two_factor_required",
                client,
                detail,
                self.now(),
            );
            let ended = self
                .store
                .set_two_factor_required(&who.workspace_id, required, &audit)
                .await?;
            if ended > 0 {
                tracing::info!(ended, "sessions of admins and leads without two-factor sign-in ended");
            }
        }
        self.settings(who).await
    }

    /// The ids of the workspace's users with two-factor sign-in on.
    pub async fn two_factor_users(&self, who: &Principal) -> Result<Vec<String>, AppError> {
        who.require(Role::Admin)?;
        Ok(self.store.two_factor_users(&who.workspace_id).await?)
    }
}

fn login_audit<'a>(user: &'a UserRow, client: &'a str, detail: &'a str, now: i64) -> NewAudit<'a> {
    NewAudit {
        workspace_id: &user.workspace_id,
        actor: &user.id,
        action: AuditKind::Login.as_str(),
        subject: &user.id,
        client,
        detail,
        at: now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_distinct_grouped_and_hashed_as_typed() {
        let (shown, hashes) = new_recovery_codes();
        assert_eq!(shown.len(), RECOVERY_CODES);
        assert!(shown.iter().all(|c| c.len() == 19 && c.matches('-').count() == 3));
        let unique: std::collections::HashSet<_> = hashes.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let typed = shown[0].to_uppercase().replace('-', " ");
        assert_eq!(hash_secret(&normalise_recovery_code(&typed)), hashes[0]);
    }
}
