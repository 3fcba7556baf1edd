//! Instagram deliveries (`object: instagram`): DMs in `messaging[]` (text, attachments,
//! story replies and mentions, unsends, `messaging_seen` reads, reactions, echoes) and
//! the `comments`, `live_comments` and `mentions` fields. Our own comments come back as
//! `from_us` messages; other fields are ignored, never refused.

use serde_json::{json, Map, Value};

use super::envelope::{optional_id, parse_envelope, required_id, text_at, Change};
use super::messaging::Network;
use super::ParseOptions;
use crate::ids::IdShape;
use crate::{ContactInfo, InboundEvent, InboundMessage, MessageKind, ParseError, ParsedDelivery, ReplyContext};

pub use super::outbound::send_instagram as send;

/// Parses one raw delivery, all or nothing: any unusable event makes it `Malformed`.
pub fn parse(raw_body: &[u8]) -> Result<Vec<InboundEvent>, ParseError> {
    parse_delivery(raw_body)?.strict()
}

/// [`parse_delivery_with`] with default options.
pub fn parse_delivery(raw_body: &[u8]) -> Result<ParsedDelivery, ParseError> {
    parse_delivery_with(raw_body, &ParseOptions::default())
}

/// Parses one raw `instagram` delivery; `Err` only when it is not such an envelope.
pub fn parse_delivery_with(raw_body: &[u8], options: &ParseOptions) -> Result<ParsedDelivery, ParseError> {
    parse_envelope(raw_body, Network::Instagram, options, |change, parsed| {
        match change.field {
            "comments" | "live_comments" => parsed.take(change.raw, comment(change).map(Some)),
            "mentions" => parsed.take(change.raw, mention(change).map(Some)),
            other => parsed.ignore(change.raw, format!("field `{other}` not handled")),
        }
    })
}

fn change_time(change: &Change<'_>) -> Result<i64, ParseError> {
    change
        .value
        .get("timestamp")
        .and_then(super::envelope::epoch_guess_ms)
        .or(change.entry_time_ms)
        .ok_or_else(|| ParseError::Malformed("change without `timestamp` or `entry.time`".into()))
}

fn comment(change: &Change<'_>) -> Result<InboundEvent, ParseError> {
    let value = change.value;
    let comment_id = required_id(value, "/id", IdShape::MetaNumeric)?;
    let media_id = required_id(value, "/media/id", IdShape::MetaNumeric)?;
    let parent_id = optional_id(value, "/parent_id", IdShape::MetaNumeric)?;
    let from_id = required_id(value, "/from/id", IdShape::MetaNumeric)?;
    let username = value.pointer("/from/username").and_then(Value::as_str);
    let from_us = from_id == change.account_id;
    let text = text_at(value, "text");
    let mut metadata = Map::new();
    metadata.insert("network".into(), json!("instagram"));
    metadata.insert("field".into(), json!(change.field));
    metadata.insert("is_reply".into(), json!(parent_id.is_some()));
    if let Some(media) = value.get("media") {
        metadata.insert("media".into(), media.clone());
    }
    if from_us {
        metadata.insert("echo".into(), json!({"typed_in": "instagram"}));
    }
    Ok(InboundEvent::Message(InboundMessage {
        platform_message_id: comment_id.clone(),
        account_id: change.account_id.to_string(),
        contact: ContactInfo {
            platform_user_id: from_id,
            name: None,
            handle: username.filter(|u| !u.is_empty()).map(|u| format!("@{u}")),
        },
        kind: MessageKind::Text,
        summary: text.clone().unwrap_or_else(|| "[Lege reactie]".into()),
        text,
        metadata: Value::Object(metadata),
        sent_at: change_time(change)?,
        reply_context: ReplyContext::PublicComment {
            post_id: media_id,
            comment_id,
            parent_id,
            post_text: None,
            post_link: None,
        },
        from_us,
    }))
}

/// `{"media_id","comment_id"}`: we were mentioned in a comment. The text and author
/// are not in the payload (the caller fetches them); the contact is the comment.
fn mention(change: &Change<'_>) -> Result<InboundEvent, ParseError> {
    let value = change.value;
    let comment_id = required_id(value, "/comment_id", IdShape::MetaNumeric)?;
    let media_id = required_id(value, "/media_id", IdShape::MetaNumeric)?;
    let mut metadata = Map::new();
    metadata.insert("network".into(), json!("instagram"));
    metadata.insert("field".into(), json!("mentions"));
    metadata.insert("needs_fetch".into(), json!(true));
    Ok(InboundEvent::Message(InboundMessage {
        platform_message_id: comment_id.clone(),
        account_id: change.account_id.to_string(),
        contact: ContactInfo {
            platform_user_id: format!("mention_{comment_id}"),
            name: None,
            handle: None,
        },
        kind: MessageKind::Text,
        text: None,
        summary: "[Vermelding in een reactie]".into(),
        metadata: Value::Object(metadata),
        sent_at: change_time(change)?,
        reply_context: ReplyContext::PublicComment {
            post_id: media_id,
            comment_id,
            parent_id: None,
            post_text: None,
            post_link: None,
        },
        from_us: false,
    }))
}

#[cfg(test)]
#[path = "instagram_tests.rs"]
mod tests;
