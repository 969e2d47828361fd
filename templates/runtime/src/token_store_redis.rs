//! The `redis://` token store: what replicas of one server share. A small client of our own
//! (`token_store_resp` says why) with a pool of idle connections, timeouts, and a reconnect when a
//! pooled connection turns out broken, as every one does after the server restarts.
//!
//! A command is sent again on a fresh connection only when sending it twice cannot change its
//! outcome (GET, SET without NX, PING). The others (SET NX, GETDEL, DEL) answer from the state
//! before them: if the first try reached the server but its reply was lost, a second would report
//! the first's effect as someone else's (a lock we hold as taken, a record we took as missing). So
//! for them a pooled connection is first proven alive with a PING, and a failure after that is
//! reported, not retried.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use percent_encoding::percent_decode_str;
use rustls::pki_types::ServerName;
use rustls_platform_verifier::BuilderVerifierExt;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio_rustls::TlsConnector;

use super::token_store_resp::{Reply, encode, read_reply};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const COMMAND_TIMEOUT: Duration = Duration::from_secs(3);
/// Idle connections kept for reuse; more are opened under load and closed after.
const MAX_IDLE: usize = 8;
/// Commands in flight at once, so that a burst of calls cannot open a connection each and
/// exhaust a shared server's `maxclients`; the rest wait their turn.
const MAX_IN_FLIGHT: usize = 32;

/// A `redis://` or `rediss://` URL, parsed.
#[derive(Debug, PartialEq, Eq)]
pub struct RedisUrl {
    pub tls: bool,
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<String>,
    pub db: u32,
}

impl RedisUrl {
    /// Parses `redis://[[user]:password@]host[:port][/db]` (and `rediss://`). Errors never repeat
    /// the URL: it may hold a password.
    pub fn parse(spec: &str) -> Result<RedisUrl, String> {
        let (tls, rest) = if let Some(rest) = spec.strip_prefix("redis://") {
            (false, rest)
        } else if let Some(rest) = spec.strip_prefix("rediss://") {
            (true, rest)
        } else {
            return Err("a Redis URL starts with redis:// or rediss://".into());
        };
        if rest.contains(['?', '#']) {
            return Err("a Redis URL takes no query or fragment (the database goes in the path: redis://host/2)".into());
        }
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((userinfo, hostport)) => (Some(userinfo), hostport),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            None => (None, None),
            Some(userinfo) => {
                let Some((user, password)) = userinfo.split_once(':') else {
                    return Err("the Redis URL names a user but no password: write redis://USER:PASSWORD@host, or redis://:PASSWORD@host for the default user".into());
                };
                let user = decode(user, "user name")?;
                (
                    (!user.is_empty()).then_some(user),
                    Some(decode(password, "password")?),
                )
            }
        };
        let (host, port) = host_port(hostport)?;
        let db = match path {
            "" => 0,
            db => db
                .parse()
                .ok()
                .filter(|_| db.bytes().all(|b| b.is_ascii_digit()))
                .ok_or("the Redis URL's path is the database number (redis://host/2)")?,
        };
        Ok(RedisUrl {
            tls,
            host,
            port,
            user,
            password,
            db,
        })
    }

    /// `host:port`, with brackets around an IPv6 address.
    fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// The host and port of a URL's authority. Errors quote none of it: a password with an
/// unescaped `/` or `@` ends up here.
fn host_port(hostport: &str) -> Result<(String, u16), String> {
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or("the Redis URL's IPv6 address lacks its closing ]")?;
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err("the Redis URL's bracketed host is no IPv6 address".into());
        }
        match after {
            "" => (host, None),
            after => match after.strip_prefix(':') {
                Some(port) => (host, Some(port)),
                None => return Err("the Redis URL has text after its IPv6 address".into()),
            },
        }
    } else {
        let (host, port) = match hostport.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (hostport, None),
        };
        let name_like = host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
        if host.is_empty() {
            return Err("the Redis URL names no host".into());
        }
        if !name_like || host.starts_with(['-', '.']) {
            return Err("the Redis URL's host is no host name or address".into());
        }
        (host, port)
    };
    let port = match port {
        None => 6379,
        Some(port) => port
            .parse::<u16>()
            .ok()
            .filter(|&p| p != 0 && port.bytes().all(|b| b.is_ascii_digit()))
            .ok_or("the Redis URL's port is no number from 1 to 65535")?,
    };
    Ok((host.to_owned(), port))
}

fn decode(text: &str, what: &str) -> Result<String, String> {
    // Strict: a stray % would otherwise be kept as is and the wrong password tried.
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'%'
            && !(bytes.get(i + 1..i + 3)).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
        {
            return Err(format!(
                "the Redis URL's {what} has a % not followed by two hex digits"
            ));
        }
    }
    percent_decode_str(text)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| format!("the Redis URL's {what} is not UTF-8 once decoded"))
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

struct Conn {
    io: Box<dyn Io>,
    buf: Vec<u8>,
}

/// Why a command failed: whether the connection is still usable decides what happens to it.
enum Failure {
    /// The server answered with an error; the connection is fine.
    Refused(String),
    /// Broken, timed out or out of step: the connection is dropped.
    Broken(String),
}

impl Conn {
    async fn call(&mut self, args: &[&[u8]]) -> Result<Reply, Failure> {
        let exchange = async {
            self.io
                .write_all(&encode(args))
                .await
                .map_err(|err| err.to_string())?;
            self.io.flush().await.map_err(|err| err.to_string())?;
            read_reply(&mut self.io, &mut self.buf)
                .await
                .map_err(|err| err.to_string())
        };
        match tokio::time::timeout(COMMAND_TIMEOUT, exchange).await {
            Err(_) => Err(Failure::Broken(format!(
                "no reply within {} s",
                COMMAND_TIMEOUT.as_secs()
            ))),
            Ok(Err(err)) => Err(Failure::Broken(err)),
            Ok(Ok(Reply::Error(err))) => Err(Failure::Refused(server_error(&err))),
            Ok(Ok(reply)) => Ok(reply),
        }
    }
}

/// A server error as we report it. Redis repeats the start of a command's arguments in some
/// errors (an unknown or renamed command), and those may be a token: they are cut off.
fn server_error(err: &str) -> String {
    let err = err
        .split(", with args beginning with")
        .next()
        .unwrap_or(err);
    format!("the Redis server answered: {err}")
}

/// Whether a command may be sent a second time after its first try's fate is unknown.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Retry {
    Safe,
    Unsafe,
}

pub struct RedisStore {
    url: RedisUrl,
    tls: Option<TlsConnector>,
    prefix: String,
    idle: Mutex<Vec<Conn>>,
    in_flight: Semaphore,
}

impl RedisStore {
    /// Parses `spec` and prepares the TLS configuration; connects only when first used (see
    /// `check`).
    pub fn new(spec: &str, namespace: &str) -> Result<RedisStore, String> {
        let url = RedisUrl::parse(spec)?;
        let tls = url.tls.then(tls_connector).transpose()?;
        Ok(RedisStore {
            url,
            tls,
            prefix: format!("mcpwright:{namespace}:"),
            idle: Mutex::new(Vec::new()),
            in_flight: Semaphore::new(MAX_IN_FLIGHT),
        })
    }

    pub fn describe(&self) -> String {
        let tls = if self.url.tls { " (TLS)" } else { "" };
        format!("redis {}/{}{tls}", self.url.address(), self.url.db)
    }

    pub async fn check(&self) -> Result<(), String> {
        match self.run(&[b"PING"], Retry::Safe).await? {
            Reply::Status(_) => Ok(()),
            other => Err(self.unexpected("PING", &other)),
        }
    }

    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        let key = self.key(key);
        match self.run(&[b"GET", key.as_bytes()], Retry::Safe).await? {
            Reply::Bulk(value) => Ok(value),
            other => Err(self.unexpected("GET", &other)),
        }
    }

    pub async fn put(&self, key: &str, value: &[u8], ttl: Option<Duration>) -> Result<(), String> {
        let key = self.key(key);
        let reply = match ttl {
            None => {
                self.run(&[b"SET", key.as_bytes(), value], Retry::Safe)
                    .await?
            }
            Some(ttl) => {
                let ms = millis(ttl);
                let args: [&[u8]; 5] = [b"SET", key.as_bytes(), value, b"PX", ms.as_bytes()];
                self.run(&args, Retry::Safe).await?
            }
        };
        match reply {
            Reply::Status(_) => Ok(()),
            other => Err(self.unexpected("SET", &other)),
        }
    }

    pub async fn put_new(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool, String> {
        let key = self.key(key);
        let ms = millis(ttl);
        let args: [&[u8]; 6] = [b"SET", key.as_bytes(), value, b"NX", b"PX", ms.as_bytes()];
        match self.run(&args, Retry::Unsafe).await? {
            Reply::Status(_) => Ok(true),
            Reply::Bulk(None) => Ok(false),
            other => Err(self.unexpected("SET NX", &other)),
        }
    }

    pub async fn delete(&self, key: &str) -> Result<bool, String> {
        let key = self.key(key);
        match self.run(&[b"DEL", key.as_bytes()], Retry::Unsafe).await? {
            Reply::Integer(n) => Ok(n > 0),
            other => Err(self.unexpected("DEL", &other)),
        }
    }

    pub async fn take(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        let key = self.key(key);
        match self.run(&[b"GETDEL", key.as_bytes()], Retry::Unsafe).await {
            Ok(Reply::Bulk(value)) => Ok(value),
            Ok(other) => Err(self.unexpected("GETDEL", &other)),
            Err(err) if err.contains("unknown command") => Err(format!(
                "{}: GETDEL is unknown to this server: the token store needs Redis 6.2 or later",
                self.describe()
            )),
            Err(err) => Err(err),
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn unexpected(&self, command: &str, reply: &Reply) -> String {
        let kind = match reply {
            Reply::Status(_) => "a status",
            Reply::Error(_) => "an error",
            Reply::Integer(_) => "an integer",
            Reply::Bulk(_) => "a string",
            Reply::Array(_) => "an array",
        };
        format!("{}: {kind} in reply to {command}", self.describe())
    }

    /// Sends `args` on a pooled connection or a fresh one, per the retry rule in the module's
    /// comment; errors name the store, never a value.
    async fn run(&self, args: &[&[u8]], retry: Retry) -> Result<Reply, String> {
        let _permit = self
            .in_flight
            .acquire()
            .await
            .map_err(|_| format!("{}: the store is closed", self.describe()))?;
        let fail = |err: String| {
            let command = String::from_utf8_lossy(args[0]);
            format!("{}: {command}: {err}", self.describe())
        };
        let (mut conn, reused) = match self.pooled(retry).await {
            Some(conn) => (conn, true),
            None => (self.connect().await?, false),
        };
        let mut result = conn.call(args).await;
        if reused && retry == Retry::Safe && matches!(result, Err(Failure::Broken(_))) {
            // The server restarted or dropped idle connections: the rest of the pool is as old.
            self.idle.lock().unwrap_or_else(|e| e.into_inner()).clear();
            conn = self.connect().await?;
            result = conn.call(args).await;
        }
        match result {
            Ok(reply) => {
                self.release(conn);
                Ok(reply)
            }
            Err(Failure::Refused(err)) => {
                self.release(conn);
                Err(fail(err))
            }
            Err(Failure::Broken(err)) if retry == Retry::Unsafe => {
                Err(fail(format!("{err}; whether it took effect is unknown")))
            }
            Err(Failure::Broken(err)) => Err(fail(err)),
        }
    }

    /// An idle connection, if any; for a command that is not retried, one that just answered a
    /// PING (a connection that fails it is dropped, with the rest of the pool).
    async fn pooled(&self, retry: Retry) -> Option<Conn> {
        let mut conn = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop()?;
        if retry == Retry::Safe {
            return Some(conn);
        }
        match conn.call(&[b"PING"]).await {
            Ok(Reply::Status(_)) => Some(conn),
            _ => {
                self.idle.lock().unwrap_or_else(|e| e.into_inner()).clear();
                None
            }
        }
    }

    fn release(&self, conn: Conn) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push(conn);
        }
    }

    /// A new connection, through TLS if the URL says so, authenticated and on the URL's
    /// database; an error names the store.
    async fn connect(&self) -> Result<Conn, String> {
        self.open_conn()
            .await
            .map_err(|err| format!("{}: {err}", self.describe()))
    }

    async fn open_conn(&self) -> Result<Conn, String> {
        let address = (self.url.host.as_str(), self.url.port);
        let io: Box<dyn Io> = tokio::time::timeout(CONNECT_TIMEOUT, async {
            let tcp = TcpStream::connect(address)
                .await
                .map_err(|err| format!("cannot connect: {err}"))?;
            // Commands are small and each waits for its reply: Nagle's delay would only add
            // latency.
            let _ = tcp.set_nodelay(true);
            let Some(tls) = &self.tls else {
                return Ok::<Box<dyn Io>, String>(Box::new(tcp));
            };
            let name = ServerName::try_from(self.url.host.clone())
                .map_err(|_| "the host is no valid TLS server name".to_string())?;
            let stream = tls
                .connect(name, tcp)
                .await
                .map_err(|err| format!("TLS: {err}"))?;
            Ok(Box::new(stream) as Box<dyn Io>)
        })
        .await
        .map_err(|_| format!("cannot connect within {} s", CONNECT_TIMEOUT.as_secs()))??;
        let mut conn = Conn {
            io,
            buf: Vec::new(),
        };
        if let Some(password) = &self.url.password {
            let mut args: Vec<&[u8]> = vec![b"AUTH"];
            if let Some(user) = &self.url.user {
                args.push(user.as_bytes());
            }
            args.push(password.as_bytes());
            conn.call(&args).await.map_err(|failure| match failure {
                Failure::Refused(err) => {
                    format!("the Redis server refused the URL's user name or password ({err})")
                }
                Failure::Broken(err) => format!("AUTH: {err}"),
            })?;
        }
        if self.url.db != 0 {
            let db = self.url.db.to_string();
            conn.call(&[b"SELECT", db.as_bytes()])
                .await
                .map_err(|failure| match failure {
                    Failure::Refused(err) | Failure::Broken(err) => format!("SELECT {db}: {err}"),
                })?;
        }
        Ok(conn)
    }
}

/// The TLS client for `rediss://`: the same provider (ring) and the same trust (the system's
/// roots, through the platform verifier) as the runtime's HTTP clients.
fn tls_connector() -> Result<TlsConnector, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_platform_verifier())
        .map_err(|err| format!("the TLS configuration for rediss://: {err}"))?
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// A TTL in milliseconds for PX, at least 1 (Redis refuses 0).
fn millis(ttl: Duration) -> String {
    ttl.as_millis().clamp(1, i64::MAX as u128).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(spec: &str) -> RedisUrl {
        RedisUrl::parse(spec).unwrap_or_else(|err| panic!("{spec}: {err}"))
    }

    #[test]
    fn urls() {
        assert_eq!(
            url("redis://localhost"),
            RedisUrl {
                tls: false,
                host: "localhost".into(),
                port: 6379,
                user: None,
                password: None,
                db: 0
            }
        );
        let full = url("rediss://al%40ice:p%3Aa%2Fss%25@cache.internal:6380/3");
        assert!(full.tls);
        assert_eq!(full.user.as_deref(), Some("al@ice"));
        assert_eq!(full.password.as_deref(), Some("p:a/ss%"));
        assert_eq!(
            (full.host.as_str(), full.port, full.db),
            ("cache.internal", 6380, 3)
        );
        let default_user = url("redis://:secret@127.0.0.1/");
        assert_eq!(
            (default_user.user, default_user.password.as_deref()),
            (None, Some("secret"))
        );
        assert_eq!(default_user.db, 0);
        // An @ in the password, unescaped: the host is after the last @.
        assert_eq!(url("redis://:a@b@h").password.as_deref(), Some("a@b"));
        let v6 = url("redis://[::1]:7000/1");
        assert_eq!(
            (v6.host.as_str(), v6.port, v6.address()),
            ("::1", 7000, "[::1]:7000".into())
        );
        assert_eq!(url("redis://[::1]").port, 6379);
    }

    #[test]
    fn bad_urls_are_refused_without_repeating_the_password() {
        for spec in [
            "http://h",
            "redis://",
            "redis://:hunter2@",
            "redis://h:0",
            "redis://h:65536",
            "redis://h:+1",
            "redis://h:port",
            "redis://h/x",
            "redis://h/-1",
            "redis://h/1/2",
            "redis://h?db=1",
            "redis://:hunter2@h#x",
            "redis://hunter2@h",
            "redis://:hunter2%zz@h",
            "redis://:hunter2%ff@h",
            "redis://[::1",
            "redis://[nothunter2]:1",
            "redis://[::1]x",
            "redis://ho st",
            "redis://:hunter2@-h",
        ] {
            let err = RedisUrl::parse(spec).expect_err(spec);
            assert!(!err.contains("hunter2"), "{spec}: {err}");
        }
    }

    #[test]
    fn describe_names_no_password() {
        let store = RedisStore::new("redis://u:hunter2@10.0.0.5:6390/2", "api").unwrap();
        assert_eq!(store.describe(), "redis 10.0.0.5:6390/2");
        let store = RedisStore::new("rediss://:hunter2@[::1]", "api").unwrap();
        assert_eq!(store.describe(), "redis [::1]:6379/0 (TLS)");
    }

    #[test]
    fn server_errors_do_not_repeat_arguments() {
        let err = server_error(
            "ERR unknown command 'SETX', with args beginning with: 'mcpwright:a:k' 'token' ",
        );
        assert_eq!(err, "the Redis server answered: ERR unknown command 'SETX'");
        assert_eq!(millis(Duration::ZERO), "1");
        assert_eq!(millis(Duration::from_millis(1500)), "1500");
        assert_eq!(millis(Duration::MAX), i64::MAX.to_string());
    }
}
