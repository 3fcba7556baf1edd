//! Reply rules: what a channel allows (declared once as [`ChannelRules`]) and what that
//! means for one conversation now ([`ReplyRules`], shown by the composer and checked by
//! the reply use case from the same source).

use hubert_core::time::DAY;
use serde::{Deserialize, Serialize};

use crate::ReplyContext;

/// How a channel counts a reply's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LengthUnit {
    /// Unicode scalar values.
    Chars,
    /// X's weighted length (`hubert_core::text::x_weighted_len`).
    Weighted,
    /// UTF-8 bytes (Instagram DMs).
    Bytes,
}

impl LengthUnit {
    /// The length of `text` in this unit.
    pub fn measure(self, text: &str) -> usize {
        match self {
            LengthUnit::Chars => text.chars().count(),
            LengthUnit::Weighted => hubert_core::text::x_weighted_len(text),
            LengthUnit::Bytes => text.len(),
        }
    }
}

/// A maximum length and how it is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LengthLimit {
    pub max: usize,
    pub unit: LengthUnit,
}

/// A customer-service window: free-form replies only within `length_ms` of the
/// customer's last message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessagingWindow {
    pub length_ms: i64,
    /// Messenger: after the window, a human agent may still answer (with the
    /// `HUMAN_AGENT` tag) until this long after the customer's last message.
    pub human_agent_tag_ms: Option<i64>,
}

impl MessagingWindow {
    /// The usual 24 hours, no tag.
    pub const DAY: MessagingWindow = MessagingWindow {
        length_ms: DAY,
        human_agent_tag_ms: None,
    };
}

/// Whether and how a public message can be answered privately.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivateReplies {
    /// No private alternative (or everything is private already).
    None,
    /// A public post can be answered by direct message, any number of times (X).
    DirectMessage,
    /// One private reply per comment (Facebook, Instagram).
    OncePerComment,
}

/// What a channel allows, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelRules {
    /// Replies under a public post or comment.
    pub public_limit: LengthLimit,
    /// Direct and private messages.
    pub private_limit: LengthLimit,
    /// `None`: free-form replies are always allowed.
    pub window: Option<MessagingWindow>,
    /// The channel has approved templates, required outside the window.
    pub templates: bool,
    pub private_replies: PrivateReplies,
}

/// What the app knows about a conversation when it asks for its rules.
#[derive(Debug, Clone, Copy)]
pub struct ConversationFacts<'a> {
    pub now: i64,
    /// When the customer last wrote (epoch ms).
    pub last_customer_message_at: Option<i64>,
    /// Where a plain reply goes.
    pub context: &'a ReplyContext,
    /// The one private reply to this comment was sent already.
    pub private_reply_used: bool,
}

/// The rules of one conversation now: served as `reply_rules` in the conversation
/// detail and enforced by the reply use case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplyRules {
    /// Longest plain reply in the conversation's own context.
    pub max_length: usize,
    pub length_unit: LengthUnit,
    pub window_open: bool,
    /// When the window closes (epoch ms); `None` without a window or without a customer message.
    pub window_closes_at: Option<i64>,
    /// Only an approved template may be sent now.
    pub templates_required: bool,
    /// "Answer privately" is possible now.
    pub can_reply_privately: bool,
    pub private_reply_used: bool,
    /// Messenger: the `HUMAN_AGENT` tag keeps the conversation answerable until then.
    pub human_agent_tag_until: Option<i64>,
    /// Longest private reply, when one is possible.
    pub private_max_length: Option<usize>,
    pub private_length_unit: Option<LengthUnit>,
}

impl ChannelRules {
    /// The limit for a reply going to `context`.
    pub fn limit_for(&self, context: &ReplyContext) -> LengthLimit {
        match context {
            ReplyContext::PublicPost { .. } | ReplyContext::PublicComment { .. } => self.public_limit,
            ReplyContext::Private => self.private_limit,
        }
    }

    /// The rules of one conversation (see [`ConversationFacts`]).
    pub fn for_conversation(&self, facts: &ConversationFacts<'_>) -> ReplyRules {
        let limit = self.limit_for(facts.context);
        // The window governs private messages; a public comment can always be answered.
        let window = self.window.filter(|_| matches!(facts.context, ReplyContext::Private));
        let (window_open, window_closes_at, human_agent_tag_until) = match window {
            None => (true, None, None),
            Some(w) => match facts.last_customer_message_at {
                None => (false, None, None),
                Some(last) => {
                    let closes = last + w.length_ms;
                    let tag_until = w.human_agent_tag_ms.map(|tag| last + tag);
                    let open = facts.now < closes || tag_until.is_some_and(|t| facts.now < t);
                    (open, Some(closes), tag_until)
                }
            },
        };
        let public = !matches!(facts.context, ReplyContext::Private);
        let can_reply_privately = public
            && match self.private_replies {
                PrivateReplies::None => false,
                PrivateReplies::DirectMessage => true,
                PrivateReplies::OncePerComment => !facts.private_reply_used,
            };
        ReplyRules {
            max_length: limit.max,
            length_unit: limit.unit,
            window_open,
            window_closes_at,
            templates_required: self.templates && !window_open,
            can_reply_privately,
            private_reply_used: facts.private_reply_used,
            human_agent_tag_until,
            private_max_length: can_reply_privately.then_some(self.private_limit.max),
            private_length_unit: can_reply_privately.then_some(self.private_limit.unit),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hubert_core::time::HOUR;

    const CHARS_4096: LengthLimit = LengthLimit {
        max: 4096,
        unit: LengthUnit::Chars,
    };

    fn rules(window: Option<MessagingWindow>, private_replies: PrivateReplies) -> ChannelRules {
        ChannelRules {
            public_limit: LengthLimit {
                max: 280,
                unit: LengthUnit::Weighted,
            },
            private_limit: CHARS_4096,
            window,
            templates: window.is_some(),
            private_replies,
        }
    }

    fn facts(now: i64, last: Option<i64>, context: &ReplyContext) -> ConversationFacts<'_> {
        ConversationFacts {
            now,
            last_customer_message_at: last,
            context,
            private_reply_used: false,
        }
    }

    #[test]
    fn a_window_closes_a_day_after_the_customer_and_then_wants_templates() {
        let r = rules(Some(MessagingWindow::DAY), PrivateReplies::None);
        let open = r.for_conversation(&facts(10 * HOUR, Some(0), &ReplyContext::Private));
        assert!(open.window_open && !open.templates_required);
        assert_eq!(open.window_closes_at, Some(DAY));
        assert_eq!((open.max_length, open.length_unit), (4096, LengthUnit::Chars));
        let closed = r.for_conversation(&facts(DAY, Some(0), &ReplyContext::Private));
        assert!(!closed.window_open && closed.templates_required);
        let never = r.for_conversation(&facts(0, None, &ReplyContext::Private));
        assert!(!never.window_open && never.window_closes_at.is_none());
    }

    #[test]
    fn the_human_agent_tag_keeps_a_window_open_for_a_week() {
        let mut r = rules(None, PrivateReplies::None);
        r.window = Some(MessagingWindow {
            length_ms: DAY,
            human_agent_tag_ms: Some(7 * DAY),
        });
        let tagged = r.for_conversation(&facts(3 * DAY, Some(0), &ReplyContext::Private));
        assert!(tagged.window_open);
        assert_eq!(tagged.human_agent_tag_until, Some(7 * DAY));
        assert!(
            !r.for_conversation(&facts(7 * DAY, Some(0), &ReplyContext::Private))
                .window_open
        );
    }

    #[test]
    fn private_replies_depend_on_the_context_and_on_use() {
        let post = ReplyContext::PublicPost { post_id: "1".into() };
        let dm = rules(None, PrivateReplies::DirectMessage).for_conversation(&facts(0, None, &post));
        assert!(dm.window_open && dm.can_reply_privately);
        assert_eq!((dm.max_length, dm.length_unit), (280, LengthUnit::Weighted));
        assert_eq!(dm.private_max_length, Some(4096));
        let once = rules(None, PrivateReplies::OncePerComment);
        let mut used = facts(0, None, &post);
        used.private_reply_used = true;
        assert!(!once.for_conversation(&used).can_reply_privately);
        assert!(once.for_conversation(&facts(0, None, &post)).can_reply_privately);
        assert!(
            !once
                .for_conversation(&facts(0, None, &ReplyContext::Private))
                .can_reply_privately
        );
    }

    #[test]
    fn units_measure_their_way() {
        assert_eq!(LengthUnit::Chars.measure("één"), 3);
        assert_eq!(LengthUnit::Bytes.measure("één"), 5);
        assert_eq!(LengthUnit::Weighted.measure("😀"), 2);
    }
}
