//! `hubert bench crash`: durability under SIGKILL. Runs `hubert serve` as a child process
//! (this very binary) on one database, posts signed WhatsApp deliveries from many concurrent
//! clients, kills the server with SIGKILL at random moments (also now and then while it is
//! still starting), restarts it on the same database, and re-sends every delivery that got no
//! answer, as the platform would. At the end every delivery that got a 200 must be stored
//! exactly once and nothing twice. Loopback only, bounded in time.
//!
//! The children (`hubert admin create-token`, `hubert serve`) get the database, a
//! `HUBERT_SECRET_KEY` (the one in the environment, else a fresh key for this run) and
//! `HUBERT_LOG=warn` in their environment; their output goes to `serve.log` in a temporary
//! directory, whose tail is shown when something fails.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use bytes::Bytes;
use hubert_store::{SecretKey, Store};
use hyper::Method;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use tokio::sync::watch;

use super::child::{Children, Server};
use super::client::{machine, round2, stats, Conn};
use super::{backend_name, signed_delivery, TempDb, APP_SECRET, PHONE_NUMBER_ID};

#[derive(clap::Args)]
pub struct CrashArgs {
    /// Database (PostgreSQL: an empty database); default: a new SQLite file in a temporary
    /// directory.
    #[arg(long)]
    database_url: Option<String>,
    /// Kills while the server is serving deliveries (kills during start-up come on top).
    #[arg(long, default_value_t = 20)]
    cycles: u32,
    /// Concurrent clients (one connection each, reconnecting after every kill).
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// Shortest time the server serves before it is killed, in milliseconds.
    #[arg(long, default_value_t = 100)]
    min_run_ms: u64,
    /// Longest time the server serves before it is killed, in milliseconds.
    #[arg(long, default_value_t = 1500)]
    max_run_ms: u64,
    /// Seed of the random kill moments (default: random; printed in the summary).
    #[arg(long)]
    seed: Option<u64>,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 110)]
    max_seconds: u64,
    /// Also write every acknowledged platform message id to this file, one a line.
    #[arg(long)]
    acknowledged_out: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// Creates the WhatsApp profile the deliveries go to, through the API; returns its id.
async fn create_profile(addr: SocketAddr, token: &str) -> anyhow::Result<String> {
    let body = json!({
        "platform": "whatsapp", "name": "Crash bench",
        "credentials": { "phone_number_id": PHONE_NUMBER_ID, "access_token": "bench-access-token",
                         "app_secret": APP_SECRET, "verify_token": "bench-verify-token" },
        "service_level": { "threshold_minutes": 15, "target_percent": 95 }
    });
    let auth = format!("Bearer {token}");
    let mut conn = Conn::connect(addr).await?;
    let (status, res) = conn
        .call(
            Method::POST,
            "/api/v1/profiles",
            &[("authorization", &auth), ("content-type", "application/json")],
            Bytes::from(body.to_string()),
        )
        .await?;
    ensure!(
        status == 201,
        "creating the profile: {status} {}",
        String::from_utf8_lossy(&res)
    );
    let created: serde_json::Value = serde_json::from_slice(&res)?;
    created["id"]
        .as_str()
        .map(str::to_owned)
        .context("the created profile has no id")
}

/// What the clients share: where the server is (none while it is down), whether to stop
/// sending new deliveries, and running counts.
struct Traffic {
    path: String,
    tag: String,
    addr: watch::Receiver<Option<SocketAddr>>,
    draining: AtomicBool,
    acknowledged: AtomicU64,
    in_flight: AtomicU64,
}

/// One client's tally.
#[derive(Default)]
struct Tally {
    sent: u64,
    attempts: u64,
    resent_deliveries: u64,
    connection_errors: u64,
    other_answers: u64,
    acknowledged: Vec<String>,
    /// Deliveries acknowledged only after a re-send: id and when the first try failed (ms).
    resent: Vec<(String, i64)>,
}

/// One delivery not yet acknowledged: platform message id, body, signature, tries so far.
struct Pending {
    wamid: String,
    body: Bytes,
    signature: String,
    tries: u32,
    /// When the first try failed, in epoch milliseconds.
    failed_at_ms: Option<i64>,
}

/// Sends deliveries one at a time, each until it gets a 200 (re-sending the same bytes after
/// a connection error, like a platform's retry), until draining starts.
async fn client(n: usize, traffic: Arc<Traffic>) -> Tally {
    let mut tally = Tally::default();
    let mut addr_rx = traffic.addr.clone();
    let mut conn: Option<(SocketAddr, Conn)> = None;
    let mut pending: Option<Pending> = None;
    let mut seq = 0u64;
    loop {
        if pending.is_none() {
            if traffic.draining.load(Ordering::Acquire) {
                return tally;
            }
            seq += 1;
            let wamid = format!("{}{n}.{seq}", traffic.tag);
            let contact = (n as u64 * 7_919 + seq) % 500;
            let (body, signature) = signed_delivery(
                PHONE_NUMBER_ID,
                &format!("3165{contact:08}"),
                &wamid,
                "Mijn stroom is uitgevallen, is er een storing bekend?",
            );
            tally.sent += 1;
            pending = Some(Pending {
                wamid,
                body,
                signature,
                tries: 0,
                failed_at_ms: None,
            });
        }
        let current = *addr_rx.borrow_and_update();
        let Some(addr) = current else {
            let _ = tokio::time::timeout(Duration::from_millis(50), addr_rx.changed()).await;
            continue;
        };
        if conn.as_ref().is_none_or(|(a, _)| *a != addr) {
            match Conn::connect(addr).await {
                Ok(c) => conn = Some((addr, c)),
                Err(_) => {
                    tally.connection_errors += 1;
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                }
            }
        }
        let p = pending.as_mut().expect("a pending delivery");
        let (_, c) = conn.as_mut().expect("connected");
        tally.attempts += 1;
        if p.tries == 1 {
            tally.resent_deliveries += 1;
        }
        p.tries += 1;
        traffic.in_flight.fetch_add(1, Ordering::AcqRel);
        let headers = [
            ("content-type", "application/json"),
            ("x-hub-signature-256", p.signature.as_str()),
        ];
        let answer = tokio::time::timeout(
            Duration::from_secs(10),
            c.call(Method::POST, &traffic.path, &headers, p.body.clone()),
        )
        .await;
        traffic.in_flight.fetch_sub(1, Ordering::AcqRel);
        match answer {
            Ok(Ok((200, _))) => {
                traffic.acknowledged.fetch_add(1, Ordering::AcqRel);
                let done = pending.take().expect("pending");
                if let Some(at) = done.failed_at_ms {
                    tally.resent.push((done.wamid.clone(), at));
                }
                tally.acknowledged.push(done.wamid);
            }
            Ok(Ok(_)) => {
                tally.other_answers += 1;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            _ => {
                tally.connection_errors += 1;
                p.failed_at_ms.get_or_insert_with(epoch_ms);
                conn = None;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    }
}

/// What the kill loop measured.
#[derive(Default)]
struct Kills {
    serving: u32,
    during_startup: u32,
    in_flight_at_kill: u64,
    acknowledged_per_cycle: Vec<u64>,
    /// Restart until `/healthz` answers 200.
    recover_us: Vec<u64>,
    /// Kill until the first delivery is acknowledged again.
    outage_us: Vec<u64>,
}

/// Kills the server `cycles` times at random moments while it serves (and now and then
/// while it starts), restarting it each time. Returns the last, still running, server.
async fn kill_loop(
    children: &Children,
    mut server: Server,
    traffic: &Traffic,
    addr_tx: &watch::Sender<Option<SocketAddr>>,
    args: &CrashArgs,
    rng: &mut StdRng,
    deadline: Instant,
) -> anyhow::Result<(Server, Kills)> {
    let mut kills = Kills::default();
    let mut acknowledged_before = traffic.acknowledged.load(Ordering::Acquire);
    while kills.serving < args.cycles {
        ensure!(
            Instant::now() < deadline,
            "out of time after {} kill cycles",
            kills.serving
        );
        let serve_for = rng.gen_range(args.min_run_ms..=args.max_run_ms.max(args.min_run_ms));
        tokio::time::sleep(Duration::from_millis(serve_for)).await;
        kills.in_flight_at_kill += traffic.in_flight.load(Ordering::Acquire);
        server.kill().await?;
        let killed_at = Instant::now();
        addr_tx.send_replace(None);
        kills.serving += 1;
        let acknowledged = traffic.acknowledged.load(Ordering::Acquire);
        kills.acknowledged_per_cycle.push(acknowledged - acknowledged_before);
        acknowledged_before = acknowledged;
        if rng.gen_ratio(1, 4) {
            // A kill while the server is starting (opening the database, migrating).
            let mut early = children.spawn_server()?;
            tokio::time::sleep(Duration::from_millis(rng.gen_range(5..150))).await;
            early.kill().await?;
            kills.during_startup += 1;
        }
        let (next, took) = children.start().await?;
        kills.recover_us.push(took.as_micros() as u64);
        server = next;
        addr_tx.send_replace(Some(server.addr));
        kills.outage_us.push(first_acknowledgement(traffic, killed_at).await?);
    }
    Ok((server, kills))
}

/// Waits until the clients get a delivery acknowledged; returns the time since `killed_at`
/// in microseconds.
async fn first_acknowledgement(traffic: &Traffic, killed_at: Instant) -> anyhow::Result<u64> {
    let before = traffic.acknowledged.load(Ordering::Acquire);
    let give_up = Instant::now() + Duration::from_secs(30);
    while traffic.acknowledged.load(Ordering::Acquire) == before {
        ensure!(
            Instant::now() < give_up,
            "no delivery acknowledged within 30 s of a restart"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    Ok(killed_at.elapsed().as_micros() as u64)
}

/// What the store holds for this run's deliveries.
struct Audit {
    stored: u64,
    duplicates: u64,
    lost: u64,
    unacknowledged: u64,
    /// Re-sent deliveries whose first try had been committed before the kill (its answer was
    /// lost): the re-send was deduplicated.
    committed_before_kill: u64,
}

/// Reads the stored rows of this run through the store and compares them with the
/// acknowledgements.
async fn audit(url: &str, key: &SecretKey, profile_id: &str, prefix: &str, tally: &Tally) -> anyhow::Result<Audit> {
    let store = Store::connect_with_key(url, Some(key.clone())).await?;
    let rows: HashMap<String, (i64, i64)> = store
        .count_inbound_by_platform_id(profile_id, prefix)
        .await?
        .into_iter()
        .map(|(id, n, first)| (id, (n, first)))
        .collect();
    let acked: HashSet<&str> = tally.acknowledged.iter().map(String::as_str).collect();
    Ok(Audit {
        stored: rows.len() as u64,
        duplicates: rows.values().map(|&(n, _)| (n - 1).max(0) as u64).sum(),
        lost: acked.iter().filter(|id| !rows.contains_key(**id)).count() as u64,
        unacknowledged: rows.keys().filter(|id| !acked.contains(id.as_str())).count() as u64,
        committed_before_kill: tally
            .resent
            .iter()
            .filter(|(id, failed_at)| rows.get(id).is_some_and(|&(_, first)| first <= *failed_at))
            .count() as u64,
    })
}

fn epoch_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The key the children seal credentials with: `HUBERT_SECRET_KEY` when set (a database
/// that already holds credentials needs its key), else a fresh one for this run.
fn secret_key() -> anyhow::Result<SecretKey> {
    match std::env::var("HUBERT_SECRET_KEY") {
        Ok(text) if !text.trim().is_empty() => {
            SecretKey::from_base64(&text).map_err(|e| anyhow::anyhow!("HUBERT_SECRET_KEY: {e}"))
        }
        _ => Ok(SecretKey::generate()),
    }
}

pub async fn run(args: CrashArgs) -> anyhow::Result<()> {
    ensure!((1..=1000).contains(&args.cycles), "--cycles must be between 1 and 1000");
    ensure!((1..=256).contains(&args.clients), "--clients must be between 1 and 256");
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.max_seconds);
    let temp = TempDb::new()?;
    let url = args.database_url.clone().unwrap_or_else(|| temp.url.clone());
    let backend = backend_name(&url);
    let seed = args.seed.unwrap_or_else(rand::random);
    let key = secret_key()?;
    let mut rng = StdRng::seed_from_u64(seed);
    let children = Children {
        bin: std::env::current_exe()?,
        env: vec![
            ("HUBERT_DATABASE_URL", url.clone()),
            ("HUBERT_SECRET_KEY", key.to_base64().to_string()),
            ("HUBERT_LOG", "warn".into()),
        ],
        log: temp.dir.join("serve.log"),
    };
    let say = |s: String| {
        if !args.json {
            eprintln!("{s}");
        }
    };

    say(format!(
        "crash: {backend}, {} clients, {} kill cycles …",
        args.clients, args.cycles
    ));
    let token = children.create_token().await?;
    let (server, first_start) = children.start().await?;
    let profile_id = create_profile(server.addr, &token).await?;
    let prefix = format!("wamid.crash.{}.", uuid::Uuid::now_v7().simple());
    let (addr_tx, addr_rx) = watch::channel(Some(server.addr));
    let traffic = Arc::new(Traffic {
        path: format!("/webhooks/whatsapp/{profile_id}"),
        tag: prefix.clone(),
        addr: addr_rx,
        draining: AtomicBool::new(false),
        acknowledged: AtomicU64::new(0),
        in_flight: AtomicU64::new(0),
    });
    let clients: Vec<_> = (0..args.clients)
        .map(|n| tokio::spawn(client(n, traffic.clone())))
        .collect();

    let looped = kill_loop(&children, server, &traffic, &addr_tx, &args, &mut rng, deadline).await;
    let (mut server, kills) = match looped {
        Ok(done) => done,
        Err(e) => {
            addr_tx.send_replace(None);
            return Err(e.context(children.log_tail()));
        }
    };

    // Drain: no new deliveries; every client re-sends its last one until it is acknowledged.
    traffic.draining.store(true, Ordering::Release);
    let mut tally = Tally::default();
    for c in clients {
        let t = tokio::time::timeout(Duration::from_secs(60), c)
            .await
            .context("clients did not drain within 60 s")??;
        tally.sent += t.sent;
        tally.attempts += t.attempts;
        tally.resent_deliveries += t.resent_deliveries;
        tally.resent.extend(t.resent);
        tally.connection_errors += t.connection_errors;
        tally.other_answers += t.other_answers;
        tally.acknowledged.extend(t.acknowledged);
    }
    server.terminate().await?;
    let elapsed = started.elapsed();

    let Audit {
        stored,
        duplicates,
        lost,
        unacknowledged,
        committed_before_kill,
    } = audit(&url, &key, &profile_id, &prefix, &tally).await?;
    if let Some(path) = &args.acknowledged_out {
        write_ids(path, &tally.acknowledged)?;
    }
    let acknowledged = tally.acknowledged.len() as u64;
    let recover = stats(kills.recover_us.clone());
    let outage = stats(kills.outage_us.clone());
    let min_per_cycle = kills.acknowledged_per_cycle.iter().copied().min().unwrap_or(0);
    let out = json!({
        "benchmark": "crash",
        "backend": backend,
        "clients": args.clients,
        "seed": seed,
        "cycles": kills.serving,
        "kills_during_startup": kills.during_startup,
        "requests_in_flight_at_kills": kills.in_flight_at_kill,
        "seconds": round2(elapsed.as_secs_f64()),
        "deliveries_sent": tally.sent,
        "attempts": tally.attempts,
        "resent_after_no_answer": tally.resent_deliveries,
        "committed_before_kill_then_deduplicated": committed_before_kill,
        "connection_errors": tally.connection_errors,
        "other_answers": tally.other_answers,
        "acknowledged": acknowledged,
        "min_acknowledged_per_cycle": min_per_cycle,
        "stored": stored,
        "duplicates": duplicates,
        "lost": lost,
        "stored_unacknowledged": unacknowledged,
        "first_start_ms": round2(first_start.as_secs_f64() * 1000.0),
        "recover_p50_ms": round2(recover.p50_ms),
        "recover_max_ms": round2(recover.max_ms),
        "kill_to_first_ack_p50_ms": round2(outage.p50_ms),
        "kill_to_first_ack_max_ms": round2(outage.max_ms),
        "profile_id": profile_id,
        "message_id_prefix": prefix,
        "machine": machine(),
    });
    if args.json {
        println!("{out}");
    } else {
        print_summary(&out);
    }
    ensure!(
        lost == 0 && duplicates == 0 && stored == acknowledged && acknowledged == tally.sent,
        "durability violated: {lost} lost, {duplicates} duplicated, {stored} stored for {acknowledged} acknowledged of {} sent",
        tally.sent
    );
    Ok(())
}

fn write_ids(path: &Path, ids: &[String]) -> anyhow::Result<()> {
    let mut text = ids.join("\n");
    text.push('\n');
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

fn print_summary(out: &serde_json::Value) {
    println!(
        "Hubert crash benchmark ({}, {} clients, loopback, seed {})",
        out["backend"].as_str().unwrap_or(""),
        out["clients"],
        out["seed"]
    );
    println!(
        "  kills: {} while serving ({} requests in flight at the kills), {} during start-up, in {} s",
        out["cycles"], out["requests_in_flight_at_kills"], out["kills_during_startup"], out["seconds"]
    );
    println!(
        "  deliveries: {} sent, {} attempts, {} re-sent after no answer, {} acknowledged (at least {} per cycle)",
        out["deliveries_sent"],
        out["attempts"],
        out["resent_after_no_answer"],
        out["acknowledged"],
        out["min_acknowledged_per_cycle"]
    );
    println!(
        "  of the re-sent: {} had been committed before the kill (answer lost; the re-send was deduplicated)",
        out["committed_before_kill_then_deduplicated"]
    );
    println!(
        "  stored: {}   duplicates: {}   lost: {}   stored without acknowledgement: {}",
        out["stored"], out["duplicates"], out["lost"], out["stored_unacknowledged"]
    );
    println!(
        "  time to recover (start to /healthz 200): p50 {} ms, max {} ms (first start {} ms)",
        out["recover_p50_ms"], out["recover_max_ms"], out["first_start_ms"]
    );
    println!(
        "  outage (kill to the first acknowledged delivery after the restart): p50 {} ms, max {} ms",
        out["kill_to_first_ack_p50_ms"], out["kill_to_first_ack_max_ms"]
    );
}
