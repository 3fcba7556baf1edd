//! Facebook and Instagram as [`Channel`]s: the registry's entries for the Meta layer.
//! Both parse with our app id unknown (every echo comes back as a `from_us` message, which
//! ingest matches to the outbox by `mid`), send through [`MetaAction`]s, and answer a
//! comment privately once ([`PrivateReplies::OncePerComment`]): "answer privately" keeps
//! the comment as the reply's context and the send makes it a private reply
//! (`SendContext::private_reply`).

use std::collections::HashMap;

use hubert_core::Platform;

use super::{
    facebook, instagram, send_facebook, send_instagram, FacebookCredentials, InstagramCredentials, MetaAction,
    ParseOptions, INSTAGRAM_DM_MAX_BYTES, MESSENGER_MAX_CHARS, SIGNATURE_HEADER,
};
use crate::channel::{
    ApiHost, Channel, ChannelRules, ConversationFacts, CredentialsError, HandshakeError, HandshakeReply, LengthLimit,
    LengthUnit, MessagingWindow, PrivateReplies, ReplyRules, SafeChallenge, SendContext, GRAPH_HOST, INSTAGRAM_HOST,
};
use crate::{OutboundBody, OutboundMessage, ParseError, ParsedDelivery, ReplyContext, SendOutcome, VerifyError};

/// The longest Facebook comment (characters).
pub const FACEBOOK_COMMENT_MAX_CHARS: usize = 8000;
/// The longest Instagram comment (characters).
pub const INSTAGRAM_COMMENT_MAX_CHARS: usize = 2200;

/// Facebook: a Page's Messenger inbox and its post comments.
#[derive(Debug, Clone, Copy, Default)]
pub struct FacebookChannel;

/// Instagram: a professional account's DMs, comments and mentions.
#[derive(Debug, Clone, Copy, Default)]
pub struct InstagramChannel;

fn handshake_reply(query: &HashMap<String, String>, verify_token: &str) -> Result<HandshakeReply, HandshakeError> {
    super::verify_handshake(query, verify_token)
        .map(|body| HandshakeReply {
            content_type: "text/plain; charset=utf-8",
            body,
        })
        .ok_or_else(|| HandshakeError::Refused("the verify token does not match".into()))
}

fn invalid(e: super::CredentialsError) -> CredentialsError {
    CredentialsError::Invalid(e.0)
}

/// The action a reply becomes: a DM in a private conversation, a public reply under the
/// comment, or (once) a private reply to it.
fn action(ctx: &SendContext<'_>, msg: &OutboundMessage) -> Result<MetaAction, SendOutcome> {
    let text = match &msg.body {
        OutboundBody::Text(text) => text.clone(),
        OutboundBody::Template { .. } => {
            return Err(SendOutcome::Failed {
                code: "templates_unsupported".into(),
                reason: "Facebook and Instagram have no message templates".into(),
            })
        }
    };
    match &msg.context {
        ReplyContext::Private => Ok(MetaAction::Message {
            recipient_id: msg.to.clone(),
            text,
            reply_to_mid: msg.quote_message_id.clone(),
            last_customer_message_at: ctx.last_customer_message_at,
            now: ctx.now,
        }),
        ReplyContext::PublicComment { comment_id, .. } if ctx.private_reply => Ok(MetaAction::PrivateReply {
            comment_id: comment_id.clone(),
            text,
            comment_created_at: None,
            now: ctx.now,
        }),
        ReplyContext::PublicComment { comment_id, .. } => Ok(MetaAction::PublicReply {
            comment_id: comment_id.clone(),
            text,
        }),
        ReplyContext::PublicPost { .. } => Err(SendOutcome::Failed {
            code: "no_comment".into(),
            reason: "there is no comment to answer".into(),
        }),
    }
}

/// Meta's "answer privately": the comment itself, answered by a private reply.
fn comment_private_context(context: &ReplyContext) -> Option<ReplyContext> {
    matches!(context, ReplyContext::PublicComment { .. }).then(|| context.clone())
}

impl Channel for FacebookChannel {
    type Credentials = FacebookCredentials;

    fn platform(&self) -> Platform {
        Platform::Facebook
    }

    fn validate_credentials(&self, c: &FacebookCredentials) -> Result<String, CredentialsError> {
        c.validate().map_err(invalid)?;
        Ok(c.page_id.clone())
    }

    fn api_hosts(&self) -> &'static [ApiHost] {
        &[GRAPH_HOST]
    }

    fn challenge_param(&self) -> &'static str {
        "hub.challenge"
    }

    fn handshake(
        &self,
        creds: &FacebookCredentials,
        _challenge: SafeChallenge<'_>,
        query: &HashMap<String, String>,
    ) -> Result<HandshakeReply, HandshakeError> {
        handshake_reply(query, &creds.verify_token)
    }

    fn signature_headers(&self) -> &'static [&'static str] {
        &[SIGNATURE_HEADER]
    }

    fn verify_signature(&self, c: &FacebookCredentials, header: Option<&str>, raw: &[u8]) -> Result<(), VerifyError> {
        super::verify_signature(&c.app_secret, header, raw)
    }

    fn parse_delivery(&self, raw: &[u8]) -> Result<ParsedDelivery, ParseError> {
        facebook::parse_delivery_with(raw, &ParseOptions::default())
    }

    async fn send(&self, ctx: SendContext<'_>, creds: &FacebookCredentials, msg: &OutboundMessage) -> SendOutcome {
        match action(&ctx, msg) {
            Ok(action) => send_facebook(ctx.http, ctx.urls.get(GRAPH_HOST), creds, &action).await,
            Err(outcome) => outcome,
        }
    }

    async fn set_hidden(
        &self,
        ctx: SendContext<'_>,
        creds: &FacebookCredentials,
        comment_id: &str,
        hidden: bool,
    ) -> SendOutcome {
        let action = MetaAction::SetHidden {
            comment_id: comment_id.to_string(),
            hidden,
        };
        send_facebook(ctx.http, ctx.urls.get(GRAPH_HOST), creds, &action).await
    }

    fn rules(&self) -> ChannelRules {
        ChannelRules {
            public_limit: LengthLimit {
                max: FACEBOOK_COMMENT_MAX_CHARS,
                unit: LengthUnit::Chars,
            },
            private_limit: LengthLimit {
                max: MESSENGER_MAX_CHARS,
                unit: LengthUnit::Chars,
            },
            window: Some(MessagingWindow {
                length_ms: super::STANDARD_WINDOW_MS,
                human_agent_tag_ms: Some(super::HUMAN_AGENT_WINDOW_MS),
            }),
            templates: false,
            private_replies: PrivateReplies::OncePerComment,
        }
    }

    fn private_context(&self, context: &ReplyContext) -> Option<ReplyContext> {
        comment_private_context(context)
    }

    #[cfg(feature = "fake")]
    fn start_fake(&self) -> crate::channel::futures_boxed::BoxFuture<'static, Box<dyn crate::fake::FakePlatform>> {
        // Normally never called: WhatsApp's FakeGraph serves the Graph host and passes
        // Facebook's requests to its fake Page.
        Box::pin(async { Box::new(crate::fake::FakeGraph::start().await) as Box<dyn crate::fake::FakePlatform> })
    }
}

impl Channel for InstagramChannel {
    type Credentials = InstagramCredentials;

    fn platform(&self) -> Platform {
        Platform::Instagram
    }

    fn validate_credentials(&self, c: &InstagramCredentials) -> Result<String, CredentialsError> {
        c.validate().map_err(invalid)?;
        Ok(c.account_id.clone())
    }

    fn api_hosts(&self) -> &'static [ApiHost] {
        // With a `page_id` it sends through the Graph host (known to `ApiUrls` anyway).
        &[INSTAGRAM_HOST]
    }

    fn challenge_param(&self) -> &'static str {
        "hub.challenge"
    }

    fn handshake(
        &self,
        creds: &InstagramCredentials,
        _challenge: SafeChallenge<'_>,
        query: &HashMap<String, String>,
    ) -> Result<HandshakeReply, HandshakeError> {
        handshake_reply(query, &creds.verify_token)
    }

    fn signature_headers(&self) -> &'static [&'static str] {
        &[SIGNATURE_HEADER]
    }

    fn verify_signature(&self, c: &InstagramCredentials, header: Option<&str>, raw: &[u8]) -> Result<(), VerifyError> {
        super::verify_signature(&c.app_secret, header, raw)
    }

    fn parse_delivery(&self, raw: &[u8]) -> Result<ParsedDelivery, ParseError> {
        instagram::parse_delivery_with(raw, &ParseOptions::default())
    }

    async fn send(&self, ctx: SendContext<'_>, creds: &InstagramCredentials, msg: &OutboundMessage) -> SendOutcome {
        match action(&ctx, msg) {
            Ok(action) => {
                let (graph, instagram) = (ctx.urls.get(GRAPH_HOST), ctx.urls.get(INSTAGRAM_HOST));
                send_instagram(ctx.http, graph, instagram, creds, &action).await
            }
            Err(outcome) => outcome,
        }
    }

    async fn set_hidden(
        &self,
        ctx: SendContext<'_>,
        creds: &InstagramCredentials,
        comment_id: &str,
        hidden: bool,
    ) -> SendOutcome {
        let action = MetaAction::SetHidden {
            comment_id: comment_id.to_string(),
            hidden,
        };
        let (graph, instagram) = (ctx.urls.get(GRAPH_HOST), ctx.urls.get(INSTAGRAM_HOST));
        send_instagram(ctx.http, graph, instagram, creds, &action).await
    }

    fn rules(&self) -> ChannelRules {
        ChannelRules {
            public_limit: LengthLimit {
                max: INSTAGRAM_COMMENT_MAX_CHARS,
                unit: LengthUnit::Chars,
            },
            private_limit: LengthLimit {
                max: INSTAGRAM_DM_MAX_BYTES,
                unit: LengthUnit::Bytes,
            },
            window: Some(MessagingWindow::DAY),
            templates: false,
            private_replies: PrivateReplies::OncePerComment,
        }
    }

    /// Instagram takes a private reply to a comment only within 7 days (counted from the
    /// customer's last message, the newest comment).
    fn reply_rules(&self, facts: &ConversationFacts<'_>) -> ReplyRules {
        let mut rules = self.rules().for_conversation(facts);
        let too_old = facts
            .last_customer_message_at
            .is_some_and(|at| facts.now.saturating_sub(at) > super::PRIVATE_REPLY_WINDOW_MS);
        if rules.can_reply_privately && too_old {
            rules.can_reply_privately = false;
            rules.private_max_length = None;
            rules.private_length_unit = None;
        }
        rules
    }

    fn private_context(&self, context: &ReplyContext) -> Option<ReplyContext> {
        comment_private_context(context)
    }

    #[cfg(feature = "fake")]
    fn start_fake(&self) -> crate::channel::futures_boxed::BoxFuture<'static, Box<dyn crate::fake::FakePlatform>> {
        Box::pin(async {
            let fake = crate::fake::FakeMeta::instagram(crate::fake::meta_payload::IG_ACCOUNT_ID).await;
            Box::new(fake) as Box<dyn crate::fake::FakePlatform>
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::ApiUrls;

    fn ctx<'a>(http: &'a reqwest::Client, urls: &'a ApiUrls, private_reply: bool) -> SendContext<'a> {
        SendContext {
            http,
            urls,
            now: 10,
            last_customer_message_at: Some(5),
            private_reply,
        }
    }

    fn msg(context: ReplyContext) -> OutboundMessage {
        OutboundMessage {
            our_ref: "r".into(),
            to: "7".into(),
            body: OutboundBody::Text("Dag".into()),
            context,
            quote_message_id: None,
        }
    }

    #[test]
    fn a_reply_becomes_the_right_action() {
        let (http, urls) = (reqwest::Client::new(), ApiUrls::default());
        let comment = ReplyContext::PublicComment {
            post_id: "1_2".into(),
            comment_id: "2_3".into(),
            parent_id: None,
            post_text: None,
            post_link: None,
        };
        assert!(matches!(
            action(&ctx(&http, &urls, false), &msg(comment.clone())),
            Ok(MetaAction::PublicReply { .. })
        ));
        assert!(matches!(
            action(&ctx(&http, &urls, true), &msg(comment.clone())),
            Ok(MetaAction::PrivateReply { .. })
        ));
        assert!(matches!(
            action(&ctx(&http, &urls, false), &msg(ReplyContext::Private)),
            Ok(MetaAction::Message {
                last_customer_message_at: Some(5),
                now: 10,
                ..
            })
        ));
        let week = super::super::PRIVATE_REPLY_WINDOW_MS;
        let facts = |now| ConversationFacts {
            now,
            last_customer_message_at: Some(0),
            context: &comment,
            private_reply_used: false,
        };
        assert!(InstagramChannel.reply_rules(&facts(week)).can_reply_privately);
        assert!(!InstagramChannel.reply_rules(&facts(week + 1)).can_reply_privately);
        assert!(FacebookChannel.reply_rules(&facts(week + 1)).can_reply_privately);
        assert_eq!(FacebookChannel.private_context(&comment), Some(comment));
        assert_eq!(FacebookChannel.private_context(&ReplyContext::Private), None);
    }
}
