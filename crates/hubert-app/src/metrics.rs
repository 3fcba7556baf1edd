//! Prometheus metrics (`GET /metrics`, names prefixed `hubert_`): counters and histograms
//! recorded as things happen, and gauges read from the store when scraped (outbox jobs,
//! waiting conversations per profile). Labels carry ids, routes and outcomes only —
//! never names, bodies or tokens. Built on `prometheus-client`.

use std::sync::Arc;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::App;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    /// The matched route template (`/api/v1/conversations/{id}`), never the raw path.
    pub route: String,
    pub method: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub platform: String,
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabels {
    pub state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ProfileLabels {
    pub profile_id: String,
    pub platform: String,
}

/// What a webhook delivery came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookOutcome {
    Accepted,
    Duplicate,
    Refused,
    Quarantined,
}

impl WebhookOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookOutcome::Accepted => "accepted",
            WebhookOutcome::Duplicate => "duplicate",
            WebhookOutcome::Refused => "refused",
            WebhookOutcome::Quarantined => "quarantined",
        }
    }
}

/// Every metric of one Hubert process.
pub struct Metrics {
    registry: Registry,
    pub http_requests: Family<HttpLabels, Counter>,
    pub http_latency: Family<RouteLabels, Histogram>,
    pub webhook_deliveries: Family<OutcomeLabels, Counter>,
    pub ingest_queue_depth: Gauge,
    pub ingest_group_size: Histogram,
    pub deliveries: Family<OutcomeLabels, Counter>,
    pub sse_clients: Gauge,
    pub login_failures: Counter,
    outbox_jobs: Family<StateLabels, Gauge>,
    outbox_oldest_age: Family<StateLabels, Gauge>,
    waiting: Family<ProfileLabels, Gauge>,
    oldest_waiting_age: Family<ProfileLabels, Gauge>,
    needs_reconnect: Family<ProfileLabels, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("hubert");
        let http_requests = Family::<HttpLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by route, method and status",
            http_requests.clone(),
        );
        let http_latency =
            Family::<RouteLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route",
            http_latency.clone(),
        );
        let webhook_deliveries = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "webhook_deliveries",
            "Webhook deliveries by platform and outcome (accepted, duplicate, refused, quarantined)",
            webhook_deliveries.clone(),
        );
        let ingest_queue_depth = Gauge::default();
        registry.register(
            "ingest_queue_depth",
            "Deliveries waiting for the group-commit writer",
            ingest_queue_depth.clone(),
        );
        let ingest_group_size = Histogram::new(exponential_buckets(1.0, 2.0, 11));
        registry.register(
            "ingest_group_size",
            "Deliveries committed per group commit",
            ingest_group_size.clone(),
        );
        let deliveries = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "delivery_outcomes",
            "Reply send attempts by platform and outcome",
            deliveries.clone(),
        );
        let sse_clients = Gauge::default();
        registry.register(
            "sse_clients",
            "Open live-update streams (inbox and wallboards)",
            sse_clients.clone(),
        );
        let login_failures = Counter::default();
        registry.register("login_failures", "Failed sign-ins", login_failures.clone());
        let outbox_jobs = Family::<StateLabels, Gauge>::default();
        registry.register("outbox_jobs", "Outbox jobs by state", outbox_jobs.clone());
        let outbox_oldest_age = Family::<StateLabels, Gauge>::default();
        registry.register(
            "outbox_oldest_job_age_seconds",
            "Age of the oldest outbox job by state",
            outbox_oldest_age.clone(),
        );
        let waiting = Family::<ProfileLabels, Gauge>::default();
        registry.register(
            "waiting_conversations",
            "Conversations waiting for an answer, per profile",
            waiting.clone(),
        );
        let oldest_waiting_age = Family::<ProfileLabels, Gauge>::default();
        registry.register(
            "oldest_waiting_age_seconds",
            "Age of the oldest unanswered customer message, per profile",
            oldest_waiting_age.clone(),
        );
        let needs_reconnect = Family::<ProfileLabels, Gauge>::default();
        registry.register(
            "profile_needs_reconnect",
            "1 for a profile whose platform refused its token (opnieuw verbinden)",
            needs_reconnect.clone(),
        );
        Self {
            needs_reconnect,
            registry,
            http_requests,
            http_latency,
            webhook_deliveries,
            ingest_queue_depth,
            ingest_group_size,
            deliveries,
            sse_clients,
            login_failures,
            outbox_jobs,
            outbox_oldest_age,
            waiting,
            oldest_waiting_age,
        }
    }
}

fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

impl Metrics {
    pub fn webhook(&self, platform: &str, outcome: WebhookOutcome) {
        self.webhook_deliveries
            .get_or_create(&OutcomeLabels {
                platform: platform.to_owned(),
                outcome: outcome.as_str().to_owned(),
            })
            .inc();
    }

    pub fn delivery(&self, platform: &str, outcome: &str) {
        self.deliveries
            .get_or_create(&OutcomeLabels {
                platform: platform.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }
}

/// Holds an SSE client in the gauge while alive.
pub struct SseClientGuard(Arc<Metrics>);

impl Drop for SseClientGuard {
    fn drop(&mut self) {
        self.0.sse_clients.dec();
    }
}

impl App {
    /// Counts one open live stream until the guard is dropped.
    pub fn sse_client(&self) -> SseClientGuard {
        self.metrics.sse_clients.inc();
        SseClientGuard(self.metrics.clone())
    }

    /// The metrics in the Prometheus text format, with the store-backed gauges fresh.
    pub async fn render_metrics(&self) -> Result<String, crate::AppError> {
        let now = self.now();
        let m = &self.metrics;
        m.outbox_jobs.clear();
        m.outbox_oldest_age.clear();
        for (state, count, oldest) in self.store.job_counts().await? {
            let labels = StateLabels { state };
            m.outbox_jobs.get_or_create(&labels).set(count);
            m.outbox_oldest_age
                .get_or_create(&labels)
                .set((now - oldest).max(0) / 1000);
        }
        m.waiting.clear();
        m.oldest_waiting_age.clear();
        for (profile_id, platform, waiting, oldest) in self.store.waiting_per_profile().await? {
            let labels = ProfileLabels { profile_id, platform };
            m.waiting.get_or_create(&labels).set(waiting);
            let age = oldest.map(|o| (now - o).max(0) / 1000).unwrap_or(0);
            m.oldest_waiting_age.get_or_create(&labels).set(age);
        }
        m.needs_reconnect.clear();
        for (profile_id, platform) in self.store.profiles_needing_reconnect(None).await? {
            m.needs_reconnect
                .get_or_create(&ProfileLabels { profile_id, platform })
                .set(1);
        }
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &m.registry)
            .map_err(|e| anyhow::anyhow!("metrics: {e}"))?;
        Ok(out)
    }
}
