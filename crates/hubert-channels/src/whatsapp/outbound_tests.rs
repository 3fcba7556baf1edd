//! Send tests for WhatsApp: request shape, error-code mapping, and (feature `fake`)
//! end-to-end sends against [`crate::fake::FakeGraph`].

use serde_json::json;

use super::*;
use crate::ReplyContext;

fn text_to(to: &str, text: &str) -> OutboundMessage {
    OutboundMessage {
        our_ref: "0190f5c2-7b3e-7000-8000-000000000001".into(),
        to: to.into(),
        body: OutboundBody::Text(text.into()),
        context: ReplyContext::Private,
        quote_message_id: None,
    }
}

#[test]
fn text_body_matches_the_design_doc() {
    let mut msg = text_to("31612345678", "Dag Sanne, we kijken het direct voor u na.");
    msg.quote_message_id = Some("wamid.IN".into());
    assert_eq!(
        request_body(&msg),
        json!({
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "+31612345678",
        "context": {"message_id": "wamid.IN"},
        "type": "text", "text": {"preview_url": false, "body": "Dag Sanne, we kijken het direct voor u na."},
        "biz_opaque_callback_data": "0190f5c2-7b3e-7000-8000-000000000001"})
    );
}

#[test]
fn template_body_and_plus_is_not_doubled() {
    let mut msg = text_to("+31612345678", "");
    msg.body = OutboundBody::Template {
        name: "storing_update".into(),
        language: "nl".into(),
    };
    let body = request_body(&msg);
    assert_eq!(body["to"], "+31612345678");
    assert_eq!(body["type"], "template");
    assert_eq!(
        body["template"],
        json!({"name": "storing_update", "language": {"code": "nl"}})
    );
    assert!(body.get("text").is_none() && body.get("context").is_none());
}

fn graph_error_body(code: i64) -> Value {
    json!({"error": {"message": format!("(#{code}) oeps"), "type": "OAuthException", "code": code, "fbtrace_id": "x"}})
}

#[test]
fn error_codes_map_to_retry_or_failed() {
    let after = Some(Duration::from_secs(7));
    assert_eq!(
        classify_response(400, None, &graph_error_body(131_047)),
        SendOutcome::Failed {
            code: "131047".into(),
            reason: "HTTP 400: (#131047) oeps".into()
        }
    );
    for code in RETRYABLE_CODES {
        assert!(
            matches!(classify_response(400, after, &graph_error_body(code)), SendOutcome::Retry { after: Some(a), .. } if a == Duration::from_secs(7)),
            "{code}"
        );
    }
    for code in [
        131_048, 131_026, 131_049, 131_051, 131_031, 368, 132_000, 132_016, 100, 190,
    ] {
        assert!(
            matches!(classify_response(400, None, &graph_error_body(code)), SendOutcome::Failed { code: c, .. } if c == code.to_string()),
            "{code}"
        );
    }
    assert!(matches!(
        classify_response(429, None, &Value::Null),
        SendOutcome::Retry { .. }
    ));
    assert!(matches!(
        classify_response(503, after, &Value::Null),
        SendOutcome::Retry { after: Some(_), .. }
    ));
    let transient = json!({"error": {"message": "x", "code": 999, "is_transient": true}});
    assert!(matches!(
        classify_response(400, None, &transient),
        SendOutcome::Retry { .. }
    ));
    assert_eq!(
        classify_response(403, None, &Value::Null),
        SendOutcome::Failed {
            code: "http_403".into(),
            reason: "HTTP 403".into()
        }
    );
    assert!(matches!(
        classify_response(200, None, &json!({"messages": []})),
        SendOutcome::Uncertain { .. }
    ));
    assert_eq!(
        classify_response(200, None, &json!({"messages": [{"id": "wamid.OK"}]})),
        SendOutcome::Accepted {
            platform_message_id: "wamid.OK".into()
        }
    );
}

#[tokio::test]
async fn connection_refused_is_retry() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let creds = WhatsappCredentials {
        phone_number_id: "1".into(),
        access_token: "t".into(),
        app_secret: "s".into(),
        verify_token: "v".into(),
    };
    let outcome = send(
        &reqwest::Client::new(),
        &base_url,
        &creds,
        &text_to("31612345678", "hoi"),
    )
    .await;
    assert!(matches!(outcome, SendOutcome::Retry { after: None, .. }), "{outcome:?}");
}

#[cfg(feature = "fake")]
mod against_the_fake {

    fn only_message(events: Vec<crate::InboundEvent>) -> crate::InboundMessage {
        match <[crate::InboundEvent; 1]>::try_from(events) {
            Ok([crate::InboundEvent::Message(m)]) => m,
            other => panic!("expected one message, got {other:?}"),
        }
    }
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::fake::{FakeGraph, WindowMode};
    use crate::{DeliveryStatus, InboundEvent};

    const PHONE_NUMBER_ID: &str = "209876543210987";
    const SECRET: &str = "meta-app-secret";

    fn creds() -> WhatsappCredentials {
        WhatsappCredentials {
            phone_number_id: PHONE_NUMBER_ID.into(),
            access_token: "EAAtoken".into(),
            app_secret: SECRET.into(),
            verify_token: "vt".into(),
        }
    }

    #[tokio::test]
    async fn accepted_send_is_recorded_with_the_documented_shape() {
        let graph = FakeGraph::start().await;
        let http = reqwest::Client::new();
        let outcome = send(&http, &graph.base_url(), &creds(), &text_to("31612345678", "Dag Sanne")).await;
        let SendOutcome::Accepted { platform_message_id } = outcome else {
            panic!("{outcome:?}")
        };
        assert!(platform_message_id.starts_with("wamid."));
        let [request] = graph.requests().try_into().unwrap();
        assert_eq!(
            (request.method.as_str(), request.path.as_str()),
            ("POST", "/v21.0/209876543210987/messages")
        );
        assert_eq!(request.header("authorization"), Some("Bearer EAAtoken"));
        assert_eq!(request.body["to"], "+31612345678");
        assert_eq!(request.body["text"]["body"], "Dag Sanne");
    }

    #[tokio::test]
    async fn scripted_faults_map_to_retry_and_failed() {
        let graph = FakeGraph::start().await;
        let http = reqwest::Client::new();
        let msg = text_to("31612345678", "hoi");
        graph.push_response(500, json!({"error": {"message": "boom", "code": 1}}), vec![]);
        graph.push_response(429, json!({}), vec![("Retry-After".into(), "30".into())]);
        graph.push_response(400, graph_error_body(131_047), vec![]);
        let base = graph.base_url();
        assert!(matches!(
            send(&http, &base, &creds(), &msg).await,
            SendOutcome::Retry { after: None, .. }
        ));
        assert_eq!(
            send(&http, &base, &creds(), &msg).await,
            SendOutcome::Retry {
                after: Some(Duration::from_secs(30)),
                reason: "HTTP 429".into()
            }
        );
        assert!(
            matches!(send(&http, &base, &creds(), &msg).await, SendOutcome::Failed { code, .. } if code == "131047")
        );
        assert!(matches!(
            send(&http, &base, &creds(), &msg).await,
            SendOutcome::Accepted { .. }
        ));
    }

    #[tokio::test]
    async fn window_enforcement_sync_error_allows_templates_and_open_windows() {
        let graph = FakeGraph::start().await;
        let http = reqwest::Client::new();
        let now = 1_767_261_600_000;
        graph.set_now(now);
        graph.set_window_mode(WindowMode::SyncError);
        let base = graph.base_url();
        let closed = send(&http, &base, &creds(), &text_to("31612345678", "hoi")).await;
        assert!(
            matches!(closed, SendOutcome::Failed { ref code, .. } if code == "131047"),
            "{closed:?}"
        );
        let mut template = text_to("31612345678", "");
        template.body = OutboundBody::Template {
            name: "storing_update".into(),
            language: "nl".into(),
        };
        assert!(matches!(
            send(&http, &base, &creds(), &template).await,
            SendOutcome::Accepted { .. }
        ));
        graph.open_window("31612345678", now - 23 * 3_600_000);
        assert!(matches!(
            send(&http, &base, &creds(), &text_to("31612345678", "hoi")).await,
            SendOutcome::Accepted { .. }
        ));
        graph.set_now(now + 2 * 3_600_000);
        assert!(matches!(
            send(&http, &base, &creds(), &text_to("31612345678", "hoi")).await,
            SendOutcome::Failed { .. }
        ));
    }

    #[tokio::test]
    async fn a_dropped_fake_stops_listening() {
        let graph = FakeGraph::start().await;
        let base = graph.base_url();
        let clone = graph.clone();
        drop(graph);
        assert!(matches!(
            send(&reqwest::Client::new(), &base, &creds(), &text_to("316", "hoi")).await,
            SendOutcome::Accepted { .. }
        ));
        clone.shutdown();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let outcome = send(&reqwest::Client::new(), &base, &creds(), &text_to("316", "hoi")).await;
        assert!(matches!(outcome, SendOutcome::Retry { .. }), "{outcome:?}");
    }

    #[tokio::test]
    async fn a_timeout_after_sending_is_uncertain() {
        let graph = FakeGraph::start().await;
        graph.set_delay(Duration::from_millis(800));
        let outcome = send_with_timeout(
            &reqwest::Client::new(),
            &graph.base_url(),
            &creds(),
            &text_to("31612345678", "hoi"),
            Duration::from_millis(150),
        )
        .await;
        assert!(matches!(outcome, SendOutcome::Uncertain { .. }), "{outcome:?}");
        assert_eq!(graph.requests().len(), 1);
    }

    /// A tiny webhook receiver that verifies and parses what the fake posts.
    async fn status_receiver() -> (crate::fake::server::ServerHandle, Arc<Mutex<Vec<InboundEvent>>>) {
        use axum::body::Bytes;
        use axum::http::HeaderMap;
        let received: Arc<Mutex<Vec<InboundEvent>>> = Arc::default();
        let sink = received.clone();
        let router = axum::Router::new().route(
            "/webhook",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let sink = sink.clone();
                async move {
                    let signature = headers.get("x-hub-signature-256").and_then(|v| v.to_str().ok());
                    if crate::whatsapp::verify_signature(SECRET, signature, &body).is_err() {
                        return axum::http::StatusCode::UNAUTHORIZED;
                    }
                    sink.lock().unwrap().extend(crate::whatsapp::parse(&body).unwrap());
                    axum::http::StatusCode::OK
                }
            }),
        );
        (crate::fake::server::ServerHandle::start(router).await, received)
    }

    async fn wait_for(received: &Arc<Mutex<Vec<InboundEvent>>>, count: usize) -> Vec<InboundEvent> {
        for _ in 0..200 {
            if received.lock().unwrap().len() >= count {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        received.lock().unwrap().clone()
    }

    fn statuses(events: &[InboundEvent]) -> Vec<(String, DeliveryStatus, Option<String>)> {
        events
            .iter()
            .map(|e| match e {
                InboundEvent::Status(s) => (
                    s.platform_message_id.clone(),
                    s.status,
                    s.error.as_ref().map(|e| e.code.clone()),
                ),
                other => panic!("expected status, got {other:?}"),
            })
            .collect()
    }

    #[tokio::test]
    async fn accepted_sends_are_followed_by_signed_status_webhooks() {
        let (receiver, received) = status_receiver().await;
        let graph = FakeGraph::start().await;
        graph.set_status_delay(Duration::from_millis(5));
        graph.set_status_webhook(&format!("{}/webhook", receiver.base_url()), SECRET, PHONE_NUMBER_ID);
        let outcome = send(
            &reqwest::Client::new(),
            &graph.base_url(),
            &creds(),
            &text_to("31612345678", "hoi"),
        )
        .await;
        let SendOutcome::Accepted {
            platform_message_id: wamid,
        } = outcome
        else {
            panic!("{outcome:?}")
        };
        let events = wait_for(&received, 3).await;
        assert_eq!(
            statuses(&events),
            vec![
                (wamid.clone(), DeliveryStatus::Sent, None),
                (wamid.clone(), DeliveryStatus::Delivered, None),
                (wamid, DeliveryStatus::Read, None),
            ]
        );
    }

    #[tokio::test]
    async fn async_window_mode_accepts_then_reports_131047() {
        let (receiver, received) = status_receiver().await;
        let graph = FakeGraph::start().await;
        graph.set_status_delay(Duration::from_millis(5));
        graph.set_window_mode(WindowMode::AsyncFailedStatus);
        graph.set_status_webhook(&format!("{}/webhook", receiver.base_url()), SECRET, PHONE_NUMBER_ID);
        let outcome = send(
            &reqwest::Client::new(),
            &graph.base_url(),
            &creds(),
            &text_to("31612345678", "hoi"),
        )
        .await;
        let SendOutcome::Accepted {
            platform_message_id: wamid,
        } = outcome
        else {
            panic!("{outcome:?}")
        };
        let events = wait_for(&received, 1).await;
        assert_eq!(
            statuses(&events),
            vec![(wamid, DeliveryStatus::Failed, Some("131047".into()))]
        );
    }

    #[tokio::test]
    async fn payload_builders_produce_verifiable_parseable_meta_bytes() {
        use crate::fake::whatsapp_payload::{self, Batch};
        let body = whatsapp_payload::text_message(
            PHONE_NUMBER_ID,
            "31612345678",
            "Zoë",
            "wamid.1",
            1_767_261_600,
            "Storing 😢",
        );
        assert!(body.is_ascii() && std::str::from_utf8(&body).unwrap().contains(r"Zo\u00eb"));
        let signature = crate::fake::sign_meta(SECRET, &body);
        assert_eq!(
            crate::whatsapp::verify_signature(SECRET, Some(&signature), &body),
            Ok(())
        );
        let m = only_message(crate::whatsapp::parse(&body).unwrap());
        assert_eq!(
            (m.contact.name.as_deref(), m.text.as_deref()),
            (Some("Zoë"), Some("Storing 😢"))
        );

        let media = whatsapp_payload::media_message(
            PHONE_NUMBER_ID,
            "316",
            "A",
            "wamid.2",
            1,
            crate::MessageKind::Document,
            "77",
            "application/pdf",
            Some("bon"),
        );
        let doc = only_message(crate::whatsapp::parse(&media).unwrap());
        assert_eq!(
            (doc.kind, doc.summary.as_str()),
            (crate::MessageKind::Document, "[Document] 77.pdf: bon")
        );

        let failed = whatsapp_payload::status(
            PHONE_NUMBER_ID,
            "wamid.3",
            "failed",
            2,
            Some((131_047, "Re-engagement message")),
        );
        assert_eq!(
            statuses(&crate::whatsapp::parse(&failed).unwrap()),
            vec![("wamid.3".into(), DeliveryStatus::Failed, Some("131047".into()))]
        );

        let batch = Batch::new()
            .text(PHONE_NUMBER_ID, "316", "A", "wamid.4", 3, "een")
            .status(
                PHONE_NUMBER_ID,
                whatsapp_payload::status_object("wamid.5", "delivered", 4, Some("316"), None, None),
            )
            .new_entry()
            .text("300000000000001", "317", "B", "wamid.6", 5, "twee")
            .field_change("account_update", json!({"event": "X"}))
            .build();
        let events = crate::whatsapp::parse(&batch).unwrap();
        assert_eq!(events.len(), 3);
        assert_eq!(
            serde_json::from_slice::<Value>(&batch).unwrap()["entry"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
    }
}
