//! [`FakeMeta`] as a registry fake: the Instagram channel's fake (the Instagram host).
//! Facebook shares the Graph host with WhatsApp: its fake Page sits behind
//! [`super::FakeGraph`] (see `FakeGraph::meta`).

use std::any::Any;
use std::sync::Arc;

use hubert_core::Clock;

use super::{sign_meta, FakeMeta, FakePlatform, RecordedRequest};
use crate::channel::{ApiHost, INSTAGRAM_HOST};

impl FakePlatform for FakeMeta {
    fn hosts(&self) -> &'static [ApiHost] {
        &[INSTAGRAM_HOST]
    }
    fn base_url(&self) -> String {
        FakeMeta::base_url(self)
    }
    fn set_clock(&self, clock: Arc<dyn Clock>) {
        FakeMeta::set_clock(self, clock)
    }
    fn requests(&self) -> Vec<RecordedRequest> {
        FakeMeta::requests(self)
    }
    fn clear_requests(&self) {
        FakeMeta::clear_requests(self)
    }
    fn sign_delivery(&self, secret: &str, body: &[u8]) -> (&'static str, String) {
        (crate::meta::SIGNATURE_HEADER, sign_meta(secret, body))
    }
    fn shutdown(&self) {
        FakeMeta::shutdown(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
