//! Messages in: the platform handshakes, signed deliveries becoming conversations,
//! duplicates, refused signatures, quarantined bodies, batches and every message type.

use hubert_channels::MessageKind;
use hubert_testkit::{WA_APP_SECRET, WA_VERIFY_TOKEN, X_CONSUMER_SECRET};

use super::*;

both_backends!(
    the_whatsapp_handshake_echoes_the_challenge_only_for_our_verify_token,
    |t| async move {
        let handshake = |token: &'static str| {
            t.http
                .get(t.wa_webhook_url())
                .query(&[
                    ("hub.mode", "subscribe"),
                    ("hub.verify_token", token),
                    ("hub.challenge", "1158201444"),
                ])
                .send()
        };
        let ok = handshake(WA_VERIFY_TOKEN).await.expect("handshake");
        assert_eq!(ok.status(), 200);
        let content_type = ok.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(content_type.starts_with("text/plain"), "content type {content_type}");
        assert_eq!(ok.text().await.unwrap(), "1158201444");

        let wrong = handshake("not-our-token").await.expect("handshake");
        assert_eq!(wrong.status(), 401);
        assert!(!wrong.text().await.unwrap().contains("1158201444"));
    }
);

both_backends!(the_x_crc_check_answers_with_the_signed_response_token, |t| async move {
    let res = t
        .http
        .get(t.x_webhook_url())
        .query(&[("crc_token", "b9a1c0ffee")])
        .send()
        .await
        .expect("crc");
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.expect("json answer");
    let expected: Value =
        serde_json::from_str(&hubert_channels::x::crc_response(X_CONSUMER_SECRET, "b9a1c0ffee")).unwrap();
    assert_eq!(body, expected);
    assert!(body["response_token"].as_str().unwrap().starts_with("sha256="));
});

both_backends!(a_whatsapp_message_becomes_a_conversation_in_the_inbox, |t| async move {
    t.customer_writes(FATIMA, "Fatima de Vries", "wamid.IN1", "Mijn meterstand klopt niet")
        .await;

    let c = t.only_conversation(&t.wa_profile_id).await;
    assert_eq!(c["platform"], "whatsapp");
    assert_eq!(c["profile_id"], t.wa_profile_id.as_str());
    assert_eq!(c["status"], "open");
    assert_eq!(c["contact"]["name"], "Fatima de Vries");
    assert_eq!(c["contact"]["handle"], "+31612345678");
    assert_eq!(c["sla"]["state"], "inside");
    assert_eq!(c["sla"]["waiting_since"], t.now());
    assert_eq!(c["last_message_at"], t.now());

    let messages = t.messages(c["id"].as_str().unwrap()).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["direction"], "in");
    assert_eq!(messages[0]["kind"], "text");
    assert_eq!(messages[0]["text"], "Mijn meterstand klopt niet");
    assert_eq!(messages[0]["created_at"], t.now());
});

both_backends!(a_duplicate_delivery_changes_nothing, |t| async move {
    let body = wa::text_message(
        PNID,
        FATIMA,
        "Fatima",
        "wamid.DUP1",
        t.now_secs(),
        "Is mijn storing al opgelost?",
    );
    assert_eq!(t.post_whatsapp(body.clone()).await, 200);
    assert_eq!(t.post_whatsapp(body).await, 200, "a platform retry is acknowledged too");

    let c = t.only_conversation(&t.wa_profile_id).await;
    assert_eq!(t.messages(c["id"].as_str().unwrap()).await.len(), 1);
});

both_backends!(
    a_bad_or_missing_signature_is_refused_and_nothing_is_stored,
    |t| async move {
        let body = wa::text_message(PNID, FATIMA, "Fatima", "wamid.SIG1", t.now_secs(), "Hallo");
        let wrong = hubert_channels::fake::sign_meta("someone-elses-secret", &body);
        assert_eq!(t.post_whatsapp_with_signature(body.clone(), Some(&wrong)).await, 401);
        assert_eq!(t.post_whatsapp_with_signature(body.clone(), None).await, 401);
        let mut tampered = body.clone();
        let signature = hubert_channels::fake::sign_meta(WA_APP_SECRET, &body);
        tampered.extend_from_slice(b" ");
        assert_eq!(t.post_whatsapp_with_signature(tampered, Some(&signature)).await, 401);

        let x_body = x_payload::dm(X_USER_ID, "5000001", "2244994945", "Jan", "jan", "Hoi", t.now());
        let res = t.http.post(t.x_webhook_url()).body(x_body).send().await.unwrap();
        assert_eq!(res.status(), 401, "an unsigned X delivery");

        assert!(t.conversations("").await.is_empty(), "nothing may be stored");
        assert_eq!(
            t.get("/api/v1/quarantine").await["items"].as_array().unwrap().len(),
            0,
            "nor quarantined"
        );
    }
);

both_backends!(a_signed_but_malformed_delivery_is_quarantined, |t| async move {
    let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":"nope"}"#.to_vec();
    assert_eq!(t.post_whatsapp(body).await, 400);
    let not_json = b"this is not json at all".to_vec();
    assert_eq!(t.post_whatsapp(not_json).await, 400);

    assert!(t.conversations("").await.is_empty());
    let items = t.get("/api/v1/quarantine").await["items"].as_array().cloned().unwrap();
    assert_eq!(items.len(), 2, "both raw deliveries are kept: {items:?}");
    assert!(items.iter().any(|q| q["body"] == "this is not json at all"));
    assert!(items
        .iter()
        .all(|q| q["platform"] == "whatsapp" && !q["reason"].as_str().unwrap().is_empty()));

    let (status, _) = t.get_as("/api/v1/quarantine", &t.agent_token).await;
    assert_eq!(status, 403, "only admins see the quarantine");
});

both_backends!(
    one_delivery_with_several_messages_and_statuses_is_stored_whole,
    |t| async move {
        t.customer_writes(FATIMA, "Fatima", "wamid.B0", "Eerste vraag").await;
        let first = t.only_conversation(&t.wa_profile_id).await;
        let reply = t
            .reply(first["id"].as_str().unwrap(), json!({ "text": "We kijken ernaar." }))
            .await;
        t.wait_for_status(&reply, "sent").await;
        let wamid = t.platform_message_id(&reply).await;

        let ts = t.now_secs();
        let body = wa::batch()
            .text(PNID, FATIMA, "Fatima", "wamid.B1", ts, "Nog een vraag")
            .text(
                PNID,
                "31687654321",
                "Bert Bakker",
                "wamid.B2",
                ts,
                "Verhuizing doorgeven",
            )
            .status(
                PNID,
                wa::status_object(&wamid, "delivered", ts, Some(FATIMA), None, None),
            )
            .new_entry()
            .text(PNID, "31687654321", "Bert Bakker", "wamid.B3", ts, "Per 1 maart")
            .build();
        assert_eq!(t.post_whatsapp(body).await, 200);

        let conversations = t.conversations(&format!("?profile={}", t.wa_profile_id)).await;
        assert_eq!(conversations.len(), 2);
        let bert = conversations
            .iter()
            .find(|c| c["contact"]["name"] == "Bert Bakker")
            .expect("Bert's conversation");
        assert_eq!(t.messages(bert["id"].as_str().unwrap()).await.len(), 2);
        let fatima = t.messages(first["id"].as_str().unwrap()).await;
        assert_eq!(fatima.iter().filter(|m| m["direction"] == "in").count(), 2);
        assert_eq!(t.delivery_status(&reply).await.as_deref(), Some("delivered"));
    }
);

both_backends!(
    every_message_type_is_stored_with_a_readable_placeholder,
    |t| async move {
        let ts = t.now_secs();
        let objects = vec![
            wa::media_object(
                FATIMA,
                "wamid.T1",
                ts,
                MessageKind::Image,
                "9001",
                "image/jpeg",
                Some("Foto van de meter"),
            ),
            wa::message_object(
                FATIMA,
                "wamid.T2",
                ts,
                "location",
                json!({ "latitude": 52.09, "longitude": 5.12, "name": "Utrecht Centraal" }),
            ),
            wa::media_object(FATIMA, "wamid.T3", ts, MessageKind::Sticker, "9002", "image/webp", None),
            wa::message_object(
                FATIMA,
                "wamid.T4",
                ts,
                "reaction",
                json!({ "message_id": "wamid.T1", "emoji": "👍" }),
            ),
            wa::message_object(
                FATIMA,
                "wamid.T5",
                ts,
                "interactive",
                json!({ "type": "button_reply", "button_reply": { "id": "yes", "title": "Ja graag" } }),
            ),
            wa::message_object(FATIMA, "wamid.T6", ts, "hologram", json!({ "shape": "kubus" })),
        ];
        let body = objects
            .into_iter()
            .fold(wa::batch(), |b, o| b.message(PNID, FATIMA, "Fatima", o))
            .build();
        assert_eq!(t.post_whatsapp(body).await, 200);

        let c = t.only_conversation(&t.wa_profile_id).await;
        let messages = t.messages(c["id"].as_str().unwrap()).await;
        assert_eq!(messages.len(), 6, "no message is dropped: {messages:?}");
        let find = |kind: &str| {
            messages
                .iter()
                .find(|m| m["kind"] == kind)
                .unwrap_or_else(|| panic!("no {kind} message in {messages:?}"))
                .clone()
        };
        let summary = |kind: &str| find(kind)["summary"].as_str().unwrap().to_owned();

        assert!(summary("image").contains("[Afbeelding]") && summary("image").contains("Foto van de meter"));
        assert_eq!(find("image")["text"], "Foto van de meter");
        assert!(summary("location").contains("[Locatie]") && summary("location").contains("Utrecht Centraal"));
        assert!(summary("sticker").contains("[Sticker]"));
        assert!(summary("reaction").contains("👍"));
        assert!(summary("interactive").contains("Ja graag"));
        assert!(summary("unsupported").contains("hologram"));
        assert!(messages.iter().all(|m| !m["summary"].as_str().unwrap().is_empty()));
    }
);

/// Reads the event stream into `seen` until it contains `needle` (bounded by [`WAIT`]).
async fn read_until(
    needle: &str,
    seen: &mut String,
    events: &mut reqwest::Response,
) -> Result<(), tokio::time::error::Elapsed> {
    tokio::time::timeout(WAIT, async {
        while !seen.contains(needle) {
            let chunk = events.chunk().await.expect("stream chunk").expect("stream still open");
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await
}

both_backends!(a_stored_message_is_announced_live_over_sse, |t| async move {
    let mut events = t
        .http
        .get(t.url("/api/v1/events"))
        .bearer_auth(&t.token)
        .send()
        .await
        .expect("event stream");
    assert_eq!(events.status(), 200);
    let mut seen = String::new();
    read_until("event: hello", &mut seen, &mut events)
        .await
        .expect("the hello event");

    t.customer_writes(FATIMA, "Fatima", "wamid.LIVE1", "Geheime meterstand 12345")
        .await;
    read_until("event: message.created", &mut seen, &mut events)
        .await
        .expect("a message.created event");
    let c = t.only_conversation(&t.wa_profile_id).await;
    assert!(
        seen.contains(c["id"].as_str().unwrap()),
        "the event names the conversation: {seen}"
    );
    assert!(
        !seen.contains("12345") && !seen.contains("Fatima"),
        "events carry ids, never bodies or names: {seen}"
    );
});
