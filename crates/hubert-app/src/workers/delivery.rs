//! The delivery worker: claims a due job under a lease, sends it through the platform
//! adapter, records the outcome, publishes the new status.
//!
//! Never twice: a job is claimed by one worker at a time (single writer on SQLite,
//! `SKIP LOCKED` on PostgreSQL); an accepted send is recorded before the job is done; a
//! send whose outcome cannot be known (timeout after the request left, or a worker that
//! died holding the lease) becomes `unknown` and waits for a person — see
//! `docs/decisions/0002-uncertain-sends.md`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hubert_channels::channel::SendContext;
use hubert_channels::{OutboundBody, OutboundMessage, SendOutcome};
use hubert_core::time::{MINUTE, SECOND};
use hubert_store::{ClaimedJob, JobResult};
use rand::Rng;
use serde_json::json;
use tokio::sync::watch;

use crate::ingest::reply_context;
use crate::loaded::LoadError;
use crate::App;

/// Attempts before a retried reply is given up as failed.
pub const MAX_ATTEMPTS: i64 = 8;
const LEASE_MS: i64 = MINUTE;

/// Test hook: when set, the worker stops right after a send returned, before recording
/// it, as a crashed process would.
#[derive(Clone, Default)]
pub struct CrashAfterSend(pub Arc<AtomicBool>);

/// Runs until `shutdown` turns true. `poll` bounds how long a due job may wait when no
/// wake-up arrives (e.g. a retry whose time has come).
pub fn spawn(
    app: App,
    mut shutdown: watch::Receiver<bool>,
    poll: Duration,
    crash: CrashAfterSend,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if *shutdown.borrow() {
                break;
            }
            match run_once(&app, &crash).await {
                Ok(Step::Worked) => continue,
                Ok(Step::Crashed) => {
                    tracing::warn!("delivery worker stopped by the crash-after-send hook");
                    return;
                }
                Ok(Step::Idle) => {}
                Err(e) => tracing::error!(error = %e, "delivery worker step failed"),
            }
            tokio::select! {
                _ = app.worker_wakeup.notified() => {}
                _ = tokio::time::sleep(poll) => {}
                _ = shutdown.changed() => {}
            }
        }
    })
}

enum Step {
    Worked,
    Idle,
    Crashed,
}

async fn run_once(app: &App, crash: &CrashAfterSend) -> anyhow::Result<Step> {
    let now = app.now();
    for (ws, conversation_id, message_id) in app.store.expire_leases(now).await? {
        app.bus.publish(
            &ws,
            "message.status",
            Some(&conversation_id),
            json!({ "message_id": message_id, "status": "unknown" }),
        );
    }
    let Some(job) = app.store.claim_job(now, LEASE_MS).await? else {
        return Ok(Step::Idle);
    };
    app.bus.publish(
        &job.workspace_id,
        "message.status",
        Some(&job.conversation_id),
        json!({ "message_id": job.message_id, "status": "sending" }),
    );
    let outcome = send(app, &job).await;
    if crash.0.load(Ordering::SeqCst) {
        return Ok(Step::Crashed);
    }
    let result = match outcome {
        SendOutcome::Accepted { platform_message_id } => JobResult::Accepted { platform_message_id },
        SendOutcome::Retry { after, reason } if job.attempts < MAX_ATTEMPTS => {
            let wait = after
                .map(|d| d.as_millis() as i64)
                .unwrap_or_else(|| backoff_ms(job.attempts));
            JobResult::Retry {
                run_at: app.now() + wait,
                reason,
            }
        }
        SendOutcome::Retry { reason, .. } => JobResult::Failed {
            reason: format!("gave up after {} attempts: {reason}", job.attempts),
        },
        SendOutcome::Failed { code, reason } => JobResult::Failed {
            reason: format!("{code}: {reason}"),
        },
        SendOutcome::Uncertain { reason } => JobResult::Uncertain { reason },
    };
    match app.store.finish_job(&job, &result, app.now()).await {
        Ok(status) => {
            let error = match &result {
                JobResult::Failed { reason } | JobResult::Uncertain { reason } | JobResult::Retry { reason, .. } => {
                    Some(reason.clone())
                }
                JobResult::Accepted { .. } => None,
            };
            app.bus.publish(
                &job.workspace_id,
                "message.status",
                Some(&job.conversation_id),
                json!({ "message_id": job.message_id, "status": status, "error": error }),
            );
        }
        Err(e) => tracing::warn!(error = %e, job = %job.job_id, "could not record a send"),
    }
    Ok(Step::Worked)
}

/// Exponential backoff with jitter: 1 s, 2 s, 4 s … capped at 5 minutes, times 0.5–1.0.
pub fn backoff_ms(attempt: i64) -> i64 {
    let base = (SECOND << attempt.clamp(0, 20).saturating_sub(1)).min(5 * MINUTE);
    let factor: f64 = rand::thread_rng().gen_range(0.5..=1.0);
    (base as f64 * factor) as i64
}

async fn send(app: &App, job: &ClaimedJob) -> SendOutcome {
    let profile = match app.loaded_profile(&job.profile_id).await {
        Ok(Some(p)) if p.row.workspace_id == job.workspace_id => p,
        Ok(_) => {
            return SendOutcome::Failed {
                code: "no_profile".into(),
                reason: "the profile was removed".into(),
            }
        }
        Err(LoadError::Store(e)) => {
            return SendOutcome::Retry {
                after: None,
                reason: format!("database: {e}"),
            }
        }
        Err(e @ LoadError::Unsupported(_)) => {
            return SendOutcome::Failed {
                code: "unsupported".into(),
                reason: e.to_string(),
            }
        }
        Err(LoadError::Credentials) => {
            return SendOutcome::Failed {
                code: "credentials".into(),
                reason: "stored credentials are unreadable".into(),
            }
        }
    };
    let body = if job.kind == "template" {
        let meta: serde_json::Value = serde_json::from_str(&job.metadata).unwrap_or_default();
        OutboundBody::Template {
            name: meta["template"].as_str().unwrap_or_default().to_owned(),
            language: meta["language"].as_str().unwrap_or("nl").to_owned(),
        }
    } else {
        OutboundBody::Text(job.text.clone())
    };
    let msg = OutboundMessage {
        our_ref: job.message_id.clone(),
        to: job.contact_platform_user_id.clone(),
        body,
        context: reply_context(&job.reply_context),
        quote_message_id: None,
    };
    let private_reply = serde_json::from_str::<serde_json::Value>(&job.metadata)
        .is_ok_and(|m| m.get("private_reply").and_then(serde_json::Value::as_bool) == Some(true));
    let ctx = SendContext {
        http: &app.http,
        urls: &app.endpoints,
        now: app.now(),
        last_customer_message_at: job.last_customer_message_at,
        private_reply,
    };
    let outcome = profile.channel.send(ctx, &profile.credentials, &msg).await;
    let outcome_name = match &outcome {
        SendOutcome::Accepted { .. } => "accepted",
        SendOutcome::Retry { .. } => "retry",
        SendOutcome::Failed { .. } => "failed",
        SendOutcome::Uncertain { .. } => "uncertain",
    };
    app.metrics.delivery(profile.row.platform.as_str(), outcome_name);
    if outcome.is_token_expired() {
        tracing::warn!(profile = %profile.row.id, "the platform refused the token: profile needs reconnecting");
        if let Err(e) = app.store.set_needs_reconnect(&profile.row.id, true).await {
            tracing::error!(error = %e, "could not mark the profile for reconnecting");
        }
        app.bus.publish(
            &profile.row.workspace_id,
            "profile.updated",
            None,
            json!({ "profile_id": profile.row.id, "needs_reconnect": true }),
        );
    }
    outcome
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_is_capped() {
        for _ in 0..50 {
            let b1 = super::backoff_ms(1);
            assert!((500..=1_000).contains(&b1));
            let b20 = super::backoff_ms(20);
            assert!((150_000..=5 * 60_000).contains(&b20));
        }
    }
}
