//! People and safety: two agents never answer twice by accident, the API checks who
//! asks and what they may do, credentials are never shown, sessions need CSRF tokens,
//! customer text cannot inject markup into the pages. (Login throttling: `accounts.rs`.)

use hubert_testkit::{
    ADMIN_EMAIL, ADMIN_PASSWORD, AGENT2_EMAIL, AGENT2_PASSWORD, AGENT_EMAIL, AGENT_PASSWORD, SECRETS,
};

use super::*;

both_backends!(
    a_second_agent_is_stopped_when_a_colleague_already_answered,
    |t| async move {
        t.customer_writes(FATIMA, "Fatima", "wamid.C1", "Kan iemand mij helpen?")
            .await;
        let id = t.only_conversation(&t.wa_profile_id).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let seen = t.messages(&id).await.last().unwrap()["id"].as_str().unwrap().to_owned();
        let anna = t.login(AGENT_EMAIL, AGENT_PASSWORD).await;
        let bram = t.login(AGENT2_EMAIL, AGENT2_PASSWORD).await;
        let path = format!("/api/v1/conversations/{id}/replies");

        let (status, body) = t
            .session_post(
                &anna,
                &path,
                json!({ "text": "Natuurlijk!", "seen_message_id": seen }),
                true,
            )
            .await;
        assert_eq!(status, 202, "{body}");
        let (status, body) = t
            .session_post(
                &bram,
                &path,
                json!({ "text": "Waarmee kan ik helpen?", "seen_message_id": seen }),
                true,
            )
            .await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(body["error"]["code"], "already_answered");
        assert_eq!(
            t.messages(&id).await.iter().filter(|m| m["direction"] == "out").count(),
            1
        );

        let (status, body) = t
            .session_post(
                &bram,
                &path,
                json!({ "text": "Aanvulling van mij.", "seen_message_id": seen, "force": true }),
                true,
            )
            .await;
        assert_eq!(status, 202, "{body}");
        let authors: Vec<Value> = t
            .messages(&id)
            .await
            .iter()
            .filter(|m| m["direction"] == "out")
            .map(|m| m["author"]["id"].clone())
            .collect();
        assert_eq!(authors, vec![json!(t.agent_id), json!(t.agent2_id)]);
    }
);

both_backends!(the_api_checks_who_asks_and_never_shows_credentials, |t| async move {
    let res = t.http.get(t.url("/api/v1/conversations")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let body: Value = res.json().await.expect("a JSON error");
    assert_eq!(body["error"]["code"], "unauthorized");
    assert!(body["error"]["message"].is_string());
    let (status, body) = t.get_as("/api/v1/conversations", "hub_not-a-real-token").await;
    assert_eq!(status, 401, "{body}");

    let new_profile = json!({
        "platform": "x", "name": "Tweede account",
        "credentials": { "user_id": "42", "consumer_secret": "cs", "access_token": "at" },
    });
    let (status, body) = t.post_as("/api/v1/profiles", &t.agent_token, new_profile).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");

    for token in [&t.token, &t.agent_token] {
        let raw = t
            .http
            .get(t.url("/api/v1/profiles"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let profiles: Value = serde_json::from_str(&raw).unwrap();
        assert_eq!(profiles["items"].as_array().unwrap().len(), 2, "{raw}");
        for secret in SECRETS {
            assert!(!raw.contains(secret), "a credential leaked: {raw}");
        }
        assert!(
            raw.contains(&format!("/webhooks/whatsapp/{}", t.wa_profile_id)),
            "the webhook URL is shown"
        );
    }
});

both_backends!(a_session_needs_its_csrf_token_to_change_anything, |t| async move {
    t.customer_writes(FATIMA, "Fatima", "wamid.CS1", "Hallo").await;
    let id = t.only_conversation(&t.wa_profile_id).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin = t.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let path = format!("/api/v1/conversations/{id}/notes");

    let (status, body) = t.session_get(&admin, "/api/v1/conversations").await;
    assert_eq!(status, 200, "reading needs no CSRF token: {body}");
    let (status, body) = t
        .session_post(&admin, &path, json!({ "text": "Interne notitie" }), false)
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "csrf");
    let forged = hubert_testkit::Session {
        csrf: "forged".into(),
        ..admin.clone()
    };
    let (status, _) = t
        .session_post(&forged, &path, json!({ "text": "Interne notitie" }), true)
        .await;
    assert_eq!(status, 403);
    assert!(
        t.messages(&id).await.iter().all(|m| m["direction"] != "note"),
        "no note was added"
    );

    let (status, body) = t
        .session_post(&admin, &path, json!({ "text": "Interne notitie" }), true)
        .await;
    assert_eq!(status, 201, "{body}");
});

both_backends!(customer_text_never_reaches_the_pages_as_markup, |t| async move {
    let name = "<script>alert(1)</script>";
    let text = "<img src=x onerror=alert(1)>";
    t.customer_writes(FATIMA, name, "wamid.XSS1", text).await;
    let c = t.only_conversation(&t.wa_profile_id).await;
    assert_eq!(
        c["contact"]["name"], name,
        "the API returns the name as a plain JSON string"
    );
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!(t.messages(&id).await[0]["text"], text);

    let quarantined = format!("{{\"object\":\"whatsapp_business_account\",\"entry\":\"{name}{text}\"}}");
    assert_eq!(t.post_whatsapp(quarantined.into_bytes()).await, 400);

    let admin = t.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    for path in [
        "/".to_owned(),
        format!("/conversations/{id}"),
        "/admin/quarantine".to_owned(),
    ] {
        let (status, html) = t.page(&admin, &path).await;
        assert_eq!(status, 200, "{path}");
        assert!(!html.contains("<script>alert(1)"), "{path} contains a raw script tag");
        assert!(!html.contains("<img src=x"), "{path} contains a raw img tag");
    }
});
