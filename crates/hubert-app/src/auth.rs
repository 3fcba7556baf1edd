//! Accounts: argon2id passwords (hashed off the async runtime), database sessions,
//! hashed bearer tokens, and a login throttle per e-mail address and per client.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use hubert_core::time::{DAY, MINUTE};
use hubert_core::Role;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{App, AppError, Principal};

pub const SESSION_TTL_MS: i64 = 14 * DAY;
const THROTTLE_WINDOW_MS: i64 = 15 * MINUTE;
const THROTTLE_MAX_FAILURES: usize = 10;

/// Failed logins per key (e-mail address or client address) within the window.
#[derive(Clone, Default)]
pub(crate) struct LoginThrottle(Arc<Mutex<HashMap<String, Vec<i64>>>>);

impl LoginThrottle {
    fn blocked(&self, key: &str, now: i64) -> bool {
        let mut map = self.0.lock().expect("throttle lock");
        let list = map.entry(key.to_owned()).or_default();
        list.retain(|t| now - t < THROTTLE_WINDOW_MS);
        list.len() >= THROTTLE_MAX_FAILURES
    }
    fn fail(&self, key: &str, now: i64) {
        self.0
            .lock()
            .expect("throttle lock")
            .entry(key.to_owned())
            .or_default()
            .push(now);
    }
    fn clear(&self, key: &str) {
        self.0.lock().expect("throttle lock").remove(key);
    }
}

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

pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing failed: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
}

async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A fresh session: the cookie value (shown once to the browser) and its CSRF token.
pub struct NewSession {
    pub cookie_value: String,
    pub csrf_token: String,
}

impl App {
    /// Creates a user with a generated password, which is returned once.
    pub async fn create_user(
        &self,
        workspace_id: &str,
        email: &str,
        name: &str,
        role: Role,
    ) -> Result<(String, String), AppError> {
        if !email.contains('@') || email.len() > 254 {
            return Err(AppError::Invalid(
                "invalid_email",
                "Give a valid e-mail address.".into(),
            ));
        }
        let password = random_token(12);
        let id = self
            .create_user_with_password(workspace_id, email, name, role, &password)
            .await?;
        Ok((id, password))
    }

    pub async fn create_user_with_password(
        &self,
        workspace_id: &str,
        email: &str,
        name: &str,
        role: Role,
        password: &str,
    ) -> Result<String, AppError> {
        let hash = hash_password(password.to_owned()).await?;
        Ok(self
            .store
            .create_user(workspace_id, email, name, role.as_str(), &hash, self.now())
            .await?)
    }

    /// Creates an API token; the plain token is returned once and stored hashed.
    pub async fn create_token(&self, workspace_id: &str, name: &str, role: Role) -> Result<String, AppError> {
        let token = format!("hub_{}", random_token(32));
        self.store
            .create_api_token(workspace_id, name, role.as_str(), &hash_secret(&token), self.now())
            .await?;
        Ok(token)
    }

    /// Checks a password. Throttled per address and per client; the answer never says
    /// which of e-mail or password was wrong.
    pub async fn login(&self, email: &str, password: &str, client: &str) -> Result<NewSession, AppError> {
        let now = self.now();
        let email_key = format!("email:{}", email.to_lowercase());
        let client_key = format!("client:{client}");
        if self.throttle.blocked(&email_key, now) || self.throttle.blocked(&client_key, now) {
            return Err(AppError::TooManyRequests);
        }
        let user = self.store.user_by_email(email).await?;
        let ok = match &user {
            Some(u) => verify_password(password.to_owned(), u.password_hash.clone()).await,
            None => {
                // Spend the same time as a real check, so timing does not reveal accounts.
                let _ = hash_password(password.to_owned()).await;
                false
            }
        };
        let Some(user) = user.filter(|_| ok) else {
            self.throttle.fail(&email_key, now);
            self.throttle.fail(&client_key, now);
            return Err(AppError::Unauthorized);
        };
        self.throttle.clear(&email_key);
        let cookie_value = random_token(32);
        let csrf_token = random_token(24);
        self.store
            .create_session(
                &hash_secret(&cookie_value),
                &user.workspace_id,
                &user.id,
                &csrf_token,
                now,
                now + SESSION_TTL_MS,
            )
            .await?;
        self.store
            .audit(&user.workspace_id, &user.id, "login", &user.id, now)
            .await?;
        Ok(NewSession {
            cookie_value,
            csrf_token,
        })
    }

    pub async fn logout(&self, cookie_value: &str) -> Result<(), AppError> {
        Ok(self.store.delete_session(&hash_secret(cookie_value)).await?)
    }

    /// The principal of a session cookie, with the session's CSRF token.
    pub async fn session_principal(&self, cookie_value: &str) -> Result<Option<(Principal, String)>, AppError> {
        let Some((session, user)) = self.store.session(&hash_secret(cookie_value), self.now()).await? else {
            return Ok(None);
        };
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

    pub async fn token_principal(&self, token: &str) -> Result<Option<Principal>, AppError> {
        let Some(t) = self.store.api_token(&hash_secret(token)).await? else {
            return Ok(None);
        };
        Ok(Some(Principal {
            workspace_id: t.workspace_id,
            actor_id: format!("token:{}", t.id),
            user_id: None,
            name: t.name,
            role: Role::parse(&t.role).unwrap_or(Role::Agent),
        }))
    }
}
