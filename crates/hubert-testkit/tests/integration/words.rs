//! The team's spelling allow-list: stored in the database (so a second instance on the same
//! database sees it at once, and it survives a restart), honoured by the spelling check of
//! `POST /api/v1/text/analyze`, agents add, only leads and admins remove, invalid words are
//! refused with a JSON error, every change is audited, and the settings page `/admin/words`
//! lists the words, escaped, behind CSRF-checked forms.

use std::time::{Duration, Instant};

use hubert_core::Role;

use super::*;

const LEAD_EMAIL: &str = "lead@hubert.test";
const LEAD_PASSWORD: &str = "lead-password-Dd4!";

/// A text with an invented brand name the dictionary cannot know ("Stroomkompas" would not
/// do: the dictionary accepts it as a compound of stroom + kompas).
const TEXT: &str = "Hoi! Met de app Voltiq zie je precies wanneer je zonnepanelen het meeste opleveren.";

/// The misspelled words `POST /api/v1/text/analyze` reports for `text` on `base_url`.
async fn misspelled(t: &TestApp, base_url: &str, text: &str) -> Vec<String> {
    let res = t
        .http
        .post(format!("{base_url}/api/v1/text/analyze"))
        .bearer_auth(&t.agent_token)
        .json(&json!({ "text": text }))
        .send()
        .await
        .expect("analyze request");
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().await.expect("analysis JSON");
    body["spelling"]
        .as_array()
        .expect("a spelling list")
        .iter()
        .map(|m| m["word"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// The allow-list as `GET /api/v1/text/allow-list` on `base_url` returns it.
async fn listed(t: &TestApp, base_url: &str) -> Vec<String> {
    let res = t
        .http
        .get(format!("{base_url}/api/v1/text/allow-list"))
        .bearer_auth(&t.agent_token)
        .send()
        .await
        .expect("allow-list request");
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().await.expect("allow-list JSON");
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|w| w.as_str().unwrap_or("").to_owned())
        .collect()
}

async fn delete_word(t: &TestApp, token: &str, word: &str) -> (u16, Value) {
    let res = t
        .http
        .delete(t.url(&format!("/api/v1/text/allow-list/{word}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("DELETE request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// (action, subject) of the allow-list's audit entries, sorted, read straight from the database.
async fn audit(t: &TestApp) -> Vec<(String, String)> {
    let q = "SELECT action, subject FROM audit_log WHERE action LIKE 'allowed_word.%'";
    match t.backend {
        hubert_testkit::Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&t.database_url).await.expect("sqlite");
            let rows = sqlx::query_as(q).fetch_all(&pool).await.expect("audit rows");
            pool.close().await;
            sorted(rows)
        }
        hubert_testkit::Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&t.database_url).await.expect("postgres");
            let rows = sqlx::query_as(q).fetch_all(&pool).await.expect("audit rows");
            pool.close().await;
            sorted(rows)
        }
    }
}

fn sorted(mut rows: Vec<(String, String)>) -> Vec<(String, String)> {
    rows.sort();
    rows
}

both_backends!(an_allowed_word_is_stored_shared_and_honoured, |t| async move {
    let before = misspelled(t, &t.base_url, TEXT).await;
    assert!(
        before.iter().any(|w| w == "Voltiq"),
        "the dictionary does not know the brand: {before:?}"
    );

    // An agent adds it from the composer (trimmed, stored as typed).
    let (status, res) = t
        .post_as(
            "/api/v1/text/allow-list",
            &t.agent_token,
            json!({ "word": "  Voltiq " }),
        )
        .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["items"], json!(["Voltiq"]));
    // Adding it again, in any case, changes nothing.
    let (status, res) = t
        .post_as("/api/v1/text/allow-list", &t.agent_token, json!({ "word": "voltiq" }))
        .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["items"], json!(["Voltiq"]));

    let after = misspelled(t, &t.base_url, TEXT).await;
    assert!(!after.iter().any(|w| w == "Voltiq"), "allowed now: {after:?}");
    let lower = misspelled(t, &t.base_url, &TEXT.replace("Voltiq", "voltiq")).await;
    assert!(lower.is_empty(), "case does not matter: {lower:?}");

    // In the database: a second instance on the same database sees and honours it at once.
    let second = t.second_instance().await;
    assert_eq!(listed(t, &second.url()).await, ["Voltiq"]);
    let there = misspelled(t, &second.url(), TEXT).await;
    assert!(!there.iter().any(|w| w == "Voltiq"), "{there:?}");

    // …and a word added there is honoured here.
    let (status, _) = t
        .http
        .post(format!("{}/api/v1/text/allow-list", second.url()))
        .bearer_auth(&t.agent_token)
        .json(&json!({ "word": "Enervana" }))
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .expect("POST on the second instance");
    assert_eq!(status, 200);
    second.stop().await;
    assert_eq!(listed(t, &t.base_url).await, ["Enervana", "Voltiq"]);

    // Re-read through the store, as after a restart: who added it and when.
    let mut rows = t.app.store.allowed_words(&t.workspace_id).await.expect("store");
    rows.sort_by(|a, b| b.word.cmp(&a.word));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].word, "Voltiq");
    assert!(rows[0].added_by.starts_with("token:"), "{:?}", rows[0]);
    assert_eq!(rows[0].added_at, t.now());

    assert_eq!(
        audit(t).await,
        [
            ("allowed_word.add".to_owned(), "Enervana".to_owned()),
            ("allowed_word.add".to_owned(), "Voltiq".to_owned())
        ]
    );
});

both_backends!(agents_add_words_but_only_leads_and_admins_remove_them, |t| async move {
    for word in ["Voltiq", "Enervana"] {
        let (status, res) = t
            .post_as("/api/v1/text/allow-list", &t.agent_token, json!({ "word": word }))
            .await;
        assert_eq!(status, 200, "{res}");
    }

    let (status, res) = delete_word(t, &t.agent_token, "Voltiq").await;
    assert_eq!(status, 403, "{res}");
    assert_eq!(res["error"]["code"], "forbidden");
    assert_eq!(listed(t, &t.base_url).await, ["Enervana", "Voltiq"]);

    let lead_token = t
        .app
        .create_token(&t.workspace_id, "lead tests", Role::Lead)
        .await
        .expect("lead token");
    // Any case removes it.
    let (status, res) = delete_word(t, &lead_token, "VOLTIQ").await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["items"], json!(["Enervana"]));
    let (status, res) = delete_word(t, &lead_token, "Voltiq").await;
    assert_eq!(status, 404, "{res}");
    assert_eq!(res["error"]["code"], "not_found");

    let (status, res) = delete_word(t, &t.token, "Enervana").await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["items"], json!([]));

    // Removed words are reported again.
    let again = misspelled(t, &t.base_url, TEXT).await;
    assert!(again.iter().any(|w| w == "Voltiq"), "{again:?}");
    let actions: Vec<String> = audit(t).await.into_iter().map(|(a, s)| format!("{a} {s}")).collect();
    assert_eq!(
        actions,
        [
            "allowed_word.add Enervana",
            "allowed_word.add Voltiq",
            "allowed_word.remove Enervana",
            "allowed_word.remove Voltiq"
        ]
    );
});

both_backends!(invalid_words_are_refused_with_a_json_error, |t| async move {
    let long = "a".repeat(65);
    let ok_long = "b".repeat(64);
    for bad in [
        "",
        "   ",
        "twee woorden",
        "tab\there",
        "<script>",
        "zon.nl",
        "a@b",
        long.as_str(),
    ] {
        let (status, res) = t
            .post_as("/api/v1/text/allow-list", &t.agent_token, json!({ "word": bad }))
            .await;
        assert_eq!(status, 422, "{bad:?}: {res}");
        assert_eq!(res["error"]["code"], "invalid_word", "{bad:?}: {res}");
        assert!(res["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{res}");
    }
    let (status, res) = t
        .post_as("/api/v1/text/allow-list", &t.agent_token, json!({ "wrd": "Enervana" }))
        .await;
    assert_eq!(status, 422, "{res}");
    assert_eq!(res["error"]["code"], "invalid_json");
    assert!(listed(t, &t.base_url).await.is_empty());

    for good in ["e-Boekhouden", "d'Oude", "Énergie2go", ok_long.as_str()] {
        let (status, res) = t
            .post_as("/api/v1/text/allow-list", &t.agent_token, json!({ "word": good }))
            .await;
        assert_eq!(status, 200, "{good:?}: {res}");
    }
    assert_eq!(listed(t, &t.base_url).await.len(), 4);
});

both_backends!(the_settings_page_lists_escapes_adds_and_removes_words, |t| async move {
    t.app
        .create_user_with_password(&t.workspace_id, LEAD_EMAIL, "Lotte Lead", Role::Lead, LEAD_PASSWORD)
        .await
        .expect("lead user");
    let lead = t.login(LEAD_EMAIL, LEAD_PASSWORD).await;
    let agent = t
        .login(hubert_testkit::AGENT_EMAIL, hubert_testkit::AGENT_PASSWORD)
        .await;

    // Leads get the link and the page; agents neither.
    let (_, home) = t.page(&lead, "/").await;
    assert!(home.contains("href=\"/admin/words\""), "lead nav");
    let (_, home) = t.page(&agent, "/").await;
    assert!(!home.contains("href=\"/admin/words\""), "agent nav");
    let (status, _) = t.page(&agent, "/admin/words").await;
    assert_eq!(status, 403);

    // Whatever is in the table is escaped on the page (the API would refuse this one).
    t.app
        .store
        .add_allowed_word(&t.workspace_id, "<b>Zon&Co</b>", "someone", t.now())
        .await
        .expect("store");
    let (status, res) = t
        .post_as("/api/v1/text/allow-list", &t.agent_token, json!({ "word": "Voltiq" }))
        .await;
    assert_eq!(status, 200, "{res}");
    let (status, html) = t.page(&lead, "/admin/words").await;
    assert_eq!(status, 200);
    assert!(html.contains("Woordenlijst"), "Dutch by default");
    assert!(html.contains("Voltiq"));
    assert!(html.contains("&lt;b&gt;Zon&amp;Co&lt;/b&gt;"), "escaped: {html}");
    assert!(!html.contains("<b>Zon"), "never raw");
    let (_, english) = t.page(&lead, "/admin/words?lang=en").await;
    assert!(english.contains("Word list"));

    let form = |path: &str, csrf: &str, word: &str| {
        t.http
            .post(t.url(path))
            .header(reqwest::header::COOKIE, &lead.cookie)
            .form(&[("csrf", csrf.to_owned()), ("word", word.to_owned())])
            .send()
    };
    // Forms need the session's CSRF token.
    let res = form("/admin/words", "wrong", "Enervana").await.expect("POST");
    assert_eq!(res.status().as_u16(), 403);
    let res = form("/admin/words", &lead.csrf, "Enervana").await.expect("POST");
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/admin/words");
    // An invalid word: the page again, with a message, nothing stored.
    let res = form("/admin/words", &lead.csrf, "twee woorden").await.expect("POST");
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("geen geldig woord"), "{html}");

    let res = form("/admin/words/remove", "wrong", "Voltiq").await.expect("POST");
    assert_eq!(res.status().as_u16(), 403);
    let res = form("/admin/words/remove", &lead.csrf, "Voltiq").await.expect("POST");
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(listed(t, &t.base_url).await, ["<b>Zon&Co</b>", "Enervana"]);
});

both_backends!(analysis_with_an_allow_list_stays_fast, |t| async move {
    for i in 0..50 {
        let (status, res) = t
            .post_as(
                "/api/v1/text/allow-list",
                &t.agent_token,
                json!({ "word": format!("Merknaam{i}") }),
            )
            .await;
        assert_eq!(status, 200, "{res}");
    }
    let text: String = "Hoi Fatima, je meterstanden van Voltiq zijn goed ontvangen en verwerkt. \
        De nieuwe termijnbedragen zie je binnen twee werkdagen in de app. Laat gerust weten als er nog iets is! "
        .chars()
        .cycle()
        .take(280)
        .collect();
    misspelled(t, &t.base_url, &text).await; // loads the dictionary
    let mut analyze = Vec::new();
    let mut read = Vec::new();
    for _ in 0..200 {
        let start = Instant::now();
        misspelled(t, &t.base_url, &text).await;
        analyze.push(start.elapsed());
        let start = Instant::now();
        t.app.store.allowed_word_list(&t.workspace_id).await.expect("store");
        read.push(start.elapsed());
    }
    let p = |v: &mut Vec<Duration>, q: f64| {
        v.sort();
        v[((v.len() as f64 * q) as usize).min(v.len() - 1)]
    };
    println!(
        "{:?}: analyze 280 chars with 50 allowed words p50 {:?} p99 {:?}; allow-list read p50 {:?} p99 {:?}",
        t.backend,
        p(&mut analyze, 0.5),
        p(&mut analyze, 0.99),
        p(&mut read, 0.5),
        p(&mut read, 0.99)
    );
    // Generous: debug builds on a busy machine. The point is the list read is no bottleneck.
    assert!(p(&mut read, 0.99) < Duration::from_millis(50));
});
