//! Platform credentials at rest (issue 7, finding 6): what an attacker with the disk or a
//! database dump sees contains no secret — on a fresh database and on one upgraded from
//! the version that stored credentials in plain text — files are private, a wrong key
//! stops start-up, a ciphertext moved to another row does not open, and a key rotation
//! leaves nothing the old key opens. Raw SQL here only builds or inspects databases the
//! way an older version or an attacker would.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use hubert_channels::fake::{sign_meta, sign_x};
use hubert_channels::whatsapp::WhatsappCredentials;
use hubert_channels::x::XCredentials;
use hubert_store::{SecretError, SecretKey, StoreError};
use hubert_testkit::{
    Backend, SECRETS, WA_ACCESS_TOKEN, WA_APP_SECRET, WA_VERIFY_TOKEN, X_ACCESS_TOKEN, X_CONSUMER_SECRET,
};

use super::*;

/// Profiles as the previous version left them (ids fixed: each test has its own database).
const OLD_WORKSPACE: &str = "0190f000-0000-7000-8000-000000000001";
const OLD_WA_PROFILE: &str = "0190f000-0000-7000-8000-00000000a001";
const OLD_X_PROFILE: &str = "0190f000-0000-7000-8000-00000000a002";
const OLD_PNID: &str = "109555555555555";
const OLD_X_USER: &str = "1600000000000000999";

fn sqlite_path(t: &TestApp) -> PathBuf {
    PathBuf::from(t.database_url.strip_prefix("sqlite:").expect("a sqlite: URL"))
}

/// What someone with the disk or a dump sees: the SQLite file and its WAL, or a `pg_dump`.
async fn bytes_at_rest(t: &TestApp) -> Vec<u8> {
    match t.backend {
        Backend::Sqlite => {
            let db = sqlite_path(t);
            let mut bytes = std::fs::read(&db).expect("database file");
            bytes.extend(std::fs::read(format!("{}-wal", db.display())).unwrap_or_default());
            bytes
        }
        Backend::Postgres => pg_dump(&t.database_url),
    }
}

fn pg_dump(url: &str) -> Vec<u8> {
    let binary = std::env::var("PG_DUMP").map(PathBuf::from).unwrap_or_else(|_| {
        let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path().join("bin").join("pg_dump"))
            .filter(|p| p.exists())
            .collect();
        found.sort_by_key(|p| (p.as_os_str().len(), p.clone()));
        found.pop().unwrap_or_else(|| PathBuf::from("pg_dump"))
    });
    let out = std::process::Command::new(&binary)
        .arg("--no-owner")
        .arg(url)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} (set PG_DUMP): {e}", binary.display()));
    assert!(
        out.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.len() > 1000, "pg_dump printed next to nothing");
    out.stdout
}

fn assert_no_secret(bytes: &[u8], what: &str) {
    for secret in SECRETS {
        let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
        assert!(!found, "{what} contains the secret {secret}");
    }
}

fn contains(bytes: &[u8], needle: &str) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Runs one statement with text parameters straight on the database.
async fn exec(url: &str, sql: &str, binds: &[&str]) {
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.expect("sqlite");
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind(*b);
        }
        q.execute(&pool).await.expect(sql);
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(url).await.expect("postgres");
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind(*b);
        }
        q.execute(&pool).await.expect(sql);
        pool.close().await;
    }
}

/// Text rows of a query straight from the database.
async fn rows(url: &str, sql: &str) -> Vec<(String, String)> {
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.expect("sqlite");
        let r = sqlx::query_as(sql).fetch_all(&pool).await.expect(sql);
        pool.close().await;
        r
    } else {
        let pool = sqlx::PgPool::connect(url).await.expect("postgres");
        let r = sqlx::query_as(sql).fetch_all(&pool).await.expect(sql);
        pool.close().await;
        r
    }
}

/// The statements with which the previous version stored a workspace and one WhatsApp
/// and one X profile: credentials as plain JSON (`serde_json::to_string`, as its
/// `create_profile` did).
fn old_rows() -> Vec<(&'static str, Vec<String>)> {
    let wa = serde_json::to_string(&WhatsappCredentials {
        phone_number_id: OLD_PNID.into(),
        access_token: WA_ACCESS_TOKEN.into(),
        app_secret: WA_APP_SECRET.into(),
        verify_token: WA_VERIFY_TOKEN.into(),
    })
    .unwrap();
    let x = serde_json::to_string(&XCredentials {
        user_id: OLD_X_USER.into(),
        consumer_secret: X_CONSUMER_SECRET.into(),
        access_token: X_ACCESS_TOKEN.into(),
    })
    .unwrap();
    let profile = "INSERT INTO profiles (id, workspace_id, platform, name, account_id, credentials, \
                   threshold_minutes, target_percent, created_at) VALUES ($1, $2, $3, $4, $5, $6, 15, 95.0, 0)";
    let row = |id: &str, platform: &str, account: &str, creds: String| {
        vec![
            id.into(),
            OLD_WORKSPACE.into(),
            platform.into(),
            "Oud profiel".into(),
            account.into(),
            creds,
        ]
    };
    vec![
        (
            "INSERT INTO workspaces (id, name, created_at) VALUES ($1, 'Oud', 0)",
            vec![OLD_WORKSPACE.into()],
        ),
        (profile, row(OLD_WA_PROFILE, "whatsapp", OLD_PNID, wa)),
        (profile, row(OLD_X_PROFILE, "x", OLD_X_USER, x)),
    ]
}

/// The migrations the previous version had: 0001–0004.
async fn old_migrator(backend: &str) -> sqlx::migrate::Migrator {
    let dir = format!("{}/../hubert-store/migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
    let mut migrator = sqlx::migrate::Migrator::new(std::path::Path::new(&dir))
        .await
        .expect("migrations");
    let old: Vec<_> = migrator.migrations.iter().filter(|m| m.version <= 4).cloned().collect();
    assert_eq!(old.len(), 4, "the previous version had migrations 0001–0004");
    migrator.migrations = old.into();
    migrator
}

/// The previous version's database, as it is after that version was killed: on SQLite
/// the file (world-readable, as it was created then) and a WAL still holding the frames
/// with the plain-text credentials; on PostgreSQL the rows.
fn previous_version(url: &str) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
    Box::pin(async move {
        match url.strip_prefix("sqlite:") {
            Some(target) => previous_sqlite(target).await,
            None => {
                let pool = sqlx::PgPool::connect(url).await.expect("postgres");
                old_migrator("postgres").await.run(&pool).await.expect("old migrations");
                for (sql, binds) in old_rows() {
                    let mut q = sqlx::query(sql);
                    for b in binds {
                        q = q.bind(b);
                    }
                    q.execute(&pool).await.expect(sql);
                }
                pool.close().await;
            }
        }
    })
}

async fn previous_sqlite(target: &str) {
    let scratch = format!("{target}.previous");
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&scratch)
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
    let pool = sqlx::SqlitePool::connect_with(opts).await.expect("sqlite");
    old_migrator("sqlite").await.run(&pool).await.expect("old migrations");
    for (sql, binds) in old_rows() {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind(b);
        }
        q.execute(&pool).await.expect(sql);
    }
    // Copy the files while the old "process" still has them open: the state a kill leaves.
    for suffix in ["", "-wal"] {
        std::fs::copy(format!("{scratch}{suffix}"), format!("{target}{suffix}")).expect("copy");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(format!("{target}{suffix}"), std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
    pool.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{scratch}{suffix}"));
    }
    let wal = std::fs::read(format!("{target}-wal")).expect("the old WAL");
    assert!(
        contains(&wal, WA_APP_SECRET),
        "the old WAL holds the plain-text credentials"
    );
}

/// A WhatsApp text to `profile_id` (our number `pnid`) signed with `secret`.
async fn whatsapp_to(base_url: &str, t: &TestApp, profile_id: &str, pnid: &str, wamid: &str, secret: &str) -> u16 {
    let body = wa::text_message(
        pnid,
        FATIMA,
        "Fatima de Vries",
        wamid,
        t.now_secs(),
        "Klopt mijn meterstand?",
    );
    t.http
        .post(format!("{base_url}/webhooks/whatsapp/{profile_id}"))
        .header("content-type", "application/json")
        .header(hubert_channels::whatsapp::SIGNATURE_HEADER, sign_meta(secret, &body))
        .body(body)
        .send()
        .await
        .expect("webhook")
        .status()
        .as_u16()
}

/// An X DM to `profile_id` (our account `user_id`) signed with `secret`.
async fn x_to(base_url: &str, t: &TestApp, profile_id: &str, user_id: &str, event: &str, secret: &str) -> u16 {
    let body = x_payload::dm(user_id, event, "3355778899", "Piet Pieters", "pietp", "Hoi", t.now());
    t.http
        .post(format!("{base_url}/webhooks/x/{profile_id}"))
        .header("content-type", "application/json")
        .header(hubert_channels::x::SIGNATURE_HEADER, sign_x(secret, &body))
        .body(body)
        .send()
        .await
        .expect("webhook")
        .status()
        .as_u16()
}

#[cfg(unix)]
fn assert_private(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).expect("file exists").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{} has mode {mode:o}", path.display());
}

both_backends!(no_secret_reaches_the_database_files_or_a_dump, |t| async move {
    // The seeded profiles were created through the API with every secret in SECRETS.
    let stored = rows(&t.database_url, "SELECT id, credentials FROM profiles").await;
    assert_eq!(stored.len(), 2);
    for (id, value) in &stored {
        assert!(
            value.starts_with(&format!("enc:v1:{}:", t.app.store.key_id())),
            "{id}: {value}"
        );
    }
    assert_no_secret(&bytes_at_rest(t).await, "the stored database");
    // …while the hub still verifies and answers with them.
    t.customer_writes(FATIMA, "Fatima de Vries", "wamid.S1", "Hallo").await;
    if t.backend == Backend::Sqlite {
        let db = sqlite_path(t);
        #[cfg(unix)]
        for suffix in ["", "-wal", "-shm"] {
            assert_private(std::path::Path::new(&format!("{}{suffix}", db.display())));
        }
        #[cfg(unix)]
        assert_private(&db.with_extension("key"));
    }
});

both_backends!(
    a_database_upgraded_from_plain_text_credentials_keeps_working_and_keeps_no_secret,
    prepared_by previous_version,
    |t| async move {
        let base = t.base_url.clone();
        assert_eq!(whatsapp_to(&base, t, OLD_WA_PROFILE, OLD_PNID, "wamid.OLD1", WA_APP_SECRET).await, 200);
        assert_eq!(whatsapp_to(&base, t, OLD_WA_PROFILE, OLD_PNID, "wamid.OLD2", "not-the-secret").await, 401);
        assert_eq!(x_to(&base, t, OLD_X_PROFILE, OLD_X_USER, "1800000000000000042", X_CONSUMER_SECRET).await, 200);
        let stored = rows(&t.database_url, "SELECT id, credentials FROM profiles ORDER BY id").await;
        assert_eq!(stored.len(), 4, "two old and two new profiles");
        assert!(stored.iter().all(|(_, v)| v.starts_with("enc:v1:")), "{stored:?}");
        assert_no_secret(&bytes_at_rest(t).await, "the upgraded database");
        #[cfg(unix)]
        if t.backend == Backend::Sqlite {
            assert_private(&sqlite_path(t));
            assert_private(std::path::Path::new(&format!("{}-wal", sqlite_path(t).display())));
        }
        // A second start finds nothing to do and still works.
        let again = t.second_instance().await;
        assert_eq!(whatsapp_to(&again.url(), t, OLD_WA_PROFILE, OLD_PNID, "wamid.OLD3", WA_APP_SECRET).await, 200);
        again.stop().await;
    }
);

both_backends!(a_wrong_or_missing_key_refuses_to_start, |t| async move {
    let err = t
        .instance_with_key(Some(SecretKey::generate()))
        .await
        .err()
        .expect("a wrong key must not start");
    let message = format!("{err:#}");
    assert!(message.contains("does not open the stored secrets"), "{message}");
    assert!(!message.contains(WA_APP_SECRET));
    match t.backend {
        Backend::Postgres => {
            let err = t.instance_with_key(None).await.err().expect("PostgreSQL needs a key");
            assert!(format!("{err:#}").contains("HUBERT_SECRET_KEY is required"), "{err:#}");
        }
        Backend::Sqlite => {
            // A key file that is not the one the database was sealed with.
            let file = sqlite_path(t).with_extension("key");
            std::fs::write(&file, SecretKey::generate().to_base64().as_bytes()).unwrap();
            let err = t
                .instance_with_key(None)
                .await
                .err()
                .expect("a wrong key file must not start");
            assert!(format!("{err:#}").contains("does not open"), "{err:#}");
        }
    }
});

both_backends!(a_ciphertext_moved_to_another_profile_does_not_open, |t| async move {
    exec(
        &t.database_url,
        "UPDATE profiles SET credentials = (SELECT credentials FROM profiles WHERE id = $1) WHERE id = $2",
        &[&t.wa_profile_id, &t.x_profile_id],
    )
    .await;
    let read = t.app.store.profile(&t.workspace_id, &t.x_profile_id).await;
    assert!(
        matches!(read, Err(StoreError::Secret(SecretError::Forged { ref what, .. })) if what.contains(&t.x_profile_id)),
        "{read:?}"
    );
    let err = t
        .instance_with_key(t.secret_key.clone())
        .await
        .err()
        .expect("a forged row stops start-up");
    assert!(format!("{err:#}").contains("copied from another profile"), "{err:#}");
});

both_backends!(a_rotated_key_replaces_the_old_one_everywhere, |t| async move {
    let old_id = t.app.store.key_id();
    let old_key = match t.backend {
        Backend::Sqlite => {
            SecretKey::from_base64(&std::fs::read_to_string(sqlite_path(t).with_extension("key")).unwrap()).unwrap()
        }
        Backend::Postgres => t.secret_key.clone().expect("a PostgreSQL key"),
    };
    assert_eq!(old_key.id(), old_id);
    // SQLite rotates its key file; PostgreSQL takes HUBERT_NEW_SECRET_KEY.
    let given = (t.backend == Backend::Postgres).then(SecretKey::generate);
    let done = t
        .app
        .store
        .rotate_key(given.clone(), "tests", t.now())
        .await
        .expect("rotation");
    assert_eq!((done.count, done.old_key), (2, old_id));
    assert_ne!(done.new_key, old_id);
    assert_eq!(t.app.store.key_id(), done.new_key);
    let new_key = match t.backend {
        Backend::Sqlite => {
            let file = sqlite_path(t).with_extension("key");
            assert_eq!(done.key_file.as_deref(), Some(file.as_path()));
            assert!(!file.with_extension("key.new").exists());
            #[cfg(unix)]
            assert_private(&file);
            None
        }
        Backend::Postgres => given,
    };

    // The running hub verifies webhooks with the re-encrypted secrets.
    t.customer_writes(FATIMA, "Fatima de Vries", "wamid.R1", "Na de rotatie")
        .await;
    assert_eq!(
        x_to(
            &t.base_url,
            t,
            &t.x_profile_id,
            X_USER_ID,
            "1800000000000000043",
            X_CONSUMER_SECRET
        )
        .await,
        200
    );

    // The old key opens nothing: it cannot start, and no value sealed with it is left.
    let err = t
        .instance_with_key(Some(old_key))
        .await
        .err()
        .expect("the old key must not start");
    assert!(format!("{err:#}").contains("does not open"), "{err:#}");
    let at_rest = bytes_at_rest(t).await;
    assert!(
        !contains(&at_rest, &format!("enc:v1:{old_id}:")),
        "a value sealed with the old key survived"
    );
    assert!(contains(&at_rest, &format!("enc:v1:{}:", done.new_key)));
    assert_no_secret(&at_rest, "the database after rotation");

    // The new key starts and verifies.
    let next = t.instance_with_key(new_key).await.expect("the new key starts");
    assert_eq!(
        whatsapp_to(&next.url(), t, &t.wa_profile_id, PNID, "wamid.R2", WA_APP_SECRET).await,
        200
    );
    next.stop().await;

    let audit = rows(
        &t.database_url,
        "SELECT action, subject FROM audit_log WHERE action = 'key.rotated'",
    )
    .await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert!(audit[0].1.contains("2 secrets"), "{audit:?}");
    assert!(audit[0].1.contains(&old_id.to_string()) && audit[0].1.contains(&done.new_key.to_string()));
});

/// The crash window of a key-file rotation: the new key is written to `hubert.key.new`
/// first and renamed over `hubert.key` after the commit. A crash after the commit leaves
/// the database sealed with the `.new` key; before the commit, with the old one. Either way
/// the next start finds out from the key ids, finishes or discards, and runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_rotation_interrupted_on_either_side_of_its_commit_is_finished_or_discarded_at_start() {
    let t = TestApp::spawn(Backend::Sqlite).await.expect("SQLite is always there");
    let file = sqlite_path(&t).with_extension("key");
    let pending = file.with_extension("key.new");
    let old = std::fs::read_to_string(&file).unwrap();
    let done = t.app.store.rotate_key(None, "tests", t.now()).await.expect("rotation");

    // Crashed after the commit, before the rename.
    std::fs::rename(&file, &pending).unwrap();
    std::fs::write(&file, &old).unwrap();
    let next = t.instance_with_key(None).await.expect("finishes the rotation");
    assert_eq!(next.app.store.key_id(), done.new_key);
    assert!(!pending.exists());
    assert_eq!(
        SecretKey::from_base64(&std::fs::read_to_string(&file).unwrap())
            .unwrap()
            .id(),
        done.new_key
    );
    assert_eq!(
        whatsapp_to(&next.url(), &t, &t.wa_profile_id, PNID, "wamid.K1", WA_APP_SECRET).await,
        200
    );
    next.stop().await;

    // Crashed before the commit: the parked key never sealed anything.
    std::fs::write(&pending, SecretKey::generate().to_base64().as_bytes()).unwrap();
    let next = t.instance_with_key(None).await.expect("discards the parked key");
    assert_eq!(next.app.store.key_id(), done.new_key);
    assert!(!pending.exists());
    next.stop().await;
    t.stop().await;
}
