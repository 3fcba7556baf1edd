//! Parser tests for Facebook Page deliveries: every Messenger event type, echoes, receipts,
//! feed comments and verbs, batches, ignored fields and bad input.

use serde_json::{json, Value};

use super::*;
use crate::{DeliveryStatus, StatusUpdate, WatermarkUpdate};

const PAGE: &str = "112233445566778";
const PSID: &str = "7012345678901234";
const MID: &str = "m_Xb3kT9vQ2mZr8LpWcY1aQeFhJ0sUdNgK4oPiR7tEzV6yB5nM2lC9xA8wD1fG3hS4jK6lZ7qW";

fn page(entries: Value) -> Vec<u8> {
    json!({"object": "page", "entry": entries}).to_string().into_bytes()
}

fn messaging(events: Value) -> Vec<u8> {
    page(json!([{"id": PAGE, "time": 1767261601234i64, "messaging": events}]))
}

fn event(key: &str, content: Value) -> Value {
    let mut e = json!({"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": 1767261600987i64});
    e[key] = content;
    e
}

fn one(body: &[u8]) -> InboundEvent {
    let parsed = parse_delivery(body).unwrap();
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    assert_eq!(parsed.events.len(), 1, "{parsed:?}");
    parsed.events.into_iter().next().unwrap()
}

fn one_message(body: &[u8]) -> InboundMessage {
    match one(body) {
        InboundEvent::Message(m) => m,
        other => panic!("expected a message, got {other:?}"),
    }
}

#[test]
fn messenger_text_from_the_design_doc() {
    let m = one_message(&messaging(json!([event(
        "message",
        json!({"mid": MID,
        "text": "Hoi, mijn factuur klopt niet. Kunnen jullie helpen?"})
    )])));
    assert_eq!(m.platform_message_id, MID);
    assert_eq!(m.account_id, PAGE);
    assert_eq!(m.contact.platform_user_id, PSID);
    assert_eq!(m.kind, MessageKind::Text);
    assert_eq!(
        m.text.as_deref(),
        Some("Hoi, mijn factuur klopt niet. Kunnen jullie helpen?")
    );
    assert_eq!(m.summary, "Hoi, mijn factuur klopt niet. Kunnen jullie helpen?");
    assert_eq!(m.sent_at, 1_767_261_600_987);
    assert_eq!(m.reply_context, ReplyContext::Private);
    assert!(!m.from_us);
}

#[test]
fn attachments_map_to_kinds_with_the_url_in_metadata() {
    for (kind, expected, label) in [
        ("image", MessageKind::Image, "[Afbeelding]"),
        ("video", MessageKind::Video, "[Video]"),
        ("audio", MessageKind::Audio, "[Audio]"),
        ("file", MessageKind::Document, "[Bestand]"),
        ("fallback", MessageKind::Share, "[Gedeelde link]"),
        ("something_new", MessageKind::Unsupported, "[Niet ondersteunde bijlage]"),
    ] {
        let url = format!("https://scontent.xx.fbcdn.net/{kind}.bin");
        let m = one_message(&messaging(json!([event(
            "message",
            json!({"mid": MID,
            "attachments": [{"type": kind, "payload": {"url": url}}]})
        )])));
        assert_eq!(m.kind, expected, "{kind}");
        assert_eq!(m.summary, label);
        assert_eq!(m.metadata["media_url"], json!(url));
        assert_eq!(m.metadata["attachments"][0]["type"], json!(kind));
    }
}

#[test]
fn quick_replies_replies_and_stickers() {
    let m = one_message(&messaging(json!([event(
        "message",
        json!({"mid": MID, "text": "Storing melden",
        "quick_reply": {"payload": "STORING"}})
    )])));
    assert_eq!(m.kind, MessageKind::Interactive);
    assert_eq!(m.text.as_deref(), Some("Storing melden"));
    assert_eq!(m.metadata["quick_reply"]["payload"], "STORING");

    let m = one_message(&messaging(json!([event(
        "message",
        json!({"mid": MID, "text": "Deze bedoel ik",
        "reply_to": {"mid": "m_OUR1"}})
    )])));
    assert_eq!(m.metadata["reply_to_mid"], "m_OUR1");
    assert_eq!(m.kind, MessageKind::Text);

    let m = one_message(&messaging(json!([event(
        "message",
        json!({"mid": "mid.$cAADHPVJEDStnxdJQ-VhlI0IqAqYu",
        "seq": 1306584, "sticker_id": 369239263222822i64,
        "attachments": [{"type": "image", "payload": {"url": "https://x/s.png", "sticker_id": 369239263222822i64}}]})
    )])));
    assert_eq!(m.kind, MessageKind::Sticker);
}

#[test]
fn postbacks_and_reactions() {
    let m = one_message(&messaging(json!([event(
        "postback",
        json!({"mid": "m_PB1", "title": "Meterstand doorgeven",
        "payload": "METER"})
    )])));
    assert_eq!(m.kind, MessageKind::Button);
    assert_eq!(m.summary, "[Knop] Meterstand doorgeven");
    assert_eq!(m.platform_message_id, "m_PB1");
    let m = one_message(&messaging(json!([event(
        "postback",
        json!({"title": "Start", "payload": "GET_STARTED"})
    )])));
    assert_eq!(m.platform_message_id, format!("postback.{PSID}.1767261600987"));

    let m = one_message(&messaging(json!([event(
        "reaction",
        json!({"mid": "m_OUR1", "action": "react",
        "emoji": "\u{2764}", "reaction": "love"})
    )])));
    assert_eq!(m.kind, MessageKind::Reaction);
    assert_eq!(m.summary, "[Reactie \u{2764} op een bericht]");
    assert_eq!(m.metadata["reacted_mid"], "m_OUR1");
    let m = one_message(&messaging(json!([event(
        "reaction",
        json!({"mid": "m_OUR1", "action": "unreact"})
    )])));
    assert_eq!(m.summary, "[Reactie verwijderd]");
}

#[test]
fn delivery_and_read_are_watermarks() {
    let body = messaging(json!([
        {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": 1767262000111i64,
         "delivery": {"mids": ["m_Q1w2E3r4T5y6U7i8O9p0"], "watermark": 1767261999000i64}},
        {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": 1767262100222i64,
         "read": {"watermark": 1767262099000i64}}]));
    let events = parse(&body).unwrap();
    assert_eq!(
        events,
        vec![
            InboundEvent::Watermark(WatermarkUpdate {
                account_id: PAGE.into(),
                contact_user_id: PSID.into(),
                status: DeliveryStatus::Delivered,
                watermark: 1_767_261_999_000,
                mids: vec!["m_Q1w2E3r4T5y6U7i8O9p0".into()],
                at: 1_767_262_000_111,
            }),
            InboundEvent::Watermark(WatermarkUpdate {
                account_id: PAGE.into(),
                contact_user_id: PSID.into(),
                status: DeliveryStatus::Read,
                watermark: 1_767_262_099_000,
                mids: vec![],
                at: 1_767_262_100_222,
            }),
        ]
    );
}

#[test]
fn out_of_order_receipts_are_all_reported_with_their_own_times() {
    // read arrives before delivery; the caller only moves statuses forward.
    let body = messaging(json!([
        {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": 300, "read": {"watermark": 250}},
        {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": 200, "delivery": {"watermark": 150}}]));
    let events = parse(&body).unwrap();
    let statuses: Vec<_> = events
        .iter()
        .map(|e| match e {
            InboundEvent::Watermark(w) => (w.status, w.watermark),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        statuses,
        vec![(DeliveryStatus::Read, 250), (DeliveryStatus::Delivered, 150)]
    );
}

fn echo(app_id: Option<Value>) -> Vec<u8> {
    let mut message = json!({"mid": "m_ECHO1", "text": "Dag Pieter, we zoeken het uit.", "is_echo": true});
    if let Some(app_id) = app_id {
        message["app_id"] = app_id;
    }
    messaging(
        json!([{"sender": {"id": PAGE}, "recipient": {"id": PSID}, "timestamp": 1767262200000i64,
        "message": message}]),
    )
}

#[test]
fn echoes_of_our_app_are_statuses_and_others_are_agent_messages() {
    let ours = ParseOptions {
        our_app_id: Some("1517000000000001".into()),
    };
    let parsed = parse_delivery_with(&echo(Some(json!(1517000000000001u64))), &ours).unwrap();
    assert_eq!(
        parsed.events,
        vec![InboundEvent::Status(StatusUpdate {
            account_id: PAGE.into(),
            platform_message_id: "m_ECHO1".into(),
            status: DeliveryStatus::Sent,
            at: 1_767_262_200_000,
            error: None,
        })]
    );
    for other in [Some(json!("263902037430900")), None] {
        let parsed = parse_delivery_with(&echo(other.clone()), &ours).unwrap();
        let [InboundEvent::Message(m)] = parsed.events.as_slice() else {
            panic!("{parsed:?}")
        };
        assert!(m.from_us);
        assert_eq!(m.contact.platform_user_id, PSID, "the customer is the recipient");
        assert_eq!(m.metadata["echo"]["typed_in"], "meta_business_suite");
        assert_eq!(m.text.as_deref(), Some("Dag Pieter, we zoeken het uit."));
    }
    // Without our app id configured every echo is an agent message for the caller to match.
    let m = one_message(&echo(Some(json!("1517000000000001"))));
    assert!(m.from_us);
    assert_eq!(m.metadata["echo"]["app_id"], "1517000000000001");
}

fn comment_value() -> Value {
    json!({"from": {"id": "6789012345678901", "name": "Pieter Jansen"},
        "post": {"id": "112233445566778_987654321098765", "status_type": "mobile_status_update",
                 "is_published": true, "updated_time": "2026-01-01T10:01:30+0000",
                 "permalink_url": "https://www.facebook.com/112233445566778/posts/987654321098765",
                 "promotion_status": "inactive", "message": "Storing in Amersfoort"},
        "message": "Al 3 uur geen stroom in Amersfoort-Noord, wanneer is dit opgelost?",
        "post_id": "112233445566778_987654321098765",
        "comment_id": "987654321098765_1122334455667788",
        "parent_id": "112233445566778_987654321098765",
        "created_time": 1767261690, "item": "comment", "verb": "add"})
}

fn feed(values: Vec<Value>) -> Vec<u8> {
    let changes: Vec<Value> = values
        .into_iter()
        .map(|v| json!({"field": "feed", "value": v}))
        .collect();
    page(json!([{"id": PAGE, "time": 1767261700, "changes": changes}]))
}

#[test]
fn a_page_comment_is_a_message_under_its_post() {
    let m = one_message(&feed(vec![comment_value()]));
    assert_eq!(m.platform_message_id, "987654321098765_1122334455667788");
    assert_eq!(m.contact.platform_user_id, "6789012345678901");
    assert_eq!(m.contact.name.as_deref(), Some("Pieter Jansen"));
    assert_eq!(m.sent_at, 1_767_261_690_000);
    assert_eq!(
        m.reply_context,
        ReplyContext::PublicComment {
            post_id: "112233445566778_987654321098765".into(),
            comment_id: "987654321098765_1122334455667788".into(),
            parent_id: Some("112233445566778_987654321098765".into()),
            post_text: Some("Storing in Amersfoort".into()),
            post_link: Some("https://www.facebook.com/112233445566778/posts/987654321098765".into()),
        }
    );
    assert_eq!(m.metadata["is_reply"], false);
    assert!(!m.from_us);
}

#[test]
fn replies_photos_own_comments_and_hidden_commenters() {
    let mut reply = comment_value();
    reply["comment_id"] = json!("987654321098765_2000000000000001");
    reply["parent_id"] = json!("987654321098765_1122334455667788");
    reply["photo"] = json!("https://scontent.xx.fbcdn.net/meter.jpg");
    let m = one_message(&feed(vec![reply]));
    assert_eq!(m.metadata["is_reply"], true);
    assert_eq!(m.kind, MessageKind::Image);
    assert_eq!(m.metadata["media_url"], "https://scontent.xx.fbcdn.net/meter.jpg");

    let mut ours = comment_value();
    ours["from"] = json!({"id": PAGE, "name": "Zonnestroom"});
    let m = one_message(&feed(vec![ours]));
    assert!(m.from_us, "the Page's own comment is never a customer message");

    let mut anonymous = comment_value();
    anonymous.as_object_mut().unwrap().remove("from");
    let m = one_message(&feed(vec![anonymous]));
    assert_eq!(m.contact.platform_user_id, "comment_987654321098765_1122334455667788");
}

#[test]
fn comment_verbs_become_updates() {
    let verb = |verb: &str, message: Option<&str>| {
        let mut v = json!({"post_id": "112233445566778_987654321098765",
            "comment_id": "987654321098765_1122334455667788", "created_time": 1767261800,
            "item": "comment", "verb": verb});
        if let Some(m) = message {
            v["message"] = json!(m);
        }
        v
    };
    let events = parse(&feed(vec![
        verb("edited", Some("Nu 4 uur geen stroom")),
        verb("hide", None),
        verb("unhide", None),
        verb("remove", None),
    ]))
    .unwrap();
    let changes: Vec<MessageChange> = events
        .into_iter()
        .map(|e| match e {
            InboundEvent::Update(u) => {
                assert_eq!(u.platform_message_id, "987654321098765_1122334455667788");
                assert_eq!(u.at, 1_767_261_800_000);
                u.change
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        changes,
        vec![
            MessageChange::Edited {
                text: Some("Nu 4 uur geen stroom".into())
            },
            MessageChange::Hidden,
            MessageChange::Unhidden,
            MessageChange::Removed,
        ]
    );
}

#[test]
fn unhandled_fields_items_and_events_are_ignored_not_refused() {
    let body = page(json!([
        {"id": PAGE, "time": 1767261700, "changes": [
            {"field": "ratings", "value": {"reviewer_id": "1", "rating": 5}},
            {"field": "leadgen", "value": {"leadgen_id": "2", "page_id": PAGE}},
            {"field": "feed", "value": {"item": "reaction", "verb": "add", "reaction_type": "like"}},
            {"field": "feed", "value": {"item": "comment", "verb": "block"}}]},
        {"id": PAGE, "time": 1767261601234i64, "messaging": [
            {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": 1, "referral": {"ref": "ad"}},
            {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": 1, "optin": {"ref": "x"}}]},
        {"id": PAGE, "time": 1, "hop_context": []}]));
    let parsed = parse_delivery(&body).unwrap();
    assert!(parsed.events.is_empty() && parsed.rejected.is_empty(), "{parsed:?}");
    assert_eq!(parsed.ignored.len(), 7, "{:?}", parsed.ignored);
    assert!(parsed.ignored[0].reason.contains("ratings"));
    assert!(parse(&body).unwrap().is_empty());
}

#[test]
fn bad_ids_are_rejected_alone_and_the_rest_is_kept() {
    let body = messaging(json!([
        event("message", json!({"mid": "m_OK", "text": "goed"})),
        {"sender": {"id": "../../me"}, "recipient": {"id": PAGE}, "timestamp": 1, "message": {"mid": "m_X", "text": "x"}},
        event("message", json!({"mid": "m_a?b", "text": "x"})),
        event("message", json!({"text": "zonder mid"})),
        event("message", json!({"mid": "m_R", "text": "x", "reply_to": {"mid": "m_/../x?"}}))]));
    let parsed = parse_delivery(&body).unwrap();
    assert_eq!(parsed.events.len(), 1);
    assert_eq!(parsed.rejected.len(), 4, "{:?}", parsed.rejected);
    assert!(parse(&body).is_err());

    let mut bad_comment = comment_value();
    bad_comment["comment_id"] = json!("1_2/../../me");
    let parsed = parse_delivery(&feed(vec![bad_comment, comment_value()])).unwrap();
    assert_eq!((parsed.events.len(), parsed.rejected.len()), (1, 1));

    let bad_entry = page(json!([{"id": "me", "messaging": []}, {"id": PAGE, "changes": "x"},
        {"id": PAGE, "messaging": [{"sender": {"id": PSID}, "recipient": {"id": PAGE}, "message": {"mid": "m_T", "text": "geen tijd"}}]}]));
    assert_eq!(parse_delivery(&bad_entry).unwrap().rejected.len(), 3);
}

#[test]
fn non_envelopes_are_errors() {
    assert!(matches!(parse_delivery(b"not json"), Err(ParseError::Malformed(_))));
    assert!(matches!(parse_delivery(b"[]"), Err(ParseError::Malformed(_))));
    assert!(matches!(
        parse_delivery(br#"{"entry":[]}"#),
        Err(ParseError::Malformed(_))
    ));
    assert!(matches!(
        parse_delivery(br#"{"object":"page"}"#),
        Err(ParseError::Malformed(_))
    ));
    assert!(matches!(
        parse_delivery(br#"{"object":"instagram","entry":[]}"#),
        Err(ParseError::Unsupported(_))
    ));
    assert_eq!(parse(br#"{"object":"page","entry":[]}"#), Ok(vec![]));
}

#[test]
fn a_mixed_batch_keeps_every_entry() {
    let body = page(json!([
        {"id": PAGE, "time": 1767261601234i64, "messaging": [
            event("message", json!({"mid": "m_1", "text": "een"})),
            event("message", json!({"mid": "m_2", "attachments": [{"type": "image", "payload": {"url": "https://x/1.jpg"}}]})),
            {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": 5, "read": {"watermark": 4}}]},
        {"id": PAGE, "time": 1767261700, "changes": [{"field": "feed", "value": comment_value()}]},
        {"id": "998877665544332", "time": 1767261601234i64, "messaging": [
            {"sender": {"id": "998877665544332"}, "recipient": {"id": PSID}, "timestamp": 6,
             "message": {"mid": "m_3", "text": "echo", "is_echo": true, "app_id": 1}}]},
        {"id": PAGE, "time": 1767261601234i64, "standby": [event("message", json!({"mid": "m_4", "text": "standby"}))]}]));
    let events = parse(&body).unwrap();
    assert_eq!(events.len(), 6);
    let accounts: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            InboundEvent::Message(m) => Some(m.account_id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(accounts, vec![PAGE, PAGE, PAGE, "998877665544332", PAGE]);
}

#[test]
fn unicode_escaped_bodies_parse() {
    let body = br#"{"object":"page","entry":[{"id":"112233445566778","time":1,"messaging":[{"sender":{"id":"7012345678901234"},"recipient":{"id":"112233445566778"},"timestamp":1,"message":{"mid":"m_E","text":"\u00e9\u00e9n \ud83d\ude22"}}]}]}"#;
    let m = one_message(body);
    assert_eq!(m.text.as_deref(), Some("één 😢"));
}
