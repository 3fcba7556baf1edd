//! Send tests for Facebook and Instagram: request plans, the window rule, limits, the
//! Graph error table, and (feature `fake`) end-to-end sends against `FakeMeta`.

use serde_json::json;

use super::*;
use crate::meta::graph_errors::{failure_sentence, FailureCode};

const HOUR: i64 = 60 * 60 * 1000;
const NOW: i64 = 1_767_261_600_000;
const G: &str = "https://graph.facebook.com";
const IG: &str = "https://graph.instagram.com";

fn fb() -> FacebookCredentials {
    FacebookCredentials {
        page_id: "112233445566778".into(),
        page_access_token: "EAAtoken".into(),
        app_secret: "s".into(),
        verify_token: "v".into(),
    }
}

fn ig(page_id: Option<&str>) -> InstagramCredentials {
    InstagramCredentials {
        account_id: "17841400123456789".into(),
        access_token: "IGtoken".into(),
        app_secret: "s".into(),
        verify_token: "v".into(),
        page_id: page_id.map(str::to_string),
    }
}

fn dm(text: &str, last: Option<i64>) -> MetaAction {
    MetaAction::Message {
        recipient_id: "7012345678901234".into(),
        text: text.into(),
        reply_to_mid: None,
        last_customer_message_at: last,
        now: NOW,
    }
}

fn failed_code(outcome: SendOutcome) -> String {
    match outcome {
        SendOutcome::Failed { code, .. } => code,
        other => panic!("expected Failed, got {other:?}"),
    }
}

#[test]
fn messenger_reply_matches_the_design_doc() {
    let mut action = dm(
        "Hallo, stuur ons even uw klantnummer via dit gesprek, dan zoeken we het uit.",
        Some(NOW - HOUR),
    );
    if let MetaAction::Message { reply_to_mid, .. } = &mut action {
        *reply_to_mid = Some("m_Xb3kT9vQ2mZr8".into());
    }
    let plan = plan_facebook(G, &fb(), &action).unwrap();
    assert_eq!(plan.base_url, G);
    assert_eq!(plan.path, format!("/{GRAPH_API_VERSION}/112233445566778/messages"));
    assert_eq!(
        plan.body,
        json!({"recipient": {"id": "7012345678901234"}, "messaging_type": "RESPONSE",
            "message": {"text": "Hallo, stuur ons even uw klantnummer via dit gesprek, dan zoeken we het uit."},
            "reply_to": {"mid": "m_Xb3kT9vQ2mZr8"}})
    );
}

#[test]
fn the_window_picks_response_human_agent_or_closed() {
    let body = |last| plan_facebook(G, &fb(), &dm("hoi", last)).map(|p| p.body);
    assert_eq!(body(Some(NOW - 24 * HOUR)).unwrap()["messaging_type"], "RESPONSE");
    let tagged = body(Some(NOW - 25 * HOUR)).unwrap();
    assert_eq!(tagged["messaging_type"], "MESSAGE_TAG");
    assert_eq!(tagged["tag"], "HUMAN_AGENT");
    assert_eq!(
        failed_code(body(Some(NOW - 8 * 24 * HOUR)).unwrap_err()),
        "window_closed"
    );
    assert_eq!(failed_code(body(None).unwrap_err()), "window_closed");
    let ig_body = plan_instagram(G, IG, &ig(None), &dm("hoi", Some(NOW - HOUR)))
        .unwrap()
        .body;
    assert!(ig_body.get("messaging_type").is_none());
    let ig_tagged = plan_instagram(G, IG, &ig(None), &dm("hoi", Some(NOW - 30 * HOUR)))
        .unwrap()
        .body;
    assert_eq!(ig_tagged["tag"], "HUMAN_AGENT");
}

#[test]
fn comment_actions_have_their_paths() {
    let comment = "987654321098765_1122334455667788";
    let public = plan_facebook(
        G,
        &fb(),
        &MetaAction::PublicReply {
            comment_id: comment.into(),
            text: "We kijken ernaar!".into(),
        },
    )
    .unwrap();
    assert_eq!(public.path, format!("/{GRAPH_API_VERSION}/{comment}/comments"));
    assert_eq!(public.body, json!({"message": "We kijken ernaar!"}));
    let private = plan_facebook(
        G,
        &fb(),
        &MetaAction::PrivateReply {
            comment_id: comment.into(),
            text: "We sturen u een bericht.".into(),
            comment_created_at: None,
            now: NOW,
        },
    )
    .unwrap();
    assert_eq!(private.path, format!("/{GRAPH_API_VERSION}/112233445566778/messages"));
    assert_eq!(
        private.body,
        json!({"recipient": {"comment_id": comment}, "message": {"text": "We sturen u een bericht."}})
    );
    let hide = plan_facebook(
        G,
        &fb(),
        &MetaAction::SetHidden {
            comment_id: comment.into(),
            hidden: true,
        },
    )
    .unwrap();
    assert_eq!(hide.path, format!("/{GRAPH_API_VERSION}/{comment}"));
    assert_eq!(hide.body, json!({"is_hidden": true}));
    assert_eq!(hide.success_id.as_deref(), Some(comment));

    let ig_public = plan_instagram(
        G,
        IG,
        &ig(None),
        &MetaAction::PublicReply {
            comment_id: "17900011122233344".into(),
            text: "Hoi!".into(),
        },
    )
    .unwrap();
    assert_eq!(ig_public.base_url, IG);
    assert_eq!(
        ig_public.path,
        format!("/{GRAPH_API_VERSION}/17900011122233344/replies")
    );
}

#[test]
fn instagram_host_follows_the_page_id() {
    let via_ig = plan_instagram(G, IG, &ig(None), &dm("hoi", Some(NOW))).unwrap();
    assert_eq!(via_ig.base_url, IG);
    assert_eq!(via_ig.path, format!("/{GRAPH_API_VERSION}/17841400123456789/messages"));
    let via_page = plan_instagram(G, IG, &ig(Some("112233445566778")), &dm("hoi", Some(NOW))).unwrap();
    assert_eq!(via_page.base_url, G);
    assert_eq!(via_page.path, format!("/{GRAPH_API_VERSION}/112233445566778/messages"));
}

#[test]
fn limits_are_enforced_before_sending() {
    // 1000 bytes: 500 two-byte characters pass, 501 do not.
    let ok = "é".repeat(500);
    assert!(plan_instagram(G, IG, &ig(None), &dm(&ok, Some(NOW))).is_ok());
    let too_long = "é".repeat(501);
    assert_eq!(
        failed_code(plan_instagram(G, IG, &ig(None), &dm(&too_long, Some(NOW))).unwrap_err()),
        "too_long"
    );
    assert!(plan_facebook(G, &fb(), &dm(&"a".repeat(2000), Some(NOW))).is_ok());
    assert_eq!(
        failed_code(plan_facebook(G, &fb(), &dm(&"a".repeat(2001), Some(NOW))).unwrap_err()),
        "too_long"
    );
    assert_eq!(
        failed_code(plan_facebook(G, &fb(), &dm("  ", Some(NOW))).unwrap_err()),
        "invalid_parameter"
    );
    let late = MetaAction::PrivateReply {
        comment_id: "17900011122233344".into(),
        text: "hoi".into(),
        comment_created_at: Some(NOW - 7 * 24 * HOUR - 1),
        now: NOW,
    };
    assert_eq!(
        failed_code(plan_instagram(G, IG, &ig(None), &late).unwrap_err()),
        "private_reply_closed"
    );
}

#[test]
fn crafted_ids_never_reach_a_url() {
    for bad in ["../me", "1?x=1", "1/feed", "", "1_2_3"] {
        let mut creds = fb();
        creds.page_id = bad.into();
        assert_eq!(
            failed_code(plan_facebook(G, &creds, &dm("x", Some(NOW))).unwrap_err()),
            "invalid_id"
        );
        let mut action = dm("x", Some(NOW));
        if let MetaAction::Message { recipient_id, .. } = &mut action {
            *recipient_id = bad.into();
        }
        assert_eq!(failed_code(plan_facebook(G, &fb(), &action).unwrap_err()), "invalid_id");
        let hide = MetaAction::SetHidden {
            comment_id: bad.into(),
            hidden: true,
        };
        assert_eq!(failed_code(plan_facebook(G, &fb(), &hide).unwrap_err()), "invalid_id");
    }
}

fn graph_error(code: i64, subcode: Option<i64>) -> Value {
    let mut error =
        json!({"message": format!("(#{code}) oeps"), "type": "OAuthException", "code": code, "fbtrace_id": "x"});
    if let Some(sub) = subcode {
        error["error_subcode"] = json!(sub);
    }
    json!({ "error": error })
}

#[test]
fn the_graph_error_table_of_section_3f() {
    let code_of = |status, code, sub| failed_code(classify_response(status, None, &graph_error(code, sub), None));
    assert_eq!(code_of(400, 10, Some(2_018_278)), "window_closed");
    assert_eq!(code_of(400, 1_545_041, None), "recipient_unavailable");
    assert_eq!(code_of(400, 551, Some(1_545_041)), "recipient_unavailable");
    assert_eq!(code_of(403, 200, Some(1_545_041)), "recipient_unavailable");
    assert_eq!(code_of(400, 551, None), "recipient_unavailable");
    assert_eq!(code_of(400, 10, Some(2_018_065)), "no_permission");
    assert_eq!(code_of(400, 10, Some(2_018_108)), "recipient_unavailable");
    assert_eq!(code_of(400, 100, Some(2_018_047)), "invalid_parameter");
    assert_eq!(code_of(401, 190, Some(463)), "token_expired");
    assert_eq!(code_of(403, 200, None), "no_permission");
    assert_eq!(code_of(400, 12345, None), "platform_error");
    for code in [613, 4, 32, 17, 80_006] {
        let after = Some(Duration::from_secs(9));
        assert!(
            matches!(classify_response(400, after, &graph_error(code, None), None), SendOutcome::Retry { after: Some(a), .. } if a == Duration::from_secs(9)),
            "{code}"
        );
    }
    assert!(matches!(
        classify_response(503, None, &Value::Null, None),
        SendOutcome::Retry { .. }
    ));
    assert!(matches!(
        classify_response(429, None, &Value::Null, None),
        SendOutcome::Retry { .. }
    ));
    assert_eq!(
        failed_code(classify_response(400, None, &Value::Null, None)),
        "platform_error"
    );
    let token = classify_response(401, None, &graph_error(190, None), None);
    let SendOutcome::Failed { code, reason } = token else {
        panic!()
    };
    assert!(FailureCode::parse(&code).unwrap().needs_reconnect());
    assert!(reason.starts_with("De koppeling met Meta is verlopen"), "{reason}");
    assert!(reason.contains("[190]"));
}

#[test]
fn every_failure_code_has_a_dutch_sentence_and_round_trips() {
    for code in FailureCode::ALL {
        assert_eq!(FailureCode::parse(code.as_str()), Some(code));
        assert_eq!(failure_sentence(code.as_str()), Some(code.dutch()));
        assert!(code.dutch().ends_with('.'));
    }
    assert_eq!(failure_sentence("131047"), None);
}

#[test]
fn success_shapes() {
    assert_eq!(
        classify_response(200, None, &json!({"recipient_id": "1", "message_id": "m_1"}), None),
        SendOutcome::Accepted {
            platform_message_id: "m_1".into()
        }
    );
    assert_eq!(
        classify_response(200, None, &json!({"id": "1_2"}), None),
        SendOutcome::Accepted {
            platform_message_id: "1_2".into()
        }
    );
    assert_eq!(
        classify_response(200, None, &json!({"success": true}), Some("1_2")),
        SendOutcome::Accepted {
            platform_message_id: "1_2".into()
        }
    );
    assert!(matches!(
        classify_response(200, None, &json!({"success": false}), Some("1_2")),
        SendOutcome::Uncertain { .. }
    ));
}

#[test]
fn business_use_case_usage_gives_a_retry_hint() {
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-business-use-case-usage",
        r#"{"112233445566778":[{"type":"messenger","call_count":100,"estimated_time_to_regain_access":3}]}"#
            .parse()
            .unwrap(),
    );
    assert_eq!(retry_hint(&headers), Some(Duration::from_secs(180)));
    headers.insert("retry-after", "7".parse().unwrap());
    assert_eq!(retry_hint(&headers), Some(Duration::from_secs(7)));
}

#[cfg(feature = "fake")]
mod against_the_fake {
    use super::*;
    use crate::fake::FakeMeta;

    #[tokio::test]
    async fn messenger_window_and_comment_actions_end_to_end() {
        let fake = FakeMeta::facebook("112233445566778").await;
        fake.set_now(NOW);
        let http = reqwest::Client::new();
        let base = fake.base_url();
        assert_eq!(
            failed_code(send_facebook(&http, &base, &fb(), &dm("hoi", None)).await),
            "window_closed"
        );
        assert!(fake.requests().is_empty(), "a closed window sends nothing");

        fake.open_window("7012345678901234", NOW - 30 * HOUR);
        let outcome = send_facebook(&http, &base, &fb(), &dm("hoi", Some(NOW - 30 * HOUR))).await;
        assert!(
            matches!(outcome, SendOutcome::Accepted { ref platform_message_id } if platform_message_id.starts_with("m_")),
            "{outcome:?}"
        );
        let request = &fake.requests()[0];
        assert_eq!(request.body["tag"], "HUMAN_AGENT");
        assert_eq!(request.bearer_token(), Some("EAAtoken"));

        // The fake refuses an untagged send outside 24 h: mapped to window_closed.
        let plan = plan_facebook(&base, &fb(), &dm("hoi", Some(NOW))).unwrap();
        assert_eq!(
            failed_code(perform(&http, &plan, "EAAtoken", SEND_TIMEOUT).await),
            "window_closed"
        );

        let comment = "987654321098765_1122334455667788";
        let public = MetaAction::PublicReply {
            comment_id: comment.into(),
            text: "We kijken ernaar!".into(),
        };
        assert!(matches!(
            send_facebook(&http, &base, &fb(), &public).await,
            SendOutcome::Accepted { .. }
        ));
        let private = MetaAction::PrivateReply {
            comment_id: comment.into(),
            text: "Zie uw berichten.".into(),
            comment_created_at: None,
            now: NOW,
        };
        assert!(matches!(
            send_facebook(&http, &base, &fb(), &private).await,
            SendOutcome::Accepted { .. }
        ));
        assert_eq!(
            failed_code(send_facebook(&http, &base, &fb(), &private).await),
            "invalid_parameter"
        );
        let hide = MetaAction::SetHidden {
            comment_id: comment.into(),
            hidden: true,
        };
        assert_eq!(
            send_facebook(&http, &base, &fb(), &hide).await,
            SendOutcome::Accepted {
                platform_message_id: comment.into()
            }
        );
        assert_eq!(fake.hidden(comment), Some(true));

        fake.expire_token();
        assert_eq!(
            failed_code(send_facebook(&http, &base, &fb(), &public).await),
            "token_expired"
        );
        fake.push_response(400, graph_error(613, None), vec![]);
    }

    #[tokio::test]
    async fn instagram_sends_and_scripted_throttling() {
        let fake = FakeMeta::instagram("17841400123456789").await;
        fake.set_now(NOW);
        fake.open_window("7012345678901234", NOW - HOUR);
        let http = reqwest::Client::new();
        let base = fake.base_url();
        let outcome = send_instagram(
            &http,
            "http://127.0.0.1:9",
            &base,
            &ig(None),
            &dm("Hoi Lisa", Some(NOW - HOUR)),
        )
        .await;
        assert!(matches!(outcome, SendOutcome::Accepted { .. }), "{outcome:?}");
        assert!(fake.requests()[0].path.ends_with("/17841400123456789/messages"));

        fake.push_response(400, graph_error(4, None), vec![("retry-after".into(), "3".into())]);
        let outcome = send_instagram(
            &http,
            "http://127.0.0.1:9",
            &base,
            &ig(None),
            &dm("nog eens", Some(NOW)),
        )
        .await;
        assert!(
            matches!(outcome, SendOutcome::Retry { after: Some(a), .. } if a == Duration::from_secs(3)),
            "{outcome:?}"
        );

        let reply = MetaAction::PublicReply {
            comment_id: "17900011122233344".into(),
            text: "Hoi!".into(),
        };
        assert!(matches!(
            send_instagram(&http, "http://127.0.0.1:9", &base, &ig(None), &reply).await,
            SendOutcome::Accepted { .. }
        ));
        fake.set_comment_time("17900011122233399", NOW - 8 * 24 * HOUR);
        let late = MetaAction::PrivateReply {
            comment_id: "17900011122233399".into(),
            text: "hoi".into(),
            comment_created_at: None,
            now: NOW,
        };
        assert_eq!(
            failed_code(send_instagram(&http, "http://127.0.0.1:9", &base, &ig(None), &late).await),
            "window_closed"
        );
    }
}
