//! Hubert's integration tests: the real app on port 0 with the fake platforms and a fake
//! clock, each test run on SQLite and on PostgreSQL (see `hubert_testkit::both_backends!`).
//! The PostgreSQL half needs `HUBERT_TEST_POSTGRES_URL`; without it one note is printed.

#[path = "integration/accounts.rs"]
mod accounts;
#[path = "integration/agents.rs"]
mod agents;
#[path = "integration/calendars.rs"]
mod calendars;
#[path = "integration/channels.rs"]
mod channels;
#[path = "integration/linkedin.rs"]
mod linkedin;
#[path = "integration/media.rs"]
mod media;
#[path = "integration/meta.rs"]
mod meta;
#[path = "integration/people.rs"]
mod people;
#[path = "integration/privacy_names.rs"]
mod privacy_names;
#[path = "integration/profiles.rs"]
mod profiles;
#[path = "integration/scale_out.rs"]
mod scale_out;
#[path = "integration/schema.rs"]
mod schema;
#[path = "integration/secrets.rs"]
mod secrets;
#[path = "integration/security.rs"]
mod security;
#[path = "integration/sending.rs"]
mod sending;
#[path = "integration/service_level.rs"]
mod service_level;
#[path = "integration/tokens_audit.rs"]
mod tokens_audit;
#[path = "integration/two_factor.rs"]
mod two_factor;
#[path = "integration/wallboard.rs"]
mod wallboard;
#[path = "integration/webhooks.rs"]
mod webhooks;
#[path = "integration/words.rs"]
mod words;

#[allow(unused_imports)]
use hubert_channels::fake::{whatsapp_payload as wa, x_payload};
#[allow(unused_imports)]
use hubert_testkit::{both_backends, TestApp, WAIT, WA_PHONE_NUMBER_ID as PNID, X_USER_ID};
#[allow(unused_imports)]
use serde_json::{json, Value};

/// One minute in milliseconds.
pub const MINUTE: i64 = 60_000;
/// A Dutch mobile number as WhatsApp's `wa_id`.
pub const FATIMA: &str = "31612345678";
