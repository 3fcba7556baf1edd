//! Facebook and Instagram profile credentials: parsed and checked once (ids by shape,
//! secrets non-empty, unknown keys refused), with `Debug` that never shows a secret.

use serde::{Deserialize, Serialize};

use crate::ids::IdShape;

/// Why credentials were refused, as a sentence naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid credentials: {0}")]
pub struct CredentialsError(pub String);

/// What one Facebook Page needs (Messenger and Page comments).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacebookCredentials {
    /// The Page id: `entry[].id`, `recipient.id` and the send path segment.
    pub page_id: String,
    /// Page access token for `Authorization: Bearer`.
    pub page_access_token: String,
    /// The app secret that signs webhook deliveries.
    pub app_secret: String,
    /// The token we chose for the GET verification handshake.
    pub verify_token: String,
}

/// What one Instagram professional account needs. With `page_id` it sends through
/// the Graph API host (Facebook Login); without, through the Instagram host.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstagramCredentials {
    /// The Instagram account id: `entry[].id`, `recipient.id`.
    pub account_id: String,
    /// Instagram user token (Instagram Login) or Page token (Facebook Login).
    pub access_token: String,
    pub app_secret: String,
    pub verify_token: String,
    /// The linked Facebook Page (Facebook Login apps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_id: Option<String>,
}

impl FacebookCredentials {
    /// Parses and checks credentials given as JSON (at profile creation).
    pub fn from_json(value: &serde_json::Value) -> Result<Self, CredentialsError> {
        let creds: Self = serde_json::from_value(value.clone()).map_err(|e| CredentialsError(e.to_string()))?;
        creds.validate()?;
        Ok(creds)
    }

    /// `page_id` digits; token, secret and verify token non-empty.
    pub fn validate(&self) -> Result<(), CredentialsError> {
        check_id("page_id", &self.page_id)?;
        non_empty("page_access_token", &self.page_access_token)?;
        non_empty("app_secret", &self.app_secret)?;
        non_empty("verify_token", &self.verify_token)
    }
}

impl InstagramCredentials {
    /// Parses and checks credentials given as JSON (at profile creation).
    pub fn from_json(value: &serde_json::Value) -> Result<Self, CredentialsError> {
        let creds: Self = serde_json::from_value(value.clone()).map_err(|e| CredentialsError(e.to_string()))?;
        creds.validate()?;
        Ok(creds)
    }

    /// `account_id` (and `page_id` when given) digits; the rest non-empty.
    pub fn validate(&self) -> Result<(), CredentialsError> {
        check_id("account_id", &self.account_id)?;
        if let Some(page_id) = &self.page_id {
            check_id("page_id", page_id)?;
        }
        non_empty("access_token", &self.access_token)?;
        non_empty("app_secret", &self.app_secret)?;
        non_empty("verify_token", &self.verify_token)
    }
}

fn check_id(field: &str, id: &str) -> Result<(), CredentialsError> {
    IdShape::MetaNumeric
        .check(field, id.to_string())
        .map(drop)
        .map_err(CredentialsError)
}

fn non_empty(field: &str, value: &str) -> Result<(), CredentialsError> {
    if value.trim().is_empty() {
        Err(CredentialsError(format!("`{field}` is empty")))
    } else {
        Ok(())
    }
}

impl std::fmt::Debug for FacebookCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FacebookCredentials")
            .field("page_id", &self.page_id)
            .field("page_access_token", &"<redacted>")
            .field("app_secret", &"<redacted>")
            .field("verify_token", &"<redacted>")
            .finish()
    }
}

impl std::fmt::Debug for InstagramCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstagramCredentials")
            .field("account_id", &self.account_id)
            .field("access_token", &"<redacted>")
            .field("app_secret", &"<redacted>")
            .field("verify_token", &"<redacted>")
            .field("page_id", &self.page_id)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn facebook_credentials_are_checked_and_redacted() {
        let creds = FacebookCredentials::from_json(&json!({"page_id": "112233445566778",
            "page_access_token": "EAApagetoken", "app_secret": "s3cret", "verify_token": "vt-geheim"}))
        .unwrap();
        let shown = format!("{creds:?}");
        assert!(shown.contains("112233445566778"));
        for secret in ["EAApagetoken", "s3cret", "vt-geheim"] {
            assert!(!shown.contains(secret), "{secret}");
        }
        for bad in [
            json!({"page_id": "../me", "page_access_token": "t", "app_secret": "s", "verify_token": "v"}),
            json!({"page_id": "1", "page_access_token": "", "app_secret": "s", "verify_token": "v"}),
            json!({"page_id": "1", "page_access_token": "t", "app_secret": " ", "verify_token": "v"}),
            json!({"page_id": "1", "page_access_token": "t", "app_secret": "s"}),
            json!({"page_id": "1", "page_access_token": "t", "app_secret": "s", "verify_token": "v", "x": 1}),
            json!({"page_id": 1, "page_access_token": "t", "app_secret": "s", "verify_token": "v"}),
        ] {
            assert!(FacebookCredentials::from_json(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn instagram_credentials_take_an_optional_page() {
        let base = json!({"account_id": "17841400123456789", "access_token": "IGtoken",
            "app_secret": "s3cret", "verify_token": "vt"});
        let creds = InstagramCredentials::from_json(&base).unwrap();
        assert_eq!(creds.page_id, None);
        let shown = format!("{creds:?}");
        assert!(!shown.contains("IGtoken") && !shown.contains("s3cret"));
        let mut with_page = base.clone();
        with_page["page_id"] = json!("112233445566778");
        assert_eq!(
            InstagramCredentials::from_json(&with_page).unwrap().page_id.as_deref(),
            Some("112233445566778")
        );
        with_page["page_id"] = json!("me/feed");
        assert!(InstagramCredentials::from_json(&with_page).is_err());
        let mut bad_account = base;
        bad_account["account_id"] = json!("17841400123456789?x");
        assert!(InstagramCredentials::from_json(&bad_account).is_err());
    }
}
