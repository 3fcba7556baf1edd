//! The agent's work on conversations: read the inbox and a thread, reply (with each
//! platform's rules checked before anything is stored), note, assign, resolve, mark
//! "no reply needed", and send an uncertain reply again after checking.

use hubert_channels::channel::{ConversationFacts, LengthUnit, PrivateReplies};
use hubert_channels::{DynChannel, ReplyContext, ReplyRules};
use hubert_core::{Platform, Role};
use hubert_store::{ConversationFilter, ConversationRow, MessageRow, NewReply};
use serde_json::json;

use crate::ingest::reply_context;

/// The longest internal note (characters).
pub const MAX_NOTE_CHARS: usize = 10_000;
/// The longest reply any platform takes (X DMs: 10,000 characters).
pub const MAX_REPLY_CHARS: usize = 10_000;
use crate::audit::AuditKind;
use crate::{App, AppError, Principal};

/// What an agent asks to send.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ReplyRequest {
    #[serde(default)]
    pub text: String,
    /// WhatsApp: an approved template name (required outside the 24-hour window).
    #[serde(default)]
    pub template: Option<String>,
    /// X: answer a public mention privately by DM.
    #[serde(default)]
    pub private: bool,
    /// The newest message id the agent saw (collision guard).
    #[serde(default)]
    pub seen_message_id: Option<String>,
    /// Send even though a colleague answered meanwhile.
    #[serde(default)]
    pub force: bool,
    /// Which of the customer's messages (comments) is answered; default their newest.
    #[serde(default)]
    pub reply_to_message_id: Option<String>,
    /// Facebook and Instagram, with `private`: a short public reply under the comment in
    /// the same action ("We hebben je een privébericht gestuurd").
    #[serde(default)]
    pub public_note: Option<String>,
}

/// A conversation with its thread.
pub struct ConversationDetail {
    pub conversation: ConversationRow,
    pub messages: Vec<MessageRow>,
    pub earlier: Vec<ConversationRow>,
    /// The channel's reply rules for this conversation now.
    pub reply_rules: ReplyRules,
    /// The attachments of the thread's messages.
    pub media: Vec<hubert_store::MediaRow>,
}

impl App {
    pub async fn list_conversations(
        &self,
        who: &Principal,
        filter: &ConversationFilter,
    ) -> Result<Vec<ConversationRow>, AppError> {
        who.require(Role::Agent)?;
        Ok(self.store.conversations(&who.workspace_id, filter).await?)
    }

    pub async fn conversation(&self, who: &Principal, id: &str) -> Result<ConversationDetail, AppError> {
        who.require(Role::Agent)?;
        if !hubert_core::ids::is_id(id) {
            return Err(AppError::NotFound);
        }
        let conversation = self
            .store
            .conversation(&who.workspace_id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let messages = self.store.messages(&who.workspace_id, id).await?;
        let ids: Vec<String> = messages.iter().map(|m| m.id.clone()).collect();
        let media = self.store.media_of_messages(&who.workspace_id, &ids).await?;
        let earlier = self
            .store
            .contact_conversations(&who.workspace_id, &conversation.contact_id)
            .await?
            .into_iter()
            .filter(|c| c.id != conversation.id)
            .collect();
        let reply_rules = reply_rules(&conversation, &messages, self.now());
        Ok(ConversationDetail {
            conversation,
            messages,
            earlier,
            reply_rules,
            media,
        })
    }

    /// Checks the platform's rules, then stores the reply and its delivery job in one
    /// transaction. The worker sends it; the agent sees "sending" at once.
    pub async fn reply(&self, who: &Principal, conversation_id: &str, req: &ReplyRequest) -> Result<String, AppError> {
        who.require(Role::Agent)?;
        let detail = self.conversation(who, conversation_id).await?;
        let conv = &detail.conversation;
        let platform = conv.platform;
        let text = req.text.trim();
        if text.chars().count() > MAX_REPLY_CHARS {
            return Err(AppError::TooLarge(
                "reply_too_long",
                format!("A reply may be at most {MAX_REPLY_CHARS} characters."),
            ));
        }
        let channel = hubert_channels::channel(platform).ok_or_else(|| {
            AppError::Invalid(
                "unsupported_platform",
                format!("Hubert cannot send on {} yet.", platform.label()),
            )
        })?;
        // The cached profile (the worker reads the same): disconnected profiles are not
        // found; this instance drops its copy at once on a disconnect.
        let profile = self
            .loaded_profile(&conv.profile_id)
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("profile {}: {e}", conv.profile_id)))?;
        if profile.is_none_or(|p| p.row.workspace_id != who.workspace_id) {
            return Err(AppError::Conflict(
                "profile_disconnected",
                "This profile is disconnected: no replies can be sent on it.".into(),
            ));
        }
        let (context, rules) = crate::comments::answered(&detail, req, self.now())?;
        let public_note = crate::comments::check_public_note(channel, req, &context)?;
        let (kind, body, metadata, context) = match &req.template {
            Some(name) => {
                let (body, metadata) = self
                    .template_reply(who, channel, &conv.profile_id, name, platform)
                    .await?;
                ("template", body, metadata, context)
            }
            None => {
                let (context, private_reply) = check_text_reply(channel, &rules, req, text, context, platform)?;
                (
                    "text",
                    text.to_owned(),
                    private_reply_metadata(private_reply, &context),
                    context,
                )
            }
        };
        let context_json = serde_json::to_string(&context).unwrap_or_else(|_| "{}".into());
        let metadata = metadata.to_string();
        let profile = self
            .store
            .profile(&who.workspace_id, &conv.profile_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let clock = self.profile_clock(&profile).await?;
        let reply = NewReply {
            kind,
            text: &body,
            metadata: &metadata,
            reply_context: &context_json,
            seen_message_id: req.seen_message_id.as_deref(),
            force: req.force,
            clock: Some(&clock),
        };
        let id = self.store_reply(who, conversation_id, &reply).await?;
        if let Some(note) = public_note {
            let note = NewReply {
                kind: "text",
                text: &note,
                metadata: "{}",
                reply_context: &context_json,
                seen_message_id: None,
                force: true,
                clock: Some(&clock),
            };
            self.store_reply(who, conversation_id, &note).await?;
        }
        Ok(id)
    }

    /// Stores one reply with its delivery job, audits it and tells the worker and pages.
    async fn store_reply(
        &self,
        who: &Principal,
        conversation_id: &str,
        reply: &NewReply<'_>,
    ) -> Result<String, AppError> {
        let author = who.user_id.clone().unwrap_or_else(|| who.actor_id.clone());
        let outcome = self
            .store
            .reply(&who.workspace_id, conversation_id, &author, reply, self.now())
            .await?;
        self.store
            .audit(
                &who.workspace_id,
                &who.actor_id,
                AuditKind::Reply.as_str(),
                &outcome.message_id,
                self.now(),
            )
            .await?;
        self.worker_wakeup.notify_one();
        self.bus.publish(
            &who.workspace_id,
            "message.created",
            Some(conversation_id),
            json!({ "message_id": outcome.message_id, "direction": "out", "author_id": author }),
        );
        Ok(outcome.message_id)
    }

    /// An approved template for a channel that has them.
    async fn template_reply(
        &self,
        who: &Principal,
        channel: &dyn DynChannel,
        profile_id: &str,
        name: &str,
        platform: Platform,
    ) -> Result<(String, serde_json::Value), AppError> {
        if !channel.rules().templates {
            return Err(AppError::Invalid(
                "templates_unsupported",
                format!("{} has no message templates.", platform.label()),
            ));
        }
        let templates = self.store.templates(&who.workspace_id, profile_id).await?;
        let t = templates.iter().find(|t| t.name == name).ok_or_else(|| {
            AppError::Invalid(
                "unknown_template",
                format!("There is no approved template called {name}."),
            )
        })?;
        Ok((t.body.clone(), json!({ "template": t.name, "language": t.language })))
    }

    pub async fn add_note(&self, who: &Principal, conversation_id: &str, text: &str) -> Result<String, AppError> {
        who.require(Role::Agent)?;
        let text = text.trim();
        if text.is_empty() {
            return Err(AppError::Invalid("empty_note", "Write a note first.".into()));
        }
        if text.chars().count() > MAX_NOTE_CHARS {
            return Err(AppError::TooLarge(
                "note_too_long",
                format!("A note may be at most {MAX_NOTE_CHARS} characters."),
            ));
        }
        let author = who.user_id.clone().unwrap_or_else(|| who.actor_id.clone());
        let id = self
            .store
            .add_note(&who.workspace_id, conversation_id, &author, text, self.now())
            .await?;
        self.bus.publish(
            &who.workspace_id,
            "message.created",
            Some(conversation_id),
            json!({ "message_id": id, "direction": "note" }),
        );
        Ok(id)
    }

    pub async fn assign(&self, who: &Principal, conversation_id: &str, assignee: Option<&str>) -> Result<(), AppError> {
        who.require(Role::Agent)?;
        self.store
            .assign(&who.workspace_id, conversation_id, assignee, self.now())
            .await?;
        self.changed(who, conversation_id, AuditKind::Assign).await
    }

    pub async fn resolve(&self, who: &Principal, conversation_id: &str) -> Result<(), AppError> {
        who.require(Role::Agent)?;
        self.store
            .resolve(&who.workspace_id, conversation_id, self.now())
            .await?;
        self.changed(who, conversation_id, AuditKind::Resolve).await
    }

    pub async fn no_reply_needed(&self, who: &Principal, conversation_id: &str) -> Result<(), AppError> {
        who.require(Role::Agent)?;
        self.store
            .no_reply_needed(&who.workspace_id, conversation_id, self.now())
            .await?;
        self.changed(who, conversation_id, AuditKind::NoReplyNeeded).await
    }

    /// Sends an `unknown` (or `failed`) reply again after the agent checked the platform.
    pub async fn resend(&self, who: &Principal, message_id: &str) -> Result<(), AppError> {
        who.require(Role::Agent)?;
        let m = self
            .store
            .message(&who.workspace_id, message_id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.store.resend(&who.workspace_id, message_id, self.now()).await?;
        self.worker_wakeup.notify_one();
        self.changed(who, &m.conversation_id, AuditKind::Resend).await
    }

    async fn changed(&self, who: &Principal, conversation_id: &str, kind: AuditKind) -> Result<(), AppError> {
        let action = kind.as_str();
        self.store
            .audit(&who.workspace_id, &who.actor_id, action, conversation_id, self.now())
            .await?;
        self.bus.publish(
            &who.workspace_id,
            "conversation.updated",
            Some(conversation_id),
            json!({ "action": action }),
        );
        Ok(())
    }

    /// Records that `who` is viewing (and maybe typing in) a conversation of their
    /// workspace, and tells the others.
    pub async fn presence_beat(
        &self,
        who: &Principal,
        conversation_id: &str,
        typing: bool,
    ) -> Result<Vec<crate::presence::Viewer>, AppError> {
        who.require(Role::Agent)?;
        self.existing_conversation(who, conversation_id).await?;
        let user = who.user_id.clone().unwrap_or_else(|| who.actor_id.clone());
        let viewers = self
            .presence
            .beat(&who.workspace_id, conversation_id, &user, &who.name, typing, self.now());
        self.bus.publish(
            &who.workspace_id,
            "presence",
            Some(conversation_id),
            json!({ "viewers": viewers }),
        );
        Ok(viewers)
    }

    pub async fn presence_leave(&self, who: &Principal, conversation_id: &str) -> Result<(), AppError> {
        self.existing_conversation(who, conversation_id).await?;
        let user = who.user_id.clone().unwrap_or_else(|| who.actor_id.clone());
        let viewers = self
            .presence
            .leave(&who.workspace_id, conversation_id, &user, self.now());
        self.bus.publish(
            &who.workspace_id,
            "presence",
            Some(conversation_id),
            json!({ "viewers": viewers }),
        );
        Ok(())
    }

    /// 404 unless `conversation_id` is a well-formed id of a conversation in the caller's
    /// workspace.
    async fn existing_conversation(&self, who: &Principal, conversation_id: &str) -> Result<(), AppError> {
        if !hubert_core::ids::is_id(conversation_id) {
            return Err(AppError::NotFound);
        }
        match self.store.conversation(&who.workspace_id, conversation_id).await? {
            Some(_) => Ok(()),
            None => Err(AppError::NotFound),
        }
    }
}

/// Checks a free-text reply against the conversation's rules; returns where it goes
/// ("answer privately" moves it to the channel's private context when allowed).
fn check_text_reply(
    channel: &dyn DynChannel,
    rules: &ReplyRules,
    req: &ReplyRequest,
    text: &str,
    mut context: ReplyContext,
    platform: Platform,
) -> Result<(ReplyContext, bool), AppError> {
    if text.is_empty() {
        return Err(AppError::Invalid("empty_reply", "Write a reply first.".into()));
    }
    if rules.templates_required {
        return Err(AppError::Invalid(
            "window_closed",
            "More than 24 hours have passed since the customer's last message: only an approved template may be sent."
                .into(),
        ));
    }
    if !rules.window_open {
        return Err(AppError::Invalid(
            "window_closed",
            "The platform's messaging window for this conversation has closed.".into(),
        ));
    }
    let once_per_comment = channel.rules().private_replies == PrivateReplies::OncePerComment;
    let mut private_reply = false;
    if req.private && once_per_comment && !rules.can_reply_privately {
        return Err(AppError::Invalid(
            "private_reply_used",
            "This comment was answered privately already; a comment takes one private reply.".into(),
        ));
    }
    if req.private && rules.can_reply_privately {
        context = channel.private_context(&context).ok_or_else(|| {
            AppError::Invalid(
                "private_unavailable",
                format!("{} cannot answer this message privately.", platform.label()),
            )
        })?;
        private_reply = once_per_comment;
    }
    let limit = match private_reply {
        true => channel.rules().private_limit,
        false => channel.rules().limit_for(&context),
    };
    let len = limit.unit.measure(text);
    if len > limit.max {
        return Err(AppError::Invalid(
            "too_long",
            format!(
                "This reply is {len} characters; {} allows at most {}.",
                platform.label(),
                limit.max
            ),
        ));
    }
    Ok((context, private_reply))
}

/// The metadata of a private reply to a comment (`private_reply_used` reads it back).
fn private_reply_metadata(private_reply: bool, context: &ReplyContext) -> serde_json::Value {
    match context {
        ReplyContext::PublicComment { comment_id, .. } if private_reply => {
            json!({ "private_reply": true, "comment_id": comment_id })
        }
        _ => json!({}),
    }
}

/// Whether the comment `context` answers was answered privately already (an outbound
/// message with `"private_reply": true` for that comment, or without a comment id).
fn private_reply_used(messages: &[MessageRow], context: &ReplyContext) -> bool {
    let comment = match context {
        ReplyContext::PublicComment { comment_id, .. } => Some(comment_id.as_str()),
        _ => None,
    };
    messages.iter().any(|m| {
        m.direction == hubert_core::Direction::Out
            && serde_json::from_str::<serde_json::Value>(&m.metadata).is_ok_and(|v| {
                v.get("private_reply").and_then(serde_json::Value::as_bool) == Some(true)
                    && v.get("comment_id")
                        .and_then(serde_json::Value::as_str)
                        .is_none_or(|id| Some(id) == comment)
            })
    })
}

/// The channel's reply rules for `c` at `now`. A platform without a channel (none can
/// be connected) gets permissive rules; replying there is refused anyway.
pub fn reply_rules(c: &ConversationRow, messages: &[MessageRow], now: i64) -> ReplyRules {
    rules_for(c, messages, &reply_context(&c.reply_context), now)
}

/// [`reply_rules`] for a reply going to `context` (one of the customer's comments).
pub fn rules_for(c: &ConversationRow, messages: &[MessageRow], context: &ReplyContext, now: i64) -> ReplyRules {
    let context = context.clone();
    let private_reply_used = private_reply_used(messages, &context);
    let facts = ConversationFacts {
        now,
        last_customer_message_at: c.last_customer_message_at,
        context: &context,
        private_reply_used,
    };
    match hubert_channels::channel(c.platform) {
        Some(channel) => channel.reply_rules(&facts),
        None => ReplyRules {
            max_length: MAX_REPLY_CHARS,
            length_unit: LengthUnit::Chars,
            window_open: true,
            window_closes_at: None,
            templates_required: false,
            can_reply_privately: false,
            private_reply_used,
            human_agent_tag_until: None,
            private_max_length: None,
            private_length_unit: None,
        },
    }
}
