//! Where the server keeps each user's upstream OAuth tokens (sealed by the caller before they get
//! here), the one-time records of consent flows, and short-lived locks: one key-value API over
//! three backends, chosen by `MCP_TOKEN_STORE`. Errors are plain strings safe to log: they name
//! the store, never a value or a password.

use std::path::Path;
use std::time::Duration;

use super::token_store_file::FileStore;
use super::token_store_memory::MemoryStore;
use super::token_store_redis::RedisStore;

pub enum TokenStore {
    File(FileStore),
    Redis(RedisStore),
    Memory(MemoryStore),
}

const FORMS: &str = "file:PATH, redis://[user:password@]host[:port][/db] (or rediss:// for TLS), or memory: (stdio and tests only: everything is lost on restart)";

impl TokenStore {
    /// Opens the store `spec` names:
    /// - `file:PATH`: one file (relative paths from the working directory), for a single process;
    /// - `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS verified against the
    ///   system's roots: what replicas share;
    /// - `memory:`: for stdio servers and tests only, it loses everything on restart.
    ///
    /// `namespace` (the API's name) prefixes every key, so two servers can share one Redis.
    /// A Redis store connects on first use: call [`TokenStore::check`] at start-up.
    pub async fn open(spec: &str, namespace: &str) -> Result<TokenStore, String> {
        if let Some(path) = spec.strip_prefix("file:") {
            if path.is_empty() {
                return Err("the token store file: is missing its path (file:PATH)".into());
            }
            return FileStore::open(Path::new(path), namespace)
                .await
                .map(TokenStore::File);
        }
        if spec.starts_with("redis://") || spec.starts_with("rediss://") {
            return RedisStore::new(spec, namespace).map(TokenStore::Redis);
        }
        if spec == "memory:" {
            return Ok(TokenStore::Memory(MemoryStore::new()));
        }
        // The spec itself is not repeated: it may be a mistyped URL with a password in it.
        Err(format!(
            "MCP_TOKEN_STORE is not a token store; accepted forms: {FORMS}"
        ))
    }

    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        match self {
            TokenStore::File(store) => store.get(key).await,
            TokenStore::Redis(store) => store.get(key).await,
            TokenStore::Memory(store) => Ok(store.get(key)),
        }
    }

    /// Stores `value` under `key`, replacing; with `ttl`, the entry disappears after it.
    pub async fn put(&self, key: &str, value: &[u8], ttl: Option<Duration>) -> Result<(), String> {
        match self {
            TokenStore::File(store) => store.put(key, value, ttl).await,
            TokenStore::Redis(store) => store.put(key, value, ttl).await,
            TokenStore::Memory(store) => {
                store.put(key, value, ttl);
                Ok(())
            }
        }
    }

    /// Stores only if `key` is absent (or expired): single-use markers and locks. Returns whether
    /// it was stored. Atomic across processes sharing the store (Redis: SET NX PX). On Redis, an
    /// error means the outcome is unknown (the connection broke after sending): it is not
    /// retried, since a retry would see our own entry and answer "taken".
    pub async fn put_new(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool, String> {
        match self {
            TokenStore::File(store) => store.put_new(key, value, ttl).await,
            TokenStore::Redis(store) => store.put_new(key, value, ttl).await,
            TokenStore::Memory(store) => Ok(store.put_new(key, value, ttl)),
        }
    }

    /// Removes `key`; whether it existed.
    pub async fn delete(&self, key: &str) -> Result<bool, String> {
        match self {
            TokenStore::File(store) => store.delete(key).await,
            TokenStore::Redis(store) => store.delete(key).await,
            TokenStore::Memory(store) => Ok(store.delete(key)),
        }
    }

    /// Reads and removes in one step (GETDEL on Redis 6.2 or later; one transaction in the file):
    /// one-time flow records, which two concurrent callers can never both get.
    pub async fn take(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        match self {
            TokenStore::File(store) => store.take(key).await,
            TokenStore::Redis(store) => store.take(key).await,
            TokenStore::Memory(store) => Ok(store.take(key)),
        }
    }

    /// For logs: `file /path/x.redb`, `redis 127.0.0.1:6379/0`, `memory` — never a password.
    pub fn describe(&self) -> String {
        match self {
            TokenStore::File(store) => store.describe(),
            TokenStore::Redis(store) => store.describe(),
            TokenStore::Memory(_) => "memory (lost on restart)".into(),
        }
    }

    /// A cheap round trip at start-up, so that a misconfigured store fails then rather than on
    /// the first call: Redis connects, authenticates, selects its database and answers a PING;
    /// the file is open already and answers a read.
    pub async fn check(&self) -> Result<(), String> {
        match self {
            TokenStore::File(store) => store.check().await,
            TokenStore::Redis(store) => store.check().await,
            TokenStore::Memory(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::token_store_file::tests::TempDir;
    use super::*;

    #[tokio::test]
    async fn specs() {
        let dir = TempDir::new();
        let file = format!("file:{}", dir.path().join("t.redb").display());
        let store = TokenStore::open(&file, "api").await.unwrap();
        assert!(
            store.describe().starts_with("file /"),
            "{}",
            store.describe()
        );
        store.check().await.unwrap();
        let store = TokenStore::open("redis://:pw@127.0.0.1:1/2", "api")
            .await
            .unwrap();
        assert_eq!(store.describe(), "redis 127.0.0.1:1/2");
        let store = TokenStore::open("memory:", "api").await.unwrap();
        store.check().await.unwrap();
        for bad in [
            "",
            "file:",
            "memory",
            "memory:x",
            "postgres://u:hunter2@h",
            "/tmp/x.redb",
        ] {
            let Err(err) = TokenStore::open(bad, "api").await else {
                panic!("{bad:?} opened");
            };
            assert!(!err.contains("hunter2"), "{err}");
            if bad != "file:" {
                assert!(
                    err.contains("file:PATH") && err.contains("memory:"),
                    "{err}"
                );
            }
        }
    }

    #[tokio::test]
    async fn the_same_semantics_on_memory_and_file() {
        let dir = TempDir::new();
        let file = format!("file:{}", dir.path().join("t.redb").display());
        for spec in ["memory:", file.as_str()] {
            let store = TokenStore::open(spec, "api").await.unwrap();
            store.put("k", b"v", None).await.unwrap();
            assert_eq!(
                store.get("k").await.unwrap().as_deref(),
                Some(&b"v"[..]),
                "{spec}"
            );
            let ttl = Duration::from_millis(200);
            assert!(store.put_new("m", b"1", ttl).await.unwrap(), "{spec}");
            assert!(!store.put_new("m", b"2", ttl).await.unwrap(), "{spec}");
            assert_eq!(
                store.take("k").await.unwrap().as_deref(),
                Some(&b"v"[..]),
                "{spec}"
            );
            assert!(!store.delete("k").await.unwrap(), "{spec}");
            tokio::time::sleep(Duration::from_millis(400)).await;
            assert!(store.put_new("m", b"3", ttl).await.unwrap(), "{spec}");
        }
    }
}
