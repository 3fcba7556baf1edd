//! The vocabulary of Hubert: ids, time, platforms, service levels and the pure maths
//! around them. Nothing here does I/O or is async; every other crate builds on these types.

pub mod business;
pub mod calendar;
pub mod conversation;
pub mod holidays;
pub mod ids;
pub mod limits;
pub mod platform;
pub mod sla;
pub mod text;
pub mod time;

pub use conversation::{ConversationStatus, DeliveryStatus, Direction};
pub use ids::new_id;
pub use platform::{Platform, Role, UnknownPlatform};
pub use sla::{ServiceLevel, SlaState, SlaStatus};
pub use time::{Clock, FakeClock, ShiftedClock, SystemClock, Timestamp};
