//! The narrowcasting wallboard ("narrowcasting-scherm"): kiosk screens reached by an
//! unguessable token, and the live state they show.
//!
//! Compute once, fan out: screens subscribe to a [`WallboardHub`] entry keyed by what
//! the state depends on (workspace, profiles, privacy). One task recomputes each entry at
//! most every [`DEBOUNCE`] after a change (and every [`REFRESH`] for ageing numbers) and
//! hands the serialised state to every screen through a `watch` channel: no database
//! query per screen per event.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hubert_core::sla::{self, ResponseRecord, SlaState};
use hubert_core::time::{Bucket, DAY, HOUR};
use hubert_core::Role;
use hubert_reports::svg;
use hubert_store::WallboardRow;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::{broadcast, watch};

use crate::audit::AuditKind;
use crate::auth::{hash_secret, random_token};
use crate::privacy;
use crate::{App, AppError, Principal};

pub const DEBOUNCE: Duration = Duration::from_millis(250);
pub const REFRESH: Duration = Duration::from_secs(10);
const FEED_LEN: i64 = 12;
const LOVE_LEN: i64 = 10;
pub const LAYOUTS: [&str; 3] = ["numbers", "feed", "love"];
/// The longest a banner can be set for: a week.
pub const MAX_BANNER_MINUTES: i64 = 7 * 24 * 60;

/// A wallboard as the API shows it (its token never: only the URL, once, at creation).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct WallboardView {
    pub id: String,
    pub name: String,
    pub profile_ids: Vec<String>,
    pub privacy: bool,
    pub rotate_seconds: Option<i64>,
    pub layouts: Vec<String>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    /// The kiosk URL; only in the answer that created the board.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl From<&hubert_store::WallboardRow> for WallboardView {
    fn from(w: &hubert_store::WallboardRow) -> Self {
        Self {
            id: w.id.clone(),
            name: w.name.clone(),
            profile_ids: serde_json::from_str(&w.profile_ids).unwrap_or_default(),
            privacy: w.privacy != 0,
            rotate_seconds: w.rotate_seconds,
            layouts: serde_json::from_str(&w.layouts).unwrap_or_default(),
            created_at: w.created_at,
            revoked_at: w.revoked_at,
            url: None,
        }
    }
}

/// A new office screen.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewWallboard {
    pub name: String,
    #[serde(default)]
    pub profile_ids: Vec<String>,
    #[serde(default = "yes")]
    pub privacy: bool,
    #[serde(default)]
    pub rotate_seconds: Option<i64>,
    #[serde(default)]
    pub layouts: Option<Vec<String>>,
}

fn yes() -> bool {
    true
}

/// What a snapshot depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BoardKey {
    pub workspace_id: String,
    pub profile_ids: Vec<String>,
    pub privacy: bool,
}

impl BoardKey {
    pub fn of(w: &WallboardRow) -> Self {
        let mut profile_ids: Vec<String> = serde_json::from_str(&w.profile_ids).unwrap_or_default();
        profile_ids.sort();
        Self {
            workspace_id: w.workspace_id.clone(),
            profile_ids,
            privacy: w.privacy != 0,
        }
    }
}

struct Entry {
    tx: watch::Sender<Arc<String>>,
    dirty: bool,
}

/// Live wallboard states, shared by every screen showing the same kind of board.
#[derive(Clone)]
pub struct WallboardHub {
    entries: Arc<Mutex<HashMap<BoardKey, Entry>>>,
    revoked: broadcast::Sender<String>,
    computations: Arc<std::sync::atomic::AtomicU64>,
}

impl Default for WallboardHub {
    fn default() -> Self {
        Self {
            entries: Arc::default(),
            revoked: broadcast::channel(64).0,
            computations: Arc::default(),
        }
    }
}

impl WallboardHub {
    /// Ids of wallboards revoked from now on; open streams of those end at once.
    pub fn revocations(&self) -> broadcast::Receiver<String> {
        self.revoked.subscribe()
    }

    /// How many states were computed so far (benchmarks: compute once, fan out).
    pub fn computations(&self) -> u64 {
        self.computations.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl App {
    pub async fn create_wallboard(
        &self,
        who: &Principal,
        input: NewWallboard,
    ) -> Result<(WallboardRow, String), AppError> {
        who.require(Role::Lead)?;
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(AppError::Invalid(
                "invalid_name",
                "Give the wallboard a name of at most 80 characters.".into(),
            ));
        }
        let profiles = self.store.profiles(&who.workspace_id).await?;
        if let Some(unknown) = input
            .profile_ids
            .iter()
            .find(|id| !profiles.iter().any(|p| &p.id == *id))
        {
            return Err(AppError::Invalid(
                "unknown_profile",
                format!("There is no profile {unknown}."),
            ));
        }
        if let Some(r) = input.rotate_seconds {
            if !(5..=3600).contains(&r) {
                return Err(AppError::Invalid(
                    "invalid_rotation",
                    "rotate_seconds is between 5 and 3600, or null.".into(),
                ));
            }
        }
        let layouts = input
            .layouts
            .unwrap_or_else(|| LAYOUTS.iter().map(|s| s.to_string()).collect());
        if layouts.is_empty() || layouts.iter().any(|l| !LAYOUTS.contains(&l.as_str())) {
            return Err(AppError::Invalid(
                "invalid_layouts",
                "layouts are numbers, feed and love.".into(),
            ));
        }
        let token = random_token(32);
        let row = WallboardRow {
            id: hubert_core::new_id(),
            workspace_id: who.workspace_id.clone(),
            name: name.to_owned(),
            token_hash: hash_secret(&token),
            profile_ids: serde_json::to_string(&input.profile_ids).unwrap_or_else(|_| "[]".into()),
            privacy: i64::from(input.privacy),
            rotate_seconds: input.rotate_seconds,
            layouts: serde_json::to_string(&layouts).unwrap_or_else(|_| "[]".into()),
            created_by: who.actor_id.clone(),
            created_at: self.now(),
            revoked_at: None,
        };
        self.store.create_wallboard(&row).await?;
        self.store
            .audit(
                &who.workspace_id,
                &who.actor_id,
                AuditKind::WallboardCreated.as_str(),
                &row.id,
                self.now(),
            )
            .await?;
        let url = format!("{}/wallboard/{token}", self.public_url.trim_end_matches('/'));
        Ok((row, url))
    }

    pub async fn wallboards(&self, who: &Principal) -> Result<Vec<WallboardRow>, AppError> {
        who.require(Role::Lead)?;
        Ok(self.store.wallboards(&who.workspace_id).await?)
    }

    pub async fn revoke_wallboard(&self, who: &Principal, id: &str) -> Result<(), AppError> {
        who.require(Role::Lead)?;
        self.store.revoke_wallboard(&who.workspace_id, id, self.now()).await?;
        self.store
            .audit(
                &who.workspace_id,
                &who.actor_id,
                AuditKind::WallboardRevoked.as_str(),
                id,
                self.now(),
            )
            .await?;
        let _ = self.wallboard_hub.revoked.send(id.to_owned());
        Ok(())
    }

    /// The wallboard a kiosk token opens, if it is still valid. Grants nothing else.
    pub async fn wallboard_for_token(&self, token: &str) -> Result<Option<WallboardRow>, AppError> {
        if token.len() < 20 || token.len() > 100 {
            return Ok(None);
        }
        Ok(self.store.wallboard_by_token(&hash_secret(token)).await?)
    }

    /// Stars or un-stars a customer message for the wall of love.
    pub async fn star(&self, who: &Principal, message_id: &str, on: bool) -> Result<(), AppError> {
        who.require(Role::Agent)?;
        let m = self
            .store
            .message(&who.workspace_id, message_id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.store
            .set_compliment(&who.workspace_id, message_id, &who.actor_id, on, self.now())
            .await?;
        self.bus.publish(
            &who.workspace_id,
            "conversation.updated",
            Some(&m.conversation_id),
            json!({ "action": "star" }),
        );
        Ok(())
    }

    /// The team lead's banner ("Taart in de keuken om 15:00!"); empty clears it.
    pub async fn set_banner(&self, who: &Principal, text: &str, minutes: Option<i64>) -> Result<(), AppError> {
        who.require(Role::Lead)?;
        let text = text.trim();
        if text.chars().count() > 140 {
            return Err(AppError::Invalid(
                "too_long",
                "A banner is at most 140 characters.".into(),
            ));
        }
        let minutes = minutes.filter(|m| *m != 0);
        if minutes.is_some_and(|m| !(1..=MAX_BANNER_MINUTES).contains(&m)) {
            return Err(AppError::Invalid(
                "invalid_minutes",
                format!("A banner lasts 1 to {MAX_BANNER_MINUTES} minutes (or until removed)."),
            ));
        }
        let expires = minutes.map(|m| self.now() + m * 60_000);
        self.store
            .set_banner(&who.workspace_id, text, &who.actor_id, self.now(), expires)
            .await?;
        self.bus.publish(&who.workspace_id, "banner.updated", None, json!({}));
        Ok(())
    }

    /// Subscribes a screen to the live state of its kind of board.
    pub async fn wallboard_stream(&self, key: BoardKey) -> Result<watch::Receiver<Arc<String>>, AppError> {
        let existing = {
            let entries = self.wallboard_hub.entries.lock().expect("hub lock");
            entries.get(&key).map(|e| e.tx.subscribe())
        };
        if let Some(rx) = existing {
            return Ok(rx);
        }
        let state = self.wallboard_state(&key).await?;
        let mut entries = self.wallboard_hub.entries.lock().expect("hub lock");
        let entry = entries.entry(key).or_insert_with(|| Entry {
            tx: watch::channel(Arc::new(state.to_string())).0,
            dirty: false,
        });
        Ok(entry.tx.subscribe())
    }

    /// Runs the hub: marks boards dirty on events of their workspace, recomputes dirty
    /// boards at most every [`DEBOUNCE`] and all of them every [`REFRESH`].
    pub fn spawn_wallboard_hub(&self, mut shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
        let app = self.clone();
        tokio::spawn(async move {
            let mut events = app.bus.subscribe();
            let mut tick = tokio::time::interval(DEBOUNCE);
            let mut since_refresh = Duration::ZERO;
            loop {
                tokio::select! {
                    ev = events.recv() => match ev {
                        Ok(ev) => app.mark_dirty(Some(ev.workspace_id.as_str()).filter(|ws| *ws != "*")),
                        Err(broadcast::error::RecvError::Lagged(_)) => app.mark_dirty(None),
                        Err(broadcast::error::RecvError::Closed) => return,
                    },
                    _ = tick.tick() => {
                        since_refresh += DEBOUNCE;
                        if since_refresh >= REFRESH {
                            since_refresh = Duration::ZERO;
                            app.mark_dirty(None);
                        }
                        app.recompute_dirty().await;
                    }
                    _ = shutdown.changed() => return,
                }
            }
        })
    }

    fn mark_dirty(&self, workspace_id: Option<&str>) {
        let mut entries = self.wallboard_hub.entries.lock().expect("hub lock");
        entries.retain(|_, e| e.tx.receiver_count() > 0);
        for (key, e) in entries.iter_mut() {
            if workspace_id.is_none_or(|ws| ws == key.workspace_id) {
                e.dirty = true;
            }
        }
    }

    async fn recompute_dirty(&self) {
        let dirty: Vec<BoardKey> = {
            let mut entries = self.wallboard_hub.entries.lock().expect("hub lock");
            entries
                .iter_mut()
                .filter(|(_, e)| e.dirty)
                .map(|(k, e)| {
                    e.dirty = false;
                    k.clone()
                })
                .collect()
        };
        for key in dirty {
            match self.wallboard_state(&key).await {
                Ok(state) => {
                    let entries = self.wallboard_hub.entries.lock().expect("hub lock");
                    if let Some(e) = entries.get(&key) {
                        e.tx.send_replace(Arc::new(state.to_string()));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "wallboard state failed"),
            }
        }
    }

    /// The whole state of a board of this kind, computed with the same service-level
    /// functions as the inbox and the reports.
    pub async fn wallboard_state(&self, key: &BoardKey) -> Result<Value, AppError> {
        self.wallboard_hub
            .computations
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let now = self.now();
        let ws = &key.workspace_id;
        let cal = &self.calendar;
        let all_profiles = self.store.profiles(ws).await?;
        let profiles: Vec<_> = all_profiles
            .into_iter()
            .filter(|p| key.profile_ids.is_empty() || key.profile_ids.contains(&p.id))
            .collect();
        let queues = self.store.queues(ws).await?;
        let today_start = cal.day_start(now);
        let today_end = cal.bucket_next(Bucket::Day, today_start);
        let week_ago = today_start - 7 * DAY;
        let mut cards = Vec::new();
        let mut today_all: Vec<ResponseRecord> = Vec::new();
        let mut last_week_all: Vec<ResponseRecord> = Vec::new();
        let mut within_all = (0u64, 0u64);
        for p in &profiles {
            let clock = self.profile_clock(p).await?;
            let level = *clock.norms.current();
            let today = self
                .store
                .response_records(ws, Some(&p.id), today_start, today_end)
                .await?;
            let last_week = self
                .store
                .response_records(ws, Some(&p.id), week_ago, week_ago + DAY)
                .await?;
            let stats = sla::summarize_on(&clock, &today, now);
            within_all.0 += stats.answered_within;
            within_all.1 += stats.answered + stats.overdue_unanswered;
            let queue = queues.iter().find(|q| q.profile_id == p.id);
            let oldest = queue.and_then(|q| q.oldest_waiting_since);
            let oldest_state = oldest
                .map(|since| sla::waiting_on(&clock, since, now).state)
                .unwrap_or(SlaState::None);
            cards.push(json!({
                "id": p.id, "name": p.name, "platform": p.platform,
                "waiting": queue.map(|q| q.waiting).unwrap_or(0),
                "oldest_waiting_since": oldest,
                "oldest_state": oldest_state.as_str(),
                "threshold_minutes": level.threshold_minutes,
                "target_percent": level.target_percent,
                "percent_within": stats.percent_within,
                "tone": svg::Tone::of(stats.percent_within, level.target_percent).as_str(),
                "needing_answer": stats.needing_answer,
                "answered": stats.answered,
                "gauge_svg": svg::gauge(stats.percent_within, level.target_percent),
            }));
            today_all.extend(today);
            last_week_all.extend(last_week);
        }
        let elapsed_today = now - today_start;
        let last_week_so_far: Vec<ResponseRecord> = last_week_all
            .iter()
            .filter(|r| r.received_at < week_ago + elapsed_today)
            .copied()
            .collect();
        let figures = |records: &[ResponseRecord]| {
            let needing = records.iter().filter(|r| !r.no_reply_needed).count() as u64;
            let mut times: Vec<i64> = records
                .iter()
                .filter(|r| !r.no_reply_needed)
                .filter_map(|r| r.response_ms)
                .collect();
            times.sort_unstable();
            let answered = times.len() as u64;
            json!({
                "received": records.len(),
                "answered": answered,
                "reaction_rate": (needing > 0).then(|| answered as f64 * 100.0 / needing as f64),
                "median_response_ms": sla::percentile(&times, 50),
            })
        };
        let hourly = |records: &[ResponseRecord], start: i64| {
            let mut slots = vec![0u64; 24];
            for r in records {
                let slot = ((r.received_at - start) / HOUR).clamp(0, 23) as usize;
                slots[slot] += 1;
            }
            slots
        };
        let now_slot = ((now - today_start) / HOUR).clamp(0, 23) as usize;
        let today_hourly = hourly(&today_all, today_start);
        let last_week_hourly = hourly(&last_week_all, week_ago);
        let feed = self.feed_items(key, FEED_LEN, false).await?;
        let love = self.feed_items(key, LOVE_LEN, true).await?;
        let load = self.store.load_per_agent(ws).await?;
        let online = self.presence.online(now);
        let team: Vec<Value> = load
            .iter()
            .map(|(id, name, open)| json!({ "name": name, "open": open, "online": online.iter().any(|o| o == id) }))
            .collect();
        Ok(json!({
            "generated_at": now,
            "privacy": key.privacy,
            "banner": self.store.banner(ws, now).await?,
            "profiles": cards,
            "today": {
                "now": figures(&today_all),
                "last_week": figures(&last_week_so_far),
                "percent_within": (within_all.1 > 0).then(|| within_all.0 as f64 * 100.0 / within_all.1 as f64),
                "hourly": today_hourly,
                "hourly_last_week": last_week_hourly,
                "sparkline_svg": svg::sparkline(&today_hourly, &last_week_hourly, Some(now_slot)),
            },
            "feed": feed,
            "love": love,
            "team": team,
        }))
    }

    async fn feed_items(&self, key: &BoardKey, limit: i64, love: bool) -> Result<Vec<Value>, AppError> {
        let rows = if love {
            self.store
                .compliments(&key.workspace_id, &key.profile_ids, limit)
                .await?
        } else {
            self.store.feed(&key.workspace_id, &key.profile_ids, limit).await?
        };
        Ok(rows
            .into_iter()
            .map(|r| {
                let (who, text) = if key.privacy {
                    let names: Vec<&str> = r.contact_name.iter().map(String::as_str).collect();
                    // A shared contact card names someone else: show its label only.
                    let summary = match r.summary.find(']') {
                        Some(end) if r.kind == "contacts" => &r.summary[..=end],
                        _ => r.summary.as_str(),
                    };
                    (
                        privacy::initial(r.contact_name.as_deref()),
                        privacy::mask(summary, &names),
                    )
                } else {
                    (
                        r.contact_name.clone().or(r.contact_handle.clone()).unwrap_or_default(),
                        r.summary.clone(),
                    )
                };
                json!({ "id": r.id, "platform": r.platform, "kind": r.kind, "at": r.created_at, "who": who,
                        "text": hubert_core::text::snippet(&text, 160) })
            })
            .collect())
    }
}
