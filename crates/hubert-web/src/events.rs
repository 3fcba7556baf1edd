//! Live updates over Server-Sent Events. One broadcast per event, fanned out to every
//! open stream of the same workspace; each event carries its sequence number as the SSE
//! id. Events say *what* changed (ids, statuses), never message bodies or names: the page
//! fetches those through the authorised API. A client that fell behind gets `resync`
//! and reloads its state. Streams end when the server shuts down.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::{self, Stream, StreamExt};
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use crate::auth::ApiUser;
use crate::Web;

/// The JSON data of one live event: ids and statuses (`conversation_id`,
/// `message_id`, `status` …), never bodies or names.
#[derive(utoipa::ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)]
pub struct LiveEventData(serde_json::Value);

/// Live events of the workspace (Server-Sent Events): `hello`, `message.created`,
/// `message.status`, `conversation.updated`, `presence`, `resync` … with ids and
/// statuses only.
#[utoipa::path(get, path = "/api/v1/events", tag = "conversations",
    responses((status = 200, description = "An event stream", content_type = "text/event-stream", body = LiveEventData),
              (status = 401, body = crate::openapi::ErrorBody)))]
pub async fn stream(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = web.app.bus.subscribe();
    let hello = Event::default()
        .event("hello")
        .id(web.app.bus.last_seq().to_string())
        .data(json!({ "now": web.app.now() }).to_string());
    let workspace = who.workspace_id.clone();
    let shutdown = web.shutdown.clone();
    // Held by the stream: the user counts as online (team panel) while connected.
    let online = who
        .user_id
        .as_deref()
        .map(|u| web.app.presence.connect(u, web.app.now()));
    let live = stream::unfold(
        (receiver, workspace, shutdown, online),
        |(mut rx, ws, mut shutdown, online)| async move {
            loop {
                let next = tokio::select! {
                    r = rx.recv() => r,
                    _ = shutdown.changed() => return None,
                };
                match next {
                    Ok(ev) if ev.workspace_id == ws || ev.workspace_id == "*" => {
                        let mut data = json!({ "conversation_id": ev.conversation_id });
                        if let (Some(obj), Some(extra)) = (data.as_object_mut(), ev.data.as_object()) {
                            obj.extend(extra.clone());
                        }
                        let sse = Event::default()
                            .event(ev.kind.as_ref())
                            .id(ev.seq.to_string())
                            .data(data.to_string());
                        return Some((Ok(sse), (rx, ws, shutdown, online)));
                    }
                    Ok(_) => continue,
                    Err(RecvError::Lagged(_)) => {
                        return Some((
                            Ok(Event::default().event("resync").data("{}")),
                            (rx, ws, shutdown, online),
                        ));
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        },
    );
    let live = counted(live, web.app.sse_client());
    Sse::new(stream::once(async { Ok(hello) }).chain(live))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// The stream with an SSE-client gauge held for as long as it lives.
pub(crate) fn counted<S: Stream>(live: S, guard: hubert_app::metrics::SseClientGuard) -> impl Stream<Item = S::Item> {
    live.map(move |item| {
        let _held = &guard;
        item
    })
}
