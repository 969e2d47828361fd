//! The Redis token store against a real Redis (Debian's, started by the tests on a free loopback
//! port): the commands, atomicity between replicas, TTLs, AUTH, SELECT, reconnecting after a
//! restart, TLS, and clear errors.

#[path = "../../../tests/common/redis.rs"]
mod redis;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use mcpwright_runtime::token_store::TokenStore;
use redis::{Redis, free_port};

async fn open(url: &str, namespace: &str) -> TokenStore {
    let store = TokenStore::open(url, namespace)
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    store.check().await.unwrap_or_else(|err| panic!("{err}"));
    store
}

#[tokio::test]
async fn commands_on_a_real_redis() {
    let server = Redis::start(&[]);
    let store = open(&server.url(), "api").await;
    assert_eq!(
        store.describe(),
        format!("redis 127.0.0.1:{}/0", server.port())
    );
    assert_eq!(store.get("k").await.unwrap(), None);
    // Binary-safe: CRLF, NUL and bytes that are no UTF-8, as sealed tokens are.
    let value: Vec<u8> = (0..=255u8).chain(*b"\r\n$-1\r\n").collect();
    store.put("k", &value, None).await.unwrap();
    assert_eq!(store.get("k").await.unwrap(), Some(value.clone()));
    store.put("k", b"", None).await.unwrap();
    assert_eq!(store.get("k").await.unwrap(), Some(vec![]));
    assert!(store.delete("k").await.unwrap());
    assert!(!store.delete("k").await.unwrap());
    store.put("flow", b"record", None).await.unwrap();
    assert_eq!(
        store.take("flow").await.unwrap().as_deref(),
        Some(&b"record"[..])
    );
    assert_eq!(store.take("flow").await.unwrap(), None);
    let ttl = Duration::from_secs(60);
    assert!(store.put_new("lock", b"a", ttl).await.unwrap());
    assert!(!store.put_new("lock", b"b", ttl).await.unwrap());
    assert_eq!(store.get("lock").await.unwrap().as_deref(), Some(&b"a"[..]));
    // Another API sharing the Redis sees none of this one's keys.
    let other = open(&server.url(), "other-api").await;
    assert_eq!(other.get("lock").await.unwrap(), None);
    assert!(other.put_new("lock", b"c", ttl).await.unwrap());
}

#[tokio::test]
async fn many_calls_at_once_share_the_pool() {
    let server = Redis::start(&[]);
    let store = Arc::new(open(&server.url(), "api").await);
    let calls = (0..64).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            let key = format!("k{i}");
            store.put(&key, key.as_bytes(), None).await.unwrap();
            assert_eq!(store.get(&key).await.unwrap(), Some(key.into_bytes()));
        })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_new_and_take_have_exactly_one_winner_across_replicas() {
    let server = Redis::start(&[]);
    // Two stores, as two replicas of one server would have.
    let replicas = [
        Arc::new(open(&server.url(), "api").await),
        Arc::new(open(&server.url(), "api").await),
    ];
    for round in 0..20 {
        let key = format!("marker{round}");
        let tries = (0..8).map(|i| {
            let store = replicas[i % 2].clone();
            let key = key.clone();
            tokio::spawn(async move {
                store
                    .put_new(&key, format!("{i}").as_bytes(), Duration::from_secs(60))
                    .await
                    .unwrap()
            })
        });
        let mut winners = 0;
        for t in tries.collect::<Vec<_>>() {
            winners += usize::from(t.await.unwrap());
        }
        assert_eq!(winners, 1, "round {round}");

        let record = format!("flow{round}");
        replicas[0].put(&record, b"once", None).await.unwrap();
        let takers = (0..8).map(|i| {
            let store = replicas[i % 2].clone();
            let record = record.clone();
            tokio::spawn(async move { store.take(&record).await.unwrap() })
        });
        let mut taken = 0;
        for t in takers.collect::<Vec<_>>() {
            taken += usize::from(t.await.unwrap().is_some());
        }
        assert_eq!(taken, 1, "round {round}");
    }
}

#[tokio::test]
async fn entries_expire() {
    let server = Redis::start(&[]);
    let store = open(&server.url(), "api").await;
    let short = Duration::from_millis(200);
    store.put("a", b"1", Some(short)).await.unwrap();
    assert!(store.put_new("lock", b"x", short).await.unwrap());
    store.put("kept", b"2", None).await.unwrap();
    assert_eq!(store.get("a").await.unwrap().as_deref(), Some(&b"1"[..]));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(store.get("a").await.unwrap(), None);
    assert!(store.put_new("lock", b"y", short).await.unwrap());
    assert_eq!(store.get("kept").await.unwrap().as_deref(), Some(&b"2"[..]));
    // A put without a TTL replaces one with, and keeps its value for good.
    store.put("b", b"3", Some(short)).await.unwrap();
    store.put("b", b"4", None).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(store.get("b").await.unwrap().as_deref(), Some(&b"4"[..]));
}

#[tokio::test]
async fn auth_with_a_password_and_a_user() {
    let password = "s3cr:t p@ss/%";
    let server = Redis::start(&[
        "--requirepass",
        password,
        // An ACL user limited to our keys, as a shared Redis would give each server.
        "--user",
        "alice",
        "on",
        ">alice-pw",
        "~mcpwright:*",
        "+@all",
    ]);
    let port = server.port();
    let encoded = "s3cr%3At%20p%40ss%2F%25";
    let store = open(&format!("redis://:{encoded}@127.0.0.1:{port}"), "api").await;
    store.put("k", b"v", None).await.unwrap();
    assert_eq!(store.get("k").await.unwrap().as_deref(), Some(&b"v"[..]));
    let alice = open(&format!("redis://alice:alice-pw@127.0.0.1:{port}"), "api").await;
    assert_eq!(alice.get("k").await.unwrap().as_deref(), Some(&b"v"[..]));

    let wrong = TokenStore::open(&format!("redis://:wrong-hunter2@127.0.0.1:{port}"), "api")
        .await
        .unwrap();
    let err = wrong
        .check()
        .await
        .expect_err("a wrong password was accepted");
    assert!(
        err.contains("refused the URL's user name or password"),
        "{err}"
    );
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    let err = wrong.put("k", b"value-hunter2", None).await.unwrap_err();
    assert!(!err.contains("hunter2"), "{err}");

    let none = open_unchecked(&format!("redis://127.0.0.1:{port}")).await;
    let err = none.check().await.expect_err("no password was accepted");
    assert!(err.contains("NOAUTH"), "{err}");
}

async fn open_unchecked(url: &str) -> TokenStore {
    TokenStore::open(url, "api").await.unwrap()
}

#[tokio::test]
async fn the_database_in_the_path_is_selected() {
    let server = Redis::start(&[]);
    let db3 = open(&format!("{}/3", server.url()), "api").await;
    let db0 = open(&format!("{}/0", server.url()), "api").await;
    db3.put("k", b"in 3", None).await.unwrap();
    assert_eq!(db0.get("k").await.unwrap(), None);
    let again = open(&format!("{}/3", server.url()), "api").await;
    assert_eq!(again.get("k").await.unwrap().as_deref(), Some(&b"in 3"[..]));
    let err = open_unchecked(&format!("{}/99", server.url()))
        .await
        .check()
        .await
        .unwrap_err();
    assert!(err.contains("SELECT 99"), "{err}");
}

#[tokio::test]
async fn it_reconnects_after_the_server_restarts() {
    let mut server = Redis::start(&[]);
    let store = open(&server.url(), "api").await;
    store.put("k", b"v", None).await.unwrap();
    // Several pooled connections, all of which the restart breaks.
    let (a, b, c) = tokio::join!(store.get("k"), store.get("k"), store.get("k"));
    assert!(a.unwrap().is_some() && b.unwrap().is_some() && c.unwrap().is_some());

    server.restart();
    // Nothing was saved, so the key is gone; what matters is that the calls work again.
    assert_eq!(store.get("k").await.unwrap(), None);
    store.put("k", b"again", None).await.unwrap();

    server.restart();
    assert!(
        store
            .put_new("lock", b"x", Duration::from_secs(60))
            .await
            .unwrap()
    );
    server.restart();
    assert!(!store.delete("lock").await.unwrap());
    server.restart();
    assert_eq!(store.take("k").await.unwrap(), None);
    server.restart();
    store.check().await.unwrap();

    // While it is down, calls fail clearly, and work again once it is back.
    server.stop();
    let err = store.get("k").await.unwrap_err();
    assert!(
        err.contains(&format!("127.0.0.1:{}", server.port())),
        "{err}"
    );
    server.restart();
    assert_eq!(store.get("k").await.unwrap(), None);
}

#[tokio::test]
async fn check_fails_clearly_when_nothing_listens() {
    let port = free_port();
    let store = open_unchecked(&format!("redis://:hunter2@127.0.0.1:{port}/1")).await;
    let err = store.check().await.unwrap_err();
    assert!(
        err.starts_with(&format!("redis 127.0.0.1:{port}/1: cannot connect")),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
}

/// The child half of `rediss_verifies_the_server`: run with the test CA as the system's roots.
const TLS_CHILD: &str = "MCPWRIGHT_TEST_REDISS_URL";

#[tokio::test]
async fn rediss_verifies_the_server() {
    if let Ok(url) = std::env::var(TLS_CHILD) {
        let store = open(&url, "api").await;
        store.put("k", b"over TLS", None).await.unwrap();
        assert_eq!(
            store.take("k").await.unwrap().as_deref(),
            Some(&b"over TLS"[..])
        );
        return;
    }
    let certs = tempfile::tempdir().unwrap();
    make_certificates(certs.path());
    let file = |name: &str| certs.path().join(name).display().to_string();
    let server = Redis::start_tls(&[
        "--tls-cert-file",
        &file("server.crt"),
        "--tls-key-file",
        &file("server.key"),
        "--tls-ca-cert-file",
        &file("ca.crt"),
        "--tls-auth-clients",
        "no",
    ]);
    let url = server.url();

    // Not trusted by this machine's roots: refused.
    match TokenStore::open(&url, "api").await {
        Ok(store) => {
            let err = store.check().await.expect_err("an unknown CA was trusted");
            assert!(err.contains("TLS"), "{err}");
            assert!(store.describe().ends_with("(TLS)"));
        }
        // A machine without CA certificates at all cannot verify anything.
        Err(err) => assert!(err.contains("TLS"), "{err}"),
    }

    // Trusted once the test CA is the roots: the platform verifier reads SSL_CERT_FILE, which
    // only a fresh process can be given safely, so this test runs itself again.
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "rediss_verifies_the_server", "--nocapture"])
        .env(TLS_CHILD, &url)
        .env("SSL_CERT_FILE", file("ca.crt"))
        .env_remove("SSL_CERT_DIR")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("1 passed"), "{text}");
}

/// A CA and a server certificate for 127.0.0.1 signed by it, with the openssl tool.
fn make_certificates(dir: &Path) {
    let openssl = |args: &[&str]| {
        let output = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl is installed");
        assert!(
            output.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
        "-out",
        "server.crt",
    ]);
}
