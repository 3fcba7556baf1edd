//! [`MetaWebhook`]: the delivering side of a fake Meta app. Performs the GET
//! verification handshake as Meta does (random integer challenge, plain-text echo
//! expected), POSTs signed deliveries (optionally with the legacy `X-Hub-Signature`
//! header), retries a delivery on every non-200 (so the receiver sees duplicates),
//! can send the same bytes twice, and unsubscribes after N consecutive failures, as
//! Messenger and Instagram do after an hour of failures. channels.md §1(d), §9.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;

use hmac::{Hmac, Mac};

/// What happened to one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    /// The HTTP status of every attempt, in order (0: the request failed).
    pub statuses: Vec<u16>,
    /// The subscription was dropped (this or an earlier delivery failed too often).
    pub unsubscribed: bool,
}

impl DeliveryReport {
    /// True when an attempt was answered 200.
    pub fn delivered(&self) -> bool {
        self.statuses.last() == Some(&200)
    }
}

/// A fake Meta app delivering to one callback URL. Clones share the failure count.
#[derive(Debug, Clone)]
pub struct MetaWebhook {
    http: reqwest::Client,
    url: String,
    app_secret: String,
    attempts: u32,
    unsubscribe_after: Option<u32>,
    legacy_header: bool,
    failures: Arc<AtomicU32>,
    unsubscribed: Arc<AtomicBool>,
}

impl MetaWebhook {
    /// Delivers to `url`, signing with `app_secret`; one attempt, never unsubscribes.
    pub fn new(url: &str, app_secret: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            url: url.to_string(),
            app_secret: app_secret.to_string(),
            attempts: 1,
            unsubscribe_after: None,
            legacy_header: false,
            failures: Arc::new(AtomicU32::new(0)),
            unsubscribed: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Up to `attempts` POSTs of the same bytes while the answer is not 200.
    pub fn with_retries(mut self, attempts: u32) -> Self {
        self.attempts = attempts.max(1);
        self
    }

    /// Stop delivering after `failures` consecutive failed attempts.
    pub fn unsubscribe_after(mut self, failures: u32) -> Self {
        self.unsubscribe_after = Some(failures);
        self
    }

    /// Also send the legacy `X-Hub-Signature: sha1=<hex>` header.
    pub fn with_legacy_header(mut self) -> Self {
        self.legacy_header = true;
        self
    }

    pub fn is_unsubscribed(&self) -> bool {
        self.unsubscribed.load(Ordering::SeqCst)
    }

    /// The GET handshake: true when the receiver echoed our challenge as plain text.
    pub async fn verify(&self, verify_token: &str) -> Result<bool, reqwest::Error> {
        let challenge = (rand::random::<u32>() | 1).to_string();
        let response = self
            .http
            .get(&self.url)
            .query(&[
                ("hub.mode", "subscribe"),
                ("hub.verify_token", verify_token),
                ("hub.challenge", challenge.as_str()),
            ])
            .send()
            .await?;
        let ok = response.status().as_u16() == 200;
        Ok(ok && response.text().await? == challenge)
    }

    /// POSTs one signed delivery, retrying on non-200 as configured.
    pub async fn deliver(&self, body: &[u8]) -> DeliveryReport {
        let mut statuses = Vec::new();
        for _ in 0..self.attempts {
            if self.is_unsubscribed() {
                break;
            }
            let status = self.post_once(body).await;
            statuses.push(status);
            if status == 200 {
                self.failures.store(0, Ordering::SeqCst);
                break;
            }
            let failures = self.failures.fetch_add(1, Ordering::SeqCst) + 1;
            if self.unsubscribe_after.is_some_and(|limit| failures >= limit) {
                self.unsubscribed.store(true, Ordering::SeqCst);
            }
        }
        DeliveryReport {
            statuses,
            unsubscribed: self.is_unsubscribed(),
        }
    }

    /// Delivers the same bytes twice (at-least-once delivery).
    pub async fn deliver_twice(&self, body: &[u8]) -> (DeliveryReport, DeliveryReport) {
        let first = self.deliver(body).await;
        let second = self.deliver(body).await;
        (first, second)
    }

    async fn post_once(&self, body: &[u8]) -> u16 {
        let mut request = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .header(crate::meta::SIGNATURE_HEADER, super::sign_meta(&self.app_secret, body));
        if self.legacy_header {
            request = request.header("X-Hub-Signature", legacy_signature(&self.app_secret, body));
        }
        match request.body(body.to_vec()).send().await {
            Ok(response) => response.status().as_u16(),
            Err(_) => 0,
        }
    }
}

/// The legacy `X-Hub-Signature: sha1=<hex>` value (HMAC-SHA1 of the body). Hubert
/// verifies only the SHA-256 header; receivers just meet this one.
fn legacy_signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha1={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use axum::body::Bytes;
    use axum::extract::{Query, State};
    use axum::http::{HeaderMap, StatusCode};
    use axum::routing::get;
    use axum::Router;

    use super::*;
    use crate::fake::meta_payload::{messenger_text, PAGE_ID};
    use crate::fake::server::ServerHandle;
    use crate::meta::{facebook, verify_handshake, verify_signature};

    #[derive(Default)]
    struct Receiver {
        answers: Mutex<Vec<u16>>,
        received: Mutex<Vec<Vec<u8>>>,
    }

    async fn handshake(Query(query): Query<HashMap<String, String>>) -> (StatusCode, String) {
        match verify_handshake(&query, "geheim") {
            Some(challenge) => (StatusCode::OK, challenge),
            None => (StatusCode::FORBIDDEN, String::new()),
        }
    }

    async fn receive(State(receiver): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> StatusCode {
        let signature = headers.get("x-hub-signature-256").and_then(|v| v.to_str().ok());
        if verify_signature("app-secret", signature, &body).is_err() {
            return StatusCode::UNAUTHORIZED;
        }
        assert!(headers.get("x-hub-signature").is_some());
        receiver.received.lock().unwrap().push(body.to_vec());
        let next = receiver.answers.lock().unwrap().pop();
        StatusCode::from_u16(next.unwrap_or(200)).unwrap()
    }

    #[tokio::test]
    async fn handshake_retries_duplicates_and_unsubscribing() {
        let receiver = Arc::new(Receiver::default());
        let router = Router::new()
            .route("/hook", get(handshake).post(receive))
            .with_state(receiver.clone());
        let server = ServerHandle::start(router).await;
        let url = format!("{}/hook", server.base_url());
        let hook = MetaWebhook::new(&url, "app-secret")
            .with_retries(3)
            .unsubscribe_after(4)
            .with_legacy_header();
        assert!(hook.verify("geheim").await.unwrap());
        assert!(!hook.verify("fout").await.unwrap());

        let body = messenger_text(PAGE_ID, "7012345678901234", "m_1", 1_767_261_600_000, "hoi");
        receiver.answers.lock().unwrap().extend([200, 500]);
        let report = hook.deliver(&body).await;
        assert_eq!(report.statuses, vec![500, 200]);
        assert!(report.delivered());
        let received = receiver.received.lock().unwrap().clone();
        assert_eq!(received.len(), 2, "the retry is a duplicate");
        assert!(received.iter().all(|b| facebook::parse(b).unwrap().len() == 1));

        receiver.answers.lock().unwrap().extend([500, 500, 500, 500, 500]);
        let report = hook.deliver(&body).await;
        assert_eq!(report.statuses, vec![500, 500, 500]);
        let report = hook.deliver(&body).await;
        assert_eq!(report.statuses, vec![500]);
        assert!(report.unsubscribed && hook.is_unsubscribed());
        assert!(hook.deliver(&body).await.statuses.is_empty());
    }
}
