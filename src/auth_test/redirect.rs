//! Getting the authorization redirect back: a loopback listener for a browser (opened for the
//! user, or the URL printed), or `--headless`, which follows the authorization server's
//! redirects itself until one points at the loopback redirect URI.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;
use url::Url;

use super::discovery::plain_error;
use super::options::Browser;

/// Why no redirect came back: what was seen and what to fix.
pub struct NoRedirect {
    pub saw: String,
    pub fix: String,
}

/// The loopback listener and the redirect URI that reaches it.
pub struct Loopback {
    listener: TcpListener,
    pub redirect_uri: String,
}

impl Loopback {
    /// Binds 127.0.0.1 on a port the system picks (RFC 8252 §7.3: any port of a loopback
    /// redirect URI is acceptable to an authorization server that follows it).
    pub async fn bind() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        Ok(Self {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}/callback"),
        })
    }

    /// The redirect (the full callback URL, with `code`, `state` and perhaps `iss`).
    pub async fn callback(
        &self,
        browser: Browser,
        auth_url: &str,
        timeout: Duration,
    ) -> Result<String, NoRedirect> {
        match browser {
            Browser::Headless => {
                match tokio::time::timeout(timeout, headless(auth_url, &self.redirect_uri)).await {
                    Ok(result) => result,
                    Err(_) => Err(NoRedirect {
                        saw: format!(
                            "the authorization server's redirects did not reach {} within {} s",
                            self.redirect_uri,
                            timeout.as_secs()
                        ),
                        fix: "check that the authorization server approves without a person \
                              (--headless is for test IdPs), or run without --headless"
                            .into(),
                    }),
                }
            }
            Browser::Print | Browser::Open => {
                eprintln!("open this URL to authorize:\n  {auth_url}");
                if browser == Browser::Open && !open_browser(auth_url) {
                    eprintln!("(could not start a browser: open the URL yourself)");
                }
                match tokio::time::timeout(timeout, self.wait()).await {
                    Ok(result) => result,
                    Err(_) => Err(NoRedirect {
                        saw: format!(
                            "no redirect reached {} within {} s",
                            self.redirect_uri,
                            timeout.as_secs()
                        ),
                        fix: "finish signing in within the time (--timeout), and allow the \
                              loopback redirect URI http://127.0.0.1 (any port) /callback for \
                              this client at the authorization server"
                            .into(),
                    }),
                }
            }
        }
    }

    /// Answers requests on the listener until one is the callback.
    async fn wait(&self) -> Result<String, NoRedirect> {
        loop {
            let Ok((mut stream, _)) = self.listener.accept().await else {
                // Out of file descriptors, say: wait a little rather than spin.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            let mut buffer = vec![0u8; 16 * 1024];
            // A connection that sends nothing (a browser's speculative preconnect) must not hold
            // up the one that brings the redirect.
            let read = tokio::time::timeout(READ_TIMEOUT, stream.read(&mut buffer))
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or(0);
            let head = String::from_utf8_lossy(&buffer[..read]);
            let target = head
                .lines()
                .next()
                .and_then(|line| line.strip_prefix("GET "))
                .and_then(|rest| rest.split(' ').next())
                .unwrap_or_default()
                .to_owned();
            let is_callback = target.split('?').next() == Some("/callback");
            let (status, body) = if is_callback {
                (
                    "200 OK",
                    "mcpwright auth test: authorization received; close this tab.",
                )
            } else {
                ("404 Not Found", "not found")
            };
            let answer = format!(
                "HTTP/1.1 {status}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: \
                 {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes()).await;
            if is_callback {
                let base = self.redirect_uri.trim_end_matches("/callback");
                return Ok(format!("{base}{target}"));
            }
        }
    }
}

/// Starts the system browser on `url`; best effort.
fn open_browser(url: &str) -> bool {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut command = std::process::Command::new("cmd");
        command.args(["/C", "start", ""]);
        command
    } else {
        std::process::Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok()
}

/// How long a connection to the loopback listener may take to send its request line.
const READ_TIMEOUT: Duration = Duration::from_secs(2);

/// At most this many redirects between the authorization URL and the callback.
const MAX_HOPS: usize = 20;

/// Follows the authorization server's redirects with a cookie jar (its login and consent
/// steps keep state in cookies) until a `Location` starts with the redirect URI.
async fn headless(auth_url: &str, redirect_uri: &str) -> Result<String, NoRedirect> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(super::http::TIMEOUT)
        .build()
        .map_err(|err| NoRedirect {
            saw: format!("cannot make an HTTP client: {err}"),
            fix: "report this as a bug of mcpwright".into(),
        })?;
    let mut url = Url::parse(auth_url).map_err(|err| NoRedirect {
        saw: format!("the authorization URL does not parse: {err}"),
        fix: "check the authorization_endpoint in the authorization server's metadata".into(),
    })?;
    let mut jar: BTreeMap<String, String> = BTreeMap::new();
    for _ in 0..MAX_HOPS {
        let mut request = http.get(url.clone());
        if !jar.is_empty() {
            let cookies: Vec<String> = jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
            request = request.header("cookie", cookies.join("; "));
        }
        let response = request.send().await.map_err(|err| NoRedirect {
            saw: format!(
                "cannot reach {}: {}",
                without_query(&url),
                plain_error(&err)
            ),
            fix: "check the authorization_endpoint in the authorization server's metadata".into(),
        })?;
        for line in response.headers().get_all("set-cookie") {
            let Ok(line) = line.to_str() else { continue };
            let pair = line.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                let expired = line.to_ascii_lowercase().contains("max-age=0");
                if value.trim().is_empty() || expired {
                    jar.remove(name.trim());
                } else {
                    jar.insert(name.trim().to_owned(), value.trim().to_owned());
                }
            }
        }
        let status = response.status();
        let location = response
            .headers()
            .get("location")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let Some(location) = location.filter(|_| status.is_redirection()) else {
            let body = response.text().await.unwrap_or_default();
            let excerpt: String = body.chars().take(300).collect();
            return Err(NoRedirect {
                saw: format!(
                    "the authorization server answered {} at {} instead of redirecting: {}",
                    status.as_u16(),
                    without_query(&url),
                    excerpt.trim()
                ),
                fix: "--headless needs an authorization server that approves without a person \
                      (a test IdP); run with --no-browser or without flags to sign in in a \
                      browser"
                    .into(),
            });
        };
        if location.starts_with(redirect_uri) {
            return Ok(location);
        }
        url = url.join(&location).map_err(|err| NoRedirect {
            saw: format!("a redirect to {location} does not parse: {err}"),
            fix: "check the authorization server's redirects".into(),
        })?;
    }
    Err(NoRedirect {
        saw: format!("more than {MAX_HOPS} redirects without reaching {redirect_uri}"),
        fix: "allow the loopback redirect URI for this client at the authorization server".into(),
    })
}

/// A URL without its query (which holds the state and PKCE challenge: not for the output).
pub fn without_query(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.to_string()
}
