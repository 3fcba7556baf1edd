//! The event bus: use cases publish after their transaction committed, the SSE
//! endpoints and the wallboard hub fan out. Each event carries a sequence number so a
//! reconnecting client can tell what it missed (it then reloads its state).
//!
//! Across instances (several `hubert` processes on one PostgreSQL database) events
//! travel through `NOTIFY hubert_events` / `LISTEN`: see [`Store::bridge_events`]. Each
//! instance forwards its own events and re-publishes the others' locally, marked remote
//! so they are not forwarded again. On SQLite there is one instance, nothing to bridge.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::{Pool, Store};

/// Something that changed, for live views. Never carries message bodies or names: clients
/// fetch what they need through the authorised API.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    pub seq: u64,
    pub workspace_id: String,
    /// `conversation.updated`, `message.created`, `message.status`, `presence`, …
    pub kind: Cow<'static, str>,
    pub conversation_id: Option<String>,
    pub data: serde_json::Value,
    /// Published by another instance (arrived through PostgreSQL).
    #[serde(default)]
    pub remote: bool,
}

#[derive(Clone, Debug)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<Event>>,
    seq: Arc<AtomicU64>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

const CHANNEL: &str = "hubert_events";
/// PostgreSQL refuses NOTIFY payloads of 8000 bytes or more.
const MAX_PAYLOAD: usize = 7900;

impl EventBus {
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(4096);
        Self {
            sender,
            seq: Arc::new(AtomicU64::new(0)),
        }
    }

    pub fn publish(
        &self,
        workspace_id: &str,
        kind: &'static str,
        conversation_id: Option<&str>,
        data: serde_json::Value,
    ) {
        self.send(Event {
            seq: 0,
            workspace_id: workspace_id.to_owned(),
            kind: Cow::Borrowed(kind),
            conversation_id: conversation_id.map(str::to_owned),
            data,
            remote: false,
        });
    }

    fn send(&self, mut event: Event) {
        event.seq = self.seq.fetch_add(1, Ordering::SeqCst) + 1;
        let _ = self.sender.send(Arc::new(event));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.sender.subscribe()
    }

    pub fn last_seq(&self) -> u64 {
        self.seq.load(Ordering::SeqCst)
    }
}

impl Store {
    /// On PostgreSQL, joins this instance's bus to every other instance's: local events
    /// go out with `pg_notify`, other instances' events come in through `LISTEN`. Returns
    /// `None` on SQLite. The tasks end when the bus is dropped.
    pub async fn bridge_events(&self, bus: &EventBus) -> crate::Result<Option<tokio::task::JoinHandle<()>>> {
        let Pool::Postgres(pool) = &self.write else {
            return Ok(None);
        };
        let instance = hubert_core::new_id();
        let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        let incoming_bus = bus.clone();
        let me = instance.clone();
        let incoming = async move {
            loop {
                match listener.recv().await {
                    Ok(n) => {
                        let Ok((from, mut event)) = serde_json::from_str::<(String, Event)>(n.payload()) else {
                            continue;
                        };
                        if from != me {
                            event.remote = true;
                            incoming_bus.send(event);
                        }
                    }
                    // PgListener reconnects by itself; events sent while it was away are lost,
                    // so tell local clients to reload everything.
                    Err(e) => {
                        tracing::warn!(error = %e, "event listener interrupted");
                        incoming_bus.publish("*", "resync", None, serde_json::Value::Null);
                        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                    }
                }
            }
        };
        let mut local = bus.subscribe();
        let pool = pool.clone();
        let outgoing = async move {
            loop {
                match local.recv().await {
                    Ok(ev) if !ev.remote && ev.workspace_id != "*" => {
                        let payload = serde_json::to_string(&(&instance, ev.as_ref())).unwrap_or_default();
                        if payload.len() > MAX_PAYLOAD {
                            tracing::warn!(kind = %ev.kind, "event too large to cross instances");
                            continue;
                        }
                        if let Err(e) = sqlx::query("SELECT pg_notify($1, $2)")
                            .bind(CHANNEL)
                            .bind(&payload)
                            .execute(&pool)
                            .await
                        {
                            tracing::warn!(error = %e, "could not forward an event");
                        }
                    }
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        };
        Ok(Some(tokio::spawn(async move {
            tokio::select! {
                _ = incoming => {}
                _ = outgoing => {}
            }
        })))
    }
}
