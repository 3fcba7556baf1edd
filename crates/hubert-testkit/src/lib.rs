//! The shared test kit: starts the real Hubert (store, migrations, router, delivery
//! worker) on 127.0.0.1:0 over a fresh SQLite file or PostgreSQL database, with a
//! [`FakeClock`] and the fake platforms ([`FakeGraph`], [`FakeX`]), seeds a workspace,
//! users, an admin token and one WhatsApp and one X profile, and offers small typed
//! helpers for driving it over HTTP. [`both_backends!`] runs one test on each database.

pub mod db;
mod session;
mod wallboard;

use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hubert_app::workers::delivery::CrashAfterSend;
use hubert_app::App;
use hubert_channels::fake::{sign_meta, FakeGraph, FakeX, Fakes};
use hubert_core::{Clock, FakeClock, Platform, Role};
use hubert_store::SecretKey;
use hubert_web::server::{self, RunningServer, ServerConfig};
use serde_json::{json, Value};

pub use session::{html_attr_after, set_cookie, Session};
pub use wallboard::{Board, EventStream, Next, SseEvent};

/// The fake clock's start: 2026-01-01 10:00:00 UTC.
pub const START_MS: i64 = 1_767_261_600_000;
/// How long helpers wait for asynchronous work (delivery, webhooks) before failing.
pub const WAIT: Duration = Duration::from_secs(5);

pub const ADMIN_EMAIL: &str = "admin@hubert.test";
pub const ADMIN_PASSWORD: &str = "admin-password-Aa1!";
pub const AGENT_EMAIL: &str = "agent@hubert.test";
pub const AGENT_PASSWORD: &str = "agent-password-Bb2!";
pub const AGENT2_EMAIL: &str = "agent2@hubert.test";
pub const AGENT2_PASSWORD: &str = "agent2-password-Cc3!";

pub const WA_PHONE_NUMBER_ID: &str = "209876543210987";
pub const WA_ACCESS_TOKEN: &str = "wa-access-token-s3cr3t-EAAG";
pub const WA_APP_SECRET: &str = "wa-app-secret-s3cr3t-7f3a";
pub const WA_VERIFY_TOKEN: &str = "wa-verify-token-s3cr3t-19c2";
pub const X_USER_ID: &str = "1600000000000000001";
pub const X_CONSUMER_SECRET: &str = "x-consumer-secret-s3cr3t-b81e";
pub const X_ACCESS_TOKEN: &str = "x-access-token-s3cr3t-44d0";

/// Every secret the seeded profiles were created with (none may ever be shown back).
pub const SECRETS: [&str; 5] = [
    WA_ACCESS_TOKEN,
    WA_APP_SECRET,
    WA_VERIFY_TOKEN,
    X_CONSUMER_SECRET,
    X_ACCESS_TOKEN,
];

/// The bearer token `/metrics` wants in tests.
pub const METRICS_TOKEN: &str = "metrics-token-s3cr3t-5e1f";
/// The origin allowed to frame wallboards in tests.
pub const SIGNAGE_ORIGIN: &str = "https://signage.example.nl";
/// How long a test server waits for a request's headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(2);

fn web_config() -> hubert_web::WebConfig {
    hubert_web::WebConfig {
        wallboard_frame_ancestors: SIGNAGE_ORIGIN.to_owned(),
        metrics_token: Some(METRICS_TOKEN.to_owned()),
    }
}

fn http_limits() -> server::HttpLimits {
    server::HttpLimits {
        header_read_timeout: HEADER_TIMEOUT,
        ..Default::default()
    }
}

/// Server settings a test may change (see [`TestApp::spawn_with`]).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `HUBERT_TRUSTED_PROXIES`.
    pub trusted_proxies: hubert_app::throttle::TrustedProxies,
    /// `HUBERT_COOKIE_SECURE`.
    pub cookie_secure: Option<bool>,
    /// `HUBERT_PUBLIC_URL` (default: the bound address over http).
    pub public_url: Option<String>,
}

/// Which database a [`TestApp`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One media directory for every app of this test process (content-addressed, so apps
/// can share it), in the system's temporary directory.
pub fn media_dir() -> Option<std::path::PathBuf> {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    Some(
        DIR.get_or_init(|| tempfile::tempdir().expect("media directory"))
            .path()
            .to_path_buf(),
    )
}

/// Where a test's database lives, kept alive (and cleaned up) with the app.
enum Database {
    Sqlite(tempfile::TempDir),
    Postgres(db::PgDatabase),
}

impl Database {
    /// A fresh database for `backend`, or `None` when PostgreSQL is not configured.
    async fn fresh(backend: Backend) -> Option<(Self, String)> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite:{}", dir.path().join("hubert.db").display());
                Some((Database::Sqlite(dir), url))
            }
            Backend::Postgres => {
                let admin = db::postgres_admin_url()?;
                let pg = db::PgDatabase::create(&admin)
                    .await
                    .unwrap_or_else(|e| panic!("cannot create a test database on {admin}: {e}"));
                let url = pg.url.clone();
                Some((Database::Postgres(pg), url))
            }
        }
    }
}

/// A running Hubert with fakes around it. See the crate docs.
pub struct TestApp {
    pub backend: Backend,
    pub base_url: String,
    /// A client that does not follow redirects (so login responses can be inspected).
    pub http: reqwest::Client,
    /// Admin API token.
    pub token: String,
    /// Agent-role API token.
    pub agent_token: String,
    pub clock: FakeClock,
    /// Every registered channel's fake platform (from the channel registry).
    pub fakes: Arc<Fakes>,
    /// The WhatsApp channel's fake, typed (the same server as in `fakes`).
    pub graph: FakeGraph,
    /// The X channel's fake, typed (the same server as in `fakes`).
    pub x: FakeX,
    pub workspace_id: String,
    pub admin_id: String,
    pub agent_id: String,
    pub agent2_id: String,
    pub wa_profile_id: String,
    pub x_profile_id: String,
    /// The application, for direct store access.
    pub app: App,
    /// Set to make the delivery worker stop right after a send, before recording it.
    pub crash_after_send: CrashAfterSend,
    server: RunningServer,
    database: Database,
    /// The database this app runs on (a second instance can share it).
    pub database_url: String,
    /// The key credentials are encrypted with: generated for PostgreSQL (as
    /// `HUBERT_SECRET_KEY` would be), `None` on SQLite (the key file beside the database).
    pub secret_key: Option<SecretKey>,
}

impl TestApp {
    /// Starts and seeds an app on `backend`; `None` when that backend is not available
    /// here (PostgreSQL without `HUBERT_TEST_POSTGRES_URL`).
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, Settings::default()).await
    }

    /// [`TestApp::spawn`] with server settings other than the defaults.
    pub async fn spawn_with(backend: Backend, settings: Settings) -> Option<TestApp> {
        Self::spawn_prepared_with(backend, settings, |_| Box::pin(async {})).await
    }

    /// Like [`TestApp::spawn`], but runs `prepare` on the fresh, empty database (given its
    /// URL) before Hubert starts on it: to build a database as an older version left it.
    pub async fn spawn_on_prepared<F>(backend: Backend, prepare: F) -> Option<TestApp>
    where
        F: for<'a> FnOnce(&'a str) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send + 'a>>,
    {
        Self::spawn_prepared_with(backend, Settings::default(), prepare).await
    }

    async fn spawn_prepared_with<F>(backend: Backend, settings: Settings, prepare: F) -> Option<TestApp>
    where
        F: for<'a> FnOnce(&'a str) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send + 'a>>,
    {
        let (database, database_url) = Database::fresh(backend).await?;
        prepare(&database_url).await;
        let shared_url = database_url.clone();
        let secret_key = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(SecretKey::generate()),
        };
        let clock = FakeClock::new(START_MS);
        let shared: Arc<dyn Clock> = Arc::new(clock.clone());
        let fakes = Arc::new(Fakes::start().await);
        fakes.set_clock(shared.clone());
        let graph: FakeGraph = fakes.typed(Platform::Whatsapp).expect("WhatsApp's fake is a FakeGraph");
        let x: FakeX = fakes.typed(Platform::X).expect("X's fake is a FakeX");
        x.set_user_id(X_USER_ID);
        let crash_after_send = CrashAfterSend::default();
        let server = server::start(ServerConfig {
            web: web_config(),
            http: http_limits(),
            listen: "127.0.0.1:0".parse().expect("loopback address"),
            database_url,
            secret_key: secret_key.clone(),
            public_url: settings.public_url,
            endpoints: fakes.urls(),
            clock: shared,
            worker_poll: Duration::from_millis(20),
            channel_poll: None,
            crash_after_send: crash_after_send.clone(),
            cookie_secure: settings.cookie_secure,
            trusted_proxies: settings.trusted_proxies,
            media_dir: crate::media_dir(),
        })
        .await
        .unwrap_or_else(|e| panic!("Hubert did not start on {backend:?}: {e:#}"));
        let app = server.app.clone();
        let now = app.now();
        let workspace_id = app
            .store
            .create_workspace("Testwerkplaats", now)
            .await
            .expect("workspace");
        let admin_id = app
            .create_user_with_password(&workspace_id, ADMIN_EMAIL, "Ada Admin", Role::Admin, ADMIN_PASSWORD)
            .await
            .expect("admin user");
        let agent_id = app
            .create_user_with_password(&workspace_id, AGENT_EMAIL, "Anna Agent", Role::Agent, AGENT_PASSWORD)
            .await
            .expect("agent user");
        let agent2_id = app
            .create_user_with_password(&workspace_id, AGENT2_EMAIL, "Bram Agent", Role::Agent, AGENT2_PASSWORD)
            .await
            .expect("agent user");
        let token = app
            .create_token(&workspace_id, "tests", Role::Admin)
            .await
            .expect("admin token");
        let agent_token = app
            .create_token(&workspace_id, "agent tests", Role::Agent)
            .await
            .expect("agent token");
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        let mut t = TestApp {
            backend,
            base_url: server.url(),
            http,
            token,
            agent_token,
            clock,
            fakes,
            graph,
            x,
            workspace_id,
            admin_id,
            agent_id,
            agent2_id,
            wa_profile_id: String::new(),
            x_profile_id: String::new(),
            app,
            crash_after_send,
            server,
            database,
            database_url: shared_url,
            secret_key,
        };
        t.wa_profile_id = t.create_profile(json!({
            "platform": "whatsapp", "name": "Klantenservice WhatsApp",
            "credentials": { "phone_number_id": WA_PHONE_NUMBER_ID, "access_token": WA_ACCESS_TOKEN, "app_secret": WA_APP_SECRET, "verify_token": WA_VERIFY_TOKEN },
            "service_level": { "threshold_minutes": 15, "target_percent": 95.0 },
        }))
        .await;
        t.x_profile_id = t.create_profile(json!({
            "platform": "x", "name": "Webcare op X",
            "credentials": { "user_id": X_USER_ID, "consumer_secret": X_CONSUMER_SECRET, "access_token": X_ACCESS_TOKEN },
            "service_level": { "threshold_minutes": 30, "target_percent": 95.0 },
        }))
        .await;
        Some(t)
    }

    async fn create_profile(&self, body: Value) -> String {
        let (status, created) = self.post("/api/v1/profiles", body).await;
        assert_eq!(status, 201, "creating a profile: {created}");
        created["id"].as_str().expect("profile id").to_owned()
    }

    /// Another Hubert instance on the same database, clock, fake platforms and secret key
    /// (scale-out).
    pub async fn second_instance(&self) -> RunningServer {
        self.instance_with_key(self.secret_key.clone())
            .await
            .expect("second instance")
    }

    /// Another instance on the same database with the given key (`None`: the SQLite key
    /// file); an error when it refuses to start.
    pub async fn instance_with_key(&self, secret_key: Option<SecretKey>) -> anyhow::Result<RunningServer> {
        server::start(ServerConfig {
            web: web_config(),
            http: http_limits(),
            listen: "127.0.0.1:0".parse().expect("loopback address"),
            database_url: self.database_url.clone(),
            secret_key,
            public_url: None,
            endpoints: self.fakes.urls(),
            clock: Arc::new(self.clock.clone()),
            worker_poll: Duration::from_millis(20),
            channel_poll: None,
            crash_after_send: CrashAfterSend::default(),
            cookie_secure: None,
            trusted_proxies: Default::default(),
            media_dir: crate::media_dir(),
        })
        .await
    }

    /// Stops the server and worker and removes the database.
    pub async fn stop(self) {
        self.server.stop().await;
        self.fakes.shutdown();
        match self.database {
            Database::Sqlite(dir) => drop(dir),
            Database::Postgres(pg) => pg.drop_now().await,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The fake clock's "now" (epoch ms).
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// "now" in whole seconds, as platforms stamp their webhooks.
    pub fn now_secs(&self) -> i64 {
        self.clock.now().div_euclid(1000)
    }

    /// The webhook URL of any channel's profile: `/webhooks/{platform}/{profile}`.
    pub fn webhook_url(&self, platform: Platform, profile_id: &str) -> String {
        self.url(&format!("/webhooks/{}/{profile_id}", platform.as_str()))
    }

    /// POSTs `body` to a profile's webhook, signed with `secret` the way the channel's
    /// fake platform signs; returns the HTTP status.
    pub async fn post_signed(&self, platform: Platform, profile_id: &str, secret: &str, body: Vec<u8>) -> u16 {
        let fake = self.fakes.get(platform).expect("a registered channel");
        let (header, signature) = fake.sign_delivery(secret, &body);
        self.http
            .post(self.webhook_url(platform, profile_id))
            .header("content-type", "application/json")
            .header(header, signature)
            .body(body)
            .send()
            .await
            .expect("webhook request")
            .status()
            .as_u16()
    }

    pub fn wa_webhook_url(&self) -> String {
        self.url(&format!("/webhooks/whatsapp/{}", self.wa_profile_id))
    }

    pub fn x_webhook_url(&self) -> String {
        self.url(&format!("/webhooks/x/{}", self.x_profile_id))
    }

    /// POSTs a correctly signed WhatsApp delivery; returns the HTTP status.
    pub async fn post_whatsapp(&self, body: Vec<u8>) -> u16 {
        let signature = sign_meta(WA_APP_SECRET, &body);
        self.post_whatsapp_with_signature(body, Some(&signature)).await
    }

    /// POSTs a WhatsApp delivery with the given (or no) `X-Hub-Signature-256`.
    pub async fn post_whatsapp_with_signature(&self, body: Vec<u8>, signature: Option<&str>) -> u16 {
        let mut req = self
            .http
            .post(self.wa_webhook_url())
            .header("content-type", "application/json")
            .body(body);
        if let Some(s) = signature {
            req = req.header(hubert_channels::whatsapp::SIGNATURE_HEADER, s);
        }
        req.send().await.expect("webhook request").status().as_u16()
    }

    /// POSTs a correctly signed X delivery; returns the HTTP status.
    pub async fn post_x(&self, body: Vec<u8>) -> u16 {
        self.post_signed(Platform::X, &self.x_profile_id, X_CONSUMER_SECRET, body)
            .await
    }

    /// A WhatsApp text message from `wa_id` sent "now"; asserts the 200.
    pub async fn customer_writes(&self, wa_id: &str, name: &str, wamid: &str, text: &str) {
        let body = hubert_channels::fake::whatsapp_payload::text_message(
            WA_PHONE_NUMBER_ID,
            wa_id,
            name,
            wamid,
            self.now_secs(),
            text,
        );
        assert_eq!(self.post_whatsapp(body).await, 200, "webhook for {wamid}");
    }

    /// GET with the admin token; panics unless 200. Returns the JSON body.
    pub async fn get(&self, path: &str) -> Value {
        let (status, body) = self.get_as(path, &self.token).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// GET with a given bearer token; returns status and JSON body (`Null` if not JSON).
    pub async fn get_as(&self, path: &str, token: &str) -> (u16, Value) {
        let res = self
            .http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET request");
        split(res).await
    }

    /// POST JSON with the admin token; returns status and JSON body.
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.post_as(path, &self.token, body).await
    }

    /// POST JSON with a given bearer token; returns status and JSON body.
    pub async fn post_as(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        let res = self
            .http
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("POST request");
        split(res).await
    }

    /// The conversation list items (admin token) for a query such as `?platform=x`.
    pub async fn conversations(&self, query: &str) -> Vec<Value> {
        self.get(&format!("/api/v1/conversations{query}")).await["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The only conversation of a profile; panics unless there is exactly one.
    pub async fn only_conversation(&self, profile_id: &str) -> Value {
        let items = self.conversations(&format!("?profile={profile_id}")).await;
        assert_eq!(items.len(), 1, "expected exactly one conversation: {items:?}");
        items[0].clone()
    }

    /// One conversation with its messages.
    pub async fn conversation(&self, id: &str) -> Value {
        self.get(&format!("/api/v1/conversations/{id}")).await
    }

    /// The messages of a conversation.
    pub async fn messages(&self, conversation_id: &str) -> Vec<Value> {
        self.conversation(conversation_id).await["messages"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Replies as the admin token; asserts 202 `queued` and returns the message id.
    pub async fn reply(&self, conversation_id: &str, body: Value) -> String {
        let (status, res) = self
            .post(&format!("/api/v1/conversations/{conversation_id}/replies"), body)
            .await;
        assert_eq!(status, 202, "reply: {res}");
        assert_eq!(res["status"], "queued", "reply: {res}");
        res["id"].as_str().expect("reply id").to_owned()
    }

    /// A message's delivery status straight from the store.
    pub async fn delivery_status(&self, message_id: &str) -> Option<String> {
        let m = self
            .app
            .store
            .message(&self.workspace_id, message_id)
            .await
            .expect("store");
        m.and_then(|m| m.delivery_status).map(|d| d.as_str().to_owned())
    }

    /// The id the platform gave a sent reply (e.g. a `wamid`).
    pub async fn platform_message_id(&self, message_id: &str) -> String {
        let m = self
            .app
            .store
            .message(&self.workspace_id, message_id)
            .await
            .expect("store")
            .expect("message exists");
        m.platform_message_id.expect("the reply has a platform id")
    }

    /// Waits (bounded by [`WAIT`]) until the message has `status`; panics otherwise.
    pub async fn wait_for_status(&self, message_id: &str, status: &str) {
        let ok = self
            .wait_until(
                || async move { self.delivery_status(message_id).await.as_deref() == Some(status) },
                WAIT,
            )
            .await;
        assert!(
            ok,
            "message {message_id} never became {status} (it is {:?})",
            self.delivery_status(message_id).await
        );
    }

    /// Polls `check` every 10 ms until it is true or `timeout` passed; returns whether
    /// it became true. For asynchronous work only: service-level deadlines are reached
    /// by moving [`TestApp::clock`], never by waiting.
    pub async fn wait_until<F, Fut>(&self, check: F, timeout: Duration) -> bool
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = bool>,
    {
        wait_until(check, timeout).await
    }

    /// Polls for a while to make sure nothing more happens (e.g. no second send).
    pub async fn settle(&self) {
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    /// Turns the crash-after-send hook on or off.
    pub fn set_crash_after_send(&self, on: bool) {
        self.crash_after_send.0.store(on, Ordering::SeqCst);
    }
}

/// Polls `check` every 10 ms until it is true or `timeout` passed.
pub async fn wait_until<F, Fut>(mut check: F, timeout: Duration) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn split(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let bytes = res.bytes().await.unwrap_or_default();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// Generates `mod $name { async fn sqlite(); async fn postgres(); }`, each starting a
/// [`TestApp`] on its backend, running the body with `$t: &TestApp`, then stopping it.
/// The PostgreSQL test returns early (after one note) when PostgreSQL is not configured.
///
/// With `prepared_by f`, the app starts on a database `f` prepared first (see
/// [`TestApp::spawn_on_prepared`]).
///
/// ```ignore
/// both_backends!(a_duplicate_delivery_changes_nothing, |t| async move { /* … */ });
/// both_backends!(an_upgrade_keeps_working, prepared_by old_version, |t| async move { /* … */ });
/// ```
#[macro_export]
macro_rules! both_backends {
    ($name:ident, |$t:ident| $body:expr) => {
        $crate::both_backends!($name, prepared_by | _ | Box::pin(async {}), |$t| $body);
    };
    ($name:ident, prepared_by $prepare:expr, |$t:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run(backend: $crate::Backend) {
                let Some(app) = $crate::TestApp::spawn_on_prepared(backend, $prepare).await else {
                    return;
                };
                {
                    let $t: &$crate::TestApp = &app;
                    $body.await;
                }
                app.stop().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run($crate::Backend::Postgres).await
            }
        }
    };
}
