//! `hubert bench live`: K authenticated SSE connections to `/api/v1/events`, then E signed
//! webhooks posted one at a time. For each (connection, event) pair: the time from the
//! webhook's 200 to that connection receiving the matching `message.created` (matched by
//! order: webhooks are sequential and nothing else creates messages).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use hubert_core::Role;
use hyper::Method;
use serde_json::json;
use tokio::sync::watch;

use super::client::{raise_fd_limit, round2, stats, Conn, SseReader};
use super::{signed_delivery, start_server, TempDb, PHONE_NUMBER_ID};

#[derive(clap::Args)]
pub struct LiveArgs {
    /// Open SSE connections.
    #[arg(long, default_value_t = 1000)]
    connections: usize,
    /// Webhooks posted (one at a time).
    #[arg(long, default_value_t = 200)]
    events: usize,
    /// Pause between webhooks, milliseconds.
    #[arg(long, default_value_t = 5)]
    gap_ms: u64,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// What one SSE connection saw: arrival time of each `message.created`, and resyncs.
struct Seen {
    arrivals: Vec<Instant>,
    resyncs: usize,
}

async fn open_stream(
    addr: std::net::SocketAddr,
    token: Arc<String>,
    events: usize,
    ready: Arc<AtomicUsize>,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<Seen> {
    let mut conn = Conn::connect(addr).await?;
    let auth = format!("Bearer {token}");
    let resp = conn
        .send(
            Method::GET,
            "/api/v1/events",
            &[("authorization", &auth), ("accept", "text/event-stream")],
            bytes::Bytes::new(),
        )
        .await?;
    anyhow::ensure!(resp.status() == 200, "events stream answered {}", resp.status());
    let mut reader = SseReader::new(resp);
    let mut seen = Seen {
        arrivals: Vec::with_capacity(events),
        resyncs: 0,
    };
    let mut hello = false;
    while seen.arrivals.len() < events {
        let Some((kind, _, at)) = reader.next(&mut stop).await? else {
            break;
        };
        match kind.as_str() {
            "hello" if !hello => {
                hello = true;
                ready.fetch_add(1, Ordering::SeqCst);
            }
            "message.created" => seen.arrivals.push(at),
            "resync" => seen.resyncs += 1,
            _ => {}
        }
    }
    Ok(seen)
}

pub async fn run(args: LiveArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.connections > 0 && args.connections <= 20_000,
        "--connections must be between 1 and 20000"
    );
    anyhow::ensure!(
        args.events > 0 && args.events <= 10_000,
        "--events must be between 1 and 10000"
    );
    let fd_limit = raise_fd_limit();
    anyhow::ensure!(
        fd_limit as usize > args.connections * 2 + 256,
        "open-file limit {fd_limit} is too low for {} connections (each costs two descriptors)",
        args.connections
    );
    let say = |s: String| {
        if !args.json {
            eprintln!("{s}");
        }
    };
    let temp = TempDb::new()?;
    let running = start_server(&temp.url).await?;
    let (ws, profile) = super::setup_whatsapp(&running.app, PHONE_NUMBER_ID).await?;
    let token = Arc::new(
        running
            .app
            .create_token(&ws, "bench-live", Role::Agent)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?,
    );
    let path = format!("/webhooks/whatsapp/{}", profile.id);
    let addr = running.addr;

    say(format!("opening {} SSE connections …", args.connections));
    let ready = Arc::new(AtomicUsize::new(0));
    let (stop_tx, stop_rx) = watch::channel(false);
    let open_started = Instant::now();
    let mut streams = Vec::with_capacity(args.connections);
    for i in 0..args.connections {
        streams.push(tokio::spawn(open_stream(
            addr,
            token.clone(),
            args.events,
            ready.clone(),
            stop_rx.clone(),
        )));
        if i % 100 == 99 {
            tokio::task::yield_now().await;
        }
    }
    let ready_deadline = Instant::now() + Duration::from_secs(30);
    while ready.load(Ordering::SeqCst) < args.connections && Instant::now() < ready_deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let connected = ready.load(Ordering::SeqCst);
    let open_ms = open_started.elapsed().as_millis();
    anyhow::ensure!(
        connected == args.connections,
        "only {connected} of {} SSE connections became ready",
        args.connections
    );
    say(format!(
        "{connected} connections ready in {open_ms} ms; posting {} webhooks …",
        args.events
    ));
    tokio::time::sleep(Duration::from_millis(200)).await;

    let mut poster = Conn::connect(addr).await?;
    let mut acked: Vec<Instant> = Vec::with_capacity(args.events);
    let mut sent: Vec<Instant> = Vec::with_capacity(args.events);
    let tag = uuid::Uuid::now_v7().simple().to_string();
    for i in 0..args.events {
        let (body, sig) = signed_delivery(
            PHONE_NUMBER_ID,
            &format!("3163{i:08}"),
            &format!("wamid.live.{tag}.{i}"),
            "Is er een storing bekend in Utrecht?",
        );
        let t0 = Instant::now();
        let (status, _) = poster
            .call(
                Method::POST,
                &path,
                &[("content-type", "application/json"), ("x-hub-signature-256", &sig)],
                body,
            )
            .await?;
        let t1 = Instant::now();
        anyhow::ensure!(status == 200, "webhook {i} answered {status}");
        sent.push(t0);
        acked.push(t1);
        tokio::time::sleep(Duration::from_millis(args.gap_ms)).await;
    }

    // Give stragglers a bounded time, then end the streams.
    let collect_deadline = tokio::time::sleep(Duration::from_secs(10));
    tokio::pin!(collect_deadline);
    let mut results = Vec::with_capacity(streams.len());
    let mut pending = futures::stream::iter(streams).buffered(usize::MAX);
    loop {
        tokio::select! {
            r = pending.next() => match r {
                Some(r) => results.push(r),
                None => break,
            },
            _ = &mut collect_deadline, if !*stop_tx.borrow() => {
                let _ = stop_tx.send(true);
            }
        }
    }
    running.stop().await;
    drop(temp);

    let (mut from_ack, mut from_send) = (Vec::new(), Vec::new());
    let (mut missing, mut before_ack, mut resyncs, mut failed) = (0usize, 0usize, 0usize, 0usize);
    for r in results {
        match r {
            Ok(Ok(seen)) => {
                resyncs += seen.resyncs;
                missing += args.events.saturating_sub(seen.arrivals.len());
                for (k, at) in seen.arrivals.iter().enumerate().take(args.events) {
                    if *at < acked[k] {
                        before_ack += 1;
                    }
                    from_ack.push(at.saturating_duration_since(acked[k]).as_micros() as u64);
                    from_send.push(at.saturating_duration_since(sent[k]).as_micros() as u64);
                }
            }
            _ => failed += 1,
        }
    }
    let webhook_rtt = stats(
        acked
            .iter()
            .zip(&sent)
            .map(|(a, s)| a.duration_since(*s).as_micros() as u64)
            .collect(),
    );
    let s = stats(from_ack);
    let s_send = stats(from_send);
    let out = json!({
        "benchmark": "live",
        "backend": "sqlite",
        "connections": args.connections,
        "events": args.events,
        "pairs": s.count,
        "p50_ms": round2(s.p50_ms),
        "p90_ms": round2(s.p90_ms),
        "p99_ms": round2(s.p99_ms),
        "max_ms": round2(s.max_ms),
        "p50_ms_from_post": round2(s_send.p50_ms),
        "p99_ms_from_post": round2(s_send.p99_ms),
        "webhook_p50_ms": round2(webhook_rtt.p50_ms),
        "webhook_p99_ms": round2(webhook_rtt.p99_ms),
        "arrived_before_200": before_ack,
        "missing": missing,
        "resyncs": resyncs,
        "failed_connections": failed,
        "connect_ms": open_ms,
        "fd_limit": fd_limit,
        "machine": super::client::machine(),
    });
    if args.json {
        println!("{out}");
    } else {
        println!(
            "Hubert live benchmark (sqlite, {} SSE connections, {} webhooks, loopback)",
            args.connections, args.events
        );
        println!(
            "  webhook 200 → event on every connection: p50 {:.2} ms   p90 {:.2} ms   p99 {:.2} ms   max {:.2} ms   ({} pairs)",
            s.p50_ms, s.p90_ms, s.p99_ms, s.max_ms, s.count
        );
        println!(
            "  POST sent → event:                       p50 {:.2} ms   p99 {:.2} ms",
            s_send.p50_ms, s_send.p99_ms
        );
        println!(
            "  webhook round trip: p50 {:.2} ms   p99 {:.2} ms",
            webhook_rtt.p50_ms, webhook_rtt.p99_ms
        );
        println!(
            "  arrived before the 200: {before_ack}   missing: {missing}   resyncs: {resyncs}   failed connections: {failed}   (connect {open_ms} ms)"
        );
    }
    Ok(())
}
