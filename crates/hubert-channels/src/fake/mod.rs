//! Local stand-ins for the platforms (cargo feature `fake`), for tests, the demo and
//! benchmarks: signing helpers, payload builders that produce the exact bytes a
//! platform would POST, and HTTP servers ([`FakeGraph`], [`FakeX`], [`FakeLinkedin`],
//! [`FakeMeta`] for Facebook and Instagram) that answer the send APIs, record every
//! request and inject faults. Fidelity list: channels.md §9.

mod fakes;
mod graph;
pub mod linkedin_payload;
mod linkedin_server;
mod meta_graph;
pub mod meta_payload;
mod meta_platform;
mod meta_webhook;
pub(crate) mod server;
pub mod whatsapp_payload;
pub mod x_payload;
mod x_server;

use std::any::Any;
use std::sync::Arc;

use base64::Engine;
use hmac::{Hmac, Mac};
use hubert_core::Clock;
use sha2::Sha256;

use crate::channel::{ApiHost, GRAPH_HOST, LINKEDIN_HOST, X_HOST};

pub use fakes::Fakes;
pub use graph::{FakeGraph, WindowMode, FAKE_MEDIA_JPEG};
pub use linkedin_server::FakeLinkedin;
pub use meta_graph::{FakeMeta, FakeNetwork};
pub use meta_webhook::{DeliveryReport, MetaWebhook};
pub use server::{RecordedRequest, ScriptedResponse};
pub use x_server::FakeX;

/// A running fake platform, as the registry hands it out ([`crate::Channel::start_fake`]).
/// Downcast with [`FakePlatform::as_any`] for the platform's own controls.
pub trait FakePlatform: Send + Sync + 'static {
    /// The API hosts it stands in for (point them at [`FakePlatform::base_url`]).
    fn hosts(&self) -> &'static [ApiHost];
    /// `http://127.0.0.1:<port>`.
    fn base_url(&self) -> String;
    /// Time for windows and timestamps (share the app's fake clock).
    fn set_clock(&self, clock: Arc<dyn Clock>);
    /// Every request received so far, oldest first.
    fn requests(&self) -> Vec<RecordedRequest>;
    fn clear_requests(&self);
    /// The header and value the platform would sign `body` with.
    fn sign_delivery(&self, secret: &str, body: &[u8]) -> (&'static str, String);
    fn shutdown(&self);
    fn as_any(&self) -> &dyn Any;
}

impl FakePlatform for FakeGraph {
    fn hosts(&self) -> &'static [ApiHost] {
        &[GRAPH_HOST]
    }
    fn base_url(&self) -> String {
        FakeGraph::base_url(self)
    }
    fn set_clock(&self, clock: Arc<dyn Clock>) {
        FakeGraph::set_clock(self, clock)
    }
    fn requests(&self) -> Vec<RecordedRequest> {
        FakeGraph::requests(self)
    }
    fn clear_requests(&self) {
        FakeGraph::clear_requests(self)
    }
    fn sign_delivery(&self, secret: &str, body: &[u8]) -> (&'static str, String) {
        (crate::whatsapp::SIGNATURE_HEADER, sign_meta(secret, body))
    }
    fn shutdown(&self) {
        FakeGraph::shutdown(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl FakePlatform for FakeX {
    fn hosts(&self) -> &'static [ApiHost] {
        &[X_HOST]
    }
    fn base_url(&self) -> String {
        FakeX::base_url(self)
    }
    fn set_clock(&self, clock: Arc<dyn Clock>) {
        FakeX::set_clock(self, clock)
    }
    fn requests(&self) -> Vec<RecordedRequest> {
        FakeX::requests(self)
    }
    fn clear_requests(&self) {
        FakeX::clear_requests(self)
    }
    fn sign_delivery(&self, secret: &str, body: &[u8]) -> (&'static str, String) {
        (crate::x::SIGNATURE_HEADER, sign_x(secret, body))
    }
    fn shutdown(&self) {
        FakeX::shutdown(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl FakePlatform for FakeLinkedin {
    fn hosts(&self) -> &'static [ApiHost] {
        &[LINKEDIN_HOST]
    }
    fn base_url(&self) -> String {
        FakeLinkedin::base_url(self)
    }
    fn set_clock(&self, clock: Arc<dyn Clock>) {
        FakeLinkedin::set_clock(self, clock)
    }
    fn requests(&self) -> Vec<RecordedRequest> {
        FakeLinkedin::requests(self)
    }
    fn clear_requests(&self) {
        FakeLinkedin::clear_requests(self)
    }
    /// Reading 1 of channels.md §6b (the verifier accepts both).
    fn sign_delivery(&self, secret: &str, body: &[u8]) -> (&'static str, String) {
        (
            crate::linkedin::SIGNATURE_HEADER,
            sign_linkedin(secret, body, SignatureReading::Prefixed),
        )
    }
    fn shutdown(&self) {
        FakeLinkedin::shutdown(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn hmac_sha256(secret: &str, body: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// The `X-Hub-Signature-256` value Meta would send: `sha256=<lowercase hex>`.
pub fn sign_meta(secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hex::encode(hmac_sha256(secret, body)))
}

/// The `x-twitter-webhooks-signature` value X would send: `sha256=<base64>`.
pub fn sign_x(secret: &str, body: &[u8]) -> String {
    format!(
        "sha256={}",
        base64::engine::general_purpose::STANDARD.encode(hmac_sha256(secret, body))
    )
}

/// Which reading of channels.md §6b a LinkedIn signature follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureReading {
    /// Reading 1 (the literal documentation): hex HMAC of `"hmacsha256=" + body`.
    #[default]
    Prefixed,
    /// Reading 2: `hmacsha256=` + hex HMAC of the body alone.
    Plain,
}

/// The `X-LI-Signature` value LinkedIn would send, in the given reading.
pub fn sign_linkedin(client_secret: &str, body: &[u8], reading: SignatureReading) -> String {
    match reading {
        SignatureReading::Prefixed => {
            let mut input = crate::linkedin::SIGNATURE_PREFIX.as_bytes().to_vec();
            input.extend_from_slice(body);
            hex::encode(hmac_sha256(client_secret, &input))
        }
        SignatureReading::Plain => format!(
            "{}{}",
            crate::linkedin::SIGNATURE_PREFIX,
            hex::encode(hmac_sha256(client_secret, body))
        ),
    }
}

/// POSTs a signed LinkedIn delivery (as LinkedIn would) and returns the HTTP status.
pub async fn post_linkedin_webhook(
    http: &reqwest::Client,
    url: &str,
    client_secret: &str,
    body: Vec<u8>,
    reading: SignatureReading,
) -> Result<u16, reqwest::Error> {
    let signature = sign_linkedin(client_secret, &body, reading);
    let response = http
        .post(url)
        .header("content-type", "application/json")
        .header(crate::linkedin::SIGNATURE_HEADER, signature)
        .body(body)
        .send()
        .await?;
    Ok(response.status().as_u16())
}

/// POSTs a signed Meta webhook delivery (as Meta would) and returns the HTTP status.
pub async fn post_meta_webhook(
    http: &reqwest::Client,
    url: &str,
    app_secret: &str,
    body: Vec<u8>,
) -> Result<u16, reqwest::Error> {
    let signature = sign_meta(app_secret, &body);
    let response = http
        .post(url)
        .header("content-type", "application/json")
        .header(crate::whatsapp::SIGNATURE_HEADER, signature)
        .body(body)
        .send()
        .await?;
    Ok(response.status().as_u16())
}

/// POSTs a signed X Account Activity delivery (as X would) and returns the HTTP status.
pub async fn post_x_webhook(
    http: &reqwest::Client,
    url: &str,
    consumer_secret: &str,
    body: Vec<u8>,
) -> Result<u16, reqwest::Error> {
    let signature = sign_x(consumer_secret, &body);
    let response = http
        .post(url)
        .header("content-type", "application/json")
        .header(crate::x::SIGNATURE_HEADER, signature)
        .body(body)
        .send()
        .await?;
    Ok(response.status().as_u16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signers_match_the_design_doc_vectors() {
        assert_eq!(
            sign_meta("meta-app-secret", br#"{"object":"page","entry":[]}"#),
            "sha256=5dcb51eb590634700c8d9cc1fde4d2d5981ca7bb83f250eb3fb71bfd849057ed"
        );
        assert_eq!(
            sign_x(
                "x-consumer-secret",
                br#"{"for_user_id":"1600000000000000001","favorite_events":[]}"#
            ),
            "sha256=6/wZCKS0afdzLDUKhCs7w02lujC6zZ/ONNq50EPXTt8="
        );
        let li_body = br#"{"type":"ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS","notifications":[]}"#;
        assert_eq!(
            sign_linkedin("li-client-secret", li_body, SignatureReading::Prefixed),
            "b16bb3f667e1aa0c637fdee295bb40e387af021a39c0d4a26c8970f71bd1c011"
        );
        assert_eq!(
            sign_linkedin("li-client-secret", li_body, SignatureReading::Plain),
            "hmacsha256=4456294421cbd1147f0fd939b17f540599ee9abb483b3df42f332e18c8c3161f"
        );
    }
}
