//! The safety net for missed webhooks (LinkedIn blocks an endpoint after three failed
//! re-validations and documents no retry schedule): a periodic poll of the
//! organisation's recent notifications,
//! `GET {api}/rest/organizationalEntityNotifications?q=criteria&organizationalEntity=…&actions=List(…)&timeRange=(start:…,end:…)`,
//! parsed into the same events as webhook deliveries and deduped the same way (the same
//! platform ids; repeats of a `notificationId` dropped across pages). Parameters are
//! from integrations, unverified (channels.md §6d); LinkedIn keeps notifications 60 days.
//! Also here: [`fetch_post`], reading a mentioning post's text and author through the
//! Posts API when a `SHARE_MENTION` arrived without them (channels.md §6c).

use std::collections::HashSet;
use std::time::Duration;

use serde_json::Value;

use super::inbound::{json_object, parse_notifications};
use super::{api_root, urn, LinkedinCredentials, API_VERSION, RESTLI_PROTOCOL_VERSION};
use crate::http_outcome::{retry_after_header, SEND_TIMEOUT};
use crate::{ParseError, ParsedDelivery};

/// The actions asked for: everything the parser turns into events.
pub const POLL_ACTIONS: &str = "List(COMMENT,SHARE_MENTION,ADMIN_COMMENT,COMMENT_EDIT,COMMENT_DELETE)";

/// Notifications per page.
pub const POLL_PAGE_SIZE: usize = 50;

/// At most this many pages per poll (bounds one poll's work; the next poll goes on).
const MAX_PAGES: usize = 20;

/// Why a poll produced no events.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PollError {
    /// 401: the token expired or was revoked; mark the profile "opnieuw verbinden".
    #[error("LinkedIn accepteert de toegang van dit profiel niet meer (401)")]
    TokenExpired,
    /// 429, 5xx or a transport failure: poll again later.
    #[error("LinkedIn is even niet bereikbaar: {reason}")]
    Retry { after: Option<Duration>, reason: String },
    /// Another refusal (403 without admin rights, 426 sunset version, bad credentials).
    #[error("LinkedIn weigert de poll: {0}")]
    Failed(String),
    /// A 2xx whose body is not a notification list.
    #[error("LinkedIn antwoordde met iets onleesbaars: {0}")]
    Malformed(ParseError),
}

/// The URL of one page of notifications between `start_ms` and `end_ms` (epoch ms).
/// Rest.li 2.0: the URN is percent-encoded, `List(…)` and `(start:…,end:…)` are not.
/// `None` when the organisation URN has the wrong shape.
pub fn poll_url(
    base_url: &str,
    organization_urn: &str,
    start_ms: i64,
    end_ms: i64,
    page_start: usize,
) -> Option<String> {
    if !urn::is_organization(organization_urn) {
        return None;
    }
    let root = api_root(base_url);
    Some(format!(
        "{root}/organizationalEntityNotifications?q=criteria&organizationalEntity={}&actions={POLL_ACTIONS}\
         &timeRange=(start:{},end:{})&start={page_start}&count={POLL_PAGE_SIZE}",
        urn::encode(organization_urn),
        start_ms.max(0),
        end_ms.max(0),
    ))
}

/// Parses one page of the poll's answer (`{"elements": [...]}`) into events, as a
/// webhook delivery would be; an element without `organizationalEntity` is taken as
/// ours (the poll asked for one organisation).
pub fn parse_poll_response(raw_body: &[u8], organization_urn: &str) -> Result<ParsedDelivery, ParseError> {
    let mut parsed = ParsedDelivery::default();
    parse_page(raw_body, organization_urn, &mut parsed, &mut HashSet::new())?;
    Ok(parsed)
}

/// Parses one page into `parsed`; returns how many elements it held.
fn parse_page(
    raw_body: &[u8],
    organization_urn: &str,
    parsed: &mut ParsedDelivery,
    seen: &mut HashSet<String>,
) -> Result<usize, ParseError> {
    let root = json_object(raw_body)?;
    let elements = match root.get("elements") {
        Some(Value::Array(items)) => items,
        _ => return Err(ParseError::Malformed("poll answer has no `elements` array".into())),
    };
    let filled: Vec<Value> = elements
        .iter()
        .map(|element| {
            let mut element = element.clone();
            if let Some(object) = element.as_object_mut() {
                object
                    .entry("organizationalEntity")
                    .or_insert_with(|| Value::String(organization_urn.to_string()));
            }
            element
        })
        .collect();
    parse_notifications(&filled, parsed, seen);
    Ok(elements.len())
}

/// Polls the notifications between `start_ms` and `end_ms`, page by page (at most
/// 20 pages of 50), into one [`ParsedDelivery`].
pub async fn poll(
    http: &reqwest::Client,
    base_url: &str,
    creds: &LinkedinCredentials,
    start_ms: i64,
    end_ms: i64,
) -> Result<ParsedDelivery, PollError> {
    let mut parsed = ParsedDelivery::default();
    let mut seen = HashSet::new();
    for page in 0..MAX_PAGES {
        let url = poll_url(
            base_url,
            &creds.organization_urn,
            start_ms,
            end_ms,
            page * POLL_PAGE_SIZE,
        )
        .ok_or_else(|| PollError::Failed("de organisatie-URN van het profiel klopt niet".into()))?;
        let body = fetch_page(http, &url, &creds.access_token).await?;
        let count = parse_page(&body, &creds.organization_urn, &mut parsed, &mut seen).map_err(PollError::Malformed)?;
        if count < POLL_PAGE_SIZE {
            break;
        }
    }
    Ok(parsed)
}

/// A post as the Posts API returns it (`GET /rest/posts/{encoded URN}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedPost {
    /// The author, when it is a member or organisation URN.
    pub author: Option<String>,
    /// `commentary`, the post's text.
    pub text: Option<String>,
}

/// Reads one post's author and text, e.g. for a `SHARE_MENTION` that came without them.
/// `Failed` (no request) when the URN is not a post.
pub async fn fetch_post(
    http: &reqwest::Client,
    base_url: &str,
    creds: &LinkedinCredentials,
    post_urn: &str,
) -> Result<FetchedPost, PollError> {
    if !urn::is_post(post_urn) {
        return Err(PollError::Failed("geen geldige post-URN".into()));
    }
    let root = api_root(base_url);
    let body = fetch_page(
        http,
        &format!("{root}/posts/{}", urn::encode(post_urn)),
        &creds.access_token,
    )
    .await?;
    let post = json_object(&body).map_err(PollError::Malformed)?;
    Ok(FetchedPost {
        author: post
            .get("author")
            .and_then(Value::as_str)
            .filter(|a| urn::is_actor(a))
            .map(str::to_string),
        text: post
            .get("commentary")
            .and_then(Value::as_str)
            .filter(|t| !t.trim().is_empty())
            .map(str::to_string),
    })
}

async fn fetch_page(http: &reqwest::Client, url: &str, token: &str) -> Result<Vec<u8>, PollError> {
    let response = http
        .get(url)
        .bearer_auth(token)
        .header("LinkedIn-Version", API_VERSION)
        .header("X-Restli-Protocol-Version", RESTLI_PROTOCOL_VERSION)
        .timeout(SEND_TIMEOUT)
        .send()
        .await
        .map_err(|e| PollError::Retry {
            after: None,
            reason: format!("verbinding mislukt: {e}"),
        })?;
    let status = response.status().as_u16();
    let after = retry_after_header(response.headers());
    let body = response.bytes().await.map_err(|e| PollError::Retry {
        after: None,
        reason: format!("antwoord afgebroken: {e}"),
    })?;
    match status {
        200..=299 => Ok(body.to_vec()),
        401 => Err(PollError::TokenExpired),
        429 | 500..=599 => Err(PollError::Retry {
            after,
            reason: format!("HTTP {status}"),
        }),
        _ => Err(PollError::Failed(format!("HTTP {status}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: &str = "urn:li:organization:10203040";

    #[test]
    fn the_url_encodes_the_urn_but_not_the_restli_structure() {
        let url = poll_url(
            "https://api.linkedin.com/",
            ORG,
            1_767_000_000_000,
            1_767_263_000_000,
            50,
        )
        .unwrap();
        assert_eq!(
            url,
            "https://api.linkedin.com/rest/organizationalEntityNotifications?q=criteria\
             &organizationalEntity=urn%3Ali%3Aorganization%3A10203040\
             &actions=List(COMMENT,SHARE_MENTION,ADMIN_COMMENT,COMMENT_EDIT,COMMENT_DELETE)\
             &timeRange=(start:1767000000000,end:1767263000000)&start=50&count=50"
        );
        assert!(poll_url("http://x/v2", ORG, 0, 1, 0)
            .unwrap()
            .starts_with("http://x/v2/organizationalEntityNotifications?"));
        assert_eq!(poll_url("http://x", "urn:li:organization:1&x=2", 0, 1, 0), None);
    }

    #[test]
    fn a_poll_answer_parses_like_a_delivery_and_fills_in_our_organisation() {
        let body = serde_json::json!({"elements": [
            {"notificationId": 4406044, "action": "SHARE_MENTION", "lastModifiedAt": 1_535_741_320_050_i64,
             "generatedActivity": "urn:li:share:6441333333905633322"},
            {"notificationId": 4406044, "action": "SHARE_MENTION", "lastModifiedAt": 1_535_741_320_050_i64,
             "generatedActivity": "urn:li:share:6441333333905633322"},
        ], "paging": {"start": 0, "count": 50}});
        let parsed = parse_poll_response(body.to_string().as_bytes(), ORG).unwrap();
        assert_eq!(parsed.events.len(), 1, "{parsed:?}");
        assert!(parsed.rejected.is_empty());
        assert!(parse_poll_response(b"{\"notifications\":[]}", ORG).is_err());
        let fixture = include_bytes!("../../tests/fixtures/linkedin/poll_page.json");
        let parsed = parse_poll_response(fixture, ORG).unwrap();
        assert_eq!(parsed.events.len(), 2, "{parsed:?}");
        assert!(parsed.rejected.is_empty());
        assert!(parse_poll_response(b"[]", ORG).is_err());
    }
}
