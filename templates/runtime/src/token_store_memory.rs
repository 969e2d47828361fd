//! The `memory:` token store: a map in this process, for stdio servers and tests. Everything in it
//! is gone when the process ends, so a user must consent again after every restart.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A value and, when it has one, the instant it stops existing.
type Entry = (Vec<u8>, Option<Instant>);

#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    /// The size at which the next write sweeps out expired entries: doubling it keeps sweeps
    /// amortized constant per write while entries nobody reads again still go.
    sweep_at: usize,
}

impl Inner {
    /// The live entry under `key`; an expired one is removed on the way.
    fn live(&mut self, key: &str) -> Option<&mut Entry> {
        let now = Instant::now();
        if self.entries.get(key)?.1.is_some_and(|at| at <= now) {
            self.entries.remove(key);
            return None;
        }
        self.entries.get_mut(key)
    }

    fn insert(&mut self, key: &str, entry: Entry) {
        if self.entries.len() >= self.sweep_at {
            let now = Instant::now();
            self.entries
                .retain(|_, (_, expires)| expires.is_none_or(|at| at > now));
            self.sweep_at = (self.entries.len() * 2).max(64);
        }
        self.entries.insert(key.to_owned(), entry);
    }

    fn remove(&mut self, key: &str) -> Option<Vec<u8>> {
        self.live(key)?;
        self.entries.remove(key).map(|(value, _)| value)
    }
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Each operation changes the map in one call, so a panic elsewhere while the lock was held
        // cannot have left it half-written: a poisoned lock is still consistent.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        self.lock().live(key).map(|(value, _)| value.clone())
    }

    pub fn put(&self, key: &str, value: &[u8], ttl: Option<Duration>) {
        self.lock().insert(key, (value.to_vec(), ttl.map(expiry)));
    }

    pub fn put_new(&self, key: &str, value: &[u8], ttl: Duration) -> bool {
        let mut inner = self.lock();
        if inner.live(key).is_some() {
            return false;
        }
        inner.insert(key, (value.to_vec(), Some(expiry(ttl))));
        true
    }

    pub fn delete(&self, key: &str) -> bool {
        self.lock().remove(key).is_some()
    }

    pub fn take(&self, key: &str) -> Option<Vec<u8>> {
        self.lock().remove(key)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().entries.len()
    }
}

/// When an entry stored now with `ttl` expires; a TTL too long to represent never expires in
/// practice, so it is capped rather than refused.
fn expiry(ttl: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(ttl)
        .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_delete_take() {
        let store = MemoryStore::new();
        assert_eq!(store.get("a"), None);
        store.put("a", b"1", None);
        assert_eq!(store.get("a").as_deref(), Some(&b"1"[..]));
        store.put("a", b"2", None);
        assert_eq!(store.get("a").as_deref(), Some(&b"2"[..]));
        assert!(store.delete("a"));
        assert!(!store.delete("a"));
        store.put("b", b"3", None);
        assert_eq!(store.take("b").as_deref(), Some(&b"3"[..]));
        assert_eq!(store.take("b"), None);
    }

    #[test]
    fn put_new_only_when_absent_or_expired() {
        let store = MemoryStore::new();
        assert!(store.put_new("lock", b"x", Duration::from_millis(100)));
        assert!(!store.put_new("lock", b"y", Duration::from_secs(60)));
        assert_eq!(store.get("lock").as_deref(), Some(&b"x"[..]));
        std::thread::sleep(Duration::from_millis(250));
        assert_eq!(store.get("lock"), None);
        assert!(store.put_new("lock", b"z", Duration::from_secs(60)));
    }

    #[test]
    fn an_expired_entry_is_absent_everywhere() {
        let store = MemoryStore::new();
        store.put("a", b"1", Some(Duration::from_millis(100)));
        store.put("keep", b"2", None);
        std::thread::sleep(Duration::from_millis(250));
        assert_eq!(store.get("a"), None);
        assert!(!store.delete("a"));
        assert_eq!(store.take("a"), None);
        assert_eq!(store.get("keep").as_deref(), Some(&b"2"[..]));
        // A huge TTL is kept, not an overflow.
        store.put("long", b"3", Some(Duration::MAX));
        assert_eq!(store.get("long").as_deref(), Some(&b"3"[..]));
    }

    #[test]
    fn entries_nobody_reads_again_are_swept() {
        let store = MemoryStore::new();
        for i in 0..100 {
            store.put(&format!("old{i}"), b"x", Some(Duration::from_millis(50)));
        }
        std::thread::sleep(Duration::from_millis(150));
        for i in 0..100 {
            store.put(&format!("new{i}"), b"y", None);
        }
        assert!(store.len() < 200, "{} entries kept", store.len());
    }
}
