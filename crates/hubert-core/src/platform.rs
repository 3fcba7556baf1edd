//! Platforms ("kanalen") and roles.

use serde::{Deserialize, Serialize};

use crate::sla::ServiceLevel;

/// A messaging platform a profile ("webcareprofiel") is connected to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Whatsapp,
    X,
    Facebook,
    Instagram,
    Linkedin,
    Telegram,
    Email,
}

impl Platform {
    pub const ALL: [Platform; 7] = [
        Platform::Whatsapp,
        Platform::X,
        Platform::Facebook,
        Platform::Instagram,
        Platform::Linkedin,
        Platform::Telegram,
        Platform::Email,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Whatsapp => "whatsapp",
            Platform::X => "x",
            Platform::Facebook => "facebook",
            Platform::Instagram => "instagram",
            Platform::Linkedin => "linkedin",
            Platform::Telegram => "telegram",
            Platform::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Human name for the UI.
    pub fn label(self) -> &'static str {
        match self {
            Platform::Whatsapp => "WhatsApp",
            Platform::X => "X",
            Platform::Facebook => "Facebook",
            Platform::Instagram => "Instagram",
            Platform::Linkedin => "LinkedIn",
            Platform::Telegram => "Telegram",
            Platform::Email => "E-mail",
        }
    }

    /// The norm a new profile gets unless the team sets its own: WhatsApp 15 min,
    /// e-mail 8 h, the social networks 30 min; 95% everywhere.
    pub fn default_service_level(self) -> ServiceLevel {
        let minutes = match self {
            Platform::Whatsapp => 15,
            Platform::Email => 8 * 60,
            Platform::Telegram => 15,
            _ => 30,
        };
        ServiceLevel {
            threshold_minutes: minutes,
            target_percent: 95.0,
        }
    }
}

/// A platform name Hubert does not know (a row written by a newer version, or corrupt).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPlatform(pub String);

impl std::fmt::Display for UnknownPlatform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown platform {:?}", self.0)
    }
}

impl std::error::Error for UnknownPlatform {}

/// How the store decodes a `platform` column (`#[sqlx(try_from = "String")]`).
impl TryFrom<String> for Platform {
    type Error = UnknownPlatform;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        Platform::parse(&name).ok_or(UnknownPlatform(name))
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a user may do. Ordered: an admin can do all a lead can, a lead all an agent can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Agent,
    Lead,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Lead => "lead",
            Role::Admin => "admin",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "agent" => Some(Role::Agent),
            "lead" => Some(Role::Lead),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_brief() {
        assert_eq!(Platform::Whatsapp.default_service_level().threshold_minutes, 15);
        assert_eq!(Platform::X.default_service_level().threshold_minutes, 30);
        assert_eq!(Platform::Email.default_service_level().threshold_minutes, 480);
        for p in Platform::ALL {
            assert_eq!(Platform::parse(p.as_str()), Some(p));
        }
    }
}
