//! Webhook ingest: verify the signature over the raw bytes, parse, store durably with
//! group commit, then publish. The web layer answers 200 only after [`App::ingest_webhook`]
//! returned `Ok`, so an acknowledged delivery is always on disk.
//!
//! Group commit: every request hands its parsed batch to one writer task, which drains
//! whatever is queued (up to [`MAX_GROUP`] deliveries) and stores it in a single
//! transaction. Under load one fsync covers many webhooks; with no load a delivery is
//! committed on its own at once.

use hubert_channels::{DeliveryStatus, InboundEvent, MessageChange, MessageUpdate, ReplyContext, WatermarkUpdate};
use hubert_core::Platform;
use hubert_store::{
    ChangeKind, IngestBatch, IngestOutcome, NewChange, NewEcho, NewInbound, NewStatus, NewWatermark, ProfileRow, Store,
    StoreError,
};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::loaded::{LoadError, LoadedProfile};
use crate::metrics::{Metrics, WebhookOutcome};
use crate::App;

const MAX_GROUP: usize = 512;
/// The quarantine reason prefix of well-formed events Hubert does not handle (kept for
/// inspection, acknowledged with 200).
pub const IGNORED_PREFIX: &str = "ignored: ";
/// Concurrent group-commit writers on PostgreSQL.
const POSTGRES_WRITERS: usize = 4;

type Job = (IngestBatch, oneshot::Sender<Result<IngestOutcome, String>>);

#[derive(Clone)]
pub(crate) struct IngestQueue {
    sender: mpsc::Sender<Job>,
    metrics: Arc<Metrics>,
}

impl IngestQueue {
    pub(crate) fn start(store: Store, clock: Arc<dyn hubert_core::Clock>, metrics: Arc<Metrics>) -> Self {
        let (sender, receiver) = mpsc::channel::<Job>(8192);
        let receiver = std::sync::Arc::new(tokio::sync::Mutex::new(receiver));
        // SQLite has one writer connection; PostgreSQL commits several groups at once
        // (and then groups their fsyncs itself).
        let writers = match store.backend() {
            hubert_store::Backend::Sqlite => 1,
            hubert_store::Backend::Postgres => POSTGRES_WRITERS,
        };
        for _ in 0..writers {
            let (store, clock, receiver) = (store.clone(), clock.clone(), receiver.clone());
            let metrics = metrics.clone();
            tokio::spawn(async move {
                loop {
                    let group = {
                        let mut rx = receiver.lock().await;
                        let Some(first) = rx.recv().await else { return };
                        let mut group = vec![first];
                        while group.len() < MAX_GROUP {
                            match rx.try_recv() {
                                Ok(job) => group.push(job),
                                Err(_) => break,
                            }
                        }
                        group
                    };
                    metrics.ingest_queue_depth.dec_by(group.len() as i64);
                    metrics.ingest_group_size.observe(group.len() as f64);
                    write_group(&store, clock.now(), group).await;
                }
            });
        }
        Self { sender, metrics }
    }
}

async fn write_group(store: &Store, now: i64, group: Vec<Job>) {
    let batches: Vec<IngestBatch> = group.iter().map(|(b, _)| b.clone()).collect();
    match store.ingest(&batches, now).await {
        Ok(outcomes) => {
            for ((_, reply), outcome) in group.into_iter().zip(outcomes) {
                let _ = reply.send(Ok(outcome));
            }
        }
        Err(e) => {
            tracing::error!(error = %e, deliveries = group.len(), "ingest transaction failed");
            for (_, reply) in group {
                let _ = reply.send(Err(e.to_string()));
            }
        }
    }
}

/// Why a webhook was refused. Each maps to one HTTP status. An unknown profile and a
/// bad signature look the same from outside (401), so URLs cannot be probed.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("unknown webhook")]
    UnknownProfile,
    /// A handshake parameter of the wrong shape (answered before any lookup).
    #[error("{0}")]
    BadRequest(String),
    #[error("too many handshakes")]
    RateLimited { retry_after_ms: i64 },
    #[error("{0}")]
    Unauthorized(String),
    /// Signed but not understood: kept in quarantine.
    #[error("{0}")]
    Malformed(String),
    #[error("storage unavailable")]
    Unavailable,
    /// No channel of that name (answered 404, like a route that does not exist).
    #[error("unknown platform")]
    UnknownPlatform,
}

/// The platform signature header as received.
pub struct Signature<'a> {
    pub header: Option<&'a str>,
}

/// What an acknowledged delivery did.
#[derive(Debug, Default)]
pub struct IngestReport {
    pub messages: usize,
    pub statuses: usize,
    /// Stored messages a platform change altered (edited, hidden, removed, unsent).
    pub changes: usize,
    pub duplicates: usize,
    /// Events of the delivery rejected on their own and quarantined.
    pub quarantined: usize,
}

/// Store rank of a delivery status: statuses only move forward.
pub fn status_rank(status: DeliveryStatus) -> i64 {
    match status {
        DeliveryStatus::Sent => 1,
        DeliveryStatus::Delivered => 2,
        DeliveryStatus::Read => 3,
        DeliveryStatus::Failed => 4,
        _ => 0,
    }
}

impl App {
    /// The profile a webhook URL points at, if it is of the expected platform, with its
    /// channel and parsed credentials.
    pub async fn webhook_profile(
        &self,
        profile_id: &str,
        platform: Platform,
    ) -> Result<Arc<LoadedProfile>, WebhookError> {
        if !hubert_core::ids::is_id(profile_id) {
            return Err(WebhookError::UnknownProfile);
        }
        match self.loaded_profile(profile_id).await {
            Ok(Some(p)) if p.row.platform == platform => Ok(p),
            Ok(_) | Err(LoadError::Unsupported(_)) => Err(WebhookError::UnknownProfile),
            Err(LoadError::Credentials) => Err(WebhookError::Unavailable),
            Err(LoadError::Store(e)) => {
                tracing::error!(error = %e, "profile lookup failed");
                Err(WebhookError::Unavailable)
            }
        }
    }

    pub async fn ingest_webhook(
        &self,
        profile: &LoadedProfile,
        signature: Signature<'_>,
        raw: &[u8],
    ) -> Result<IngestReport, WebhookError> {
        let result = self.ingest_verified(profile, signature, raw).await;
        let outcome = match &result {
            Ok(report)
                if report.messages == 0 && report.statuses == 0 && report.changes == 0 && report.duplicates > 0 =>
            {
                WebhookOutcome::Duplicate
            }
            Ok(report) if report.quarantined > 0 => WebhookOutcome::Quarantined,
            Ok(_) => WebhookOutcome::Accepted,
            Err(WebhookError::Malformed(_)) => WebhookOutcome::Quarantined,
            Err(_) => WebhookOutcome::Refused,
        };
        self.metrics.webhook(profile.row.platform.as_str(), outcome);
        result
    }

    async fn ingest_verified(
        &self,
        profile: &LoadedProfile,
        signature: Signature<'_>,
        raw: &[u8],
    ) -> Result<IngestReport, WebhookError> {
        let LoadedProfile {
            row: _,
            channel,
            credentials,
        } = profile;
        channel
            .verify_signature(credentials, signature.header, raw)
            .map_err(|e| WebhookError::Unauthorized(e.to_string()))?;
        self.ingest_body(profile, raw).await
    }

    /// Parses and stores a delivery whose signature was checked (by the profile's own
    /// webhook, or by the shared Meta endpoint for the whole delivery).
    pub(crate) async fn ingest_body(&self, profile: &LoadedProfile, raw: &[u8]) -> Result<IngestReport, WebhookError> {
        let parsed = match profile.channel.parse_delivery(raw) {
            Ok(parsed) => parsed,
            Err(e) => {
                let reason = e.to_string();
                self.quarantine(
                    &profile.row,
                    vec![(reason.clone(), String::from_utf8_lossy(raw).into_owned())],
                )
                .await?;
                return Err(WebhookError::Malformed(reason));
            }
        };
        self.ingest_parsed(profile, parsed).await
    }

    /// Stores an already verified and parsed delivery (a webhook's, or a channel's poll
    /// of recent events): rejected events to quarantine, the rest through the group
    /// commit (deduped on the platform ids), then published.
    pub(crate) async fn ingest_parsed(
        &self,
        loaded: &LoadedProfile,
        parsed: hubert_channels::ParsedDelivery,
    ) -> Result<IngestReport, WebhookError> {
        let (channel, profile) = (&loaded.channel, &loaded.row);
        let quarantined = parsed.rejected.len();
        // Events rejected on their own (a missing or crafted id) are quarantined before
        // the rest is stored, so the 200 below covers both. Well-formed events Hubert
        // does not handle (page likes, ratings, …) are kept beside them for inspection,
        // their reason prefixed with `ignored:` (docs/architecture.md, "Quarantine").
        let items: Vec<(String, String)> = parsed
            .rejected
            .into_iter()
            .map(|r| (r.reason, r.raw))
            .chain(
                parsed
                    .ignored
                    .into_iter()
                    .map(|r| (format!("{IGNORED_PREFIX}{}", r.reason), r.raw)),
            )
            .collect();
        if !items.is_empty() {
            self.quarantine(profile, items).await?;
        }
        let events = parsed.events;
        let media = media_of(channel, profile, &events);
        let batch = to_batch(profile, events);
        let (reply, wait) = oneshot::channel();
        self.ingest_queue.metrics.ingest_queue_depth.inc();
        if self.ingest_queue.sender.send((batch, reply)).await.is_err() {
            self.ingest_queue.metrics.ingest_queue_depth.dec();
            return Err(WebhookError::Unavailable);
        }
        let outcome = match wait.await {
            Ok(Ok(o)) => o,
            _ => return Err(WebhookError::Unavailable),
        };
        if !media.is_empty() {
            self.record_media(profile, &media).await;
        }
        for (conversation_id, message_id) in &outcome.new_messages {
            self.bus.publish(
                &profile.workspace_id,
                "message.created",
                Some(conversation_id),
                serde_json::json!({ "message_id": message_id, "direction": "in", "profile_id": profile.id }),
            );
        }
        for (conversation_id, message_id, status) in &outcome.status_changes {
            self.bus.publish(
                &profile.workspace_id,
                "message.status",
                Some(conversation_id),
                serde_json::json!({ "message_id": message_id, "status": status }),
            );
        }
        for (conversation_id, message_id) in &outcome.echoed_messages {
            self.bus.publish(
                &profile.workspace_id,
                "message.created",
                Some(conversation_id),
                serde_json::json!({ "message_id": message_id, "direction": "out", "profile_id": profile.id }),
            );
        }
        for (conversation_id, message_id) in &outcome.changed_messages {
            self.bus.publish(
                &profile.workspace_id,
                "message.changed",
                Some(conversation_id),
                serde_json::json!({ "message_id": message_id }),
            );
        }
        Ok(IngestReport {
            changes: outcome.changed_messages.len() + outcome.echoed_messages.len(),
            messages: outcome.new_messages.len(),
            statuses: outcome.status_changes.len(),
            duplicates: outcome.duplicates,
            quarantined,
        })
    }
}

/// The attachments of the customer messages in `events`, as their channel finds them.
fn media_of(
    channel: &&'static dyn hubert_channels::channel::DynChannel,
    profile: &ProfileRow,
    events: &[InboundEvent],
) -> Vec<hubert_store::PlatformMedia> {
    events
        .iter()
        .filter_map(|e| match e {
            InboundEvent::Message(m) if !m.from_us && m.account_id == profile.account_id => Some(m),
            _ => None,
        })
        .flat_map(|m| {
            channel
                .media_sources(m)
                .into_iter()
                .map(|s| hubert_store::PlatformMedia {
                    platform_message_id: m.platform_message_id.clone(),
                    kind: s.kind,
                    source: s.source,
                    mime: s.mime,
                    filename: s.filename,
                })
        })
        .collect()
}

impl App {
    /// Records attachments to fetch once their messages are stored. A failure here loses
    /// no message (they are committed); a redelivery adds what is missing.
    async fn record_media(&self, profile: &ProfileRow, media: &[hubert_store::PlatformMedia]) {
        match self
            .store
            .add_media_for_platform_ids(&profile.workspace_id, &profile.id, media, self.now())
            .await
        {
            Ok(added) if added > 0 => self.media_wakeup.notify_one(),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, profile = %profile.id, "attachments not recorded"),
        }
    }

    /// Stores quarantined items of one delivery durably, then tells the admins' pages.
    pub(crate) async fn quarantine(
        &self,
        profile: &ProfileRow,
        items: Vec<(String, String)>,
    ) -> Result<(), WebhookError> {
        let platform = profile.platform.as_str();
        if let Err(e) = self
            .store
            .quarantine_many(&profile.workspace_id, Some(&profile.id), platform, &items, self.now())
            .await
        {
            tracing::error!(error = %e, "quarantine failed");
            return Err(WebhookError::Unavailable);
        }
        for (reason, _) in &items {
            tracing::warn!(profile = %profile.id, %reason, "webhook event quarantined");
        }
        self.bus
            .publish(&profile.workspace_id, "quarantine.added", None, serde_json::json!({}));
        Ok(())
    }
}

/// Keeps the events that belong to this profile's account. Our own echoes are skipped:
/// the outbox already holds those messages.
fn to_batch(profile: &ProfileRow, events: Vec<InboundEvent>) -> IngestBatch {
    let mut batch = IngestBatch {
        workspace_id: profile.workspace_id.clone(),
        profile_id: profile.id.clone(),
        ..IngestBatch::default()
    };
    for event in events {
        match event {
            InboundEvent::Message(m) if m.account_id != profile.account_id => {}
            // A person answered outside Hubert (Meta Business Suite): an agent message.
            // Other echoes (our own comments) are never customer messages.
            InboundEvent::Message(m) if m.from_us => {
                if m.metadata.get("echo").is_some() {
                    batch.echoes.push(new_echo(m));
                }
            }
            InboundEvent::Message(m) => batch.messages.push(new_inbound(m)),
            InboundEvent::Status(s) => {
                if s.account_id != profile.account_id {
                    continue;
                }
                let rank = status_rank(s.status);
                if rank == 0 {
                    continue;
                }
                batch.statuses.push(NewStatus {
                    platform_message_id: s.platform_message_id,
                    status: s.status.as_str().to_owned(),
                    rank,
                    error: s.error.map(|e| format!("{}: {}", e.code, e.message)),
                });
            }
            InboundEvent::Update(u) if u.account_id == profile.account_id => batch.changes.push(new_change(u)),
            InboundEvent::Watermark(w) if w.account_id == profile.account_id => push_watermark(&mut batch, w),
            InboundEvent::Update(_) | InboundEvent::Watermark(_) => {}
        }
    }
    batch
}

fn new_inbound(m: hubert_channels::InboundMessage) -> NewInbound {
    NewInbound {
        platform_message_id: m.platform_message_id,
        contact_platform_user_id: m.contact.platform_user_id,
        contact_name: m.contact.name,
        contact_handle: m.contact.handle,
        kind: m.kind.as_str().to_owned(),
        text: m.text,
        summary: m.summary,
        metadata: m.metadata.to_string(),
        sent_at: m.sent_at,
        reply_context: serde_json::to_string(&m.reply_context).unwrap_or_else(|_| "{}".into()),
    }
}

fn new_echo(m: hubert_channels::InboundMessage) -> NewEcho {
    NewEcho {
        platform_message_id: m.platform_message_id,
        contact_platform_user_id: m.contact.platform_user_id,
        kind: m.kind.as_str().to_owned(),
        text: m.text,
        summary: m.summary,
        metadata: m.metadata.to_string(),
        sent_at: m.sent_at,
    }
}

fn new_change(u: MessageUpdate) -> NewChange {
    NewChange {
        platform_message_id: u.platform_message_id,
        change: match u.change {
            MessageChange::Edited { text } => ChangeKind::Edited(text),
            MessageChange::Hidden => ChangeKind::Hidden,
            MessageChange::Unhidden => ChangeKind::Unhidden,
            MessageChange::Removed => ChangeKind::Removed,
            MessageChange::Unsent => ChangeKind::Unsent,
        },
        at: u.at,
    }
}

/// A watermark moves every sent message up to it; the `mids` it names (when any) move
/// as statuses too, whatever their time.
fn push_watermark(batch: &mut IngestBatch, w: WatermarkUpdate) {
    let rank = status_rank(w.status);
    if rank == 0 {
        return;
    }
    for mid in w.mids {
        batch.statuses.push(NewStatus {
            platform_message_id: mid,
            status: w.status.as_str().to_owned(),
            rank,
            error: None,
        });
    }
    batch.watermarks.push(NewWatermark {
        contact_platform_user_id: w.contact_user_id,
        status: w.status.as_str().to_owned(),
        rank,
        watermark: w.watermark,
    });
}

/// The reply context stored with a message, parsed back.
pub fn reply_context(json: &str) -> ReplyContext {
    serde_json::from_str(json).unwrap_or(ReplyContext::Private)
}

impl From<StoreError> for WebhookError {
    fn from(_: StoreError) -> Self {
        WebhookError::Unavailable
    }
}
