//! Facebook Page deliveries (`object: page`): Messenger `messaging[]` events and Page
//! `feed` changes. A customer's comment or reply becomes a message with a
//! [`ReplyContext::PublicComment`]; `edited`, `hide`, `unhide` and `remove` become
//! [`MessageUpdate`]s; the Page's own comments come back as `from_us` messages (never
//! customer messages). Other feed items and fields are ignored, never refused.

use serde_json::{json, Map, Value};

use super::envelope::{epoch_guess_ms, optional_id, parse_envelope, required_id, text_at, Change};
use super::messaging::Network;
use super::ParseOptions;
use crate::ids::IdShape;
use crate::{
    ContactInfo, InboundEvent, InboundMessage, MessageChange, MessageKind, MessageUpdate, ParseError, ParsedDelivery,
    ReplyContext,
};

pub use super::outbound::send_facebook as send;

/// Parses one raw delivery, all or nothing: any unusable event makes it `Malformed`
/// (ignored events do not count).
pub fn parse(raw_body: &[u8]) -> Result<Vec<InboundEvent>, ParseError> {
    parse_delivery(raw_body)?.strict()
}

/// [`parse_delivery_with`] with default options (every echo reported as an agent message).
pub fn parse_delivery(raw_body: &[u8]) -> Result<ParsedDelivery, ParseError> {
    parse_delivery_with(raw_body, &ParseOptions::default())
}

/// Parses one raw `page` delivery into events, rejected events (bad ids, missing
/// fields: quarantine) and ignored ones (fields and items Hubert does not handle).
/// `Err` only when the body is not a `page` envelope at all.
pub fn parse_delivery_with(raw_body: &[u8], options: &ParseOptions) -> Result<ParsedDelivery, ParseError> {
    parse_envelope(raw_body, Network::Facebook, options, |change, parsed| {
        if change.field != "feed" {
            return parsed.ignore(change.raw, format!("field `{}` not handled", change.field));
        }
        let item = change.value.get("item").and_then(Value::as_str).unwrap_or_default();
        let verb = change.value.get("verb").and_then(Value::as_str).unwrap_or_default();
        if item != "comment" {
            return parsed.ignore(change.raw, format!("feed item `{item}` ({verb}) not handled"));
        }
        match verb {
            "add" => parsed.take(change.raw, comment(change).map(Some)),
            "edited" | "hide" | "unhide" | "remove" => parsed.take(change.raw, comment_update(change, verb).map(Some)),
            other => parsed.ignore(change.raw, format!("comment verb `{other}` not handled")),
        }
    })
}

/// When the change happened: `created_time`, else the entry's time.
fn change_time(change: &Change<'_>) -> Result<i64, ParseError> {
    change
        .value
        .get("created_time")
        .and_then(epoch_guess_ms)
        .or(change.entry_time_ms)
        .ok_or_else(|| ParseError::Malformed("comment without `created_time` or `entry.time`".into()))
}

fn comment(change: &Change<'_>) -> Result<InboundEvent, ParseError> {
    let value = change.value;
    let comment_id = required_id(value, "/comment_id", IdShape::MetaObject)?;
    let post_id = required_id(value, "/post_id", IdShape::MetaObject)?;
    let parent_id = optional_id(value, "/parent_id", IdShape::MetaObject)?;
    let from_id = optional_id(value, "/from/id", IdShape::MetaNumeric)?;
    let sent_at = change_time(change)?;
    let from_us = from_id.as_deref() == Some(change.account_id);
    let contact = ContactInfo {
        // A commenter hidden by privacy settings gets a contact of their own comment.
        platform_user_id: from_id.unwrap_or_else(|| format!("comment_{comment_id}")),
        name: value.pointer("/from/name").and_then(Value::as_str).map(str::to_string),
        handle: None,
    };
    let text = text_at(value, "message");
    let photo = text_at(value, "photo");
    let video = text_at(value, "video");
    let (kind, label) = match (&photo, &video) {
        (Some(_), _) => (MessageKind::Image, Some("[Afbeelding]")),
        (None, Some(_)) => (MessageKind::Video, Some("[Video]")),
        _ => (MessageKind::Text, None),
    };
    let summary = match (label, &text) {
        (None, Some(text)) => text.clone(),
        (None, None) => "[Lege reactie]".into(),
        (Some(label), Some(text)) => format!("{label} {text}"),
        (Some(label), None) => label.to_string(),
    };
    let post = value.get("post").filter(|p| p.is_object());
    let post_text = post.and_then(|p| text_at(p, "message"));
    let post_link = post.and_then(|p| text_at(p, "permalink_url"));
    let mut metadata = Map::new();
    metadata.insert("network".into(), json!("page"));
    metadata.insert("item".into(), json!("comment"));
    metadata.insert(
        "is_reply".into(),
        json!(parent_id.as_deref().is_some_and(|p| p != post_id)),
    );
    for key in ["post", "photo", "video", "parent_id"] {
        if let Some(sub) = value.get(key).filter(|v| !v.is_null()) {
            metadata.insert(key.into(), sub.clone());
        }
    }
    if let Some(url) = photo.or(video) {
        metadata.insert("media_url".into(), json!(url));
    }
    if from_us {
        metadata.insert("echo".into(), json!({"typed_in": "facebook_page"}));
    }
    Ok(InboundEvent::Message(InboundMessage {
        platform_message_id: comment_id.clone(),
        account_id: change.account_id.to_string(),
        contact,
        kind,
        text,
        summary,
        metadata: Value::Object(metadata),
        sent_at,
        reply_context: ReplyContext::PublicComment {
            post_id,
            comment_id,
            parent_id,
            post_text,
            post_link,
        },
        from_us,
    }))
}

fn comment_update(change: &Change<'_>, verb: &str) -> Result<InboundEvent, ParseError> {
    let comment_id = required_id(change.value, "/comment_id", IdShape::MetaObject)?;
    let change_kind = match verb {
        "edited" => MessageChange::Edited {
            text: text_at(change.value, "message"),
        },
        "hide" => MessageChange::Hidden,
        "unhide" => MessageChange::Unhidden,
        _ => MessageChange::Removed,
    };
    Ok(InboundEvent::Update(MessageUpdate {
        account_id: change.account_id.to_string(),
        platform_message_id: comment_id,
        change: change_kind,
        at: change_time(change)?,
    }))
}

#[cfg(test)]
#[path = "facebook_tests.rs"]
mod tests;
