//! Builders for X Account Activity API deliveries with v1.1-shaped objects and string
//! ids, as X posts them (sign the returned bytes with [`super::sign_x`]).

use serde_json::{json, Value};

use crate::x::v1_date;

/// A delivery with one post mentioning (or, with `in_reply_to`, replying to) us.
#[allow(clippy::too_many_arguments)]
pub fn mention(
    for_user_id: &str,
    tweet_id: &str,
    user_id: &str,
    name: &str,
    screen_name: &str,
    text: &str,
    ts_ms: i64,
    in_reply_to: Option<&str>,
) -> Vec<u8> {
    let mut post = tweet(tweet_id, user_id, name, screen_name, text, ts_ms);
    if let Some(replied_to) = in_reply_to {
        post["in_reply_to_status_id"] = json!(replied_to.parse::<u64>().ok());
        post["in_reply_to_status_id_str"] = json!(replied_to);
        post["in_reply_to_user_id"] = json!(for_user_id.parse::<u64>().ok());
        post["in_reply_to_user_id_str"] = json!(for_user_id);
    }
    post["entities"]["user_mentions"] = json!([{"id_str": for_user_id, "indices": [0, 0]}]);
    let mut envelope = json!({"for_user_id": for_user_id, "user_has_blocked": "false"});
    envelope["tweet_create_events"] = json!([post]);
    envelope.to_string().into_bytes()
}

/// A delivery with one DM the customer sent to us.
pub fn dm(
    for_user_id: &str,
    event_id: &str,
    sender_id: &str,
    name: &str,
    screen_name: &str,
    text: &str,
    ts_ms: i64,
) -> Vec<u8> {
    let users =
        json!({ sender_id: user(sender_id, name, screen_name), for_user_id: user(for_user_id, "Webcare", "webcare") });
    dm_envelope(
        for_user_id,
        dm_event(event_id, sender_id, for_user_id, text, ts_ms),
        users,
    )
}

/// A delivery echoing a DM we sent to `recipient_id` (name/screen name are theirs).
pub fn dm_from_us(
    for_user_id: &str,
    event_id: &str,
    recipient_id: &str,
    name: &str,
    screen_name: &str,
    text: &str,
    ts_ms: i64,
) -> Vec<u8> {
    let users = json!({ recipient_id: user(recipient_id, name, screen_name), for_user_id: user(for_user_id, "Webcare", "webcare") });
    dm_envelope(
        for_user_id,
        dm_event(event_id, for_user_id, recipient_id, text, ts_ms),
        users,
    )
}

/// A v1.1 post object to adapt (quotes, retweets, media, extended text) before
/// wrapping with [`tweet_events`].
pub fn tweet(tweet_id: &str, user_id: &str, name: &str, screen_name: &str, text: &str, ts_ms: i64) -> Value {
    json!({
        "created_at": v1_date::format(ts_ms),
        "id": tweet_id.parse::<u64>().ok(), "id_str": tweet_id,
        "text": text,
        "in_reply_to_status_id": null, "in_reply_to_status_id_str": null,
        "in_reply_to_user_id": null, "in_reply_to_user_id_str": null, "in_reply_to_screen_name": null,
        "user": user(user_id, name, screen_name),
        "entities": {"hashtags": [], "urls": [], "symbols": [], "user_mentions": []},
        "truncated": false, "is_quote_status": false, "lang": "nl",
        "timestamp_ms": ts_ms.to_string(),
    })
}

/// A delivery of several post objects.
pub fn tweet_events(for_user_id: &str, tweets: Vec<Value>) -> Vec<u8> {
    json!({"for_user_id": for_user_id, "user_has_blocked": "false", "tweet_create_events": tweets})
        .to_string()
        .into_bytes()
}

fn user(user_id: &str, name: &str, screen_name: &str) -> Value {
    json!({"id": user_id.parse::<u64>().ok(), "id_str": user_id, "name": name, "screen_name": screen_name,
           "protected": false, "verified": false,
           "profile_image_url_https": "https://pbs.twimg.com/profile_images/0/default_normal.jpg"})
}

fn dm_event(event_id: &str, sender_id: &str, recipient_id: &str, text: &str, ts_ms: i64) -> Value {
    json!({"type": "message_create", "id": event_id, "created_timestamp": ts_ms.to_string(),
        "message_create": {"target": {"recipient_id": recipient_id}, "sender_id": sender_id, "source_app_id": "13090192",
            "message_data": {"text": text, "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []}}}})
}

fn dm_envelope(for_user_id: &str, event: Value, users: Value) -> Vec<u8> {
    json!({"for_user_id": for_user_id, "direct_message_events": [event], "users": users,
           "apps": {"13090192": {"id": "13090192", "name": "Hubert", "url": "https://example.nl"}}})
    .to_string()
    .into_bytes()
}
