//! Several Hubert instances on one PostgreSQL database: live events published on one
//! reach browsers connected to another (LISTEN/NOTIFY), and the wallboard follows too.
//! On SQLite there is one instance by design; the SQLite half checks nothing crosses.

use std::time::Duration;

use super::*;
use hubert_testkit::Backend;

both_backends!(a_message_arriving_at_one_instance_is_live_on_another, |t| async move {
    let other = t.second_instance().await;
    let mut stream = t.inbox_events_at(&other.url(), &t.token).await;
    assert!(stream.next_named("hello", Duration::from_secs(2)).await.is_some());
    t.customer_writes(FATIMA, "Fatima Bakker", "wamid.scale.1", "Storing in Zeist?")
        .await;
    let seen = stream.next_named("message.created", Duration::from_secs(2)).await;
    match t.backend {
        Backend::Postgres => {
            let ev = seen.expect("the event crossed to the other instance");
            assert!(ev.json()["conversation_id"].is_string());
            assert!(!ev.data.contains("Zeist"), "events carry ids, never text");
        }
        Backend::Sqlite => assert!(seen.is_none(), "SQLite instances do not share events"),
    }
    other.stop().await;
});
