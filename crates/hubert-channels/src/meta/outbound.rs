//! Sending on Facebook and Instagram: private messages (with the messaging-window rule),
//! public replies under a comment, private replies to a comment, hiding comments.
//! [`plan_facebook`] / [`plan_instagram`] build the request purely (every id checked by
//! shape, every path segment encoded, limits enforced before sending); [`send_facebook`]
//! / [`send_instagram`] perform it and map the answer to a [`SendOutcome`].

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::{json, Value};

use super::graph_errors::{classify_graph_error, FailureCode};
use super::window::{messaging_window, MessagingWindow};
use super::{FacebookCredentials, InstagramCredentials, GRAPH_API_VERSION};
use crate::http_outcome::{retry_after_header, transport_error_outcome, SEND_TIMEOUT};
use crate::ids::{path_segment, IdShape};
use crate::SendOutcome;

/// Messenger text limit (2000 characters; widely cited, unverified).
pub const MESSENGER_MAX_CHARS: usize = 2000;
/// Instagram DM limit: 1000 bytes of UTF-8.
pub const INSTAGRAM_DM_MAX_BYTES: usize = 1000;
/// Instagram private replies: within 7 days of the comment.
pub const PRIVATE_REPLY_WINDOW_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// One thing to do on the platform. Times are epoch ms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetaAction {
    /// A private message to a PSID / IGSID. The window (and with it `RESPONSE` or the
    /// `HUMAN_AGENT` tag) follows from `last_customer_message_at` and `now`.
    Message {
        recipient_id: String,
        text: String,
        /// The customer's message this answers (`reply_to.mid`).
        reply_to_mid: Option<String>,
        last_customer_message_at: Option<i64>,
        now: i64,
    },
    /// A public reply under a comment.
    PublicReply { comment_id: String, text: String },
    /// A private reply to a comment (once per comment: the caller enforces that).
    /// `comment_created_at` lets Instagram's 7-day rule be checked before sending.
    PrivateReply {
        comment_id: String,
        text: String,
        comment_created_at: Option<i64>,
        now: i64,
    },
    /// Hide (`true`) or unhide a comment.
    SetHidden { comment_id: String, hidden: bool },
}

/// A request ready to send: `POST {base}{path}` with a JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRequest {
    pub base_url: String,
    /// `/v21.0/<encoded id>/messages` and the like.
    pub path: String,
    pub body: Value,
    /// The id reported as accepted when the answer is `{"success": true}` (hide).
    pub success_id: Option<String>,
}

/// Plans a Facebook action (`graph_url`: the Graph API base), or the outcome that
/// makes sending pointless (window closed, too long, a bad id).
pub fn plan_facebook(
    graph_url: &str,
    creds: &FacebookCredentials,
    action: &MetaAction,
) -> Result<PlannedRequest, SendOutcome> {
    let page = checked(IdShape::MetaNumeric, &creds.page_id)?;
    match action {
        MetaAction::Message {
            recipient_id,
            text,
            reply_to_mid,
            last_customer_message_at,
            now,
        } => {
            check_text(text, text.chars().count() > MESSENGER_MAX_CHARS)?;
            let mut body = json!({"recipient": {"id": checked(IdShape::MetaNumeric, recipient_id)?},
                "message": {"text": text}});
            apply_window(&mut body, messaging_window(*last_customer_message_at, *now), true)?;
            if let Some(mid) = reply_to_mid {
                body["reply_to"] = json!({"mid": checked(IdShape::MetaMessage, mid)?});
            }
            Ok(planned(graph_url, &[&page, "messages"], body))
        }
        MetaAction::PublicReply { comment_id, text } => {
            check_text(text, false)?;
            let comment = checked(IdShape::MetaObject, comment_id)?;
            Ok(planned(graph_url, &[&comment, "comments"], json!({"message": text})))
        }
        MetaAction::PrivateReply { comment_id, text, .. } => {
            check_text(text, text.chars().count() > MESSENGER_MAX_CHARS)?;
            let comment = checked(IdShape::MetaObject, comment_id)?;
            let body = json!({"recipient": {"comment_id": comment}, "message": {"text": text}});
            Ok(planned(graph_url, &[&page, "messages"], body))
        }
        MetaAction::SetHidden { comment_id, hidden } => {
            let comment = checked(IdShape::MetaObject, comment_id)?;
            let mut plan = planned(graph_url, &[&comment], json!({"is_hidden": hidden}));
            plan.success_id = Some(comment);
            Ok(plan)
        }
    }
}

/// Plans an Instagram action. With `creds.page_id` messages go through the Graph host
/// as `/{page-id}/messages`; without, through the Instagram host as
/// `/{account-id}/messages`. DMs are limited to 1000 bytes.
pub fn plan_instagram(
    graph_url: &str,
    instagram_url: &str,
    creds: &InstagramCredentials,
    action: &MetaAction,
) -> Result<PlannedRequest, SendOutcome> {
    let (base, sender) = match &creds.page_id {
        Some(page) => (graph_url, checked(IdShape::MetaNumeric, page)?),
        None => (instagram_url, checked(IdShape::MetaNumeric, &creds.account_id)?),
    };
    match action {
        MetaAction::Message {
            recipient_id,
            text,
            reply_to_mid,
            last_customer_message_at,
            now,
        } => {
            check_text(text, text.len() > INSTAGRAM_DM_MAX_BYTES)?;
            let mut body = json!({"recipient": {"id": checked(IdShape::MetaNumeric, recipient_id)?},
                "message": {"text": text}});
            apply_window(&mut body, messaging_window(*last_customer_message_at, *now), false)?;
            if let Some(mid) = reply_to_mid {
                body["reply_to"] = json!({"mid": checked(IdShape::MetaMessage, mid)?});
            }
            Ok(planned(base, &[&sender, "messages"], body))
        }
        MetaAction::PublicReply { comment_id, text } => {
            check_text(text, false)?;
            let comment = checked(IdShape::MetaNumeric, comment_id)?;
            Ok(planned(base, &[&comment, "replies"], json!({"message": text})))
        }
        MetaAction::PrivateReply {
            comment_id,
            text,
            comment_created_at,
            now,
        } => {
            check_text(text, text.len() > INSTAGRAM_DM_MAX_BYTES)?;
            if comment_created_at.is_some_and(|at| now.saturating_sub(at) > PRIVATE_REPLY_WINDOW_MS) {
                return Err(FailureCode::PrivateReplyClosed.outcome(""));
            }
            let comment = checked(IdShape::MetaNumeric, comment_id)?;
            let body = json!({"recipient": {"comment_id": comment}, "message": {"text": text}});
            Ok(planned(base, &[&sender, "messages"], body))
        }
        MetaAction::SetHidden { comment_id, hidden } => {
            let comment = checked(IdShape::MetaNumeric, comment_id)?;
            let mut plan = planned(base, &[&comment], json!({"hide": hidden}));
            plan.success_id = Some(comment);
            Ok(plan)
        }
    }
}

fn planned(base_url: &str, segments: &[&str], body: Value) -> PlannedRequest {
    let mut path = format!("/{GRAPH_API_VERSION}");
    for segment in segments {
        path.push('/');
        path.push_str(&path_segment(segment));
    }
    PlannedRequest {
        base_url: base_url.trim_end_matches('/').to_string(),
        path,
        body,
        success_id: None,
    }
}

fn checked(shape: IdShape, id: &str) -> Result<String, SendOutcome> {
    shape
        .check("id", id.to_string())
        .map_err(|detail| FailureCode::InvalidId.outcome(&detail))
}

fn check_text(text: &str, too_long: bool) -> Result<(), SendOutcome> {
    if text.trim().is_empty() {
        return Err(FailureCode::InvalidParameter.outcome("empty text"));
    }
    if too_long {
        return Err(FailureCode::TooLong.outcome(""));
    }
    Ok(())
}

/// `RESPONSE` inside 24 h (Instagram: no `messaging_type`, as documented), the
/// `HUMAN_AGENT` tag up to 7 days, else the window-closed outcome.
fn apply_window(body: &mut Value, window: MessagingWindow, facebook: bool) -> Result<(), SendOutcome> {
    match window {
        MessagingWindow::Open { .. } if facebook => body["messaging_type"] = json!("RESPONSE"),
        MessagingWindow::Open { .. } => {}
        MessagingWindow::HumanAgent { .. } => {
            body["messaging_type"] = json!("MESSAGE_TAG");
            body["tag"] = json!("HUMAN_AGENT");
        }
        MessagingWindow::Closed => return Err(FailureCode::WindowClosed.outcome("")),
    }
    Ok(())
}

/// Performs a Facebook action with the default timeout.
pub async fn send_facebook(
    http: &reqwest::Client,
    graph_url: &str,
    creds: &FacebookCredentials,
    action: &MetaAction,
) -> SendOutcome {
    match plan_facebook(graph_url, creds, action) {
        Ok(plan) => perform(http, &plan, &creds.page_access_token, SEND_TIMEOUT).await,
        Err(outcome) => outcome,
    }
}

/// Performs an Instagram action with the default timeout.
pub async fn send_instagram(
    http: &reqwest::Client,
    graph_url: &str,
    instagram_url: &str,
    creds: &InstagramCredentials,
    action: &MetaAction,
) -> SendOutcome {
    match plan_instagram(graph_url, instagram_url, creds, action) {
        Ok(plan) => perform(http, &plan, &creds.access_token, SEND_TIMEOUT).await,
        Err(outcome) => outcome,
    }
}

/// Sends a planned request with `Authorization: Bearer` and maps the answer.
pub async fn perform(http: &reqwest::Client, plan: &PlannedRequest, token: &str, timeout: Duration) -> SendOutcome {
    let response = http
        .post(format!("{}{}", plan.base_url, plan.path))
        .bearer_auth(token)
        .json(&plan.body)
        .timeout(timeout)
        .send()
        .await;
    let response = match response {
        Ok(response) => response,
        Err(error) => return transport_error_outcome(&error),
    };
    let status = response.status();
    let retry_after = retry_hint(response.headers());
    let body = match response.bytes().await {
        Ok(bytes) => serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null),
        Err(error) if status.is_success() => return transport_error_outcome(&error),
        Err(_) => Value::Null,
    };
    classify_response(status.as_u16(), retry_after, &body, plan.success_id.as_deref())
}

/// 2xx: `message_id` (messages) or `id` (comments) is the new id; `success: true`
/// (hide) accepts `success_id`. Anything else goes through the error table.
pub fn classify_response(
    status: u16,
    retry_after: Option<Duration>,
    body: &Value,
    success_id: Option<&str>,
) -> SendOutcome {
    if !(200..300).contains(&status) {
        return classify_graph_error(status, retry_after, body);
    }
    let id = ["message_id", "id"]
        .iter()
        .find_map(|k| body.get(*k).and_then(Value::as_str).filter(|s| !s.is_empty()))
        .or(success_id.filter(|_| body.get("success").and_then(Value::as_bool) == Some(true)));
    match id {
        Some(id) => SendOutcome::Accepted {
            platform_message_id: id.to_string(),
        },
        None => SendOutcome::Uncertain {
            reason: format!("HTTP {status} without an id"),
        },
    }
}

/// `Retry-After`, else the longest `estimated_time_to_regain_access` (minutes) in
/// `X-Business-Use-Case-Usage`.
fn retry_hint(headers: &HeaderMap) -> Option<Duration> {
    retry_after_header(headers).or_else(|| {
        let raw = headers.get("x-business-use-case-usage")?.to_str().ok()?;
        let usage: Value = serde_json::from_str(raw).ok()?;
        let minutes = usage
            .as_object()?
            .values()
            .filter_map(Value::as_array)
            .flatten()
            .filter_map(|u| u.get("estimated_time_to_regain_access").and_then(Value::as_u64))
            .max()?;
        (minutes > 0).then(|| Duration::from_secs(minutes.saturating_mul(60)))
    })
}

#[cfg(test)]
#[path = "outbound_tests.rs"]
mod tests;
