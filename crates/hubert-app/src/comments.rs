//! Answering comments (Facebook, Instagram): which of the customer's comments a reply
//! answers (`reply_to_message_id`, default their newest), the short public note that may
//! accompany a private reply, and hiding / unhiding a comment on the platform.

use hubert_channels::channel::SendContext;
use hubert_channels::{DynChannel, ReplyContext, ReplyRules, SendOutcome};
use hubert_core::{Direction, Role};

use crate::conversations::{rules_for, ConversationDetail, ReplyRequest};
use crate::ingest::reply_context;
use crate::{App, AppError, Principal};

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

/// A comment's visibility after `POST`/`DELETE /api/v1/messages/{id}/hide`.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct HiddenState {
    pub message_id: String,
    pub hidden: bool,
}

impl App {
    /// Hides (or unhides) a customer's comment on the platform, then here. Agents may.
    pub async fn set_comment_hidden(
        &self,
        who: &Principal,
        message_id: &str,
        hidden: bool,
    ) -> Result<HiddenState, AppError> {
        who.require(Role::Agent)?;
        if !hubert_core::ids::is_id(message_id) {
            return Err(AppError::NotFound);
        }
        let message = self
            .store
            .message(&who.workspace_id, message_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let comment_id = match reply_context(&message.reply_context) {
            ReplyContext::PublicComment { comment_id, .. } if message.direction == Direction::In => comment_id,
            _ => {
                return Err(AppError::Invalid(
                    "not_a_comment",
                    "Only a customer's comment can be hidden.".into(),
                ))
            }
        };
        let conversation = self
            .store
            .conversation(&who.workspace_id, &message.conversation_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let profile = match self.loaded_profile(&conversation.profile_id).await {
            Ok(Some(p)) => p,
            _ => return Err(AppError::NotFound),
        };
        let ctx = SendContext {
            http: &self.http,
            urls: &self.endpoints,
            now: self.now(),
            last_customer_message_at: None,
            private_reply: false,
        };
        match profile
            .channel
            .set_hidden(ctx, &profile.credentials, &comment_id, hidden)
            .await
        {
            SendOutcome::Accepted { .. } => {}
            outcome => return Err(platform_refused(outcome)),
        }
        self.store
            .mark_hidden(&who.workspace_id, message_id, hidden, self.now())
            .await?;
        self.bus.publish(
            &who.workspace_id,
            "message.changed",
            Some(&message.conversation_id),
            serde_json::json!({ "message_id": message_id }),
        );
        Ok(HiddenState {
            message_id: message_id.to_owned(),
            hidden,
        })
    }
}

/// A platform's refusal as the agent reads it (Meta's codes in Dutch).
fn platform_refused(outcome: SendOutcome) -> AppError {
    let (code, reason) = match outcome {
        SendOutcome::Failed { code, reason } => (code, reason),
        SendOutcome::Retry { reason, .. } | SendOutcome::Uncertain { reason } => ("retry".to_owned(), reason),
        SendOutcome::Accepted { .. } => ("accepted".to_owned(), String::new()),
    };
    let sentence = hubert_channels::meta::failure_sentence(&code)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("Het platform weigerde: {reason}"));
    AppError::Invalid("platform_refused", sentence)
}
