//! The poll worker: a safety net for missed webhooks. Every few minutes (app clock), per
//! profile of a channel that can poll (LinkedIn), it asks the platform for the events of
//! the window since its last poll ([`hubert_channels::Channel::poll_recent`]) and feeds
//! them through the same ingest as webhook deliveries, so they are deduped the same way
//! (platform message ids): a notification the webhook already brought changes nothing.
//! Bounded: at most [`MAX_POLLS_PER_RUN`] profiles per run, each poll with a timeout and
//! the channel's own page limit. The windows live in memory; after a restart the first
//! window reaches back [`FIRST_LOOKBACK_MS`].

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use hubert_channels::channel::{PollFailure, SendContext};
use hubert_core::time::{HOUR, MINUTE};
use hubert_core::Platform;
use tokio::sync::watch;

use crate::ingest::IngestReport;
use crate::App;

/// How often one profile is polled.
pub const POLL_EVERY_MS: i64 = 5 * MINUTE;
/// Each window starts this much before the previous one ended (late timestamps).
pub const OVERLAP_MS: i64 = 2 * MINUTE;
/// The first window after start-up, and the longest window after failures.
pub const FIRST_LOOKBACK_MS: i64 = 24 * HOUR;
/// Profiles polled at most per run (the rest wait for the next run).
pub const MAX_POLLS_PER_RUN: usize = 20;
/// Profiles of one platform considered at most.
const MAX_PROFILES: i64 = 10_000;
/// One poll (all its pages) at most.
const POLL_TIMEOUT: Duration = Duration::from_secs(60);

/// What one run did.
#[derive(Debug, Default)]
pub struct PollRun {
    /// Profiles polled successfully.
    pub polled: usize,
    pub messages: usize,
    pub duplicates: usize,
    /// Profiles whose poll failed: (profile id, why). A [`hubert_channels::TOKEN_EXPIRED`]
    /// code means the profile needs reconnecting.
    pub failures: Vec<(String, PollFailure)>,
}

/// The poll windows per profile. One per process.
#[derive(Debug, Default)]
pub struct Poller {
    /// Profile id → end of the last successful window.
    polled_until: HashMap<String, i64>,
    /// Profile id → when it is due again.
    next_due: HashMap<String, i64>,
    /// Platforms whose channel turned out not to poll.
    no_poll: HashSet<Platform>,
}

impl Poller {
    /// Polls every due profile (at most [`MAX_POLLS_PER_RUN`]) once.
    pub async fn run_once(&mut self, app: &App) -> anyhow::Result<PollRun> {
        let now = app.now();
        let mut run = PollRun::default();
        let mut budget = MAX_POLLS_PER_RUN;
        for channel in hubert_channels::channels() {
            let platform = channel.platform();
            if self.no_poll.contains(&platform) {
                continue;
            }
            for id in app.store.profile_ids_on(platform, MAX_PROFILES).await? {
                if budget == 0 {
                    return Ok(run);
                }
                if self.next_due.get(&id).is_some_and(|due| *due > now) {
                    continue;
                }
                budget -= 1;
                match self.poll_profile(app, &id, now).await {
                    Polled::NotPolling => {
                        self.no_poll.insert(platform);
                        break;
                    }
                    Polled::Done(report) => {
                        run.polled += 1;
                        run.messages += report.messages;
                        run.duplicates += report.duplicates;
                    }
                    Polled::Failed(failure) => run.failures.push((id, failure)),
                }
            }
        }
        Ok(run)
    }

    async fn poll_profile(&mut self, app: &App, id: &str, now: i64) -> Polled {
        self.next_due.insert(id.to_string(), now + POLL_EVERY_MS);
        let profile = match app.loaded_profile(id).await {
            Ok(Some(profile)) => profile,
            Ok(None) => return Polled::Failed(failure("gone", "het profiel bestaat niet meer")),
            Err(e) => return Polled::Failed(failure("load", &e.to_string())),
        };
        let start = self
            .polled_until
            .get(id)
            .map_or(now - FIRST_LOOKBACK_MS, |until| until - OVERLAP_MS)
            .max(now - FIRST_LOOKBACK_MS);
        let ctx = SendContext {
            http: &app.http,
            urls: &app.endpoints,
            now,
            last_customer_message_at: None,
            private_reply: false,
        };
        let polled = tokio::time::timeout(
            POLL_TIMEOUT,
            profile.channel.poll_recent(ctx, &profile.credentials, start, now),
        )
        .await;
        let parsed = match polled {
            Ok(None) => return Polled::NotPolling,
            Ok(Some(Ok(parsed))) => parsed,
            Ok(Some(Err(failure))) => {
                tracing::warn!(profile = %id, code = %failure.code, "poll of recent events failed");
                return Polled::Failed(failure);
            }
            Err(_) => return Polled::Failed(failure("timeout", "de poll duurde te lang")),
        };
        match app.ingest_parsed(&profile, parsed).await {
            Ok(report) => {
                self.polled_until.insert(id.to_string(), now);
                Polled::Done(report)
            }
            Err(e) => Polled::Failed(failure("ingest", &e.to_string())),
        }
    }
}

enum Polled {
    NotPolling,
    Done(IngestReport),
    Failed(PollFailure),
}

fn failure(code: &str, reason: &str) -> PollFailure {
    PollFailure {
        code: code.to_string(),
        reason: reason.to_string(),
    }
}

/// Runs [`Poller::run_once`] every `tick` (real time; which profiles are due follows the
/// app clock) until `shutdown` turns true.
pub fn spawn(app: App, mut shutdown: watch::Receiver<bool>, tick: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut poller = Poller::default();
        loop {
            if *shutdown.borrow() {
                break;
            }
            match poller.run_once(&app).await {
                Ok(run) if run.messages > 0 => {
                    tracing::info!(messages = run.messages, "poll found events the webhooks missed")
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "poll worker step failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(tick) => {}
                _ = shutdown.changed() => {}
            }
        }
    })
}
