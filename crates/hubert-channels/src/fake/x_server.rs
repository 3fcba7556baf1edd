//! [`FakeX`]: a local X API v2 for posts (`POST /2/tweets`) and DMs
//! (`POST /2/dm_conversations/with/:id/messages`). Records requests, answers 201 with
//! fresh ids, sends rate-limit headers on every response (429 when spent), checks the
//! weighted 280 limit and injects scripted faults and delays.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use axum::Router;
use hubert_core::text::x_weighted_len;
use hubert_core::{Clock, FakeClock, SystemClock};
use serde_json::{json, Value};

use super::server::{RecordedRequest, ScriptedResponse, ServerHandle};

/// The account the fake treats as "us" unless told otherwise.
pub const DEFAULT_USER_ID: &str = "1600000000000000001";

#[derive(Debug)]
struct XState {
    requests: Vec<RecordedRequest>,
    scripted: VecDeque<ScriptedResponse>,
    delay: Duration,
    clock: Arc<dyn Clock>,
    our_user_id: String,
    next_id: u64,
    rate_limit: u32,
    rate_window_secs: i64,
    rate_remaining: u32,
    rate_reset_at: i64,
}

type Shared = Arc<Mutex<XState>>;

/// A fake X API on 127.0.0.1. Clones share one server; it stops when the last clone is
/// dropped or on [`FakeX::shutdown`].
#[derive(Debug, Clone)]
pub struct FakeX {
    state: Shared,
    server: Arc<ServerHandle>,
}

impl FakeX {
    /// Binds 127.0.0.1:0. Rate limit defaults to 10 000 requests per 15 minutes.
    pub async fn start() -> Self {
        let state: Shared = Arc::new(Mutex::new(XState {
            requests: Vec::new(),
            scripted: VecDeque::new(),
            delay: Duration::ZERO,
            clock: Arc::new(SystemClock),
            our_user_id: DEFAULT_USER_ID.to_string(),
            next_id: 1_874_700_000_000_002_000,
            rate_limit: 10_000,
            rate_window_secs: 900,
            rate_remaining: 10_000,
            rate_reset_at: 0,
        }));
        let router = Router::new().fallback(handle).with_state(state.clone());
        let server = Arc::new(ServerHandle::start(router).await);
        Self { state, server }
    }

    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    pub fn shutdown(&self) {
        self.server.shutdown();
    }

    fn lock(&self) -> MutexGuard<'_, XState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    pub fn clear_requests(&self) {
        self.lock().requests.clear();
    }

    /// Queues an answer served (in order) before the default behaviour; the rate-limit
    /// headers are added unless `headers` sets them.
    pub fn push_response(&self, status: u16, body: Value, headers: Vec<(String, String)>) {
        self.lock()
            .scripted
            .push_back(ScriptedResponse { status, body, headers });
    }

    pub fn set_delay(&self, delay: Duration) {
        self.lock().delay = delay;
    }

    /// `limit` requests per `window`; starts a fresh window now.
    pub fn set_rate_limit(&self, limit: u32, window: Duration) {
        let mut state = self.lock();
        state.rate_limit = limit;
        state.rate_remaining = limit;
        state.rate_window_secs = window.as_secs().max(1) as i64;
        state.rate_reset_at = 0;
    }

    /// Our user id, used in DM conversation ids.
    pub fn set_user_id(&self, user_id: &str) {
        self.lock().our_user_id = user_id.to_string();
    }

    pub fn set_now(&self, now_ms: i64) {
        self.lock().clock = Arc::new(FakeClock::new(now_ms));
    }

    pub fn set_clock(&self, clock: Arc<dyn Clock>) {
        self.lock().clock = clock;
    }
}

async fn handle(State(state): State<Shared>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let request = RecordedRequest::new(&method, &uri, &headers, &body);
    let delay = {
        let mut locked = state.lock().unwrap_or_else(|e| e.into_inner());
        locked.requests.push(request.clone());
        locked.delay
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut locked = state.lock().unwrap_or_else(|e| e.into_inner());
    let within_limit = locked.consume_rate_limit();
    let rate_headers = locked.rate_headers();
    let mut response = if let Some(scripted) = locked.scripted.pop_front() {
        scripted
    } else if !within_limit {
        problem(429, "Too Many Requests", "Too Many Requests", "about:blank")
    } else {
        let segments: Vec<&str> = uri.path().trim_matches('/').split('/').collect();
        match (method, segments.as_slice()) {
            (Method::POST, ["2", "tweets"]) => locked.create_post(&request),
            (Method::POST, ["2", "dm_conversations", "with", participant, "messages"]) => {
                let participant = participant.to_string();
                locked.create_dm(&request, &participant)
            }
            _ => problem(
                404,
                "Not Found Error",
                "The requested resource was not found.",
                "https://api.x.com/2/problems/resource-not-found",
            ),
        }
    };
    for (name, value) in rate_headers {
        if !response.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
            response.headers.push((name, value));
        }
    }
    response.into_response()
}

impl XState {
    fn now_secs(&self) -> i64 {
        self.clock.now().div_euclid(1000)
    }

    /// Starts a new window when the old one has passed; false when the budget is spent.
    fn consume_rate_limit(&mut self) -> bool {
        let now = self.now_secs();
        if now >= self.rate_reset_at {
            self.rate_reset_at = now + self.rate_window_secs;
            self.rate_remaining = self.rate_limit;
        }
        if self.rate_remaining == 0 {
            return false;
        }
        self.rate_remaining -= 1;
        true
    }

    fn rate_headers(&self) -> Vec<(String, String)> {
        vec![
            ("x-rate-limit-limit".into(), self.rate_limit.to_string()),
            ("x-rate-limit-remaining".into(), self.rate_remaining.to_string()),
            ("x-rate-limit-reset".into(), self.rate_reset_at.to_string()),
        ]
    }

    fn fresh_id(&mut self) -> String {
        self.next_id += 1;
        self.next_id.to_string()
    }

    fn create_post(&mut self, request: &RecordedRequest) -> ScriptedResponse {
        if request.bearer_token().is_none() {
            return problem(401, "Unauthorized", "Unauthorized", "about:blank");
        }
        let Some(text) = request
            .body
            .get("text")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
        else {
            return problem(
                400,
                "Invalid Request",
                "One or more parameters to your request was invalid.",
                "https://api.x.com/2/problems/invalid-request",
            );
        };
        if x_weighted_len(text) > 280 {
            return problem(
                403,
                "Forbidden",
                "Your Tweet text is too long. For more information on how Twitter determines text length see https://github.com/twitter/twitter-text.",
                "about:blank",
            );
        }
        let id = self.fresh_id();
        ScriptedResponse::new(
            201,
            json!({"data": {"id": id, "text": text, "edit_history_tweet_ids": [id]}}),
        )
    }

    fn create_dm(&mut self, request: &RecordedRequest, participant: &str) -> ScriptedResponse {
        if request.bearer_token().is_none() {
            return problem(401, "Unauthorized", "Unauthorized", "about:blank");
        }
        let has_text = request
            .body
            .get("text")
            .and_then(Value::as_str)
            .is_some_and(|t| !t.is_empty());
        if !has_text && request.body.get("attachments").is_none() {
            return problem(
                400,
                "Invalid Request",
                "One or more parameters to your request was invalid.",
                "https://api.x.com/2/problems/invalid-request",
            );
        }
        let mut pair = [participant.to_string(), self.our_user_id.clone()];
        pair.sort();
        let event_id = self.fresh_id();
        ScriptedResponse::new(
            201,
            json!({"data": {"dm_conversation_id": pair.join("-"), "dm_event_id": event_id}}),
        )
    }
}

/// An RFC 7807-style problem body as API v2 sends it.
fn problem(status: u16, title: &str, detail: &str, problem_type: &str) -> ScriptedResponse {
    ScriptedResponse::new(
        status,
        json!({"title": title, "detail": detail, "type": problem_type, "status": status}),
    )
}
