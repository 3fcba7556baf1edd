//! Who is looking at or typing in which conversation. Kept in memory: presence is
//! short-lived by nature (entries expire after [`TTL_MS`] without a heartbeat).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;

pub const TTL_MS: i64 = 30_000;
const TYPING_TTL_MS: i64 = 6_000;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Viewer {
    pub user_id: String,
    pub name: String,
    pub typing: bool,
}

#[derive(Debug, Clone, Default)]
struct Entry {
    name: String,
    seen_at: i64,
    typing_at: Option<i64>,
}

#[derive(Clone, Default)]
pub struct Presence(Arc<Mutex<HashMap<String, HashMap<String, Entry>>>>);

impl Presence {
    /// Records a heartbeat; returns the viewers after it.
    pub fn beat(&self, conversation_id: &str, user_id: &str, name: &str, typing: bool, now: i64) -> Vec<Viewer> {
        let mut map = self.0.lock().expect("presence lock");
        let viewers = map.entry(conversation_id.to_owned()).or_default();
        let e = viewers.entry(user_id.to_owned()).or_default();
        e.name = name.to_owned();
        e.seen_at = now;
        e.typing_at = if typing { Some(now) } else { None };
        Self::list(viewers, now)
    }

    pub fn leave(&self, conversation_id: &str, user_id: &str, now: i64) -> Vec<Viewer> {
        let mut map = self.0.lock().expect("presence lock");
        let viewers = map.entry(conversation_id.to_owned()).or_default();
        viewers.remove(user_id);
        Self::list(viewers, now)
    }

    pub fn viewers(&self, conversation_id: &str, now: i64) -> Vec<Viewer> {
        let mut map = self.0.lock().expect("presence lock");
        map.get_mut(conversation_id).map(|v| Self::list(v, now)).unwrap_or_default()
    }

    fn list(viewers: &mut HashMap<String, Entry>, now: i64) -> Vec<Viewer> {
        viewers.retain(|_, e| now - e.seen_at < TTL_MS);
        let mut out: Vec<Viewer> = viewers
            .iter()
            .map(|(id, e)| Viewer {
                user_id: id.clone(),
                name: e.name.clone(),
                typing: e.typing_at.is_some_and(|t| now - t < TYPING_TTL_MS),
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewers_expire_and_typing_fades() {
        let p = Presence::default();
        p.beat("c1", "u1", "Anna", true, 0);
        let v = p.beat("c1", "u2", "Bram", false, 1_000);
        assert_eq!(v.len(), 2);
        assert!(v[0].typing);
        assert!(!p.viewers("c1", 7_000)[0].typing);
        assert!(p.viewers("c1", 31_500).is_empty());
    }
}
