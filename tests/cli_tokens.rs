//! `hubert admin create-token / list-tokens / revoke-token` on a fresh SQLite database:
//! the token is printed once with its id, the list never shows a token, and a revoked
//! token is listed as revoked. (The same use cases are tested over HTTP on both
//! databases in `hubert-testkit`.)

use std::process::Command;

fn hubert(db: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_hubert"))
        .args(["admin", "--database-url", db])
        .args(args)
        .env_remove("HUBERT_DATABASE_URL")
        .output()
        .expect("run hubert");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "hubert {args:?} failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn tokens_are_created_listed_and_revoked_from_the_command_line() {
    let dir = std::env::temp_dir().join(format!("hubert-cli-{}", std::process::id()));
    let db = format!("sqlite:{}", dir.join("hubert.db").display());
    let created = hubert(
        &db,
        &[
            "create-token",
            "--name",
            "ci",
            "--role",
            "agent",
            "--expires-in-days",
            "7",
        ],
    );
    let id = created
        .lines()
        .find_map(|l| l.strip_prefix("id: "))
        .expect("the id is printed")
        .to_owned();
    // Scripts take the last word as the token.
    let token = created.split_whitespace().last().expect("token").to_owned();
    assert!(token.starts_with("hub_"), "{created}");

    let list = hubert(&db, &["list-tokens"]);
    let line = list.lines().find(|l| l.starts_with(&id)).expect("listed");
    assert!(
        line.contains("ci") && line.contains("agent") && line.contains("active"),
        "{line}"
    );
    assert!(!list.contains(&token), "the list never shows a token");

    assert!(hubert(&db, &["revoke-token", &id]).contains("revoked"));
    let list = hubert(&db, &["list-tokens"]);
    let line = list.lines().find(|l| l.starts_with(&id)).expect("still listed");
    assert!(line.contains("revoked"), "{line}");
    let _ = std::fs::remove_dir_all(&dir);
}
