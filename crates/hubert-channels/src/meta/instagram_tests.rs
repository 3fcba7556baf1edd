//! Parser tests for Instagram deliveries: DMs of every kind, unsends, seen receipts,
//! echoes, comments, mentions, batches, ignored fields and bad input.

use serde_json::{json, Value};

use super::*;
use crate::{DeliveryStatus, MessageChange, MessageUpdate, StatusUpdate};

const ACCOUNT: &str = "17841400123456789";
const IGSID: &str = "1234567890123456";
const MID: &str = "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMTIzNDU2Nzg5OjM0MDI4MjM2NjA";

fn instagram(entries: Value) -> Vec<u8> {
    json!({"object": "instagram", "entry": entries})
        .to_string()
        .into_bytes()
}

fn dm(message: Value) -> Vec<u8> {
    instagram(json!([{"id": ACCOUNT, "time": 1767261800123i64, "messaging": [
        {"sender": {"id": IGSID}, "recipient": {"id": ACCOUNT}, "timestamp": 1767261800001i64, "message": message}]}]))
}

fn events(body: &[u8]) -> Vec<InboundEvent> {
    parse(body).unwrap()
}

fn message(body: &[u8]) -> InboundMessage {
    match events(body).as_slice() {
        [InboundEvent::Message(m)] => m.clone(),
        other => panic!("expected one message, got {other:?}"),
    }
}

#[test]
fn dm_from_the_design_doc() {
    let m = message(&dm(
        json!({"mid": MID, "text": "Mijn slimme meter geeft geen data meer door"}),
    ));
    assert_eq!(m.platform_message_id, MID);
    assert_eq!(m.account_id, ACCOUNT);
    assert_eq!(m.contact.platform_user_id, IGSID);
    assert_eq!(m.text.as_deref(), Some("Mijn slimme meter geeft geen data meer door"));
    assert_eq!(m.sent_at, 1_767_261_800_001);
    assert_eq!(m.metadata["network"], "instagram");
}

#[test]
fn attachments_story_replies_and_mentions() {
    for (kind, expected) in [
        ("image", MessageKind::Image),
        ("video", MessageKind::Video),
        ("audio", MessageKind::Audio),
        ("file", MessageKind::Document),
        ("share", MessageKind::Share),
        ("ig_reel", MessageKind::Share),
        ("story_mention", MessageKind::Story),
    ] {
        let m = message(&dm(
            json!({"mid": MID, "attachments": [{"type": kind, "payload": {"url": "https://cdn/x"}}]}),
        ));
        assert_eq!(m.kind, expected, "{kind}");
        assert_eq!(m.metadata["media_url"], "https://cdn/x");
    }
    let m = message(&dm(json!({"mid": MID, "text": "Mooie actie!",
        "reply_to": {"story": {"id": "17999988877766655", "url": "https://cdn/story.jpg"}}})));
    assert_eq!(m.kind, MessageKind::Story);
    assert_eq!(m.summary, "[Reactie op je story] Mooie actie!");
    assert_eq!(m.metadata["media_url"], "https://cdn/story.jpg");
}

#[test]
fn unsends_are_redactions_and_seen_is_a_read_status() {
    assert_eq!(
        events(&dm(json!({"mid": MID, "is_deleted": true}))),
        vec![InboundEvent::Update(MessageUpdate {
            account_id: ACCOUNT.into(),
            platform_message_id: MID.into(),
            change: MessageChange::Unsent,
            at: 1_767_261_800_001,
        })]
    );
    let seen = instagram(json!([{"id": ACCOUNT, "time": 1, "messaging": [
        {"sender": {"id": IGSID}, "recipient": {"id": ACCOUNT}, "timestamp": 1767261900000i64, "read": {"mid": "aWdfOUR"}}]}]));
    assert_eq!(
        events(&seen),
        vec![InboundEvent::Status(StatusUpdate {
            account_id: ACCOUNT.into(),
            platform_message_id: "aWdfOUR".into(),
            status: DeliveryStatus::Read,
            at: 1_767_261_900_000,
            error: None,
        })]
    );
}

#[test]
fn echoes_from_our_account() {
    let body = instagram(json!([{"id": ACCOUNT, "time": 1, "messaging": [
        {"sender": {"id": ACCOUNT}, "recipient": {"id": IGSID}, "timestamp": 5,
         "message": {"mid": "aWdfECHO", "text": "Hoi Lisa", "is_echo": true}}]}]));
    let m = message(&body);
    assert!(m.from_us);
    assert_eq!(m.contact.platform_user_id, IGSID);
}

fn comments(field: &str, value: Value) -> Vec<u8> {
    instagram(json!([{"id": ACCOUNT, "time": 1767261900, "changes": [{"field": field, "value": value}]}]))
}

#[test]
fn comments_from_the_design_doc() {
    let value = json!({"id": "17900011122233344", "from": {"id": IGSID, "username": "lisa.bakker"},
        "text": "@zonnestroom.nl waarom is mijn termijnbedrag verhoogd?",
        "media": {"id": "17955566677788899", "media_product_type": "FEED"},
        "parent_id": "17900011122233300"});
    let m = message(&comments("comments", value.clone()));
    assert_eq!(m.platform_message_id, "17900011122233344");
    assert_eq!(m.contact.handle.as_deref(), Some("@lisa.bakker"));
    assert_eq!(m.sent_at, 1_767_261_900_000);
    assert_eq!(
        m.reply_context,
        ReplyContext::PublicComment {
            post_id: "17955566677788899".into(),
            comment_id: "17900011122233344".into(),
            parent_id: Some("17900011122233300".into()),
            post_text: None,
            post_link: None,
        }
    );
    assert!(!m.from_us);
    let mut ours = value;
    ours["from"] = json!({"id": ACCOUNT, "username": "zonnestroom.nl"});
    assert!(message(&comments("live_comments", ours)).from_us);
}

#[test]
fn mentions_carry_their_ids_for_fetching() {
    let m = message(&comments(
        "mentions",
        json!({"media_id": "17955566677788899", "comment_id": "17900011122233355"}),
    ));
    assert_eq!(m.platform_message_id, "17900011122233355");
    assert_eq!(m.metadata["needs_fetch"], true);
    assert!(matches!(m.reply_context, ReplyContext::PublicComment { .. }));
    let parsed = parse_delivery(&comments("mentions", json!({"media_id": "x/y", "comment_id": "1"}))).unwrap();
    assert_eq!(parsed.rejected.len(), 1);
}

#[test]
fn other_fields_are_ignored_and_page_envelopes_unsupported() {
    let parsed = parse_delivery(&comments("story_insights", json!({"media_id": "1", "reach": 4}))).unwrap();
    assert_eq!((parsed.events.len(), parsed.ignored.len()), (0, 1));
    assert!(matches!(
        parse_delivery(br#"{"object":"page","entry":[]}"#),
        Err(ParseError::Unsupported(_))
    ));
}

#[test]
fn a_batch_of_many_entries_and_a_bad_one() {
    let body = instagram(json!([
        {"id": ACCOUNT, "time": 1, "messaging": [
            {"sender": {"id": IGSID}, "recipient": {"id": ACCOUNT}, "timestamp": 3, "message": {"mid": "aWdf3", "text": "drie"}},
            {"sender": {"id": IGSID}, "recipient": {"id": ACCOUNT}, "timestamp": 1, "message": {"mid": "aWdf1", "text": "een"}}]},
        {"id": ACCOUNT, "time": 1767261900, "changes": [
            {"field": "comments", "value": {"id": "17900011122233344", "from": {"id": IGSID, "username": "l"},
              "text": "hoi", "media": {"id": "17955566677788899"}}},
            {"field": "comments", "value": {"id": "17900011122233345", "text": "zonder afzender",
              "media": {"id": "17955566677788899"}}}]}]));
    let parsed = parse_delivery(&body).unwrap();
    assert_eq!(parsed.events.len(), 3);
    assert_eq!(parsed.rejected.len(), 1);
}
