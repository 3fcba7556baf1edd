//! Both databases from the first commit: after migrating, SQLite and PostgreSQL have
//! the same tables with the same columns.

use hubert_store::Store;
use hubert_testkit::db::{postgres_admin_url, PgDatabase};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgresql_have_the_same_tables_and_columns() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let sqlite = Store::connect(&format!("sqlite:{}", dir.path().join("schema.db").display()))
        .await
        .expect("sqlite");
    sqlite.migrate().await.expect("sqlite migrations");
    let sqlite_schema = sqlite.schema().await.expect("sqlite schema");
    sqlite.close().await;
    let tables: Vec<&str> = sqlite_schema.iter().map(|(t, _)| t.as_str()).collect();
    for expected in ["conversations", "messages", "jobs", "profiles", "contacts"] {
        assert!(tables.contains(&expected), "SQLite schema lacks {expected}: {tables:?}");
    }

    let Some(admin) = postgres_admin_url() else { return };
    let db = PgDatabase::create(&admin).await.expect("test database");
    let pg = Store::connect_with_key(&db.url, Some(hubert_store::SecretKey::generate()))
        .await
        .expect("postgres");
    pg.migrate().await.expect("postgres migrations");
    let pg_schema = pg.schema().await.expect("postgres schema");
    pg.close().await;
    db.drop_now().await;

    assert_eq!(sqlite_schema, pg_schema, "the SQLite and PostgreSQL schemas differ");
}
