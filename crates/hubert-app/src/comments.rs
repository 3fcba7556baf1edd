//! Answering comments (Facebook, Instagram): which of the customer's comments a reply
//! answers (`reply_to_message_id`, default their newest), the short public note that may
//! accompany a private reply, and hiding / unhiding a comment on the platform.

use hubert_channels::{DynChannel, ReplyContext, ReplyRules};
use hubert_core::Direction;

use crate::conversations::{rules_for, ConversationDetail, ReplyRequest};
use crate::ingest::reply_context;
use crate::AppError;

/// The longest public note under a comment (characters).
pub const MAX_PUBLIC_NOTE_CHARS: usize = 500;

/// Where a reply goes and the rules there: the context of the customer's message
/// `req.reply_to_message_id` names (it must be an inbound message of this conversation),
/// else the conversation's own (the newest customer message).
pub(crate) fn answered(
    detail: &ConversationDetail,
    req: &ReplyRequest,
    now: i64,
) -> Result<(ReplyContext, ReplyRules), AppError> {
    let Some(id) = req.reply_to_message_id.as_deref() else {
        let context = reply_context(&detail.conversation.reply_context);
        return Ok((context, detail.reply_rules.clone()));
    };
    let message = detail
        .messages
        .iter()
        .find(|m| m.id == id && m.direction == Direction::In)
        .ok_or_else(|| {
            AppError::Invalid(
                "unknown_message",
                "reply_to_message_id must be a customer message of this conversation.".into(),
            )
        })?;
    if message.platform_state.as_deref().is_some_and(|s| s != "hidden") {
        return Err(AppError::Invalid(
            "message_removed",
            "That message was removed from the platform; it cannot be answered.".into(),
        ));
    }
    let context = reply_context(&message.reply_context);
    let rules = rules_for(&detail.conversation, &detail.messages, &context, now);
    Ok((context, rules))
}

/// Checks `req.public_note`: only with a private reply to a comment, non-empty, short.
pub(crate) fn check_public_note(
    channel: &dyn DynChannel,
    req: &ReplyRequest,
    context: &ReplyContext,
) -> Result<Option<String>, AppError> {
    let Some(note) = req.public_note.as_deref().map(str::trim) else {
        return Ok(None);
    };
    if note.is_empty() {
        return Ok(None);
    }
    if !req.private || !matches!(context, ReplyContext::PublicComment { .. }) {
        return Err(AppError::Invalid(
            "public_note_unavailable",
            "A public note goes with a private reply to a comment.".into(),
        ));
    }
    let limit = channel.rules().public_limit;
    if note.chars().count() > MAX_PUBLIC_NOTE_CHARS || limit.unit.measure(note) > limit.max {
        return Err(AppError::Invalid(
            "too_long",
            format!("A public note may be at most {MAX_PUBLIC_NOTE_CHARS} characters."),
        ));
    }
    Ok(Some(note.to_owned()))
}
