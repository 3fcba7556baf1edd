//! Ingest: turning verified, parsed webhook deliveries into messages, contacts and
//! conversations. Many deliveries are written in ONE transaction (group commit) and the
//! caller acknowledges each webhook only after that commit returned.
//!
//! Dedupe: a message is identified by (workspace, profile, platform message id); a
//! duplicate changes nothing. Threading: at most one unresolved conversation per contact
//! (a partial unique index guards it); a message for a contact whose conversation was
//! resolved in the last seven days reopens that conversation, older ones start anew.
//! Status receipts only move forward (`delivery_rank`).
//!
//! Set-based: a group of any size costs a fixed handful of statements (dedupe lookup,
//! one multi-row contact upsert, conversation lookups, one multi-row message insert, one
//! `UPDATE … FROM` for every touched conversation), not a handful per message. On SQLite
//! every statement is a hop to the single writer thread; on PostgreSQL a round trip.

use std::collections::{HashMap, HashSet};

use sqlx::Row;

use crate::changes::{NewChange, NewWatermark};
use crate::echoes::NewEcho;
use crate::{dialect, on_pool, Result, Store};
use hubert_core::time::DAY;

/// A customer message ready to store.
#[derive(Debug, Clone)]
pub struct NewInbound {
    pub platform_message_id: String,
    pub contact_platform_user_id: String,
    pub contact_name: Option<String>,
    pub contact_handle: Option<String>,
    pub kind: String,
    pub text: Option<String>,
    pub summary: String,
    /// JSON text.
    pub metadata: String,
    pub sent_at: i64,
    /// JSON text: how to answer this message (public reply to a post, or private).
    pub reply_context: String,
}

/// A delivery receipt for one of our messages.
#[derive(Debug, Clone)]
pub struct NewStatus {
    pub platform_message_id: String,
    pub status: String,
    pub rank: i64,
    pub error: Option<String>,
}

/// One verified webhook delivery for one profile.
#[derive(Debug, Clone, Default)]
pub struct IngestBatch {
    pub workspace_id: String,
    pub profile_id: String,
    pub messages: Vec<NewInbound>,
    pub statuses: Vec<NewStatus>,
    /// Edits, hides, removals of stored messages (see `changes`).
    pub changes: Vec<NewChange>,
    /// Delivery and read watermarks (Messenger).
    pub watermarks: Vec<NewWatermark>,
    /// Messages the account sent outside Hubert (see `echoes`).
    pub echoes: Vec<NewEcho>,
}

/// What a delivery changed, for the live views.
#[derive(Debug, Clone, Default)]
pub struct IngestOutcome {
    /// (conversation id, message id) of each newly stored message.
    pub new_messages: Vec<(String, String)>,
    /// (conversation id, message id, status) of each receipt that moved a message forward.
    pub status_changes: Vec<(String, String, String)>,
    pub duplicates: usize,
    /// (conversation id, message id) of each message a platform change altered.
    pub changed_messages: Vec<(String, String)>,
    /// (conversation id, message id) of each echo imported as an agent message.
    pub echoed_messages: Vec<(String, String)>,
}

const REOPEN_WINDOW_MS: i64 = 7 * DAY;
/// Rows per multi-row statement: well under both engines' bind-parameter limits.
const CHUNK: usize = 400;

/// `($1, $2, …), ($n, …)` for `rows` rows of `cols` parameters, numbered from `first`.
fn values(rows: usize, cols: usize, first: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push_str(", ");
            }
            s.push('$');
            s.push_str(&(first + r * cols + c).to_string());
        }
        s.push(')');
    }
    s
}

/// `$first, $first+1, …` for an `IN (…)` list of `n` parameters.
fn list(n: usize, first: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One message on its way in, with what the steps learn about it.
struct Pending<'a> {
    batch: usize,
    m: &'a NewInbound,
    ws: &'a str,
    profile: &'a str,
    at: i64,
    snippet: String,
    message_id: String,
    contact_id: Option<String>,
    conversation_id: Option<String>,
}

type ContactKey<'a> = (&'a str, &'a str, &'a str);

impl Store {
    /// Stores several deliveries in one transaction. Either all are durable when this
    /// returns `Ok`, or none is.
    pub async fn ingest(&self, batches: &[IngestBatch], now: i64) -> Result<Vec<IngestOutcome>> {
        let mut outcomes: Vec<IngestOutcome> = vec![IngestOutcome::default(); batches.len()];
        let mut pending: Vec<Pending> = Vec::new();
        for (i, b) in batches.iter().enumerate() {
            for m in &b.messages {
                pending.push(Pending {
                    batch: i,
                    m,
                    ws: &b.workspace_id,
                    profile: &b.profile_id,
                    // The customer's clock starts when they wrote, but never in our future.
                    at: m.sent_at.min(now),
                    snippet: hubert_core::text::snippet(&m.summary, 140),
                    message_id: hubert_core::new_id(),
                    contact_id: None,
                    conversation_id: None,
                });
            }
        }
        pending.sort_by_key(|p| p.at);
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;

            // 1. Dedupe: already stored, or twice in this very group.
            let mut by_profile: HashMap<(&str, &str), Vec<&str>> = HashMap::new();
            for p in &pending {
                by_profile.entry((p.ws, p.profile)).or_default().push(&p.m.platform_message_id);
            }
            let mut existing: HashSet<(String, String)> = HashSet::new();
            for ((ws, profile), ids) in &by_profile {
                for chunk in ids.chunks(CHUNK) {
                    let sql = format!(
                        "SELECT platform_message_id FROM messages WHERE workspace_id = $1 AND profile_id = $2 AND platform_message_id IN ({})",
                        list(chunk.len(), 3)
                    );
                    let mut q = sqlx::query_scalar::<_, String>(&sql).bind(*ws).bind(*profile);
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    for id in q.fetch_all(&mut *tx).await? {
                        existing.insert(((*profile).to_owned(), id));
                    }
                }
            }
            let mut seen: HashSet<(&str, &str)> = HashSet::new();
            pending.retain(|p| {
                let fresh = !existing.contains(&(p.profile.to_owned(), p.m.platform_message_id.clone()))
                    && seen.insert((p.profile, &p.m.platform_message_id));
                if !fresh {
                    outcomes[p.batch].duplicates += 1;
                }
                fresh
            });

            // 2. Contacts: one upsert for all, the newest name and handle winning.
            let mut contacts: Vec<(ContactKey, Option<&str>, Option<&str>)> = Vec::new();
            let mut contact_index: HashMap<ContactKey, usize> = HashMap::new();
            for p in &pending {
                let key = (p.ws, p.profile, p.m.contact_platform_user_id.as_str());
                let (name, handle) = (p.m.contact_name.as_deref(), p.m.contact_handle.as_deref());
                match contact_index.get(&key) {
                    Some(&i) => {
                        contacts[i].1 = name.or(contacts[i].1);
                        contacts[i].2 = handle.or(contacts[i].2);
                    }
                    None => {
                        contact_index.insert(key, contacts.len());
                        contacts.push((key, name, handle));
                    }
                }
            }
            // Same order in every transaction: concurrent writers (PostgreSQL) never deadlock.
            contacts.sort_by(|a, b| a.0.cmp(&b.0));
            contact_index = contacts.iter().enumerate().map(|(i, c)| (c.0, i)).collect();
            let mut contact_ids: HashMap<ContactKey, String> = HashMap::new();
            for chunk in contacts.chunks(CHUNK) {
                let sql = format!(
                    "INSERT INTO contacts (id, workspace_id, profile_id, platform_user_id, name, handle, created_at) VALUES {} \
                     ON CONFLICT (workspace_id, profile_id, platform_user_id) DO UPDATE \
                     SET name = COALESCE(excluded.name, contacts.name), handle = COALESCE(excluded.handle, contacts.handle) \
                     RETURNING id, workspace_id, profile_id, platform_user_id",
                    values(chunk.len(), 7, 1)
                );
                let mut q = sqlx::query(&sql);
                for ((ws, profile, user), name, handle) in chunk {
                    q = q.bind(hubert_core::new_id()).bind(*ws).bind(*profile).bind(*user).bind(*name).bind(*handle).bind(now);
                }
                for row in q.fetch_all(&mut *tx).await? {
                    let (id, ws, profile, user): (String, String, String, String) =
                        (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?);
                    if let Some(&i) = contact_index.get(&(ws.as_str(), profile.as_str(), user.as_str())) {
                        contact_ids.insert(contacts[i].0, id);
                    }
                }
            }
            for p in pending.iter_mut() {
                p.contact_id = contact_ids.get(&(p.ws, p.profile, p.m.contact_platform_user_id.as_str())).cloned();
            }

            // 3. Conversations: the contact's unresolved one, else a recently resolved one
            //    reopened, else a new one. The partial unique index settles races.
            let mut by_workspace: HashMap<&str, Vec<String>> = HashMap::new();
            for p in &pending {
                if let Some(c) = &p.contact_id {
                    let ids = by_workspace.entry(p.ws).or_default();
                    if !ids.contains(c) {
                        ids.push(c.clone());
                    }
                }
            }
            let mut active: HashMap<String, String> = HashMap::new();
            for pass in 0..2 {
                for (ws, ids) in &by_workspace {
                    let missing: Vec<&String> = ids.iter().filter(|c| !active.contains_key(*c)).collect();
                    for chunk in missing.chunks(CHUNK) {
                        let sql = format!(
                            "SELECT id, contact_id FROM conversations WHERE workspace_id = $1 AND status <> 'resolved' AND contact_id IN ({})",
                            list(chunk.len(), 2)
                        );
                        let mut q = sqlx::query_as::<_, (String, String)>(&sql).bind(*ws);
                        for c in chunk {
                            q = q.bind(*c);
                        }
                        for (conv, contact) in q.fetch_all(&mut *tx).await? {
                            active.insert(contact, conv);
                        }
                    }
                }
                if pass == 1 {
                    break;
                }
                // Reopen recently resolved conversations.
                for (ws, ids) in &by_workspace {
                    let missing: Vec<&String> = ids.iter().filter(|c| !active.contains_key(*c)).collect();
                    for chunk in missing.chunks(CHUNK) {
                        let sql = format!(
                            "SELECT id, contact_id, updated_at FROM conversations WHERE workspace_id = $1 AND status = 'resolved' \
                             AND updated_at > $2 AND contact_id IN ({})",
                            list(chunk.len(), 3)
                        );
                        let mut q = sqlx::query_as::<_, (String, String, i64)>(&sql).bind(*ws).bind(now - REOPEN_WINDOW_MS);
                        for c in chunk {
                            q = q.bind(*c);
                        }
                        let mut latest: HashMap<String, (String, i64)> = HashMap::new();
                        for (conv, contact, updated) in q.fetch_all(&mut *tx).await? {
                            if latest.get(&contact).is_none_or(|(_, u)| *u < updated) {
                                latest.insert(contact, (conv, updated));
                            }
                        }
                        if !latest.is_empty() {
                            let mut reopen: Vec<&String> = latest.values().map(|(c, _)| c).collect();
                            reopen.sort();
                            let sql = format!(
                                "UPDATE conversations SET status = 'open', updated_at = $2 WHERE workspace_id = $1 AND id IN ({})",
                                list(reopen.len(), 3)
                            );
                            let mut q = sqlx::query(&sql).bind(*ws).bind(now);
                            for c in &reopen {
                                q = q.bind(*c);
                            }
                            q.execute(&mut *tx).await?;
                            for (contact, (conv, _)) in latest {
                                active.insert(contact, conv);
                            }
                        }
                    }
                }
                // New conversations, seeded with the contact's first message in this group.
                let mut fresh: Vec<&Pending> = Vec::new();
                let mut fresh_contacts: HashSet<&str> = HashSet::new();
                for p in &pending {
                    if let Some(c) = &p.contact_id {
                        if !active.contains_key(c) && fresh_contacts.insert(c) {
                            fresh.push(p);
                        }
                    }
                }
                fresh.sort_by(|a, b| a.contact_id.cmp(&b.contact_id));
                for chunk in fresh.chunks(CHUNK) {
                    let sql = format!(
                        "INSERT INTO conversations (id, workspace_id, profile_id, contact_id, status, assignee_id, waiting_since, \
                         last_customer_message_at, last_message_at, last_snippet, last_answer_ms, reply_context, created_at, updated_at) \
                         SELECT v.column1, v.column2, v.column3, v.column4, 'open', NULL, NULL, NULL, v.column5, v.column6, NULL, v.column7, v.column8, v.column8 \
                         FROM (VALUES {}) AS v WHERE true \
                         ON CONFLICT (workspace_id, profile_id, contact_id) WHERE status <> 'resolved' DO NOTHING",
                        values(chunk.len(), 8, 1)
                    );
                    let mut q = sqlx::query(&sql);
                    for p in chunk {
                        q = q.bind(hubert_core::new_id()).bind(p.ws).bind(p.profile).bind(p.contact_id.as_deref())
                            .bind(p.at).bind(&p.snippet).bind(&p.m.reply_context).bind(now);
                    }
                    q.execute(&mut *tx).await?;
                }
            }
            for p in pending.iter_mut() {
                p.conversation_id = p.contact_id.as_ref().and_then(|c| active.get(c)).cloned();
            }
            // PostgreSQL: lock the touched conversations in id order before the message
            // inserts take their foreign-key share locks, so concurrent writers queue here
            // instead of deadlocking on the update below.
            let lock = dialect::for_update(&self.write);
            if !lock.is_empty() {
                let mut ids: Vec<&str> = pending.iter().filter_map(|p| p.conversation_id.as_deref()).collect();
                ids.sort_unstable();
                ids.dedup();
                for chunk in ids.chunks(CHUNK) {
                    let sql = format!("SELECT id FROM conversations WHERE id IN ({}) ORDER BY id {lock}", list(chunk.len(), 1));
                    let mut q = sqlx::query(&sql);
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    q.fetch_all(&mut *tx).await?;
                }
            }

            // 4. Messages: one multi-row insert; a conflict means another instance won a race.
            let mut inserted: HashSet<String> = HashSet::new();
            for chunk in pending.chunks(CHUNK) {
                let sql = format!(
                    "INSERT INTO messages (id, workspace_id, profile_id, conversation_id, direction, kind, text, summary, metadata, \
                     platform_message_id, author_id, created_at, received_at, reply_context, delivery_status, delivery_rank, \
                     delivery_error, answered_at, response_ms, no_reply_needed) \
                     SELECT v.column1, v.column2, v.column3, v.column4, 'in', v.column5, v.column6, v.column7, v.column8, v.column9, \
                     NULL, v.column10, v.column11, v.column12, NULL, 0, NULL, NULL, NULL, 0 FROM (VALUES {}) AS v WHERE true \
                     ON CONFLICT (workspace_id, profile_id, platform_message_id) DO NOTHING RETURNING id",
                    values(chunk.len(), 12, 1)
                );
                let mut q = sqlx::query_scalar::<_, String>(&sql);
                for p in chunk {
                    q = q.bind(&p.message_id).bind(p.ws).bind(p.profile).bind(p.conversation_id.as_deref()).bind(&p.m.kind)
                        .bind(&p.m.text).bind(&p.m.summary).bind(&p.m.metadata).bind(&p.m.platform_message_id)
                        .bind(p.at).bind(now).bind(&p.m.reply_context);
                }
                inserted.extend(q.fetch_all(&mut *tx).await?);
            }

            // 5. One update for every touched conversation: clock, snippet, reply context.
            let mut touched: Vec<(String, i64, i64, String, String)> = Vec::new();
            for p in &pending {
                if !inserted.contains(&p.message_id) {
                    outcomes[p.batch].duplicates += 1;
                    continue;
                }
                let conv = p.conversation_id.clone().unwrap_or_default();
                outcomes[p.batch].new_messages.push((conv.clone(), p.message_id.clone()));
                match touched.iter_mut().find(|t| t.0 == conv) {
                    // Sorted by time: the first message is the earliest, the last the newest.
                    Some(t) => {
                        t.2 = p.at;
                        t.3 = p.snippet.clone();
                        t.4 = p.m.reply_context.clone();
                    }
                    None => touched.push((conv, p.at, p.at, p.snippet.clone(), p.m.reply_context.clone())),
                }
            }
            touched.sort_by(|a, b| a.0.cmp(&b.0));
            for chunk in touched.chunks(CHUNK) {
                let n = chunk.len() * 5;
                let sql = format!(
                    "WITH v(id, first_at, last_at, snippet, ctx) AS (VALUES {}) \
                     UPDATE conversations SET status = 'open', \
                     waiting_since = CASE WHEN conversations.waiting_since IS NULL OR conversations.waiting_since > v.first_at \
                       THEN v.first_at ELSE conversations.waiting_since END, \
                     last_snippet = CASE WHEN conversations.last_message_at <= v.last_at THEN v.snippet ELSE conversations.last_snippet END, \
                     reply_context = CASE WHEN conversations.last_customer_message_at IS NULL OR conversations.last_customer_message_at <= v.last_at \
                       THEN v.ctx ELSE conversations.reply_context END, \
                     last_customer_message_at = CASE WHEN conversations.last_customer_message_at IS NULL \
                       OR conversations.last_customer_message_at < v.last_at THEN v.last_at ELSE conversations.last_customer_message_at END, \
                     last_message_at = CASE WHEN conversations.last_message_at < v.last_at THEN v.last_at ELSE conversations.last_message_at END, \
                     updated_at = ${} FROM v WHERE conversations.id = v.id",
                    values(chunk.len(), 5, 1),
                    n + 1
                );
                let mut q = sqlx::query(&sql);
                for (conv, first, last, snippet, ctx) in chunk {
                    q = q.bind(conv).bind(*first).bind(*last).bind(snippet).bind(ctx);
                }
                q.bind(now).execute(&mut *tx).await?;
            }

            // 6. Receipts: only forward.
            for (i, batch) in batches.iter().enumerate() {
                for s in &batch.statuses {
                    let row = sqlx::query(
                        "UPDATE messages SET delivery_status = $1, delivery_rank = $2, delivery_error = COALESCE($3, delivery_error) \
                         WHERE workspace_id = $4 AND profile_id = $5 AND platform_message_id = $6 AND direction = 'out' AND delivery_rank < $2 \
                         RETURNING id, conversation_id",
                    )
                    .bind(&s.status).bind(s.rank).bind(&s.error).bind(&batch.workspace_id).bind(&batch.profile_id)
                    .bind(&s.platform_message_id)
                    .fetch_optional(&mut *tx).await?;
                    if let Some(row) = row {
                        let id: String = row.try_get(0)?;
                        let conv: String = row.try_get(1)?;
                        outcomes[i].status_changes.push((conv, id, s.status.clone()));
                    }
                }
            }
            tx.commit().await?;
        });
        // Changes may concern messages of this very group: applied once they are stored.
        self.apply_changes(batches, &mut outcomes).await?;
        self.import_echoes(batches, &mut outcomes, now).await?;
        Ok(outcomes)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_number_rows_and_columns() {
        assert_eq!(super::values(2, 3, 1), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(super::values(1, 2, 5), "($5, $6)");
        assert_eq!(super::list(3, 2), "$2, $3, $4");
    }
}
