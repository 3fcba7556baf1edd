//! `hubert bench wallboard`: W wallboard screens and I inbox pages connected while
//! messages arrive at R per second. For every (webhook, screen) pair: the time from the
//! webhook's 200 to the first `state` event on that screen computed after it (its
//! `generated_at` is at or after the 200, so it includes the message). Also the process's
//! CPU and memory (server and load generator share the process), and how many states the
//! hub computed: compute once per kind of board, fan out to every screen.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hubert_app::wallboard::NewWallboard;
use hubert_core::Role;
use hyper::Method;
use serde_json::json;
use tokio::sync::watch;

use super::client::{raise_fd_limit, round2, stats, Conn, SseReader};
use super::{admin, signed_delivery, start_server, TempDb, PHONE_NUMBER_ID};

#[derive(clap::Args)]
pub struct WallboardArgs {
    /// Connected wallboard screens (half in privacy mode, each its own token).
    #[arg(long, default_value_t = 50)]
    wallboards: usize,
    /// Connected inbox pages (SSE).
    #[arg(long, default_value_t = 200)]
    inboxes: usize,
    /// Messages per second arriving through the webhook.
    #[arg(long, default_value_t = 100)]
    rate: u64,
    /// How long messages arrive.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

/// User + system CPU seconds of this process.
fn cpu_seconds() -> f64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage fills the struct we own; RUSAGE_SELF is always valid.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(usage.ru_utime) + t(usage.ru_stime)
}

/// (current RSS, peak RSS) in MiB from /proc/self/status.
fn memory_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(0.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Reads one SSE stream; returns (arrival epoch ms, generated_at) of every `state` event.
async fn screen(
    addr: std::net::SocketAddr,
    path: String,
    headers: Vec<(String, String)>,
    ready: Arc<AtomicUsize>,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<Vec<(f64, f64)>> {
    let mut conn = Conn::connect(addr).await?;
    let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let resp = conn.send(Method::GET, &path, &h, bytes::Bytes::new()).await?;
    anyhow::ensure!(resp.status() == 200, "{path} answered {}", resp.status());
    let mut reader = SseReader::new(resp);
    let mut seen = Vec::new();
    let mut counted = false;
    // Arrival times as epoch ms: the state's `generated_at` is epoch ms too.
    let (epoch_at_start, instant_at_start) = (epoch_ms(), Instant::now());
    while let Some((kind, text, at)) = reader.next(&mut stop).await? {
        if !counted && (kind == "state" || kind == "hello") {
            counted = true;
            ready.fetch_add(1, Ordering::SeqCst);
        }
        if kind == "state" {
            // `generated_at` sits near the start of the state JSON; avoid a full parse.
            if let Some(i) = text.find("\"generated_at\":") {
                let digits: String = text[i + 15..]
                    .chars()
                    .skip_while(|c| *c == ' ')
                    .take_while(|c| c.is_ascii_digit())
                    .collect();
                if let Ok(g) = digits.parse::<f64>() {
                    let arrived =
                        epoch_at_start + at.saturating_duration_since(instant_at_start).as_secs_f64() * 1000.0;
                    seen.push((arrived, g));
                }
            }
        }
    }
    Ok(seen)
}

pub async fn run(args: WallboardArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.wallboards + args.inboxes <= 5_000, "at most 5000 connections");
    anyhow::ensure!((1..=2_000).contains(&args.rate), "--rate between 1 and 2000");
    anyhow::ensure!((1..=300).contains(&args.seconds), "--seconds between 1 and 300");
    let fd_limit = raise_fd_limit();
    anyhow::ensure!(
        fd_limit as usize > (args.wallboards + args.inboxes) * 2 + 256,
        "open-file limit {fd_limit} too low"
    );
    let say = |s: String| {
        if !args.json {
            eprintln!("{s}");
        }
    };
    let temp = TempDb::new()?;
    let running = start_server(&temp.url).await?;
    let app = running.app.clone();
    let (ws, profile) = super::setup_whatsapp(&app, PHONE_NUMBER_ID).await?;
    let lead = admin(&ws);
    let token = app
        .create_token(&ws, "bench-inbox", Role::Agent)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut board_paths = Vec::new();
    for i in 0..args.wallboards {
        let input: NewWallboard = serde_json::from_value(json!({ "name": format!("TV {i}"), "privacy": i % 2 == 0 }))?;
        let (_, url) = app
            .create_wallboard(&lead, input)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let token = url.rsplit('/').next().unwrap_or_default().to_owned();
        board_paths.push(format!("/wallboard/{token}/events"));
    }
    let addr = running.addr;
    let ready = Arc::new(AtomicUsize::new(0));
    let (stop_tx, stop_rx) = watch::channel(false);
    say(format!(
        "connecting {} wallboards and {} inboxes …",
        args.wallboards, args.inboxes
    ));
    let mut boards = Vec::new();
    for path in &board_paths {
        let headers = vec![("accept".to_owned(), "text/event-stream".to_owned())];
        boards.push(tokio::spawn(screen(
            addr,
            path.clone(),
            headers,
            ready.clone(),
            stop_rx.clone(),
        )));
    }
    let mut inboxes = Vec::new();
    for _ in 0..args.inboxes {
        let headers = vec![
            ("accept".to_owned(), "text/event-stream".to_owned()),
            ("authorization".to_owned(), format!("Bearer {token}")),
        ];
        inboxes.push(tokio::spawn(screen(
            addr,
            "/api/v1/events".into(),
            headers,
            ready.clone(),
            stop_rx.clone(),
        )));
    }
    let total = args.wallboards + args.inboxes;
    let deadline = Instant::now() + Duration::from_secs(30);
    while ready.load(Ordering::SeqCst) < total && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    anyhow::ensure!(ready.load(Ordering::SeqCst) == total, "not every screen connected");
    tokio::time::sleep(Duration::from_millis(500)).await;

    say(format!("{} messages/s for {} s …", args.rate, args.seconds));
    let path = format!("/webhooks/whatsapp/{}", profile.id);
    let computations_before = app.wallboard_hub.computations();
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let interval = Duration::from_secs_f64(1.0 / args.rate as f64);
    let total_messages = (args.rate * args.seconds) as usize;
    let tag = uuid::Uuid::now_v7().simple().to_string();
    // Open loop: a few posting connections, each request sent on schedule.
    let posters = 8usize;
    let mut tasks = Vec::new();
    for p in 0..posters {
        let path = path.clone();
        let tag = tag.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::connect(addr).await?;
            let mut acks = Vec::new();
            let mut i = p;
            while i < total_messages {
                let due = started + interval * i as u32;
                tokio::time::sleep_until(due.into()).await;
                let (body, sig) = signed_delivery(
                    PHONE_NUMBER_ID,
                    &format!("3164{:08}", i % 5000),
                    &format!("wamid.wb.{tag}.{i}"),
                    "Is er een storing bekend in Utrecht?",
                );
                let (status, _) = conn
                    .call(
                        Method::POST,
                        &path,
                        &[("content-type", "application/json"), ("x-hub-signature-256", &sig)],
                        body,
                    )
                    .await?;
                anyhow::ensure!(status == 200, "webhook answered {status}");
                acks.push(epoch_ms());
                i += posters;
            }
            anyhow::Ok(acks)
        }));
    }
    let mut acks = Vec::new();
    for t in tasks {
        acks.extend(t.await??);
    }
    let wall = started.elapsed().as_secs_f64();
    // Let the last states arrive.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let cpu = cpu_seconds() - cpu_before;
    let computations = app.wallboard_hub.computations() - computations_before;
    let (rss, peak) = memory_mib();
    let _ = stop_tx.send(true);
    let mut latencies: Vec<u64> = Vec::new();
    let mut missing = 0usize;
    acks.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    for b in boards {
        let states = b.await??;
        for ack in &acks {
            // The first state computed at or after the 200 (both in epoch ms).
            match states.iter().find(|(_, generated)| *generated >= ack.ceil()) {
                Some((arrived, _)) => latencies.push(((arrived - ack).max(0.0) * 1000.0) as u64),
                None => missing += 1,
            }
        }
    }
    for i in inboxes {
        let _ = i.await;
    }
    running.stop().await;
    drop(temp);
    let s = stats(latencies);
    let out = json!({
        "benchmark": "wallboard",
        "backend": "sqlite",
        "wallboards": args.wallboards,
        "inboxes": args.inboxes,
        "rate": args.rate,
        "seconds": args.seconds,
        "messages": acks.len(),
        "pairs": s.count,
        "missing_pairs": missing,
        "p50_ms": round2(s.p50_ms),
        "p99_ms": round2(s.p99_ms),
        "max_ms": round2(s.max_ms),
        "state_computations": computations,
        "computations_per_second": round2(computations as f64 / wall),
        "process_cpu_percent": round2(cpu / wall * 100.0),
        "rss_mib": round2(rss),
        "peak_rss_mib": round2(peak),
        "machine": super::client::machine(),
    });
    if args.json {
        println!("{out}");
    } else {
        println!(
            "Hubert wallboard benchmark ({} wallboards, {} inboxes, {} msg/s for {} s, loopback)",
            args.wallboards, args.inboxes, args.rate, args.seconds
        );
        println!(
            "  webhook 200 → wallboard state: p50 {:.1} ms   p99 {:.1} ms   max {:.1} ms   ({} pairs, {missing} missing)",
            s.p50_ms, s.p99_ms, s.max_ms, s.count
        );
        println!(
            "  states computed: {computations} ({:.1}/s) for {} screens",
            computations as f64 / wall,
            args.wallboards
        );
        println!(
            "  process (server + load generator): CPU {:.0}% of one core   RSS {rss:.0} MiB (peak {peak:.0} MiB)",
            cpu / wall * 100.0
        );
    }
    Ok(())
}
