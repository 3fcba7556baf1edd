//! The agent's work on conversations: read the inbox and a thread, reply (with each
//! platform's rules checked before anything is stored), note, assign, resolve, mark
//! "no reply needed", and send an uncertain reply again after checking.

use hubert_channels::ReplyContext;
use hubert_core::time::HOUR;
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

/// WhatsApp's customer service window.
pub const WHATSAPP_WINDOW_MS: i64 = 24 * HOUR;

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
}

/// A conversation with its thread.
pub struct ConversationDetail {
    pub conversation: ConversationRow,
    pub messages: Vec<MessageRow>,
    pub earlier: Vec<ConversationRow>,
    pub window_open: bool,
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
        let window_open = whatsapp_window_open(&conversation, self.now());
        Ok(ConversationDetail {
            conversation,
            messages,
            earlier,
            window_open,
            media,
        })
    }

    /// Checks the platform's rules, then stores the reply and its delivery job in one
    /// transaction. The worker sends it; the agent sees "sending" at once.
    pub async fn reply(&self, who: &Principal, conversation_id: &str, req: &ReplyRequest) -> Result<String, AppError> {
        who.require(Role::Agent)?;
        let detail = self.conversation(who, conversation_id).await?;
        let conv = &detail.conversation;
        let platform = Platform::parse(&conv.platform).ok_or(AppError::NotFound)?;
        let text = req.text.trim();
        if text.chars().count() > MAX_REPLY_CHARS {
            return Err(AppError::TooLarge(
                "reply_too_long",
                format!("A reply may be at most {MAX_REPLY_CHARS} characters."),
            ));
        }
        let mut context = reply_context(&conv.reply_context);
        let (kind, body, metadata) = match (&req.template, platform) {
            (Some(name), Platform::Whatsapp) => {
                let templates = self.store.templates(&who.workspace_id, &conv.profile_id).await?;
                let t = templates.iter().find(|t| &t.name == name).ok_or_else(|| {
                    AppError::Invalid(
                        "unknown_template",
                        format!("There is no approved template called {name}."),
                    )
                })?;
                (
                    "template",
                    t.body.clone(),
                    json!({ "template": t.name, "language": t.language }),
                )
            }
            (Some(_), _) => {
                return Err(AppError::Invalid(
                    "templates_unsupported",
                    "Templates exist only on WhatsApp.".into(),
                ))
            }
            (None, _) => {
                if text.is_empty() {
                    return Err(AppError::Invalid("empty_reply", "Write a reply first.".into()));
                }
                if platform == Platform::Whatsapp && !detail.window_open {
                    return Err(AppError::Invalid(
                        "window_closed",
                        "More than 24 hours have passed since the customer's last message: only an approved template may be sent.".into(),
                    ));
                }
                if platform == Platform::X && req.private {
                    context = ReplyContext::Private;
                }
                let public = matches!(context, ReplyContext::PublicPost { .. });
                let len = hubert_core::text::reply_len(platform, text);
                let max = if platform == Platform::X && !public {
                    10_000
                } else {
                    platform.max_reply_len()
                };
                if len > max {
                    return Err(AppError::Invalid(
                        "too_long",
                        format!(
                            "This reply is {len} characters; {} allows at most {max}.",
                            platform.label()
                        ),
                    ));
                }
                ("text", text.to_owned(), json!({}))
            }
        };
        let author = who.user_id.clone().unwrap_or_else(|| who.actor_id.clone());
        let context_json = serde_json::to_string(&context).unwrap_or_else(|_| "{}".into());
        let metadata = metadata.to_string();
        let outcome = self
            .store
            .reply(
                &who.workspace_id,
                conversation_id,
                &author,
                &NewReply {
                    kind,
                    text: &body,
                    metadata: &metadata,
                    reply_context: &context_json,
                    seen_message_id: req.seen_message_id.as_deref(),
                    force: req.force,
                },
                self.now(),
            )
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

/// WhatsApp allows free text only within 24 hours of the customer's last message.
pub fn whatsapp_window_open(c: &ConversationRow, now: i64) -> bool {
    if c.platform != Platform::Whatsapp.as_str() {
        return true;
    }
    c.last_customer_message_at.is_some_and(|t| now - t < WHATSAPP_WINDOW_MS)
}
