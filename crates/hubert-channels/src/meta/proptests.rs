//! Property tests: no input panics the Facebook or Instagram parser — arbitrary bytes,
//! arbitrary JSON, arbitrary JSON inside a valid envelope, and valid deliveries with a
//! random subtree replaced. Every event kept has ids of the right shape.

use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::{facebook, instagram, ParseOptions};
use crate::ids::IdShape;
use crate::{InboundEvent, ReplyContext};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-z_0-9 ./?$:-]{0,12}".prop_map(Value::from),
        prop_oneof![
            Just("page"),
            Just("instagram"),
            Just("feed"),
            Just("comment"),
            Just("add"),
            Just("message"),
            Just("112233445566778"),
            Just("m_abc")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((arb_key(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_]{1,8}",
        Just("id".to_string()),
        Just("mid".to_string()),
        Just("sender".to_string()),
        Just("recipient".to_string()),
        Just("timestamp".to_string()),
        Just("message".to_string()),
        Just("messaging".to_string()),
        Just("changes".to_string()),
        Just("field".to_string()),
        Just("value".to_string()),
        Just("attachments".to_string()),
        Just("is_echo".to_string()),
        Just("read".to_string()),
        Just("delivery".to_string()),
        Just("comment_id".to_string()),
        Just("post_id".to_string()),
        Just("from".to_string()),
        Just("verb".to_string()),
        Just("item".to_string()),
    ]
}

fn run_all(body: &[u8]) {
    let options = ParseOptions {
        our_app_id: Some("1517000000000001".into()),
    };
    for parsed in [
        facebook::parse_delivery(body),
        facebook::parse_delivery_with(body, &options),
        instagram::parse_delivery(body),
        instagram::parse_delivery_with(body, &options),
    ]
    .into_iter()
    .flatten()
    {
        for event in &parsed.events {
            assert_shapes(event);
        }
    }
    let _ = facebook::parse(body);
    let _ = instagram::parse(body);
}

/// Every id a kept event carries that could reach a URL has its shape.
fn assert_shapes(event: &InboundEvent) {
    match event {
        InboundEvent::Message(m) => {
            assert!(IdShape::MetaNumeric.matches(&m.account_id));
            if let ReplyContext::PublicComment {
                post_id, comment_id, ..
            } = &m.reply_context
            {
                assert!(IdShape::MetaObject.matches(post_id) && IdShape::MetaObject.matches(comment_id));
            }
            let user = &m.contact.platform_user_id;
            assert!(
                IdShape::MetaNumeric.matches(user) || user.starts_with("comment_") || user.starts_with("mention_"),
                "{user}"
            );
        }
        InboundEvent::Status(s) => assert!(IdShape::MetaMessage.matches(&s.platform_message_id)),
        InboundEvent::Update(u) => assert!(IdShape::MetaNumeric.matches(&u.account_id)),
        InboundEvent::Watermark(w) => assert!(IdShape::MetaNumeric.matches(&w.contact_user_id)),
    }
}

fn valid_delivery() -> Value {
    json!({"object": "page", "entry": [
        {"id": "112233445566778", "time": 1767261601234i64, "messaging": [
            {"sender": {"id": "7012345678901234"}, "recipient": {"id": "112233445566778"}, "timestamp": 1767261600987i64,
             "message": {"mid": "m_1", "text": "hoi", "attachments": [{"type": "image", "payload": {"url": "u"}}],
                         "reply_to": {"mid": "m_0"}, "quick_reply": {"payload": "P"}}},
            {"sender": {"id": "7012345678901234"}, "recipient": {"id": "112233445566778"}, "timestamp": 2,
             "delivery": {"mids": ["m_1"], "watermark": 1}}]},
        {"id": "112233445566778", "time": 1767261700, "changes": [{"field": "feed", "value": {
            "from": {"id": "6789012345678901", "name": "P"}, "post": {"id": "1_2", "message": "p"},
            "message": "m", "post_id": "1_2", "comment_id": "2_3", "parent_id": "1_2",
            "created_time": 1767261690, "item": "comment", "verb": "add"}}]}]})
}

/// Replaces the subtree at the `pick`-th node (depth-first) with `replacement`.
fn replace_nth(value: &mut Value, pick: &mut usize, replacement: &Value) -> bool {
    if *pick == 0 {
        *value = replacement.clone();
        return true;
    }
    *pick -= 1;
    match value {
        Value::Array(items) => items.iter_mut().any(|v| replace_nth(v, pick, replacement)),
        Value::Object(map) => map.values_mut().any(|v| replace_nth(v, pick, replacement)),
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        run_all(&body);
    }

    #[test]
    fn arbitrary_json_never_panics(value in arb_json()) {
        run_all(value.to_string().as_bytes());
    }

    #[test]
    fn arbitrary_json_in_an_envelope_never_panics(
        object in prop_oneof![Just("page"), Just("instagram")],
        entries in prop::collection::vec(arb_json(), 0..4),
    ) {
        run_all(json!({"object": object, "entry": entries}).to_string().as_bytes());
    }

    #[test]
    fn a_valid_delivery_with_a_random_subtree_never_panics(pick in 0usize..80, replacement in arb_json(), instagram in any::<bool>()) {
        let mut delivery = valid_delivery();
        if instagram {
            delivery["object"] = json!("instagram");
        }
        let mut at = pick;
        replace_nth(&mut delivery, &mut at, &replacement);
        run_all(delivery.to_string().as_bytes());
    }
}

#[test]
fn the_valid_delivery_parses_whole() {
    let events = facebook::parse(valid_delivery().to_string().as_bytes()).unwrap();
    assert_eq!(events.len(), 3);
    events.iter().for_each(assert_shapes);
}
