//! Profiles change and disconnect: a new name or norm shows at once; new credentials must
//! belong to the same account and take effect at once (the old app secret stops
//! verifying); a disconnected profile receives no webhooks and sends nothing, while its
//! history stays readable. Admins only, audited.

use hubert_channels::fake::whatsapp_payload::text_message;
use hubert_core::Platform;
use hubert_testkit::{WA_ACCESS_TOKEN, WA_APP_SECRET, WA_PHONE_NUMBER_ID, WA_VERIFY_TOKEN};

use super::*;

async fn send(t: &TestApp, method: reqwest::Method, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = t.http.request(method, t.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn delivery(t: &TestApp, wamid: &str) -> Vec<u8> {
    text_message(
        WA_PHONE_NUMBER_ID,
        "31622223333",
        "Sanne de Vries",
        wamid,
        t.app.now() / 1000,
        "Mijn meter doet raar",
    )
}

both_backends!(
    a_profile_is_renamed_re_keyed_and_renormed_by_admins_only,
    |t| async move {
        let path = format!("/api/v1/profiles/{}", t.wa_profile_id);
        let (status, _) = send(
            t,
            reqwest::Method::PATCH,
            &path,
            &t.agent_token,
            Some(json!({"name": "X"})),
        )
        .await;
        assert_eq!(status, 403);
        let (status, body) = send(
            t,
            reqwest::Method::PATCH,
            &path,
            &t.token,
            Some(json!({"name": "Klantenservice WhatsApp", "service_level": {"threshold_minutes": 20}})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["name"], "Klantenservice WhatsApp");
        assert_eq!(body["service_level"]["threshold_minutes"], 20);

        let other = json!({"credentials": {"phone_number_id": "209876543210999", "access_token": "a", "app_secret": "b", "verify_token": "c"}});
        let (status, body) = send(t, reqwest::Method::PATCH, &path, &t.token, Some(other)).await;
        assert_eq!(
            (status, body["error"]["code"].clone()),
            (422, json!("account_changed")),
            "{body}"
        );

        let new_secret = "wa-app-secret-rotated-91ab";
        let creds = json!({"credentials": {"phone_number_id": WA_PHONE_NUMBER_ID, "access_token": WA_ACCESS_TOKEN, "app_secret": new_secret, "verify_token": WA_VERIFY_TOKEN}});
        assert_eq!(
            send(t, reqwest::Method::PATCH, &path, &t.token, Some(creds)).await.0,
            200
        );
        assert_eq!(
            t.post_signed(
                Platform::Whatsapp,
                &t.wa_profile_id,
                WA_APP_SECRET,
                delivery(t, "wamid.P1")
            )
            .await,
            401,
            "the old secret stops at once"
        );
        assert_eq!(
            t.post_signed(
                Platform::Whatsapp,
                &t.wa_profile_id,
                new_secret,
                delivery(t, "wamid.P2")
            )
            .await,
            200
        );

        let audit = t.get("/api/v1/audit?kind=profile.updated").await;
        let details: Vec<&str> = audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["detail"].as_str().unwrap())
            .collect();
        assert!(
            details.contains(&"name, service level") && details.contains(&"credentials"),
            "{details:?}"
        );
        let list = t.get("/api/v1/profiles").await;
        assert!(!list.to_string().contains(new_secret), "credentials are never shown");
    }
);

both_backends!(
    a_disconnected_profile_stops_webhooks_and_sends_and_keeps_its_history,
    |t| async move {
        assert_eq!(
            t.post_signed(
                Platform::Whatsapp,
                &t.wa_profile_id,
                WA_APP_SECRET,
                delivery(t, "wamid.D1")
            )
            .await,
            200
        );
        let conv = t.get("/api/v1/conversations").await["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let path = format!("/api/v1/profiles/{}", t.wa_profile_id);
        assert_eq!(
            send(t, reqwest::Method::DELETE, &path, &t.agent_token, None).await.0,
            403
        );
        assert_eq!(send(t, reqwest::Method::DELETE, &path, &t.token, None).await.0, 204);
        assert_eq!(
            send(t, reqwest::Method::DELETE, &path, &t.token, None).await.0,
            404,
            "once"
        );

        assert_eq!(
            t.post_signed(
                Platform::Whatsapp,
                &t.wa_profile_id,
                WA_APP_SECRET,
                delivery(t, "wamid.D2")
            )
            .await,
            401,
            "no webhooks"
        );
        let (status, body) = send(
            t,
            reqwest::Method::POST,
            &format!("/api/v1/conversations/{conv}/replies"),
            &t.agent_token,
            Some(json!({"text": "Dag Sanne, we kijken ernaar."})),
        )
        .await;
        assert_eq!(
            (status, body["error"]["code"].clone()),
            (409, json!("profile_disconnected")),
            "{body}"
        );
        let detail = t.get(&format!("/api/v1/conversations/{conv}")).await;
        assert_eq!(detail["messages"].as_array().unwrap().len(), 1, "history stays");
        let list = t.get("/api/v1/profiles").await;
        let p = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == t.wa_profile_id.as_str())
            .unwrap()
            .clone();
        assert!(p["disconnected_at"].is_i64());
        let (status, _) = send(
            t,
            reqwest::Method::PATCH,
            &path,
            &t.token,
            Some(json!({"name": "terug"})),
        )
        .await;
        assert_eq!(status, 409);
        assert_eq!(
            t.get("/api/v1/audit?kind=profile.disconnected").await["items"][0]["subject"],
            t.wa_profile_id.as_str()
        );
    }
);
