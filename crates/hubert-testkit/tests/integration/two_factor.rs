//! Two-factor sign-in, tested with codes computed from the secret as an authenticator app
//! would: turning it on (first code), signing in with a code and with a recovery code
//! (each works once), the secret sealed at rest and surviving a key rotation, a workspace
//! requiring it of admins and leads (enrolment during sign-in, sessions without it ended),
//! wrong codes ending the step, and an admin clearing a lost authenticator.

use hubert_app::totp;
use hubert_testkit::{
    Session, ADMIN_EMAIL, ADMIN_PASSWORD, AGENT2_EMAIL, AGENT2_PASSWORD, AGENT_EMAIL, AGENT_PASSWORD,
};

use super::*;

/// The code an authenticator app shows now for `secret` (base32, spaces allowed).
fn code_now(t: &TestApp, secret: &str) -> String {
    totp::code_at(&totp::base32_decode(secret).expect("base32 secret"), t.app.now())
}

/// The secret shown on an enrolment page.
fn secret_on_page(html: &str) -> String {
    let start = html.find("id=\"totp-secret\">").expect("secret on the page") + "id=\"totp-secret\">".len();
    html[start..start + html[start..].find('<').unwrap()].to_owned()
}

/// The recovery codes shown on a page.
fn codes_on_page(html: &str) -> Vec<String> {
    html.split("<li><code>")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().to_owned())
        .collect()
}

/// Turns two-factor sign-in on for a signed-in user; returns the secret and the codes.
async fn enrol(t: &TestApp, session: &Session) -> (String, Vec<String>) {
    let (status, e) = t.session_post(session, "/api/v1/me/two-factor", json!({}), true).await;
    assert_eq!(status, 200, "{e}");
    let secret = e["secret"].as_str().unwrap().to_owned();
    assert!(e["otpauth_uri"].as_str().unwrap().starts_with("otpauth://totp/Hubert:"));
    let (status, body) = t
        .session_post(
            session,
            "/api/v1/me/two-factor/confirm",
            json!({"code": "000000"}),
            true,
        )
        .await;
    assert_eq!(status, 422, "a wrong first code does not turn it on: {body}");
    let code = code_now(t, &secret);
    let (status, body) = t
        .session_post(session, "/api/v1/me/two-factor/confirm", json!({"code": code}), true)
        .await;
    assert_eq!(status, 200, "{body}");
    let codes: Vec<String> = body["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

both_backends!(
    a_user_turns_it_on_and_signs_in_with_a_computed_code_once,
    |t| async move {
        let agent = t.login(AGENT_EMAIL, AGENT_PASSWORD).await;
        let (secret, codes) = enrol(t, &agent).await;
        let (_, status) = t.session_get(&agent, "/api/v1/me/two-factor").await;
        assert_eq!(status["enabled"], true);
        assert_eq!(status["recovery_codes_left"], 10);

        // The code that confirmed the authenticator was used: the next is a step later.
        t.clock.advance(30_000);
        let code = code_now(t, &secret);
        let (status, session, _) = t.login_two_step(AGENT_EMAIL, AGENT_PASSWORD, |_| code.clone()).await;
        assert_eq!(status, 303);
        let session = session.expect("signed in with the code");
        assert_eq!(t.session_get(&session, "/api/v1/me").await.1["role"], "agent");

        let (status, session, html) = t.login_two_step(AGENT_EMAIL, AGENT_PASSWORD, |_| code.clone()).await;
        assert_eq!(status, 401, "a code works once");
        assert!(session.is_none());
        assert!(html.contains("klopt niet"), "the page says so in Dutch");

        // A recovery code (typed in capitals with spaces) works once instead.
        let typed = codes[3].to_uppercase().replace('-', " ");
        let (_, session, _) = t.login_two_step(AGENT_EMAIL, AGENT_PASSWORD, |_| typed.clone()).await;
        assert!(session.is_some(), "recovery code accepted");
        let (status, session, _) = t.login_two_step(AGENT_EMAIL, AGENT_PASSWORD, |_| typed.clone()).await;
        assert_eq!((status, session.is_none()), (401, true), "a recovery code works once");
        assert_eq!(
            t.session_get(&agent, "/api/v1/me/two-factor").await.1["recovery_codes_left"],
            9
        );

        let audit = t.get("/api/v1/audit?kind=two_factor.enabled").await;
        assert_eq!(audit["items"][0]["subject"], t.agent_id.as_str());
        let logins = t.get("/api/v1/audit?kind=login").await;
        let details: Vec<&str> = logins["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["detail"].as_str().unwrap())
            .collect();
        assert!(details.contains(&"two-factor, recovery code"), "{details:?}");
        let failed = t.get("/api/v1/audit?kind=login.failed").await;
        assert_eq!(failed["items"][0]["detail"], "wrong two-factor code");

        // New recovery codes need a valid code; the old ones stop working.
        t.clock.advance(30_000);
        let (status, renewed) = t
            .session_post(
                &agent,
                "/api/v1/me/two-factor/recovery-codes",
                json!({"code": code_now(t, &secret)}),
                true,
            )
            .await;
        assert_eq!(status, 200, "{renewed}");
        let old = codes[5].clone();
        let (status, _, _) = t.login_two_step(AGENT_EMAIL, AGENT_PASSWORD, |_| old.clone()).await;
        assert_eq!(status, 401, "old recovery codes are gone");

        // Turning it off needs a valid code too.
        let (status, _) = t
            .session_post(&agent, "/api/v1/me/two-factor/disable", json!({"code": "123456"}), true)
            .await;
        assert_eq!(status, 422);
        let fresh = renewed["codes"][0].as_str().unwrap();
        let (status, body) = t
            .session_post(&agent, "/api/v1/me/two-factor/disable", json!({"code": fresh}), true)
            .await;
        assert_eq!(status, 204, "{body}");
        assert!(
            t.login_status(AGENT_EMAIL, AGENT_PASSWORD).await.1.is_some(),
            "a password alone again"
        );
    }
);

both_backends!(
    the_secret_is_sealed_at_rest_and_survives_a_key_rotation,
    |t| async move {
        let agent = t.login(AGENT_EMAIL, AGENT_PASSWORD).await;
        let (secret, _) = enrol(t, &agent).await;
        let stored: String = match &t.app.store.backend() {
            hubert_store::Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&t.database_url).await.unwrap();
                sqlx::query_scalar("SELECT secret FROM two_factor")
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
            hubert_store::Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&t.database_url).await.unwrap();
                sqlx::query_scalar("SELECT secret FROM two_factor")
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        assert!(stored.starts_with("enc:"), "sealed: {stored}");
        assert!(!stored.contains(&secret), "the secret is not readable at rest");

        let new = hubert_store::SecretKey::generate();
        let rotation = t
            .app
            .store
            .rotate_key(Some(new), "cli", t.app.now())
            .await
            .expect("rotate");
        assert!(
            rotation.count >= 3,
            "profiles and the two-factor secret: {}",
            rotation.count
        );
        t.clock.advance(30_000);
        let code = code_now(t, &secret);
        let (_, session, _) = t.login_two_step(AGENT_EMAIL, AGENT_PASSWORD, |_| code).await;
        assert!(session.is_some(), "the re-sealed secret still signs in");
    }
);

async fn put_settings(t: &TestApp, session: &Session, body: &Value) -> u16 {
    let res = t
        .http
        .put(t.url("/api/v1/settings"))
        .header(reqwest::header::COOKIE, &session.cookie)
        .header("x-csrf-token", &session.csrf)
        .json(body)
        .send()
        .await
        .expect("PUT settings");
    res.status().as_u16()
}

both_backends!(a_workspace_requires_it_of_admins_and_leads, |t| async move {
    let admin = t.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let required = json!({"two_factor_required": true});
    assert_eq!(
        put_settings(t, &admin, &required).await,
        409,
        "an admin without it cannot require it (no lock-out)"
    );
    let (admin_secret, _) = enrol(t, &admin).await;

    // agent2 becomes a lead and has a session; the agent too.
    let res = t
        .http
        .patch(t.url(&format!("/api/v1/users/{}", t.agent2_id)))
        .bearer_auth(&t.token)
        .json(&json!({"role": "lead"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let lead = t.login(AGENT2_EMAIL, AGENT2_PASSWORD).await;
    let agent = t.login(AGENT_EMAIL, AGENT_PASSWORD).await;

    assert_eq!(put_settings(t, &admin, &required).await, 200);
    assert_eq!(t.get("/api/v1/settings").await["two_factor_required"], true);
    assert_eq!(
        t.session_get(&lead, "/api/v1/me").await.0,
        401,
        "the lead's session without it ended"
    );
    assert_eq!(
        t.session_get(&agent, "/api/v1/me").await.0,
        200,
        "agents are not required"
    );
    assert_eq!(t.session_get(&admin, "/api/v1/me").await.0, 200, "the admin has it");
    let (_, audit) = t.get_as("/api/v1/audit?kind=settings.changed", &t.token).await;
    assert_eq!(audit["items"][0]["detail"], "two_factor_required=true");

    // The lead enrols while signing in: QR and secret on the page, then the recovery codes.
    let (status, session, html) = t
        .login_two_step(AGENT2_EMAIL, AGENT2_PASSWORD, |page| {
            assert!(page.contains("<svg"), "a QR code");
            code_now(t, &secret_on_page(page))
        })
        .await;
    assert_eq!(status, 200);
    let lead = session.expect("signed in after enrolling");
    assert_eq!(codes_on_page(&html).len(), 10, "recovery codes shown once");
    let (_, st) = t.session_get(&lead, "/api/v1/me/two-factor").await;
    assert_eq!(
        (st["enabled"].clone(), st["required"].clone()),
        (json!(true), json!(true))
    );
    let (status, _) = t
        .session_post(&lead, "/api/v1/me/two-factor/disable", json!({"code": "000000"}), true)
        .await;
    assert_eq!(status, 409, "not while required");
    let users = t.get("/api/v1/users").await;
    let lead_item = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == t.agent2_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(lead_item["two_factor"], true);

    // The admin signs in with a code.
    t.clock.advance(30_000);
    let code = code_now(t, &admin_secret);
    let (_, session, _) = t.login_two_step(ADMIN_EMAIL, ADMIN_PASSWORD, |_| code).await;
    assert!(session.is_some());
});

both_backends!(wrong_codes_end_the_step, |t| async move {
    let agent = t.login(AGENT_EMAIL, AGENT_PASSWORD).await;
    let _ = enrol(t, &agent).await;
    // One second step, many wrong codes: after the limit the step is gone.
    let page = t.http.get(t.url("/login")).send().await.unwrap();
    let csrf_cookie = hubert_testkit::set_cookie(&page, "hubert_login_csrf").unwrap();
    let html = page.text().await.unwrap();
    let csrf = hubert_testkit::html_attr_after(&html, "name=\"csrf\"", "value").unwrap();
    let res = t
        .http
        .post(t.url("/login"))
        .header(reqwest::header::COOKIE, format!("hubert_login_csrf={csrf_cookie}"))
        .form(&[
            ("email", AGENT_EMAIL),
            ("password", AGENT_PASSWORD),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let step = hubert_testkit::set_cookie(&res, "hubert_login_step").unwrap();
    let mut statuses = Vec::new();
    for _ in 0..(hubert_app::two_factor::MAX_CODE_ATTEMPTS + 1) {
        let res = t
            .http
            .post(t.url("/login/code"))
            .header(
                reqwest::header::COOKIE,
                format!("hubert_login_step={step}; hubert_login_csrf={csrf_cookie}"),
            )
            .form(&[("code", "000000"), ("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert!(hubert_testkit::set_cookie(&res, "hubert_session").is_none());
        statuses.push(res.status().as_u16());
        t.clock.advance(60_000);
    }
    assert!(statuses.iter().all(|s| *s == 401 || *s == 429), "{statuses:?}");
    let page = t
        .http
        .get(t.url("/login/code"))
        .header(reqwest::header::COOKIE, format!("hubert_login_step={step}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 401, "the step is over: sign in again");
});

both_backends!(an_admin_clears_a_lost_authenticator, |t| async move {
    let agent = t.login(AGENT_EMAIL, AGENT_PASSWORD).await;
    let _ = enrol(t, &agent).await;
    let path = format!("/api/v1/users/{}/two-factor", t.agent_id);
    assert_eq!(t.delete_as(&path, &t.agent_token).await.0, 403, "agents cannot");
    assert_eq!(t.delete_as(&path, &t.token).await.0, 204);
    assert_eq!(t.delete_as(&path, &t.token).await.0, 409, "nothing left to clear");
    assert!(
        t.login_status(AGENT_EMAIL, AGENT_PASSWORD).await.1.is_some(),
        "a password alone again"
    );
    let audit = t.get("/api/v1/audit?kind=two_factor.reset").await;
    assert_eq!(audit["items"][0]["subject"], t.agent_id.as_str());
    let (status, _) = t.get_as("/api/v1/me/two-factor", &t.token).await;
    assert_eq!(status, 422, "a token has no two-factor sign-in");
});
