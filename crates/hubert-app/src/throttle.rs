//! The login throttle and the client address it keys on.
//!
//! Two limits, both in memory and both bounded ([`Bounded`]: a cap on entries, the oldest
//! evicted first, stale entries dropped):
//! - **per client address**: at most [`ADDRESS_MAX_FAILURES`] failed or refused attempts
//!   in [`ADDRESS_WINDOW_MS`]; stops a single source (IPv6 is keyed by its /64).
//! - **per account**: after [`ACCOUNT_FREE_FAILURES`] failures every attempt waits,
//!   starting at [`ACCOUNT_FIRST_WAIT_MS`] and doubling up to [`ACCOUNT_MAX_WAIT_MS`];
//!   a correct password during the wait is refused too. It only slows guessing: the
//!   wait always ends, and an address the account signed in from before
//!   ([`KNOWN_CLIENT_MS`]) is not held up by failures from elsewhere, so a stranger cannot
//!   keep a user out.
//!
//! The client address is the socket peer; `X-Forwarded-For` counts only when the peer is
//! one of the [`TrustedProxies`] (`HUBERT_TRUSTED_PROXIES`), and then the right-most
//! address that is not itself a trusted proxy is the client.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use hubert_core::time::{DAY, MINUTE, SECOND};
use sha2::{Digest, Sha256};

pub const ADDRESS_WINDOW_MS: i64 = 15 * MINUTE;
pub const ADDRESS_MAX_FAILURES: usize = 10;
pub const ACCOUNT_FREE_FAILURES: u32 = 5;
pub const ACCOUNT_FIRST_WAIT_MS: i64 = 30 * SECOND;
pub const ACCOUNT_MAX_WAIT_MS: i64 = 15 * MINUTE;
/// An account's failures are forgotten this long after the last one (and its wait).
pub const ACCOUNT_MEMORY_MS: i64 = 60 * MINUTE;
/// An address an account signed in from is known to it for this long.
pub const KNOWN_CLIENT_MS: i64 = 30 * DAY;
/// Entries per map; beyond it the oldest go first.
pub const MAX_ENTRIES: usize = 10_000;

/// Where a login comes from, as the throttle counts it: an IPv4 address or an IPv6 /64
/// (one host usually holds a whole /64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientKey {
    V4(u32),
    V6(u64),
}

impl ClientKey {
    pub fn of(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V4(a) => ClientKey::V4(u32::from(a)),
            IpAddr::V6(a) => ClientKey::V6((u128::from(a) >> 64) as u64),
        }
    }
}

/// An account as the throttle knows it: a digest of the lower-cased e-mail address, so
/// entries have a fixed size and hold no addresses.
type AccountKey = [u8; 16];

fn account_key(email: &str) -> AccountKey {
    let digest = Sha256::digest(email.to_lowercase().as_bytes());
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

/// Something that can go stale.
pub trait Expires {
    fn expired(&self, now: i64) -> bool;
}

/// A map with a cap: inserting into a full map first drops stale entries from the old
/// end, then evicts the oldest. Lookups never insert.
pub struct Bounded<K, V> {
    map: HashMap<K, (V, u64)>,
    order: VecDeque<(K, u64)>,
    seq: u64,
    cap: usize,
}

impl<K: Copy + Eq + Hash, V: Expires> Bounded<K, V> {
    pub fn new(cap: usize) -> Self {
        Self {
            map: HashMap::new(),
            order: VecDeque::new(),
            seq: 0,
            cap: cap.max(1),
        }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn get(&self, key: &K, now: i64) -> Option<&V> {
        self.map.get(key).map(|(v, _)| v).filter(|v| !v.expired(now))
    }

    /// The live entry for `key`, made with `make` when missing or stale.
    pub fn entry(&mut self, key: K, now: i64, make: impl FnOnce() -> V) -> &mut V {
        if self.map.get(&key).is_some_and(|(v, _)| v.expired(now)) {
            self.map.remove(&key);
        }
        if !self.map.contains_key(&key) {
            self.make_room(now);
            self.seq += 1;
            self.order.push_back((key, self.seq));
            self.map.insert(key, (make(), self.seq));
        }
        &mut self.map.get_mut(&key).expect("just inserted").0
    }

    pub fn remove(&mut self, key: &K) {
        self.map.remove(key);
    }

    fn make_room(&mut self, now: i64) {
        // Stale entries at the old end go first (a few per insert keeps it cheap).
        for _ in 0..8 {
            match self.order.front() {
                Some((k, s)) if self.map.get(k).is_none_or(|(v, s2)| s2 != s || v.expired(now)) => {
                    let (k, s) = self.order.pop_front().expect("front exists");
                    if self.map.get(&k).is_some_and(|(_, s2)| *s2 == s) {
                        self.map.remove(&k);
                    }
                }
                _ => break,
            }
        }
        while self.map.len() >= self.cap {
            let Some((k, s)) = self.order.pop_front() else { break };
            if self.map.get(&k).is_some_and(|(_, s2)| *s2 == s) {
                self.map.remove(&k);
            }
        }
        if self.order.len() > 2 * self.cap {
            let map = &self.map;
            self.order.retain(|(k, s)| map.get(k).is_some_and(|(_, s2)| s2 == s));
        }
    }

    /// Drops every stale entry.
    pub fn sweep(&mut self, now: i64) {
        self.map.retain(|_, (v, _)| !v.expired(now));
        let map = &self.map;
        self.order.retain(|(k, s)| map.get(k).is_some_and(|(_, s2)| s2 == s));
    }
}

/// Failed or refused attempts of one client address (the newest few).
#[derive(Default)]
struct AddressEntry(VecDeque<i64>);

impl AddressEntry {
    fn retry_after(&self, now: i64) -> Option<i64> {
        let recent: Vec<i64> = self.0.iter().copied().filter(|t| now - t < ADDRESS_WINDOW_MS).collect();
        (recent.len() >= ADDRESS_MAX_FAILURES).then(|| recent[0] + ADDRESS_WINDOW_MS - now)
    }
    fn push(&mut self, now: i64) {
        self.0.push_back(now);
        while self.0.len() > ADDRESS_MAX_FAILURES {
            self.0.pop_front();
        }
    }
}

impl Expires for AddressEntry {
    fn expired(&self, now: i64) -> bool {
        self.0.back().is_none_or(|t| now - t >= ADDRESS_WINDOW_MS)
    }
}

/// Failures of one account and the wait they caused.
#[derive(Default)]
struct AccountEntry {
    failures: u32,
    last_failure: i64,
    wait_until: i64,
}

impl Expires for AccountEntry {
    fn expired(&self, now: i64) -> bool {
        now >= self.wait_until.max(self.last_failure) + ACCOUNT_MEMORY_MS
    }
}

/// The wait after `failures` failures of one account.
pub fn account_wait_ms(failures: u32) -> i64 {
    if failures < ACCOUNT_FREE_FAILURES {
        return 0;
    }
    let doublings = (failures - ACCOUNT_FREE_FAILURES).min(20);
    (ACCOUNT_FIRST_WAIT_MS << doublings).min(ACCOUNT_MAX_WAIT_MS)
}

/// When an account last signed in from an address.
struct KnownSince(i64);

impl Expires for KnownSince {
    fn expired(&self, now: i64) -> bool {
        now - self.0 >= KNOWN_CLIENT_MS
    }
}

struct Maps {
    addresses: Bounded<ClientKey, AddressEntry>,
    accounts: Bounded<AccountKey, AccountEntry>,
    known: Bounded<(AccountKey, ClientKey), KnownSince>,
}

/// See the module docs. Cheap to clone.
#[derive(Clone)]
pub struct LoginThrottle(Arc<Mutex<Maps>>);

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::with_capacity(MAX_ENTRIES)
    }
}

impl LoginThrottle {
    pub fn with_capacity(cap: usize) -> Self {
        Self(Arc::new(Mutex::new(Maps {
            addresses: Bounded::new(cap),
            accounts: Bounded::new(cap),
            known: Bounded::new(cap),
        })))
    }

    fn maps(&self) -> std::sync::MutexGuard<'_, Maps> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `Err(ms)` when this attempt must wait that long; a refused attempt counts against
    /// its address (so hammering keeps a source out).
    pub fn check(&self, email: &str, client: IpAddr, now: i64) -> Result<(), i64> {
        let mut m = self.maps();
        let (account, client) = (account_key(email), ClientKey::of(client));
        if let Some(wait) = m.addresses.get(&client, now).and_then(|a| a.retry_after(now)) {
            return Err(wait.max(SECOND));
        }
        let known = m.known.get(&(account, client), now).is_some();
        let waiting = m.accounts.get(&account, now).map_or(0, |a| a.wait_until - now);
        if waiting > 0 && !known {
            m.addresses.entry(client, now, AddressEntry::default).push(now);
            return Err(waiting.max(SECOND));
        }
        Ok(())
    }

    /// Records a wrong e-mail address or password.
    pub fn failed(&self, email: &str, client: IpAddr, now: i64) {
        let mut m = self.maps();
        m.addresses
            .entry(ClientKey::of(client), now, AddressEntry::default)
            .push(now);
        let a = m.accounts.entry(account_key(email), now, AccountEntry::default);
        a.failures = a.failures.saturating_add(1);
        a.last_failure = now;
        let wait = account_wait_ms(a.failures);
        if wait > 0 {
            a.wait_until = a.wait_until.max(now + wait);
        }
    }

    /// A correct password: the address is known to the account from now on, and the
    /// account's failures are forgotten — unless it is in a wait (the user came in from a
    /// known address while someone elsewhere is guessing: the guesser keeps waiting).
    pub fn succeeded(&self, email: &str, client: IpAddr, now: i64) {
        let mut m = self.maps();
        let account = account_key(email);
        if m.accounts.get(&account, now).is_none_or(|a| a.wait_until <= now) {
            m.accounts.remove(&account);
        }
        m.known
            .entry((account, ClientKey::of(client)), now, || KnownSince(now))
            .0 = now;
    }

    /// Drops stale entries (the background sweep calls this).
    pub fn sweep(&self, now: i64) {
        let mut m = self.maps();
        m.addresses.sweep(now);
        m.accounts.sweep(now);
        m.known.sweep(now);
    }

    /// Entries held, for tests and metrics.
    pub fn len(&self) -> usize {
        let m = self.maps();
        m.addresses.len() + m.accounts.len() + m.known.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The proxies whose `X-Forwarded-For` we believe (`HUBERT_TRUSTED_PROXIES`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// Parses a comma-separated list of addresses and CIDR ranges (IPv4 and IPv6).
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut ranges = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (addr, len) = match item.split_once('/') {
                Some((a, l)) => (a, Some(l)),
                None => (item, None),
            };
            let ip: IpAddr = addr
                .trim_matches(|c| c == '[' || c == ']')
                .parse()
                .map_err(|_| format!("not an address: {item}"))?;
            let ip = ip.to_canonical();
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let len = match len {
                Some(l) => l
                    .parse::<u8>()
                    .ok()
                    .filter(|l| *l <= max)
                    .ok_or_else(|| format!("not a prefix length: {item}"))?,
                None => max,
            };
            ranges.push((ip, len));
        }
        Ok(Self(ranges))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|(net, len)| match (net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => same_prefix(u32::from(*n).into(), u32::from(a).into(), *len, 32),
            (IpAddr::V6(n), IpAddr::V6(a)) => same_prefix(u128::from(*n), u128::from(a), *len, 128),
            _ => false,
        })
    }

    /// The client behind `peer`: the peer itself unless it is a trusted proxy; then the
    /// right-most `X-Forwarded-For` address that is not a trusted proxy (or the left-most
    /// one when all are). `forwarded` holds the header's values in order.
    pub fn client(&self, peer: IpAddr, forwarded: &[&str]) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.contains(client) {
            return client;
        }
        let hops = forwarded.iter().flat_map(|v| v.split(',')).map(str::trim).rev();
        for hop in hops {
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
            if !self.contains(ip) {
                break;
            }
        }
        client
    }
}

fn same_prefix(a: u128, b: u128, len: u8, bits: u8) -> bool {
    if len == 0 {
        return true;
    }
    let shift = u32::from(bits - len);
    (a >> shift) == (b >> shift)
}

/// One `X-Forwarded-For` entry: an address, maybe with a port (`1.2.3.4:5`, `[::1]:5`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(sock) = hop.parse::<std::net::SocketAddr>() {
        return Some(sock.ip().to_canonical());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("address")
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says() {
        let none = TrustedProxies::default();
        for spoof in ["1.1.1.1", "2.2.2.2", "10.0.0.1, 3.3.3.3"] {
            assert_eq!(none.client(ip("127.0.0.1"), &[spoof]), ip("127.0.0.1"));
        }
        let other = TrustedProxies::parse("10.0.0.0/8").expect("list");
        assert_eq!(other.client(ip("127.0.0.1"), &["1.1.1.1"]), ip("127.0.0.1"));
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() {
        let p = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8 ,2001:db8::/32").expect("list");
        // A client-supplied left part cannot hide the address the proxy saw.
        assert_eq!(p.client(ip("127.0.0.1"), &["6.6.6.6, 203.0.113.9"]), ip("203.0.113.9"));
        assert_eq!(
            p.client(ip("127.0.0.1"), &["6.6.6.6", "203.0.113.9, 10.1.2.3"]),
            ip("203.0.113.9")
        );
        assert_eq!(p.client(ip("10.0.0.5"), &["10.0.0.4"]), ip("10.0.0.4"));
        assert_eq!(p.client(ip("127.0.0.1"), &[]), ip("127.0.0.1"));
        assert_eq!(p.client(ip("127.0.0.1"), &["garbage"]), ip("127.0.0.1"));
        assert_eq!(p.client(ip("2001:db8::1"), &["[2001:db9::7]:443"]), ip("2001:db9::7"));
        assert_eq!(p.client(ip("::ffff:127.0.0.1"), &["198.51.100.1"]), ip("198.51.100.1"));
    }

    #[test]
    fn proxy_lists_are_checked() {
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.local").is_err());
        assert!(TrustedProxies::parse("").expect("empty").is_empty());
        let p = TrustedProxies::parse("192.168.0.0/16,::1").expect("list");
        assert!(p.contains(ip("192.168.44.1")) && !p.contains(ip("192.169.0.1")));
        assert!(p.contains(ip("::1")) && !p.contains(ip("::2")));
    }

    #[test]
    fn clients_without_a_header_are_separate_buckets() {
        let t = LoginThrottle::default();
        let (a, b) = (ip("192.0.2.1"), ip("192.0.2.2"));
        for i in 0..ADDRESS_MAX_FAILURES {
            t.failed(&format!("nobody{i}@example.nl"), a, 0);
        }
        assert!(t.check("someone@example.nl", a, 1).is_err(), "a is out");
        assert_eq!(t.check("someone@example.nl", b, 1), Ok(()), "b is not");
        // One IPv6 host is one bucket, however many addresses of its /64 it uses.
        assert_eq!(ClientKey::of(ip("2001:db8::1")), ClientKey::of(ip("2001:db8::ffff")));
        assert_ne!(ClientKey::of(ip("2001:db8::1")), ClientKey::of(ip("2001:db8:0:1::1")));
    }

    #[test]
    fn the_account_wait_grows_and_is_capped() {
        assert_eq!(account_wait_ms(4), 0);
        assert_eq!(account_wait_ms(5), 30 * SECOND);
        assert_eq!(account_wait_ms(6), 60 * SECOND);
        assert_eq!(account_wait_ms(1000), ACCOUNT_MAX_WAIT_MS);
    }

    #[test]
    fn the_account_wait_ends_and_a_known_address_is_not_held_up() {
        let t = LoginThrottle::default();
        let (user, stranger, other) = (ip("192.0.2.1"), ip("198.51.100.1"), ip("203.0.113.1"));
        t.succeeded("anna@example.nl", user, 0);
        for i in 0..ADDRESS_MAX_FAILURES as i64 {
            t.failed("Anna@example.nl", stranger, i);
        }
        let wait = t.check("anna@example.nl", other, 100).expect_err("a new address waits");
        assert!(wait <= ACCOUNT_MAX_WAIT_MS);
        assert_eq!(t.check("anna@example.nl", other, 100 + wait), Ok(()), "the wait ends");
        assert_eq!(t.check("anna@example.nl", user, 100), Ok(()), "the user's own address");
        t.succeeded("anna@example.nl", user, 100);
        assert!(
            t.check("anna@example.nl", other, 101).is_err(),
            "the guesser still waits"
        );
    }

    #[test]
    fn the_maps_stay_bounded_under_100k_distinct_keys() {
        let t = LoginThrottle::default();
        for i in 0..100_000u32 {
            let client = IpAddr::V4(i.into());
            t.failed(&format!("user{i}@example.nl"), client, i64::from(i));
            let _ = t.check(&format!("other{i}@example.nl"), client, i64::from(i));
        }
        assert!(t.len() <= 2 * MAX_ENTRIES, "{} entries", t.len());
        let m = t.maps();
        assert!(m.addresses.order.len() <= 2 * MAX_ENTRIES + 1);
        assert!(m.accounts.order.len() <= 2 * MAX_ENTRIES + 1);
    }

    #[test]
    fn stale_entries_are_swept() {
        let t = LoginThrottle::default();
        t.failed("a@example.nl", ip("192.0.2.1"), 0);
        assert!(!t.is_empty());
        t.sweep(ACCOUNT_MEMORY_MS + ADDRESS_WINDOW_MS);
        assert!(t.is_empty());
    }
}
