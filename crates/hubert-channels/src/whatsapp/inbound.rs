//! Parsing WhatsApp Cloud API webhook deliveries (`object: whatsapp_business_account`)
//! into [`InboundEvent`]s: every entry, every `messages` change, every message type
//! (unfamiliar types become `Unsupported` messages, never dropped) and every status.

use serde_json::{json, Map, Value};

use crate::ids::IdShape;
use crate::{
    ContactInfo, DeliveryStatus, InboundEvent, InboundMessage, MessageKind, ParseError, ParsedDelivery, PlatformError,
    ReplyContext, StatusUpdate,
};

/// Parses one raw delivery, all or nothing: any unusable event makes it `Malformed`.
pub fn parse(raw_body: &[u8]) -> Result<Vec<InboundEvent>, ParseError> {
    parse_delivery(raw_body)?.strict()
}

/// Parses one raw delivery. Non-`messages` fields yield no events; a body that is not
/// JSON or has no `entry` array is `Malformed`; another `object` is `Unsupported`. A
/// message or status without its ids, or with an id of the wrong shape, is rejected on
/// its own; a `value` whose `phone_number_id` is missing or wrong is rejected whole.
pub fn parse_delivery(raw_body: &[u8]) -> Result<ParsedDelivery, ParseError> {
    let root: Value =
        serde_json::from_slice(raw_body).map_err(|e| ParseError::Malformed(format!("body is not JSON: {e}")))?;
    let object = root
        .get("object")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("envelope has no `object`"))?;
    if object != "whatsapp_business_account" {
        return Err(ParseError::Unsupported(format!(
            "object `{object}` is not whatsapp_business_account"
        )));
    }
    let entries = root
        .get("entry")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed("envelope has no `entry` array"))?;

    let mut parsed = ParsedDelivery::default();
    for entry in entries {
        let changes = match entry.get("changes") {
            None | Some(Value::Null) => continue,
            Some(Value::Array(changes)) => changes,
            Some(_) => return Err(malformed("`changes` is not an array")),
        };
        for change in changes {
            if change.get("field").and_then(Value::as_str) != Some("messages") {
                continue;
            }
            let value = change
                .get("value")
                .filter(|v| v.is_object())
                .ok_or_else(|| malformed("`messages` change has no `value` object"))?;
            let messages = array_at(value, "messages")?;
            let statuses = array_at(value, "statuses")?;
            if messages.is_empty() && statuses.is_empty() {
                continue;
            }
            let phone_number_id = match phone_number_id(value) {
                Ok(id) => id,
                Err(e) => {
                    parsed.take(value, Err(e));
                    continue;
                }
            };
            let contacts = array_at(value, "contacts")?;
            for message in messages {
                let event = parse_message(&phone_number_id, contacts, message);
                parsed.take(message, event.map(|m| Some(InboundEvent::Message(m))));
            }
            for status in statuses {
                let event = parse_status(&phone_number_id, status);
                parsed.take(status, event.map(|s| Some(InboundEvent::Status(s))));
            }
        }
    }
    Ok(parsed)
}

/// Our number's id from `value.metadata`, checked (digits).
fn phone_number_id(value: &Value) -> Result<String, ParseError> {
    let id = value
        .pointer("/metadata/phone_number_id")
        .and_then(id_string)
        .ok_or_else(|| malformed("`value.metadata.phone_number_id` missing"))?;
    checked(IdShape::WhatsappNumber, "metadata.phone_number_id", id)
}

fn checked(shape: IdShape, field: &str, id: String) -> Result<String, ParseError> {
    shape.check(field, id).map_err(ParseError::Malformed)
}

fn parse_message(phone_number_id: &str, contacts: &[Value], message: &Value) -> Result<InboundMessage, ParseError> {
    let id = message
        .get("id")
        .and_then(id_string)
        .ok_or_else(|| malformed("message without `id`"))?;
    let id = checked(IdShape::WhatsappMessage, "id", id)?;
    let from = message
        .get("from")
        .and_then(id_string)
        .ok_or_else(|| malformed("message without `from`"))?;
    let from = checked(IdShape::WhatsappNumber, "from", from)?;
    let sent_at = message
        .get("timestamp")
        .and_then(epoch_secs_as_ms)
        .ok_or_else(|| malformed("message without a numeric `timestamp`"))?;
    let message_type = message.get("type").and_then(Value::as_str).unwrap_or("unknown");
    let content = describe_content(message_type, message.get(message_type).unwrap_or(&Value::Null));

    let mut metadata = Map::new();
    metadata.insert("type".into(), json!(message_type));
    for key in [message_type, "context", "referral", "errors", "identity"] {
        if let Some(sub) = message.get(key) {
            metadata.insert(key.into(), sub.clone());
        }
    }

    Ok(InboundMessage {
        platform_message_id: id,
        account_id: phone_number_id.to_string(),
        contact: contact_for(&from, contacts)?,
        kind: content.kind,
        text: content.text,
        summary: content.summary,
        metadata: Value::Object(metadata),
        sent_at,
        reply_context: ReplyContext::Private,
        from_us: false,
    })
}

/// The customer: the `contacts[]` entry whose `wa_id` is the sender, else the only
/// entry (`wa_id` "may not always match" the number), else just the number.
fn contact_for(from: &str, contacts: &[Value]) -> Result<ContactInfo, ParseError> {
    let matching = contacts
        .iter()
        .find(|c| c.get("wa_id").and_then(id_string).as_deref() == Some(from))
        .or(if contacts.len() == 1 { contacts.first() } else { None });
    let wa_id = matching
        .and_then(|c| c.get("wa_id"))
        .and_then(id_string)
        .unwrap_or_else(|| from.to_string());
    let wa_id = checked(IdShape::WhatsappNumber, "contacts[].wa_id", wa_id)?;
    let name = matching
        .and_then(|c| c.pointer("/profile/name"))
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    Ok(ContactInfo {
        platform_user_id: wa_id,
        name,
        handle: Some(format!("+{from}")),
    })
}

struct Content {
    kind: MessageKind,
    text: Option<String>,
    summary: String,
}

fn describe_content(message_type: &str, sub: &Value) -> Content {
    let str_at = |key: &str| {
        sub.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let labelled = |kind: MessageKind, label: &str, detail: Option<String>, text: Option<String>| Content {
        kind,
        summary: join_label(label, detail.as_deref()),
        text,
    };
    match message_type {
        "text" => {
            let body = str_at("body").unwrap_or_default();
            Content {
                kind: MessageKind::Text,
                summary: body.clone(),
                text: Some(body),
            }
        }
        "image" => labelled(MessageKind::Image, "[Afbeelding]", str_at("caption"), str_at("caption")),
        "video" => labelled(MessageKind::Video, "[Video]", str_at("caption"), str_at("caption")),
        "audio" => {
            let is_voice = sub.get("voice").and_then(Value::as_bool).unwrap_or(false);
            let label = if is_voice { "[Spraakbericht]" } else { "[Audio]" };
            labelled(MessageKind::Audio, label, None, None)
        }
        "document" => {
            let caption = str_at("caption");
            let detail = match (str_at("filename"), caption.clone()) {
                (Some(file), Some(caption)) => Some(format!("{file}: {caption}")),
                (file, caption) => file.or(caption),
            };
            labelled(MessageKind::Document, "[Document]", detail, caption)
        }
        "sticker" => labelled(MessageKind::Sticker, "[Sticker]", None, None),
        "location" => labelled(MessageKind::Location, "[Locatie]", Some(location_detail(sub)), None),
        "contacts" => {
            let names: Vec<String> = sub
                .as_array()
                .map(|cards| {
                    cards
                        .iter()
                        .filter_map(|card| {
                            let name = card.get("name")?;
                            name.get("formatted_name")
                                .or_else(|| name.get("first_name"))?
                                .as_str()
                                .map(str::to_string)
                        })
                        .collect()
                })
                .unwrap_or_default();
            let detail = (!names.is_empty()).then(|| names.join(", "));
            labelled(MessageKind::Contacts, "[Contactkaart]", detail, None)
        }
        "reaction" => {
            let summary = match str_at("emoji") {
                Some(emoji) => format!("[Reactie {emoji} op een bericht]"),
                None => "[Reactie verwijderd]".to_string(),
            };
            Content {
                kind: MessageKind::Reaction,
                text: None,
                summary,
            }
        }
        "interactive" => {
            let reply_type = str_at("type").unwrap_or_default();
            let label = if reply_type == "list_reply" {
                "[Keuze]"
            } else {
                "[Knop]"
            };
            let title = sub
                .get(&reply_type)
                .and_then(|r| r.get("title"))
                .and_then(Value::as_str)
                .map(str::to_string);
            labelled(MessageKind::Interactive, label, title, None)
        }
        "button" => labelled(
            MessageKind::Button,
            "[Knop]",
            str_at("text").or_else(|| str_at("payload")),
            None,
        ),
        "system" => labelled(MessageKind::System, "[Systeem]", str_at("body"), None),
        other => Content {
            kind: MessageKind::Unsupported,
            text: None,
            summary: format!("[Niet ondersteund bericht: {other}]"),
        },
    }
}

/// "Utrecht (52.09, 5.12)" from name/address and the coordinates.
fn location_detail(location: &Value) -> String {
    let place = ["name", "address"]
        .iter()
        .find_map(|k| location.get(*k).and_then(Value::as_str).filter(|s| !s.is_empty()));
    let coordinate = |k: &str| location.get(k).and_then(Value::as_f64).map(|c| c.to_string());
    let coordinates = match (coordinate("latitude"), coordinate("longitude")) {
        (Some(lat), Some(long)) => Some(format!("({lat}, {long})")),
        _ => None,
    };
    [place.map(str::to_string), coordinates]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

fn join_label(label: &str, detail: Option<&str>) -> String {
    match detail {
        Some(detail) if !detail.is_empty() => format!("{label} {detail}"),
        _ => label.to_string(),
    }
}

fn parse_status(phone_number_id: &str, status: &Value) -> Result<StatusUpdate, ParseError> {
    let id = status
        .get("id")
        .and_then(id_string)
        .ok_or_else(|| malformed("status without `id`"))?;
    let id = checked(IdShape::WhatsappMessage, "id", id)?;
    let name = status
        .get("status")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("status without `status`"))?;
    let at = status
        .get("timestamp")
        .and_then(epoch_secs_as_ms)
        .ok_or_else(|| malformed("status without a numeric `timestamp`"))?;
    let error = status
        .get("errors")
        .and_then(Value::as_array)
        .and_then(|errors| errors.first())
        .map(|error| {
            let code = error
                .get("code")
                .and_then(id_string)
                .unwrap_or_else(|| "unknown".to_string());
            let text_at = |key: &str| error.get(key).and_then(Value::as_str).filter(|s| !s.is_empty());
            let mut message = text_at("message").or(text_at("title")).unwrap_or_default().to_string();
            if let Some(details) = error.pointer("/error_data/details").and_then(Value::as_str) {
                if !details.is_empty() && details != message {
                    message = if message.is_empty() {
                        details.to_string()
                    } else {
                        format!("{message}: {details}")
                    };
                }
            }
            PlatformError { code, message }
        });
    Ok(StatusUpdate {
        account_id: phone_number_id.to_string(),
        platform_message_id: id,
        status: DeliveryStatus::parse(name),
        at,
        error,
    })
}

fn malformed(what: &str) -> ParseError {
    ParseError::Malformed(what.to_string())
}

/// An optional array field; present but not an array is malformed.
fn array_at<'a>(value: &'a Value, key: &str) -> Result<&'a [Value], ParseError> {
    match value.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(ParseError::Malformed(format!("`{key}` is not an array"))),
    }
}

/// An id given as a non-empty string or an integer.
fn id_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        _ => None,
    }
}

/// WhatsApp timestamps are epoch seconds, as a string (or, leniently, a number).
fn epoch_secs_as_ms(value: &Value) -> Option<i64> {
    let secs = match value {
        Value::String(s) => s.trim().parse::<i64>().ok()?,
        Value::Number(n) => n.as_i64()?,
        _ => return None,
    };
    secs.checked_mul(1000)
}

#[cfg(test)]
#[path = "inbound_tests.rs"]
mod tests;
