//! Fresh databases for tests: a SQLite file in a temporary directory, or a new
//! PostgreSQL database `hubert_t_<uuid>` on the server named by
//! `HUBERT_TEST_POSTGRES_URL`. Without that variable the PostgreSQL half is skipped
//! (one note per test binary), except in CI (`CI` set), where it is mandatory.

use std::sync::Once;

use sqlx::{Connection, PgConnection};

/// The environment variable holding an admin URL such as
/// `postgres://postgres@127.0.0.1:5432/postgres`.
pub const POSTGRES_URL_VAR: &str = "HUBERT_TEST_POSTGRES_URL";

static SKIP_NOTE: Once = Once::new();

/// The admin URL of the test PostgreSQL server, or `None` (after printing one note per
/// test binary) when it is not configured. Panics in CI, where PostgreSQL is mandatory.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().to_owned()),
        _ => {
            if std::env::var("CI").is_ok_and(|v| !v.is_empty()) {
                panic!("{POSTGRES_URL_VAR} is not set: the PostgreSQL half of the tests is mandatory in CI");
            }
            // Written to the real stderr: the test harness captures `eprintln!`.
            SKIP_NOTE.call_once(|| {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "note: PostgreSQL half not run (set {POSTGRES_URL_VAR})"
                );
            });
            None
        }
    }
}

/// `admin_url` with its database name replaced by `database` (query string kept).
pub fn with_database(admin_url: &str, database: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (admin_url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{database}?{q}"),
        None => format!("{host_part}/{database}"),
    }
}

/// A throwaway PostgreSQL database, dropped by [`PgDatabase::drop_now`].
pub struct PgDatabase {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl PgDatabase {
    /// Creates `hubert_t_<uuid>` on the admin server.
    pub async fn create(admin_url: &str) -> anyhow::Result<Self> {
        let name = format!("hubert_t_{}", uuid::Uuid::now_v7().simple());
        let mut conn = PgConnection::connect(admin_url).await?;
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        let url = with_database(admin_url, &name);
        Ok(Self {
            admin_url: admin_url.to_owned(),
            name,
            url,
        })
    }

    /// Drops the database (best effort: a failed test may leave it behind).
    pub async fn drop_now(self) {
        if let Ok(mut conn) = PgConnection::connect(&self.admin_url).await {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name))
                .execute(&mut conn)
                .await;
            let _ = conn.close().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_is_swapped_and_the_query_kept() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u:p@h/postgres?sslmode=disable", "t2"),
            "postgres://u:p@h/t2?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h:5432", "t3"), "postgres://h:5432/t3");
    }
}
