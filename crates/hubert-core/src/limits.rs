//! A rate limiter for per-client and per-key state that cannot grow without bound: a
//! token bucket per key, with at most `max_keys` keys (the least recently used is
//! evicted first, and idle full buckets are dropped). Pure: time is passed in (epoch
//! ms), so callers use their `Clock` and tests need no sleeping.

use std::collections::HashMap;

/// Token buckets keyed by string, bounded in memory.
#[derive(Debug)]
pub struct RateLimiter {
    /// Tokens a full bucket holds (the burst).
    burst: f64,
    /// Tokens regained per millisecond.
    refill_per_ms: f64,
    max_keys: usize,
    buckets: HashMap<String, Bucket>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated_at: i64,
}

impl RateLimiter {
    /// `burst` requests at once, then `per_minute` a minute; at most `max_keys` keys.
    pub fn new(burst: u32, per_minute: u32, max_keys: usize) -> Self {
        Self {
            burst: f64::from(burst.max(1)),
            refill_per_ms: f64::from(per_minute) / 60_000.0,
            max_keys: max_keys.max(1),
            buckets: HashMap::new(),
        }
    }

    /// Takes one token for `key` at `now`. `Err(wait_ms)` when the bucket is empty: the
    /// time until the next token.
    pub fn take(&mut self, key: &str, now: i64) -> Result<(), i64> {
        if !self.buckets.contains_key(key) && self.buckets.len() >= self.max_keys {
            self.evict(now);
        }
        let (burst, refill) = (self.burst, self.refill_per_ms);
        let bucket = self.buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: burst,
            updated_at: now,
        });
        let elapsed = (now - bucket.updated_at).max(0) as f64;
        bucket.tokens = (bucket.tokens + elapsed * refill).min(burst);
        bucket.updated_at = now.max(bucket.updated_at);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else if refill > 0.0 {
            Err(((1.0 - bucket.tokens) / refill).ceil() as i64)
        } else {
            Err(i64::MAX)
        }
    }

    /// How many keys are held.
    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// Drops buckets that have refilled completely (they hold no information); if none
    /// did, drops the least recently used half.
    fn evict(&mut self, now: i64) {
        let (burst, refill) = (self.burst, self.refill_per_ms);
        self.buckets
            .retain(|_, b| b.tokens + (now - b.updated_at).max(0) as f64 * refill < burst);
        if self.buckets.len() >= self.max_keys {
            let mut ages: Vec<i64> = self.buckets.values().map(|b| b.updated_at).collect();
            ages.sort_unstable();
            let cutoff = ages[ages.len() / 2];
            self.buckets.retain(|_, b| b.updated_at > cutoff);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_steady_rate() {
        let mut limiter = RateLimiter::new(3, 6, 100);
        for _ in 0..3 {
            assert_eq!(limiter.take("p", 0), Ok(()));
        }
        assert_eq!(limiter.take("p", 0), Err(10_000));
        assert_eq!(limiter.take("other", 0), Ok(()));
        assert_eq!(limiter.take("p", 10_000), Ok(()));
        assert!(limiter.take("p", 10_001).is_err());
    }

    #[test]
    fn memory_stays_bounded_under_many_keys() {
        let mut limiter = RateLimiter::new(2, 1, 1000);
        for i in 0..100_000 {
            let _ = limiter.take(&format!("client-{i}"), i);
            assert!(limiter.len() <= 1000);
        }
        // A key that was just limited keeps its state while the map is under pressure.
        let mut limiter = RateLimiter::new(1, 1, 10);
        assert!(limiter.take("attacker", 0).is_ok());
        assert!(limiter.take("attacker", 1).is_err());
        for i in 0..9 {
            let _ = limiter.take(&format!("k{i}"), 2);
        }
        assert!(limiter.take("attacker", 3).is_err());
    }
}
