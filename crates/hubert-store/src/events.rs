//! The in-process event bus: use cases publish after their transaction committed, the SSE
//! endpoints fan out to every open browser. Each event carries a sequence number so a
//! reconnecting client can tell what it missed (it then reloads its state).
//!
//! Not yet here: crossing instances through PostgreSQL `LISTEN/NOTIFY`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::broadcast;

/// Something that changed, for live views. Never carries message bodies or names: clients
/// fetch what they need through the authorised API.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub seq: u64,
    #[serde(skip)]
    pub workspace_id: String,
    /// `conversation.updated`, `message.created`, `message.status`, `presence`, …
    pub kind: &'static str,
    pub conversation_id: Option<String>,
    pub data: serde_json::Value,
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
        let seq = self.seq.fetch_add(1, Ordering::SeqCst) + 1;
        let _ = self.sender.send(Arc::new(Event {
            seq,
            workspace_id: workspace_id.to_owned(),
            kind,
            conversation_id: conversation_id.map(str::to_owned),
            data,
        }));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.sender.subscribe()
    }

    pub fn last_seq(&self) -> u64 {
        self.seq.load(Ordering::SeqCst)
    }
}
