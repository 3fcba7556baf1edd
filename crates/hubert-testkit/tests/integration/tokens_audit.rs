//! API tokens expire and are revoked at once (API and `/admin/tokens`), their last use is
//! written at most once a minute, expired sessions are swept (also when an instance
//! starts), and security events land in the audit log: listed and filtered at
//! `/api/v1/audit`, exported as escaped CSV without live formulas, shown at `/admin/audit`,
//! and never holding an unknown e-mail address.

use hubert_testkit::{Session, ADMIN_EMAIL, ADMIN_PASSWORD, AGENT_EMAIL};

use super::accounts::attempt;
use super::*;

const DAY: i64 = 24 * 60 * MINUTE;

/// One number from the database (`SELECT COUNT(*) …`).
async fn count(t: &TestApp, sql: &str) -> i64 {
    match t.backend {
        hubert_testkit::Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&t.database_url).await.expect("sqlite");
            let n = sqlx::query_scalar(sql).fetch_one(&pool).await.expect("count");
            pool.close().await;
            n
        }
        hubert_testkit::Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&t.database_url).await.expect("postgres");
            let n = sqlx::query_scalar(sql).fetch_one(&pool).await.expect("count");
            pool.close().await;
            n
        }
    }
}

/// Makes a token through the API; returns (id, token).
async fn new_token(t: &TestApp, body: Value) -> (String, String) {
    let (status, created) = t.post("/api/v1/tokens", body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("id").to_owned();
    let token = created["token"].as_str().expect("token shown once").to_owned();
    (id, token)
}

fn listed(list: &Value, id: &str) -> Value {
    list["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["id"] == id))
        .cloned()
        .unwrap_or(Value::Null)
}

both_backends!(tokens_expire_and_revoked_tokens_stop_at_once, |t| async move {
    let (id, token) = new_token(t, json!({ "name": "crm", "role": "agent", "expires_in_days": 1 })).await;
    assert_eq!(t.get_as("/api/v1/me", &token).await.0, 200);
    let list = t.get("/api/v1/tokens").await;
    let text = list.to_string();
    assert!(
        !text.contains(&token) && !text.contains("hash"),
        "never the token: {text}"
    );
    assert_eq!(listed(&list, &id)["state"], "active");
    assert_eq!(listed(&list, &id)["expires_at"], t.now() + DAY);
    t.clock.advance(DAY);
    assert_eq!(t.get_as("/api/v1/me", &token).await.0, 401, "expired");
    assert_eq!(listed(&t.get("/api/v1/tokens").await, &id)["state"], "expired");

    let (id, token) = new_token(t, json!({ "name": "zapier", "role": "lead" })).await;
    assert_eq!(t.get_as("/api/v1/me", &token).await.0, 200);
    assert_eq!(t.delete_as(&format!("/api/v1/tokens/{id}"), &t.token).await.0, 204);
    assert_eq!(t.get_as("/api/v1/me", &token).await.0, 401, "revoked: refused at once");
    assert_eq!(listed(&t.get("/api/v1/tokens").await, &id)["state"], "revoked");
    assert_eq!(
        t.delete_as(&format!("/api/v1/tokens/{id}"), &t.token).await.0,
        204,
        "again: no change"
    );
    let unknown = hubert_core::new_id();
    assert_eq!(t.delete_as(&format!("/api/v1/tokens/{unknown}"), &t.token).await.0, 404);
});

both_backends!(only_admins_manage_tokens_and_input_is_checked, |t| async move {
    assert_eq!(t.get_as("/api/v1/tokens", &t.agent_token).await.0, 403);
    let (status, _) = t
        .post_as(
            "/api/v1/tokens",
            &t.agent_token,
            json!({ "name": "x", "role": "admin" }),
        )
        .await;
    assert_eq!(status, 403);
    for bad in [
        json!({ "name": "", "role": "agent" }),
        json!({ "name": "x", "role": "owner" }),
        json!({ "name": "x", "role": "agent", "expires_in_days": 0 }),
        json!({ "name": "x", "role": "agent", "expires_in_days": 100000 }),
    ] {
        let (status, body) = t.post("/api/v1/tokens", bad.clone()).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
});

both_backends!(the_last_use_is_written_at_most_once_a_minute, |t| async move {
    let (id, token) = new_token(t, json!({ "name": "poller", "role": "agent" })).await;
    let last_used = || async { listed(&t.get("/api/v1/tokens").await, &id)["last_used_at"].clone() };
    assert_eq!(last_used().await, Value::Null);
    let first = t.now();
    for _ in 0..5 {
        assert_eq!(t.get_as("/api/v1/me", &token).await.0, 200);
    }
    assert_eq!(last_used().await, first);
    t.clock.advance(30_000);
    assert_eq!(t.get_as("/api/v1/me", &token).await.0, 200);
    assert_eq!(last_used().await, first, "not again within the minute");
    t.clock.advance(30_000);
    assert_eq!(t.get_as("/api/v1/me", &token).await.0, 200);
    assert_eq!(last_used().await, t.now(), "a minute later it is written");
});

both_backends!(
    expired_sessions_are_swept_also_when_an_instance_starts,
    |t| async move {
        let session = t.login(AGENT_EMAIL, hubert_testkit::AGENT_PASSWORD).await;
        assert_eq!(count(t, "SELECT COUNT(*) FROM sessions").await, 1);
        assert_eq!(t.app.sweep_expired().await.expect("sweep"), 0, "still valid");
        t.clock.advance(15 * DAY);
        assert_eq!(
            t.page(&session, "/").await.0,
            303,
            "an expired session no longer opens pages"
        );
        // A new instance sweeps as it starts.
        let second = t.second_instance().await;
        let swept = t
            .wait_until(|| async { count(t, "SELECT COUNT(*) FROM sessions").await == 0 }, WAIT)
            .await;
        second.stop().await;
        assert!(swept, "the expired session was removed");
    }
);

/// A form POST with the session cookie.
async fn form_post(t: &TestApp, session: &Session, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let res = t
        .http
        .post(t.url(path))
        .header("cookie", &session.cookie)
        .form(fields)
        .send()
        .await
        .expect("form POST");
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}

both_backends!(admins_manage_tokens_on_the_tokens_page, |t| async move {
    let admin = t.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (status, html) = t.page(&admin, "/admin/tokens").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("API-tokens") && html.contains("/admin/audit"),
        "Dutch, in the admin frame"
    );
    let fields = [
        ("csrf", admin.csrf.as_str()),
        ("name", "Koppeling <b>"),
        ("role", "agent"),
        ("expires_in_days", "30"),
    ];
    let (status, html) = form_post(t, &admin, "/admin/tokens", &fields).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Koppeling &lt;b&gt;") || html.contains("Koppeling &#60;b&#62;"),
        "escaped"
    );
    let token = html_token(&html).expect("the new token is shown once");
    assert_eq!(t.get_as("/api/v1/me", &token).await.0, 200);
    assert!(
        !t.page(&admin, "/admin/tokens").await.1.contains(&token),
        "and only once"
    );
    let list = t.get("/api/v1/tokens").await;
    let item = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["name"] == "Koppeling <b>")
        .cloned();
    let id = item.expect("listed")["id"].as_str().expect("id").to_owned();
    let wrong_csrf = [("csrf", "nope"), ("id", id.as_str())];
    assert_eq!(form_post(t, &admin, "/admin/tokens/revoke", &wrong_csrf).await.0, 403);
    let revoke = [("csrf", admin.csrf.as_str()), ("id", id.as_str())];
    assert_eq!(form_post(t, &admin, "/admin/tokens/revoke", &revoke).await.0, 303);
    assert_eq!(t.get_as("/api/v1/me", &token).await.0, 401);
    let agent = t.login(AGENT_EMAIL, hubert_testkit::AGENT_PASSWORD).await;
    assert_eq!(t.page(&agent, "/admin/tokens").await.0, 403);
    assert_eq!(t.page(&agent, "/admin/audit").await.0, 403);
});

/// The token in the page's `<code class="new-token">`.
fn html_token(html: &str) -> Option<String> {
    let start = html.find("class=\"new-token\">")? + "class=\"new-token\">".len();
    let end = html[start..].find('<')?;
    Some(html[start..start + end].to_owned())
}

fn kinds(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["kind"].as_str().unwrap_or("").to_owned())
        .collect()
}

both_backends!(security_events_are_audited_and_filtered, |t| async move {
    let stranger = "stranger.unknown@nowhere.test";
    assert_eq!(attempt(t, AGENT_EMAIL, "wrong-password", None).await.status, 401);
    assert_eq!(attempt(t, stranger, "hunter2-secret", None).await.status, 401);
    let agent = t.login(AGENT_EMAIL, hubert_testkit::AGENT_PASSWORD).await;
    let (status, _) = form_post(t, &agent, "/logout", &[("csrf", agent.csrf.as_str())]).await;
    assert_eq!(status, 303);
    let (id, _) = new_token(t, json!({ "name": "crm", "role": "agent" })).await;
    assert_eq!(t.delete_as(&format!("/api/v1/tokens/{id}"), &t.token).await.0, 204);

    let all = t.get("/api/v1/audit?limit=1000").await;
    let text = all.to_string();
    assert!(
        !text.contains(stranger) && !text.contains("hunter2"),
        "no unknown e-mail, no password"
    );
    let k = kinds(&all);
    for kind in [
        "token.revoked",
        "token.created",
        "logout",
        "login",
        "login.failed",
        "profile.created",
        "user.created",
    ] {
        assert!(k.contains(&kind.to_owned()), "{kind} in {k:?}");
    }
    assert_eq!(k[0], "token.revoked", "newest first");
    let failed = t.get("/api/v1/audit?kind=login.failed").await;
    let items = failed["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert!(
        items.iter().any(|i| i["subject"] == t.agent_id),
        "the known user is named by id"
    );
    assert!(items.iter().any(|i| i["subject"] == ""), "the unknown one is not named");
    assert!(items.iter().all(|i| i["client"] == "127.0.0.1"));
    let logins = t.get("/api/v1/audit?kind=login").await;
    assert_eq!(logins["items"][0]["actor_name"], "Anna Agent");

    // Periods and pages.
    t.clock.advance(2 * DAY);
    t.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let today = t.app.calendar.format_date(t.now());
    let recent = t.get(&format!("/api/v1/audit?from={today}")).await;
    assert_eq!(kinds(&recent), ["login"]);
    let before = t.get(&format!("/api/v1/audit?to={}", t.now() - DAY)).await;
    assert_eq!(kinds(&before), kinds(&all), "everything before the new login");
    let page = t.get("/api/v1/audit?limit=2").await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(page["next_offset"], 2);
    assert_eq!(t.get_as("/api/v1/audit?kind=nonsense", &t.token).await.0, 422);
    assert_eq!(t.get_as("/api/v1/audit", &t.agent_token).await.0, 403);
});

both_backends!(the_audit_csv_is_escaped_and_formulas_are_neutralised, |t| async move {
    let name = "=HYPERLINK(\"http://evil.test\",\"x\"),+1";
    new_token(t, json!({ "name": name, "role": "agent" })).await;
    for path in [
        "/api/v1/audit.csv?kind=token.created",
        "/api/v1/audit?kind=token.created&format=csv",
    ] {
        let res = t.http.get(t.url(path)).bearer_auth(&t.token).send().await.expect("CSV");
        assert_eq!(res.status().as_u16(), 200, "{path}");
        let kind = res.headers()["content-type"].to_str().unwrap_or("").to_owned();
        assert!(kind.starts_with("text/csv"), "{kind}");
        let csv = res.text().await.expect("body");
        assert!(
            csv.starts_with("time,at,kind,actor,actor_name,subject,client,detail\r\n"),
            "{csv}"
        );
        assert!(
            csv.contains("\"'=HYPERLINK(\"\"http://evil.test\"\",\"\"x\"\"),+1 (agent)\""),
            "escaped and neutralised: {csv}"
        );
    }
    assert_eq!(t.get_as("/api/v1/audit.csv", &t.agent_token).await.0, 403);
});

both_backends!(the_audit_page_filters_and_links_the_csv, |t| async move {
    let admin = t.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (status, html) = t.page(&admin, "/admin/audit?kind=login").await;
    assert_eq!(status, 200);
    assert!(html.contains("Auditlog"), "Dutch by default");
    assert!(
        html.contains("/api/v1/audit.csv?kind=login"),
        "the CSV link keeps the filter"
    );
    assert!(html.contains("<td>login</td>") && html.contains("Ada Admin"), "{html}");
    assert!(!html.contains("<td>user.created</td>"), "filtered on kind");
    let (status, _) = t.page(&admin, "/admin/audit?from=yesterday").await;
    assert_eq!(status, 400);
    let csv = t.session_get(&admin, "/api/v1/audit.csv?kind=login").await;
    assert_eq!(csv.0, 200, "the link works with the session cookie");
});
