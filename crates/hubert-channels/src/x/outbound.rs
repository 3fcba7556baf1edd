//! Sending on X through API v2: public replies (`POST /2/tweets`) and DMs
//! (`POST /2/dm_conversations/with/:id/messages`), with the 280-weighted-character
//! check done locally and the rate-limit headers turned into retry times.

use std::time::Duration;

use hubert_core::text::x_weighted_len;
use serde_json::{json, Value};

use super::XCredentials;
use crate::http_outcome::{integer_header, now_epoch_secs, retry_after_header, transport_error_outcome, SEND_TIMEOUT};
use crate::ids::{path_segment, IdShape};
use crate::{OutboundBody, OutboundMessage, ReplyContext, SendOutcome};

/// A public post may weigh at most this much (see [`x_weighted_len`]).
pub const POST_MAX_WEIGHTED_LEN: usize = 280;
/// A DM may be at most this many characters (unverified platform limit).
pub const DM_MAX_CHARS: usize = 10_000;

/// Sends one message with the default timeout ([`crate::SEND_TIMEOUT`], 10 s).
pub async fn send(http: &reqwest::Client, base_url: &str, creds: &XCredentials, msg: &OutboundMessage) -> SendOutcome {
    send_with_timeout(http, base_url, creds, msg, SEND_TIMEOUT).await
}

/// [`send`] with an explicit per-request timeout.
pub async fn send_with_timeout(
    http: &reqwest::Client,
    base_url: &str,
    creds: &XCredentials,
    msg: &OutboundMessage,
    timeout: Duration,
) -> SendOutcome {
    let text = match &msg.body {
        OutboundBody::Text(text) => text,
        OutboundBody::Template { .. } => {
            return SendOutcome::Failed {
                code: "unsupported".into(),
                reason: "X has no message templates".into(),
            }
        }
    };
    if let Err(refusal) = check_length(&msg.context, text) {
        return refusal;
    }
    if let Err(refusal) = check_ids(msg) {
        return refusal;
    }
    let base_url = base_url.trim_end_matches('/');
    let (url, body, id_pointer) = match &msg.context {
        ReplyContext::PublicPost { post_id } => (
            format!("{base_url}/2/tweets"),
            json!({"text": text, "reply": {"in_reply_to_tweet_id": post_id}}),
            "/data/id",
        ),
        ReplyContext::Private => (
            format!("{base_url}/2/dm_conversations/with/{}/messages", path_segment(&msg.to)),
            json!({"text": text}),
            "/data/dm_event_id",
        ),
        ReplyContext::PublicComment { .. } => return comment_context_refused(),
    };
    let response = http
        .post(url)
        .bearer_auth(&creds.access_token)
        .json(&body)
        .timeout(timeout)
        .send()
        .await;
    let response = match response {
        Ok(response) => response,
        Err(error) => return transport_error_outcome(&error),
    };
    let status = response.status().as_u16();
    let after = retry_wait(status, response.headers());
    let body = match response.bytes().await {
        Ok(bytes) => serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null),
        Err(error) if (200..300).contains(&status) => return transport_error_outcome(&error),
        Err(_) => Value::Null,
    };
    classify_response(status, after, &body, id_pointer)
}

/// Refuses locally (no request) a recipient or post id that is not an X id: such an id
/// could only come from a crafted delivery, and must never shape a request.
fn check_ids(msg: &OutboundMessage) -> Result<(), SendOutcome> {
    let post_id = match &msg.context {
        ReplyContext::PublicPost { post_id } => Some(post_id.as_str()),
        ReplyContext::Private => None,
        ReplyContext::PublicComment { .. } => return Err(comment_context_refused()),
    };
    let bad = match post_id {
        Some(id) if !IdShape::XNumeric.matches(id) => Some("post"),
        None if !IdShape::XNumeric.matches(&msg.to) => Some("recipient"),
        _ => None,
    };
    match bad {
        Some(what) => Err(SendOutcome::Failed {
            code: "invalid_id".into(),
            reason: format!("the {what} id is not an X id"),
        }),
        None => Ok(()),
    }
}

/// X has no comment threads (Facebook/Instagram only): refused locally.
fn comment_context_refused() -> SendOutcome {
    SendOutcome::Failed {
        code: "invalid_context".into(),
        reason: "X has no comment replies".into(),
    }
}

/// Refuses locally (no request) what X would refuse for its length.
fn check_length(context: &ReplyContext, text: &str) -> Result<(), SendOutcome> {
    let (too_long, limit) = match context {
        ReplyContext::PublicPost { .. } | ReplyContext::PublicComment { .. } => {
            let weighted = x_weighted_len(text);
            (
                weighted > POST_MAX_WEIGHTED_LEN,
                format!("{weighted} weighted characters, max {POST_MAX_WEIGHTED_LEN}"),
            )
        }
        ReplyContext::Private => {
            let chars = text.chars().count();
            (chars > DM_MAX_CHARS, format!("{chars} characters, max {DM_MAX_CHARS}"))
        }
    };
    if text.trim().is_empty() {
        return Err(SendOutcome::Failed {
            code: "empty".into(),
            reason: "X refuses empty text".into(),
        });
    }
    if too_long {
        return Err(SendOutcome::Failed {
            code: "too_long".into(),
            reason: format!("text too long: {limit}"),
        });
    }
    Ok(())
}

/// How long to wait before retrying: on 429 `x-rate-limit-reset` (epoch seconds) minus
/// now, else `Retry-After`. The reset header rides on every response, so other statuses
/// only honour `Retry-After`.
fn retry_wait(status: u16, headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let until_reset = integer_header(headers, "x-rate-limit-reset")
        .map(|reset| Duration::from_secs(reset.saturating_sub(now_epoch_secs()).max(0) as u64));
    match status {
        429 => until_reset.or_else(|| retry_after_header(headers)),
        _ => retry_after_header(headers),
    }
}

fn classify_response(status: u16, after: Option<Duration>, body: &Value, id_pointer: &str) -> SendOutcome {
    if (200..300).contains(&status) {
        if let Some(id) = body.pointer(id_pointer).and_then(Value::as_str) {
            return SendOutcome::Accepted {
                platform_message_id: id.to_string(),
            };
        }
        if body.get("errors").is_some() {
            return SendOutcome::Failed {
                code: format!("http_{status}"),
                reason: problem_reason(status, body),
            };
        }
        return SendOutcome::Uncertain {
            reason: format!("HTTP {status} without {id_pointer}"),
        };
    }
    let reason = problem_reason(status, body);
    if status == 429 || status >= 500 {
        return SendOutcome::Retry { after, reason };
    }
    SendOutcome::Failed {
        code: problem_code(status, body),
        reason,
    }
}

/// The problem `type`'s last segment (e.g. `client-forbidden`), else the v1 error code,
/// else `http_<status>`.
fn problem_code(status: u16, body: &Value) -> String {
    let from_type = body
        .get("type")
        .and_then(Value::as_str)
        .and_then(|t| t.rsplit('/').next())
        .filter(|segment| !segment.is_empty() && *segment != "about:blank");
    let from_errors = body
        .pointer("/errors/0/code")
        .and_then(|c| c.as_i64())
        .map(|c| c.to_string());
    from_type
        .map(str::to_string)
        .or(from_errors)
        .unwrap_or_else(|| format!("http_{status}"))
}

/// "HTTP 403: <detail or title or errors[0].message>".
fn problem_reason(status: u16, body: &Value) -> String {
    let text = ["/detail", "/title", "/errors/0/detail", "/errors/0/message"]
        .iter()
        .find_map(|p| body.pointer(p).and_then(Value::as_str).filter(|s| !s.is_empty()));
    match text {
        Some(text) => format!("HTTP {status}: {text}"),
        None => format!("HTTP {status}"),
    }
}

#[cfg(test)]
#[path = "outbound_tests.rs"]
mod tests;
