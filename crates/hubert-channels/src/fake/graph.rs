//! [`FakeGraph`]: a local WhatsApp Cloud API send endpoint. Records requests, answers
//! the documented success shape, injects scripted faults and delays, enforces the
//! 24-hour customer-service window (switchable) and can post signed status webhooks.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use axum::Router;
use base64::Engine;
use hubert_core::{Clock, FakeClock, SystemClock};
use serde_json::{json, Value};

use super::server::{RecordedRequest, ScriptedResponse, ServerHandle};
use super::whatsapp_payload::{status_object, Batch};

const WINDOW_MS: i64 = 24 * 60 * 60 * 1000;
const WINDOW_CLOSED_DETAILS: &str =
    "Message failed to send because more than 24 hours have passed since the customer last replied to this number.";

/// How the fake treats free-form messages outside the 24-hour window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WindowMode {
    /// No window check.
    #[default]
    Off,
    /// HTTP 400 with error 131047.
    SyncError,
    /// Accept with a wamid, then (if a status webhook is set) post a `failed` 131047 status.
    AsyncFailedStatus,
}

#[derive(Debug, Clone)]
struct StatusWebhook {
    url: String,
    app_secret: String,
    phone_number_id: String,
}

#[derive(Debug)]
struct GraphState {
    requests: Vec<RecordedRequest>,
    scripted: VecDeque<ScriptedResponse>,
    delay: Duration,
    window_mode: WindowMode,
    last_inbound: HashMap<String, i64>,
    clock: Arc<dyn Clock>,
    status_webhook: Option<StatusWebhook>,
    status_step_delay: Duration,
    http: reqwest::Client,
    /// Where non-WhatsApp requests go (the fake Page).
    meta_base: Option<String>,
}

type Shared = Arc<Mutex<GraphState>>;

/// A fake Graph API on 127.0.0.1. Clones share one server; it stops when the last clone
/// is dropped or on [`FakeGraph::shutdown`].
#[derive(Debug, Clone)]
pub struct FakeGraph {
    state: Shared,
    server: Arc<ServerHandle>,
    /// Facebook's side of the Graph host (see [`FakeGraph::meta`]).
    meta: super::FakeMeta,
}

impl FakeGraph {
    /// Binds 127.0.0.1:0 and serves `POST /v{N}.{M}/{phone_number_id}/messages`.
    pub async fn start() -> Self {
        let state: Shared = Arc::new(Mutex::new(GraphState {
            requests: Vec::new(),
            scripted: VecDeque::new(),
            delay: Duration::ZERO,
            window_mode: WindowMode::Off,
            last_inbound: HashMap::new(),
            clock: Arc::new(SystemClock),
            status_webhook: None,
            status_step_delay: Duration::from_millis(200),
            http: reqwest::Client::new(),
            meta_base: None,
        }));
        let meta = super::FakeMeta::facebook(super::meta_payload::PAGE_ID).await;
        lock(&state).meta_base = Some(meta.base_url());
        let router = Router::new().fallback(handle).with_state(state.clone());
        let server = Arc::new(ServerHandle::start(router).await);
        Self { state, server, meta }
    }

    /// The fake Facebook Page (`meta_payload::PAGE_ID`) on the same Graph host: every
    /// request that is not a WhatsApp one (`messaging_product: whatsapp`) is passed to it.
    pub fn meta(&self) -> &super::FakeMeta {
        &self.meta
    }

    /// `http://127.0.0.1:<port>`, to pass as the adapter's base URL.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    pub fn shutdown(&self) {
        self.server.shutdown();
        self.meta.shutdown();
    }

    fn lock(&self) -> MutexGuard<'_, GraphState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    pub fn clear_requests(&self) {
        self.lock().requests.clear();
    }

    /// Queues an answer served (in order) before the default behaviour.
    pub fn push_response(&self, status: u16, body: Value, headers: Vec<(String, String)>) {
        self.lock()
            .scripted
            .push_back(ScriptedResponse { status, body, headers });
    }

    /// Waits this long (after recording) before answering every request.
    pub fn set_delay(&self, delay: Duration) {
        self.lock().delay = delay;
    }

    pub fn set_window_mode(&self, mode: WindowMode) {
        self.lock().window_mode = mode;
    }

    /// Records the customer's last inbound message (opens/refreshes their window).
    pub fn open_window(&self, wa_id: &str, at_ms: i64) {
        self.lock()
            .last_inbound
            .insert(wa_id.trim_start_matches('+').to_string(), at_ms);
    }

    /// Pins the fake's clock at `now_ms` (epoch ms).
    pub fn set_now(&self, now_ms: i64) {
        self.lock().clock = Arc::new(FakeClock::new(now_ms));
    }

    /// Reads "now" from this clock (e.g. a `FakeClock` shared with the app).
    pub fn set_clock(&self, clock: Arc<dyn Clock>) {
        self.meta.set_clock(clock.clone());
        self.lock().clock = clock;
    }

    /// After each accepted send, POST signed `sent`, `delivered`, `read` status
    /// webhooks to `url` (or `failed` 131047 in [`WindowMode::AsyncFailedStatus`]).
    pub fn set_status_webhook(&self, url: &str, app_secret: &str, phone_number_id: &str) {
        self.lock().status_webhook = Some(StatusWebhook {
            url: url.to_string(),
            app_secret: app_secret.to_string(),
            phone_number_id: phone_number_id.to_string(),
        });
    }

    pub fn clear_status_webhook(&self) {
        self.lock().status_webhook = None;
    }

    /// Pause before each status webhook (default 200 ms).
    pub fn set_status_delay(&self, delay: Duration) {
        self.lock().status_step_delay = delay;
    }
}

async fn handle(State(state): State<Shared>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let request = RecordedRequest::new(&method, &uri, &headers, &body);
    if method == Method::POST && request.body.get("messaging_product").and_then(Value::as_str) != Some("whatsapp") {
        let (http, base) = {
            let locked = lock(&state);
            (locked.http.clone(), locked.meta_base.clone())
        };
        if let Some(base) = base {
            return pass_to_meta(&http, &base, &request, &uri, body).await;
        }
    }
    let delay = {
        let mut locked = state.lock().unwrap_or_else(|e| e.into_inner());
        locked.requests.push(request.clone());
        locked.delay
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut locked = state.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(scripted) = locked.scripted.pop_front() {
        return scripted.into_response();
    }
    let segments: Vec<&str> = uri.path().trim_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        (Method::POST, [version, _phone_number_id, "messages"]) if is_graph_version(version) => {
            send_messages(&mut locked, &request).into_response()
        }
        (Method::GET, [version, media_id]) if is_graph_version(version) => {
            media_lookup(&request, &headers, media_id).into_response()
        }
        (Method::GET, ["media-files", media_id]) => media_file(&request, media_id),
        _ => graph_error(404, 100, "Unknown path components", None).into_response(),
    }
}

/// The bytes every fake WhatsApp attachment has: the start of a JPEG.
pub const FAKE_MEDIA_JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01];

/// `GET /{version}/{media-id}` → the short-lived link (§2(g)); ids starting `404` are gone.
fn media_lookup(request: &RecordedRequest, headers: &HeaderMap, media_id: &str) -> ScriptedResponse {
    if request.bearer_token().is_none() {
        return graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token", None);
    }
    if media_id.starts_with("404") || !media_id.bytes().all(|b| b.is_ascii_digit()) {
        return graph_error(404, 100, "Unsupported get request", None);
    }
    let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    ScriptedResponse::new(
        200,
        json!({"messaging_product": "whatsapp", "url": format!("http://{host}/media-files/{media_id}"),
               "mime_type": "image/jpeg", "file_size": FAKE_MEDIA_JPEG.len().to_string(), "id": media_id}),
    )
}

/// The file behind a link: only with the token, as on the real CDN.
fn media_file(request: &RecordedRequest, _media_id: &str) -> Response {
    if request.bearer_token().is_none() {
        return graph_error(401, 190, "Invalid OAuth access token", None).into_response();
    }
    axum::response::IntoResponse::into_response(([(axum::http::header::CONTENT_TYPE, "image/jpeg")], FAKE_MEDIA_JPEG))
}

fn lock(state: &Shared) -> MutexGuard<'_, GraphState> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

/// Forwards a Facebook request to the fake Page and relays its answer.
async fn pass_to_meta(
    http: &reqwest::Client,
    base: &str,
    request: &RecordedRequest,
    uri: &Uri,
    body: Bytes,
) -> Response {
    let mut forward = http.post(format!("{base}{}", uri.path())).body(body.to_vec());
    if let Some(auth) = request.header("authorization") {
        forward = forward.header("authorization", auth);
    }
    let forward = forward.header("content-type", "application/json");
    match forward.send().await {
        Ok(answer) => {
            let status = answer.status().as_u16();
            let body = answer.json::<Value>().await.unwrap_or(Value::Null);
            ScriptedResponse {
                status,
                body,
                headers: vec![],
            }
            .into_response()
        }
        Err(_) => graph_error(502, 2, "fake Page unreachable", None).into_response(),
    }
}

/// `v21.0`, `v25.0`, … any `v\d+\.\d+`.
fn is_graph_version(segment: &str) -> bool {
    let Some(number) = segment.strip_prefix('v') else {
        return false;
    };
    let mut parts = number.split('.');
    let is_digits = |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    is_digits(parts.next()) && is_digits(parts.next()) && parts.next().is_none()
}

fn send_messages(state: &mut GraphState, request: &RecordedRequest) -> ScriptedResponse {
    if request.bearer_token().is_none() {
        return graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token", None);
    }
    let body = &request.body;
    if body.get("status").and_then(Value::as_str) == Some("read") {
        return ScriptedResponse::new(200, json!({"success": true}));
    }
    if body.get("messaging_product").and_then(Value::as_str) != Some("whatsapp") {
        return graph_error(400, 100, "(#100) The parameter messaging_product is required.", None);
    }
    let Some(to) = body.get("to").and_then(Value::as_str).filter(|t| !t.is_empty()) else {
        return graph_error(400, 100, "(#100) The parameter to is required.", None);
    };
    let message_type = body.get("type").and_then(Value::as_str).unwrap_or("text");
    if message_type == "text" {
        let text = body.pointer("/text/body").and_then(Value::as_str).unwrap_or_default();
        if text.is_empty() || text.chars().count() > 4096 {
            return graph_error(
                400,
                100,
                "(#100) Param text['body'] must be between 1 and 4096 characters long.",
                None,
            );
        }
    }
    let wa_id = to.trim_start_matches('+').to_string();
    let now = state.clock.now();
    let window_closed =
        message_type != "template" && state.last_inbound.get(&wa_id).is_none_or(|last| now - last > WINDOW_MS);
    let fails_async = match (state.window_mode, window_closed) {
        (WindowMode::SyncError, true) => {
            return graph_error(
                400,
                131_047,
                "(#131047) Re-engagement message",
                Some(WINDOW_CLOSED_DETAILS),
            )
        }
        (WindowMode::AsyncFailedStatus, true) => true,
        _ => false,
    };

    let wamid = new_wamid();
    if let Some(webhook) = state.status_webhook.clone() {
        let callback_data = body
            .get("biz_opaque_callback_data")
            .and_then(Value::as_str)
            .map(str::to_string);
        let steps: &[&str] = if fails_async {
            &["failed"]
        } else {
            &["sent", "delivered", "read"]
        };
        tokio::spawn(post_statuses(
            state.http.clone(),
            webhook,
            state.clock.clone(),
            state.status_step_delay,
            StatusRun {
                wamid: wamid.clone(),
                wa_id: wa_id.clone(),
                callback_data,
                steps,
            },
        ));
    }
    ScriptedResponse::new(
        200,
        json!({"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": wa_id}], "messages": [{"id": wamid}]}),
    )
}

struct StatusRun {
    wamid: String,
    wa_id: String,
    callback_data: Option<String>,
    steps: &'static [&'static str],
}

async fn post_statuses(
    http: reqwest::Client,
    webhook: StatusWebhook,
    clock: Arc<dyn Clock>,
    step_delay: Duration,
    run: StatusRun,
) {
    for step in run.steps {
        tokio::time::sleep(step_delay).await;
        let error = (*step == "failed").then_some((131_047, "Re-engagement message"));
        let status = status_object(
            &run.wamid,
            step,
            clock.now().div_euclid(1000),
            Some(&run.wa_id),
            run.callback_data.as_deref(),
            error,
        );
        let body = Batch::new().status(&webhook.phone_number_id, status).build();
        if super::post_meta_webhook(&http, &webhook.url, &webhook.app_secret, body)
            .await
            .is_err()
        {
            tracing::debug!(url = %webhook.url, "fake graph: status webhook not delivered");
        }
    }
}

fn new_wamid() -> String {
    let bytes: [u8; 24] = rand::random();
    format!("wamid.{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// The Graph error envelope of channels.md §1f.
fn graph_error(status: u16, code: i64, message: &str, details: Option<&str>) -> ScriptedResponse {
    let mut error = json!({"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbC123dEf456"});
    if let Some(details) = details {
        error["error_data"] = json!({"messaging_product": "whatsapp", "details": details});
    }
    ScriptedResponse::new(status, json!({ "error": error }))
}
