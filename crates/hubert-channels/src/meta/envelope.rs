//! The Meta envelope shared by Facebook and Instagram deliveries
//! (`{"object", "entry": [{"id", "time", "messaging"|"standby"|"changes"}]}`), walked
//! entry by entry, plus the small readers for ids and timestamps the parsers share.

use serde_json::Value;

use super::messaging::{parse_messaging_event, Network};
use super::ParseOptions;
use crate::ids::IdShape;
use crate::{ParseError, ParsedDelivery};

/// Parses a delivery of `object`: every entry's `messaging[]` and `standby[]` events
/// (both networks alike) and its `changes[]` (handed to `on_change` with the entry's
/// account id and time). A body that is not JSON, has no `object` or no `entry` array
/// is `Malformed`; another `object` is `Unsupported`. A broken entry is rejected on its
/// own; an entry with nothing we know is ignored.
pub(super) fn parse_envelope(
    raw_body: &[u8],
    network: Network,
    options: &ParseOptions,
    on_change: impl Fn(&Change<'_>, &mut ParsedDelivery),
) -> Result<ParsedDelivery, ParseError> {
    let root: Value =
        serde_json::from_slice(raw_body).map_err(|e| ParseError::Malformed(format!("body is not JSON: {e}")))?;
    let object = root
        .get("object")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("envelope has no `object`"))?;
    if object != network.object() {
        return Err(ParseError::Unsupported(format!(
            "object `{object}` is not {}",
            network.object()
        )));
    }
    let entries = root
        .get("entry")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed("envelope has no `entry` array"))?;
    let mut parsed = ParsedDelivery::default();
    for entry in entries {
        parse_entry(entry, network, options, &on_change, &mut parsed);
    }
    Ok(parsed)
}

/// One `changes[]` item with its entry's account and time.
pub(super) struct Change<'a> {
    pub account_id: &'a str,
    /// `entry.time` in epoch ms (its unit guessed: seconds for feed, ms for messaging).
    pub entry_time_ms: Option<i64>,
    pub field: &'a str,
    pub value: &'a Value,
    pub raw: &'a Value,
}

fn parse_entry(
    entry: &Value,
    network: Network,
    options: &ParseOptions,
    on_change: &impl Fn(&Change<'_>, &mut ParsedDelivery),
    parsed: &mut ParsedDelivery,
) {
    let account_id = match entry.get("id").and_then(id_string) {
        Some(id) => checked(IdShape::MetaNumeric, "entry.id", id),
        None => Err(malformed("entry without `id`")),
    };
    let account_id = match account_id {
        Ok(id) => id,
        Err(e) => return parsed.take(entry, Err(e)),
    };
    let entry_time_ms = entry.get("time").and_then(epoch_guess_ms);
    let mut known = false;
    for key in ["messaging", "standby"] {
        match entry.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::Array(events)) => {
                known = true;
                for event in events {
                    parse_messaging_event(network, &account_id, entry_time_ms, event, options, parsed);
                }
            }
            Some(_) => parsed.take(entry, Err(ParseError::Malformed(format!("`{key}` is not an array")))),
        }
    }
    match entry.get("changes") {
        None | Some(Value::Null) => {}
        Some(Value::Array(changes)) => {
            known = true;
            for raw in changes {
                let field = raw.get("field").and_then(Value::as_str);
                let value = raw.get("value").filter(|v| v.is_object());
                let (Some(field), Some(value)) = (field, value) else {
                    parsed.take(raw, Err(malformed("change without `field` or `value` object")));
                    continue;
                };
                let change = Change {
                    account_id: &account_id,
                    entry_time_ms,
                    field,
                    value,
                    raw,
                };
                on_change(&change, parsed);
            }
        }
        Some(_) => parsed.take(entry, Err(malformed("`changes` is not an array"))),
    }
    if !known {
        parsed.ignore(entry, "entry without `messaging`, `standby` or `changes`");
    }
}

pub(super) fn malformed(what: &str) -> ParseError {
    ParseError::Malformed(what.to_string())
}

pub(super) fn checked(shape: IdShape, field: &str, id: String) -> Result<String, ParseError> {
    shape.check(field, id).map_err(ParseError::Malformed)
}

/// A required id at `pointer`, checked against `shape`.
pub(super) fn required_id(value: &Value, pointer: &str, shape: IdShape) -> Result<String, ParseError> {
    let field = pointer.trim_start_matches('/').replace('/', ".");
    let id = value
        .pointer(pointer)
        .and_then(id_string)
        .ok_or_else(|| ParseError::Malformed(format!("`{field}` missing")))?;
    checked(shape, &field, id)
}

/// An optional id at `pointer`: absent is fine, present must have the shape.
pub(super) fn optional_id(value: &Value, pointer: &str, shape: IdShape) -> Result<Option<String>, ParseError> {
    match value.pointer(pointer) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => required_id(value, pointer, shape).map(Some),
    }
}

/// An id given as a non-empty string or an integer.
pub(super) fn id_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        _ => None,
    }
}

/// A non-empty string at `key`.
pub(super) fn text_at(value: &Value, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Epoch milliseconds given as a number (or a numeric string).
pub(super) fn epoch_ms(value: &Value) -> Option<i64> {
    integer(value).filter(|ms| *ms >= 0)
}

/// An epoch timestamp whose unit is not reliable (`entry.time`, `created_time`):
/// below 10^11 it is seconds, else milliseconds.
pub(super) fn epoch_guess_ms(value: &Value) -> Option<i64> {
    let n = integer(value).filter(|n| *n >= 0)?;
    if n < 100_000_000_000 {
        n.checked_mul(1000)
    } else {
        Some(n)
    }
}
