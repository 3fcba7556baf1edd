//! Background workers. `delivery` sends queued replies through the platform APIs;
//! `media` fetches inbound attachments; `poll` fetches recent events from platforms that
//! can be polled (missed webhooks).

pub mod delivery;
pub mod media;
pub mod poll;
