//! Replying on LinkedIn as the organisation: `POST {api}/rest/socialActions/{encoded
//! URN}/comments` with `LinkedIn-Version` and `X-Restli-Protocol-Version: 2.0.0`,
//! `actor` our organisation URN and `parentComment` for a reply under a comment. A 201
//! carries the new comment's id in `x-restli-id`. Every refusal reaches the agent as a
//! Dutch sentence; a 401 is [`crate::TOKEN_EXPIRED`] (reconnect the profile).

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::{json, Value};

use super::{api_root, urn, LinkedinCredentials, API_VERSION, RESTLI_PROTOCOL_VERSION};
use crate::http_outcome::{retry_after_header, transport_error_outcome, SEND_TIMEOUT};
use crate::{OutboundBody, OutboundMessage, ReplyContext, SendOutcome, TOKEN_EXPIRED};

/// A comment may be at most this many characters (Unicode scalar values). Assumption:
/// LinkedIn documents no comment limit (channels.md §6e: posts 3000); 1250 is the limit
/// LinkedIn's own comment box enforces, and the one `Platform::Linkedin` declares.
pub const COMMENT_MAX_CHARS: usize = 1250;

/// One comment request, built and checked, ready to send (or to assert on in tests).
#[derive(Debug, Clone, PartialEq)]
pub struct CommentRequest {
    pub url: String,
    /// `LinkedIn-Version` and `X-Restli-Protocol-Version` (the bearer token is added at send).
    pub headers: Vec<(&'static str, String)>,
    pub body: Value,
}

/// Sends one reply with the default timeout ([`crate::SEND_TIMEOUT`], 10 s).
pub async fn send(
    http: &reqwest::Client,
    base_url: &str,
    creds: &LinkedinCredentials,
    msg: &OutboundMessage,
) -> SendOutcome {
    send_with_timeout(http, base_url, creds, msg, SEND_TIMEOUT).await
}

/// [`send`] with an explicit per-request timeout.
pub async fn send_with_timeout(
    http: &reqwest::Client,
    base_url: &str,
    creds: &LinkedinCredentials,
    msg: &OutboundMessage,
    timeout: Duration,
) -> SendOutcome {
    let request = match comment_request(base_url, creds, msg) {
        Ok(request) => request,
        Err(refusal) => return refusal,
    };
    let mut builder = http
        .post(&request.url)
        .bearer_auth(&creds.access_token)
        .json(&request.body)
        .timeout(timeout);
    for (name, value) in &request.headers {
        builder = builder.header(*name, value);
    }
    let response = match builder.send().await {
        Ok(response) => response,
        Err(error) => return transport_error_outcome(&error),
    };
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = match response.bytes().await {
        Ok(bytes) => serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null),
        Err(error) if (200..300).contains(&status) && restli_id(&headers).is_none() => {
            return transport_error_outcome(&error)
        }
        Err(_) => Value::Null,
    };
    match classify_response(status, &headers, &body) {
        SendOutcome::Accepted { platform_message_id } => SendOutcome::Accepted {
            platform_message_id: created_comment_urn(&platform_message_id, &request.body["object"]),
        },
        other => other,
    }
}

/// The created comment's id in the form inbound notifications use (the full comment
/// URN), so our own comment echoed as `ADMIN_COMMENT` matches the outbox: a decoded
/// (and normalised) comment URN, a bare numeric id completed with the post, else as is.
fn created_comment_urn(id: &str, post: &Value) -> String {
    let decoded = urn::decode(id);
    if let Some(comment) = urn::normalize_comment(&decoded) {
        return comment;
    }
    match post.as_str() {
        Some(post) if !decoded.is_empty() && decoded.len() <= 20 && decoded.bytes().all(|b| b.is_ascii_digit()) => {
            format!("urn:li:comment:({post},{decoded})")
        }
        _ => id.to_string(),
    }
}

/// Builds the comment request, or refuses locally (no request) what LinkedIn would
/// refuse or what could only come from a crafted id.
pub fn comment_request(
    base_url: &str,
    creds: &LinkedinCredentials,
    msg: &OutboundMessage,
) -> Result<CommentRequest, SendOutcome> {
    let text = match &msg.body {
        OutboundBody::Text(text) => text,
        OutboundBody::Template { .. } => return Err(failed("unsupported", "LinkedIn kent geen berichtsjablonen.")),
    };
    check_length(text)?;
    if !urn::is_organization(&creds.organization_urn) {
        return Err(failed(
            "credentials",
            "De organisatie-URN van dit LinkedIn-profiel klopt niet; controleer het profiel.",
        ));
    }
    let (target, post, parent) = match &msg.context {
        ReplyContext::Private => {
            return Err(failed(
                "unsupported",
                "LinkedIn kent geen privéberichten aan bedrijfspagina's; reageer openbaar onder de reactie.",
            ))
        }
        ReplyContext::PublicPost { post_id } => (post_id.clone(), post_id.clone(), None),
        ReplyContext::PublicComment {
            post_id,
            comment_id,
            parent_id,
            ..
        } => {
            let under = comment_to_answer_under(comment_id, parent_id.as_deref())?;
            (under.clone(), post_id.clone(), Some(under))
        }
    };
    if !urn::is_post(&post) {
        return Err(invalid_id());
    }
    let mut body = json!({
        "actor": creds.organization_urn,
        "object": post,
        "message": {"text": text},
    });
    if let Some(parent) = parent {
        body["parentComment"] = json!(parent);
    }
    Ok(CommentRequest {
        url: format!("{}/socialActions/{}/comments", api_root(base_url), urn::encode(&target)),
        headers: vec![
            ("LinkedIn-Version", API_VERSION.to_string()),
            ("X-Restli-Protocol-Version", RESTLI_PROTOCOL_VERSION.to_string()),
        ],
        body,
    })
}

/// The comment a reply goes under: the customer's comment, or its parent when it is
/// itself a reply (LinkedIn nests one level). Both URNs are checked.
fn comment_to_answer_under(comment_id: &str, parent_id: Option<&str>) -> Result<String, SendOutcome> {
    let comment = urn::normalize_comment(comment_id).ok_or_else(invalid_id)?;
    match parent_id {
        None => Ok(comment),
        Some(parent) if urn::is_post(parent) => Ok(comment),
        Some(parent) => urn::normalize_comment(parent).ok_or_else(invalid_id),
    }
}

fn check_length(text: &str) -> Result<(), SendOutcome> {
    if text.trim().is_empty() {
        return Err(failed(
            "empty",
            "Een lege reactie kan niet op LinkedIn worden geplaatst.",
        ));
    }
    let chars = text.chars().count();
    if chars > COMMENT_MAX_CHARS {
        return Err(failed(
            "too_long",
            &format!("De reactie is {chars} tekens; LinkedIn staat er hoogstens {COMMENT_MAX_CHARS} toe."),
        ));
    }
    Ok(())
}

fn failed(code: &str, reason: &str) -> SendOutcome {
    SendOutcome::Failed {
        code: code.to_string(),
        reason: reason.to_string(),
    }
}

fn invalid_id() -> SendOutcome {
    failed(
        "invalid_id",
        "De post of reactie om op te antwoorden heeft geen geldige LinkedIn-URN.",
    )
}

/// The new comment's id from the `x-restli-id` header.
fn restli_id(headers: &HeaderMap) -> Option<String> {
    let id = headers.get("x-restli-id")?.to_str().ok()?.trim();
    (!id.is_empty()).then(|| id.to_string())
}

/// Maps LinkedIn's answer to an outcome with a Dutch sentence for the agent.
pub(super) fn classify_response(status: u16, headers: &HeaderMap, body: &Value) -> SendOutcome {
    if (200..300).contains(&status) {
        let id = restli_id(headers).or_else(|| {
            ["/commentUrn", "/id"]
                .iter()
                .find_map(|p| body.pointer(p).and_then(Value::as_str).map(str::to_string))
        });
        return match id {
            Some(platform_message_id) => SendOutcome::Accepted { platform_message_id },
            None => SendOutcome::Uncertain {
                reason: format!("LinkedIn antwoordde {status} zonder id van de reactie; controleer de post voor u opnieuw verstuurt."),
            },
        };
    }
    let detail = platform_detail(body);
    match status {
        401 => failed(
            TOKEN_EXPIRED,
            &format!("LinkedIn accepteert de toegang van dit profiel niet meer (401): verbind het LinkedIn-profiel opnieuw.{detail}"),
        ),
        429 => SendOutcome::Retry {
            after: retry_after_header(headers),
            reason: format!("LinkedIn laat even geen verzoeken meer toe (429); Hubert probeert het later opnieuw.{detail}"),
        },
        500..=599 => SendOutcome::Retry {
            after: retry_after_header(headers),
            reason: format!("LinkedIn heeft een storing ({status}); Hubert probeert het later opnieuw.{detail}"),
        },
        403 => failed(
            &error_code(status, body),
            &format!("LinkedIn weigert de reactie (403): het profiel mag niet als deze organisatie reageren.{detail}"),
        ),
        404 => failed(
            "not_found",
            &format!("De post of reactie bestaat niet meer op LinkedIn (404).{detail}"),
        ),
        426 => failed(
            "version_sunset",
            &format!("LinkedIn ondersteunt API-versie {API_VERSION} niet meer (426); Hubert moet worden bijgewerkt.{detail}"),
        ),
        _ => failed(
            &error_code(status, body),
            &format!("LinkedIn weigert de reactie ({status}).{detail}"),
        ),
    }
}

/// LinkedIn's `code` (e.g. `ACCESS_DENIED`) when it is a plain word, else `http_<status>`.
fn error_code(status: u16, body: &Value) -> String {
    body.get("code")
        .and_then(Value::as_str)
        .filter(|c| (1..=64).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .map(str::to_string)
        .unwrap_or_else(|| format!("http_{status}"))
}

/// " LinkedIn: <message>" from the error body, cut to 200 characters; empty without one.
fn platform_detail(body: &Value) -> String {
    match body
        .get("message")
        .and_then(Value::as_str)
        .filter(|m| !m.trim().is_empty())
    {
        Some(message) => format!(" LinkedIn: {}", message.chars().take(200).collect::<String>()),
        None => String::new(),
    }
}

#[cfg(test)]
#[path = "outbound_tests.rs"]
mod tests;
