//! Background workers. `delivery` sends queued replies through the platform APIs.

pub mod delivery;
