//! [`FakeLinkedin`]: a local LinkedIn Community Management API. Answers
//! `POST /rest/socialActions/{urn}/comments` with 201 + `x-restli-id` (requiring the
//! bearer token, `LinkedIn-Version` and `X-Restli-Protocol-Version: 2.0.0`), serves
//! `GET /rest/organizationalEntityNotifications` from notifications it was given,
//! records every request, runs out of quota with 429, and plays LinkedIn's side of the
//! webhook: the `challengeCode` validation (blocked after 3 failures in a row) and signed
//! deliveries in either reading of `X-LI-Signature` (channels.md §6, §9).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use axum::Router;
use hubert_core::{Clock, SystemClock};
use rand::Rng;
use serde_json::{json, Value};

use super::server::{RecordedRequest, ScriptedResponse, ServerHandle};
use super::SignatureReading;

#[derive(Debug)]
struct LinkedinState {
    requests: Vec<RecordedRequest>,
    scripted: VecDeque<ScriptedResponse>,
    delay: std::time::Duration,
    notifications: Vec<Value>,
    posts: std::collections::HashMap<String, Value>,
    quota: Option<u32>,
    next_id: u64,
    clock: Arc<dyn Clock>,
    reading: SignatureReading,
    failed_validations: u32,
    duplicate_deliveries: bool,
}

type Shared = Arc<Mutex<LinkedinState>>;

/// A fake LinkedIn API on 127.0.0.1. Clones share one server; it stops when the last
/// clone is dropped or on [`FakeLinkedin::shutdown`].
#[derive(Debug, Clone)]
pub struct FakeLinkedin {
    state: Shared,
    server: Arc<ServerHandle>,
    http: reqwest::Client,
}

impl FakeLinkedin {
    /// Binds 127.0.0.1:0; signs deliveries in reading 1 (prefix inside the HMAC).
    pub async fn start() -> Self {
        let state: Shared = Arc::new(Mutex::new(LinkedinState {
            requests: Vec::new(),
            scripted: VecDeque::new(),
            delay: std::time::Duration::ZERO,
            notifications: Vec::new(),
            posts: std::collections::HashMap::new(),
            quota: None,
            next_id: 7_412_900_000_000_000_000,
            clock: Arc::new(SystemClock),
            reading: SignatureReading::Prefixed,
            failed_validations: 0,
            duplicate_deliveries: false,
        }));
        let router = Router::new().fallback(handle).with_state(state.clone());
        let server = Arc::new(ServerHandle::start(router).await);
        Self {
            state,
            server,
            http: reqwest::Client::new(),
        }
    }

    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    pub fn shutdown(&self) {
        self.server.shutdown();
    }

    fn lock(&self) -> MutexGuard<'_, LinkedinState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

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

    /// Answers API requests only after `delay` (timeouts, slow platform).
    pub fn set_delay(&self, delay: std::time::Duration) {
        self.lock().delay = delay;
    }

    /// Allows `remaining` more API requests, then answers 429 (`None`: no limit).
    pub fn set_quota(&self, remaining: Option<u32>) {
        self.lock().quota = remaining;
    }

    /// Notifications the poll endpoint serves (filtered by `timeRange`, paged).
    pub fn add_notifications(&self, notifications: Vec<Value>) {
        self.lock().notifications.extend(notifications);
    }

    /// A post `GET /rest/posts/{urn}` serves (Posts API shape: `author`, `commentary`).
    pub fn add_post(&self, post_urn: &str, author: &str, text: &str) {
        let post = json!({"id": post_urn, "author": author, "commentary": text, "visibility": "PUBLIC",
                          "lifecycleState": "PUBLISHED", "distribution": {"feedDistribution": "MAIN_FEED"}});
        self.lock().posts.insert(post_urn.to_string(), post);
    }

    pub fn set_clock(&self, clock: Arc<dyn Clock>) {
        self.lock().clock = clock;
    }

    /// Which reading of `X-LI-Signature` deliveries use.
    pub fn set_signature_reading(&self, reading: SignatureReading) {
        self.lock().reading = reading;
    }

    /// Deliver every webhook POST twice (LinkedIn "can occasionally" do so).
    pub fn set_duplicate_deliveries(&self, on: bool) {
        self.lock().duplicate_deliveries = on;
    }

    /// True after 3 failed validations in a row: LinkedIn sends no events until a
    /// validation succeeds again.
    pub fn is_blocked(&self) -> bool {
        self.lock().failed_validations >= 3
    }

    /// LinkedIn's validation GET (at registration and every 2 hours): a fresh UUID v4
    /// `challengeCode`, expecting 200 JSON with the hex HMAC within 3 s. True on success.
    pub async fn validate_webhook(&self, webhook_url: &str, client_secret: &str) -> bool {
        let code = random_uuid();
        let expected = super::hmac_sha256(client_secret, code.as_bytes());
        let answer = self
            .http
            .get(webhook_url)
            .query(&[("challengeCode", code.as_str())])
            .timeout(std::time::Duration::from_secs(3))
            .send()
            .await;
        let ok = match answer {
            Ok(response) if response.status().as_u16() == 200 => {
                let body: Value = response.json().await.unwrap_or(Value::Null);
                body["challengeCode"] == code.as_str() && body["challengeResponse"] == hex::encode(expected)
            }
            _ => false,
        };
        let mut state = self.lock();
        state.failed_validations = if ok { 0 } else { state.failed_validations + 1 };
        ok
    }

    /// POSTs a signed delivery as LinkedIn would (twice when duplicates are on) and
    /// returns the last HTTP status; `None` when the endpoint is blocked (nothing sent).
    pub async fn deliver(
        &self,
        webhook_url: &str,
        client_secret: &str,
        body: Vec<u8>,
    ) -> Option<Result<u16, reqwest::Error>> {
        let (reading, times) = {
            let state = self.lock();
            if state.failed_validations >= 3 {
                return None;
            }
            (state.reading, if state.duplicate_deliveries { 2 } else { 1 })
        };
        let mut last = None;
        for _ in 0..times {
            last =
                Some(super::post_linkedin_webhook(&self.http, webhook_url, client_secret, body.clone(), reading).await);
        }
        last
    }
}

fn random_uuid() -> String {
    let mut bytes: [u8; 16] = rand::thread_rng().gen();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let h = hex::encode(bytes);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
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
    if let Some(scripted) = locked.scripted.pop_front() {
        return scripted.into_response();
    }
    if let Some(quota) = locked.quota.as_mut() {
        if *quota == 0 {
            let mut answer = error(429, "TOO_MANY_REQUESTS", "Resource level throttle limit reached");
            answer.headers.push(("retry-after".into(), "60".into()));
            return answer.into_response();
        }
        *quota -= 1;
    }
    if let Some(refusal) = check_headers(&request) {
        return refusal.into_response();
    }
    let segments: Vec<&str> = uri.path().trim_matches('/').split('/').collect();
    let answer = match (method, segments.as_slice()) {
        (Method::POST, [prefix, "socialActions", target, "comments"]) if is_prefix(prefix) => {
            let target = crate::linkedin::urn::decode(target);
            locked.create_comment(&request, &target)
        }
        (Method::GET, [prefix, "organizationalEntityNotifications"]) if is_prefix(prefix) => {
            locked.notifications_page(uri.query().unwrap_or_default())
        }
        (Method::GET, [prefix, "posts", post]) if is_prefix(prefix) => {
            match locked.posts.get(&crate::linkedin::urn::decode(post)) {
                Some(post) => ScriptedResponse::new(200, post.clone()),
                None => error(404, "NOT_FOUND", "Post not found"),
            }
        }
        _ => error(404, "NOT_FOUND", "No resource found"),
    };
    answer.into_response()
}

fn is_prefix(segment: &str) -> bool {
    segment == "rest" || segment == "v2"
}

/// 401 without a bearer token, 426 without a `LinkedIn-Version` of six digits, 400
/// without `X-Restli-Protocol-Version: 2.0.0`.
fn check_headers(request: &RecordedRequest) -> Option<ScriptedResponse> {
    if request.bearer_token().is_none() {
        return Some(error(401, "INVALID_ACCESS_TOKEN", "Invalid access token"));
    }
    let version_ok = request
        .header("linkedin-version")
        .is_some_and(|v| v.len() == 6 && v.bytes().all(|b| b.is_ascii_digit()));
    if !version_ok {
        return Some(error(426, "NONEXISTENT_VERSION", "Requested version is not active"));
    }
    if request.header("x-restli-protocol-version") != Some("2.0.0") {
        return Some(error(
            400,
            "ILLEGAL_ARGUMENT",
            "Rest.li protocol version 2.0.0 required",
        ));
    }
    None
}

impl LinkedinState {
    fn create_comment(&mut self, request: &RecordedRequest, target: &str) -> ScriptedResponse {
        let body = &request.body;
        let text = body
            .pointer("/message/text")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let (Some(actor), Some(object)) = (body["actor"].as_str(), body["object"].as_str()) else {
            return error(422, "UNPROCESSABLE_ENTITY", "actor and object are required");
        };
        if text.trim().is_empty() {
            return error(422, "UNPROCESSABLE_ENTITY", "message.text must not be empty");
        }
        let parent = body["parentComment"].as_str();
        if target != object && Some(target) != parent {
            return error(
                400,
                "ILLEGAL_ARGUMENT",
                "path URN is neither the object nor the parent comment",
            );
        }
        self.next_id += 1;
        let urn = format!("urn:li:comment:({object},{})", self.next_id);
        let now = self.clock.now();
        let mut answer = ScriptedResponse::new(
            201,
            json!({"id": self.next_id.to_string(), "commentUrn": urn, "actor": actor, "object": object,
                   "message": {"text": text}, "parentComment": parent,
                   "created": {"actor": actor, "time": now}, "lastModified": {"actor": actor, "time": now}}),
        );
        answer.headers.push(("x-restli-id".into(), urn));
        answer
    }

    fn notifications_page(&self, query: &str) -> ScriptedResponse {
        let param = |name: &str| {
            query
                .split('&')
                .find_map(|pair| pair.strip_prefix(name).and_then(|rest| rest.strip_prefix('=')))
        };
        let number = |name: &str, default: i64| param(name).and_then(|v| v.parse::<i64>().ok()).unwrap_or(default);
        let range = param("timeRange").unwrap_or_default();
        let bound = |key: &str| {
            range
                .split([',', '(', ')'])
                .find_map(|part| part.strip_prefix(key))
                .and_then(|v| v.parse::<i64>().ok())
        };
        let (from, until) = (bound("start:").unwrap_or(i64::MIN), bound("end:").unwrap_or(i64::MAX));
        let in_range: Vec<&Value> = self
            .notifications
            .iter()
            .filter(|n| n["lastModifiedAt"].as_i64().is_some_and(|t| t >= from && t <= until))
            .collect();
        let start = number("start", 0).max(0) as usize;
        let count = number("count", 10).clamp(1, 100) as usize;
        let page: Vec<Value> = in_range.into_iter().skip(start).take(count).cloned().collect();
        ScriptedResponse::new(200, super::linkedin_payload::poll_page(page, start))
    }
}

/// LinkedIn's error body shape (channels.md §6f).
fn error(status: u16, code: &str, message: &str) -> ScriptedResponse {
    ScriptedResponse::new(
        status,
        json!({"status": status, "serviceErrorCode": 100, "code": code, "message": message}),
    )
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use axum::extract::Query;
    use axum::http::StatusCode;
    use axum::routing::get;

    use super::*;
    use crate::fake::linkedin_payload as payload;
    use crate::linkedin::{parse_delivery, verify_handshake, verify_signature, SIGNATURE_HEADER};
    use crate::InboundEvent;

    const ORG: &str = "urn:li:organization:10203040";
    const SECRET: &str = "li-client-secret";

    /// A minimal receiver doing what the webhook route will: answer the challenge,
    /// verify, parse, keep the events.
    async fn receiver() -> (ServerHandle, Arc<Mutex<Vec<InboundEvent>>>) {
        let events = Arc::new(Mutex::new(Vec::new()));
        let kept = events.clone();
        let router = Router::new().route(
            "/webhook",
            get(|Query(query): Query<HashMap<String, String>>| async move {
                match verify_handshake(&query, SECRET) {
                    Some(body) => (StatusCode::OK, body),
                    None => (StatusCode::BAD_REQUEST, String::new()),
                }
            })
            .post(move |headers: HeaderMap, body: Bytes| async move {
                let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
                if verify_signature(SECRET, signature, &body).is_err() {
                    return StatusCode::UNAUTHORIZED;
                }
                match parse_delivery(&body) {
                    Ok(parsed) => {
                        kept.lock().unwrap().extend(parsed.events);
                        StatusCode::OK
                    }
                    Err(_) => StatusCode::BAD_REQUEST,
                }
            }),
        );
        (ServerHandle::start(router).await, events)
    }

    #[tokio::test]
    async fn the_fake_validates_and_delivers_in_both_readings_with_duplicates() {
        let (server, events) = receiver().await;
        let url = format!("{}/webhook", server.base_url());
        let fake = FakeLinkedin::start().await;
        assert!(fake.validate_webhook(&url, SECRET).await);
        assert!(!fake.validate_webhook(&url, "wrong-secret").await);
        assert!(!fake.is_blocked());

        let body = payload::envelope(vec![
            payload::comment(
                ORG,
                1,
                "7412345678901234567",
                "7412399999999999999",
                "urn:li:person:Aa1",
                "Vraag",
                1,
            ),
            payload::like(ORG, 2, "7412345678901234567", 2),
        ]);
        assert_eq!(fake.deliver(&url, SECRET, body.clone()).await.unwrap().unwrap(), 200);
        fake.set_signature_reading(SignatureReading::Plain);
        fake.set_duplicate_deliveries(true);
        assert_eq!(fake.deliver(&url, SECRET, body.clone()).await.unwrap().unwrap(), 200);
        assert_eq!(fake.deliver(&url, "other", body).await.unwrap().unwrap(), 401);
        // Three deliveries reached the receiver; the store dedupes the same comment URN.
        assert_eq!(events.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn the_fake_insists_on_the_versioned_headers() {
        let fake = FakeLinkedin::start().await;
        let http = reqwest::Client::new();
        let url = format!(
            "{}/rest/socialActions/urn%3Ali%3Aactivity%3A1/comments",
            fake.base_url()
        );
        let body = json!({"actor": ORG, "object": "urn:li:activity:1", "message": {"text": "hoi"}});
        let status = |r: reqwest::Response| r.status().as_u16();
        let no_version = http.post(&url).bearer_auth("t").json(&body).send().await.unwrap();
        assert_eq!(status(no_version), 426);
        let no_restli = http
            .post(&url)
            .bearer_auth("t")
            .header("LinkedIn-Version", "202601")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(status(no_restli), 400);
        let created = http
            .post(&url)
            .bearer_auth("t")
            .header("LinkedIn-Version", "202601")
            .header("X-Restli-Protocol-Version", "2.0.0")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(created.status().as_u16(), 201);
        assert!(created.headers()["x-restli-id"]
            .to_str()
            .unwrap()
            .starts_with("urn:li:comment:(urn:li:activity:1,"));
        assert_eq!(fake.requests().len(), 3);
    }
}
