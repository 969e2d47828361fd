//! The `file:` token store: one redb file, crash-safe, for a server that runs as a single
//! process. redb takes an exclusive lock on the file, so a second process (or a second store in
//! this one) cannot open it while the first has it: replicas share a Redis instead.
//!
//! Each value is stored behind its expiry, eight bytes of unix milliseconds (0: never), because
//! redb has no TTLs of its own. An expired entry reads as absent and is removed when next touched;
//! opening the file removes all that expired while no server ran.

use std::fmt::Display;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redb::{Builder, Database, DatabaseError, ReadableTable, TableDefinition, WriteTransaction};

const TABLE: TableDefinition<&str, &[u8]> = TableDefinition::new("tokens");

/// What the token store holds is small; redb's default cache (up to 1 GiB) is sized for
/// databases, not for this.
const CACHE_BYTES: usize = 4 * 1024 * 1024;

const NEVER: u64 = 0;

pub struct FileStore {
    db: Arc<Database>,
    /// Absolute, for messages: a relative path says little once the working directory is
    /// forgotten.
    path: PathBuf,
    prefix: String,
}

impl FileStore {
    /// Opens the store in `path` (relative to the working directory), creating it and its folder
    /// if missing. `namespace` keeps this server's keys apart from another's that used the file.
    pub async fn open(path: &Path, namespace: &str) -> Result<FileStore, String> {
        let path = std::path::absolute(path)
            .map_err(|err| format!("the token store path {}: {err}", path.display()))?;
        let at = path.clone();
        let db = blocking(move || open_db(&at)).await?;
        Ok(FileStore {
            db: Arc::new(db),
            path,
            prefix: format!("{namespace}:"),
        })
    }

    pub fn describe(&self) -> String {
        format!("file {}", self.path.display())
    }

    pub async fn check(&self) -> Result<(), String> {
        let db = self.db.clone();
        blocking(move || {
            let read = db.begin_read().map_err(failed)?;
            read.open_table(TABLE).map_err(failed)?;
            Ok(())
        })
        .await
    }

    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        let (db, key) = (self.db.clone(), self.key(key));
        blocking(move || {
            let stored = {
                let read = db.begin_read().map_err(failed)?;
                let table = read.open_table(TABLE).map_err(failed)?;
                let found = table.get(key.as_str()).map_err(failed)?;
                found.map(|guard| guard.value().to_vec())
            };
            let Some(stored) = stored else {
                return Ok(None);
            };
            match live(&stored, now_ms()) {
                Some(value) => Ok(Some(value.to_vec())),
                None => {
                    // Expired: absent for the reader, and removed so that it does not linger.
                    write(&db, |txn| remove_live(txn, &key)).map(|_| None)
                }
            }
        })
        .await
    }

    pub async fn put(&self, key: &str, value: &[u8], ttl: Option<Duration>) -> Result<(), String> {
        let (db, key) = (self.db.clone(), self.key(key));
        let stored = encode(value, ttl.map_or(NEVER, |ttl| expiry(now_ms(), ttl)));
        blocking(move || {
            write(&db, |txn| {
                let mut table = txn.open_table(TABLE).map_err(failed)?;
                table
                    .insert(key.as_str(), stored.as_slice())
                    .map_err(failed)?;
                Ok(())
            })
        })
        .await
    }

    /// Write transactions are serialized and the file is this process's alone, so the check and
    /// the insert cannot interleave with another writer's.
    pub async fn put_new(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool, String> {
        let (db, key) = (self.db.clone(), self.key(key));
        let value = value.to_vec();
        blocking(move || {
            write(&db, |txn| {
                let mut table = txn.open_table(TABLE).map_err(failed)?;
                let now = now_ms();
                let taken = match table.get(key.as_str()).map_err(failed)? {
                    Some(old) => live(old.value(), now).is_some(),
                    None => false,
                };
                if taken {
                    return Ok(false);
                }
                let stored = encode(&value, expiry(now, ttl));
                table
                    .insert(key.as_str(), stored.as_slice())
                    .map_err(failed)?;
                Ok(true)
            })
        })
        .await
    }

    pub async fn delete(&self, key: &str) -> Result<bool, String> {
        let (db, key) = (self.db.clone(), self.key(key));
        blocking(move || write(&db, |txn| remove_live(txn, &key)).map(|old| old.is_some())).await
    }

    pub async fn take(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        let (db, key) = (self.db.clone(), self.key(key));
        blocking(move || write(&db, |txn| remove_live(txn, &key))).await
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

fn open_db(path: &Path) -> Result<Database, String> {
    let shown = path.display();
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|err| format!("the token store folder {}: {err}", parent.display()))?;
    }
    let file =
        create_private(path).map_err(|err| format!("the token store file {shown}: {err}"))?;
    let db = Builder::new()
        .set_cache_size(CACHE_BYTES)
        // redb 3 and later read the v3 format without an upgrade step.
        .create_with_file_format_v3(true)
        .create_file(file)
        .map_err(|err| match err {
            DatabaseError::DatabaseAlreadyOpen => {
                format!("the token store file is in use by another process: {shown}")
            }
            err => format!("the token store file {shown}: {err}"),
        })?;
    write(&db, purge_expired).map_err(|err| format!("{err} ({shown})"))?;
    Ok(db)
}

/// Opens `path` for reading and writing, creating it readable by its owner alone: it holds every
/// user's (sealed) upstream tokens.
fn create_private(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Also creates the table, so that readers of a new file find it.
fn purge_expired(txn: &WriteTransaction) -> Result<(), String> {
    let mut table = txn.open_table(TABLE).map_err(failed)?;
    let now = now_ms();
    table
        .retain(|_, stored| live(stored, now).is_some())
        .map_err(failed)
}

/// Removes `key` and returns its value if it had not expired.
fn remove_live(txn: &WriteTransaction, key: &str) -> Result<Option<Vec<u8>>, String> {
    let mut table = txn.open_table(TABLE).map_err(failed)?;
    let old = table.remove(key).map_err(failed)?;
    Ok(old.and_then(|old| live(old.value(), now_ms()).map(<[u8]>::to_vec)))
}

/// Runs `work` in one write transaction, committed only if it succeeds.
fn write<T>(
    db: &Database,
    work: impl FnOnce(&WriteTransaction) -> Result<T, String>,
) -> Result<T, String> {
    let txn = db.begin_write().map_err(failed)?;
    let out = work(&txn)?;
    txn.commit().map_err(failed)?;
    Ok(out)
}

/// Runs `work` on the blocking pool: redb reads, writes and fsyncs the file synchronously, which
/// must not hold up the async workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| format!("the token store file: the operation did not finish: {err}"))?
}

fn failed(err: impl Display) -> String {
    format!("the token store file: {err}")
}

fn encode(value: &[u8], expires: u64) -> Vec<u8> {
    let mut stored = Vec::with_capacity(8 + value.len());
    stored.extend_from_slice(&expires.to_be_bytes());
    stored.extend_from_slice(value);
    stored
}

/// The value in `stored` unless it expired by `now`; a record too short to hold an expiry (not
/// written by this module) reads as absent.
fn live(stored: &[u8], now: u64) -> Option<&[u8]> {
    let (expires, value) = stored.split_first_chunk::<8>()?;
    let expires = u64::from_be_bytes(*expires);
    (expires == NEVER || expires > now).then_some(value)
}

fn expiry(now: u64, ttl: Duration) -> u64 {
    let ttl = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
    // At least a millisecond ahead, so that a zero TTL is "expired", never "no expiry".
    now.saturating_add(ttl.max(1))
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use redb::ReadableTableMetadata;

    /// A fresh folder under the system's temporary one, removed when dropped. Not `tempfile`:
    /// these tests are also compiled in every generated crate, which has no dev-dependencies.
    pub(crate) struct TempDir(PathBuf);

    impl TempDir {
        pub(crate) fn new() -> TempDir {
            static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let dir = std::env::temp_dir().join(format!(
                "mcpwright-token-store-{}-{n}-{}",
                std::process::id(),
                now_ms()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }

        pub(crate) fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn the_expiry_prefix() {
        assert_eq!(live(&encode(b"v", NEVER), 5), Some(&b"v"[..]));
        assert_eq!(live(&encode(b"v", 10), 9), Some(&b"v"[..]));
        assert_eq!(live(&encode(b"v", 10), 10), None);
        assert_eq!(live(&encode(b"", NEVER), 5), Some(&b""[..]));
        assert_eq!(live(b"short", 0), None);
        assert_eq!(expiry(100, Duration::ZERO), 101);
        assert_eq!(expiry(100, Duration::MAX), u64::MAX);
    }

    #[test]
    fn put_get_delete_take_put_new() {
        rt().block_on(async {
            let dir = TempDir::new();
            let store = FileStore::open(&dir.path().join("t.redb"), "api")
                .await
                .unwrap();
            store.check().await.unwrap();
            assert_eq!(store.get("a").await.unwrap(), None);
            let binary = [0u8, 255, 13, 10, 0];
            store.put("a", &binary, None).await.unwrap();
            assert_eq!(store.get("a").await.unwrap().as_deref(), Some(&binary[..]));
            store.put("a", b"2", None).await.unwrap();
            assert_eq!(store.get("a").await.unwrap().as_deref(), Some(&b"2"[..]));
            assert!(store.delete("a").await.unwrap());
            assert!(!store.delete("a").await.unwrap());
            store.put("b", b"3", None).await.unwrap();
            assert_eq!(store.take("b").await.unwrap().as_deref(), Some(&b"3"[..]));
            assert_eq!(store.take("b").await.unwrap(), None);
            let ttl = Duration::from_secs(60);
            assert!(store.put_new("lock", b"x", ttl).await.unwrap());
            assert!(!store.put_new("lock", b"y", ttl).await.unwrap());
            assert_eq!(store.get("lock").await.unwrap().as_deref(), Some(&b"x"[..]));
        });
    }

    #[test]
    fn expired_entries_read_as_absent() {
        rt().block_on(async {
            let dir = TempDir::new();
            let store = FileStore::open(&dir.path().join("t.redb"), "api")
                .await
                .unwrap();
            let short = Duration::from_millis(200);
            store.put("a", b"1", Some(short)).await.unwrap();
            store.put("b", b"2", Some(short)).await.unwrap();
            store.put("c", b"3", Some(short)).await.unwrap();
            assert!(store.put_new("lock", b"x", short).await.unwrap());
            store.put("keep", b"4", None).await.unwrap();
            assert_eq!(store.get("a").await.unwrap().as_deref(), Some(&b"1"[..]));
            tokio::time::sleep(Duration::from_millis(400)).await;
            assert_eq!(store.get("a").await.unwrap(), None);
            assert_eq!(store.take("b").await.unwrap(), None);
            assert!(!store.delete("c").await.unwrap());
            assert!(store.put_new("lock", b"y", short).await.unwrap());
            assert_eq!(store.get("keep").await.unwrap().as_deref(), Some(&b"4"[..]));
        });
    }

    #[test]
    fn data_survives_a_reopen_and_expired_entries_are_purged() {
        rt().block_on(async {
            let dir = TempDir::new();
            let path = dir.path().join("nested").join("folder").join("t.redb");
            let store = FileStore::open(&path, "api").await.unwrap();
            store.put("kept", b"1", None).await.unwrap();
            store
                .put("gone", b"2", Some(Duration::from_millis(100)))
                .await
                .unwrap();
            drop(store);
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&path).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600);
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
            let store = FileStore::open(&path, "api").await.unwrap();
            assert_eq!(store.get("kept").await.unwrap().as_deref(), Some(&b"1"[..]));
            let db = store.db.clone();
            let stored = blocking(move || {
                let read = db.begin_read().map_err(failed)?;
                let table = read.open_table(TABLE).map_err(failed)?;
                table.len().map_err(failed)
            })
            .await
            .unwrap();
            assert_eq!(stored, 1, "the expired entry is purged on open");
            // Another namespace in the same file sees none of it.
            drop(store);
            let other = FileStore::open(&path, "other").await.unwrap();
            assert_eq!(other.get("kept").await.unwrap(), None);
        });
    }

    #[test]
    fn a_file_in_use_is_refused_clearly() {
        rt().block_on(async {
            let dir = TempDir::new();
            let path = dir.path().join("t.redb");
            let first = FileStore::open(&path, "api").await.unwrap();
            let Err(err) = FileStore::open(&path, "api").await else {
                panic!("a second handle opened the file");
            };
            assert!(
                err.contains("the token store file is in use by another process"),
                "{err}"
            );
            assert!(
                first.describe().starts_with("file /"),
                "{}",
                first.describe()
            );
            first.check().await.unwrap();
        });
    }

    #[test]
    fn a_file_that_is_no_store_is_refused() {
        rt().block_on(async {
            let dir = TempDir::new();
            let path = dir.path().join("t.redb");
            std::fs::write(&path, b"not a database, but with a secret").unwrap();
            let Err(err) = FileStore::open(&path, "api").await else {
                panic!("a file that is no database opened");
            };
            assert!(err.contains("t.redb"), "{err}");
            assert!(!err.contains("secret"), "{err}");
        });
    }
}
