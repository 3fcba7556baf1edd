//! [`FakeMeta`]: a local Graph API for Facebook Pages and Instagram accounts. Answers
//! `POST /v{N}.{M}/{id}/messages` (DMs and private replies), `/{comment}/comments`
//! (Facebook public replies), `/{comment}/replies` (Instagram) and `/{comment}` (hide)
//! with the documented success shapes; enforces the messaging window (24 h,
//! `HUMAN_AGENT` to 7 days, error 10/2018278), Instagram's 1000-byte limit,
//! one private reply per comment within 7 days, and code 190 once the token is
//! expired; records requests, serves scripted faults and posts signed echoes.
//! Fidelity list: channels.md §9.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use axum::Router;
use hubert_core::{Clock, FakeClock, SystemClock};
use serde_json::{json, Value};

use super::meta_payload::{self as payload, MetaBatch};
use super::server::{RecordedRequest, ScriptedResponse, ServerHandle};
use crate::meta::{HUMAN_AGENT_WINDOW_MS, PRIVATE_REPLY_WINDOW_MS, STANDARD_WINDOW_MS};

/// Which network the fake plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FakeNetwork {
    Facebook,
    Instagram,
}

#[derive(Debug, Clone)]
struct EchoWebhook {
    url: String,
    app_secret: String,
}

#[derive(Debug)]
struct MetaState {
    network: FakeNetwork,
    account_id: String,
    requests: Vec<RecordedRequest>,
    scripted: VecDeque<ScriptedResponse>,
    delay: Duration,
    enforce_window: bool,
    last_inbound: HashMap<String, i64>,
    comment_times: HashMap<String, i64>,
    private_replied: HashSet<String>,
    hidden: HashMap<String, bool>,
    token_expired: bool,
    clock: Arc<dyn Clock>,
    echo_webhook: Option<EchoWebhook>,
    http: reqwest::Client,
    next_id: u64,
}

type Shared = Arc<Mutex<MetaState>>;

/// A fake Graph API on 127.0.0.1 for one Page or Instagram account. Clones share one
/// server; it stops when the last clone is dropped or on [`FakeMeta::shutdown`].
#[derive(Debug, Clone)]
pub struct FakeMeta {
    state: Shared,
    server: Arc<ServerHandle>,
}

impl FakeMeta {
    /// A Facebook Page's Graph API (Messenger and Page comments).
    pub async fn facebook(page_id: &str) -> Self {
        Self::start(FakeNetwork::Facebook, page_id).await
    }

    /// An Instagram account's API (either host: paths are the same).
    pub async fn instagram(account_id: &str) -> Self {
        Self::start(FakeNetwork::Instagram, account_id).await
    }

    async fn start(network: FakeNetwork, account_id: &str) -> Self {
        let state: Shared = Arc::new(Mutex::new(MetaState {
            network,
            account_id: account_id.to_string(),
            requests: Vec::new(),
            scripted: VecDeque::new(),
            delay: Duration::ZERO,
            enforce_window: true,
            last_inbound: HashMap::new(),
            comment_times: HashMap::new(),
            private_replied: HashSet::new(),
            hidden: HashMap::new(),
            token_expired: false,
            clock: Arc::new(SystemClock),
            echo_webhook: None,
            http: reqwest::Client::new(),
            next_id: 1,
        }));
        let router = Router::new().fallback(handle).with_state(state.clone());
        let server = Arc::new(ServerHandle::start(router).await);
        Self { state, server }
    }

    /// `http://127.0.0.1:<port>`, to pass as the Graph (or Instagram) base URL.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    pub fn shutdown(&self) {
        self.server.shutdown();
    }

    fn lock(&self) -> MutexGuard<'_, MetaState> {
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

    /// Whether DMs outside the window are refused with 10/2018278 (default: on).
    pub fn set_enforce_window(&self, enforce: bool) {
        self.lock().enforce_window = enforce;
    }

    /// Records the customer's last message (opens/refreshes their window).
    pub fn open_window(&self, user_id: &str, at_ms: i64) {
        self.lock().last_inbound.insert(user_id.to_string(), at_ms);
    }

    /// Records when a comment was made (for the 7-day private-reply rule).
    pub fn set_comment_time(&self, comment_id: &str, at_ms: i64) {
        self.lock().comment_times.insert(comment_id.to_string(), at_ms);
    }

    /// From now on every request answers 401 with code 190 (token expired).
    pub fn expire_token(&self) {
        self.lock().token_expired = true;
    }

    /// Pins the fake's clock at `now_ms` (epoch ms).
    pub fn set_now(&self, now_ms: i64) {
        self.lock().clock = Arc::new(FakeClock::new(now_ms));
    }

    /// Reads "now" from this clock (e.g. a `FakeClock` shared with the app).
    pub fn set_clock(&self, clock: Arc<dyn Clock>) {
        self.lock().clock = clock;
    }

    /// After each accepted send, POST a signed echo (our app id
    /// [`payload::APP_ID`]; for comments: our own comment in `feed`/`comments`).
    pub fn set_echo_webhook(&self, url: &str, app_secret: &str) {
        self.lock().echo_webhook = Some(EchoWebhook {
            url: url.to_string(),
            app_secret: app_secret.to_string(),
        });
    }

    pub fn clear_echo_webhook(&self) {
        self.lock().echo_webhook = None;
    }

    /// The hidden state the fake holds for a comment, if it was ever set.
    pub fn hidden(&self, comment_id: &str) -> Option<bool> {
        self.lock().hidden.get(comment_id).copied()
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
    if let Some(scripted) = locked.scripted.pop_front() {
        return scripted.into_response();
    }
    if locked.token_expired || request.bearer_token().is_none() {
        return graph_error(401, 190, None, "Error validating access token: Session has expired").into_response();
    }
    let path = uri.path().trim_matches('/').to_string();
    let segments: Vec<&str> = path.split('/').collect();
    let answer = match (method, segments.as_slice()) {
        (Method::POST, [version, _, "messages"]) if is_graph_version(version) => send_message(&mut locked, &request),
        (Method::POST, [version, comment, "comments"])
            if is_graph_version(version) && locked.network == FakeNetwork::Facebook =>
        {
            reply_to_comment(&mut locked, comment, &request)
        }
        (Method::POST, [version, comment, "replies"])
            if is_graph_version(version) && locked.network == FakeNetwork::Instagram =>
        {
            reply_to_comment(&mut locked, comment, &request)
        }
        (Method::POST, [version, comment]) if is_graph_version(version) => set_hidden(&mut locked, comment, &request),
        _ => graph_error(404, 100, None, "Unknown path components"),
    };
    answer.into_response()
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

fn send_message(state: &mut MetaState, request: &RecordedRequest) -> ScriptedResponse {
    let body = &request.body;
    let text = body
        .pointer("/message/text")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if let Some(refusal) = check_text(state.network, text) {
        return refusal;
    }
    let now = state.clock.now();
    let (recipient, private_reply) =
        if let Some(comment) = body.pointer("/recipient/comment_id").and_then(Value::as_str) {
            if let Some(refusal) = check_private_reply(state, comment, now) {
                return refusal;
            }
            state.private_replied.insert(comment.to_string());
            (format!("{}", 7_000_000_000_000_000u64 + state.next_id), true)
        } else if let Some(user) = body.pointer("/recipient/id").and_then(Value::as_str) {
            if let Some(refusal) = check_window(state, user, body, now) {
                return refusal;
            }
            (user.to_string(), false)
        } else {
            return graph_error(400, 100, None, "(#100) The parameter recipient is required");
        };
    let mid = format!("m_fake{:020}", next(state));
    if !private_reply {
        let event = payload::echo_event(&state.account_id, &recipient, &mid, now, text, Some(payload::APP_ID));
        let batch = match state.network {
            FakeNetwork::Facebook => MetaBatch::page(),
            FakeNetwork::Instagram => MetaBatch::instagram(),
        };
        post_echo(state, batch.messaging(&state.account_id, event).build());
    }
    ScriptedResponse::new(200, json!({"recipient_id": recipient, "message_id": mid}))
}

fn check_text(network: FakeNetwork, text: &str) -> Option<ScriptedResponse> {
    let too_long = match network {
        FakeNetwork::Facebook => text.chars().count() > 2000,
        FakeNetwork::Instagram => text.len() > 1000,
    };
    if text.is_empty() {
        return Some(graph_error(
            400,
            100,
            None,
            "(#100) Param message[text] must be non-empty",
        ));
    }
    too_long.then(|| graph_error(400, 100, None, "(#100) Length of param message[text] is too long"))
}

/// 24 h plain; to 7 days only with `MESSAGE_TAG` + `HUMAN_AGENT`; Facebook requires a
/// `messaging_type`.
fn check_window(state: &MetaState, user: &str, body: &Value, now: i64) -> Option<ScriptedResponse> {
    let messaging_type = body.get("messaging_type").and_then(Value::as_str);
    if state.network == FakeNetwork::Facebook && messaging_type.is_none() {
        return Some(graph_error(400, 100, None, "(#100) param messaging_type is required"));
    }
    if !state.enforce_window {
        return None;
    }
    let tagged =
        messaging_type == Some("MESSAGE_TAG") && body.get("tag").and_then(Value::as_str) == Some("HUMAN_AGENT");
    let allowed = match state.last_inbound.get(user) {
        Some(last) if now - last <= STANDARD_WINDOW_MS => true,
        Some(last) => tagged && now - last <= HUMAN_AGENT_WINDOW_MS,
        None => false,
    };
    (!allowed).then(|| {
        graph_error(
            400,
            10,
            Some(2_018_278),
            "(#10) This message is sent outside of allowed window.",
        )
    })
}

fn check_private_reply(state: &MetaState, comment: &str, now: i64) -> Option<ScriptedResponse> {
    if state.private_replied.contains(comment) {
        return Some(graph_error(
            400,
            100,
            None,
            "(#100) This comment already has a private reply.",
        ));
    }
    let too_old = state
        .comment_times
        .get(comment)
        .is_some_and(|at| now - at > PRIVATE_REPLY_WINDOW_MS);
    too_old.then(|| {
        graph_error(
            400,
            10,
            Some(2_018_278),
            "(#10) This message is sent outside of allowed window.",
        )
    })
}

fn reply_to_comment(state: &mut MetaState, comment: &str, request: &RecordedRequest) -> ScriptedResponse {
    let text = request.body.get("message").and_then(Value::as_str).unwrap_or_default();
    if text.is_empty() {
        return graph_error(400, 100, None, "(#100) The parameter message is required");
    }
    let n = next(state);
    let now = state.clock.now();
    let account = state.account_id.clone();
    let (id, delivery) = match state.network {
        FakeNetwork::Facebook => {
            let post_part = comment.split('_').next().unwrap_or(comment);
            let id = format!("{post_part}_{}", 9_000_000_000_000_000u64 + n);
            let post_id = format!("{account}_{post_part}");
            let mut value =
                payload::feed_comment(&account, "Pagina", &post_id, &id, Some(comment), now / 1000, text, None);
            value["parent_id"] = json!(comment);
            (
                id,
                MetaBatch::page().change(&account, "feed", value, now / 1000).build(),
            )
        }
        FakeNetwork::Instagram => {
            let id = format!("{}", 18_000_000_000_000_000u64 + n);
            let value = payload::ig_comment(&id, &account, "onze_account", text, "17955566677788899", Some(comment));
            (
                id,
                MetaBatch::instagram()
                    .change(&account, "comments", value, now / 1000)
                    .build(),
            )
        }
    };
    post_echo(state, delivery);
    ScriptedResponse::new(200, json!({ "id": id }))
}

fn set_hidden(state: &mut MetaState, comment: &str, request: &RecordedRequest) -> ScriptedResponse {
    let key = match state.network {
        FakeNetwork::Facebook => "is_hidden",
        FakeNetwork::Instagram => "hide",
    };
    let Some(hidden) = request.body.get(key).and_then(Value::as_bool) else {
        return graph_error(400, 100, None, "(#100) Unsupported post request");
    };
    state.hidden.insert(comment.to_string(), hidden);
    ScriptedResponse::new(200, json!({"success": true}))
}

fn next(state: &mut MetaState) -> u64 {
    let n = state.next_id;
    state.next_id += 1;
    n
}

fn post_echo(state: &MetaState, delivery: Vec<u8>) {
    if let Some(webhook) = state.echo_webhook.clone() {
        let http = state.http.clone();
        tokio::spawn(async move {
            if super::post_meta_webhook(&http, &webhook.url, &webhook.app_secret, delivery)
                .await
                .is_err()
            {
                tracing::debug!(url = %webhook.url, "fake meta: echo webhook not delivered");
            }
        });
    }
}

/// The Graph error envelope of channels.md §1f.
fn graph_error(status: u16, code: i64, subcode: Option<i64>, message: &str) -> ScriptedResponse {
    let mut error = json!({"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbC123dEf456"});
    if let Some(subcode) = subcode {
        error["error_subcode"] = json!(subcode);
    }
    ScriptedResponse::new(status, json!({ "error": error }))
}

#[cfg(test)]
mod tests {
    use axum::routing::post;

    use super::*;
    use crate::meta::{facebook, instagram, send_facebook, FacebookCredentials, MetaAction, ParseOptions};
    use crate::{DeliveryStatus, InboundEvent};

    const NOW: i64 = 1_767_261_600_000;

    async fn receiver() -> (ServerHandle, tokio::sync::mpsc::UnboundedReceiver<Vec<u8>>) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
        let router = Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: Bytes| {
                let tx = tx.clone();
                async move {
                    let signature = headers.get("x-hub-signature-256").and_then(|v| v.to_str().ok());
                    assert_eq!(crate::meta::verify_signature("app-secret", signature, &body), Ok(()));
                    let _ = tx.send(body.to_vec());
                    "ok"
                }
            }),
        );
        (ServerHandle::start(router).await, rx)
    }

    #[tokio::test]
    async fn sends_are_echoed_with_our_app_id_and_comment_replies_as_our_comments() {
        let (hook, mut echoes) = receiver().await;
        let fake = FakeMeta::facebook(payload::PAGE_ID).await;
        fake.set_now(NOW);
        fake.open_window("7012345678901234", NOW);
        fake.set_echo_webhook(&format!("{}/hook", hook.base_url()), "app-secret");
        let creds = FacebookCredentials {
            page_id: payload::PAGE_ID.into(),
            page_access_token: "t".into(),
            app_secret: "app-secret".into(),
            verify_token: "v".into(),
        };
        let http = reqwest::Client::new();
        let dm = MetaAction::Message {
            recipient_id: "7012345678901234".into(),
            text: "Dag!".into(),
            reply_to_mid: None,
            last_customer_message_at: Some(NOW),
            now: NOW,
        };
        let crate::SendOutcome::Accepted { platform_message_id } =
            send_facebook(&http, &fake.base_url(), &creds, &dm).await
        else {
            panic!("not accepted")
        };
        let echo = tokio::time::timeout(Duration::from_secs(10), echoes.recv())
            .await
            .unwrap()
            .unwrap();
        let options = ParseOptions {
            our_app_id: Some(payload::APP_ID.into()),
        };
        let events = facebook::parse_delivery_with(&echo, &options).unwrap().events;
        assert!(
            matches!(events.as_slice(), [InboundEvent::Status(s)] if s.platform_message_id == platform_message_id && s.status == DeliveryStatus::Sent),
            "{events:?}"
        );

        let reply = MetaAction::PublicReply {
            comment_id: "987654321098765_1122334455667788".into(),
            text: "We kijken".into(),
        };
        let crate::SendOutcome::Accepted { platform_message_id } =
            send_facebook(&http, &fake.base_url(), &creds, &reply).await
        else {
            panic!("not accepted")
        };
        let echo = tokio::time::timeout(Duration::from_secs(10), echoes.recv())
            .await
            .unwrap()
            .unwrap();
        match facebook::parse(&echo).unwrap().as_slice() {
            [InboundEvent::Message(m)] => {
                assert!(m.from_us);
                assert_eq!(m.platform_message_id, platform_message_id);
            }
            other => panic!("{other:?}"),
        }
        assert!(instagram::parse(&echo).is_err());
    }
}
