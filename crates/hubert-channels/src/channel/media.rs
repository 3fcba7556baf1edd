//! Inbound attachments as a channel sees them: which a parsed message carries
//! ([`MediaSource`]: the platform's media id or link) and how to fetch one
//! ([`MediaFetch`]: the link and, when the platform wants one, a bearer token). The
//! defaults serve channels whose payloads carry a direct link in `metadata.media_url`
//! (Messenger, Instagram); WhatsApp overrides both (a media id resolved through the
//! Graph API, then fetched with the token).

use serde_json::Value;

use crate::{InboundMessage, MessageKind};

/// One attachment of a message, to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaSource {
    /// `image`, `video`, `audio`, `document`, `sticker`.
    pub kind: String,
    /// The platform's media id or link.
    pub source: String,
    pub mime: Option<String>,
    pub filename: Option<String>,
}

/// Where to fetch an attachment.
#[derive(Clone)]
pub struct MediaFetch {
    pub url: String,
    pub bearer: Option<String>,
}

impl std::fmt::Debug for MediaFetch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaFetch")
            .field("url", &self.url)
            .field("bearer", &self.bearer.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// Why no link could be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaFetchError {
    /// Try again later (network, 429, 5xx).
    Retry(String),
    /// Gone or refused for good.
    Gone(String),
}

/// The kinds that carry a file.
pub fn is_media_kind(kind: MessageKind) -> bool {
    matches!(
        kind,
        MessageKind::Image | MessageKind::Video | MessageKind::Audio | MessageKind::Document | MessageKind::Sticker
    )
}

/// The default: a direct `https` link in `metadata.media_url`.
pub fn media_url_sources(msg: &InboundMessage) -> Vec<MediaSource> {
    if !is_media_kind(msg.kind) {
        return Vec::new();
    }
    msg.metadata
        .get("media_url")
        .and_then(Value::as_str)
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .map(|url| MediaSource {
            kind: msg.kind.as_str().to_owned(),
            source: url.to_owned(),
            mime: None,
            filename: None,
        })
        .into_iter()
        .collect()
}

/// The default fetch: the link itself, without a token.
pub fn direct_link(source: &str) -> Result<MediaFetch, MediaFetchError> {
    if source.starts_with("https://") || source.starts_with("http://") {
        Ok(MediaFetch {
            url: source.to_owned(),
            bearer: None,
        })
    } else {
        Err(MediaFetchError::Gone("not a link".into()))
    }
}
