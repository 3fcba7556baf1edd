//! The JSON shapes of conversations and messages, shared by the REST API and the pages'
//! live updates. Times are epoch milliseconds. Credentials never appear here.

use hubert_core::sla::{self, SlaState, SlaStatus};
use hubert_store::{ConversationRow, MessageRow};
use serde_json::{json, Value};

/// The service level of a conversation right now: waiting (inside / at risk / outside),
/// or the verdict on the last answer (met / missed).
pub fn conversation_sla(c: &ConversationRow, now: i64) -> SlaStatus {
    let level = c.service_level();
    if let Some(since) = c.waiting_since {
        return sla::waiting(&level, since, now);
    }
    match c.last_answer_ms {
        Some(ms) => sla::answered(&level, 0, ms),
        None => SlaStatus {
            state: SlaState::None,
            waiting_since: None,
            deadline: None,
            remaining_ms: None,
            response_ms: None,
        },
    }
}

pub fn sla_json(s: &SlaStatus) -> Value {
    let answered = s.response_ms.is_some();
    json!({
        "state": s.state.as_str(),
        "waiting_since": if answered { None } else { s.waiting_since },
        "deadline": if answered { None } else { s.deadline },
        "remaining_ms": s.remaining_ms,
        "response_ms": s.response_ms,
    })
}

pub fn conversation_json(c: &ConversationRow, now: i64) -> Value {
    json!({
        "id": c.id,
        "profile_id": c.profile_id,
        "profile_name": c.profile_name,
        "platform": c.platform,
        "contact": { "id": c.contact_id, "name": c.contact_name, "handle": c.contact_handle },
        "status": c.status,
        "assignee": c.assignee_id.as_ref().map(|id| json!({ "id": id, "name": c.assignee_name })),
        "last_message_at": c.last_message_at,
        "last_customer_message_at": c.last_customer_message_at,
        "snippet": c.last_snippet,
        "reply_context": serde_json::from_str::<Value>(&c.reply_context).unwrap_or(Value::Null),
        "service_level": { "threshold_minutes": c.threshold_minutes, "target_percent": c.target_percent },
        "sla": sla_json(&conversation_sla(c, now)),
    })
}

pub fn message_json(m: &MessageRow) -> Value {
    json!({
        "id": m.id,
        "direction": m.direction,
        "kind": m.kind,
        "text": m.text,
        "summary": m.summary,
        "metadata": serde_json::from_str::<Value>(&m.metadata).unwrap_or(Value::Null),
        "author": m.author_id.as_ref().map(|id| json!({ "id": id, "name": m.author_name })),
        "created_at": m.created_at,
        "delivery_status": m.delivery_status,
        "delivery_error": m.delivery_error,
        "answered_at": m.answered_at,
        "response_ms": m.response_ms,
        "no_reply_needed": m.no_reply_needed != 0,
    })
}
