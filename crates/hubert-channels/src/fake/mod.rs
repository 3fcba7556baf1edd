//! Local stand-ins for the platforms (cargo feature `fake`), for tests, the demo and
//! benchmarks: signing helpers, payload builders that produce the exact bytes a
//! platform would POST, and HTTP servers ([`FakeGraph`], [`FakeX`]) that answer the
//! send APIs, record every request and inject faults. Fidelity list: channels.md §9.

mod graph;
pub(crate) mod server;
pub mod whatsapp_payload;
pub mod x_payload;
mod x_server;

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub use graph::{FakeGraph, WindowMode};
pub use server::{RecordedRequest, ScriptedResponse};
pub use x_server::FakeX;

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
    }
}
