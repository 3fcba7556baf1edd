//! Every registered channel's fake platform, started together ([`Fakes::start`]), with
//! the [`ApiUrls`] pointing each API host at the fake that serves it. Channels sharing a
//! host (WhatsApp and Facebook on the Graph API) share the first fake started for it.

use std::sync::Arc;

use hubert_core::{Clock, Platform};

use super::FakePlatform;
use crate::channel::ApiUrls;

/// The running fakes of every channel in the registry.
pub struct Fakes {
    fakes: Vec<Arc<dyn FakePlatform>>,
    by_platform: Vec<(Platform, usize)>,
}

impl Fakes {
    /// Starts one fake per API host of the registered channels.
    pub async fn start() -> Self {
        let mut fakes: Vec<Arc<dyn FakePlatform>> = Vec::new();
        let mut by_platform = Vec::new();
        for channel in crate::channels() {
            let served = fakes
                .iter()
                .position(|f| channel.api_hosts().iter().all(|h| f.hosts().contains(h)));
            let index = match served {
                Some(index) => index,
                None => {
                    fakes.push(Arc::from(channel.start_fake().await));
                    fakes.len() - 1
                }
            };
            by_platform.push((channel.platform(), index));
        }
        Self { fakes, by_platform }
    }

    /// Every host pointed at its fake.
    pub fn urls(&self) -> ApiUrls {
        let mut urls = ApiUrls::default();
        for fake in &self.fakes {
            for host in fake.hosts() {
                urls.set(*host, fake.base_url());
            }
        }
        urls
    }

    /// The fake serving `platform`.
    pub fn get(&self, platform: Platform) -> Option<&Arc<dyn FakePlatform>> {
        self.by_platform
            .iter()
            .find(|(p, _)| *p == platform)
            .map(|(_, i)| &self.fakes[*i])
    }

    /// The fake serving `platform` as its own type (for its controls), e.g. `FakeGraph`.
    pub fn typed<T: Clone + 'static>(&self, platform: Platform) -> Option<T> {
        self.get(platform)?.as_any().downcast_ref::<T>().cloned()
    }

    /// Shares `clock` with every fake.
    pub fn set_clock(&self, clock: Arc<dyn Clock>) {
        for fake in &self.fakes {
            fake.set_clock(clock.clone());
        }
    }

    pub fn shutdown(&self) {
        for fake in &self.fakes {
            fake.shutdown();
        }
    }
}
