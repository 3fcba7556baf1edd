//! Background workers. `delivery` sends queued replies through the platform APIs;
//! `media` fetches inbound attachments.

pub mod delivery;
pub mod media;
