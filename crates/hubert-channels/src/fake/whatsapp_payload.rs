//! Builders for WhatsApp webhook deliveries, serialised exactly as Meta sends them
//! (compact, non-ASCII `\u`-escaped; sign the returned bytes with [`super::sign_meta`]).

use serde_json::{json, Value};

use crate::meta_json::to_meta_escaped_json;
use crate::MessageKind;

/// The WABA id the builders put in `entry[].id`.
pub const WABA_ID: &str = "104857600012345";
/// Our display number the builders put in `metadata.display_phone_number`.
pub const DISPLAY_PHONE_NUMBER: &str = "31201234567";

/// A delivery with one text message.
pub fn text_message(phone_number_id: &str, wa_id: &str, name: &str, wamid: &str, ts_secs: i64, text: &str) -> Vec<u8> {
    Batch::new()
        .text(phone_number_id, wa_id, name, wamid, ts_secs, text)
        .build()
}

/// A delivery with one media message; `kind` is image, video, audio, document or sticker.
#[allow(clippy::too_many_arguments)]
pub fn media_message(
    phone_number_id: &str,
    wa_id: &str,
    name: &str,
    wamid: &str,
    ts_secs: i64,
    kind: MessageKind,
    media_id: &str,
    mime_type: &str,
    caption: Option<&str>,
) -> Vec<u8> {
    let object = media_object(wa_id, wamid, ts_secs, kind, media_id, mime_type, caption);
    message(phone_number_id, wa_id, name, object)
}

/// A delivery with one message object of any type (see [`message_object`]).
pub fn message(phone_number_id: &str, wa_id: &str, name: &str, message_object: Value) -> Vec<u8> {
    Batch::new()
        .message(phone_number_id, wa_id, name, message_object)
        .build()
}

/// A delivery with one status receipt; `error` is `(code, title)` for `failed`.
pub fn status(phone_number_id: &str, wamid: &str, status: &str, ts_secs: i64, error: Option<(i64, &str)>) -> Vec<u8> {
    Batch::new()
        .status(
            phone_number_id,
            status_object(wamid, status, ts_secs, None, None, error),
        )
        .build()
}

/// `messages[]` element of any type: `{"from","id","timestamp","type", <type>: content}`.
pub fn message_object(wa_id: &str, wamid: &str, ts_secs: i64, message_type: &str, content: Value) -> Value {
    let mut object = json!({"from": wa_id, "id": wamid, "timestamp": ts_secs.to_string(), "type": message_type});
    object[message_type] = content;
    object
}

/// A text `messages[]` element.
pub fn text_object(wa_id: &str, wamid: &str, ts_secs: i64, text: &str) -> Value {
    message_object(wa_id, wamid, ts_secs, "text", json!({"body": text}))
}

/// A media `messages[]` element with `id`, `mime_type`, a `sha256` and the caption.
pub fn media_object(
    wa_id: &str,
    wamid: &str,
    ts_secs: i64,
    kind: MessageKind,
    media_id: &str,
    mime_type: &str,
    caption: Option<&str>,
) -> Value {
    let mut media = json!({"id": media_id, "mime_type": mime_type, "sha256": format!("{:0>64}", media_id)});
    if let Some(caption) = caption {
        media["caption"] = json!(caption);
    }
    if kind == MessageKind::Document {
        media["filename"] = json!(format!("{media_id}.pdf"));
    }
    message_object(wa_id, wamid, ts_secs, kind.as_str(), media)
}

/// A `statuses[]` element; `recipient_id` and `callback_data` (our message uuid) optional.
pub fn status_object(
    wamid: &str,
    status: &str,
    ts_secs: i64,
    recipient_id: Option<&str>,
    callback_data: Option<&str>,
    error: Option<(i64, &str)>,
) -> Value {
    let mut object = json!({"id": wamid, "status": status, "timestamp": ts_secs.to_string()});
    if let Some(recipient_id) = recipient_id {
        object["recipient_id"] = json!(recipient_id);
    }
    if let Some(callback_data) = callback_data {
        object["biz_opaque_callback_data"] = json!(callback_data);
    }
    if status == "sent" {
        object["pricing"] =
            json!({"billable": false, "pricing_model": "PMP", "type": "free_customer_service", "category": "service"});
    }
    if let Some((code, title)) = error {
        object["errors"] = json!([{"code": code, "title": title, "message": title,
            "error_data": {"details": title},
            "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}]);
    }
    object
}

/// Starts a [`Batch`]: several messages and statuses in one delivery.
pub fn batch() -> Batch {
    Batch::new()
}

/// Several messages and statuses in one delivery. Each item becomes its own change;
/// [`Batch::new_entry`] starts a further `entry[]`.
#[derive(Debug, Clone)]
pub struct Batch {
    entries: Vec<Vec<Value>>,
}

impl Default for Batch {
    fn default() -> Self {
        Self::new()
    }
}

impl Batch {
    pub fn new() -> Self {
        Self {
            entries: vec![Vec::new()],
        }
    }

    /// Adds a text message from `wa_id`.
    pub fn text(self, phone_number_id: &str, wa_id: &str, name: &str, wamid: &str, ts_secs: i64, text: &str) -> Self {
        self.message(phone_number_id, wa_id, name, text_object(wa_id, wamid, ts_secs, text))
    }

    /// Adds any message object (its `contacts[]` entry is built from `wa_id` and `name`).
    pub fn message(self, phone_number_id: &str, wa_id: &str, name: &str, message_object: Value) -> Self {
        self.change(json!({
            "messaging_product": "whatsapp",
            "metadata": metadata(phone_number_id),
            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
            "messages": [message_object],
        }))
    }

    /// Adds a status object (see [`status_object`]).
    pub fn status(self, phone_number_id: &str, status_object: Value) -> Self {
        self.change(json!({
            "messaging_product": "whatsapp",
            "metadata": metadata(phone_number_id),
            "statuses": [status_object],
        }))
    }

    /// Adds a raw `messages`-field change value.
    pub fn change(self, value: Value) -> Self {
        self.field_change("messages", value)
    }

    /// Adds a change of any field (e.g. `account_update`, which parsers ignore).
    pub fn field_change(mut self, field: &str, value: Value) -> Self {
        let current = self.entries.last_mut().expect("a batch always has an entry");
        current.push(json!({"field": field, "value": value}));
        self
    }

    /// Starts a new `entry[]` for the following items.
    pub fn new_entry(mut self) -> Self {
        self.entries.push(Vec::new());
        self
    }

    /// The delivery as Meta would send it.
    pub fn build(&self) -> Vec<u8> {
        let entries: Vec<Value> = self
            .entries
            .iter()
            .filter(|changes| !changes.is_empty())
            .map(|changes| json!({"id": WABA_ID, "changes": changes}))
            .collect();
        to_meta_escaped_json(&json!({"object": "whatsapp_business_account", "entry": entries})).into_bytes()
    }
}

fn metadata(phone_number_id: &str) -> Value {
    json!({"display_phone_number": DISPLAY_PHONE_NUMBER, "phone_number_id": phone_number_id})
}
