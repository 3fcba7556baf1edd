//! One `messaging[]` (or `standby[]`) event of Messenger or Instagram: customer messages
//! (text, attachments, quick replies, replies, story replies), postbacks, reactions,
//! echoes, unsends, edits, and delivery/read receipts. Unknown event kinds (referrals,
//! opt-ins, handovers, …) are ignored, never refused.

use serde_json::{json, Map, Value};

use super::envelope::{epoch_ms, optional_id, required_id, text_at};
use super::ParseOptions;
use crate::ids::IdShape;
use crate::{
    ContactInfo, DeliveryStatus, InboundEvent, InboundMessage, MessageChange, MessageKind, MessageUpdate, ParseError,
    ParsedDelivery, ReplyContext, StatusUpdate, WatermarkUpdate,
};

/// Which Meta network a delivery belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    Facebook,
    Instagram,
}

impl Network {
    /// The envelope's `object`.
    pub fn object(self) -> &'static str {
        match self {
            Network::Facebook => "page",
            Network::Instagram => "instagram",
        }
    }
}

/// Event keys we handle; an event with none of them (referral, optin, handover, …)
/// is ignored and kept for inspection.
const EVENT_KEYS: [&str; 6] = ["message", "postback", "reaction", "delivery", "read", "message_edit"];

pub(super) fn parse_messaging_event(
    network: Network,
    account_id: &str,
    entry_time_ms: Option<i64>,
    event: &Value,
    options: &ParseOptions,
    parsed: &mut ParsedDelivery,
) {
    let result = parse_event(network, account_id, entry_time_ms, event, options);
    match result {
        Ok(Some(parsed_event)) => parsed.take(event, Ok(Some(parsed_event))),
        Ok(None) => {
            let kind = event
                .as_object()
                .and_then(|o| {
                    o.keys()
                        .find(|k| !matches!(k.as_str(), "sender" | "recipient" | "timestamp"))
                })
                .cloned()
                .unwrap_or_else(|| "empty".into());
            parsed.ignore(event, format!("messaging event `{kind}` not handled"));
        }
        Err(e) => parsed.take(event, Err(e)),
    }
}

fn parse_event(
    network: Network,
    account_id: &str,
    entry_time_ms: Option<i64>,
    event: &Value,
    options: &ParseOptions,
) -> Result<Option<InboundEvent>, ParseError> {
    if !event.is_object() {
        return Err(ParseError::Malformed("messaging event is not an object".into()));
    }
    let known = EVENT_KEYS.iter().any(|k| event.get(*k).is_some_and(|v| !v.is_null()));
    if !known {
        return Ok(None);
    }
    // Older receipts carry no `timestamp`: their watermark, else the entry's time.
    let at = event
        .get("timestamp")
        .and_then(epoch_ms)
        .or_else(|| event.pointer("/delivery/watermark").and_then(epoch_ms))
        .or(entry_time_ms)
        .ok_or_else(|| ParseError::Malformed("messaging event without a numeric `timestamp`".into()))?;
    let sender = required_id(event, "/sender/id", IdShape::MetaNumeric)?;
    let recipient = required_id(event, "/recipient/id", IdShape::MetaNumeric)?;
    let ctx = EventContext {
        network,
        account_id,
        sender,
        recipient,
        at,
    };
    if let Some(message) = event.get("message").filter(|m| m.is_object()) {
        return parse_message(&ctx, message, options).map(Some);
    }
    if let Some(edit) = event.get("message_edit").filter(|m| m.is_object()) {
        let mid = required_id(edit, "/mid", IdShape::MetaMessage)?;
        return Ok(Some(update(
            &ctx,
            mid,
            MessageChange::Edited {
                text: text_at(edit, "text"),
            },
        )));
    }
    if let Some(postback) = event.get("postback").filter(|m| m.is_object()) {
        return parse_postback(&ctx, postback).map(Some);
    }
    if let Some(reaction) = event.get("reaction").filter(|m| m.is_object()) {
        return parse_reaction(&ctx, reaction).map(Some);
    }
    if let Some(delivery) = event.get("delivery").filter(|m| m.is_object()) {
        return receipt(&ctx, delivery, DeliveryStatus::Delivered).map(Some);
    }
    if let Some(read) = event.get("read").filter(|m| m.is_object()) {
        return receipt(&ctx, read, DeliveryStatus::Read).map(Some);
    }
    Ok(None)
}

struct EventContext<'a> {
    network: Network,
    account_id: &'a str,
    sender: String,
    recipient: String,
    at: i64,
}

impl EventContext<'_> {
    /// The customer: the sender, or the recipient when we sent it.
    fn customer(&self, from_us: bool) -> ContactInfo {
        ContactInfo {
            platform_user_id: if from_us { &self.recipient } else { &self.sender }.clone(),
            name: None,
            handle: None,
        }
    }

    fn message(&self, id: String, content: Content, metadata: Map<String, Value>, from_us: bool) -> InboundEvent {
        InboundEvent::Message(InboundMessage {
            platform_message_id: id,
            account_id: self.account_id.to_string(),
            contact: self.customer(from_us),
            kind: content.kind,
            text: content.text,
            summary: content.summary,
            metadata: Value::Object(metadata),
            sent_at: self.at,
            reply_context: ReplyContext::Private,
            from_us,
        })
    }
}

fn update(ctx: &EventContext<'_>, mid: String, change: MessageChange) -> InboundEvent {
    InboundEvent::Update(MessageUpdate {
        account_id: ctx.account_id.to_string(),
        platform_message_id: mid,
        change,
        at: ctx.at,
    })
}

fn parse_message(ctx: &EventContext<'_>, message: &Value, options: &ParseOptions) -> Result<InboundEvent, ParseError> {
    let mid = required_id(message, "/mid", IdShape::MetaMessage)?;
    if message.get("is_deleted").and_then(Value::as_bool) == Some(true) {
        return Ok(update(ctx, mid, MessageChange::Unsent));
    }
    let is_echo = message.get("is_echo").and_then(Value::as_bool) == Some(true);
    let app_id = optional_id(message, "/app_id", IdShape::MetaNumeric)?;
    if is_echo && app_id.is_some() && app_id == options.our_app_id {
        return Ok(InboundEvent::Status(StatusUpdate {
            account_id: ctx.account_id.to_string(),
            platform_message_id: mid,
            status: DeliveryStatus::Sent,
            at: ctx.at,
            error: None,
        }));
    }
    let reply_to_mid = optional_id(message, "/reply_to/mid", IdShape::MetaMessage)?;
    let content = describe_message(ctx.network, message);
    let mut metadata = Map::new();
    metadata.insert("network".into(), json!(ctx.network.object()));
    for key in [
        "attachments",
        "quick_reply",
        "referral",
        "sticker_id",
        "metadata",
        "reply_to",
    ] {
        if let Some(sub) = message.get(key).filter(|v| !v.is_null()) {
            metadata.insert(key.into(), sub.clone());
        }
    }
    if let Some(url) = first_attachment_url(message) {
        metadata.insert("media_url".into(), json!(url));
    }
    if let Some(mid) = reply_to_mid {
        metadata.insert("reply_to_mid".into(), json!(mid));
    }
    if is_echo {
        // Not our app's send: a person answered in Meta Business Suite (or the inbox).
        metadata.insert(
            "echo".into(),
            json!({"typed_in": "meta_business_suite", "app_id": app_id}),
        );
    }
    Ok(ctx.message(mid, content, metadata, is_echo))
}

struct Content {
    kind: MessageKind,
    text: Option<String>,
    summary: String,
}

fn describe_message(network: Network, message: &Value) -> Content {
    let text = text_at(message, "text");
    let story = message.pointer("/reply_to/story").filter(|s| s.is_object());
    let first_type = message
        .pointer("/attachments/0/type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let (kind, label) = if story.is_some() {
        (MessageKind::Story, Some("[Reactie op je story]"))
    } else if message.get("sticker_id").is_some_and(|s| !s.is_null()) {
        (MessageKind::Sticker, Some("[Sticker]"))
    } else if !first_type.is_empty() {
        attachment_kind(network, first_type)
    } else if message.get("quick_reply").is_some_and(Value::is_object) {
        (MessageKind::Interactive, Some("[Snelle keuze]"))
    } else {
        (MessageKind::Text, None)
    };
    let summary = match (label, &text) {
        (None, Some(text)) => text.clone(),
        (None, None) => "[Leeg bericht]".into(),
        (Some(label), Some(text)) => format!("{label} {text}"),
        (Some(label), None) => label.to_string(),
    };
    Content { kind, text, summary }
}

fn attachment_kind(network: Network, attachment_type: &str) -> (MessageKind, Option<&'static str>) {
    match attachment_type {
        "image" => (MessageKind::Image, Some("[Afbeelding]")),
        "video" => (MessageKind::Video, Some("[Video]")),
        "audio" => (MessageKind::Audio, Some("[Audio]")),
        "file" => (MessageKind::Document, Some("[Bestand]")),
        "location" => (MessageKind::Location, Some("[Locatie]")),
        "story_mention" => (MessageKind::Story, Some("[Vermelding in een story]")),
        "share" | "reel" | "ig_reel" | "fallback" | "template" | "ig_post" => (
            MessageKind::Share,
            Some(if network == Network::Instagram {
                "[Gedeelde post]"
            } else {
                "[Gedeelde link]"
            }),
        ),
        _ => (MessageKind::Unsupported, Some("[Niet ondersteunde bijlage]")),
    }
}

fn first_attachment_url(message: &Value) -> Option<String> {
    message
        .get("attachments")
        .and_then(Value::as_array)
        .and_then(|attachments| {
            attachments
                .iter()
                .find_map(|a| a.pointer("/payload/url").and_then(Value::as_str))
        })
        .or_else(|| message.pointer("/reply_to/story/url").and_then(Value::as_str))
        .map(str::to_string)
}

/// A button press: Messenger sends `postback.mid` (older payloads: none, so the
/// dedupe key is built from the sender and time).
fn parse_postback(ctx: &EventContext<'_>, postback: &Value) -> Result<InboundEvent, ParseError> {
    let id = match optional_id(postback, "/mid", IdShape::MetaMessage)? {
        Some(mid) => mid,
        None => format!("postback.{}.{}", ctx.sender, ctx.at),
    };
    let title = text_at(postback, "title");
    let content = Content {
        kind: MessageKind::Button,
        summary: match &title {
            Some(title) => format!("[Knop] {title}"),
            None => "[Knop]".into(),
        },
        text: title,
    };
    let mut metadata = Map::new();
    metadata.insert("network".into(), json!(ctx.network.object()));
    metadata.insert("postback".into(), postback.clone());
    Ok(ctx.message(id, content, metadata, false))
}

/// A reaction to a message: its own dedupe key (reacted mid, action, time).
fn parse_reaction(ctx: &EventContext<'_>, reaction: &Value) -> Result<InboundEvent, ParseError> {
    let mid = required_id(reaction, "/mid", IdShape::MetaMessage)?;
    let action = text_at(reaction, "action").unwrap_or_else(|| "react".into());
    let emoji = text_at(reaction, "emoji");
    let summary = match (action.as_str(), &emoji) {
        ("unreact", _) => "[Reactie verwijderd]".to_string(),
        (_, Some(emoji)) => format!("[Reactie {emoji} op een bericht]"),
        _ => "[Reactie op een bericht]".to_string(),
    };
    let id = format!(
        "reaction.{}.{}.{}",
        ctx.sender,
        ctx.at,
        if action == "unreact" { "un" } else { "re" }
    );
    let mut metadata = Map::new();
    metadata.insert("network".into(), json!(ctx.network.object()));
    metadata.insert("reaction".into(), reaction.clone());
    metadata.insert("reacted_mid".into(), json!(mid));
    let content = Content {
        kind: MessageKind::Reaction,
        text: None,
        summary,
    };
    Ok(ctx.message(id, content, metadata, false))
}

/// `delivery {mids?, watermark}` and Messenger `read {watermark}` become watermarks;
/// Instagram `read {mid}` (messaging_seen) a `read` status for that message.
fn receipt(ctx: &EventContext<'_>, receipt: &Value, status: DeliveryStatus) -> Result<InboundEvent, ParseError> {
    let mids = match receipt.get("mids") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(mids)) => mids
            .iter()
            .map(|m| required_id(m, "", IdShape::MetaMessage))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(ParseError::Malformed("`delivery.mids` is not an array".into())),
    };
    if let Some(watermark) = receipt.get("watermark").and_then(epoch_ms) {
        return Ok(InboundEvent::Watermark(WatermarkUpdate {
            account_id: ctx.account_id.to_string(),
            contact_user_id: ctx.sender.clone(),
            status,
            watermark,
            mids,
            at: ctx.at,
        }));
    }
    let mid = match optional_id(receipt, "/mid", IdShape::MetaMessage)? {
        Some(mid) => mid,
        None if mids.len() == 1 => mids[0].clone(),
        None => return Err(ParseError::Malformed("receipt without `watermark` or `mid`".into())),
    };
    Ok(InboundEvent::Status(StatusUpdate {
        account_id: ctx.account_id.to_string(),
        platform_message_id: mid,
        status,
        at: ctx.at,
        error: None,
    }))
}
