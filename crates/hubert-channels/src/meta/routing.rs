//! The shared Meta endpoint (`/webhooks/meta/{key}`): Meta sends all of one app's
//! deliveries of an object type to one callback URL, so after the signature is checked
//! (on the raw bytes, with the app secret) [`split_by_account`] cuts the delivery into
//! one envelope per `entry.id` (Page id, Instagram account id, WhatsApp Business
//! account id) for the profile that owns it. Entries without a usable id are returned
//! apart, for quarantine.

use serde_json::{json, Value};

use crate::ids::IdShape;
use crate::{ParseError, RejectedEvent};

/// One account's part of a delivery: an envelope of the same `object` holding only
/// that account's entries (in their original order), ready for the platform parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountDelivery {
    pub object: String,
    /// `entry.id`: the Page, Instagram account or WhatsApp Business account.
    pub account_id: String,
    /// `{"object": …, "entry": [ … ]}` as JSON bytes.
    pub body: Vec<u8>,
}

/// A shared-endpoint delivery cut per account.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SplitDelivery {
    /// In order of each account's first entry.
    pub accounts: Vec<AccountDelivery>,
    /// Entries without an `id` of Meta's shape.
    pub unroutable: Vec<RejectedEvent>,
}

/// Cuts a (verified) delivery by `entry.id`. `Err` when the body is not a Meta
/// envelope (`object` string and `entry` array).
pub fn split_by_account(raw_body: &[u8]) -> Result<SplitDelivery, ParseError> {
    let root: Value =
        serde_json::from_slice(raw_body).map_err(|e| ParseError::Malformed(format!("body is not JSON: {e}")))?;
    let object = root
        .get("object")
        .and_then(Value::as_str)
        .ok_or_else(|| ParseError::Malformed("envelope has no `object`".into()))?;
    let entries = root
        .get("entry")
        .and_then(Value::as_array)
        .ok_or_else(|| ParseError::Malformed("envelope has no `entry` array".into()))?;
    let mut grouped: Vec<(String, Vec<&Value>)> = Vec::new();
    let mut split = SplitDelivery::default();
    for entry in entries {
        let id = match entry.get("id") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) if n.is_u64() => Some(n.to_string()),
            _ => None,
        };
        match id.filter(|id| IdShape::MetaNumeric.matches(id)) {
            Some(id) => match grouped.iter_mut().find(|(account, _)| *account == id) {
                Some((_, list)) => list.push(entry),
                None => grouped.push((id, vec![entry])),
            },
            None => split.unroutable.push(RejectedEvent {
                reason: "entry without an `id` of digits".into(),
                raw: entry.to_string(),
            }),
        }
    }
    split.accounts = grouped
        .into_iter()
        .map(|(account_id, list)| AccountDelivery {
            object: object.to_string(),
            body: json!({"object": object, "entry": list}).to_string().into_bytes(),
            account_id,
        })
        .collect();
    Ok(split)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::{facebook, instagram};
    use proptest::prelude::*;

    #[test]
    fn entries_are_grouped_by_account_in_order() {
        let body = json!({"object": "page", "entry": [
            {"id": "112233445566778", "time": 1, "messaging": [{"sender": {"id": "7"}, "recipient": {"id": "112233445566778"},
                "timestamp": 1, "message": {"mid": "m_1", "text": "een"}}]},
            {"id": "998877665544332", "time": 1, "messaging": [{"sender": {"id": "8"}, "recipient": {"id": "998877665544332"},
                "timestamp": 2, "message": {"mid": "m_2", "text": "twee"}}]},
            {"id": "../x", "time": 1, "messaging": []},
            {"id": 112233445566778u64, "time": 1, "messaging": [{"sender": {"id": "7"}, "recipient": {"id": "112233445566778"},
                "timestamp": 3, "message": {"mid": "m_3", "text": "drie"}}]}]})
        .to_string();
        let split = split_by_account(body.as_bytes()).unwrap();
        assert_eq!(split.unroutable.len(), 1);
        let ids: Vec<&str> = split.accounts.iter().map(|a| a.account_id.as_str()).collect();
        assert_eq!(ids, vec!["112233445566778", "998877665544332"]);
        assert_eq!(facebook::parse(&split.accounts[0].body).unwrap().len(), 2);
        assert_eq!(facebook::parse(&split.accounts[1].body).unwrap().len(), 1);
        assert!(instagram::parse(&split.accounts[0].body).is_err(), "object is kept");
        assert!(split_by_account(b"{}").is_err());
        assert!(split_by_account(br#"{"object":"page","entry":{}}"#).is_err());
    }

    proptest! {
        #[test]
        fn never_panics(body in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = split_by_account(&body);
        }
    }
}
