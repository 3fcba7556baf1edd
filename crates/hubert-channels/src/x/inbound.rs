//! Parsing X Account Activity API deliveries into [`InboundEvent`]s: posts that mention
//! or reply to us (`tweet_create_events`) and DMs (`direct_message_events`). Retweets,
//! likes, follows, typing, read and delete events yield no events.

use serde_json::{json, Map, Value};

use super::v1_date;
use crate::ids::IdShape;
use crate::{ContactInfo, InboundEvent, InboundMessage, MessageKind, ParseError, ParsedDelivery, ReplyContext};

/// Parses one raw delivery, all or nothing: any unusable event makes it `Malformed`.
pub fn parse(raw_body: &[u8]) -> Result<Vec<InboundEvent>, ParseError> {
    parse_delivery(raw_body)?.strict()
}

/// Parses one raw delivery. An envelope without a valid `for_user_id` is `Malformed`;
/// an event without its ids, or with an id that is not digits, is rejected on its own.
pub fn parse_delivery(raw_body: &[u8]) -> Result<ParsedDelivery, ParseError> {
    let root: Value =
        serde_json::from_slice(raw_body).map_err(|e| ParseError::Malformed(format!("body is not JSON: {e}")))?;
    if !root.is_object() {
        return Err(malformed("envelope is not a JSON object"));
    }
    let for_user_id = root
        .get("for_user_id")
        .and_then(id_string)
        .ok_or_else(|| malformed("envelope has no `for_user_id`"))?;
    let for_user_id = x_id("for_user_id", for_user_id)?;
    let users = root.get("users").unwrap_or(&Value::Null);

    let mut parsed = ParsedDelivery::default();
    for tweet in event_array(&root, "tweet_create_events")? {
        let message = parse_tweet(&for_user_id, tweet);
        parsed.take(tweet, message.map(|m| m.map(InboundEvent::Message)));
    }
    for dm in event_array(&root, "direct_message_events")? {
        let message = parse_direct_message(&for_user_id, users, dm);
        parsed.take(dm, message.map(|m| m.map(InboundEvent::Message)));
    }
    Ok(parsed)
}

/// An X id (digits only), or `Malformed` naming the field.
fn x_id(field: &str, id: String) -> Result<String, ParseError> {
    IdShape::XNumeric.check(field, id).map_err(ParseError::Malformed)
}

fn parse_tweet(for_user_id: &str, tweet: &Value) -> Result<Option<InboundMessage>, ParseError> {
    if tweet.get("retweeted_status").is_some_and(|r| !r.is_null()) {
        return Ok(None);
    }
    let tweet_id = x_id(
        "id_str",
        tweet_id(tweet).ok_or_else(|| malformed("tweet without `id_str`"))?,
    )?;
    let author = tweet.get("user").ok_or_else(|| malformed("tweet without `user`"))?;
    let author_id = author
        .get("id_str")
        .or(author.get("id"))
        .and_then(id_string)
        .ok_or_else(|| malformed("tweet user without `id_str`"))?;
    let author_id = x_id("user.id_str", author_id)?;
    let sent_at = tweet
        .get("timestamp_ms")
        .and_then(epoch_ms)
        .or_else(|| tweet.get("created_at").and_then(Value::as_str).and_then(v1_date::parse))
        .ok_or_else(|| malformed("tweet without `timestamp_ms` or `created_at`"))?;
    let text = full_text(tweet);
    let from_us = author_id == for_user_id;

    let mut metadata = Map::new();
    for key in [
        "in_reply_to_status_id_str",
        "in_reply_to_user_id_str",
        "in_reply_to_screen_name",
        "lang",
    ] {
        if let Some(value) = tweet.get(key).filter(|v| !v.is_null()) {
            metadata.insert(key.into(), value.clone());
        }
    }
    let media = media_list(tweet);
    if !media.is_empty() {
        metadata.insert("media".into(), Value::Array(media.clone()));
    }
    let quoted = tweet.get("quoted_status").filter(|q| q.is_object());
    if let Some(quoted) = quoted {
        metadata.insert(
            "quoted".into(),
            json!({
                "id_str": tweet_id_or_null(quoted),
                "text": full_text(quoted),
                "user": {"id_str": quoted.pointer("/user/id_str"), "name": quoted.pointer("/user/name"),
                         "screen_name": quoted.pointer("/user/screen_name")},
            }),
        );
    }

    let first_media_type = media.first().and_then(|m| m.get("type")).and_then(Value::as_str);
    let (kind, label) = if quoted.is_some() || tweet.get("is_quote_status") == Some(&Value::Bool(true)) {
        (MessageKind::QuotedPost, Some("[Citaat]"))
    } else if let Some(media_type) = first_media_type {
        match media_type {
            "photo" => (MessageKind::Image, Some("[Afbeelding]")),
            _ => (MessageKind::Video, Some("[Video]")),
        }
    } else {
        (MessageKind::Text, None)
    };

    // For our own echo the customer is the one we replied to, when X says who.
    let replied_to = tweet.get("in_reply_to_user_id_str").and_then(id_string);
    let replied_to = replied_to.map(|id| x_id("in_reply_to_user_id_str", id)).transpose()?;
    let contact = match (from_us, replied_to) {
        (true, Some(customer_id)) => ContactInfo {
            platform_user_id: customer_id,
            name: None,
            handle: tweet
                .get("in_reply_to_screen_name")
                .and_then(Value::as_str)
                .map(|s| format!("@{s}")),
        },
        _ => user_contact(&author_id, author),
    };
    Ok(Some(InboundMessage {
        platform_message_id: tweet_id.clone(),
        account_id: for_user_id.to_string(),
        contact,
        kind,
        summary: summary(label, &text),
        text: Some(text).filter(|t| !t.is_empty()),
        metadata: Value::Object(metadata),
        sent_at,
        reply_context: ReplyContext::PublicPost { post_id: tweet_id },
        from_us,
    }))
}

fn parse_direct_message(for_user_id: &str, users: &Value, event: &Value) -> Result<Option<InboundMessage>, ParseError> {
    if event.get("type").and_then(Value::as_str) != Some("message_create") {
        return Ok(None);
    }
    let event_id = event
        .get("id")
        .and_then(id_string)
        .ok_or_else(|| malformed("DM event without `id`"))?;
    let event_id = x_id("id", event_id)?;
    let create = event
        .get("message_create")
        .ok_or_else(|| malformed("DM event without `message_create`"))?;
    let sender_id = create
        .get("sender_id")
        .and_then(id_string)
        .ok_or_else(|| malformed("DM without `sender_id`"))?;
    let sender_id = x_id("sender_id", sender_id)?;
    let recipient_id = create.pointer("/target/recipient_id").and_then(id_string);
    let recipient_id = recipient_id.map(|id| x_id("recipient_id", id)).transpose()?;
    let sent_at = event
        .get("created_timestamp")
        .and_then(epoch_ms)
        .ok_or_else(|| malformed("DM without `created_timestamp`"))?;
    let from_us = sender_id == for_user_id;
    let customer_id = if from_us {
        recipient_id
            .clone()
            .ok_or_else(|| malformed("our DM without `target.recipient_id`"))?
    } else {
        sender_id.clone()
    };
    let customer = users.get(&customer_id).unwrap_or(&Value::Null);

    let data = create.get("message_data").unwrap_or(&Value::Null);
    let text = data.get("text").and_then(Value::as_str).unwrap_or_default().to_string();
    let attachment = data.get("attachment").filter(|a| a.is_object());
    let (kind, label) = match attachment
        .and_then(|a| a.pointer("/media/type"))
        .and_then(Value::as_str)
    {
        Some("photo") => (MessageKind::Image, Some("[Afbeelding]")),
        Some(_) => (MessageKind::Video, Some("[Video]")),
        None if attachment.is_some() => (MessageKind::Unsupported, Some("[Niet ondersteund bericht: bijlage]")),
        None => (MessageKind::Text, None),
    };
    let mut metadata = json!({"sender_id": sender_id, "recipient_id": recipient_id});
    if let Some(attachment) = attachment {
        metadata["attachment"] = attachment.clone();
    }
    if let Some(app_id) = create.get("source_app_id").and_then(id_string) {
        metadata["source_app_id"] = json!(app_id);
    }
    Ok(Some(InboundMessage {
        platform_message_id: event_id,
        account_id: for_user_id.to_string(),
        contact: user_contact(&customer_id, customer),
        kind,
        summary: summary(label, &text),
        text: Some(text).filter(|t| !t.is_empty()),
        metadata,
        sent_at,
        reply_context: ReplyContext::Private,
        from_us,
    }))
}

/// The whole text: `extended_tweet.full_text` beats `full_text` beats the cut `text`.
fn full_text(tweet: &Value) -> String {
    tweet
        .pointer("/extended_tweet/full_text")
        .or_else(|| tweet.get("full_text"))
        .or_else(|| tweet.get("text"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Media of a tweet, from `extended_tweet.extended_entities` or `extended_entities`.
fn media_list(tweet: &Value) -> Vec<Value> {
    let media = tweet
        .pointer("/extended_tweet/extended_entities/media")
        .or_else(|| tweet.pointer("/extended_entities/media"))
        .and_then(Value::as_array);
    media
        .map(|items| {
            items
                .iter()
                .map(|m| {
                    json!({"id_str": m.get("id_str"), "type": m.get("type"),
                                "media_url_https": m.get("media_url_https"), "url": m.get("url")})
                })
                .collect()
        })
        .unwrap_or_default()
}

fn user_contact(user_id: &str, user: &Value) -> ContactInfo {
    let text_at = |key: &str| user.get(key).and_then(Value::as_str).filter(|s| !s.is_empty());
    ContactInfo {
        platform_user_id: user_id.to_string(),
        name: text_at("name").map(str::to_string),
        handle: text_at("screen_name").map(|s| format!("@{s}")),
    }
}

fn summary(label: Option<&str>, text: &str) -> String {
    match (label, text.is_empty()) {
        (None, _) => text.to_string(),
        (Some(label), true) => label.to_string(),
        (Some(label), false) => format!("{label} {text}"),
    }
}

fn tweet_id(tweet: &Value) -> Option<String> {
    tweet
        .get("id_str")
        .and_then(id_string)
        .or_else(|| tweet.get("id").and_then(id_string))
}

fn tweet_id_or_null(tweet: &Value) -> Value {
    tweet_id(tweet).map(Value::String).unwrap_or(Value::Null)
}

fn event_array<'a>(root: &'a Value, key: &str) -> Result<&'a [Value], ParseError> {
    match root.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(ParseError::Malformed(format!("`{key}` is not an array"))),
    }
}

fn malformed(what: &str) -> ParseError {
    ParseError::Malformed(what.to_string())
}

/// Ids as strings; integers are accepted (serde_json keeps u64 exact, never via f64).
fn id_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        _ => None,
    }
}

/// `timestamp_ms` / `created_timestamp`: epoch ms as a string (or a number).
fn epoch_ms(value: &Value) -> Option<i64> {
    match value {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

#[cfg(test)]
#[path = "inbound_tests.rs"]
mod tests;
