//! The small vocabularies of conversations and messages as the store keeps them:
//! [`Direction`] of a message, [`ConversationStatus`] and [`DeliveryStatus`]. Decoded from their text columns
//! with `TryFrom<String>` (`#[sqlx(try_from = "String")]`), written with `as_str`.

use serde::{Deserialize, Serialize};

/// A value a text column should not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
}

impl std::fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} {:?}", self.what, self.value)
    }
}

impl std::error::Error for UnknownValue {}

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = UnknownValue;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value).ok_or(UnknownValue { what: $what, value })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

text_enum!(
    /// Who wrote a message: the customer (`in`), us (`out`), or a colleague's internal note.
    Direction, "direction", { In => "in", Out => "out", Note => "note" }
);

text_enum!(
    /// Where a conversation stands: waiting for us, answered and waiting for the
    /// customer, or done.
    ConversationStatus, "conversation status", { Open => "open", Pending => "pending", Resolved => "resolved" }
);

/// How far an outbound message got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Queued,
    Sending,
    Sent,
    Delivered,
    Read,
    Failed,
    Unknown,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 7] = [
        DeliveryStatus::Queued,
        DeliveryStatus::Sending,
        DeliveryStatus::Sent,
        DeliveryStatus::Delivered,
        DeliveryStatus::Read,
        DeliveryStatus::Failed,
        DeliveryStatus::Unknown,
    ];

    /// Order of progress: queued < sending < sent < delivered < read < failed.
    /// `Unknown` ranks lowest so it never overwrites anything.
    pub fn rank(self) -> u8 {
        match self {
            DeliveryStatus::Unknown => 0,
            DeliveryStatus::Queued => 1,
            DeliveryStatus::Sending => 2,
            DeliveryStatus::Sent => 3,
            DeliveryStatus::Delivered => 4,
            DeliveryStatus::Read => 5,
            DeliveryStatus::Failed => 6,
        }
    }

    /// Nothing moves a message out of this state.
    pub fn is_terminal(self) -> bool {
        self == DeliveryStatus::Failed
    }

    /// Statuses only move forward: true when `next` is progress over `self`.
    pub fn can_advance_to(self, next: DeliveryStatus) -> bool {
        !self.is_terminal() && next.rank() > self.rank()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Queued => "queued",
            DeliveryStatus::Sending => "sending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Read => "read",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Unknown => "unknown",
        }
    }

    /// Our names plus WhatsApp's `played` (a voice note was listened to: counts as read).
    /// Anything else is `Unknown`.
    pub fn parse(s: &str) -> Self {
        match s {
            "played" => DeliveryStatus::Read,
            other => Self::ALL
                .into_iter()
                .find(|d| d.as_str() == other)
                .unwrap_or(DeliveryStatus::Unknown),
        }
    }
}

impl TryFrom<String> for DeliveryStatus {
    type Error = UnknownValue;

    /// Strict: only our own names (the store's column), unlike [`DeliveryStatus::parse`].
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::ALL.into_iter().find(|d| d.as_str() == value).ok_or(UnknownValue {
            what: "delivery status",
            value,
        })
    }
}

impl PartialEq<&str> for DeliveryStatus {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_strangers_are_refused() {
        for d in Direction::ALL {
            assert_eq!(Direction::try_from(d.as_str().to_owned()), Ok(*d));
            assert_eq!(serde_json::to_string(d).unwrap(), format!("\"{d}\""));
        }
        for s in ConversationStatus::ALL {
            assert_eq!(ConversationStatus::parse(s.as_str()), Some(*s));
        }
        assert!(Direction::try_from("sideways".to_owned()).is_err());
        assert!(ConversationStatus::parse("closed").is_none());
    }
}
