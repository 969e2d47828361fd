//! A real Redis server for tests: Debian's build, unpacked under `target/tools/redis` without
//! root or a system install, started on a free loopback port with nothing persisted, and stopped
//! when dropped. Shared by the main crate's tests (through `common`) and the runtime crate's
//! (`#[path]`), so it depends on nothing but std and tempfile.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The packages `redis-server` comes from: Debian's `redis-server` is a symlink into
/// `redis-tools` (the binary picks its role by the name it is run as), which links jemalloc and
/// lzf; libc, libssl, libsystemd and libatomic are on every Debian machine.
const PACKAGES: &[&str] = &["redis-server", "redis-tools", "libjemalloc2", "liblzf1"];

static TOOLS: Mutex<Option<PathBuf>> = Mutex::new(None);

/// The workspace root: the folder with `Cargo.lock` above the crate being tested.
fn workspace() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").exists())
        .unwrap_or(&manifest)
        .to_owned()
}

/// The unpacked packages' root (`…/root`, holding `usr/bin/redis-server`), downloaded with
/// `apt-get download` and unpacked with `dpkg-deb -x` on first use. A Redis on PATH is not used,
/// so every machine tests the same build.
pub fn redis_root() -> PathBuf {
    let mut found = TOOLS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(root) = found.as_ref() {
        return root.clone();
    }
    let dir = workspace().join("target").join("tools").join("redis");
    let root = dir.join("root");
    if !root.join("usr/bin/redis-server").exists() {
        // Unpacked aside and renamed into place, so that a test binary running at the same time
        // never sees half a tree.
        // A tree without the binary is left over from an interrupted unpack.
        let _ = std::fs::remove_dir_all(&root);
        let downloads = dir.join(format!("download-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&downloads);
        std::fs::create_dir_all(&downloads).expect("create target/tools/redis");
        let download = || {
            Command::new("apt-get")
                .arg("download")
                .args(PACKAGES)
                .current_dir(&downloads)
                .status()
                .expect("apt-get is installed (Debian)")
                .success()
        };
        // A fresh machine has no package lists yet: fetch them once and try again.
        let downloaded = download() || {
            let _ = Command::new("apt-get").args(["update", "-qq"]).status();
            download()
        };
        assert!(downloaded, "apt-get download {PACKAGES:?} failed");
        let unpacked = downloads.join("root");
        for entry in std::fs::read_dir(&downloads)
            .expect("read the downloads")
            .flatten()
        {
            let package = entry.path();
            if package.extension().is_some_and(|e| e == "deb") {
                let status = Command::new("dpkg-deb")
                    .arg("-x")
                    .arg(&package)
                    .arg(&unpacked)
                    .status()
                    .expect("dpkg-deb is installed (Debian)");
                assert!(status.success(), "dpkg-deb -x {} failed", package.display());
            }
        }
        if std::fs::rename(&unpacked, &root).is_err() {
            assert!(
                root.exists(),
                "could not move the unpacked Redis into {}",
                root.display()
            );
        }
        let _ = std::fs::remove_dir_all(&downloads);
        missing_libraries(&root);
    }
    *found = Some(root.clone());
    root
}

/// Panics naming the shared libraries `redis-server` cannot find, rather than letting it fail to
/// start with a loader message in a log.
fn missing_libraries(root: &Path) {
    let Ok(output) = Command::new("ldd")
        .arg(root.join("usr/bin/redis-check-rdb"))
        .env("LD_LIBRARY_PATH", library_path(root))
        .output()
    else {
        return;
    };
    let text = String::from_utf8_lossy(&output.stdout);
    let missing: Vec<&str> = text.lines().filter(|l| l.contains("not found")).collect();
    assert!(
        missing.is_empty(),
        "redis-server lacks shared libraries (add their Debian packages to PACKAGES): {missing:?}"
    );
}

fn library_path(root: &Path) -> PathBuf {
    root.join("usr/lib/x86_64-linux-gnu")
}

/// A `redis-server` command ready to take arguments: the unpacked binary, run by that name, with
/// the unpacked libraries on the loader's path.
pub fn redis_server() -> Command {
    let root = redis_root();
    let mut command = Command::new(root.join("usr/bin/redis-server"));
    command.env("LD_LIBRARY_PATH", library_path(&root));
    command
}

/// A free loopback port at the time of asking.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().unwrap().port()
}

/// A running Redis on 127.0.0.1, in a temporary folder, persisting nothing.
pub struct Redis {
    child: Option<Child>,
    port: u16,
    args: Vec<String>,
    dir: tempfile::TempDir,
    /// A password the readiness probe must send (`--requirepass`).
    password: Option<String>,
    tls: bool,
}

impl Redis {
    /// Starts a Redis with `extra` arguments (say `["--requirepass", "pw"]`).
    pub fn start(extra: &[&str]) -> Redis {
        Redis::launched(extra, false)
    }

    /// Starts a Redis that speaks only TLS on its port; `extra` names the certificate files
    /// (`--tls-cert-file`, `--tls-key-file`, `--tls-ca-cert-file`, …).
    pub fn start_tls(extra: &[&str]) -> Redis {
        Redis::launched(extra, true)
    }

    fn launched(extra: &[&str], tls: bool) -> Redis {
        let mut redis = Redis {
            child: None,
            port: free_port(),
            args: extra.iter().map(|a| a.to_string()).collect(),
            dir: tempfile::tempdir().expect("a temporary folder"),
            password: None,
            tls,
        };
        redis.password = extra
            .iter()
            .position(|a| *a == "--requirepass")
            .and_then(|i| extra.get(i + 1))
            .map(|p| p.to_string());
        redis.launch();
        redis
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:PORT` (`rediss://` for TLS).
    pub fn url(&self) -> String {
        let scheme = if self.tls { "rediss" } else { "redis" };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// Stops the server (its data is gone: nothing is saved).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops the server and starts a new, empty one on the same port.
    pub fn restart(&mut self) {
        self.stop();
        self.launch();
    }

    fn launch(&mut self) {
        let log = self.dir.path().join("redis.log");
        let port = self.port.to_string();
        let mut command = redis_server();
        command
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--daemonize", "no", "--protected-mode", "no"])
            .arg("--dir")
            .arg(self.dir.path())
            .arg("--logfile")
            .arg(&log);
        if self.tls {
            command.args(["--port", "0", "--tls-port", &port]);
        } else {
            command.args(["--port", &port]);
        }
        command.args(&self.args);
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        self.wait_ready(&log);
    }

    /// Waits until the port accepts connections (and, for plain TCP, answers a PING).
    fn wait_ready(&mut self, log: &Path) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                let text = std::fs::read_to_string(log).unwrap_or_default();
                panic!("redis-server exited at start ({status}):\n{text}");
            }
            if self.answers() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "redis-server did not come up on port {}:\n{}",
                self.port,
                std::fs::read_to_string(log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn answers(&self) -> bool {
        let Ok(mut tcp) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        if self.tls {
            return true;
        }
        let _ = tcp.set_read_timeout(Some(Duration::from_secs(2)));
        let mut probe = String::new();
        if let Some(password) = &self.password {
            probe.push_str(&format!(
                "*2\r\n$4\r\nAUTH\r\n${}\r\n{password}\r\n",
                password.len()
            ));
        }
        probe.push_str("*1\r\n$4\r\nPING\r\n");
        if tcp.write_all(probe.as_bytes()).is_err() {
            return false;
        }
        let mut seen = Vec::new();
        let mut chunk = [0u8; 256];
        while !seen.ends_with(b"+PONG\r\n") {
            match tcp.read(&mut chunk) {
                Ok(0) | Err(_) => return false,
                Ok(n) => seen.extend_from_slice(&chunk[..n]),
            }
        }
        true
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}
