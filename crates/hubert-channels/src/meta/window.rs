//! The Messenger/Instagram messaging window as a pure function of (the customer's last
//! message, now): a plain `RESPONSE` within 24 h, the `HUMAN_AGENT` tag up to 7 days
//! (a human is answering), closed after that. channels.md §3(e), §4(e).

use serde::Serialize;

/// 24 hours: the standard messaging window.
pub const STANDARD_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;
/// 7 days: how long a human agent may answer with the `HUMAN_AGENT` tag.
pub const HUMAN_AGENT_WINDOW_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// Whether and how we may send a private message now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum MessagingWindow {
    /// Within 24 h: `messaging_type: RESPONSE`, until `closes_at` (epoch ms).
    Open { closes_at: i64 },
    /// Between 24 h and 7 days: `MESSAGE_TAG` + `tag: HUMAN_AGENT`, until `until`.
    HumanAgent { until: i64 },
    /// More than 7 days (or the customer never wrote): no private message possible.
    Closed,
}

impl MessagingWindow {
    /// True unless closed.
    pub fn can_send(self) -> bool {
        self != MessagingWindow::Closed
    }
}

/// The window for a customer whose last message was at `last_customer_message_ms`
/// (epoch ms), at `now_ms`. A last message "in the future" (clock skew) counts as now.
pub fn messaging_window(last_customer_message_ms: Option<i64>, now_ms: i64) -> MessagingWindow {
    let Some(last) = last_customer_message_ms else {
        return MessagingWindow::Closed;
    };
    let elapsed = now_ms.saturating_sub(last).max(0);
    if elapsed <= STANDARD_WINDOW_MS {
        MessagingWindow::Open {
            closes_at: last.saturating_add(STANDARD_WINDOW_MS),
        }
    } else if elapsed <= HUMAN_AGENT_WINDOW_MS {
        MessagingWindow::HumanAgent {
            until: last.saturating_add(HUMAN_AGENT_WINDOW_MS),
        }
    } else {
        MessagingWindow::Closed
    }
}

/// Whether a private reply to a comment made at `comment_at` may still be sent at
/// `now`: once per comment (`already_used`), and on Instagram within 7 days of the
/// comment (for Facebook Meta documents no limit; the platform's answer decides).
pub fn private_reply_allowed(instagram: bool, comment_at: i64, now: i64, already_used: bool) -> bool {
    !already_used && (!instagram || now.saturating_sub(comment_at) <= super::PRIVATE_REPLY_WINDOW_MS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HOUR: i64 = 60 * 60 * 1000;
    const T: i64 = 1_767_261_600_000;

    #[test]
    fn boundaries() {
        assert_eq!(messaging_window(None, T), MessagingWindow::Closed);
        assert_eq!(
            messaging_window(Some(T), T),
            MessagingWindow::Open {
                closes_at: T + 24 * HOUR
            }
        );
        assert_eq!(
            messaging_window(Some(T), T + 24 * HOUR),
            MessagingWindow::Open {
                closes_at: T + 24 * HOUR
            }
        );
        assert_eq!(
            messaging_window(Some(T), T + 24 * HOUR + 1),
            MessagingWindow::HumanAgent {
                until: T + 7 * 24 * HOUR
            }
        );
        assert_eq!(
            messaging_window(Some(T), T + 7 * 24 * HOUR),
            MessagingWindow::HumanAgent {
                until: T + 7 * 24 * HOUR
            }
        );
        assert_eq!(
            messaging_window(Some(T), T + 7 * 24 * HOUR + 1),
            MessagingWindow::Closed
        );
        assert!(messaging_window(Some(T + HOUR), T).can_send());
    }

    #[test]
    fn private_replies_once_and_on_instagram_within_7_days() {
        let week = 7 * 24 * HOUR;
        assert!(private_reply_allowed(true, T, T + week, false));
        assert!(!private_reply_allowed(true, T, T + week + 1, false));
        assert!(private_reply_allowed(false, T, T + 30 * week, false));
        assert!(!private_reply_allowed(false, T, T, true));
    }

    proptest! {
        #[test]
        fn never_panics_and_later_is_never_more_open(last in any::<i64>(), now in any::<i64>(), step in 0i64..1_000_000_000) {
            let rank = |w: MessagingWindow| match w { MessagingWindow::Open { .. } => 2, MessagingWindow::HumanAgent { .. } => 1, MessagingWindow::Closed => 0 };
            let a = messaging_window(Some(last), now);
            let b = messaging_window(Some(last), now.saturating_add(step));
            prop_assert!(rank(b) <= rank(a));
        }
    }
}
