//! Platform API hosts and the one map of their base URLs ([`ApiUrls`]): every host has an
//! environment variable and the real host as default; tests, the demo and benchmarks
//! point hosts at the fakes.

use std::collections::BTreeMap;

/// One platform API host a channel sends to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApiHost {
    /// The environment variable overriding the base URL.
    pub env: &'static str,
    /// The real host.
    pub default_url: &'static str,
}

/// Meta's Graph API: WhatsApp, Facebook, Instagram through a Page.
pub const GRAPH_HOST: ApiHost = ApiHost {
    env: "HUBERT_GRAPH_API_URL",
    default_url: "https://graph.facebook.com",
};
/// The X API.
pub const X_HOST: ApiHost = ApiHost {
    env: "HUBERT_X_API_URL",
    default_url: "https://api.x.com",
};
/// The Instagram API with Instagram Login.
pub const INSTAGRAM_HOST: ApiHost = ApiHost {
    env: "HUBERT_INSTAGRAM_API_URL",
    default_url: "https://graph.instagram.com",
};
/// LinkedIn's REST API.
pub const LINKEDIN_HOST: ApiHost = ApiHost {
    env: "HUBERT_LINKEDIN_API_URL",
    default_url: "https://api.linkedin.com",
};

/// Hosts known before their channel is registered (so their variables exist already).
pub const KNOWN_HOSTS: [ApiHost; 4] = [GRAPH_HOST, X_HOST, INSTAGRAM_HOST, LINKEDIN_HOST];

/// Base URL per API host. [`ApiUrls::default`] is the real hosts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiUrls {
    urls: BTreeMap<&'static str, String>,
}

impl ApiUrls {
    /// The real hosts, overridden by each host's environment variable when set.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`ApiUrls::from_env`] with another source of variables.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let mut urls = Self::default();
        for host in all_hosts() {
            if let Some(url) = lookup(host.env).filter(|u| !u.trim().is_empty()) {
                urls.set(host, url);
            }
        }
        urls
    }

    /// Points `host` at `url`.
    pub fn set(&mut self, host: ApiHost, url: impl Into<String>) {
        self.urls.insert(host.env, url.into());
    }

    /// [`ApiUrls::set`], by value.
    pub fn with(mut self, host: ApiHost, url: impl Into<String>) -> Self {
        self.set(host, url);
        self
    }

    /// The base URL of `host`, without a trailing slash.
    pub fn get(&self, host: ApiHost) -> &str {
        self.urls
            .get(host.env)
            .map(String::as_str)
            .unwrap_or(host.default_url)
            .trim_end_matches('/')
    }
}

/// Every host: the known ones and those the registered channels declare.
fn all_hosts() -> Vec<ApiHost> {
    let mut hosts: Vec<ApiHost> = KNOWN_HOSTS.to_vec();
    for channel in super::channels() {
        hosts.extend_from_slice(channel.api_hosts());
    }
    hosts.sort();
    hosts.dedup();
    hosts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_real_hosts_and_variables_override() {
        let urls = ApiUrls::default();
        assert_eq!(urls.get(GRAPH_HOST), "https://graph.facebook.com");
        assert_eq!(urls.get(INSTAGRAM_HOST), "https://graph.instagram.com");
        assert_eq!(urls.get(LINKEDIN_HOST), "https://api.linkedin.com");
        let urls = ApiUrls::from_lookup(|name| (name == "HUBERT_X_API_URL").then(|| "http://127.0.0.1:9/".to_string()));
        assert_eq!(urls.get(X_HOST), "http://127.0.0.1:9");
        assert_eq!(urls.get(GRAPH_HOST), "https://graph.facebook.com");
    }
}
