//! Facebook and Instagram end to end, through the real webhook routes and the fake
//! platforms: DMs and comments in, replies out (public, private once, Messenger's
//! `HUMAN_AGENT` tag), watermarks back, comment edits / hides / removals and unsends
//! applied, unknown fields acknowledged and kept, bad signatures stored nowhere,
//! duplicates changing nothing.

use hubert_channels::fake::meta_payload::{self as meta, MetaBatch, IG_ACCOUNT_ID, PAGE_ID};
use hubert_channels::fake::FakeMeta;
use hubert_core::Platform;

use super::*;

const DAY_MS: i64 = 24 * 60 * MINUTE;
const FB_SECRET: &str = "fb-app-secret";
const IG_SECRET: &str = "ig-app-secret";
const PSID: &str = "6100000000000001";
const COMMENTER: &str = "6100000000000002";
const IGSID: &str = "6100000000000003";
const POST: &str = "112233445566778_900000000000001";
const COMMENT: &str = "900000000000001_800000000000001";

async fn facebook_profile(t: &TestApp) -> String {
    let (status, body) = t
        .post(
            "/api/v1/profiles",
            json!({"platform": "facebook", "name": "Zonnestroom op Facebook",
                "credentials": {"page_id": PAGE_ID, "page_access_token": "EAApage", "app_secret": FB_SECRET,
                    "verify_token": "fb-verify"}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

async fn instagram_profile(t: &TestApp) -> String {
    let (status, body) = t
        .post(
            "/api/v1/profiles",
            json!({"platform": "instagram", "name": "Zonnestroom op Instagram",
                "credentials": {"account_id": IG_ACCOUNT_ID, "access_token": "IGtoken", "app_secret": IG_SECRET,
                    "verify_token": "ig-verify"}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

async fn quarantined(t: &TestApp) -> Vec<Value> {
    t.get("/api/v1/quarantine").await["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn message_by_text<'a>(messages: &'a [Value], text: &str) -> &'a Value {
    messages
        .iter()
        .find(|m| m["summary"] == text)
        .unwrap_or_else(|| panic!("no message {text}: {messages:?}"))
}

both_backends!(facebook_dm_in_reply_out_and_watermarks_back, |t| async move {
    let profile = facebook_profile(t).await;
    let page = t.graph.meta().clone();
    let written = t.now();
    page.open_window(PSID, written);
    let dm = meta::messenger_text(PAGE_ID, PSID, "m_in_1", written, "Mijn rekening klopt niet");
    assert_eq!(
        t.post_signed(Platform::Facebook, &profile, FB_SECRET, dm.clone()).await,
        200
    );
    assert_eq!(t.post_signed(Platform::Facebook, &profile, FB_SECRET, dm).await, 200);
    let conv = t.only_conversation(&profile).await["id"].as_str().unwrap().to_owned();
    assert_eq!(t.messages(&conv).await.len(), 1, "a duplicate changes nothing");
    let rules = t.conversation(&conv).await["reply_rules"].clone();
    assert_eq!(rules["max_length"], 2000, "{rules}");
    assert_eq!(rules["window_open"], true);
    assert_eq!(rules["human_agent_tag_until"], written + 7 * DAY_MS);

    let reply = t.reply(&conv, json!({"text": "We kijken ernaar."})).await;
    t.wait_for_status(&reply, "sent").await;
    let sent = page.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].path, format!("/v21.0/{PAGE_ID}/messages"));
    assert_eq!(sent[0].body["messaging_type"], "RESPONSE");
    assert_eq!(sent[0].body["recipient"]["id"], PSID);

    // Delivery and read watermarks move our reply forward.
    let later = t.now() + 1000;
    let read = MetaBatch::page()
        .messaging(PAGE_ID, meta::delivery_event(PAGE_ID, PSID, later, &[], later))
        .build();
    assert_eq!(t.post_signed(Platform::Facebook, &profile, FB_SECRET, read).await, 200);
    t.wait_for_status(&reply, "delivered").await;
    let read = MetaBatch::page()
        .messaging(PAGE_ID, meta::read_event(PAGE_ID, PSID, later + 1, later + 1))
        .build();
    assert_eq!(t.post_signed(Platform::Facebook, &profile, FB_SECRET, read).await, 200);
    t.wait_for_status(&reply, "read").await;

    // Two days later a person may still answer, with the HUMAN_AGENT tag.
    t.clock.advance(2 * DAY_MS);
    let rules = t.conversation(&conv).await["reply_rules"].clone();
    assert_eq!(rules["window_open"], true, "{rules}");
    let tagged = t.reply(&conv, json!({"text": "Nog een vraag?", "force": true})).await;
    t.wait_for_status(&tagged, "sent").await;
    let last = page.requests().pop().unwrap();
    assert_eq!(last.body["messaging_type"], "MESSAGE_TAG", "{}", last.body);
    assert_eq!(last.body["tag"], "HUMAN_AGENT");
    // After seven days the window is closed.
    t.clock.advance(6 * DAY_MS);
    let (status, body) = t
        .post(
            &format!("/api/v1/conversations/{conv}/replies"),
            json!({"text": "Hallo?", "force": true}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
});

both_backends!(
    facebook_comments_are_answered_publicly_and_privately_once,
    |t| async move {
        let profile = facebook_profile(t).await;
        let page = t.graph.meta().clone();
        let secs = t.now_secs();
        let comment = meta::feed_comment(
            COMMENTER,
            "Sanne Bakker",
            POST,
            COMMENT,
            None,
            secs,
            "Storing in Utrecht?",
            Some("Gepland onderhoud vannacht"),
        );
        let delivery = meta::page_comment(PAGE_ID, comment, secs);
        assert_eq!(
            t.post_signed(Platform::Facebook, &profile, FB_SECRET, delivery).await,
            200
        );
        let conv = t.only_conversation(&profile).await["id"].as_str().unwrap().to_owned();
        let detail = t.conversation(&conv).await;
        let rules = detail["reply_rules"].clone();
        assert_eq!(rules["can_reply_privately"], true, "{rules}");
        assert_eq!(rules["max_length"], 8000);
        assert_eq!(rules["private_max_length"], 2000);

        let public = t.reply(&conv, json!({"text": "Klopt, tot 06:00."})).await;
        t.wait_for_status(&public, "sent").await;
        assert_eq!(page.requests()[0].path, format!("/v21.0/{COMMENT}/comments"));

        let private = t
            .reply(
                &conv,
                json!({"text": "Stuur je postcode?", "private": true, "force": true}),
            )
            .await;
        t.wait_for_status(&private, "sent").await;
        let request = page.requests().pop().unwrap();
        assert_eq!(request.path, format!("/v21.0/{PAGE_ID}/messages"));
        assert_eq!(request.body["recipient"]["comment_id"], COMMENT);
        let rules = t.conversation(&conv).await["reply_rules"].clone();
        assert_eq!(rules["private_reply_used"], true, "{rules}");
        assert_eq!(rules["can_reply_privately"], false);
        let (status, body) = t
            .post(
                &format!("/api/v1/conversations/{conv}/replies"),
                json!({"text": "Nog eens privé", "private": true, "force": true}),
            )
            .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(page.requests().len(), 2, "the second private reply never left");

        // The Page's own comment never becomes a customer message.
        let ours = meta::feed_comment(
            PAGE_ID,
            "Zonnestroom",
            POST,
            "900000000000001_800000000000002",
            Some(COMMENT),
            secs + 5,
            "Klopt, tot 06:00.",
            None,
        );
        assert_eq!(
            t.post_signed(
                Platform::Facebook,
                &profile,
                FB_SECRET,
                meta::page_comment(PAGE_ID, ours, secs + 5)
            )
            .await,
            200
        );
        let inbound = t
            .messages(&conv)
            .await
            .into_iter()
            .filter(|m| m["direction"] == "in")
            .count();
        assert_eq!(inbound, 1);

        // Edited, hidden, removed; an older change arriving late does nothing.
        for (verb, at, text) in [
            ("edited", secs + 10, Some("Storing in Utrecht-Oost?")),
            ("hide", secs + 20, None),
            ("edited", secs + 15, Some("te laat")),
        ] {
            let change = meta::feed_verb(POST, COMMENT, verb, at, text);
            let delivery = meta::page_comment(PAGE_ID, change, at);
            assert_eq!(
                t.post_signed(Platform::Facebook, &profile, FB_SECRET, delivery).await,
                200
            );
        }
        let messages = t.messages(&conv).await;
        let m = message_by_text(&messages, "Storing in Utrecht-Oost?");
        assert_eq!(m["platform_state"], "hidden", "{m}");
        assert!(m["edited_at"].is_i64());
        let change = meta::feed_verb(POST, COMMENT, "remove", secs + 30, None);
        let delivery = meta::page_comment(PAGE_ID, change, secs + 30);
        assert_eq!(
            t.post_signed(Platform::Facebook, &profile, FB_SECRET, delivery).await,
            200
        );
        let messages = t.messages(&conv).await;
        let m = message_by_text(&messages, "[Verwijderd]");
        assert_eq!(m["platform_state"], "removed");
        assert_eq!(m["text"], Value::Null);
    }
);

both_backends!(facebook_bad_input_is_refused_or_kept_as_the_rules_say, |t| async move {
    let profile = facebook_profile(t).await;
    let dm = meta::messenger_text(PAGE_ID, PSID, "m_bad_1", t.now(), "Hallo");
    assert_eq!(
        t.post_signed(Platform::Facebook, &profile, "wrong-secret", dm).await,
        401
    );
    assert!(quarantined(t).await.is_empty(), "a bad signature is stored nowhere");
    assert!(t.conversations(&format!("?profile={profile}")).await.is_empty());

    let not_meta = br#"{"hello":"world"}"#.to_vec();
    assert_eq!(
        t.post_signed(Platform::Facebook, &profile, FB_SECRET, not_meta).await,
        400
    );
    assert_eq!(quarantined(t).await.len(), 1);

    let rating = MetaBatch::page()
        .change(
            PAGE_ID,
            "ratings",
            json!({"item": "rating", "verb": "add", "rating": 5}),
            t.now_secs(),
        )
        .build();
    assert_eq!(
        t.post_signed(Platform::Facebook, &profile, FB_SECRET, rating).await,
        200
    );
    let items = quarantined(t).await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(
        items
            .iter()
            .any(|q| q["reason"].as_str().unwrap_or_default().starts_with("ignored: ")),
        "{items:?}"
    );
});

both_backends!(instagram_dm_counts_bytes_and_unsends_redact, |t| async move {
    let profile = instagram_profile(t).await;
    let ig: FakeMeta = t.fakes.typed(Platform::Instagram).expect("Instagram's fake");
    let written = t.now();
    ig.open_window(IGSID, written);
    let dm = meta::instagram_text(IG_ACCOUNT_ID, IGSID, "aWdfbWlkMQ", written, "Wanneer komt de monteur?");
    assert_eq!(t.post_signed(Platform::Instagram, &profile, IG_SECRET, dm).await, 200);
    let conv = t.only_conversation(&profile).await["id"].as_str().unwrap().to_owned();
    let rules = t.conversation(&conv).await["reply_rules"].clone();
    assert_eq!(
        (rules["max_length"].clone(), rules["length_unit"].clone()),
        (json!(1000), json!("bytes"))
    );

    let (status, body) = t
        .post(
            &format!("/api/v1/conversations/{conv}/replies"),
            json!({"text": "é".repeat(600)}),
        )
        .await;
    assert_eq!(status, 422, "1200 bytes: {body}");
    let reply = t.reply(&conv, json!({"text": "Morgen tussen 8 en 12."})).await;
    t.wait_for_status(&reply, "sent").await;
    assert_eq!(ig.requests()[0].path, format!("/v21.0/{IG_ACCOUNT_ID}/messages"));

    let unsend = MetaBatch::instagram()
        .messaging(
            IG_ACCOUNT_ID,
            meta::unsend_event(IG_ACCOUNT_ID, IGSID, "aWdfbWlkMQ", written + 5),
        )
        .build();
    assert_eq!(
        t.post_signed(Platform::Instagram, &profile, IG_SECRET, unsend).await,
        200
    );
    let messages = t.messages(&conv).await;
    let m = messages.iter().find(|m| m["direction"] == "in").unwrap();
    assert_eq!(m["platform_state"], "unsent", "{m}");
    assert_eq!(m["text"], Value::Null);
});

both_backends!(
    facebook_echoes_from_the_suite_answer_and_our_own_change_nothing,
    |t| async move {
        let profile = facebook_profile(t).await;
        let page = t.graph.meta().clone();
        let written = t.now();
        page.open_window(PSID, written);
        page.set_echo_webhook(&t.webhook_url(Platform::Facebook, &profile), FB_SECRET);
        let dm = meta::messenger_text(PAGE_ID, PSID, "m_in_e1", written, "Is mijn storing bekend?");
        assert_eq!(t.post_signed(Platform::Facebook, &profile, FB_SECRET, dm).await, 200);
        let conv = t.only_conversation(&profile).await["id"].as_str().unwrap().to_owned();

        t.clock.advance(2 * MINUTE);
        let suite = MetaBatch::page()
            .messaging(
                PAGE_ID,
                meta::echo_event(
                    PAGE_ID,
                    PSID,
                    "m_suite_1",
                    t.now(),
                    "Ja, we werken eraan.",
                    Some(meta::SUITE_APP_ID),
                ),
            )
            .build();
        assert_eq!(
            t.post_signed(Platform::Facebook, &profile, FB_SECRET, suite.clone())
                .await,
            200
        );
        assert_eq!(t.post_signed(Platform::Facebook, &profile, FB_SECRET, suite).await, 200);
        let messages = t.messages(&conv).await;
        assert_eq!(messages.len(), 2, "{messages:?}");
        let agent = message_by_text(&messages, "Ja, we werken eraan.");
        assert_eq!(agent["direction"], "out");
        assert_eq!(agent["delivery_status"], "sent");
        let customer = message_by_text(&messages, "Is mijn storing bekend?");
        assert_eq!(customer["response_ms"], 2 * MINUTE, "{customer}");

        // Our own send comes back as an echo too (from the fake Page): nothing new.
        let reply = t
            .reply(&conv, json!({"text": "Verwacht herstel 14:00.", "force": true}))
            .await;
        t.wait_for_status(&reply, "sent").await;
        let settled = t.wait_until(|| async { page.requests().len() == 1 }, WAIT).await;
        assert!(settled);
        t.settle().await;
        assert_eq!(t.messages(&conv).await.len(), 3);
    }
);

both_backends!(a_comment_is_answered_privately_with_a_public_note, |t| async move {
    let profile = facebook_profile(t).await;
    let page = t.graph.meta().clone();
    let secs = t.now_secs();
    let first = meta::feed_comment(COMMENTER, "Sanne", POST, COMMENT, None, secs, "Eerste vraag", None);
    let second_id = "900000000000001_800000000000009";
    let second = meta::feed_comment(
        COMMENTER,
        "Sanne",
        POST,
        second_id,
        None,
        secs + 1,
        "Tweede vraag",
        None,
    );
    let delivery = MetaBatch::page()
        .change(PAGE_ID, "feed", first, secs)
        .change(PAGE_ID, "feed", second, secs + 1)
        .build();
    assert_eq!(
        t.post_signed(Platform::Facebook, &profile, FB_SECRET, delivery).await,
        200
    );
    let conv = t.only_conversation(&profile).await["id"].as_str().unwrap().to_owned();
    let messages = t.messages(&conv).await;
    let first_id = message_by_text(&messages, "Eerste vraag")["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let reply = t
        .reply(
            &conv,
            json!({"text": "Wat is je klantnummer?", "private": true, "reply_to_message_id": first_id,
                "public_note": "We hebben je een privébericht gestuurd"}),
        )
        .await;
    t.wait_for_status(&reply, "sent").await;
    let ok = t.wait_until(|| async { page.requests().len() == 2 }, WAIT).await;
    assert!(ok, "{:?}", page.requests());
    let requests = page.requests();
    assert_eq!(
        requests[0].body["recipient"]["comment_id"], COMMENT,
        "the chosen comment"
    );
    assert_eq!(requests[1].path, format!("/v21.0/{COMMENT}/comments"));
    assert_eq!(requests[1].body["message"], "We hebben je een privébericht gestuurd");
    // The newest comment can still be answered privately; the first cannot.
    let rules = t.conversation(&conv).await["reply_rules"].clone();
    assert_eq!(rules["can_reply_privately"], true, "{rules}");
    let (status, body) = t
        .post(
            &format!("/api/v1/conversations/{conv}/replies"),
            json!({"text": "Nogmaals", "private": true, "reply_to_message_id": first_id, "force": true}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "private_reply_used");
});

both_backends!(an_expired_token_marks_the_profile_for_reconnecting, |t| async move {
    let profile = facebook_profile(t).await;
    let page = t.graph.meta().clone();
    let written = t.now();
    page.open_window(PSID, written);
    let dm = meta::messenger_text(PAGE_ID, PSID, "m_tok_1", written, "Hallo");
    assert_eq!(t.post_signed(Platform::Facebook, &profile, FB_SECRET, dm).await, 200);
    let conv = t.only_conversation(&profile).await["id"].as_str().unwrap().to_owned();
    page.expire_token();
    let reply = t.reply(&conv, json!({"text": "Dag!"})).await;
    t.wait_for_status(&reply, "failed").await;
    let profiles = t.get("/api/v1/profiles").await;
    let fb = profiles["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == profile)
        .unwrap()
        .clone();
    assert_eq!(fb["needs_reconnect"], true, "{fb}");
    let metrics = t
        .http
        .get(t.url("/metrics"))
        .bearer_auth(hubert_testkit::METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("hubert_profile_needs_reconnect") && l.contains(&profile) && l.ends_with(" 1")),
        "{metrics}"
    );
});

both_backends!(an_agent_hides_and_unhides_a_comment_on_the_platform, |t| async move {
    let profile = facebook_profile(t).await;
    let page = t.graph.meta().clone();
    let secs = t.now_secs();
    let comment = meta::feed_comment(COMMENTER, "Sanne", POST, COMMENT, None, secs, "Oplichters!", None);
    assert_eq!(
        t.post_signed(
            Platform::Facebook,
            &profile,
            FB_SECRET,
            meta::page_comment(PAGE_ID, comment, secs)
        )
        .await,
        200
    );
    let conv = t.only_conversation(&profile).await["id"].as_str().unwrap().to_owned();
    let id = t.messages(&conv).await[0]["id"].as_str().unwrap().to_owned();
    let (status, body) = t.post(&format!("/api/v1/messages/{id}/hide"), json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["hidden"], true);
    assert_eq!(page.hidden(COMMENT), Some(true));
    assert_eq!(t.messages(&conv).await[0]["platform_state"], "hidden");
    let res = t
        .http
        .delete(t.url(&format!("/api/v1/messages/{id}/hide")))
        .bearer_auth(&t.agent_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(page.hidden(COMMENT), Some(false));
    assert_eq!(t.messages(&conv).await[0]["platform_state"], Value::Null);
    // A WhatsApp message is no comment.
    t.customer_writes(FATIMA, "Fatima", "wamid.H1", "Hallo").await;
    let wa = t.only_conversation(&t.wa_profile_id).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let wa_message = t.messages(&wa).await[0]["id"].as_str().unwrap().to_owned();
    let (status, _) = t.post(&format!("/api/v1/messages/{wa_message}/hide"), json!({})).await;
    assert_eq!(status, 422);
});

both_backends!(the_shared_meta_endpoint_routes_entries_by_account, |t| async move {
    let facebook = facebook_profile(t).await;
    let instagram = instagram_profile(t).await;
    let profiles = t.get("/api/v1/profiles").await;
    let url = profiles["meta_webhook_url"]
        .as_str()
        .expect("admins see the shared URL")
        .to_owned();
    let again = t.get("/api/v1/profiles").await;
    assert_eq!(again["meta_webhook_url"], url.as_str(), "one key per workspace");
    let (status, agent_view) = t.get_as("/api/v1/profiles", &t.agent_token).await;
    assert_eq!(status, 200);
    assert_eq!(agent_view["meta_webhook_url"], Value::Null);
    let path = url.split("/webhooks/").nth(1).unwrap();
    let shared = t.url(&format!("/webhooks/{path}"));

    let ok = t
        .http
        .get(format!(
            "{shared}?hub.mode=subscribe&hub.verify_token=fb-verify&hub.challenge=4242"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.text().await.unwrap(), "4242");
    let wrong = t
        .http
        .get(format!(
            "{shared}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=4242"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);

    let now = t.now();
    let body = MetaBatch::page()
        .messaging(
            PAGE_ID,
            meta::text_event(PAGE_ID, PSID, "m_shared_1", now, "Via de gedeelde URL"),
        )
        .new_entry()
        .messaging(
            "998877665544332",
            meta::text_event("998877665544332", PSID, "m_shared_2", now, "Onbekend"),
        )
        .build();
    let post = |body: Vec<u8>, secret: &'static str| {
        let (header, signature) = (
            hubert_channels::meta::SIGNATURE_HEADER,
            hubert_channels::fake::sign_meta(secret, &body),
        );
        t.http.post(&shared).header(header, signature).body(body).send()
    };
    assert_eq!(post(body.clone(), "wrong").await.unwrap().status(), 401);
    assert_eq!(post(body, FB_SECRET).await.unwrap().status(), 200);
    assert_eq!(t.conversations(&format!("?profile={facebook}")).await.len(), 1);
    let items = quarantined(t).await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert!(items[0]["reason"].as_str().unwrap().contains("998877665544332"));

    let ig = meta::instagram_text(IG_ACCOUNT_ID, IGSID, "aWdfc2hhcmVk", now, "Instagram via gedeeld");
    assert_eq!(post(ig, IG_SECRET).await.unwrap().status(), 200);
    assert_eq!(t.conversations(&format!("?profile={instagram}")).await.len(), 1);
    let bogus = t
        .http
        .post(t.url("/webhooks/meta/0123"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(bogus.status(), 401);
});
