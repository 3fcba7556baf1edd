//! `hubert bench seed`: bulk data (conversations with contacts, messages) for
//! `hubert bench inbox`, which measures `GET /api/v1/conversations?status=open` on it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hubert_app::{App, Endpoints};
use hubert_core::{Role, SystemClock};
use hyper::Method;
use serde_json::json;

use super::client::{round2, stats, Conn};
use super::{backend_name, start_server};

const DEFAULT_BENCH_DB: &str = "sqlite:./data/bench.db";

#[derive(clap::Args)]
pub struct SeedArgs {
    #[arg(long, default_value_t = 1_000_000)]
    conversations: u64,
    #[arg(long, default_value_t = 5_000_000)]
    messages: u64,
    #[arg(long, default_value = DEFAULT_BENCH_DB)]
    database_url: String,
}

#[derive(clap::Args)]
pub struct InboxArgs {
    #[arg(long, default_value = DEFAULT_BENCH_DB)]
    database_url: String,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Concurrent clients (one connection each).
    #[arg(long, default_value_t = 4)]
    clients: usize,
    /// The query string of the list request.
    #[arg(long, default_value = "status=open")]
    query: String,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

fn sqlite_size(url: &str) -> Option<u64> {
    if backend_name(url) != "sqlite" {
        return None;
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let main = std::fs::metadata(path).ok()?.len();
    let wal = std::fs::metadata(format!("{path}-wal")).map(|m| m.len()).unwrap_or(0);
    Some(main + wal)
}

pub async fn seed(args: SeedArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.conversations > 0, "--conversations must be positive");
    let store = crate::open_store(&args.database_url).await?;
    let app = App::new(store, Arc::new(SystemClock), Endpoints::default(), String::new());
    // A profile of its own for every seed, so seeding twice adds rather than collides.
    let phone_number_id = format!("1095{:011}", rand::random::<u64>() % 100_000_000_000);
    let (ws, profile) = super::setup_whatsapp(&app, &phone_number_id).await?;
    eprintln!(
        "seeding {} conversations and {} messages into {} …",
        args.conversations,
        args.messages.max(args.conversations),
        args.database_url
    );
    let started = Instant::now();
    let progress = |c: u64, m: u64| {
        if c.is_multiple_of(100_000) || c == args.conversations {
            let s = started.elapsed().as_secs_f64();
            eprintln!(
                "  {c:>9} conversations  {m:>10} messages  {s:>7.1} s  ({:.0} rows/s)",
                (2 * c + m) as f64 / s.max(1e-9)
            );
        }
    };
    let report = app
        .store
        .bulk_seed(
            &ws,
            &profile.id,
            args.conversations,
            args.messages,
            app.now(),
            &progress,
        )
        .await?;
    let elapsed = started.elapsed();
    app.store.close().await;
    let rows = 2 * report.conversations + report.messages;
    println!(
        "seeded {} conversations ({} open, {} pending, {} resolved), {} contacts, {} messages in {:.1} s ({:.0} rows/s){}",
        report.conversations,
        report.open,
        report.pending,
        report.resolved,
        report.conversations,
        report.messages,
        elapsed.as_secs_f64(),
        rows as f64 / elapsed.as_secs_f64().max(1e-9),
        sqlite_size(&args.database_url).map(|b| format!("; database {:.2} GiB", b as f64 / (1u64 << 30) as f64)).unwrap_or_default()
    );
    Ok(())
}

pub async fn run(args: InboxArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.seconds > 0 && args.seconds <= 600,
        "--seconds must be between 1 and 600"
    );
    anyhow::ensure!(
        args.clients > 0 && args.clients <= 256,
        "--clients must be between 1 and 256"
    );
    let running = start_server(&args.database_url).await?;
    let app = running.app.clone();
    let ws = app
        .store
        .default_workspace()
        .await?
        .ok_or_else(|| anyhow::anyhow!("no workspace: run `hubert bench seed` first"))?;
    let token = app
        .create_token(&ws, "bench-inbox", Role::Agent)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let auth = format!("Bearer {token}");
    let path = format!("/api/v1/conversations?{}", args.query);

    // One request first: its latency is the cold one, and the answer tells the size.
    let mut probe = Conn::connect(running.addr).await?;
    let t = Instant::now();
    let (status, body) = probe
        .call(Method::GET, &path, &[("authorization", &auth)], bytes::Bytes::new())
        .await?;
    let first_ms = t.elapsed().as_secs_f64() * 1000.0;
    anyhow::ensure!(
        status == 200,
        "{path} answered {status}: {}",
        String::from_utf8_lossy(&body)
    );
    let parsed: serde_json::Value = serde_json::from_slice(&body)?;
    let items = parsed["items"].as_array().map_or(0, |a| a.len());
    let bytes = body.len();

    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let measure_start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.clients {
        let mut conn = Conn::connect(running.addr).await?;
        let (path, auth) = (path.clone(), auth.clone());
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut errors) = (Vec::new(), 0u64);
            while Instant::now() < deadline {
                let t = Instant::now();
                match conn
                    .call(Method::GET, &path, &[("authorization", &auth)], bytes::Bytes::new())
                    .await
                {
                    Ok((200, _)) => lat.push(t.elapsed().as_micros() as u64),
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let (mut lat, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (l, e) = t.await?;
        lat.extend(l);
        errors += e;
    }
    let elapsed = measure_start.elapsed();
    running.stop().await;
    let s = stats(lat);
    let out = json!({
        "benchmark": "inbox",
        "backend": backend_name(&args.database_url),
        "query": path,
        "clients": args.clients,
        "seconds": args.seconds,
        "requests": s.count,
        "requests_per_second": round2(s.count as f64 / elapsed.as_secs_f64()),
        "errors": errors,
        "items_per_response": items,
        "response_bytes": bytes,
        "first_request_ms": round2(first_ms),
        "p50_ms": round2(s.p50_ms),
        "p90_ms": round2(s.p90_ms),
        "p99_ms": round2(s.p99_ms),
        "max_ms": round2(s.max_ms),
        "database_bytes": sqlite_size(&args.database_url),
        "machine": super::client::machine(),
    });
    if args.json {
        println!("{out}");
    } else {
        println!(
            "Hubert inbox benchmark ({}, GET {path}, {} clients, {} s, loopback)",
            backend_name(&args.database_url),
            args.clients,
            args.seconds
        );
        println!(
            "  {} requests ({:.0}/s, {errors} errors), {items} conversations and {bytes} bytes per answer; first request {first_ms:.2} ms",
            s.count,
            s.count as f64 / elapsed.as_secs_f64()
        );
        println!(
            "  p50 {:.2} ms   p90 {:.2} ms   p99 {:.2} ms   max {:.2} ms",
            s.p50_ms, s.p90_ms, s.p99_ms, s.max_ms
        );
    }
    Ok(())
}
