//! Signing in, the way the security review attacked it: absurd inputs are refused with 400
//! before any work and never reach the throttle; concurrent bogus logins never run more
//! argon2 hashes than the bound (503 with `Retry-After` beyond it); rotating
//! `X-Forwarded-For` from an untrusted peer does not escape the per-address limit; behind
//! a trusted proxy each forwarded client is its own bucket; the per-account back-off grows,
//! ends, and cannot be used by a stranger to keep a user out; `HUBERT_COOKIE_SECURE`.

use hubert_app::throttle::{TrustedProxies, ACCOUNT_MAX_WAIT_MS, ADDRESS_MAX_FAILURES};
use hubert_testkit::{html_attr_after, set_cookie};
use hubert_testkit::{Backend, Settings, AGENT_EMAIL, AGENT_PASSWORD};

use super::*;

/// What a login attempt answered.
#[derive(Debug)]
pub struct Attempt {
    pub status: u16,
    pub retry_after: Option<u64>,
    /// The whole `Set-Cookie` header of the session cookie, when one was set.
    pub session_cookie: Option<String>,
}

/// Posts the login form (with its CSRF cookie), optionally with `X-Forwarded-For`.
pub async fn attempt(t: &TestApp, email: &str, password: &str, forwarded_for: Option<&str>) -> Attempt {
    let page = t.http.get(t.url("/login")).send().await.expect("login page");
    let login_cookie = set_cookie(&page, "hubert_login_csrf").expect("login CSRF cookie");
    let html = page.text().await.expect("login page body");
    let csrf = html_attr_after(&html, "name=\"csrf\"", "value").expect("csrf field");
    let mut req = t
        .http
        .post(t.url("/login"))
        .header("cookie", format!("hubert_login_csrf={login_cookie}"))
        .form(&[("email", email), ("password", password), ("csrf", csrf.as_str())]);
    if let Some(xff) = forwarded_for {
        req = req.header("x-forwarded-for", xff);
    }
    let res = req.send().await.expect("login request");
    let retry_after = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let session_cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("hubert_session=") && !v.starts_with("hubert_session=;"))
        .map(str::to_owned);
    Attempt {
        status: res.status().as_u16(),
        retry_after,
        session_cookie,
    }
}

fn signed_in(a: &Attempt) -> bool {
    a.status == 303 && a.session_cookie.is_some()
}

both_backends!(absurd_logins_are_refused_with_400_before_any_work, |t| async move {
    let hashes = t.app.password_hashing().runs();
    let huge_email = format!("{}@example.nl", "a".repeat(1024 * 1024));
    let long_email = format!("{}@example.nl", "b".repeat(250));
    let long_password = "p".repeat(1025);
    for _ in 0..3 {
        assert_eq!(attempt(t, &huge_email, "x", None).await.status, 400, "1 MB e-mail");
        assert_eq!(attempt(t, &long_email, "x", None).await.status, 400, "255-byte e-mail");
        assert_eq!(
            attempt(t, AGENT_EMAIL, &long_password, None).await.status,
            400,
            "1 KB+ password"
        );
    }
    assert_eq!(t.app.password_hashing().runs(), hashes, "no password was hashed");
    assert_eq!(t.app.login_throttle_entries(), 0, "nothing entered the throttle");
    assert!(signed_in(&attempt(t, AGENT_EMAIL, AGENT_PASSWORD, None).await));
});

both_backends!(concurrent_bogus_logins_never_hash_more_than_the_bound, |t| async move {
    let attempts =
        (0..40).map(|i| async move { attempt(t, &format!("bogus{i}@example.nl"), "wrong-password", None).await });
    let results = futures::future::join_all(attempts).await;
    for a in &results {
        assert!(matches!(a.status, 401 | 429 | 503), "{a:?}");
        if matches!(a.status, 429 | 503) {
            assert!(a.retry_after.is_some_and(|s| s >= 1), "{a:?} has Retry-After");
        }
    }
    let hashing = t.app.password_hashing();
    assert!(
        hashing.peak() <= hashing.limit(),
        "{} hashes ran at once, the bound is {}",
        hashing.peak(),
        hashing.limit()
    );
});

both_backends!(
    rotating_x_forwarded_for_from_an_untrusted_peer_does_not_bypass,
    |t| async move {
        for i in 0..ADDRESS_MAX_FAILURES {
            let a = attempt(
                t,
                &format!("guess{i}@example.nl"),
                "wrong",
                Some(&format!("10.9.8.{i}")),
            )
            .await;
            assert_eq!(a.status, 401, "attempt {i}");
        }
        let a = attempt(t, "guess-next@example.nl", "wrong", Some("172.16.99.99")).await;
        assert_eq!(a.status, 429, "a fresh X-Forwarded-For does not make a fresh client");
        assert!(a.retry_after.is_some_and(|s| s > 0 && s <= 15 * 60), "{a:?}");
    }
);

both_backends!(logins_back_off_per_account_and_the_wait_ends, |t| async move {
    for n in 1..=5 {
        assert_eq!(
            attempt(t, AGENT_EMAIL, "wrong-password", None).await.status,
            401,
            "failure {n}"
        );
    }
    let a = attempt(t, AGENT_EMAIL, AGENT_PASSWORD, None).await;
    assert_eq!(a.status, 429, "even the right password waits now");
    let wait = a.retry_after.expect("Retry-After");
    assert!((1..=30).contains(&wait), "first wait {wait} s");
    t.clock.advance(i64::try_from(wait).expect("seconds") * 1000);
    assert!(
        signed_in(&attempt(t, AGENT_EMAIL, AGENT_PASSWORD, None).await),
        "after the wait"
    );
});

/// An app behind a reverse proxy on 127.0.0.1 (and ::1).
async fn behind_proxy(backend: Backend) -> Option<TestApp> {
    let settings = Settings {
        trusted_proxies: TrustedProxies::parse("127.0.0.1, ::1").expect("proxy list"),
        ..Settings::default()
    };
    TestApp::spawn_with(backend, settings).await
}

const CLIENT_A: &str = "203.0.113.7";
const CLIENT_B: &str = "198.51.100.20";
const CLIENT_C: &str = "192.0.2.33";

async fn forwarded_clients_are_separate_buckets(backend: Backend) {
    let Some(t) = behind_proxy(backend).await else { return };
    for i in 0..ADDRESS_MAX_FAILURES {
        let a = attempt(&t, &format!("guess{i}@example.nl"), "wrong", Some(CLIENT_A)).await;
        assert_eq!(a.status, 401, "attempt {i} from A");
    }
    assert_eq!(attempt(&t, "x@example.nl", "wrong", Some(CLIENT_A)).await.status, 429);
    // A client cannot pose as another by writing its own left part of the header.
    let spoof = format!("{CLIENT_B}, {CLIENT_A}");
    assert_eq!(attempt(&t, "x@example.nl", "wrong", Some(&spoof)).await.status, 429);
    // B, behind the same proxy, is its own bucket.
    assert_eq!(attempt(&t, "y@example.nl", "wrong", Some(CLIENT_B)).await.status, 401);
    assert!(signed_in(
        &attempt(&t, AGENT_EMAIL, AGENT_PASSWORD, Some(CLIENT_B)).await
    ));
    t.stop().await;
}

async fn a_stranger_cannot_keep_a_user_out(backend: Backend) {
    let Some(t) = behind_proxy(backend).await else { return };
    // The agent signed in from B before.
    assert!(signed_in(
        &attempt(&t, AGENT_EMAIL, AGENT_PASSWORD, Some(CLIENT_B)).await
    ));
    // A stranger at A hammers the agent's account.
    let mut statuses = Vec::new();
    for _ in 0..30 {
        statuses.push(attempt(&t, AGENT_EMAIL, "guess", Some(CLIENT_A)).await.status);
    }
    assert!(statuses.iter().all(|s| matches!(s, 401 | 429)), "{statuses:?}");
    assert!(statuses.iter().filter(|s| **s == 401).count() <= ADDRESS_MAX_FAILURES);
    // The agent, at the address they use, is not held up.
    assert!(signed_in(
        &attempt(&t, AGENT_EMAIL, AGENT_PASSWORD, Some(CLIENT_B)).await
    ));
    // Anywhere else the back-off holds, but it ends: the account is never locked.
    let a = attempt(&t, AGENT_EMAIL, AGENT_PASSWORD, Some(CLIENT_C)).await;
    assert_eq!(a.status, 429, "a new address waits");
    let wait_ms = i64::try_from(a.retry_after.expect("Retry-After")).expect("seconds") * 1000;
    assert!(wait_ms <= ACCOUNT_MAX_WAIT_MS, "the wait is capped: {wait_ms} ms");
    t.clock.advance(wait_ms);
    assert!(signed_in(
        &attempt(&t, AGENT_EMAIL, AGENT_PASSWORD, Some(CLIENT_C)).await
    ));
    t.stop().await;
}

mod behind_a_trusted_proxy {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn forwarded_clients_are_separate_buckets_sqlite() {
        forwarded_clients_are_separate_buckets(Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn forwarded_clients_are_separate_buckets_postgres() {
        forwarded_clients_are_separate_buckets(Backend::Postgres).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stranger_cannot_keep_a_user_out_sqlite() {
        a_stranger_cannot_keep_a_user_out(Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stranger_cannot_keep_a_user_out_postgres() {
        a_stranger_cannot_keep_a_user_out(Backend::Postgres).await
    }
}

/// Whether a login on an app with `settings` sets a `Secure` session cookie.
async fn secure_cookie(backend: Backend, settings: Settings) -> Option<bool> {
    let t = TestApp::spawn_with(backend, settings).await?;
    let a = attempt(&t, AGENT_EMAIL, AGENT_PASSWORD, None).await;
    let cookie = a.session_cookie.expect("signed in");
    t.stop().await;
    Some(cookie.split(';').any(|attr| attr.trim().eq_ignore_ascii_case("secure")))
}

async fn cookie_secure_follows_the_setting(backend: Backend) {
    let https = || Some("https://hubert.example.nl".to_owned());
    let Some(plain) = secure_cookie(backend, Settings::default()).await else {
        return;
    };
    assert!(!plain, "http public URL: no Secure by default");
    let on_https = secure_cookie(
        backend,
        Settings {
            public_url: https(),
            ..Settings::default()
        },
    )
    .await;
    assert_eq!(on_https, Some(true), "https public URL: Secure by default");
    let forced_on = Settings {
        cookie_secure: Some(true),
        ..Settings::default()
    };
    assert_eq!(
        secure_cookie(backend, forced_on).await,
        Some(true),
        "HUBERT_COOKIE_SECURE=true"
    );
    let off = Settings {
        public_url: https(),
        cookie_secure: Some(false),
        ..Settings::default()
    };
    assert_eq!(
        secure_cookie(backend, off).await,
        Some(false),
        "HUBERT_COOKIE_SECURE=false"
    );
}

mod cookie_secure {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        cookie_secure_follows_the_setting(Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        cookie_secure_follows_the_setting(Backend::Postgres).await
    }
}
