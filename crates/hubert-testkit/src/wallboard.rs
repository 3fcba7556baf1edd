//! Wallboard helpers: create and revoke boards over the API, fetch the kiosk URLs without
//! any credentials, and read a board's SSE stream event by event while keeping every raw
//! byte (for "nothing leaks" assertions).

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::TestApp;

/// A wallboard as created through the API.
#[derive(Debug, Clone)]
pub struct Board {
    pub id: String,
    /// The kiosk token: the last path segment of the board's URL.
    pub token: String,
    pub url: String,
}

/// One server-sent event.
#[derive(Debug, Clone, Default)]
pub struct SseEvent {
    pub event: String,
    pub data: String,
    pub id: Option<String>,
}

impl SseEvent {
    /// The data parsed as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or(Value::Null)
    }
}

/// What reading the next event gave.
#[derive(Debug)]
pub enum Next {
    Event(SseEvent),
    /// The server finished the body.
    Ended,
    /// Nothing complete arrived in time.
    TimedOut,
}

/// An open SSE stream. `raw` holds every byte received so far.
pub struct EventStream {
    res: reqwest::Response,
    buf: Vec<u8>,
    pub raw: Vec<u8>,
    ended: bool,
}

impl EventStream {
    /// The next complete event, waiting at most `timeout`.
    pub async fn next(&mut self, timeout: Duration) -> Next {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(ev) = self.take_event() {
                return Next::Event(ev);
            }
            if self.ended {
                return Next::Ended;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.res.chunk()).await {
                Err(_) => return Next::TimedOut,
                Ok(Ok(Some(bytes))) => {
                    self.raw.extend_from_slice(&bytes);
                    self.buf.extend_from_slice(&bytes);
                }
                Ok(Ok(None)) | Ok(Err(_)) => self.ended = true,
            }
        }
    }

    /// The next event named `name` (skipping others), or `None` when the stream ended
    /// or `timeout` passed first.
    pub async fn next_named(&mut self, name: &str, timeout: Duration) -> Option<SseEvent> {
        self.next_matching(timeout, |ev| ev.event == name).await
    }

    /// The first `state` event whose JSON satisfies `check`, within `timeout`.
    pub async fn state_where(&mut self, timeout: Duration, check: impl Fn(&Value) -> bool) -> Option<Value> {
        self.next_matching(timeout, |ev| ev.event == "state" && check(&ev.json()))
            .await
            .map(|ev| ev.json())
    }

    async fn next_matching(&mut self, timeout: Duration, check: impl Fn(&SseEvent) -> bool) -> Option<SseEvent> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left).await {
                Next::Event(ev) if check(&ev) => return Some(ev),
                Next::Event(_) => continue,
                Next::Ended | Next::TimedOut => return None,
            }
        }
    }

    /// Waits up to `timeout` for the server to finish the body, skipping any events;
    /// returns whether it did.
    pub async fn ends_within(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left).await {
                Next::Event(_) => continue,
                Next::Ended => return true,
                Next::TimedOut => return false,
            }
        }
    }

    /// The raw bytes received so far, as text.
    pub fn raw_text(&self) -> String {
        String::from_utf8_lossy(&self.raw).into_owned()
    }

    fn take_event(&mut self) -> Option<SseEvent> {
        // Events end with a blank line; axum writes `\n` line ends.
        let text_end = self.buf.windows(2).position(|w| w == b"\n\n")?;
        let block: Vec<u8> = self.buf.drain(..text_end + 2).collect();
        let block = String::from_utf8_lossy(&block);
        let mut ev = SseEvent::default();
        let mut data: Vec<&str> = Vec::new();
        for line in block.lines() {
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "event" => ev.event = value.to_owned(),
                "data" => data.push(value),
                "id" => ev.id = Some(value.to_owned()),
                _ => {}
            }
        }
        if ev.event.is_empty() && data.is_empty() {
            // A comment (keep-alive) or a bare `retry:`: read on.
            return self.take_event();
        }
        if ev.event.is_empty() {
            ev.event = "message".into();
        }
        ev.data = data.join("\n");
        Some(ev)
    }
}

impl TestApp {
    /// Creates a wallboard with the admin token; asserts the 201.
    pub async fn create_wallboard(&self, body: Value) -> Board {
        let (status, created) = self.post("/api/v1/wallboards", body).await;
        assert_eq!(status, 201, "creating a wallboard: {created}");
        let url = created["url"].as_str().expect("wallboard url").to_owned();
        let token = url.rsplit('/').next().expect("a token").to_owned();
        Board {
            id: created["id"].as_str().expect("wallboard id").to_owned(),
            token,
            url,
        }
    }

    /// Revokes a wallboard with the admin token; returns the status.
    pub async fn revoke_wallboard(&self, id: &str) -> u16 {
        self.http
            .delete(self.url(&format!("/api/v1/wallboards/{id}")))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("DELETE request")
            .status()
            .as_u16()
    }

    /// PUT JSON with a given bearer token; returns status and JSON body.
    pub async fn put_as(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        let res = self
            .http
            .put(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("PUT request");
        crate::split(res).await
    }

    /// DELETE with a given bearer token; returns status and JSON body.
    pub async fn delete_as(&self, path: &str, token: &str) -> (u16, Value) {
        let res = self
            .http
            .delete(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("DELETE request");
        crate::split(res).await
    }

    /// A GET without any credentials: status and raw body.
    pub async fn get_raw(&self, path: &str) -> (u16, Vec<u8>) {
        let res = self.http.get(self.url(path)).send().await.expect("GET request");
        let status = res.status().as_u16();
        (status, res.bytes().await.unwrap_or_default().to_vec())
    }

    /// A board's `/state` (no credentials, just the token); panics unless 200.
    pub async fn wallboard_state(&self, token: &str) -> Value {
        let (status, raw) = self.get_raw(&format!("/wallboard/{token}/state")).await;
        assert_eq!(status, 200, "wallboard state: {}", String::from_utf8_lossy(&raw));
        serde_json::from_slice(&raw).expect("state JSON")
    }

    /// Opens the inbox event stream of any instance with a bearer token.
    pub async fn inbox_events_at(&self, base_url: &str, token: &str) -> EventStream {
        let res = self
            .http
            .get(format!("{base_url}/api/v1/events"))
            .bearer_auth(token)
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .send()
            .await
            .expect("events request");
        assert_eq!(res.status(), 200, "inbox events");
        EventStream {
            res,
            buf: Vec::new(),
            raw: Vec::new(),
            ended: false,
        }
    }

    /// Opens a board's event stream (no credentials); panics unless 200 `text/event-stream`.
    pub async fn wallboard_events(&self, token: &str) -> EventStream {
        let res = self
            .http
            .get(self.url(&format!("/wallboard/{token}/events")))
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .send()
            .await
            .expect("events request");
        assert_eq!(res.status(), 200, "wallboard events");
        let content_type = res.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap_or("")
            .to_owned();
        assert!(
            content_type.starts_with("text/event-stream"),
            "content type {content_type}"
        );
        EventStream {
            res,
            buf: Vec::new(),
            raw: Vec::new(),
            ended: false,
        }
    }
}
