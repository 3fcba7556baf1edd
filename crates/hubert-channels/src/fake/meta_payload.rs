//! Builders for Facebook (`object: page`) and Instagram (`object: instagram`) webhook
//! deliveries, serialised exactly as Meta sends them (compact, non-ASCII `\u`-escaped;
//! sign the returned bytes with [`super::sign_meta`]). Shapes: channels.md §3(c), §4(c).

use serde_json::{json, Value};

use crate::meta_json::to_meta_escaped_json;

/// The Page id the examples use.
pub const PAGE_ID: &str = "112233445566778";
/// The Instagram account id the examples use.
pub const IG_ACCOUNT_ID: &str = "17841400123456789";
/// The app id our echoes carry.
pub const APP_ID: &str = "1517000000000001";
/// A different app (Meta Business Suite / Page inbox) for agent-typed echoes.
pub const SUITE_APP_ID: &str = "263902037430900";

/// A `messaging[]` element: `{"sender","recipient","timestamp", key: content}`.
pub fn messaging_event(sender: &str, recipient: &str, ts_ms: i64, key: &str, content: Value) -> Value {
    let mut event = json!({"sender": {"id": sender}, "recipient": {"id": recipient}, "timestamp": ts_ms});
    event[key] = content;
    event
}

/// A customer's text message to `account` (Page or Instagram account).
pub fn text_event(account: &str, user: &str, mid: &str, ts_ms: i64, text: &str) -> Value {
    messaging_event(user, account, ts_ms, "message", json!({"mid": mid, "text": text}))
}

/// An attachment message; `attachment_type` is image, video, audio, file, share,
/// story_mention, ig_reel, …
pub fn attachment_event(account: &str, user: &str, mid: &str, ts_ms: i64, attachment_type: &str, url: &str) -> Value {
    let message = json!({"mid": mid, "attachments": [{"type": attachment_type, "payload": {"url": url}}]});
    messaging_event(user, account, ts_ms, "message", message)
}

/// A quick-reply tap: text plus `quick_reply.payload`.
pub fn quick_reply_event(account: &str, user: &str, mid: &str, ts_ms: i64, text: &str, payload: &str) -> Value {
    let message = json!({"mid": mid, "text": text, "quick_reply": {"payload": payload}});
    messaging_event(user, account, ts_ms, "message", message)
}

/// A text that replies to one of our messages (`reply_to.mid`).
pub fn reply_event(account: &str, user: &str, mid: &str, ts_ms: i64, text: &str, reply_to_mid: &str) -> Value {
    let message = json!({"mid": mid, "text": text, "reply_to": {"mid": reply_to_mid}});
    messaging_event(user, account, ts_ms, "message", message)
}

/// A button press (`postback {title, payload, mid}`).
pub fn postback_event(account: &str, user: &str, mid: &str, ts_ms: i64, title: &str, payload: &str) -> Value {
    let postback = json!({"mid": mid, "title": title, "payload": payload});
    messaging_event(user, account, ts_ms, "postback", postback)
}

/// A reaction (`action` react/unreact) to message `mid`.
pub fn reaction_event(account: &str, user: &str, mid: &str, ts_ms: i64, emoji: &str, action: &str) -> Value {
    let reaction = json!({"mid": mid, "action": action, "emoji": emoji, "reaction": "love"});
    messaging_event(user, account, ts_ms, "reaction", reaction)
}

/// A Messenger delivery receipt; `mids` may be empty (then left out).
pub fn delivery_event(account: &str, user: &str, ts_ms: i64, mids: &[&str], watermark: i64) -> Value {
    let mut delivery = json!({"watermark": watermark});
    if !mids.is_empty() {
        delivery["mids"] = json!(mids);
    }
    messaging_event(user, account, ts_ms, "delivery", delivery)
}

/// A Messenger read receipt (`read.watermark`).
pub fn read_event(account: &str, user: &str, ts_ms: i64, watermark: i64) -> Value {
    messaging_event(user, account, ts_ms, "read", json!({"watermark": watermark}))
}

/// An Instagram `messaging_seen` receipt (`read.mid`).
pub fn seen_event(account: &str, user: &str, ts_ms: i64, mid: &str) -> Value {
    messaging_event(user, account, ts_ms, "read", json!({"mid": mid}))
}

/// An echo of a message the account sent (sender = account). `app_id` [`APP_ID`] for
/// our own sends, another or `None` for messages typed in Meta Business Suite.
pub fn echo_event(account: &str, user: &str, mid: &str, ts_ms: i64, text: &str, app_id: Option<&str>) -> Value {
    let mut message = json!({"mid": mid, "text": text, "is_echo": true});
    if let Some(app_id) = app_id {
        message["app_id"] = json!(app_id.parse::<u64>().map(Value::from).unwrap_or_else(|_| json!(app_id)));
    }
    messaging_event(account, user, ts_ms, "message", message)
}

/// An Instagram unsend (`is_deleted: true`).
pub fn unsend_event(account: &str, user: &str, mid: &str, ts_ms: i64) -> Value {
    messaging_event(user, account, ts_ms, "message", json!({"mid": mid, "is_deleted": true}))
}

/// An Instagram story reply (`reply_to.story {id, url}`).
pub fn story_reply_event(account: &str, user: &str, mid: &str, ts_ms: i64, text: &str, story_id: &str) -> Value {
    let url = format!("https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id={story_id}");
    let message = json!({"mid": mid, "text": text, "reply_to": {"story": {"id": story_id, "url": url}}});
    messaging_event(user, account, ts_ms, "message", message)
}

/// A Page `feed` comment (`item: comment, verb: add`). `parent_id` defaults to the post.
#[allow(clippy::too_many_arguments)]
pub fn feed_comment(
    from_id: &str,
    from_name: &str,
    post_id: &str,
    comment_id: &str,
    parent_id: Option<&str>,
    created_secs: i64,
    message: &str,
    post_text: Option<&str>,
) -> Value {
    let mut post = json!({"id": post_id, "status_type": "mobile_status_update", "is_published": true,
        "updated_time": "2026-01-01T10:01:30+0000",
        "permalink_url": format!("https://www.facebook.com/{post_id}"), "promotion_status": "inactive"});
    if let Some(text) = post_text {
        post["message"] = json!(text);
    }
    json!({"from": {"id": from_id, "name": from_name}, "post": post, "message": message, "post_id": post_id,
        "comment_id": comment_id, "parent_id": parent_id.unwrap_or(post_id), "created_time": created_secs,
        "item": "comment", "verb": "add"})
}

/// A `feed` verb on a comment: `edited` (with the new `message`), `hide`, `unhide`, `remove`.
pub fn feed_verb(post_id: &str, comment_id: &str, verb: &str, created_secs: i64, message: Option<&str>) -> Value {
    let mut value = json!({"post_id": post_id, "comment_id": comment_id, "parent_id": post_id,
        "created_time": created_secs, "item": "comment", "verb": verb});
    if let Some(message) = message {
        value["message"] = json!(message);
    }
    value
}

/// An Instagram `comments` value; `parent_id` for replies to a comment.
pub fn ig_comment(
    comment_id: &str,
    from_id: &str,
    username: &str,
    text: &str,
    media_id: &str,
    parent_id: Option<&str>,
) -> Value {
    let mut value = json!({"id": comment_id, "from": {"id": from_id, "username": username}, "text": text,
        "media": {"id": media_id, "media_product_type": "FEED"}});
    if let Some(parent) = parent_id {
        value["parent_id"] = json!(parent);
    }
    value
}

/// An Instagram `mentions` value.
pub fn ig_mention(media_id: &str, comment_id: &str) -> Value {
    json!({"media_id": media_id, "comment_id": comment_id})
}

/// Several entries of one object in one delivery.
#[derive(Debug, Clone)]
pub struct MetaBatch {
    object: &'static str,
    entries: Vec<Value>,
}

impl MetaBatch {
    /// A Facebook Page delivery.
    pub fn page() -> Self {
        Self {
            object: "page",
            entries: Vec::new(),
        }
    }

    /// An Instagram delivery.
    pub fn instagram() -> Self {
        Self {
            object: "instagram",
            entries: Vec::new(),
        }
    }

    /// Adds a `messaging[]` event to the last entry of `account` (or a new entry).
    /// Entry `time` is in ms, as Meta sends it for messaging.
    pub fn messaging(mut self, account: &str, event: Value) -> Self {
        let time = event.get("timestamp").cloned().unwrap_or(json!(0));
        self.slot(account, "messaging", time).push(event);
        self
    }

    /// Adds a `changes[]` item (`field`, `value`) to the last entry of `account`.
    /// Entry `time` is in seconds, as in captured feed payloads.
    pub fn change(mut self, account: &str, field: &str, value: Value, time_secs: i64) -> Self {
        self.slot(account, "changes", json!(time_secs))
            .push(json!({"field": field, "value": value}));
        self
    }

    /// Forces the next item into a new entry (Meta splits batches by entry freely).
    pub fn new_entry(mut self) -> Self {
        self.entries.push(Value::Null);
        self
    }

    fn slot(&mut self, account: &str, key: &str, time: Value) -> &mut Vec<Value> {
        let reuse = self
            .entries
            .last()
            .is_some_and(|e| e.get("id").and_then(Value::as_str) == Some(account) && e.get(key).is_some());
        if !reuse {
            if self.entries.last().is_some_and(Value::is_null) {
                self.entries.pop();
            }
            let mut entry = json!({"id": account, "time": time});
            entry[key] = json!([]);
            self.entries.push(entry);
        }
        let entry = self.entries.last_mut().expect("an entry was just ensured");
        entry[key].as_array_mut().expect("the slot is an array")
    }

    /// The delivery as Meta would send it.
    pub fn build(&self) -> Vec<u8> {
        let entries: Vec<&Value> = self.entries.iter().filter(|e| !e.is_null()).collect();
        to_meta_escaped_json(&json!({"object": self.object, "entry": entries})).into_bytes()
    }
}

/// One Messenger text message as a whole delivery.
pub fn messenger_text(page: &str, psid: &str, mid: &str, ts_ms: i64, text: &str) -> Vec<u8> {
    MetaBatch::page()
        .messaging(page, text_event(page, psid, mid, ts_ms, text))
        .build()
}

/// One Instagram DM as a whole delivery.
pub fn instagram_text(account: &str, igsid: &str, mid: &str, ts_ms: i64, text: &str) -> Vec<u8> {
    MetaBatch::instagram()
        .messaging(account, text_event(account, igsid, mid, ts_ms, text))
        .build()
}

/// One Page comment as a whole delivery.
pub fn page_comment(page: &str, comment: Value, time_secs: i64) -> Vec<u8> {
    MetaBatch::page().change(page, "feed", comment, time_secs).build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::{facebook, instagram, verify_signature, ParseOptions};
    use crate::{DeliveryStatus, InboundEvent, MessageChange, MessageKind};

    const PSID: &str = "7012345678901234";
    const T: i64 = 1_767_261_600_000;

    fn kinds(events: &[InboundEvent]) -> Vec<String> {
        events
            .iter()
            .map(|e| match e {
                InboundEvent::Message(m) => format!("{}{}", m.kind.as_str(), if m.from_us { "*" } else { "" }),
                InboundEvent::Status(s) => format!("status:{}", s.status.as_str()),
                InboundEvent::Update(u) => format!("update:{:?}", u.change),
                InboundEvent::Watermark(w) => format!("watermark:{}", w.status.as_str()),
            })
            .collect()
    }

    #[test]
    fn every_messenger_builder_parses_to_its_kind() {
        let body = MetaBatch::page()
            .messaging(
                PAGE_ID,
                text_event(PAGE_ID, PSID, "m_1", T, "Mijn factuur klopt niet, één vraag 😢"),
            )
            .messaging(
                PAGE_ID,
                attachment_event(PAGE_ID, PSID, "m_2", T + 1, "image", "https://cdn/1.jpg"),
            )
            .messaging(
                PAGE_ID,
                attachment_event(PAGE_ID, PSID, "m_3", T + 2, "file", "https://cdn/f.pdf"),
            )
            .messaging(
                PAGE_ID,
                quick_reply_event(PAGE_ID, PSID, "m_4", T + 3, "Storing", "STORING"),
            )
            .messaging(PAGE_ID, reply_event(PAGE_ID, PSID, "m_5", T + 4, "Deze", "m_OUR"))
            .messaging(
                PAGE_ID,
                postback_event(PAGE_ID, PSID, "m_6", T + 5, "Start", "GET_STARTED"),
            )
            .messaging(PAGE_ID, reaction_event(PAGE_ID, PSID, "m_OUR", T + 6, "👍", "react"))
            .new_entry()
            .messaging(PAGE_ID, read_event(PAGE_ID, PSID, T + 8, T + 7))
            .messaging(PAGE_ID, delivery_event(PAGE_ID, PSID, T + 9, &["m_OUR"], T + 7))
            .messaging(
                PAGE_ID,
                echo_event(PAGE_ID, PSID, "m_OUR", T + 10, "Dag!", Some(APP_ID)),
            )
            .messaging(
                PAGE_ID,
                echo_event(PAGE_ID, PSID, "m_SUITE", T + 11, "Via de suite", Some(SUITE_APP_ID)),
            )
            .change(
                PAGE_ID,
                "feed",
                feed_comment(
                    "6789012345678901",
                    "Pieter",
                    "112233445566778_9",
                    "9_1",
                    None,
                    1_767_261_690,
                    "Geen stroom",
                    Some("Storing"),
                ),
                1_767_261_700,
            )
            .change(
                PAGE_ID,
                "feed",
                feed_comment(
                    PAGE_ID,
                    "Zonnestroom",
                    "112233445566778_9",
                    "9_2",
                    Some("9_1"),
                    1_767_261_695,
                    "We kijken",
                    None,
                ),
                1_767_261_700,
            )
            .change(
                PAGE_ID,
                "feed",
                feed_verb("112233445566778_9", "9_1", "hide", 1_767_261_800, None),
                1_767_261_800,
            )
            .build();
        assert!(body.is_ascii(), "non-ASCII is \\u-escaped as Meta sends it");
        let signature = super::super::sign_meta("meta-app-secret", &body);
        assert_eq!(verify_signature("meta-app-secret", Some(&signature), &body), Ok(()));
        let options = ParseOptions {
            our_app_id: Some(APP_ID.into()),
        };
        let events = facebook::parse_delivery_with(&body, &options).unwrap();
        assert!(events.rejected.is_empty() && events.ignored.is_empty(), "{events:?}");
        assert_eq!(
            kinds(&events.events),
            vec![
                "text",
                "image",
                "document",
                "interactive",
                "text",
                "button",
                "reaction",
                "watermark:read",
                "watermark:delivered",
                "status:sent",
                "text*",
                "text",
                "text*",
                "update:Hidden"
            ]
        );
        let InboundEvent::Message(first) = &events.events[0] else {
            panic!()
        };
        assert_eq!(first.text.as_deref(), Some("Mijn factuur klopt niet, één vraag 😢"));
    }

    #[test]
    fn every_instagram_builder_parses_to_its_kind() {
        let a = IG_ACCOUNT_ID;
        let body = MetaBatch::instagram()
            .messaging(a, text_event(a, PSID, "aWdf1", T, "Hoi"))
            .messaging(
                a,
                attachment_event(a, PSID, "aWdf2", T + 1, "story_mention", "https://cdn/s"),
            )
            .messaging(
                a,
                story_reply_event(a, PSID, "aWdf3", T + 2, "Leuk!", "17999988877766655"),
            )
            .messaging(a, unsend_event(a, PSID, "aWdf1", T + 3))
            .messaging(a, seen_event(a, PSID, T + 4, "aWdfOUR"))
            .messaging(a, echo_event(a, PSID, "aWdfOUR", T + 5, "Dag", None))
            .change(
                a,
                "comments",
                ig_comment("17900011122233344", PSID, "lisa", "Waarom?", "17955566677788899", None),
                1_767_261_900,
            )
            .change(
                a,
                "mentions",
                ig_mention("17955566677788899", "17900011122233355"),
                1_767_261_900,
            )
            .build();
        let events = instagram::parse(&body).unwrap();
        assert_eq!(
            kinds(&events),
            vec![
                "text",
                "story",
                "story",
                "update:Unsent",
                "status:read",
                "text*",
                "text",
                "text"
            ]
        );
        assert!(matches!(&events[3], InboundEvent::Update(u) if u.change == MessageChange::Unsent));
        assert!(matches!(&events[4], InboundEvent::Status(s) if s.status == DeliveryStatus::Read));
        assert!(matches!(&events[1], InboundEvent::Message(m) if m.kind == MessageKind::Story));
    }

    #[test]
    fn one_shot_builders() {
        assert_eq!(
            facebook::parse(&messenger_text(PAGE_ID, PSID, "m_1", T, "hoi"))
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            instagram::parse(&instagram_text(IG_ACCOUNT_ID, PSID, "aWdf1", T, "hoi"))
                .unwrap()
                .len(),
            1
        );
        let comment = feed_comment(PSID, "P", "1_2", "2_3", None, 1, "x", None);
        assert_eq!(facebook::parse(&page_comment(PAGE_ID, comment, 1)).unwrap().len(), 1);
    }
}
