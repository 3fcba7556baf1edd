//! WhatsApp attachments (channels.md §2(g)): a message carries a media id; `GET
//! {graph}/{version}/{media-id}` with the token answers a link valid for minutes, which
//! is fetched with the same token.

use std::time::Duration;

use serde_json::Value;

use super::{WhatsappCredentials, GRAPH_API_VERSION};
use crate::channel::{is_media_kind, MediaFetch, MediaFetchError, MediaSource};
use crate::ids::{path_segment, IdShape};
use crate::InboundMessage;

const LOOKUP_TIMEOUT: Duration = Duration::from_secs(10);

/// The media id (digits) of a media message, with its type and file name.
pub fn media_sources(msg: &InboundMessage) -> Vec<MediaSource> {
    if !is_media_kind(msg.kind) {
        return Vec::new();
    }
    let Some(kind) = msg.metadata.get("type").and_then(Value::as_str) else {
        return Vec::new();
    };
    let Some(sub) = msg.metadata.get(kind) else {
        return Vec::new();
    };
    let text = |k: &str| sub.get(k).and_then(Value::as_str).map(str::to_owned);
    text("id")
        .filter(|id| IdShape::WhatsappNumber.matches(id))
        .map(|id| MediaSource {
            kind: msg.kind.as_str().to_owned(),
            source: id,
            mime: text("mime_type"),
            filename: text("filename"),
        })
        .into_iter()
        .collect()
}

/// Resolves a media id to its short-lived link.
pub async fn media_fetch(
    http: &reqwest::Client,
    graph_url: &str,
    creds: &WhatsappCredentials,
    media_id: &str,
) -> Result<MediaFetch, MediaFetchError> {
    if !IdShape::WhatsappNumber.matches(media_id) {
        return Err(MediaFetchError::Gone("not a media id".into()));
    }
    let url = format!(
        "{}/{GRAPH_API_VERSION}/{}",
        graph_url.trim_end_matches('/'),
        path_segment(media_id)
    );
    let res = http
        .get(&url)
        .bearer_auth(&creds.access_token)
        .timeout(LOOKUP_TIMEOUT)
        .send()
        .await
        .map_err(|e| MediaFetchError::Retry(format!("network: {e}")))?;
    let status = res.status();
    if status.as_u16() == 429 || status.is_server_error() {
        return Err(MediaFetchError::Retry(format!("HTTP {status}")));
    }
    if !status.is_success() {
        return Err(MediaFetchError::Gone(format!("HTTP {status}")));
    }
    let body: Value = res
        .json()
        .await
        .map_err(|e| MediaFetchError::Retry(format!("reading: {e}")))?;
    let link = body
        .get("url")
        .and_then(Value::as_str)
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .ok_or_else(|| MediaFetchError::Gone("no link in the answer".into()))?;
    Ok(MediaFetch {
        url: link.to_owned(),
        bearer: Some(creds.access_token.clone()),
    })
}
