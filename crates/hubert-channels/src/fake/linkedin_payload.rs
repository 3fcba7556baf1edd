//! Builders for LinkedIn organisation social-action notifications, shaped as LinkedIn
//! sends them (channels.md §6c): wrap them with [`envelope`] for a webhook delivery (sign
//! with [`super::sign_linkedin`]) or with [`poll_page`] for the poll's answer.

use serde_json::{json, Value};

fn activity(post_id: &str) -> String {
    format!("urn:li:activity:{post_id}")
}

fn comment_urn(post_id: &str, comment_id: &str) -> String {
    format!("urn:li:comment:({},{comment_id})", activity(post_id))
}

fn notification(org: &str, notification_id: u64, action: &str, post_id: &str, ts_ms: i64) -> Value {
    json!({
        "notificationId": notification_id,
        "action": action,
        "organizationalEntity": org,
        "subscriber": "urn:li:person:AdminHubert1",
        "lastModifiedAt": ts_ms,
        "sourcePost": activity(post_id),
        "decoratedSourcePost": {"entity": format!("urn:li:share:{post_id}"), "owner": org,
                                "mediaCategory": "NONE", "text": "Vanaf 1 januari gelden nieuwe tarieven."},
    })
}

fn with_comment(mut n: Value, post_id: &str, comment_id: &str, owner: &str, text: Option<&str>) -> Value {
    let urn = comment_urn(post_id, comment_id);
    n["generatedActivity"] = json!(urn);
    let mut comment = json!({"entity": urn, "owner": owner, "object": activity(post_id)});
    if let Some(text) = text {
        comment["text"] = json!(text);
    }
    n["decoratedGeneratedActivity"] = json!({ "comment": comment });
    n
}

/// A member's top-level `COMMENT` under our post `urn:li:activity:<post_id>`.
pub fn comment(
    org: &str,
    notification_id: u64,
    post_id: &str,
    comment_id: &str,
    owner: &str,
    text: &str,
    ts_ms: i64,
) -> Value {
    with_comment(
        notification(org, notification_id, "COMMENT", post_id, ts_ms),
        post_id,
        comment_id,
        owner,
        Some(text),
    )
}

/// A member's reply under the comment `parent_comment_id` (the text in `message.text`,
/// the other shape LinkedIn uses).
#[allow(clippy::too_many_arguments)]
pub fn nested_comment(
    org: &str,
    notification_id: u64,
    post_id: &str,
    comment_id: &str,
    parent_comment_id: &str,
    owner: &str,
    text: &str,
    ts_ms: i64,
) -> Value {
    let mut n = with_comment(
        notification(org, notification_id, "COMMENT", post_id, ts_ms),
        post_id,
        comment_id,
        owner,
        None,
    );
    let comment = &mut n["decoratedGeneratedActivity"]["comment"];
    comment["message"] = json!({ "text": text });
    comment["parentComment"] = json!(comment_urn(post_id, parent_comment_id));
    n
}

/// A page admin's comment (`ADMIN_COMMENT`): ours.
pub fn admin_comment(
    org: &str,
    notification_id: u64,
    post_id: &str,
    comment_id: &str,
    text: &str,
    ts_ms: i64,
) -> Value {
    with_comment(
        notification(org, notification_id, "ADMIN_COMMENT", post_id, ts_ms),
        post_id,
        comment_id,
        org,
        Some(text),
    )
}

/// `COMMENT_EDIT`: the comment now reads `text`.
pub fn comment_edit(
    org: &str,
    notification_id: u64,
    post_id: &str,
    comment_id: &str,
    owner: &str,
    text: &str,
    ts_ms: i64,
) -> Value {
    with_comment(
        notification(org, notification_id, "COMMENT_EDIT", post_id, ts_ms),
        post_id,
        comment_id,
        owner,
        Some(text),
    )
}

/// `COMMENT_DELETE`.
pub fn comment_delete(
    org: &str,
    notification_id: u64,
    post_id: &str,
    comment_id: &str,
    owner: &str,
    ts_ms: i64,
) -> Value {
    with_comment(
        notification(org, notification_id, "COMMENT_DELETE", post_id, ts_ms),
        post_id,
        comment_id,
        owner,
        None,
    )
}

/// `SHARE_MENTION`: the member's post `urn:li:share:<share_id>` @mentions the page.
pub fn share_mention(org: &str, notification_id: u64, share_id: &str, author: &str, text: &str, ts_ms: i64) -> Value {
    let share = format!("urn:li:share:{share_id}");
    json!({
        "notificationId": notification_id, "action": "SHARE_MENTION", "organizationalEntity": org,
        "subscriber": "urn:li:person:AdminHubert1", "lastModifiedAt": ts_ms,
        "sourcePost": share, "generatedActivity": share,
        "decoratedGeneratedActivity": {"share": {"entity": share, "owner": author, "text": text}},
    })
}

/// `LIKE` on our post (yields no event).
pub fn like(org: &str, notification_id: u64, post_id: &str, ts_ms: i64) -> Value {
    notification(org, notification_id, "LIKE", post_id, ts_ms)
}

/// A webhook delivery: `{"type":"ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS","notifications":[…]}`.
pub fn envelope(notifications: Vec<Value>) -> Vec<u8> {
    json!({"type": "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS", "notifications": notifications})
        .to_string()
        .into_bytes()
}

/// One page of the poll's answer.
pub fn poll_page(elements: Vec<Value>, start: usize) -> Value {
    let count = elements.len();
    json!({"elements": elements, "paging": {"start": start, "count": count, "links": []}})
}
