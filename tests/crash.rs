//! Durability, proven (issue 7): `hubert bench crash` runs the real `hubert serve` as a child
//! process, kills it with SIGKILL at random moments while many clients post signed WhatsApp
//! deliveries, restarts it on the same database and re-sends what got no answer. Here it runs
//! with 20 kill cycles on SQLite and 10 on PostgreSQL (when `HUBERT_TEST_POSTGRES_URL` is
//! set; each run gets a fresh database), and this test then checks the database itself:
//! every acknowledged delivery is stored exactly once and nothing else is stored.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use hubert_store::{SecretKey, Store};
use hubert_testkit::db::{postgres_admin_url, PgDatabase};
use serde_json::Value;

/// One benchmark at a time: they share two cores with the rest of the test suite.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Runs `hubert bench crash` against `url` with `key` as `HUBERT_SECRET_KEY`; returns its
/// summary.
async fn bench_crash(url: &str, key: &SecretKey, cycles: u32, acknowledged_out: &Path) -> Value {
    let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_hubert"))
        .args(["bench", "crash", "--json", "--clients", "16", "--max-seconds", "110"])
        .args(["--cycles", &cycles.to_string(), "--database-url", url])
        .arg("--acknowledged-out")
        .arg(acknowledged_out)
        .env("HUBERT_LOG", "warn")
        .env("HUBERT_SECRET_KEY", key.to_base64().as_str())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(150), run)
        .await
        .expect("hubert bench crash finishes within 150 s")
        .expect("hubert bench crash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "hubert bench crash failed:\n{stdout}\n{stderr}");
    let summary: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("a JSON summary ({e}):\n{stdout}\n{stderr}"));
    eprintln!("{summary}");
    summary
}

/// Checks the summary, then the stored rows against the acknowledged ids, through the store.
async fn assert_exactly_once(url: &str, key: &SecretKey, summary: &Value, acknowledged_out: &Path, cycles: u32) {
    assert!(summary["cycles"].as_u64().unwrap() >= cycles as u64, "{summary}");
    assert_eq!(summary["lost"], 0, "{summary}");
    assert_eq!(summary["duplicates"], 0, "{summary}");
    assert_eq!(summary["stored"], summary["acknowledged"], "{summary}");
    assert_eq!(summary["acknowledged"], summary["deliveries_sent"], "{summary}");

    let acknowledged: Vec<String> = std::fs::read_to_string(acknowledged_out)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(!acknowledged.is_empty(), "no delivery was acknowledged: {summary}");
    assert_eq!(acknowledged.len() as u64, summary["acknowledged"].as_u64().unwrap());
    let store = Store::connect_with_key(url, Some(key.clone())).await.unwrap();
    let rows: HashMap<String, i64> = store
        .count_inbound_by_platform_id(
            summary["profile_id"].as_str().unwrap(),
            summary["message_id_prefix"].as_str().unwrap(),
        )
        .await
        .unwrap()
        .into_iter()
        .map(|(id, n, _)| (id, n))
        .collect();
    for id in &acknowledged {
        assert_eq!(rows.get(id), Some(&1), "acknowledged delivery {id} is stored once");
    }
    assert_eq!(
        rows.len(),
        acknowledged.len(),
        "only acknowledged deliveries are stored"
    );
}

fn scratch_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hubert-crash-test-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn sqlite_keeps_every_acknowledged_delivery_exactly_once_across_20_kills() {
    let _one_at_a_time = SERIAL.lock().await;
    let dir = scratch_dir();
    let url = format!("sqlite:{}", dir.join("crash.db").display());
    let acknowledged_out = dir.join("acknowledged.txt");
    let key = SecretKey::generate();
    let summary = bench_crash(&url, &key, 20, &acknowledged_out).await;
    assert_exactly_once(&url, &key, &summary, &acknowledged_out, 20).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn postgres_keeps_every_acknowledged_delivery_exactly_once_across_10_kills() {
    let Some(admin_url) = postgres_admin_url() else { return };
    let _one_at_a_time = SERIAL.lock().await;
    let db = PgDatabase::create(&admin_url).await.unwrap();
    let dir = scratch_dir();
    let acknowledged_out = dir.join("acknowledged.txt");
    let key = SecretKey::generate();
    let summary = bench_crash(&db.url, &key, 10, &acknowledged_out).await;
    assert_exactly_once(&db.url, &key, &summary, &acknowledged_out, 10).await;
    let _ = std::fs::remove_dir_all(&dir);
    db.drop_now().await;
}
