//! Parsing LinkedIn organisation social-action notifications into [`InboundEvent`]s:
//! `COMMENT` (a customer's comment, possibly nested), `ADMIN_COMMENT` (a page admin's:
//! ours, never a customer message), `SHARE_MENTION` (a post @mentioning the page),
//! `COMMENT_EDIT` / `COMMENT_DELETE` (updates of a comment we hold). `LIKE`, `SHARE` and
//! any action LinkedIn adds later are [`ParsedDelivery::ignored`]: acknowledged and kept
//! for inspection, never refused. The same code reads webhook deliveries
//! (`{"type", "notifications": [...]}`) and the poll's answer (`{"elements": [...]}`).

use std::collections::HashSet;

use serde_json::{json, Map, Value};

use super::urn;
use crate::{
    ContactInfo, InboundEvent, InboundMessage, MessageChange, MessageKind, MessageUpdate, ParseError, ParsedDelivery,
    ReplyContext,
};

/// How a commenter is shown: notifications carry no names, and the People API is closed
/// for other members.
pub const UNKNOWN_MEMBER_NAME: &str = "LinkedIn-lid";

/// The `type` of the webhook envelope we subscribe to.
pub const ENVELOPE_TYPE: &str = "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS";

/// Parses one raw delivery, all or nothing: any unusable notification makes it `Malformed`.
pub fn parse(raw_body: &[u8]) -> Result<Vec<InboundEvent>, ParseError> {
    parse_delivery(raw_body)?.strict()
}

/// Parses one raw webhook delivery. A body that is not a JSON object with a
/// `notifications` array is not LinkedIn's envelope: `Malformed` (400 + quarantine). An
/// envelope of another `type` is acknowledged and kept whole as one ignored event. A
/// notification without its ids or with an id of the wrong shape is rejected on its own
/// (quarantined); one with an action we do not handle is ignored (kept); repeats of a
/// `notificationId` within the delivery are dropped.
pub fn parse_delivery(raw_body: &[u8]) -> Result<ParsedDelivery, ParseError> {
    let root = json_object(raw_body)?;
    let notifications = match root.get("notifications") {
        Some(Value::Array(items)) => items,
        _ => return Err(malformed("envelope has no `notifications` array")),
    };
    let mut parsed = ParsedDelivery::default();
    match root.get("type") {
        None | Some(Value::Null) => {}
        Some(Value::String(t)) if t == ENVELOPE_TYPE => {}
        Some(other) => {
            let shown: String = other.to_string().chars().take(64).collect();
            parsed.ignore(&root, format!("LinkedIn envelope type {shown} is not handled"));
            return Ok(parsed);
        }
    }
    parse_notifications(notifications, &mut parsed, &mut HashSet::new());
    Ok(parsed)
}

/// The body as a JSON object, or `Malformed`.
pub(super) fn json_object(raw_body: &[u8]) -> Result<Value, ParseError> {
    let root: Value =
        serde_json::from_slice(raw_body).map_err(|e| ParseError::Malformed(format!("body is not JSON: {e}")))?;
    if root.is_object() {
        Ok(root)
    } else {
        Err(malformed("body is not a JSON object"))
    }
}

/// Parses every notification into `parsed`, skipping a `notificationId` already in `seen`.
pub(super) fn parse_notifications(notifications: &[Value], parsed: &mut ParsedDelivery, seen: &mut HashSet<String>) {
    for notification in notifications {
        if let Some(id) = notification.get("notificationId").and_then(id_string) {
            if !seen.insert(id) {
                continue;
            }
        }
        match notification.get("action").and_then(Value::as_str) {
            Some("COMMENT" | "ADMIN_COMMENT" | "SHARE_MENTION" | "COMMENT_EDIT" | "COMMENT_DELETE") | None => {
                parsed.take(notification, parse_notification(notification));
            }
            Some(action @ ("LIKE" | "SHARE")) => {
                parsed.ignore(notification, format!("LinkedIn {action} is not a message"));
            }
            Some(other) => {
                let action: String = other.chars().take(64).collect();
                parsed.ignore(notification, format!("LinkedIn action `{action}` is not handled"));
            }
        }
    }
}

/// The fields every notification shares, checked.
struct Common<'a> {
    notification_id: String,
    organization: String,
    action: &'a str,
    at: i64,
    raw: &'a Value,
}

fn parse_notification(raw: &Value) -> Result<Option<InboundEvent>, ParseError> {
    if !raw.is_object() {
        return Err(malformed("notification is not a JSON object"));
    }
    let notification_id = raw
        .get("notificationId")
        .and_then(id_string)
        .ok_or_else(|| malformed("notification without `notificationId`"))?;
    if !notification_id.bytes().all(|b| b.is_ascii_digit()) || notification_id.len() > 20 {
        return Err(malformed("`notificationId` is not a number"));
    }
    let organization = raw
        .get("organizationalEntity")
        .and_then(Value::as_str)
        .filter(|u| urn::is_organization(u))
        .ok_or_else(|| malformed("`organizationalEntity` is not urn:li:organization:<digits>"))?;
    let action = raw
        .get("action")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("notification without `action`"))?;
    let at = raw
        .get("lastModifiedAt")
        .and_then(epoch_ms)
        .ok_or_else(|| malformed("notification without `lastModifiedAt`"))?;
    let common = Common {
        notification_id,
        organization: organization.to_string(),
        action,
        at,
        raw,
    };
    match action {
        "COMMENT" | "ADMIN_COMMENT" => comment(&common).map(|m| Some(InboundEvent::Message(m))),
        "SHARE_MENTION" => mention(&common).map(|m| Some(InboundEvent::Message(m))),
        "COMMENT_EDIT" | "COMMENT_DELETE" => comment_update(&common).map(|u| Some(InboundEvent::Update(u))),
        // Triaged by `parse_notifications`: other actions never get here.
        _ => Ok(None),
    }
}

/// `decoratedGeneratedActivity.comment`, when present.
fn decorated_comment(raw: &Value) -> &Value {
    raw.pointer("/decoratedGeneratedActivity/comment")
        .unwrap_or(&Value::Null)
}

/// The comment's own URN (normalised): `comment.entity`, else `generatedActivity`.
fn comment_urn(raw: &Value) -> Result<String, ParseError> {
    let candidate = decorated_comment(raw)
        .get("entity")
        .or_else(|| raw.get("generatedActivity"))
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("comment notification without a comment URN"))?;
    urn::normalize_comment(candidate).ok_or_else(|| malformed("the comment URN has the wrong shape"))
}

/// The comment's text: `comment.text` in one sample, `comment.message.text` in another.
fn comment_text(comment: &Value) -> Option<String> {
    comment
        .get("text")
        .or_else(|| comment.pointer("/message/text"))
        .and_then(Value::as_str)
        .filter(|t| !t.trim().is_empty())
        .map(str::to_string)
}

fn comment(common: &Common) -> Result<InboundMessage, ParseError> {
    let raw = common.raw;
    let comment = decorated_comment(raw);
    let comment_urn = comment_urn(raw)?;
    let post = thread_post(raw, &comment_urn)?;
    let parent = match comment.get("parentComment").or_else(|| raw.get("parentComment")) {
        None | Some(Value::Null) => None,
        Some(value) => Some(
            value
                .as_str()
                .and_then(urn::normalize_comment)
                .ok_or_else(|| malformed("`parentComment` has the wrong shape"))?,
        ),
    };
    let owner = actor(
        comment
            .get("owner")
            .or_else(|| comment.get("actor"))
            .or_else(|| raw.get("actor")),
    )?;
    let admin = common.action == "ADMIN_COMMENT";
    let owner = match (owner, admin) {
        (Some(owner), _) => owner,
        (None, true) => common.organization.clone(),
        (None, false) => return Err(malformed("comment without an `owner`")),
    };
    let text = comment_text(comment);
    let mut metadata = base_metadata(common, &post);
    metadata.insert("comment_urn".into(), json!(comment_urn));
    metadata.insert("parent_comment".into(), json!(parent));
    let reply_context = ReplyContext::PublicComment {
        post_id: post.clone(),
        comment_id: comment_urn.clone(),
        // LinkedIn nests one level: a reply to a reply goes under the top-level comment.
        parent_id: Some(parent.unwrap_or_else(|| post.clone())),
        post_text: post_text(raw),
        post_link: Some(post_link(&post)),
    };
    Ok(InboundMessage {
        platform_message_id: comment_urn,
        account_id: common.organization.clone(),
        from_us: admin || owner == common.organization,
        contact: member(owner),
        kind: MessageKind::Text,
        summary: text.clone().unwrap_or_else(|| "[Reactie zonder tekst]".to_string()),
        text,
        metadata: Value::Object(metadata),
        sent_at: common.at,
        reply_context,
    })
}

fn mention(common: &Common) -> Result<InboundMessage, ParseError> {
    let raw = common.raw;
    let post = raw
        .get("generatedActivity")
        .and_then(Value::as_str)
        .filter(|u| urn::is_post(u))
        .ok_or_else(|| malformed("mention without a post URN in `generatedActivity`"))?
        .to_string();
    let share = raw
        .pointer("/decoratedGeneratedActivity/share")
        .or_else(|| raw.pointer("/decoratedGeneratedActivity/post"))
        .unwrap_or(&Value::Null);
    let owner = actor(
        share
            .get("owner")
            .or_else(|| share.get("author"))
            .or_else(|| raw.get("actor")),
    )?;
    let text = share
        .get("text")
        .or_else(|| share.get("commentary"))
        .and_then(Value::as_str)
        .filter(|t| !t.trim().is_empty())
        .map(str::to_string);
    let mut metadata = base_metadata(common, &post);
    metadata.insert("mention".into(), json!(true));
    // Without the text the app can fetch it: GET /rest/posts/{encoded post URN}.
    metadata.insert("text_missing".into(), json!(text.is_none()));
    metadata.insert("author_unknown".into(), json!(owner.is_none()));
    let from_us = owner.as_deref() == Some(common.organization.as_str());
    // No author in the notification: the post itself stands for its unknown author.
    let contact_id = owner.unwrap_or_else(|| post.clone());
    Ok(InboundMessage {
        platform_message_id: post.clone(),
        account_id: common.organization.clone(),
        from_us,
        contact: member(contact_id),
        kind: MessageKind::Text,
        summary: text
            .clone()
            .unwrap_or_else(|| "[Vermelding in een LinkedIn-bericht]".to_string()),
        text,
        metadata: Value::Object(metadata),
        sent_at: common.at,
        reply_context: ReplyContext::PublicPost { post_id: post },
    })
}

fn comment_update(common: &Common) -> Result<MessageUpdate, ParseError> {
    let platform_message_id = comment_urn(common.raw)?;
    let change = if common.action == "COMMENT_DELETE" {
        MessageChange::Removed
    } else {
        MessageChange::Edited {
            text: comment_text(decorated_comment(common.raw)),
        }
    };
    Ok(MessageUpdate {
        account_id: common.organization.clone(),
        platform_message_id,
        change,
        at: common.at,
    })
}

/// The post a comment thread hangs under: `sourcePost`, else `comment.object`, else the
/// post inside the comment URN.
fn thread_post(raw: &Value, comment_urn: &str) -> Result<String, ParseError> {
    let named = raw
        .get("sourcePost")
        .or_else(|| decorated_comment(raw).get("object"))
        .and_then(Value::as_str);
    match named {
        Some(post) if urn::is_post(post) => Ok(post.to_string()),
        Some(_) => Err(malformed("`sourcePost` is not a post URN")),
        None => urn::CommentUrn::parse(comment_urn)
            .map(|c| c.post)
            .ok_or_else(|| malformed("comment without its post")),
    }
}

/// An actor URN (member or organisation) when present; `Malformed` when present but of
/// the wrong shape.
fn actor(value: Option<&Value>) -> Result<Option<String>, ParseError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if urn::is_actor(s) => Ok(Some(s.clone())),
        Some(_) => Err(malformed("the author URN has the wrong shape")),
    }
}

fn member(platform_user_id: String) -> ContactInfo {
    ContactInfo {
        platform_user_id,
        name: Some(UNKNOWN_MEMBER_NAME.to_string()),
        handle: None,
    }
}

/// What every message carries: the notification, and the post as the thread's context
/// (its URN, link, and text and owner when LinkedIn decorated it).
fn base_metadata(common: &Common, post: &str) -> Map<String, Value> {
    let source = common.raw.get("decoratedSourcePost").unwrap_or(&Value::Null);
    let text_at = |key: &str| source.get(key).and_then(Value::as_str).map(str::to_string);
    let mut metadata = Map::new();
    metadata.insert("notification_id".into(), json!(common.notification_id));
    metadata.insert("action".into(), json!(common.action));
    metadata.insert("post_urn".into(), json!(post));
    metadata.insert("post_link".into(), json!(post_link(post)));
    metadata.insert("post_entity".into(), json!(text_at("entity")));
    metadata.insert("post_text".into(), json!(text_at("text")));
    metadata.insert("post_owner".into(), json!(text_at("owner")));
    metadata
}

/// The post's public page.
fn post_link(post: &str) -> String {
    format!("https://www.linkedin.com/feed/update/{post}/")
}

/// The post's text when LinkedIn decorated the notification with it.
fn post_text(raw: &Value) -> Option<String> {
    raw.pointer("/decoratedSourcePost/text")
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn malformed(what: &str) -> ParseError {
    ParseError::Malformed(what.to_string())
}

/// `notificationId` as a string; a number is taken exactly (never via f64).
fn id_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) if n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

/// `lastModifiedAt`: epoch milliseconds as a number (or a string of digits).
fn epoch_ms(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
#[path = "inbound_tests.rs"]
mod tests;
