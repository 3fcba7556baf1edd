//! The `hubert` binary and the secret key: on SQLite it needs nothing (a private key file
//! is made beside the database), on PostgreSQL it refuses to start without
//! `HUBERT_SECRET_KEY`, a malformed key is named, and `hubert admin rotate-key` says what
//! it did without ever printing a key.

use std::path::Path;
use std::process::{Command, Output};

fn hubert(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hubert"));
    cmd.args(args)
        .env_remove("HUBERT_SECRET_KEY")
        .env_remove("HUBERT_NEW_SECRET_KEY")
        .env_remove("HUBERT_DATABASE_URL")
        .env("HUBERT_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run hubert")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("exists").permissions().mode() & 0o777
}

#[test]
fn on_sqlite_the_key_file_is_made_private_and_rotation_prints_no_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data").join("hubert.db");
    let url = format!("sqlite:{}", db.display());
    let out = hubert(&["migrate", "--database-url", &url], &[]);
    assert!(out.status.success(), "{}", text(&out));
    let key_file = dir.path().join("data").join("hubert.key");
    let first_key = std::fs::read_to_string(&key_file).expect("a key file beside the database");
    #[cfg(unix)]
    {
        assert_eq!(mode(&db), 0o600);
        assert_eq!(mode(&key_file), 0o600);
        assert_eq!(mode(&dir.path().join("data")), 0o700);
    }

    let out = hubert(&["admin", "--database-url", &url, "rotate-key"], &[]);
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("re-encrypted 0 secrets"), "{said}");
    let second_key = std::fs::read_to_string(&key_file).unwrap();
    assert_ne!(first_key, second_key);
    for key in [&first_key, &second_key] {
        assert!(!said.contains(key.trim()), "rotate-key printed a key: {said}");
    }
    #[cfg(unix)]
    assert_eq!(mode(&key_file), 0o600);

    let out = hubert(&["migrate", "--database-url", &url], &[]);
    assert!(out.status.success(), "the rotated key file is used: {}", text(&out));
}

#[test]
fn postgresql_without_a_key_and_a_malformed_key_are_refused_with_a_clear_message() {
    // The key is checked before any connection, so no server is needed.
    let pg = "postgres://hubert@127.0.0.1:1/hubert";
    let out = hubert(&["migrate", "--database-url", pg], &[]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("HUBERT_SECRET_KEY is required with PostgreSQL"),
        "{}",
        text(&out)
    );

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("hubert.db").display());
    let out = hubert(
        &["migrate", "--database-url", &url],
        &[("HUBERT_SECRET_KEY", "c2hvcnQ=")],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("HUBERT_SECRET_KEY is not a valid key"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("c2hvcnQ="), "the key is not echoed");
}
