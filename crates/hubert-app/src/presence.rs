//! Who is looking at or typing in which conversation. Kept in memory: presence is
//! short-lived by nature (entries expire after [`TTL_MS`] without a heartbeat). Keyed by
//! workspace and conversation (callers check the conversation exists in the caller's
//! workspace first); expired viewers and empty conversations are dropped on every
//! heartbeat, so the map holds only what is live.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;

pub const TTL_MS: i64 = 30_000;
const TYPING_TTL_MS: i64 = 6_000;

/// Someone looking at a conversation.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
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
pub struct Presence(
    Arc<Mutex<HashMap<String, HashMap<String, Entry>>>>,
    Arc<Mutex<HashMap<String, Online>>>,
);

/// A user with open live connections (the inbox page), or seen recently.
#[derive(Debug, Default)]
struct Online {
    connections: usize,
    last_seen: i64,
}

/// Keeps a user online while held; dropping it closes one connection.
pub struct OnlineGuard {
    presence: Presence,
    user_id: String,
}

impl Drop for OnlineGuard {
    fn drop(&mut self) {
        let mut map = self.presence.1.lock().expect("online lock");
        if let Some(o) = map.get_mut(&self.user_id) {
            o.connections = o.connections.saturating_sub(1);
        }
    }
}

impl Presence {
    /// Records a heartbeat; returns the viewers after it.
    pub fn beat(
        &self,
        workspace_id: &str,
        conversation_id: &str,
        user_id: &str,
        name: &str,
        typing: bool,
        now: i64,
    ) -> Vec<Viewer> {
        let mut map = self.0.lock().expect("presence lock");
        map.retain(|_, viewers| {
            viewers.retain(|_, e| now - e.seen_at < TTL_MS);
            !viewers.is_empty()
        });
        let viewers = map.entry(key(workspace_id, conversation_id)).or_default();
        let e = viewers.entry(user_id.to_owned()).or_default();
        e.name = name.to_owned();
        e.seen_at = now;
        e.typing_at = if typing { Some(now) } else { None };
        Self::list(viewers, now)
    }

    pub fn leave(&self, workspace_id: &str, conversation_id: &str, user_id: &str, now: i64) -> Vec<Viewer> {
        let mut map = self.0.lock().expect("presence lock");
        let key = key(workspace_id, conversation_id);
        let Some(viewers) = map.get_mut(&key) else {
            return Vec::new();
        };
        viewers.remove(user_id);
        let list = Self::list(viewers, now);
        if list.is_empty() {
            map.remove(&key);
        }
        list
    }

    /// Conversations with viewers held in memory (for tests of the bound).
    pub fn conversations_held(&self) -> usize {
        self.0.lock().expect("presence lock").len()
    }

    /// Registers an open live connection of a user.
    pub fn connect(&self, user_id: &str, now: i64) -> OnlineGuard {
        let mut map = self.1.lock().expect("online lock");
        let o = map.entry(user_id.to_owned()).or_default();
        o.connections += 1;
        o.last_seen = now;
        OnlineGuard {
            presence: self.clone(),
            user_id: user_id.to_owned(),
        }
    }

    /// Users with an open connection or a heartbeat within [`TTL_MS`].
    pub fn online(&self, now: i64) -> Vec<String> {
        let mut seen: Vec<String> = {
            let map = self.1.lock().expect("online lock");
            map.iter()
                .filter(|(_, o)| o.connections > 0 || now - o.last_seen < TTL_MS)
                .map(|(id, _)| id.clone())
                .collect()
        };
        let viewers = self.0.lock().expect("presence lock");
        for v in viewers.values() {
            for (id, e) in v {
                if now - e.seen_at < TTL_MS && !seen.contains(id) {
                    seen.push(id.clone());
                }
            }
        }
        seen
    }

    pub fn viewers(&self, workspace_id: &str, conversation_id: &str, now: i64) -> Vec<Viewer> {
        let mut map = self.0.lock().expect("presence lock");
        map.get_mut(&key(workspace_id, conversation_id))
            .map(|v| Self::list(v, now))
            .unwrap_or_default()
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

fn key(workspace_id: &str, conversation_id: &str) -> String {
    format!("{workspace_id}/{conversation_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewers_expire_and_typing_fades() {
        let p = Presence::default();
        p.beat("w", "c1", "u1", "Anna", true, 0);
        let v = p.beat("w", "c1", "u2", "Bram", false, 1_000);
        assert_eq!(v.len(), 2);
        assert!(v[0].typing);
        assert!(!p.viewers("w", "c1", 7_000)[0].typing);
        assert!(p.viewers("w", "c1", 31_500).is_empty());
    }

    #[test]
    fn workspaces_are_apart_and_empty_entries_go() {
        let p = Presence::default();
        p.beat("w1", "c1", "u1", "Anna", false, 0);
        assert!(p.viewers("w2", "c1", 0).is_empty());
        assert!(p.leave("w1", "c1", "u1", 1).is_empty());
        assert_eq!(p.conversations_held(), 0);
        for i in 0..1000 {
            p.beat("w1", &format!("c{i}"), "u1", "Anna", false, i);
        }
        p.beat("w1", "c-last", "u1", "Anna", false, 100_000);
        assert_eq!(p.conversations_held(), 1, "expired conversations are dropped");
    }

    #[test]
    fn users_are_online_while_connected() {
        let p = Presence::default();
        let guard = p.connect("u1", 0);
        assert_eq!(p.online(100_000), vec!["u1".to_string()]);
        drop(guard);
        assert!(p.online(100_000).is_empty());
        assert_eq!(p.online(1_000), vec!["u1".to_string()]);
    }
}
