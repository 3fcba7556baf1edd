//! Hubert's platform adapters. Each platform module offers the same moves: verify a
//! webhook delivery on its raw bytes, parse it into [`InboundEvent`]s, and send an
//! [`OutboundMessage`] mapping the answer to a [`SendOutcome`]; and each declares itself
//! to the rest of Hubert through the [`Channel`] trait and the registry in [`channel`]
//! (credentials, handshake, signature, parser, send, reply rules, fake). The optional
//! `fake` module (cargo feature `fake`) runs local servers that behave like the platforms.

pub mod channel;
mod http_outcome;
pub mod ids;
pub mod linkedin;
pub mod meta;
pub mod meta_json;
mod model;
pub mod whatsapp;
pub mod x;

#[cfg(feature = "fake")]
pub mod fake;

pub use channel::{channel, channel_by_name, channels, ApiUrls, Channel, Credentials, DynChannel, ReplyRules};
pub use http_outcome::SEND_TIMEOUT;
pub use model::*;
