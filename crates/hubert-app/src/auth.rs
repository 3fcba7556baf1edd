//! Accounts: argon2id passwords (hashed off the async runtime, at most about one hash per
//! core at a time: [`PasswordHashing`]), database sessions (swept when expired), users,
//! and sign-in with the [`crate::throttle`] in front. Every sign-in, failed sign-in,
//! sign-out and new user is in the audit log. API tokens live in [`crate::tokens`].

use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use hubert_core::time::DAY;
use hubert_core::Role;
use hubert_store::{NewAudit, NewUser};
use rand::RngCore;
use sha2::{Digest, Sha256};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::audit::AuditKind;
use crate::two_factor::LoginStep;
use crate::{App, AppError, Principal};

pub const SESSION_TTL_MS: i64 = 14 * DAY;
/// Longest e-mail address (RFC 5321 path limit) and password we look at.
pub const MAX_EMAIL_BYTES: usize = 254;
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// What a refused-because-busy login suggests waiting, in seconds.
pub const BUSY_RETRY_SECS: u64 = 1;
/// Logins that may wait for a hashing slot, per slot, and how long they wait at most.
const LOGIN_QUEUE_PER_SLOT: usize = 4;
const LOGIN_QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// A random secret, URL-safe.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// How secrets (session cookies, API tokens) are stored: SHA-256, hex. They are long
/// random values, so a fast hash is enough; passwords get argon2id.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The bound on argon2 work: each run takes ~19 MiB and a core, so at most `limit` run
/// at once. Logins that find it full wait briefly in a short queue and are refused
/// beyond it (503); admin actions wait.
#[derive(Clone)]
pub struct PasswordHashing {
    permits: Arc<Semaphore>,
    limit: usize,
    running: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
    runs: Arc<AtomicUsize>,
    waiting: Arc<AtomicUsize>,
}

impl Default for PasswordHashing {
    fn default() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }
}

impl PasswordHashing {
    pub fn new(limit: usize) -> Self {
        let limit = limit.max(1);
        Self {
            permits: Arc::new(Semaphore::new(limit)),
            limit,
            running: Arc::default(),
            peak: Arc::default(),
            runs: Arc::default(),
            waiting: Arc::default(),
        }
    }

    /// How many hashes may run at once.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The most hashes that ever ran at once (a gauge for tests and metrics).
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    /// How many hashes or checks ran so far.
    pub fn runs(&self) -> usize {
        self.runs.load(Ordering::SeqCst)
    }

    fn try_permit(&self) -> Result<OwnedSemaphorePermit, AppError> {
        self.permits.clone().try_acquire_owned().map_err(|_| AppError::Busy {
            retry_after_secs: BUSY_RETRY_SECS,
        })
    }

    /// A permit for a login: at once when one is free; else a short wait in a short
    /// queue (a rush of colleagues signing in at nine), else refused (`Busy`). Waiting
    /// costs no hashing memory: that is only taken while a hash runs.
    async fn login_permit(&self) -> Result<OwnedSemaphorePermit, AppError> {
        if let Ok(p) = self.try_permit() {
            return Ok(p);
        }
        let busy = AppError::Busy {
            retry_after_secs: BUSY_RETRY_SECS,
        };
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.limit * LOGIN_QUEUE_PER_SLOT {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(busy);
        }
        let permit = tokio::time::timeout(LOGIN_QUEUE_WAIT, self.permits.clone().acquire_owned()).await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        match permit {
            Ok(Ok(p)) => Ok(p),
            _ => Err(busy),
        }
    }

    async fn permit(&self) -> Result<OwnedSemaphorePermit, AppError> {
        self.permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| AppError::Internal(e.into()))
    }

    /// Runs `work` on the blocking pool. The permit travels with it and is released
    /// when the work ends, even if the request that asked for it is gone.
    async fn run<T: Send + 'static>(
        &self,
        permit: OwnedSemaphorePermit,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let (running, peak) = (self.running.clone(), self.peak.clone());
        self.runs.fetch_add(1, Ordering::SeqCst);
        tokio::task::spawn_blocking(move || {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            let out = work();
            running.fetch_sub(1, Ordering::SeqCst);
            drop(permit);
            out
        })
        .await
        .map_err(|e| AppError::Internal(e.into()))
    }
}

fn hash_now(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing failed: {e}")))
}

fn verify_now(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// A fresh session: the cookie value (shown once to the browser) and its CSRF token.
pub struct NewSession {
    pub cookie_value: String,
    pub csrf_token: String,
}

fn check_lengths(email: &str, password: &str) -> Result<(), AppError> {
    if email.len() > MAX_EMAIL_BYTES || password.len() > MAX_PASSWORD_BYTES {
        return Err(AppError::BadRequest(
            "input_too_long",
            format!("An e-mail address has at most {MAX_EMAIL_BYTES} bytes, a password at most {MAX_PASSWORD_BYTES}."),
        ));
    }
    Ok(())
}

impl App {
    /// Checks a password against a stored hash within the hashing bound (may be `Busy`).
    pub(crate) async fn verify_password(&self, password: &str, hash: &str) -> Result<bool, AppError> {
        check_lengths("", password)?;
        let permit = self.hashing.login_permit().await?;
        let (password, hash) = (password.to_owned(), hash.to_owned());
        self.hashing.run(permit, move || verify_now(&password, &hash)).await
    }

    /// Hashes a password within the bound, waiting for a turn.
    pub async fn hash_password(&self, password: &str) -> Result<String, AppError> {
        check_lengths("", password)?;
        let permit = self.hashing.permit().await?;
        let password = password.to_owned();
        self.hashing.run(permit, move || hash_now(&password)).await?
    }

    /// Creates a user with a generated password, which is returned once (the CLI).
    pub async fn create_user(
        &self,
        workspace_id: &str,
        email: &str,
        name: &str,
        role: Role,
    ) -> Result<(String, String), AppError> {
        let password = random_token(12);
        let id = self
            .create_user_with_password(workspace_id, email, name, role, &password)
            .await?;
        Ok((id, password))
    }

    /// Creates a user (actor `cli`: the command line and seeds).
    pub async fn create_user_with_password(
        &self,
        workspace_id: &str,
        email: &str,
        name: &str,
        role: Role,
        password: &str,
    ) -> Result<String, AppError> {
        self.create_user_as(workspace_id, email, name, role, password, "cli", "")
            .await
    }

    /// Creates a user, recording `actor` (a user id, `token:…` or `cli`) in the audit log.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn create_user_as(
        &self,
        workspace_id: &str,
        email: &str,
        name: &str,
        role: Role,
        password: &str,
        actor: &str,
        client: &str,
    ) -> Result<String, AppError> {
        if !email.contains('@') || email.len() > MAX_EMAIL_BYTES {
            return Err(AppError::Invalid(
                "invalid_email",
                "Give a valid e-mail address.".into(),
            ));
        }
        let hash = self.hash_password(password).await?;
        let id = hubert_core::new_id();
        let now = self.now();
        let user = NewUser {
            id: &id,
            workspace_id,
            email,
            name,
            role: role.as_str(),
            password_hash: &hash,
            created_at: now,
        };
        let audit = NewAudit {
            workspace_id,
            actor,
            action: AuditKind::UserCreated.as_str(),
            subject: &id,
            client,
            detail: role.as_str(),
            at: now,
        };
        self.store.create_user(&user, &audit).await?;
        Ok(id)
    }

    /// Checks a password and opens a session. In order: absurd input is refused (400)
    /// before anything is counted, the throttle may refuse (429 with a wait), the hashing
    /// bound may refuse (503); then the check. The answer never says which of e-mail or
    /// password was wrong. A right password gives a session or, with two-factor sign-in,
    /// the second step ([`crate::two_factor`]).
    pub async fn login(&self, email: &str, password: &str, client: IpAddr) -> Result<LoginStep, AppError> {
        check_lengths(email, password)?;
        let now = self.now();
        if let Err(wait_ms) = self.throttle.check(email, client, now) {
            return Err(AppError::Throttled {
                retry_after_secs: u64::try_from((wait_ms + 999) / 1000).unwrap_or(1),
            });
        }
        let permit = self.hashing.login_permit().await?;
        // A deactivated user is checked like anyone (same time spent) and then refused.
        let user = self.store.user_by_email(email).await?;
        let password = password.to_owned();
        let ok = match &user {
            Some(u) => {
                let hash = u.password_hash.clone();
                self.hashing.run(permit, move || verify_now(&password, &hash)).await?
            }
            None => {
                // Spend the same time as a real check, so timing does not reveal accounts.
                let _ = self.hashing.run(permit, move || hash_now(&password)).await?;
                false
            }
        };
        let client_text = client.to_string();
        let user = match user {
            Some(u) if ok && u.deactivated_at.is_none() => u,
            other => {
                self.metrics.login_failures.inc();
                self.throttle.failed(email, client, now);
                self.login_failed(other.as_ref(), &client_text, now).await?;
                return Err(AppError::Unauthorized);
            }
        };
        self.throttle.succeeded(email, client, now);
        self.after_password(&user, &client_text, now).await
    }

    /// Records a failed sign-in: the user when the address belongs to one, never an
    /// unknown address itself (it may be a password typed in the wrong field).
    async fn login_failed(&self, user: Option<&hubert_store::UserRow>, client: &str, now: i64) -> Result<(), AppError> {
        let (workspace_id, subject, detail) = match user {
            Some(u) => (u.workspace_id.clone(), u.id.as_str(), "wrong password"),
            None => match self.store.default_workspace().await? {
                Some(ws) => (ws, "", "unknown e-mail address"),
                None => return Ok(()),
            },
        };
        tracing::info!(user = subject, "sign-in failed");
        let audit = NewAudit {
            workspace_id: &workspace_id,
            actor: "anonymous",
            action: AuditKind::LoginFailed.as_str(),
            subject,
            client,
            detail,
            at: now,
        };
        Ok(self.store.record_audit(&audit).await?)
    }

    /// Ends a session (recorded in the audit log with the session's user).
    pub async fn logout(&self, cookie_value: &str, client: IpAddr) -> Result<(), AppError> {
        self.store
            .delete_session(
                &hash_secret(cookie_value),
                AuditKind::Logout.as_str(),
                &client.to_string(),
                self.now(),
            )
            .await?;
        Ok(())
    }

    /// The principal of a session cookie, with the session's CSRF token.
    pub async fn session_principal(&self, cookie_value: &str) -> Result<Option<(Principal, String)>, AppError> {
        let Some((session, user)) = self.store.session(&hash_secret(cookie_value), self.now()).await? else {
            return Ok(None);
        };
        if user.deactivated_at.is_some() {
            return Ok(None);
        }
        Ok(Some((
            Principal {
                workspace_id: user.workspace_id,
                actor_id: user.id.clone(),
                user_id: Some(user.id),
                name: user.name,
                role: Role::parse(&user.role).unwrap_or(Role::Agent),
            },
            session.csrf_token,
        )))
    }

    /// Removes expired sessions and stale throttle entries; returns the sessions removed.
    pub async fn sweep_expired(&self) -> Result<u64, AppError> {
        let now = self.now();
        self.throttle.sweep(now);
        let removed = self.store.delete_expired_sessions(now).await?;
        if removed > 0 {
            tracing::info!(removed, "expired sessions removed");
        }
        Ok(removed)
    }

    /// The hashing bound (its gauges, for tests and metrics).
    pub fn password_hashing(&self) -> &PasswordHashing {
        &self.hashing
    }

    /// Entries the login throttle holds (for tests and metrics).
    pub fn login_throttle_entries(&self) -> usize {
        self.throttle.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_inputs_are_refused_before_any_work() {
        assert!(check_lengths(&"a".repeat(254), &"p".repeat(1024)).is_ok());
        assert!(matches!(
            check_lengths(&"a".repeat(255), "p"),
            Err(AppError::BadRequest(..))
        ));
        assert!(matches!(
            check_lengths("a@b", &"p".repeat(1025)),
            Err(AppError::BadRequest(..))
        ));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_hashes_run_at_once_than_the_bound() {
        let h = PasswordHashing::new(2);
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let h = h.clone();
            tasks.push(tokio::spawn(async move {
                match h.try_permit() {
                    Ok(p) => h
                        .run(p, || std::thread::sleep(std::time::Duration::from_millis(20)))
                        .await
                        .is_ok(),
                    Err(AppError::Busy { .. }) => false,
                    Err(e) => panic!("{e}"),
                }
            }));
        }
        let mut ran = 0;
        for t in tasks {
            ran += usize::from(t.await.expect("task"));
        }
        assert!(ran >= 1);
        assert!(h.peak() <= 2, "peak {}", h.peak());
    }
}
