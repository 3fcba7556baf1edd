//! Send tests for LinkedIn: local refusals, the request's shape, response mapping, and
//! (feature `fake`) end-to-end sends, polls and webhook validation against
//! [`crate::fake::FakeLinkedin`].

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::json;

use super::*;

const ORG: &str = "urn:li:organization:10203040";
const POST: &str = "urn:li:activity:7412345678901234567";
const COMMENT: &str = "urn:li:comment:(urn:li:activity:7412345678901234567,7412399999999999999)";

fn creds() -> LinkedinCredentials {
    LinkedinCredentials {
        organization_urn: ORG.into(),
        access_token: "AQXmember-token".into(),
        client_secret: "li-client-secret".into(),
    }
}

fn reply(text: &str) -> OutboundMessage {
    OutboundMessage {
        our_ref: "0190f5c2-7b3e-7000-8000-000000000003".into(),
        to: "urn:li:person:AbCdEf1234".into(),
        body: OutboundBody::Text(text.into()),
        context: ReplyContext::PublicComment {
            post_id: POST.into(),
            comment_id: COMMENT.into(),
            parent_id: Some(POST.into()),
            post_text: None,
            post_link: None,
        },
        quote_message_id: None,
    }
}

fn code_of(outcome: &SendOutcome) -> &str {
    match outcome {
        SendOutcome::Failed { code, .. } => code,
        other => panic!("expected Failed, got {other:?}"),
    }
}

#[test]
fn a_nested_reply_names_the_comment_in_the_path_and_the_body() {
    let request = comment_request("https://api.linkedin.com/", &creds(), &reply("Goede vraag!")).unwrap();
    assert_eq!(
        request.url,
        "https://api.linkedin.com/rest/socialActions/urn%3Ali%3Acomment%3A%28urn%3Ali%3Aactivity%3A7412345678901234567%2C7412399999999999999%29/comments"
    );
    assert_eq!(
        request.body,
        json!({"actor": ORG, "object": POST, "message": {"text": "Goede vraag!"}, "parentComment": COMMENT})
    );
    assert!(request.headers.contains(&("LinkedIn-Version", API_VERSION.to_string())));
    assert!(request
        .headers
        .contains(&("X-Restli-Protocol-Version", "2.0.0".to_string())));

    let mut top = reply("Dank je!");
    top.context = ReplyContext::PublicPost {
        post_id: "urn:li:share:7412345678901234000".into(),
    };
    let request = comment_request("http://fake/v2", &creds(), &top).unwrap();
    assert_eq!(request.body.get("parentComment"), None);

    // A reply to a nested comment goes under its top-level comment, path and body.
    let nested = "urn:li:comment:(urn:li:activity:7412345678901234567,7412400000000000005)";
    let mut under_reply = reply("Dank voor het melden.");
    under_reply.context = ReplyContext::PublicComment {
        post_id: POST.into(),
        comment_id: nested.into(),
        parent_id: Some(COMMENT.into()),
        post_text: None,
        post_link: None,
    };
    let request = comment_request("https://api.linkedin.com", &creds(), &under_reply).unwrap();
    assert_eq!(request.body["parentComment"], COMMENT);
    assert!(
        request.url.ends_with("%2C7412399999999999999%29/comments"),
        "{}",
        request.url
    );
    let mut crafted = under_reply.clone();
    if let ReplyContext::PublicComment { parent_id, .. } = &mut crafted.context {
        *parent_id = Some("urn:li:comment:(x)".into());
    }
    assert_eq!(
        code_of(&comment_request("http://x", &creds(), &crafted).unwrap_err()),
        "invalid_id"
    );
    let request = comment_request("http://fake/v2", &creds(), &top).unwrap();
    assert_eq!(
        request.url,
        "http://fake/v2/socialActions/urn%3Ali%3Ashare%3A7412345678901234000/comments"
    );
    assert_eq!(request.body.get("parentComment"), None);
}

#[test]
fn what_linkedin_would_refuse_is_refused_without_a_request() {
    let c = creds();
    let too_long = comment_request("http://x", &c, &reply(&"é".repeat(COMMENT_MAX_CHARS + 1))).unwrap_err();
    assert_eq!(code_of(&too_long), "too_long");
    assert!(comment_request("http://x", &c, &reply(&"é".repeat(COMMENT_MAX_CHARS))).is_ok());
    assert_eq!(
        code_of(&comment_request("http://x", &c, &reply("  ")).unwrap_err()),
        "empty"
    );
    let mut private = reply("hoi");
    private.context = ReplyContext::Private;
    assert_eq!(
        code_of(&comment_request("http://x", &c, &private).unwrap_err()),
        "unsupported"
    );
    let mut template = reply("hoi");
    template.body = OutboundBody::Template {
        name: "t".into(),
        language: "nl".into(),
    };
    assert_eq!(
        code_of(&comment_request("http://x", &c, &template).unwrap_err()),
        "unsupported"
    );
    for (post, comment) in [
        ("urn:li:activity:1/../2", COMMENT),
        (POST, "urn:li:comment:(urn:li:activity:1,2)/../x"),
        ("../../organizationAcls?q=", COMMENT),
    ] {
        let mut crafted = reply("hoi");
        crafted.context = ReplyContext::PublicComment {
            post_id: post.into(),
            comment_id: comment.into(),
            parent_id: None,
            post_text: None,
            post_link: None,
        };
        assert_eq!(
            code_of(&comment_request("http://x", &c, &crafted).unwrap_err()),
            "invalid_id"
        );
    }
    let mut bad_creds = creds();
    bad_creds.organization_urn = "urn:li:person:x".into();
    assert_eq!(
        code_of(&comment_request("http://x", &bad_creds, &reply("hoi")).unwrap_err()),
        "credentials"
    );
}

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(*name, HeaderValue::from_str(value).unwrap());
    }
    map
}

#[test]
fn answers_map_to_outcomes_with_dutch_reasons() {
    let created = classify_response(201, &headers(&[("x-restli-id", COMMENT)]), &json!({}));
    assert_eq!(
        created,
        SendOutcome::Accepted {
            platform_message_id: COMMENT.into()
        }
    );
    let from_body = classify_response(201, &HeaderMap::new(), &json!({"commentUrn": COMMENT}));
    assert!(matches!(from_body, SendOutcome::Accepted { .. }));
    assert!(matches!(
        classify_response(201, &HeaderMap::new(), &json!(null)),
        SendOutcome::Uncertain { .. }
    ));

    let expired = classify_response(
        401,
        &HeaderMap::new(),
        &json!({"status": 401, "code": "EXPIRED_ACCESS_TOKEN", "message": "The token used in the request has expired"}),
    );
    assert!(expired.is_token_expired(), "{expired:?}");
    match &expired {
        SendOutcome::Failed { reason, .. } => {
            assert!(reason.contains("verbind het LinkedIn-profiel opnieuw"), "{reason}");
            assert!(reason.contains("has expired"));
        }
        other => panic!("{other:?}"),
    }

    let throttled = classify_response(429, &headers(&[("retry-after", "30")]), &json!({}));
    assert_eq!(
        throttled,
        SendOutcome::Retry {
            after: Some(std::time::Duration::from_secs(30)),
            reason: "LinkedIn laat even geen verzoeken meer toe (429); Hubert probeert het later opnieuw.".into()
        }
    );
    assert!(matches!(
        classify_response(503, &HeaderMap::new(), &json!(null)),
        SendOutcome::Retry { after: None, .. }
    ));
    let denied = classify_response(
        403,
        &HeaderMap::new(),
        &json!({"status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED", "message": "Not enough permissions"}),
    );
    assert_eq!(code_of(&denied), "ACCESS_DENIED");
    assert!(!denied.is_token_expired());
    assert_eq!(
        code_of(&classify_response(404, &HeaderMap::new(), &json!({}))),
        "not_found"
    );
    assert_eq!(
        code_of(&classify_response(426, &HeaderMap::new(), &json!({}))),
        "version_sunset"
    );
    let odd = classify_response(400, &HeaderMap::new(), &json!({"code": "../x"}));
    assert_eq!(code_of(&odd), "http_400");
}

#[test]
fn created_ids_become_the_full_comment_urn_inbound_uses() {
    let post = json!(POST);
    assert_eq!(created_comment_urn("7412399999999999999", &post), COMMENT);
    assert_eq!(created_comment_urn(&urn::encode(COMMENT), &post), COMMENT);
    assert_eq!(
        created_comment_urn(
            "urn:li:comment:(activity:7412345678901234567,7412399999999999999)",
            &post
        ),
        COMMENT
    );
    assert_eq!(created_comment_urn("something-else", &post), "something-else");
}

#[cfg(feature = "fake")]
mod against_the_fake {
    use super::*;
    use crate::fake::{linkedin_payload as payload, FakeLinkedin, SignatureReading};
    use crate::linkedin::{fetch_post, parse, poll, verify_signature, FetchedPost, PollError};

    #[tokio::test]
    async fn a_reply_is_created_with_the_required_headers() {
        let fake = FakeLinkedin::start().await;
        let http = reqwest::Client::new();
        let outcome = send(
            &http,
            &fake.base_url(),
            &creds(),
            &reply("Goede vraag! We sturen u de details."),
        )
        .await;
        let SendOutcome::Accepted { platform_message_id } = outcome else {
            panic!("{outcome:?}")
        };
        assert!(platform_message_id.starts_with("urn:li:comment:(urn:li:activity:7412345678901234567,"));
        let [request] = fake.requests().try_into().unwrap();
        assert_eq!(request.method, "POST");
        assert_eq!(request.header("linkedin-version"), Some(API_VERSION));
        assert_eq!(request.header("x-restli-protocol-version"), Some("2.0.0"));
        assert_eq!(request.bearer_token(), Some("AQXmember-token"));
        assert_eq!(request.body["parentComment"], COMMENT);
        assert_eq!(request.body["actor"], ORG);
    }

    #[tokio::test]
    async fn quota_and_expired_tokens_come_back_as_retry_and_reconnect() {
        let fake = FakeLinkedin::start().await;
        let http = reqwest::Client::new();
        fake.set_quota(Some(0));
        let outcome = send(&http, &fake.base_url(), &creds(), &reply("hoi")).await;
        assert!(
            matches!(outcome, SendOutcome::Retry { after: Some(_), .. }),
            "{outcome:?}"
        );
        fake.set_quota(None);
        let mut expired = creds();
        expired.access_token = String::new();
        fake.push_response(
            401,
            json!({"status": 401, "code": "EXPIRED_ACCESS_TOKEN", "message": "expired"}),
            vec![],
        );
        assert!(send(&http, &fake.base_url(), &expired, &reply("hoi"))
            .await
            .is_token_expired());
        // A platform slower than our timeout: the request may have arrived, so Uncertain.
        fake.set_delay(std::time::Duration::from_millis(800));
        let slow = send_with_timeout(
            &http,
            &fake.base_url(),
            &creds(),
            &reply("hoi"),
            std::time::Duration::from_millis(150),
        )
        .await;
        assert!(matches!(slow, SendOutcome::Uncertain { .. }), "{slow:?}");
    }

    #[tokio::test]
    async fn the_poll_reads_recent_notifications_and_dedupes_them() {
        let fake = FakeLinkedin::start().await;
        let http = reqwest::Client::new();
        let comment = payload::comment(
            ORG,
            1,
            "7412345678901234567",
            "7412399999999999999",
            "urn:li:person:Aa1",
            "Vraag",
            2_000,
        );
        let old = payload::comment(
            ORG,
            2,
            "7412345678901234567",
            "7412399999999999998",
            "urn:li:person:Aa1",
            "Oud",
            10,
        );
        let mut many = vec![comment.clone(), comment, old];
        for i in 0..60u64 {
            many.push(payload::like(ORG, 100 + i, "7412345678901234567", 2_500));
        }
        many.push(payload::share_mention(
            ORG,
            3,
            "7412555555555555555",
            "urn:li:person:Bb2",
            "@Zonnestroom",
            3_000,
        ));
        fake.add_notifications(many);
        let parsed = poll(&http, &fake.base_url(), &creds(), 1_000, 5_000).await.unwrap();
        assert_eq!(parsed.events.len(), 2, "{parsed:?}");
        assert!(parsed.rejected.is_empty());
        let pages = fake.requests();
        assert_eq!(pages.len(), 2, "62 in range: two pages of 50");
        assert!(pages[0].path.contains("timeRange=(start:1000,end:5000)"));
        fake.push_response(401, json!({}), vec![]);
        assert_eq!(
            poll(&http, &fake.base_url(), &creds(), 0, 1).await.unwrap_err(),
            PollError::TokenExpired
        );
    }

    #[tokio::test]
    async fn a_mentioning_post_is_read_through_the_posts_api() {
        let fake = FakeLinkedin::start().await;
        let http = reqwest::Client::new();
        fake.add_post(
            "urn:li:share:7412555555555555555",
            "urn:li:person:Bb2",
            "@Zonnestroom waarom zo duur?",
        );
        let post = fetch_post(&http, &fake.base_url(), &creds(), "urn:li:share:7412555555555555555")
            .await
            .unwrap();
        assert_eq!(
            post,
            FetchedPost {
                author: Some("urn:li:person:Bb2".into()),
                text: Some("@Zonnestroom waarom zo duur?".into())
            }
        );
        let [request] = fake.requests().try_into().unwrap();
        assert_eq!(request.path, "/rest/posts/urn%3Ali%3Ashare%3A7412555555555555555");
        assert!(matches!(
            fetch_post(&http, &fake.base_url(), &creds(), "urn:li:share:1/../x").await,
            Err(PollError::Failed(_))
        ));
        assert_eq!(fake.requests().len(), 1, "a crafted URN never leaves");
        assert!(matches!(
            fetch_post(&http, &fake.base_url(), &creds(), "urn:li:share:1").await,
            Err(PollError::Failed(_))
        ));
    }

    #[tokio::test]
    async fn deliveries_verify_in_both_readings_and_validation_blocks_after_three_failures() {
        let body = payload::envelope(vec![payload::comment(ORG, 1, "1", "2", "urn:li:person:Aa1", "hoi", 1)]);
        for reading in [SignatureReading::Prefixed, SignatureReading::Plain] {
            let signature = crate::fake::sign_linkedin("li-client-secret", &body, reading);
            assert_eq!(verify_signature("li-client-secret", Some(&signature), &body), Ok(()));
        }
        assert_eq!(parse(&body).unwrap().len(), 1);

        let fake = FakeLinkedin::start().await;
        // Nothing listens on port 9: every validation fails, and after three LinkedIn stops.
        for _ in 0..3 {
            assert!(
                !fake
                    .validate_webhook("http://127.0.0.1:9/webhooks/linkedin/x", "s")
                    .await
            );
        }
        assert!(fake.is_blocked());
        assert!(fake.deliver("http://127.0.0.1:9/", "s", body).await.is_none());
    }
}
