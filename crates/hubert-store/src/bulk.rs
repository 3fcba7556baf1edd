//! Bulk data for benchmarks (`hubert bench seed`) and the counts the ingest and crash
//! benchmarks check their acknowledgements against. Not used by the hub itself.
//!
//! Rows are written as multi-row `INSERT … VALUES` statements with literal values (every
//! value is generated here, text is quote-escaped), many statements per transaction, so
//! millions of rows take minutes. The same SQL runs on SQLite and PostgreSQL.

use std::fmt::Write;

use crate::{on_pool, Result, Store};
use hubert_core::time::{DAY, HOUR, MINUTE};

/// What [`Store::bulk_seed`] wrote.
#[derive(Debug, Clone, Default)]
pub struct BulkSeedReport {
    pub conversations: u64,
    pub messages: u64,
    pub open: u64,
    pub pending: u64,
    pub resolved: u64,
}

/// Conversations per transaction (with their contacts and messages).
const CONVERSATIONS_PER_TX: u64 = 10_000;
/// Rows per INSERT statement.
const ROWS_PER_STATEMENT: usize = 1_000;

const CUSTOMER_TEXTS: &[&str] = &[
    "Goedemiddag, ik wil graag mijn meterstand doorgeven: 04512 kWh normaal en 03188 kWh dal.",
    "Mijn stroom is uitgevallen in Utrecht-Oost, is er een storing bekend?",
    "Mijn jaarafrekening is veel hoger dan verwacht. Kunt u uitleggen hoe dit bedrag tot stand komt?",
    "Wij verhuizen per 1 december naar Dorpsstraat 12 in Zeist. Hoe geef ik dat door?",
    "Dank jullie wel voor de snelle hulp gisteren, echt top geregeld!",
    "Ik heb al een week geen reactie op mijn e-mail over de terugbetaling.",
    "Wanneer komt de monteur voor de slimme meter? Ik heb vrijdag vrij genomen.",
    "Hoe zet ik mijn automatische incasso om naar een ander rekeningnummer?",
];

const AGENT_TEXTS: &[&str] = &[
    "Dank voor je bericht! Ik zoek het direct voor je uit. Groet, Daan",
    "Vervelend dat je zonder stroom zit. Onze monteurs zijn onderweg. Groet, Fatima",
    "Stuur je je klantnummer even via een privebericht? Dan kijk ik mee. Groet, Lotte",
    "Ik heb uw meterstand verwerkt; u ziet hem binnen een dag in de app. Met vriendelijke groet, Anouk",
];

/// A small deterministic generator (splitmix64), so a seed is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}

fn esc(s: &str) -> String {
    s.replace('\'', "''")
}

fn opt(v: Option<i64>) -> String {
    v.map_or_else(|| "NULL".to_owned(), |v| v.to_string())
}

/// Statements being built: a fresh `INSERT … VALUES` every [`ROWS_PER_STATEMENT`] rows.
struct Inserts {
    head: &'static str,
    statements: Vec<String>,
    rows: usize,
}

impl Inserts {
    fn new(head: &'static str) -> Self {
        Self {
            head,
            statements: Vec::new(),
            rows: 0,
        }
    }
    fn row(&mut self) -> &mut String {
        if self.rows.is_multiple_of(ROWS_PER_STATEMENT) {
            let mut s = String::with_capacity(ROWS_PER_STATEMENT * 400);
            s.push_str(self.head);
            self.statements.push(s);
        } else {
            self.statements.last_mut().expect("statement").push(',');
        }
        self.rows += 1;
        self.statements.last_mut().expect("statement")
    }
}

impl Store {
    /// Writes `conversations` conversations (each with its own contact) and `messages`
    /// messages (at least one per conversation) for one profile. About 5 % of the
    /// conversations are open with a customer waiting (from minutes to two days), 5 %
    /// pending, the rest resolved over the last 180 days; messages alternate customer and
    /// agent, and every answered customer message carries its answer time.
    /// `progress(conversations_done, messages_done)` is called after each transaction.
    pub async fn bulk_seed(
        &self,
        workspace_id: &str,
        profile_id: &str,
        conversations: u64,
        messages: u64,
        now: i64,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<BulkSeedReport> {
        let messages = messages.max(conversations);
        let base = messages.checked_div(conversations).unwrap_or(0);
        let remainder = if conversations == 0 {
            0
        } else {
            messages % conversations
        };
        let ws = esc(workspace_id);
        let profile = esc(profile_id);
        let private = r#"{"type":"private"}"#;
        let mut report = BulkSeedReport::default();
        let mut start = 0u64;
        while start < conversations {
            let end = (start + CONVERSATIONS_PER_TX).min(conversations);
            let mut contacts = Inserts::new("INSERT INTO contacts (id, workspace_id, profile_id, platform_user_id, name, handle, created_at) VALUES ");
            let mut convs = Inserts::new(
                "INSERT INTO conversations (id, workspace_id, profile_id, contact_id, status, assignee_id, waiting_since, \
                 last_customer_message_at, last_message_at, last_snippet, last_answer_ms, reply_context, created_at, updated_at) VALUES ",
            );
            let mut msgs = Inserts::new(
                "INSERT INTO messages (id, workspace_id, profile_id, conversation_id, direction, kind, text, summary, metadata, \
                 platform_message_id, author_id, created_at, received_at, reply_context, delivery_status, delivery_rank, \
                 delivery_error, answered_at, response_ms, no_reply_needed) VALUES ",
            );
            for i in start..end {
                let mut rng = Rng(i.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0x5EED);
                // Message count: pairs (2k, 2k+1) get base−d and base+d, so the total is exact.
                let d = if base > 1 { Rng(i / 2).below(base) } else { 0 };
                let unpaired = i % 2 == 0 && i + 1 == conversations;
                let mut n = if unpaired {
                    base
                } else if i % 2 == 0 {
                    base - d
                } else {
                    base + d
                };
                if i < remainder {
                    n += 1;
                }
                let n = n.max(1);
                let roll = rng.below(100);
                let (status, last_at) = if roll < 5 {
                    // Waiting: mostly minutes to hours, a tail up to two days.
                    let ago = if rng.below(4) == 0 {
                        rng.below(2 * DAY as u64)
                    } else {
                        rng.below(3 * HOUR as u64)
                    };
                    ("open", now - ago as i64)
                } else if roll < 10 {
                    ("pending", now - rng.below(3 * DAY as u64) as i64)
                } else {
                    ("resolved", now - rng.below(180 * DAY as u64) as i64 - HOUR)
                };
                // Message times: evenly spaced gaps of 1–20 minutes, ending at last_at.
                let gap = (1 + rng.below(20) as i64) * MINUTE;
                let first_at = last_at - gap * (n as i64 - 1);
                let contact_id = hubert_core::new_id();
                let conv_id = hubert_core::new_id();
                let phone = format!("3169{i:09}");
                let name = format!("Klant {i}");
                write!(
                    contacts.row(),
                    "('{contact_id}','{ws}','{profile}','{phone}','{name}','+{phone}',{first_at})"
                )
                .expect("write");
                // The last message is the customer's when open, the agent's otherwise.
                let last_in = status == "open";
                let mut last_customer_at = None;
                let mut last_answer_ms = None;
                let mut waiting_since = None;
                let mut pending_in: Option<i64> = None;
                let mut snippet = String::new();
                let mut rows: Vec<(String, bool, i64, String)> = Vec::with_capacity(n as usize);
                for k in 0..n {
                    let from_end = n - 1 - k;
                    let inbound = (from_end % 2 == 0) == last_in;
                    let at = first_at + gap * k as i64;
                    let text = if inbound {
                        CUSTOMER_TEXTS[rng.below(CUSTOMER_TEXTS.len() as u64) as usize]
                    } else {
                        AGENT_TEXTS[rng.below(AGENT_TEXTS.len() as u64) as usize]
                    };
                    rows.push((hubert_core::new_id(), inbound, at, text.to_owned()));
                }
                // Answer times: each agent message answers the customer messages before it.
                let mut answered: Vec<(Option<i64>, Option<i64>)> = vec![(None, None); rows.len()];
                let mut unanswered: Vec<usize> = Vec::new();
                for (idx, (_, inbound, at, text)) in rows.iter().enumerate() {
                    snippet = text.chars().take(140).collect();
                    if *inbound {
                        last_customer_at = Some(*at);
                        pending_in.get_or_insert(*at);
                        unanswered.push(idx);
                    } else {
                        if let Some(w) = pending_in.take() {
                            last_answer_ms = Some(at - w);
                        }
                        for j in unanswered.drain(..) {
                            let created = rows[j].2;
                            answered[j] = (Some(*at), Some(at - created));
                        }
                    }
                }
                if status == "open" {
                    waiting_since = pending_in;
                }
                for (idx, (id, inbound, at, text)) in rows.iter().enumerate() {
                    let (dir, pmid, dstatus, rank, author) = if *inbound {
                        ("in", format!("'wamid.seed.{i:09}.{idx:04}'"), "NULL", 0, "NULL")
                    } else {
                        ("out", format!("'wamid.seed.out.{i:09}.{idx:04}'"), "'read'", 3, "NULL")
                    };
                    let (answered_at, response_ms) = answered[idx];
                    let text = esc(text);
                    write!(
                        msgs.row(),
                        "('{id}','{ws}','{profile}','{conv_id}','{dir}','text','{text}','{text}','{{}}',{pmid},{author},{at},{at},'{private}',{dstatus},{rank},NULL,{},{},0)",
                        opt(answered_at),
                        opt(response_ms)
                    )
                    .expect("write");
                }
                let updated = last_at + if status == "resolved" { 5 * MINUTE } else { 0 };
                write!(
                    convs.row(),
                    "('{conv_id}','{ws}','{profile}','{contact_id}','{status}',NULL,{},{},{last_at},'{}',{},'{private}',{first_at},{updated})",
                    opt(waiting_since),
                    opt(last_customer_at),
                    esc(&snippet),
                    opt(last_answer_ms)
                )
                .expect("write");
                report.conversations += 1;
                report.messages += n;
                match status {
                    "open" => report.open += 1,
                    "pending" => report.pending += 1,
                    _ => report.resolved += 1,
                }
            }
            on_pool!(&self.write, pool => {
                let mut tx = pool.begin().await?;
                for sql in contacts.statements.iter().chain(convs.statements.iter()).chain(msgs.statements.iter()) {
                    sqlx::raw_sql(sql).execute(&mut *tx).await?;
                }
                tx.commit().await?;
            });
            progress(report.conversations, report.messages);
            start = end;
        }
        Ok(report)
    }

    /// How many messages of one direction (`in`, `out`, `note`) a workspace holds.
    pub async fn count_messages(&self, workspace_id: &str, direction: &str) -> Result<i64> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM messages WHERE workspace_id = $1 AND direction = $2")
                .bind(workspace_id).bind(direction).fetch_one(pool).await?)
        })
    }

    /// Customer messages of `profile_id` whose platform message id starts with `id_prefix`,
    /// grouped by that id: (platform message id, rows, the first row's `received_at`). More
    /// than one row is a duplicate.
    pub async fn count_inbound_by_platform_id(
        &self,
        profile_id: &str,
        id_prefix: &str,
    ) -> Result<Vec<(String, i64, i64)>> {
        let pattern = format!(
            "{}%",
            id_prefix.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
        );
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, (String, i64, i64)>(
                "SELECT platform_message_id, COUNT(*), MIN(received_at) FROM messages \
                 WHERE profile_id = $1 AND direction = 'in' AND platform_message_id LIKE $2 ESCAPE '\\' \
                 GROUP BY platform_message_id ORDER BY platform_message_id")
                .bind(profile_id).bind(&pattern).fetch_all(pool).await?)
        })
    }
}
