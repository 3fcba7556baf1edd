//! People managed by admins: a role change takes effect at once, and a leaver is
//! deactivated — their sessions end, the tokens they made stop working, they cannot sign
//! in — with the change in the audit log. Admins cannot lock themselves out.

use hubert_core::Role;
use hubert_testkit::{ADMIN_EMAIL, ADMIN_PASSWORD, AGENT_EMAIL, AGENT_PASSWORD};

use super::*;

async fn patch_user(t: &TestApp, token: &str, id: &str, body: Value) -> (u16, Value) {
    let res = t
        .http
        .patch(t.url(&format!("/api/v1/users/{id}")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("patch user");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

both_backends!(a_role_change_takes_effect_at_once, |t| async move {
    let agent = t.login(AGENT_EMAIL, AGENT_PASSWORD).await;
    assert_eq!(t.session_get(&agent, "/api/v1/me").await.1["role"], "agent");
    let (status, body) = patch_user(t, &t.token, &t.agent_id, json!({"role": "lead"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["role"], "lead");
    assert_eq!(t.session_get(&agent, "/api/v1/me").await.1["role"], "lead");
    let (status, _) = patch_user(t, &t.token, &t.agent_id, json!({"role": "boss"})).await;
    assert_eq!(status, 422);
    let (status, _) = patch_user(t, &t.agent_token, &t.agent2_id, json!({"role": "admin"})).await;
    assert_eq!(status, 403, "agents manage nobody");
    let users = t.get("/api/v1/users").await;
    assert!(users["items"][0]["email"].is_string(), "admins see e-mail addresses");
    let (_, as_agent) = t.get_as("/api/v1/users", &t.agent_token).await;
    assert!(as_agent["items"][0].get("email").is_none(), "agents do not");
});

both_backends!(
    a_deactivated_leaver_loses_sessions_tokens_and_sign_in_at_once,
    |t| async move {
        let leaver_id = t
            .app
            .create_user_with_password(
                &t.workspace_id,
                "leaver@hubert.test",
                "Lex Leaver",
                Role::Admin,
                "leaver-Pw-9!",
            )
            .await
            .expect("leaver");
        let leaver = t.login("leaver@hubert.test", "leaver-Pw-9!").await;
        let (status, created) = t
            .session_post(
                &leaver,
                "/api/v1/tokens",
                json!({"name": "leaver's script", "role": "agent"}),
                true,
            )
            .await;
        assert_eq!(status, 201, "{created}");
        let leaver_token = created["token"].as_str().unwrap().to_owned();
        assert_eq!(t.get_as("/api/v1/me", &leaver_token).await.0, 200);

        let (status, body) = patch_user(t, &t.token, &leaver_id, json!({"active": false})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["active"], false);
        assert_eq!(t.session_get(&leaver, "/api/v1/me").await.0, 401, "the session ended");
        assert_eq!(
            t.get_as("/api/v1/me", &leaver_token).await.0,
            401,
            "their token stopped"
        );
        let (status, _) = t.login_status("leaver@hubert.test", "leaver-Pw-9!").await;
        assert_eq!(status, 401, "no sign-in");
        let kinds = t.get("/api/v1/audit?kind=user.deactivated").await;
        assert!(kinds.to_string().contains(&leaver_id), "{kinds}");

        let (status, _) = patch_user(t, &t.token, &leaver_id, json!({"active": true})).await;
        assert_eq!(status, 200);
        assert_eq!(
            t.login_status("leaver@hubert.test", "leaver-Pw-9!").await.0,
            303,
            "back in"
        );
    }
);

both_backends!(an_admin_cannot_lock_themself_out, |t| async move {
    let admin = t.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let res = t
        .http
        .patch(t.url(&format!("/api/v1/users/{}", t.admin_id)))
        .header("cookie", &admin.cookie)
        .header("x-csrf-token", &admin.csrf)
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    let (status, _) = patch_user(t, &t.token, &hubert_core::new_id(), json!({"name": "X"})).await;
    assert_eq!(status, 404);
});

both_backends!(
    an_admin_creates_a_colleague_who_then_chooses_a_password,
    |t| async move {
        let (status, created) = t
            .post(
                "/api/v1/users",
                json!({"email": "nieuw@hubert.test", "name": "Nina Nieuw", "role": "agent"}),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(created["role"], "agent");
        assert_eq!(created["active"], true);
        let first = created["password"].as_str().unwrap().to_owned();
        let (status, _) = t
            .post(
                "/api/v1/users",
                json!({"email": "nieuw@hubert.test", "name": "Twee", "role": "agent"}),
            )
            .await;
        assert_eq!(status, 409, "an e-mail address is taken once");

        let session = t.login("nieuw@hubert.test", &first).await;
        let other = t.login("nieuw@hubert.test", &first).await;
        let (status, body) = t
            .session_post(
                &session,
                "/api/v1/me/password",
                json!({"current_password": "wrong", "new_password": "a-long-new-password"}),
                true,
            )
            .await;
        assert_eq!(status, 422, "{body}");
        let (status, _) = t
            .session_post(
                &session,
                "/api/v1/me/password",
                json!({"current_password": first, "new_password": "short"}),
                true,
            )
            .await;
        assert_eq!(status, 422, "too short");
        let (status, body) = t
            .session_post(
                &session,
                "/api/v1/me/password",
                json!({"current_password": first, "new_password": "a-long-new-password"}),
                true,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            t.session_get(&session, "/api/v1/me").await.0,
            200,
            "this session goes on"
        );
        assert_eq!(t.session_get(&other, "/api/v1/me").await.0, 401, "other sessions end");
        assert_eq!(t.login_status("nieuw@hubert.test", &first).await.0, 401);
        assert_eq!(t.login_status("nieuw@hubert.test", "a-long-new-password").await.0, 303);
        let audit = t.get("/api/v1/audit?kind=password.changed").await.to_string();
        assert!(
            !audit.contains("a-long-new-password") && !audit.contains(&first),
            "no passwords in the log"
        );
        let (status, _) = t
            .post_as(
                "/api/v1/users",
                &t.agent_token,
                json!({"email": "x@hubert.test", "name": "X", "role": "admin"}),
            )
            .await;
        assert_eq!(status, 403);
    }
);

both_backends!(the_people_page_is_for_admins, |t| async move {
    let admin = t.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (status, html) = t.page(&admin, "/admin/users").await;
    assert_eq!(status, 200);
    assert!(html.contains("Mensen") && html.contains("Anna Agent") && html.contains(AGENT_EMAIL));
    assert!(
        html.contains("Op inactief zetten"),
        "a leaver can be deactivated from the page"
    );
    assert!(!html.contains("$argon2"), "never a password hash");
    let agent = t.login(AGENT_EMAIL, AGENT_PASSWORD).await;
    assert_eq!(t.page(&agent, "/admin/users").await.0, 403);
});

both_backends!(
    a_reset_link_sets_a_new_password_once_and_ends_every_session,
    |t| async move {
        let old = t.login(AGENT_EMAIL, AGENT_PASSWORD).await;
        let (status, link) = t
            .post(&format!("/api/v1/users/{}/reset-link", t.agent_id), json!({}))
            .await;
        assert_eq!(status, 201, "{link}");
        let url = link["url"].as_str().unwrap().to_owned();
        let path = url.trim_start_matches(&t.base_url).to_owned();
        assert!(path.starts_with("/reset/"), "{url}");
        let (status, _) = t
            .post_as(
                &format!("/api/v1/users/{}/reset-link", t.agent_id),
                &t.agent_token,
                json!({}),
            )
            .await;
        assert_eq!(status, 403, "admins only");

        let page = t.http.get(t.url(&path)).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let set = |password: &'static str| t.http.post(t.url(&path)).form(&[("password", password)]).send();
        assert_eq!(set("kort").await.unwrap().status(), 422, "too short");
        let done = set("een-nieuw-wachtwoord").await.unwrap();
        assert_eq!(done.status(), 303, "to the login page");
        assert_eq!(t.session_get(&old, "/api/v1/me").await.0, 401, "every session ended");
        assert_eq!(t.login_status(AGENT_EMAIL, "een-nieuw-wachtwoord").await.0, 303);
        assert_eq!(set("nog-een-ander-wachtwoord").await.unwrap().status(), 404, "once");
        assert_eq!(
            t.http.get(t.url("/reset/not-a-token")).send().await.unwrap().status(),
            404
        );
        let audit = t.get("/api/v1/audit?kind=password.reset").await.to_string();
        assert!(audit.contains(&t.agent_id) && !audit.contains("een-nieuw-wachtwoord"));
    }
);
