//! Messages out: replies reach the fake platforms exactly once with the right request,
//! statuses only move forward, retries honour the platform (500, 429 + Retry-After on
//! the fake clock), platform rules refuse before sending (24-hour window, 280
//! characters), and a send whose outcome is unknown is never repeated blindly.

use std::time::Duration;

use hubert_app::workers::delivery::{self, CrashAfterSend};
use hubert_channels::whatsapp::GRAPH_API_VERSION;
use hubert_testkit::{WA_ACCESS_TOKEN, X_ACCESS_TOKEN};

use super::*;

/// Fatima writes and the only WhatsApp conversation's id is returned.
async fn whatsapp_conversation(t: &TestApp) -> String {
    t.customer_writes(FATIMA, "Fatima de Vries", "wamid.S1", "Ik heb geen stroom")
        .await;
    t.only_conversation(&t.wa_profile_id).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Waits until the fake Graph API has received `n` requests.
async fn graph_receives(t: &TestApp, n: usize) {
    let ok = t
        .wait_until(|| async move { t.graph.requests().len() >= n }, WAIT)
        .await;
    assert!(
        ok,
        "the fake Graph API received {} requests, expected {n}",
        t.graph.requests().len()
    );
}

both_backends!(
    a_reply_reaches_whatsapp_exactly_once_and_its_status_only_moves_forward,
    |t| async move {
        let id = whatsapp_conversation(t).await;
        let message = t
            .reply(&id, json!({ "text": "Goedemiddag! We zoeken het voor u uit." }))
            .await;
        t.wait_for_status(&message, "sent").await;
        t.settle().await;

        let requests = t.graph.requests();
        assert_eq!(requests.len(), 1, "exactly one request: {requests:?}");
        let r = &requests[0];
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, format!("/{GRAPH_API_VERSION}/{PNID}/messages"));
        assert_eq!(r.bearer_token(), Some(WA_ACCESS_TOKEN));
        assert_eq!(r.body["messaging_product"], "whatsapp");
        assert_eq!(r.body["to"], "+31612345678");
        assert_eq!(r.body["type"], "text");
        assert_eq!(r.body["text"]["body"], "Goedemiddag! We zoeken het voor u uit.");

        let out = t
            .messages(&id)
            .await
            .into_iter()
            .find(|m| m["id"] == message.as_str())
            .expect("the reply");
        assert_eq!(out["direction"], "out");
        assert_eq!(out["delivery_status"], "sent");

        let wamid = t.platform_message_id(&message).await;
        for (status, expected) in [("delivered", "delivered"), ("read", "read"), ("delivered", "read")] {
            let body = wa::status(PNID, &wamid, status, t.now_secs(), None);
            assert_eq!(t.post_whatsapp(body).await, 200);
            assert_eq!(
                t.delivery_status(&message).await.as_deref(),
                Some(expected),
                "after a `{status}` status"
            );
        }
        assert_eq!(t.graph.requests().len(), 1, "status webhooks never cause a send");
    }
);

both_backends!(a_server_error_then_success_delivers_once, |t| async move {
    let id = whatsapp_conversation(t).await;
    t.graph.push_response(500, json!({ "error": { "message": "An unknown error occurred", "type": "OAuthException", "code": 1, "fbtrace_id": "A1" } }), vec![]);
    let message = t.reply(&id, json!({ "text": "Excuses voor het wachten." })).await;

    graph_receives(t, 1).await;
    let queued = t
        .wait_until(
            || async {
                t.app
                    .store
                    .job_states(&message)
                    .await
                    .unwrap()
                    .iter()
                    .any(|(s, a, _)| s == "queued" && *a == 1)
            },
            WAIT,
        )
        .await;
    assert!(queued, "the job is queued again after the 500");
    // The backoff (0.5–1 s for the first retry) runs on the fake clock.
    t.clock.advance(1_000);
    t.wait_for_status(&message, "sent").await;
    t.settle().await;
    assert_eq!(t.graph.requests().len(), 2, "one failed and one successful request");
    let bodies: Vec<_> = t.graph.requests().iter().map(|r| r.body.clone()).collect();
    assert_eq!(bodies[0], bodies[1], "the retry sends the same message");
});

both_backends!(a_rate_limit_with_retry_after_is_honoured_on_the_clock, |t| async move {
    let id = whatsapp_conversation(t).await;
    t.graph.push_response(
        429,
        json!({ "error": { "message": "(#130429) Rate limit hit", "type": "OAuthException", "code": 130429, "fbtrace_id": "A2" } }),
        vec![("Retry-After".into(), "30".into())],
    );
    let message = t.reply(&id, json!({ "text": "We komen zo bij u terug." })).await;
    graph_receives(t, 1).await;

    let now = t.now();
    let rescheduled = t
        .wait_until(
            || async {
                t.app
                    .store
                    .job_states(&message)
                    .await
                    .unwrap()
                    .iter()
                    .any(|(s, _, run_at)| s == "queued" && (*run_at - (now + 30_000)).abs() <= 1_000)
            },
            WAIT,
        )
        .await;
    assert!(
        rescheduled,
        "run_at is 30 s later on the fake clock: {:?}",
        t.app.store.job_states(&message).await
    );

    t.settle().await;
    assert_eq!(t.graph.requests().len(), 1, "nothing is resent before Retry-After");
    t.clock.advance(29_000);
    t.settle().await;
    assert_eq!(t.graph.requests().len(), 1, "nor one second before it");
    t.clock.advance(1_000);
    t.wait_for_status(&message, "sent").await;
    t.settle().await;
    assert_eq!(t.graph.requests().len(), 2, "exactly one more request after the wait");
});

both_backends!(after_24_hours_only_a_template_may_be_sent_on_whatsapp, |t| async move {
    let id = whatsapp_conversation(t).await;
    t.clock.advance(24 * 60 * MINUTE + 1_000);

    let (status, body) = t
        .post(
            &format!("/api/v1/conversations/{id}/replies"),
            json!({ "text": "Bent u er nog?" }),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "window_closed");
    assert_eq!(t.conversation(&id).await["window_open"], false);

    t.app
        .store
        .add_template(
            &t.workspace_id,
            &t.wa_profile_id,
            "storing_update",
            "nl",
            "Er is nieuws over uw melding.",
        )
        .await
        .unwrap();
    let message = t.reply(&id, json!({ "template": "storing_update" })).await;
    t.wait_for_status(&message, "sent").await;
    let requests = t.graph.requests();
    assert_eq!(requests.len(), 1, "the refused text never left: {requests:?}");
    assert_eq!(requests[0].body["type"], "template");
    assert_eq!(requests[0].body["template"]["name"], "storing_update");
});

/// Jan mentions us publicly; returns the conversation id.
async fn x_mention(t: &TestApp) -> String {
    let body = x_payload::mention(
        X_USER_ID,
        "1790000000000000001",
        "2244994945",
        "Jan Jansen",
        "janjansen",
        "@webcare mijn stroom is uit",
        t.now(),
        None,
    );
    assert_eq!(t.post_x(body).await, 200);
    let items = t.conversations(&format!("?profile={}", t.x_profile_id)).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["platform"], "x");
    assert_eq!(items[0]["contact"]["name"], "Jan Jansen");
    items[0]["id"].as_str().unwrap().to_owned()
}

both_backends!(a_reply_to_an_x_mention_is_a_public_reply_to_that_post, |t| async move {
    let id = x_mention(t).await;
    let message = t
        .reply(&id, json!({ "text": "@janjansen Vervelend! We sturen u een DM." }))
        .await;
    t.wait_for_status(&message, "sent").await;
    t.settle().await;
    let requests = t.x.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/2/tweets");
    assert_eq!(requests[0].bearer_token(), Some(X_ACCESS_TOKEN));
    assert_eq!(requests[0].body["reply"]["in_reply_to_tweet_id"], "1790000000000000001");
    assert_eq!(requests[0].body["text"], "@janjansen Vervelend! We sturen u een DM.");
});

both_backends!(
    an_x_reply_over_280_characters_is_refused_before_sending,
    |t| async move {
        let id = x_mention(t).await;
        let (status, body) = t
            .post(
                &format!("/api/v1/conversations/{id}/replies"),
                json!({ "text": "a".repeat(281) }),
            )
            .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"]["code"], "too_long");
        t.settle().await;
        assert!(t.x.requests().is_empty(), "nothing reached X");
        assert!(
            t.messages(&id).await.iter().all(|m| m["direction"] == "in"),
            "nothing was stored"
        );

        let message = t.reply(&id, json!({ "text": "a".repeat(280) })).await;
        t.wait_for_status(&message, "sent").await;
    }
);

both_backends!(a_public_mention_can_be_answered_privately_by_dm, |t| async move {
    let id = x_mention(t).await;
    let message = t
        .reply(&id, json!({ "text": "Mag ik uw klantnummer?", "private": true }))
        .await;
    t.wait_for_status(&message, "sent").await;
    let requests = t.x.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/2/dm_conversations/with/2244994945/messages");
    assert_eq!(requests[0].body["text"], "Mag ik uw klantnummer?");
});

both_backends!(an_x_dm_is_answered_by_dm, |t| async move {
    let body = x_payload::dm(
        X_USER_ID,
        "1800000000000000001",
        "3355778899",
        "Piet Pieters",
        "pietp",
        "Hoi, mijn factuur klopt niet",
        t.now(),
    );
    assert_eq!(t.post_x(body).await, 200);
    let c = t.only_conversation(&t.x_profile_id).await;
    let message = t
        .reply(
            c["id"].as_str().unwrap(),
            json!({ "text": "Hoi Piet, welk bedrag ziet u?" }),
        )
        .await;
    t.wait_for_status(&message, "sent").await;
    let requests = t.x.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/2/dm_conversations/with/3355778899/messages");
    assert!(requests[0].body.get("reply").is_none());
});

both_backends!(
    a_send_interrupted_by_a_crash_becomes_unknown_and_is_never_resent_blindly,
    |t| async move {
        let id = whatsapp_conversation(t).await;
        t.set_crash_after_send(true);
        let message = t
            .reply(&id, json!({ "text": "Dit bericht gaat precies één keer weg." }))
            .await;
        graph_receives(t, 1).await;
        t.settle().await;
        assert_ne!(
            t.delivery_status(&message).await.as_deref(),
            Some("sent"),
            "the crashed worker recorded nothing"
        );

        // A new worker starts after the 60 s lease of the dead one ran out.
        t.clock.advance(61_000);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let worker = delivery::spawn(
            t.app.clone(),
            stopped,
            Duration::from_millis(20),
            CrashAfterSend::default(),
        );
        t.wait_for_status(&message, "unknown").await;
        t.settle().await;
        assert_eq!(
            t.graph.requests().len(),
            1,
            "an uncertain send is not repeated by itself"
        );
        let shown = t
            .messages(&id)
            .await
            .into_iter()
            .find(|m| m["id"] == message.as_str())
            .unwrap();
        assert_eq!(shown["delivery_status"], "unknown");

        // The agent checked the platform and sends it again.
        let (status, body) = t.post(&format!("/api/v1/messages/{message}/resend"), json!({})).await;
        assert_eq!(status, 202, "{body}");
        t.wait_for_status(&message, "sent").await;
        t.settle().await;
        assert_eq!(t.graph.requests().len(), 2, "exactly one more request after the resend");

        let _ = stop.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(5), worker).await;
    }
);
