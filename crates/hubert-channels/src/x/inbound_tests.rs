//! Parser tests for X deliveries: mentions, replies, long posts, quotes, retweets, media,
//! DMs both ways, ignored event types and malformed envelopes.

use serde_json::{json, Value};

use super::*;

const US: &str = "1600000000000000001";
const JOOST: &str = "1550000000000000777";

fn design_doc_mention() -> Value {
    json!({"created_at": "Thu Jan 01 10:15:00 +0000 2026",
        "id": 1874700000000000123_u64, "id_str": "1874700000000000123",
        "text": "@ZonnestroomNL al 2 dagen wacht ik op antwoord over mijn jaarafrekening",
        "in_reply_to_status_id": null, "in_reply_to_status_id_str": null,
        "in_reply_to_user_id": null, "in_reply_to_user_id_str": null, "in_reply_to_screen_name": null,
        "user": {"id": 1550000000000000777_u64, "id_str": JOOST, "name": "Joost Visser", "screen_name": "joostvisser_"},
        "entities": {"hashtags": [], "urls": [], "symbols": [], "user_mentions": [
            {"screen_name": "ZonnestroomNL", "name": "Zonnestroom", "id": 1600000000000000001_u64, "id_str": US, "indices": [0, 13]}]},
        "truncated": false, "is_quote_status": false, "lang": "nl", "timestamp_ms": "1767262500000"})
}

fn tweets(events: Vec<Value>) -> Vec<InboundMessage> {
    let body = json!({"for_user_id": US, "user_has_blocked": "false", "tweet_create_events": events});
    messages(&body)
}

fn messages(body: &Value) -> Vec<InboundMessage> {
    parse(body.to_string().as_bytes())
        .unwrap()
        .into_iter()
        .map(|event| match event {
            InboundEvent::Message(m) => m,
            other => panic!("expected a message, got {other:?}"),
        })
        .collect()
}

#[test]
fn mention_from_the_design_doc() {
    let [m] = tweets(vec![design_doc_mention()]).try_into().unwrap();
    assert_eq!(m.platform_message_id, "1874700000000000123");
    assert_eq!(m.account_id, US);
    assert_eq!(
        m.contact,
        ContactInfo {
            platform_user_id: JOOST.into(),
            name: Some("Joost Visser".into()),
            handle: Some("@joostvisser_".into()),
        }
    );
    assert_eq!(m.kind, MessageKind::Text);
    assert_eq!(
        m.text.as_deref(),
        Some("@ZonnestroomNL al 2 dagen wacht ik op antwoord over mijn jaarafrekening")
    );
    assert_eq!(m.summary, m.text.clone().unwrap());
    assert_eq!(m.sent_at, 1_767_262_500_000);
    assert_eq!(
        m.reply_context,
        ReplyContext::PublicPost {
            post_id: "1874700000000000123".into()
        }
    );
    assert!(!m.from_us);
}

#[test]
fn reply_keeps_the_thread_in_metadata_and_created_at_is_the_fallback_time() {
    let mut reply = design_doc_mention();
    reply["in_reply_to_status_id_str"] = json!("1874700000000000100");
    reply["in_reply_to_user_id_str"] = json!(US);
    reply.as_object_mut().unwrap().remove("timestamp_ms");
    let [m] = tweets(vec![reply]).try_into().unwrap();
    assert_eq!(m.metadata["in_reply_to_status_id_str"], "1874700000000000100");
    assert_eq!(m.sent_at, 1_767_262_500_000);
    assert!(!m.from_us);
}

#[test]
fn extended_tweets_use_the_full_text() {
    let mut long = design_doc_mention();
    long["truncated"] = json!(true);
    long["text"] = json!("@ZonnestroomNL begin…");
    long["extended_tweet"] = json!({"full_text": "@ZonnestroomNL begin van een heel lang verhaal tot het einde", "display_text_range": [14, 60]});
    let [m] = tweets(vec![long]).try_into().unwrap();
    assert_eq!(
        m.text.as_deref(),
        Some("@ZonnestroomNL begin van een heel lang verhaal tot het einde")
    );
}

#[test]
fn quotes_are_tagged_and_retweets_skipped() {
    let mut quote = design_doc_mention();
    quote["id_str"] = json!("1874700000000000200");
    quote["is_quote_status"] = json!(true);
    quote["text"] = json!("Dit dus @ZonnestroomNL");
    quote["quoted_status"] = json!({"id_str": "1874700000000000050", "text": "Storing in heel Utrecht",
        "user": {"id_str": "1", "name": "Nieuws", "screen_name": "nieuws"}});
    let mut retweet = design_doc_mention();
    retweet["id_str"] = json!("1874700000000000300");
    retweet["retweeted_status"] = design_doc_mention();
    let [m] = tweets(vec![quote, retweet]).try_into().unwrap();
    assert_eq!(m.kind, MessageKind::QuotedPost);
    assert_eq!(m.text.as_deref(), Some("Dit dus @ZonnestroomNL"));
    assert_eq!(m.summary, "[Citaat] Dit dus @ZonnestroomNL");
    assert_eq!(m.metadata["quoted"]["text"], "Storing in heel Utrecht");
    assert_eq!(m.metadata["quoted"]["id_str"], "1874700000000000050");
    assert_eq!(m.metadata["quoted"]["user"]["screen_name"], "nieuws");
}

#[test]
fn media_tweets_become_image_or_video_with_text() {
    let mut photo = design_doc_mention();
    photo["extended_entities"] =
        json!({"media": [{"id_str": "9", "type": "photo", "media_url_https": "https://pbs.twimg.com/media/x.jpg"}]});
    let mut clip = design_doc_mention();
    clip["extended_tweet"] =
        json!({"full_text": "kijk", "extended_entities": {"media": [{"id_str": "10", "type": "video"}]}});
    let [image, video] = tweets(vec![photo, clip]).try_into().unwrap();
    assert_eq!(image.kind, MessageKind::Image);
    assert!(image.summary.starts_with("[Afbeelding] @ZonnestroomNL"));
    assert_eq!(
        image.metadata["media"][0]["media_url_https"],
        "https://pbs.twimg.com/media/x.jpg"
    );
    assert_eq!(
        (video.kind, video.summary.as_str()),
        (MessageKind::Video, "[Video] kijk")
    );
}

#[test]
fn our_own_reply_is_recognised_and_points_at_the_customer() {
    let ours = json!({"id_str": "1874700000000000456", "text": "@joostvisser_ Sorry voor het wachten!",
        "in_reply_to_status_id_str": "1874700000000000123", "in_reply_to_user_id_str": JOOST,
        "in_reply_to_screen_name": "joostvisser_",
        "user": {"id_str": US, "name": "Zonnestroom", "screen_name": "ZonnestroomNL"}, "timestamp_ms": "1767262700000"});
    let [m] = tweets(vec![ours]).try_into().unwrap();
    assert!(m.from_us);
    assert_eq!(m.contact.platform_user_id, JOOST);
    assert_eq!(m.contact.handle.as_deref(), Some("@joostvisser_"));
}

fn design_doc_dm(sender: &str, recipient: &str) -> Value {
    json!({"for_user_id": US,
        "direct_message_events": [{"type": "message_create", "id": "1874700000000000999", "created_timestamp": "1767262600000",
            "message_create": {"target": {"recipient_id": recipient}, "sender_id": sender, "source_app_id": "13090192",
                "message_data": {"text": "Mijn klantnummer is 4012345, adres Dorpsstraat 1",
                    "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []}}}}],
        "users": {
            JOOST: {"id": JOOST, "name": "Joost Visser", "screen_name": "joostvisser_", "protected": false},
            US: {"id": US, "name": "Zonnestroom", "screen_name": "ZonnestroomNL"}},
        "apps": {"13090192": {"id": "13090192", "name": "Hubert", "url": "https://example.nl"}}})
}

#[test]
fn received_dm_takes_the_contact_from_the_users_map() {
    let [m] = messages(&design_doc_dm(JOOST, US)).try_into().unwrap();
    assert_eq!(m.platform_message_id, "1874700000000000999");
    assert_eq!(
        m.contact,
        ContactInfo {
            platform_user_id: JOOST.into(),
            name: Some("Joost Visser".into()),
            handle: Some("@joostvisser_".into()),
        }
    );
    assert_eq!(
        (m.kind, m.reply_context.clone(), m.from_us),
        (MessageKind::Text, ReplyContext::Private, false)
    );
    assert_eq!(
        m.text.as_deref(),
        Some("Mijn klantnummer is 4012345, adres Dorpsstraat 1")
    );
    assert_eq!(m.sent_at, 1_767_262_600_000);
}

#[test]
fn dm_sent_by_us_is_from_us_and_the_contact_is_the_recipient() {
    let [m] = messages(&design_doc_dm(US, JOOST)).try_into().unwrap();
    assert!(m.from_us);
    assert_eq!(m.contact.platform_user_id, JOOST);
    assert_eq!(m.contact.name.as_deref(), Some("Joost Visser"));
}

#[test]
fn dm_media_attachment_is_an_image() {
    let mut body = design_doc_dm(JOOST, US);
    body["direct_message_events"][0]["message_create"]["message_data"]["attachment"] = json!({"type": "media", "media": {"id_str": "5", "type": "photo", "media_url_https": "https://ton.twitter.com/x.jpg"}});
    let [m] = messages(&body).try_into().unwrap();
    assert_eq!(m.kind, MessageKind::Image);
    assert_eq!(m.metadata["attachment"]["media"]["id_str"], "5");
}

#[test]
fn non_message_events_yield_nothing() {
    for body in [
        json!({"for_user_id": US, "favorite_events": [{"id": "a7ba59eab0bfcba386f7acedac279542", "timestamp_ms": 1767262800000_i64,
            "favorited_status": {"id_str": "1"}, "user": {"id_str": JOOST}}]}),
        json!({"for_user_id": US, "follow_events": [{"type": "follow", "source": {"id": JOOST}, "target": {"id": US}}]}),
        json!({"for_user_id": US, "direct_message_indicate_typing_events": [{"created_timestamp": "1", "sender_id": JOOST}]}),
        json!({"for_user_id": US, "direct_message_mark_read_events": [{"created_timestamp": "1", "sender_id": JOOST}]}),
        json!({"for_user_id": US, "tweet_delete_events": [{"status": {"id": "1", "user_id": JOOST}, "timestamp_ms": "1"}]}),
        json!({"for_user_id": US, "direct_message_events": [{"type": "something_else", "id": "1"}]}),
    ] {
        assert_eq!(parse(body.to_string().as_bytes()), Ok(vec![]), "{body}");
    }
}

#[test]
fn malformed_envelopes_are_errors() {
    let is_malformed = |body: &[u8]| matches!(parse(body), Err(ParseError::Malformed(_)));
    assert!(is_malformed(b"<html>"));
    assert!(is_malformed(b"[]"));
    assert!(is_malformed(br#"{"tweet_create_events":[]}"#));
    assert!(is_malformed(br#"{"user_event":{"revoke":{}}}"#));
    assert!(is_malformed(
        json!({"for_user_id": US, "tweet_create_events": {}})
            .to_string()
            .as_bytes()
    ));
    assert!(is_malformed(json!({"for_user_id": US, "tweet_create_events": [{"text": "zonder id", "user": {"id_str": JOOST}, "timestamp_ms": "1"}]}).to_string().as_bytes()));
    assert!(is_malformed(json!({"for_user_id": US, "tweet_create_events": [{"id_str": "1", "text": "zonder user", "timestamp_ms": "1"}]}).to_string().as_bytes()));
    let mut no_sender = design_doc_dm(JOOST, US);
    no_sender["direct_message_events"][0]["message_create"]
        .as_object_mut()
        .unwrap()
        .remove("sender_id");
    assert!(is_malformed(no_sender.to_string().as_bytes()));
}

#[test]
fn big_numeric_ids_stay_exact() {
    let mut tweet = design_doc_mention();
    tweet.as_object_mut().unwrap().remove("id_str");
    let [m] = tweets(vec![tweet]).try_into().unwrap();
    assert_eq!(m.platform_message_id, "1874700000000000123");
}
