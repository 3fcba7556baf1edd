//! Parser tests for WhatsApp deliveries: every message type, batches, statuses, errors.

use serde_json::{json, Value};

use super::*;

const PHONE_NUMBER_ID: &str = "209876543210987";

fn delivery(value: Value) -> Vec<u8> {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "104857600012345", "changes": [
        {"field": "messages", "value": value}]}]})
    .to_string()
    .into_bytes()
}

fn one_message(message: Value) -> InboundMessage {
    let body = delivery(json!({
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "31201234567", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Sanne de Vries"}, "wa_id": "31612345678"}],
        "messages": [message]}));
    match parse(&body).unwrap().as_slice() {
        [InboundEvent::Message(m)] => m.clone(),
        other => panic!("expected one message, got {other:?}"),
    }
}

fn typed(message_type: &str, sub: Value) -> InboundMessage {
    let mut message = json!({"from": "31612345678", "id": format!("wamid.{message_type}"),
        "timestamp": "1767261600", "type": message_type});
    message[message_type] = sub;
    one_message(message)
}

#[test]
fn text_message_from_the_design_doc() {
    let m = one_message(json!({"from": "31612345678",
        "id": "wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQzQTlCMkM3RDFFNEY1QTZCOEMwRAA=",
        "timestamp": "1767261600", "type": "text",
        "text": {"body": "Mijn stroom is uitgevallen in Utrecht, is er een storing?"}}));
    assert_eq!(
        m.platform_message_id,
        "wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQzQTlCMkM3RDFFNEY1QTZCOEMwRAA="
    );
    assert_eq!(m.account_id, PHONE_NUMBER_ID);
    assert_eq!(
        m.contact,
        ContactInfo {
            platform_user_id: "31612345678".into(),
            name: Some("Sanne de Vries".into()),
            handle: Some("+31612345678".into()),
        }
    );
    assert_eq!(m.kind, MessageKind::Text);
    assert_eq!(
        m.text.as_deref(),
        Some("Mijn stroom is uitgevallen in Utrecht, is er een storing?")
    );
    assert_eq!(m.summary, "Mijn stroom is uitgevallen in Utrecht, is er een storing?");
    assert_eq!(m.sent_at, 1_767_261_600_000);
    assert_eq!(m.reply_context, ReplyContext::Private);
    assert!(!m.from_us);
}

#[test]
fn reply_context_and_referral_land_in_metadata() {
    let m = one_message(
        json!({"from": "31612345678", "id": "wamid.R", "timestamp": "1767261600",
        "type": "text", "text": {"body": "ja"}, "context": {"from": "31201234567", "id": "wamid.OURS"},
        "referral": {"source_type": "ad", "headline": "Zon"}}),
    );
    assert_eq!(m.metadata["context"]["id"], "wamid.OURS");
    assert_eq!(m.metadata["referral"]["source_type"], "ad");
    assert_eq!(m.metadata["type"], "text");
}

#[test]
fn media_messages_keep_caption_as_text_and_details_in_metadata() {
    let image = typed(
        "image",
        json!({"id": "1045", "mime_type": "image/jpeg", "sha256": "ab", "caption": "Mijn meter"}),
    );
    assert_eq!(
        (image.kind, image.text.as_deref(), image.summary.as_str()),
        (MessageKind::Image, Some("Mijn meter"), "[Afbeelding] Mijn meter")
    );
    assert_eq!(image.metadata["image"]["id"], "1045");
    assert_eq!(image.metadata["image"]["mime_type"], "image/jpeg");

    let video = typed("video", json!({"id": "2", "mime_type": "video/mp4"}));
    assert_eq!(
        (video.kind, video.text, video.summary.as_str()),
        (MessageKind::Video, None, "[Video]")
    );

    let audio = typed("audio", json!({"id": "3", "mime_type": "audio/ogg", "voice": true}));
    assert_eq!(
        (audio.kind, audio.summary.as_str()),
        (MessageKind::Audio, "[Spraakbericht]")
    );
    let plain_audio = typed("audio", json!({"id": "3", "mime_type": "audio/mpeg"}));
    assert_eq!(plain_audio.summary, "[Audio]");

    let document = typed(
        "document",
        json!({"id": "4", "mime_type": "application/pdf", "filename": "factuur.pdf", "caption": "zie bijlage"}),
    );
    assert_eq!(
        (document.kind, document.text.as_deref(), document.summary.as_str()),
        (
            MessageKind::Document,
            Some("zie bijlage"),
            "[Document] factuur.pdf: zie bijlage"
        )
    );

    let sticker = typed(
        "sticker",
        json!({"id": "5", "mime_type": "image/webp", "animated": false}),
    );
    assert_eq!(
        (sticker.kind, sticker.text, sticker.summary.as_str()),
        (MessageKind::Sticker, None, "[Sticker]")
    );
}

#[test]
fn location_contacts_and_reaction_get_dutch_placeholders() {
    let location = typed(
        "location",
        json!({"latitude": 52.09, "longitude": 5.12, "name": "Utrecht", "address": "Stationsplein"}),
    );
    assert_eq!(
        (location.kind, location.summary.as_str()),
        (MessageKind::Location, "[Locatie] Utrecht (52.09, 5.12)")
    );
    assert_eq!(location.metadata["location"]["latitude"], 52.09);
    let bare = typed("location", json!({"latitude": 52.0907, "longitude": 5.1214}));
    assert_eq!(bare.summary, "[Locatie] (52.0907, 5.1214)");

    let contacts = typed(
        "contacts",
        json!([{"name": {"formatted_name": "Piet", "first_name": "Piet"}, "phones": [{"phone": "+31600000000"}]}]),
    );
    assert_eq!(
        (contacts.kind, contacts.summary.as_str()),
        (MessageKind::Contacts, "[Contactkaart] Piet")
    );

    let reaction = typed("reaction", json!({"message_id": "wamid.OURS", "emoji": "👍"}));
    assert_eq!(
        (reaction.kind, reaction.text, reaction.summary.as_str()),
        (MessageKind::Reaction, None, "[Reactie 👍 op een bericht]")
    );
    assert_eq!(reaction.metadata["reaction"]["message_id"], "wamid.OURS");
    let removed = typed("reaction", json!({"message_id": "wamid.OURS", "emoji": ""}));
    assert_eq!(removed.summary, "[Reactie verwijderd]");
}

#[test]
fn buttons_interactive_replies_and_system_messages() {
    let button_reply = typed(
        "interactive",
        json!({"type": "button_reply", "button_reply": {"id": "yes", "title": "Ja"}}),
    );
    assert_eq!(
        (button_reply.kind, button_reply.summary.as_str()),
        (MessageKind::Interactive, "[Knop] Ja")
    );
    let list_reply = typed(
        "interactive",
        json!({"type": "list_reply", "list_reply": {"id": "s1", "title": "Storing", "description": "Melden"}}),
    );
    assert_eq!(list_reply.summary, "[Keuze] Storing");
    let button = typed("button", json!({"text": "Ja", "payload": "YES"}));
    assert_eq!(
        (button.kind, button.summary.as_str()),
        (MessageKind::Button, "[Knop] Ja")
    );
    let system = typed(
        "system",
        json!({"body": "User A changed from 31612345678 to 31687654321", "type": "user_changed_number", "new_wa_id": "31687654321"}),
    );
    assert_eq!(system.kind, MessageKind::System);
    assert!(system.summary.starts_with("[Systeem] User A changed"));
    assert_eq!(system.metadata["system"]["new_wa_id"], "31687654321");
}

#[test]
fn unfamiliar_types_become_unsupported_messages_never_dropped() {
    let order = typed("order", json!({"catalog_id": "1", "product_items": []}));
    assert_eq!(
        (order.kind, order.summary.as_str()),
        (MessageKind::Unsupported, "[Niet ondersteund bericht: order]")
    );
    assert_eq!(order.metadata["order"]["catalog_id"], "1");
    let unsupported = one_message(
        json!({"from": "31612345678", "id": "wamid.U", "timestamp": "1767261600",
        "type": "unsupported", "errors": [{"code": 131051, "title": "Message type unknown"}]}),
    );
    assert_eq!(unsupported.kind, MessageKind::Unsupported);
    assert_eq!(unsupported.summary, "[Niet ondersteund bericht: unsupported]");
    assert_eq!(unsupported.metadata["errors"][0]["code"], 131051);
    let future = typed("hologram", json!({"id": "9"}));
    assert_eq!(future.summary, "[Niet ondersteund bericht: hologram]");
    let untyped = one_message(json!({"from": "31612345678", "id": "wamid.N", "timestamp": "1767261600"}));
    assert_eq!(untyped.kind, MessageKind::Unsupported);
}

#[test]
fn batches_yield_every_message_and_status_in_order() {
    let metadata = json!({"display_phone_number": "31201234567", "phone_number_id": PHONE_NUMBER_ID});
    let other_metadata = json!({"display_phone_number": "31207654321", "phone_number_id": "300000000000001"});
    let body = json!({"object": "whatsapp_business_account", "entry": [
        {"id": "1", "changes": [
            {"field": "messages", "value": {"messaging_product": "whatsapp", "metadata": metadata,
                "contacts": [{"profile": {"name": "A"}, "wa_id": "31600000001"}, {"profile": {"name": "B"}, "wa_id": "31600000002"}],
                "messages": [
                    {"from": "31600000001", "id": "wamid.1", "timestamp": "1767261601", "type": "text", "text": {"body": "een"}},
                    {"from": "31600000002", "id": "wamid.2", "timestamp": "1767261602", "type": "text", "text": {"body": "twee"}}]}},
            {"field": "message_template_status_update", "value": {"event": "APPROVED"}},
            {"field": "messages", "value": {"messaging_product": "whatsapp", "metadata": metadata,
                "statuses": [{"id": "wamid.OUT", "status": "delivered", "timestamp": "1767261603", "recipient_id": "31600000001"}]}}]},
        {"id": "2", "changes": [
            {"field": "messages", "value": {"messaging_product": "whatsapp", "metadata": other_metadata,
                "contacts": [{"profile": {"name": "C"}, "wa_id": "31600000003"}],
                "messages": [{"from": "31600000003", "id": "wamid.3", "timestamp": "1767261604", "type": "sticker", "sticker": {"id": "7"}}],
                "statuses": [{"id": "wamid.OUT2", "status": "read", "timestamp": "1767261605", "recipient_id": "31600000003"}]}}]}]});
    let events = parse(body.to_string().as_bytes()).unwrap();
    assert_eq!(events.len(), 5);
    let InboundEvent::Message(second) = &events[1] else {
        panic!("expected message")
    };
    assert_eq!(
        (second.platform_message_id.as_str(), second.contact.name.as_deref()),
        ("wamid.2", Some("B"))
    );
    let InboundEvent::Status(delivered) = &events[2] else {
        panic!("expected status")
    };
    assert_eq!(
        (delivered.status, delivered.at),
        (DeliveryStatus::Delivered, 1_767_261_603_000)
    );
    let InboundEvent::Message(third) = &events[3] else {
        panic!("expected message")
    };
    assert_eq!(
        (third.account_id.as_str(), third.kind),
        ("300000000000001", MessageKind::Sticker)
    );
    let InboundEvent::Status(read) = &events[4] else {
        panic!("expected status")
    };
    assert_eq!(
        (read.account_id.as_str(), read.status),
        ("300000000000001", DeliveryStatus::Read)
    );
}

#[test]
fn failed_status_carries_the_error_code_as_string() {
    let body = delivery(json!({"messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "31201234567", "phone_number_id": PHONE_NUMBER_ID},
        "statuses": [{"id": "wamid.F", "status": "failed", "timestamp": "1767262000", "recipient_id": "31612345678",
            "errors": [{"code": 131047, "title": "Re-engagement message", "message": "Re-engagement message",
                "error_data": {"details": "More than 24 hours have passed."}}]},
            {"id": "wamid.P", "status": "played", "timestamp": "1767262001"},
            {"id": "wamid.Q", "status": "deleted", "timestamp": "1767262002"}]}));
    let events = parse(&body).unwrap();
    let InboundEvent::Status(failed) = &events[0] else {
        panic!("expected status")
    };
    assert_eq!(failed.status, DeliveryStatus::Failed);
    assert_eq!(
        failed.error,
        Some(PlatformError {
            code: "131047".into(),
            message: "Re-engagement message: More than 24 hours have passed.".into(),
        })
    );
    let InboundEvent::Status(played) = &events[1] else {
        panic!("expected status")
    };
    assert_eq!((played.status, played.error.clone()), (DeliveryStatus::Read, None));
    let InboundEvent::Status(deleted) = &events[2] else {
        panic!("expected status")
    };
    assert_eq!(deleted.status, DeliveryStatus::Unknown);
}

#[test]
fn contact_falls_back_to_the_single_entry_or_the_number() {
    let m = one_message(
        json!({"from": "5511912345678", "id": "wamid.BR", "timestamp": "1767261600", "type": "text", "text": {"body": "oi"}}),
    );
    assert_eq!(m.contact.platform_user_id, "31612345678");
    assert_eq!(m.contact.handle.as_deref(), Some("+5511912345678"));
    let body = delivery(json!({"metadata": {"phone_number_id": PHONE_NUMBER_ID},
        "messages": [{"from": "31699999999", "id": "wamid.X", "timestamp": 1767261600, "type": "text", "text": {"body": "hoi"}}]}));
    let InboundEvent::Message(m) = &parse(&body).unwrap()[0] else {
        panic!("expected message")
    };
    assert_eq!(
        (m.contact.platform_user_id.as_str(), m.contact.name.clone()),
        ("31699999999", None)
    );
}

#[test]
fn other_fields_and_empty_deliveries_give_no_events() {
    let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [
        {"field": "account_update", "value": {"event": "VERIFIED_ACCOUNT"}}]}]});
    assert_eq!(parse(body.to_string().as_bytes()), Ok(vec![]));
    assert_eq!(
        parse(br#"{"object":"whatsapp_business_account","entry":[]}"#),
        Ok(vec![])
    );
    assert_eq!(
        parse(&delivery(json!({"metadata": {"phone_number_id": PHONE_NUMBER_ID}}))),
        Ok(vec![])
    );
}

#[test]
fn malformed_and_unsupported_bodies_are_errors() {
    let is_malformed = |body: &[u8]| matches!(parse(body), Err(ParseError::Malformed(_)));
    assert!(is_malformed(b"not json"));
    assert!(is_malformed(b""));
    assert!(is_malformed(br#"{"entry":[]}"#));
    assert!(is_malformed(br#"{"object":"whatsapp_business_account"}"#));
    assert!(is_malformed(&delivery(
        json!({"messages": [{"from": "1", "id": "wamid.1", "timestamp": "1", "type": "text"}]})
    )));
    let meta = json!({"phone_number_id": PHONE_NUMBER_ID});
    assert!(is_malformed(&delivery(
        json!({"metadata": meta, "messages": [{"from": "1", "timestamp": "1", "type": "text"}]})
    )));
    assert!(is_malformed(&delivery(
        json!({"metadata": meta, "messages": [{"id": "wamid.1", "timestamp": "1", "type": "text"}]})
    )));
    assert!(is_malformed(&delivery(
        json!({"metadata": meta, "messages": [{"id": "wamid.1", "from": "1", "timestamp": "gisteren"}]})
    )));
    assert!(is_malformed(&delivery(
        json!({"metadata": meta, "statuses": [{"status": "sent", "timestamp": "1"}]})
    )));
    assert!(is_malformed(&delivery(
        json!({"metadata": meta, "messages": {"not": "an array"}})
    )));
    assert!(matches!(
        parse(br#"{"object":"page","entry":[]}"#),
        Err(ParseError::Unsupported(_))
    ));
}

#[test]
fn meta_escaped_bodies_parse_to_the_real_characters() {
    let body = crate::meta_json::to_meta_escaped_json(&serde_json::from_slice::<Value>(&delivery(json!({
        "metadata": {"phone_number_id": PHONE_NUMBER_ID},
        "messages": [{"from": "31612345678", "id": "wamid.E", "timestamp": "1767261600", "type": "text", "text": {"body": "Storing in Zoetermeer? 😢 één"}}]})))
    .unwrap());
    assert!(body.contains(r"\ud83d\ude22"));
    let InboundEvent::Message(m) = &parse(body.as_bytes()).unwrap()[0] else {
        panic!("expected message")
    };
    assert_eq!(m.text.as_deref(), Some("Storing in Zoetermeer? 😢 één"));
}
