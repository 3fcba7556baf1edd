//! Parser tests for LinkedIn notifications: the design-doc and corpus fixtures, each
//! action, batches, edits and deletions, ADMIN_COMMENT, duplicates, unknown actions,
//! crafted URNs, and arbitrary input that must never panic.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;

const ORG: &str = "urn:li:organization:10203040";
const POST: &str = "urn:li:activity:7412345678901234567";
const COMMENT: &str = "urn:li:comment:(urn:li:activity:7412345678901234567,7412399999999999999)";

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../tests/fixtures/linkedin/", $name)).as_slice()
    };
}

fn only_message(body: &[u8]) -> InboundMessage {
    match parse(body).unwrap().as_slice() {
        [InboundEvent::Message(m)] => m.clone(),
        other => panic!("expected one message, got {other:?}"),
    }
}

fn notification(action: &str, id: u64) -> Value {
    json!({"notificationId": id, "action": action, "organizationalEntity": ORG, "lastModifiedAt": 1_767_263_000_000_i64,
           "sourcePost": POST, "generatedActivity": COMMENT,
           "decoratedGeneratedActivity": {"comment": {"entity": COMMENT, "owner": "urn:li:person:AbCdEf1234",
                                                       "object": POST, "text": "Nieuwe tekst"}}})
}

fn delivery(notifications: Vec<Value>) -> Vec<u8> {
    json!({"type": ENVELOPE_TYPE, "notifications": notifications})
        .to_string()
        .into_bytes()
}

#[test]
fn design_doc_comment() {
    let m = only_message(fixture!("design_doc_comment.json"));
    assert_eq!(m.platform_message_id, COMMENT);
    assert_eq!(m.account_id, ORG);
    assert_eq!(
        m.contact,
        ContactInfo {
            platform_user_id: "urn:li:person:AbCdEf1234".into(),
            name: Some("LinkedIn-lid".into()),
            handle: None,
        }
    );
    assert_eq!(m.text.as_deref(), Some("Waarom stijgt mijn voorschot met 40 euro?"));
    assert_eq!(m.summary, "Waarom stijgt mijn voorschot met 40 euro?");
    assert_eq!(m.kind, MessageKind::Text);
    assert_eq!(m.sent_at, 1_767_263_000_000);
    assert!(!m.from_us);
    assert_eq!(
        m.reply_context,
        ReplyContext::PublicComment {
            post_id: POST.into(),
            comment_id: COMMENT.into(),
            parent_id: Some(POST.into()),
            post_text: Some("Vanaf 1 januari gelden nieuwe tarieven…".into()),
            post_link: Some("https://www.linkedin.com/feed/update/urn:li:activity:7412345678901234567/".into()),
        }
    );
    assert_eq!(m.metadata["notification_id"], "7700112233");
    assert_eq!(m.metadata["post_urn"], POST);
    assert_eq!(m.metadata["post_text"], "Vanaf 1 januari gelden nieuwe tarieven…");
    assert_eq!(m.metadata["post_entity"], "urn:li:share:7412345678901234000");
    assert_eq!(m.metadata["parent_comment"], Value::Null);
    assert_eq!(
        m.metadata["post_link"],
        "https://www.linkedin.com/feed/update/urn:li:activity:7412345678901234567/"
    );
}

#[test]
fn corpus_shapes_parse() {
    let m = only_message(fixture!("corpus_comment_abbreviated_urn.json"));
    assert_eq!(
        m.platform_message_id,
        "urn:li:comment:(urn:li:activity:7412500000000000002,7412500000000000099)"
    );
    assert_eq!(m.text.as_deref(), Some("Bij ons in Zeist is de stroom nog steeds weg."));

    let m = only_message(fixture!("corpus_comment_message_text.json"));
    assert_eq!(m.text.as_deref(), Some("Hoe zeg ik mijn contract op?"));
    assert_eq!(m.contact.platform_user_id, "urn:li:person:member123");

    let m = only_message(fixture!("corpus_nested_comment.json"));
    assert_eq!(m.metadata["parent_comment"], COMMENT);
    assert_eq!(
        m.reply_context,
        ReplyContext::PublicComment {
            post_id: POST.into(),
            comment_id: "urn:li:comment:(urn:li:activity:7412345678901234567,7412400000000000005)".into(),
            parent_id: Some(COMMENT.into()),
            post_text: None,
            post_link: Some("https://www.linkedin.com/feed/update/urn:li:activity:7412345678901234567/".into()),
        },
        "a nested reply carries its top-level comment"
    );

    let m = only_message(fixture!("corpus_share_mention_minimal.json"));
    assert_eq!(m.platform_message_id, "urn:li:share:6441333333905633322");
    assert_eq!(m.summary, "[Vermelding in een LinkedIn-bericht]");
    assert_eq!(m.text, None);
    assert_eq!(m.metadata["text_missing"], true);
    assert_eq!(m.metadata["author_unknown"], true);
    assert_eq!(m.contact.name.as_deref(), Some("LinkedIn-lid"));
    assert_eq!(
        m.reply_context,
        ReplyContext::PublicPost {
            post_id: "urn:li:share:6441333333905633322".into()
        }
    );
}

#[test]
fn a_mention_with_its_post_decorated() {
    let mut n = notification("SHARE_MENTION", 9);
    n["generatedActivity"] = json!("urn:li:share:7412555555555555555");
    n["decoratedGeneratedActivity"] =
        json!({"share": {"owner": "urn:li:person:Mention1", "text": "@Zonnestroom waarom?"}});
    let m = only_message(&delivery(vec![n]));
    assert_eq!(m.contact.platform_user_id, "urn:li:person:Mention1");
    assert_eq!(m.text.as_deref(), Some("@Zonnestroom waarom?"));
    assert_eq!(m.metadata["mention"], true);
}

#[test]
fn admin_comments_and_our_own_comments_are_ours() {
    let mut admin = notification("ADMIN_COMMENT", 1);
    admin["decoratedGeneratedActivity"]["comment"]["owner"] = json!(ORG);
    let m = only_message(&delivery(vec![admin.clone()]));
    assert!(m.from_us);
    // An ADMIN_COMMENT typed by a person (owner a member) is still ours.
    admin["decoratedGeneratedActivity"]["comment"]["owner"] = json!("urn:li:person:Admin1");
    assert!(only_message(&delivery(vec![admin.clone()])).from_us);
    // …and one without an owner at all.
    admin["decoratedGeneratedActivity"]["comment"]
        .as_object_mut()
        .unwrap()
        .remove("owner");
    assert!(only_message(&delivery(vec![admin])).from_us);
    let mut ours = notification("COMMENT", 2);
    ours["decoratedGeneratedActivity"]["comment"]["owner"] = json!(ORG);
    assert!(only_message(&delivery(vec![ours])).from_us);
}

#[test]
fn edits_and_deletions_update_the_comment() {
    let events = parse(&delivery(vec![
        notification("COMMENT_EDIT", 3),
        notification("COMMENT_DELETE", 4),
    ]))
    .unwrap();
    assert_eq!(
        events,
        vec![
            InboundEvent::Update(MessageUpdate {
                account_id: ORG.into(),
                platform_message_id: COMMENT.into(),
                change: MessageChange::Edited {
                    text: Some("Nieuwe tekst".into()),
                },
                at: 1_767_263_000_000,
            }),
            InboundEvent::Update(MessageUpdate {
                account_id: ORG.into(),
                platform_message_id: COMMENT.into(),
                change: MessageChange::Removed,
                at: 1_767_263_000_000,
            }),
        ]
    );
}

#[test]
fn a_batch_keeps_what_it_can_and_drops_repeats() {
    let mut crafted = notification("COMMENT", 12);
    crafted["decoratedGeneratedActivity"]["comment"]["entity"] = json!("urn:li:comment:(urn:li:activity:1,../../x)");
    crafted["generatedActivity"] = json!("urn:li:comment:(urn:li:activity:1,../../x)");
    let parsed = parse_delivery(&delivery(vec![
        json!({"notificationId": 10, "action": "LIKE", "organizationalEntity": ORG, "lastModifiedAt": 1, "sourcePost": POST}),
        notification("COMMENT", 11),
        notification("COMMENT", 11),
        crafted,
        notification("SOMETHING_NEW", 13),
        notification("SHARE", 14),
        notification("COMMENT_EDIT", 15),
    ]))
    .unwrap();
    assert_eq!(parsed.events.len(), 2, "{parsed:?}");
    assert_eq!(parsed.rejected.len(), 1);
    assert!(parsed.rejected[0].reason.contains("comment URN"));
    assert_eq!(
        parsed.ignored.len(),
        3,
        "LIKE, SOMETHING_NEW and SHARE are kept, not refused"
    );
    assert!(parsed.ignored[1].reason.contains("SOMETHING_NEW"));
    assert!(parsed.ignored[1].raw.contains("\"notificationId\":13"));
    assert_eq!(parse(&delivery(vec![notification("SOMETHING_NEW", 13)])), Ok(vec![]));
}

#[test]
fn unknown_envelopes_are_kept_and_foreign_bodies_refused() {
    let other = br#"{"type":"LEAD_ACTION","notifications":[]}"#;
    let parsed = parse_delivery(other).unwrap();
    assert!(parsed.events.is_empty());
    assert!(parsed.rejected.is_empty());
    assert_eq!(parsed.ignored.len(), 1);
    assert!(
        parse_delivery(br#"{"type":"ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS","notifications":[]}"#)
            .unwrap()
            .events
            .is_empty()
    );
    for body in [
        &b"not json"[..],
        b"[]",
        b"{}",
        br#"{"object":"page","entry":[]}"#,
        br#"{"notifications":{}}"#,
    ] {
        assert!(
            matches!(parse_delivery(body), Err(ParseError::Malformed(_))),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn every_urn_is_checked_before_it_is_kept() {
    let cases: Vec<(&str, Value)> = vec![
        ("organizationalEntity", json!("urn:li:organization:1/../2")),
        ("sourcePost", json!("https://evil.example/")),
        ("notificationId", json!("12a")),
        ("lastModifiedAt", json!(null)),
    ];
    for (field, value) in cases {
        let mut n = notification("COMMENT", 20);
        n[field] = value;
        let parsed = parse_delivery(&delivery(vec![n])).unwrap();
        assert_eq!(parsed.rejected.len(), 1, "{field}");
    }
    let mut n = notification("COMMENT", 21);
    n["decoratedGeneratedActivity"]["comment"]["owner"] = json!("urn:li:person:a?b");
    assert_eq!(parse_delivery(&delivery(vec![n])).unwrap().rejected.len(), 1);
    let mut n = notification("COMMENT", 22);
    n["decoratedGeneratedActivity"]["comment"]["parentComment"] = json!("urn:li:comment:(x)");
    assert_eq!(parse_delivery(&delivery(vec![n])).unwrap().rejected.len(), 1);
    let mut n = notification("SHARE_MENTION", 23);
    n["generatedActivity"] = json!("urn:li:share:1?x=y");
    assert_eq!(parse_delivery(&delivery(vec![n])).unwrap().rejected.len(), 1);
}

#[test]
fn a_comment_without_text_still_arrives() {
    let mut n = notification("COMMENT", 30);
    n["decoratedGeneratedActivity"]["comment"]
        .as_object_mut()
        .unwrap()
        .remove("text");
    let m = only_message(&delivery(vec![n]));
    assert_eq!(m.text, None);
    assert_eq!(m.summary, "[Reactie zonder tekst]");
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_delivery(&body);
        let _ = super::super::parse_poll_response(&body, ORG);
    }

    #[test]
    fn arbitrary_json_notifications_never_panic(
        action in "(COMMENT|ADMIN_COMMENT|SHARE_MENTION|COMMENT_EDIT|COMMENT_DELETE|LIKE|.{0,12})",
        id in prop_oneof![any::<u64>().prop_map(Value::from), ".{0,8}".prop_map(Value::from), Just(Value::Null)],
        owner in ".{0,30}", generated in ".{0,60}", text in prop_oneof![".{0,20}".prop_map(Value::from), Just(json!({"x": 1}))],
    ) {
        let n = json!({"notificationId": id, "action": action, "organizationalEntity": ORG, "lastModifiedAt": 1,
                       "generatedActivity": generated, "sourcePost": generated,
                       "decoratedGeneratedActivity": {"comment": {"owner": owner, "text": text, "entity": generated,
                                                                  "parentComment": generated},
                                                      "share": {"owner": owner, "text": text}}});
        let _ = parse_delivery(&delivery(vec![n, json!(null), json!([1]), json!("x")]));
    }
}
