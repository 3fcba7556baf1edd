//! `hubert bench ingest`: C clients POST signed deliveries (WhatsApp by default, or
//! `--platform facebook|instagram|linkedin`: `super::platforms`) as fast as the server
//! acknowledges them (each request awaited; 200 = durably committed), against a fresh
//! database. In the same run, the ceiling: a bare axum endpoint that only reads the body,
//! hammered the same way. Optionally a paced (open-loop) run at a fixed rate.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::post;
use hyper::Method;
use serde_json::json;

use super::client::{round2, stats, Conn, Stats};
use super::platforms::BenchPlatform;
use super::{backend_name, start_server, TempDb};

#[derive(clap::Args)]
pub struct IngestArgs {
    /// Database to ingest into (must be empty for PostgreSQL); default: a new SQLite file
    /// in a temporary directory.
    #[arg(long)]
    database_url: Option<String>,
    /// Duration of each measured run.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Concurrent clients (one connection each).
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// Also run paced (open-loop) at this many messages per second and report p99.
    #[arg(long)]
    rate: Option<u64>,
    /// Distinct customers (contacts) the deliveries come from.
    #[arg(long, default_value_t = 50_000)]
    contacts: u64,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// Whose signed deliveries to send.
    #[arg(long, value_enum, default_value_t = BenchPlatform::Whatsapp)]
    platform: BenchPlatform,
}

/// What one load run measured.
struct Run {
    ok: u64,
    errors: u64,
    elapsed: Duration,
    latency: Stats,
    /// Paced runs: requests whose connection was still busy at their scheduled time.
    late_starts: u64,
}

impl Run {
    fn per_second(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Builds request `seq`: (body, signature).
struct Deliveries {
    platform: BenchPlatform,
    tag: String,
    contacts: u64,
    next: AtomicU64,
}

impl Deliveries {
    fn next(&self) -> (Bytes, String) {
        let seq = self.next.fetch_add(1, Ordering::Relaxed);
        let contact = (seq.wrapping_mul(2_654_435_761)) % self.contacts.max(1);
        self.platform.delivery(&self.tag, seq, contact)
    }
}

async fn connect_all(addr: SocketAddr, n: usize) -> anyhow::Result<Vec<Conn>> {
    let mut conns = Vec::with_capacity(n);
    for _ in 0..n {
        conns.push(Conn::connect(addr).await?);
    }
    Ok(conns)
}

/// Closed loop: every client sends its next request as soon as the previous one answered.
async fn closed_loop(
    addr: SocketAddr,
    path: &str,
    clients: usize,
    seconds: u64,
    deliveries: Arc<Deliveries>,
) -> anyhow::Result<Run> {
    let conns = connect_all(addr, clients).await?;
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for mut conn in conns {
        let path = path.to_owned();
        let deliveries = deliveries.clone();
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut errors, mut lat) = (0u64, 0u64, Vec::with_capacity(1 << 14));
            while Instant::now() < deadline {
                let (body, sig) = deliveries.next();
                let t = Instant::now();
                match conn
                    .call(
                        Method::POST,
                        &path,
                        &[
                            ("content-type", "application/json"),
                            (deliveries.platform.signature_header(), &sig),
                        ],
                        body,
                    )
                    .await
                {
                    Ok((200, _)) => {
                        ok += 1;
                        lat.push(t.elapsed().as_micros() as u64);
                    }
                    Ok(_) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        // The connection is gone; reconnect once, else stop this client.
                        match Conn::connect(addr).await {
                            Ok(c) => conn = c,
                            Err(_) => break,
                        }
                    }
                }
            }
            (ok, errors, lat)
        }));
    }
    let (mut ok, mut errors, mut lat) = (0, 0, Vec::new());
    for t in tasks {
        let (o, e, l) = t.await?;
        ok += o;
        errors += e;
        lat.extend(l);
    }
    Ok(Run {
        ok,
        errors,
        elapsed: start.elapsed(),
        latency: stats(lat),
        late_starts: 0,
    })
}

/// Open loop: request i is due at start + i/rate, whatever happened before. Latency is
/// measured from the due time when the connection was still busy then (no coordinated
/// omission), else from the actual send. Bounded: nothing starts after 3× the duration.
async fn paced(
    addr: SocketAddr,
    path: &str,
    clients: usize,
    seconds: u64,
    rate: u64,
    deliveries: Arc<Deliveries>,
) -> anyhow::Result<Run> {
    let conns = connect_all(addr, clients).await?;
    let total = rate * seconds;
    let start = Instant::now() + Duration::from_millis(20);
    let hard_stop = start + Duration::from_secs(seconds * 3 + 5);
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for mut conn in conns {
        let path = path.to_owned();
        let deliveries = deliveries.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut errors, mut late, mut lat) = (0u64, 0u64, 0u64, Vec::with_capacity(1 << 12));
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let due = start + Duration::from_nanos(i * 1_000_000_000 / rate);
                let now = Instant::now();
                if now > hard_stop {
                    break;
                }
                let from = if now > due + Duration::from_millis(1) {
                    late += 1;
                    due
                } else {
                    tokio::time::sleep_until(due.into()).await;
                    Instant::now()
                };
                let (body, sig) = deliveries.next();
                match conn
                    .call(
                        Method::POST,
                        &path,
                        &[
                            ("content-type", "application/json"),
                            (deliveries.platform.signature_header(), &sig),
                        ],
                        body,
                    )
                    .await
                {
                    Ok((200, _)) => {
                        ok += 1;
                        lat.push(from.elapsed().as_micros() as u64);
                    }
                    Ok(_) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        match Conn::connect(addr).await {
                            Ok(c) => conn = c,
                            Err(_) => break,
                        }
                    }
                }
            }
            (ok, errors, late, lat)
        }));
    }
    let (mut ok, mut errors, mut late, mut lat) = (0, 0, 0, Vec::new());
    for t in tasks {
        let (o, e, l, v) = t.await?;
        ok += o;
        errors += e;
        late += l;
        lat.extend(v);
    }
    Ok(Run {
        ok,
        errors,
        elapsed: start.elapsed(),
        latency: stats(lat),
        late_starts: late,
    })
}

/// The ceiling: an axum endpoint that reads the body and answers 200.
async fn start_bare() -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let router = axum::Router::new().route(
        "/",
        post(|body: Bytes| async move {
            std::hint::black_box(body.len());
            StatusCode::OK
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((addr, task))
}

pub async fn run(args: IngestArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.seconds > 0 && args.seconds <= 600,
        "--seconds must be between 1 and 600"
    );
    anyhow::ensure!(
        args.clients > 0 && args.clients <= 1024,
        "--clients must be between 1 and 1024"
    );
    let temp;
    let url = match &args.database_url {
        Some(u) => u.clone(),
        None => {
            temp = TempDb::new()?;
            temp.url.clone()
        }
    };
    let backend = backend_name(&url);
    let say = |s: String| {
        if !args.json {
            eprintln!("{s}");
        }
    };

    // Ceiling first: nothing else is running yet.
    let tag = uuid::Uuid::now_v7().simple().to_string();
    let deliveries = Arc::new(Deliveries {
        platform: args.platform,
        tag: tag.clone(),
        contacts: args.contacts,
        next: AtomicU64::new(0),
    });
    let (bare_addr, bare_task) = start_bare().await?;
    say(format!(
        "ceiling: bare endpoint, {} clients, {} s …",
        args.clients, args.seconds
    ));
    let ceiling = closed_loop(bare_addr, "/", args.clients, args.seconds, deliveries.clone()).await?;
    bare_task.abort();

    let running = start_server(&url).await?;
    let (ws, profile) = args.platform.setup(&running.app).await?;
    let path = format!("/webhooks/{}/{}", args.platform.name(), profile.id);
    let before = running.app.store.count_messages(&ws, "in").await?;
    let deliveries = Arc::new(Deliveries {
        platform: args.platform,
        tag,
        contacts: args.contacts,
        next: AtomicU64::new(0),
    });
    say(format!(
        "ingest: {} on {backend}, {} clients, {} s …",
        args.platform.name(),
        args.clients,
        args.seconds
    ));
    let ingest = closed_loop(running.addr, &path, args.clients, args.seconds, deliveries.clone()).await?;
    let paced_run = match args.rate {
        Some(rate) if rate > 0 => {
            tokio::time::sleep(Duration::from_millis(500)).await;
            say(format!("paced: {rate} messages/s for {} s …", args.seconds));
            Some((
                rate,
                paced(
                    running.addr,
                    &path,
                    args.clients,
                    args.seconds,
                    rate,
                    deliveries.clone(),
                )
                .await?,
            ))
        }
        _ => None,
    };
    let stored = (running.app.store.count_messages(&ws, "in").await? - before) as u64;
    // Diagnosis: the store alone (no HTTP, no signature, no JSON), groups as large as the
    // number of clients, for a few seconds.
    say(format!("store only: groups of {} deliveries …", args.clients));
    let store_only = store_probe(&running.app, &ws, &profile.id, args.clients, args.seconds.min(3)).await?;
    running.stop().await;

    let acknowledged = ingest.ok + paced_run.as_ref().map_or(0, |(_, r)| r.ok);
    let mps = ingest.per_second();
    let ceiling_rps = ceiling.per_second();
    let mut out = json!({
        "benchmark": "ingest",
        "platform": args.platform.name(),
        "backend": backend,
        "clients": args.clients,
        "seconds": args.seconds,
        "contacts": args.contacts,
        "messages_per_second": round2(mps),
        "p50_ms": round2(ingest.latency.p50_ms),
        "p90_ms": round2(ingest.latency.p90_ms),
        "p99_ms": round2(ingest.latency.p99_ms),
        "max_ms": round2(ingest.latency.max_ms),
        "acknowledged": ingest.ok,
        "errors": ingest.errors,
        "ceiling_requests_per_second": round2(ceiling_rps),
        "ceiling_p50_ms": round2(ceiling.latency.p50_ms),
        "ceiling_p99_ms": round2(ceiling.latency.p99_ms),
        "ratio_to_ceiling": round2(mps / ceiling_rps.max(1e-9)),
        "store_only_messages_per_second": round2(store_only),
        "stored_messages": stored,
        "stored_equals_acknowledged": stored == acknowledged,
        "machine": super::client::machine(),
    });
    if let Some((rate, r)) = &paced_run {
        out["rate"] = json!(rate);
        out["p50_ms_at_rate"] = json!(round2(r.latency.p50_ms));
        out["p99_ms_at_rate"] = json!(round2(r.latency.p99_ms));
        out["max_ms_at_rate"] = json!(round2(r.latency.max_ms));
        out["achieved_rate"] = json!(round2(r.per_second()));
        out["acknowledged_at_rate"] = json!(r.ok);
        out["errors_at_rate"] = json!(r.errors);
        out["late_starts_at_rate"] = json!(r.late_starts);
    }
    if args.json {
        println!("{out}");
    } else {
        println!(
            "Hubert ingest benchmark ({}, {backend}, {} clients, {} s, loopback)",
            args.platform.name(),
            args.clients,
            args.seconds
        );
        println!(
            "  ingest:   {:>9.0} messages/s   p50 {:.2} ms   p99 {:.2} ms   max {:.2} ms   ({} acknowledged, {} errors)",
            mps, ingest.latency.p50_ms, ingest.latency.p99_ms, ingest.latency.max_ms, ingest.ok, ingest.errors
        );
        println!(
            "  ceiling:  {:>9.0} requests/s   p50 {:.2} ms   p99 {:.2} ms   (bare axum endpoint reading the body)",
            ceiling_rps, ceiling.latency.p50_ms, ceiling.latency.p99_ms
        );
        println!("  ratio to ceiling: {:.1} %", 100.0 * mps / ceiling_rps.max(1e-9));
        println!(
            "  store only (Store::ingest, groups of {}, no HTTP): {:.0} messages/s",
            args.clients, store_only
        );
        if let Some((rate, r)) = &paced_run {
            println!(
                "  paced at {rate}/s: achieved {:.0}/s   p50 {:.2} ms   p99 {:.2} ms   max {:.2} ms   ({} errors, {} late starts)",
                r.per_second(), r.latency.p50_ms, r.latency.p99_ms, r.latency.max_ms, r.errors, r.late_starts
            );
        }
        println!(
            "  stored messages: {stored} = acknowledged {acknowledged}: {}",
            if stored == acknowledged { "yes" } else { "NO" }
        );
    }
    anyhow::ensure!(
        stored == acknowledged,
        "stored messages ({stored}) differ from acknowledged deliveries ({acknowledged})"
    );
    Ok(())
}

/// Messages per second through `Store::ingest` directly, in groups of `group` deliveries.
async fn store_probe(
    app: &hubert_app::App,
    ws: &str,
    profile_id: &str,
    group: usize,
    seconds: u64,
) -> anyhow::Result<f64> {
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds.max(1));
    let tag = uuid::Uuid::now_v7().simple().to_string();
    let mut seq = 0u64;
    let mut stored = 0u64;
    while Instant::now() < deadline {
        let now = app.now();
        let batches: Vec<hubert_store::IngestBatch> = (0..group)
            .map(|_| {
                seq += 1;
                let contact = seq.wrapping_mul(2_654_435_761) % 50_000;
                hubert_store::IngestBatch {
                    workspace_id: ws.to_owned(),
                    profile_id: profile_id.to_owned(),
                    messages: vec![hubert_store::NewInbound {
                        platform_message_id: format!("wamid.probe.{tag}.{seq}"),
                        contact_platform_user_id: format!("3164{contact:08}"),
                        contact_name: Some(format!("Klant {contact}")),
                        contact_handle: Some(format!("+3164{contact:08}")),
                        kind: "text".into(),
                        text: Some("Is er een storing bekend?".into()),
                        summary: "Is er een storing bekend?".into(),
                        metadata: "{}".into(),
                        sent_at: now,
                        reply_context: r#"{"type":"private"}"#.into(),
                    }],
                    statuses: vec![],
                    ..Default::default()
                }
            })
            .collect();
        let outcomes = app.store.ingest(&batches, now).await?;
        stored += outcomes.iter().map(|o| o.new_messages.len() as u64).sum::<u64>();
    }
    Ok(stored as f64 / start.elapsed().as_secs_f64())
}
