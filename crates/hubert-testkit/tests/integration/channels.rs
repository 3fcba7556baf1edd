//! The channel registry seen from outside: each conversation's `reply_rules` come from
//! its channel (WhatsApp's 24-hour window and templates, X's 280 weighted characters in
//! public and DMs in private), profile creation refuses platforms Hubert has no channel
//! for, and the generic webhook route answers only registered platforms.

use hubert_core::Platform;
use hubert_testkit::X_CONSUMER_SECRET;

use super::*;

const DAY_MS: i64 = 24 * 60 * MINUTE;

both_backends!(whatsapp_reply_rules_follow_the_24_hour_window, |t| async move {
    let written_at = t.now_secs() * 1000;
    t.customer_writes(FATIMA, "Fatima de Vries", "wamid.R1", "Mijn meter doet het niet")
        .await;
    let id = t.only_conversation(&t.wa_profile_id).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let rules = t.conversation(&id).await["reply_rules"].clone();
    assert_eq!(rules["max_length"], 4096, "{rules}");
    assert_eq!(rules["length_unit"], "chars");
    assert_eq!(rules["window_open"], true);
    assert_eq!(rules["window_closes_at"], written_at + DAY_MS);
    assert_eq!(rules["templates_required"], false);
    assert_eq!(rules["can_reply_privately"], false);
    assert_eq!(rules["private_reply_used"], false);
    assert_eq!(rules["human_agent_tag_until"], Value::Null);

    t.clock.advance(DAY_MS);
    let detail = t.conversation(&id).await;
    assert_eq!(detail["reply_rules"]["window_open"], false, "{detail}");
    assert_eq!(detail["reply_rules"]["templates_required"], true);
    assert_eq!(detail["window_open"], false, "the old field says the same");
});

both_backends!(x_reply_rules_differ_for_a_public_mention_and_a_dm, |t| async move {
    let mention = x_payload::mention(
        X_USER_ID,
        "1790000000000000011",
        "2244994945",
        "Jan Jansen",
        "janjansen",
        "@webcare mijn stroom is uit",
        t.now(),
        None,
    );
    assert_eq!(t.post_x(mention).await, 200);
    let items = t.conversations(&format!("?profile={}", t.x_profile_id)).await;
    let id = items[0]["id"].as_str().unwrap().to_owned();

    let rules = t.conversation(&id).await["reply_rules"].clone();
    assert_eq!(rules["max_length"], 280, "{rules}");
    assert_eq!(rules["length_unit"], "weighted");
    assert_eq!(rules["window_open"], true);
    assert_eq!(rules["window_closes_at"], Value::Null);
    assert_eq!(rules["templates_required"], false);
    assert_eq!(rules["can_reply_privately"], true);
    assert_eq!(rules["private_max_length"], 10_000);
    assert_eq!(rules["private_length_unit"], "chars");

    // Answering privately lifts the 280 limit: the reply goes out as a DM.
    let long = "a".repeat(400);
    let message = t.reply(&id, json!({ "text": long, "private": true })).await;
    t.wait_for_status(&message, "sent").await;
    let requests = t.x.requests();
    assert_eq!(requests.len(), 1);
    assert!(
        requests[0].path.starts_with("/2/dm_conversations/with/2244994945/"),
        "{}",
        requests[0].path
    );

    let dm = x_payload::dm(
        X_USER_ID,
        "1790000000000000012",
        "2244994946",
        "Piet Pieters",
        "pietp",
        "Hallo, een vraag over mijn rekening",
        t.now(),
    );
    assert_eq!(
        t.post_signed(Platform::X, &t.x_profile_id, X_CONSUMER_SECRET, dm).await,
        200
    );
    let items = t.conversations(&format!("?profile={}", t.x_profile_id)).await;
    let dm_id = items
        .iter()
        .find(|c| c["contact"]["name"] == "Piet Pieters")
        .expect("the DM conversation")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rules = t.conversation(&dm_id).await["reply_rules"].clone();
    assert_eq!(rules["max_length"], 10_000, "{rules}");
    assert_eq!(rules["length_unit"], "chars");
    assert_eq!(rules["can_reply_privately"], false);
    assert_eq!(rules["private_max_length"], Value::Null);
});

both_backends!(a_platform_without_a_channel_is_refused_explicitly, |t| async move {
    // Facebook-shaped credentials once fell through to the X branch; Telegram has no channel.
    let (status, body) = t
        .post(
            "/api/v1/profiles",
            json!({
                "platform": "telegram", "name": "Zonnestroom op Telegram",
                "credentials": { "page_id": "1234567890", "page_access_token": "EAAB", "app_secret": "s", "verify_token": "v",
                                 "user_id": "1600000000000000009", "consumer_secret": "c", "access_token": "a" },
            }),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "unsupported_platform");
    let (status, body) = t
        .post(
            "/api/v1/profiles",
            json!({ "platform": "x", "name": "Tweede X", "credentials": { "page_id": "1" } }),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid_credentials");

    // The generic route knows only registered channels; an unknown one is not found.
    for platform in ["telegram", "nope"] {
        let url = t.url(&format!("/webhooks/{platform}/{}", t.wa_profile_id));
        let res = t.http.post(&url).body("{}").send().await.unwrap();
        assert_eq!(res.status(), 404, "{platform}");
        let res = t
            .http
            .get(format!("{url}?hub.challenge=1&hub.mode=subscribe"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{platform}");
    }
    // A profile reached through another platform's URL is unknown there.
    let url = t.webhook_url(Platform::X, &t.wa_profile_id);
    let res = t.http.get(format!("{url}?crc_token=abc")).send().await.unwrap();
    assert_eq!(res.status(), 401);
});
