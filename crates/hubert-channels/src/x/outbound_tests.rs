//! Send tests for X: local refusals, response mapping, and (feature `fake`) end-to-end
//! sends against [`crate::fake::FakeX`].

use serde_json::json;

use super::*;

fn creds() -> XCredentials {
    XCredentials {
        user_id: "1600000000000000001".into(),
        consumer_secret: "x-consumer-secret".into(),
        access_token: "user-token".into(),
    }
}

fn reply(text: &str) -> OutboundMessage {
    OutboundMessage {
        our_ref: "0190f5c2-7b3e-7000-8000-000000000002".into(),
        to: "1550000000000000777".into(),
        body: OutboundBody::Text(text.into()),
        context: ReplyContext::PublicPost {
            post_id: "1874700000000000123".into(),
        },
        quote_message_id: None,
    }
}

fn dm(text: &str) -> OutboundMessage {
    OutboundMessage {
        context: ReplyContext::Private,
        ..reply(text)
    }
}

#[tokio::test]
async fn too_long_and_templates_are_refused_without_a_request() {
    // An unroutable base URL: any request would come back as Retry, not Failed.
    let http = reqwest::Client::new();
    let base = "http://127.0.0.1:9";
    let outcome = send(&http, base, &creds(), &reply(&"a".repeat(281))).await;
    assert!(
        matches!(outcome, SendOutcome::Failed { ref code, .. } if code == "too_long"),
        "{outcome:?}"
    );
    let emoji = "😀".repeat(141);
    assert!(
        matches!(send(&http, base, &creds(), &reply(&emoji)).await, SendOutcome::Failed { code, .. } if code == "too_long")
    );
    let mut template = reply("");
    template.body = OutboundBody::Template {
        name: "t".into(),
        language: "nl".into(),
    };
    assert!(
        matches!(send(&http, base, &creds(), &template).await, SendOutcome::Failed { code, .. } if code == "unsupported")
    );
    assert!(
        matches!(send(&http, base, &creds(), &dm(&"a".repeat(10_001))).await, SendOutcome::Failed { code, .. } if code == "too_long")
    );
}

#[tokio::test]
async fn crafted_ids_are_refused_without_a_request() {
    let http = reqwest::Client::new();
    let base = "http://127.0.0.1:9";
    let mut crafted = dm("privé antwoord");
    crafted.to = "../../tweets?x=".into();
    assert!(
        matches!(send(&http, base, &creds(), &crafted).await, SendOutcome::Failed { ref code, .. } if code == "invalid_id")
    );
    let mut crafted = reply("antwoord");
    crafted.context = ReplyContext::PublicPost {
        post_id: "1\"}, \"x\": {\"".into(),
    };
    assert!(
        matches!(send(&http, base, &creds(), &crafted).await, SendOutcome::Failed { ref code, .. } if code == "invalid_id")
    );
}

#[test]
fn responses_map_to_outcomes() {
    assert_eq!(
        classify_response(
            201,
            None,
            &json!({"data": {"id": "1874700000000000456", "text": "x"}}),
            "/data/id"
        ),
        SendOutcome::Accepted {
            platform_message_id: "1874700000000000456".into()
        }
    );
    assert_eq!(
        classify_response(
            201,
            None,
            &json!({"data": {"dm_conversation_id": "a-b", "dm_event_id": "99"}}),
            "/data/dm_event_id"
        ),
        SendOutcome::Accepted {
            platform_message_id: "99".into()
        }
    );
    let forbidden = json!({"title": "Forbidden", "detail": "You are not allowed to reply.", "type": "https://api.x.com/2/problems/client-forbidden"});
    assert_eq!(
        classify_response(403, None, &forbidden, "/data/id"),
        SendOutcome::Failed {
            code: "client-forbidden".into(),
            reason: "HTTP 403: You are not allowed to reply.".into()
        }
    );
    let invalid = json!({"title": "Invalid Request", "type": "about:blank"});
    assert_eq!(
        classify_response(400, None, &invalid, "/data/id"),
        SendOutcome::Failed {
            code: "http_400".into(),
            reason: "HTTP 400: Invalid Request".into()
        }
    );
    let v1 = json!({"errors": [{"code": 88, "message": "Rate limit exceeded"}]});
    assert!(matches!(
        classify_response(429, Some(Duration::from_secs(5)), &v1, "/data/id"),
        SendOutcome::Retry { after: Some(_), .. }
    ));
    assert!(matches!(
        classify_response(503, None, &Value::Null, "/data/id"),
        SendOutcome::Retry { after: None, .. }
    ));
    assert!(matches!(
        classify_response(200, None, &json!({"errors": [{"detail": "nope"}]}), "/data/id"),
        SendOutcome::Failed { .. }
    ));
    assert!(matches!(
        classify_response(201, None, &json!({}), "/data/id"),
        SendOutcome::Uncertain { .. }
    ));
}

#[cfg(feature = "fake")]
mod against_the_fake {

    fn only_message(events: Vec<crate::InboundEvent>) -> crate::InboundMessage {
        match <[crate::InboundEvent; 1]>::try_from(events) {
            Ok([crate::InboundEvent::Message(m)]) => m,
            other => panic!("expected one message, got {other:?}"),
        }
    }
    use super::*;
    use crate::fake::FakeX;

    #[tokio::test]
    async fn reply_and_dm_are_accepted_with_the_documented_requests() {
        let fake = FakeX::start().await;
        let http = reqwest::Client::new();
        let outcome = send(
            &http,
            &fake.base_url(),
            &creds(),
            &reply("@joostvisser_ Sorry voor het wachten!"),
        )
        .await;
        assert!(matches!(outcome, SendOutcome::Accepted { .. }), "{outcome:?}");
        let outcome = send(&http, &fake.base_url(), &creds(), &dm("Dag Joost")).await;
        assert!(matches!(outcome, SendOutcome::Accepted { .. }), "{outcome:?}");
        let [post, message] = fake.requests().try_into().unwrap();
        assert_eq!(post.path, "/2/tweets");
        assert_eq!(
            post.body,
            json!({"text": "@joostvisser_ Sorry voor het wachten!", "reply": {"in_reply_to_tweet_id": "1874700000000000123"}})
        );
        assert_eq!(post.header("authorization"), Some("Bearer user-token"));
        assert_eq!(message.path, "/2/dm_conversations/with/1550000000000000777/messages");
        assert_eq!(message.body, json!({"text": "Dag Joost"}));
    }

    #[tokio::test]
    async fn rate_limits_become_retry_at_the_reset_time() {
        let fake = FakeX::start().await;
        let http = reqwest::Client::new();
        let reset = crate::http_outcome::now_epoch_secs() + 120;
        fake.push_response(
            429,
            json!({"title": "Too Many Requests", "type": "about:blank"}),
            vec![("x-rate-limit-reset".into(), reset.to_string())],
        );
        let outcome = send(&http, &fake.base_url(), &creds(), &reply("hoi")).await;
        let SendOutcome::Retry { after: Some(after), .. } = outcome else {
            panic!("{outcome:?}")
        };
        assert!((115..=120).contains(&after.as_secs()), "{after:?}");

        fake.set_rate_limit(1, Duration::from_secs(900));
        assert!(matches!(
            send(&http, &fake.base_url(), &creds(), &reply("een")).await,
            SendOutcome::Accepted { .. }
        ));
        let outcome = send(&http, &fake.base_url(), &creds(), &reply("twee")).await;
        let SendOutcome::Retry { after: Some(after), .. } = outcome else {
            panic!("{outcome:?}")
        };
        assert!((895..=900).contains(&after.as_secs()), "{after:?}");
    }

    #[tokio::test]
    async fn server_errors_retry_and_problems_fail() {
        let fake = FakeX::start().await;
        let http = reqwest::Client::new();
        fake.push_response(503, json!({"title": "Service Unavailable"}), vec![]);
        fake.push_response(502, json!({}), vec![("retry-after".into(), "3".into())]);
        fake.push_response(
            403,
            json!({"title": "Forbidden", "detail": "duplicate content", "type": "about:blank"}),
            vec![],
        );
        assert!(matches!(
            send(&http, &fake.base_url(), &creds(), &reply("hoi")).await,
            SendOutcome::Retry { after: None, .. }
        ));
        assert!(matches!(
            send(&http, &fake.base_url(), &creds(), &reply("hoi")).await,
            SendOutcome::Retry { after: Some(after), .. } if after == Duration::from_secs(3)
        ));
        let outcome = send(&http, &fake.base_url(), &creds(), &reply("hoi")).await;
        assert!(
            matches!(outcome, SendOutcome::Failed { ref reason, .. } if reason.contains("duplicate content")),
            "{outcome:?}"
        );
        let too_long = fake.requests().len();
        assert!(matches!(
            send(&http, &fake.base_url(), &creds(), &reply(&"é".repeat(281))).await,
            SendOutcome::Failed { .. }
        ));
        assert_eq!(fake.requests().len(), too_long, "a too-long post must not be sent");
    }

    #[tokio::test]
    async fn the_fake_itself_refuses_overweight_posts_and_sends_rate_headers() {
        let fake = FakeX::start().await;
        let response = reqwest::Client::new()
            .post(format!("{}/2/tweets", fake.base_url()))
            .bearer_auth("t")
            .json(&json!({"text": "日".repeat(141)}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 403);
        for header in ["x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"] {
            assert!(response.headers().contains_key(header), "{header}");
        }
    }

    #[tokio::test]
    async fn payload_builders_round_trip_through_verify_and_parse() {
        use crate::fake::x_payload;
        use crate::ReplyContext;
        let us = "1600000000000000001";
        let body = x_payload::mention(
            us,
            "1874700000000000123",
            "1550000000000000777",
            "Joost",
            "joostvisser_",
            "@ZonnestroomNL hoi",
            1_767_262_500_000,
            Some("1874700000000000100"),
        );
        let signature = crate::fake::sign_x("x-consumer-secret", &body);
        assert_eq!(
            crate::x::verify_signature("x-consumer-secret", Some(&signature), &body),
            Ok(())
        );
        let m = only_message(crate::x::parse(&body).unwrap());
        assert_eq!(
            m.reply_context,
            ReplyContext::PublicPost {
                post_id: "1874700000000000123".into()
            }
        );
        assert_eq!(m.metadata["in_reply_to_status_id_str"], "1874700000000000100");
        assert_eq!(m.sent_at, 1_767_262_500_000);

        let received = x_payload::dm(us, "9", "1550000000000000777", "Joost", "joostvisser_", "hoi", 1);
        let m = only_message(crate::x::parse(&received).unwrap());
        assert_eq!((m.from_us, m.contact.handle.as_deref()), (false, Some("@joostvisser_")));
        let sent = x_payload::dm_from_us(us, "10", "1550000000000000777", "Joost", "joostvisser_", "dag", 2);
        let m = only_message(crate::x::parse(&sent).unwrap());
        assert_eq!(
            (m.from_us, m.contact.platform_user_id.as_str()),
            (true, "1550000000000000777")
        );
    }
}
