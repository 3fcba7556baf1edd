//! Sending WhatsApp replies: `POST {base}/{version}/{phone_number_id}/messages` and
//! mapping the answer (and the Graph error codes of channels.md §2f) to a [`SendOutcome`].

use std::time::Duration;

use serde_json::{json, Value};

use super::WhatsappCredentials;
use crate::http_outcome::{retry_after_header, transport_error_outcome, SEND_TIMEOUT};
use crate::ids::path_segment;
use crate::{OutboundBody, OutboundMessage, SendOutcome};

/// The Graph API version we send with.
pub const GRAPH_API_VERSION: &str = "v21.0";

/// Re-engagement: more than 24 h since the customer's last message.
const WINDOW_CLOSED_CODE: i64 = 131_047;

/// Throughput, pair-rate, maintenance, "something went wrong" and throttling codes.
const RETRYABLE_CODES: [i64; 12] = [
    130_429, 131_056, 131_057, 1, 2, 131_000, 131_016, 80_007, 4, 17, 32, 613,
];

/// Sends one message with the default timeout ([`crate::SEND_TIMEOUT`], 10 s).
pub async fn send(
    http: &reqwest::Client,
    base_url: &str,
    creds: &WhatsappCredentials,
    msg: &OutboundMessage,
) -> SendOutcome {
    send_with_timeout(http, base_url, creds, msg, SEND_TIMEOUT).await
}

/// [`send`] with an explicit per-request timeout.
pub async fn send_with_timeout(
    http: &reqwest::Client,
    base_url: &str,
    creds: &WhatsappCredentials,
    msg: &OutboundMessage,
    timeout: Duration,
) -> SendOutcome {
    let url = format!(
        "{}/{GRAPH_API_VERSION}/{}/messages",
        base_url.trim_end_matches('/'),
        path_segment(&creds.phone_number_id)
    );
    let response = http
        .post(url)
        .bearer_auth(&creds.access_token)
        .json(&request_body(msg))
        .timeout(timeout)
        .send()
        .await;
    let response = match response {
        Ok(response) => response,
        Err(error) => return transport_error_outcome(&error),
    };
    let status = response.status();
    let retry_after = retry_after_header(response.headers());
    let body = match response.bytes().await {
        Ok(bytes) => serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null),
        Err(error) if status.is_success() => return transport_error_outcome(&error),
        Err(_) => Value::Null,
    };
    classify_response(status.as_u16(), retry_after, &body)
}

/// The JSON body of channels.md §2e: `to` with `+`, optional quoted `context`, and our
/// message uuid as `biz_opaque_callback_data` so status webhooks can be correlated.
fn request_body(msg: &OutboundMessage) -> Value {
    let to = if msg.to.starts_with('+') {
        msg.to.clone()
    } else {
        format!("+{}", msg.to)
    };
    let mut body = json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "biz_opaque_callback_data": msg.our_ref,
    });
    match &msg.body {
        OutboundBody::Text(text) => {
            body["type"] = json!("text");
            body["text"] = json!({"preview_url": false, "body": text});
        }
        OutboundBody::Template { name, language } => {
            body["type"] = json!("template");
            body["template"] = json!({"name": name, "language": {"code": language}});
        }
    }
    if let Some(quoted) = &msg.quote_message_id {
        body["context"] = json!({"message_id": quoted});
    }
    body
}

fn classify_response(status: u16, retry_after: Option<Duration>, body: &Value) -> SendOutcome {
    if (200..300).contains(&status) {
        return match body.pointer("/messages/0/id").and_then(Value::as_str) {
            Some(id) => SendOutcome::Accepted {
                platform_message_id: id.to_string(),
            },
            None => SendOutcome::Uncertain {
                reason: format!("HTTP {status} without messages[0].id"),
            },
        };
    }
    let error = body.get("error");
    let code = error.and_then(|e| e.get("code")).and_then(Value::as_i64);
    let is_transient = error.and_then(|e| e.get("is_transient")).and_then(Value::as_bool) == Some(true);
    let reason = error_reason(status, error);
    match code {
        Some(WINDOW_CLOSED_CODE) => SendOutcome::Failed {
            code: WINDOW_CLOSED_CODE.to_string(),
            reason,
        },
        Some(code) if RETRYABLE_CODES.contains(&code) => SendOutcome::Retry {
            after: retry_after,
            reason,
        },
        _ if status == 429 || status >= 500 || is_transient => SendOutcome::Retry {
            after: retry_after,
            reason,
        },
        Some(code) => SendOutcome::Failed {
            code: code.to_string(),
            reason,
        },
        None => SendOutcome::Failed {
            code: format!("http_{status}"),
            reason,
        },
    }
}

/// "HTTP 400: (#131047) Re-engagement message: <details>".
fn error_reason(status: u16, error: Option<&Value>) -> String {
    let text_at = |pointer: &str| {
        error
            .and_then(|e| e.pointer(pointer))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let mut reason = format!("HTTP {status}");
    if let Some(message) = text_at("/message") {
        reason = format!("{reason}: {message}");
    }
    if let Some(details) = text_at("/error_data/details") {
        reason = format!("{reason}: {details}");
    }
    reason
}

#[cfg(test)]
#[path = "outbound_tests.rs"]
mod tests;
