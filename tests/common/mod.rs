//! Helpers shared by the integration tests: where things are, and building generated crates in
//! one shared target folder so their dependencies compile once.

#![allow(dead_code)]

pub mod redis;

// Most test binaries start no Redis; the ones that do reach it as `common::Redis`.
#[allow(unused_imports)]
pub use redis::{Redis, free_port, redis_root, redis_server};

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled examples: (name, spec path), sorted by name.
pub fn examples() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(repo().join("examples"))
        .expect("examples/ exists")
        .flatten()
    {
        let dir = entry.path();
        let spec = [
            "openapi.yaml",
            "openapi.json",
            "swagger.yaml",
            "swagger.json",
        ]
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.exists());
        if let Some(spec) = spec {
            out.push((entry.file_name().to_string_lossy().into_owned(), spec));
        }
    }
    out.sort();
    out
}

/// The crate name a snapshot of `example` is generated with.
pub fn snapshot_crate_name(example: &str) -> String {
    format!("{example}-mcp")
}

/// Where the snapshot of `example` is kept: what `emit` decides, without `src/runtime/`.
pub fn snapshot_dir(example: &str) -> PathBuf {
    repo().join("snapshots").join(example)
}

/// The crate `spec` generates as if into `out`, named `name`, in memory, as `mcpwright generate`
/// makes it: with the `mcpwright.toml` beside the spec, and keeping the tool names a
/// `mcpwright.lock` in `out` pins.
pub fn render(spec: &Path, out: &Path, name: &str) -> mcpwright::emit::Crate {
    let mut options = mcpwright::Options {
        crate_name: Some(name.to_owned()),
        ..Default::default()
    };
    if let Some(file) = mcpwright::config::beside(spec) {
        mcpwright::config::load(&file)
            .and_then(|config| config.apply(&mut options))
            .unwrap_or_else(|err| panic!("{}: {err}", file.display()));
        options.config_file = Some(file);
    }
    let (_, krate) = mcpwright::render(spec, out, &options)
        .unwrap_or_else(|err| panic!("{}: {err}", spec.display()));
    krate
}

/// The whole snapshot crate of `example` (the crate its snapshot holds, runtime included), in
/// memory.
pub fn render_snapshot(example: &str, spec: &Path) -> mcpwright::emit::Crate {
    render(spec, &snapshot_dir(example), &snapshot_crate_name(example))
}

/// Generates the whole snapshot crate of `example` fresh into
/// `<generated_target>/crates/<example>-mcp`, for building and running, and returns that folder.
/// It is written by the writer `mcpwright generate` uses, so files that did not change keep their
/// timestamps and incremental builds stay fast.
pub fn snapshot_crate(example: &str, spec: &Path) -> PathBuf {
    let name = snapshot_crate_name(example);
    let dir = generated_target().join("crates").join(&name);
    let krate = render_snapshot(example, spec);
    // The writer never replaces a starter file (`src/hooks.rs`): the user owns it. This copy is
    // the tests', so one the generator now writes differently is removed and written afresh.
    for (path, contents) in &krate.user_files {
        let file = dir.join(path);
        if std::fs::read(&file).is_ok_and(|old| old != contents.as_bytes()) {
            std::fs::remove_file(&file).expect("remove an outdated starter file");
        }
    }
    mcpwright::write::write_crate(&dir, &krate)
        .unwrap_or_else(|err| panic!("{example}: writing {}: {err}", dir.display()));
    dir
}

/// The target folder every generated crate in the tests builds into: the workspace's own, so the
/// dependencies this repository already compiled for the runtime crate are reused.
pub fn generated_target() -> PathBuf {
    // A relative CARGO_TARGET_DIR is relative to where cargo was started: the repository root.
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| repo().join("target"), |dir| repo().join(dir))
}

/// The real specs beside the project, when present (`../shared/specs`).
pub fn shared_specs() -> Option<PathBuf> {
    let dir = repo().join("..").join("shared").join("specs");
    dir.is_dir().then_some(dir)
}

/// Serializes cargo invocations on generated crates: they share one target folder, and running
/// them one at a time keeps the 2-core machine responsive.
static CARGO: Mutex<()> = Mutex::new(());

/// Runs `cargo <args>` in `dir` with the shared target folder; panics with the output on failure.
pub fn cargo(dir: &Path, args: &[&str]) -> String {
    let _guard = CARGO.lock().unwrap_or_else(|e| e.into_inner());
    // Reuse the versions this repository resolved and tested with.
    let lock = dir.join("Cargo.lock");
    if !lock.exists() {
        std::fs::copy(repo().join("Cargo.lock"), &lock).expect("copy Cargo.lock");
    }
    let output = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", generated_target())
        // The workspace's dev profile, so dependency artifacts are shared rather than rebuilt.
        .env("CARGO_PROFILE_DEV_DEBUG", "line-tables-only")
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "cargo {} failed in {}:\n{text}",
        args.join(" "),
        dir.display()
    );
    text
}

/// Builds the generated crate in `dir` and returns its binary.
pub fn build_binary(dir: &Path, crate_name: &str) -> PathBuf {
    cargo(dir, &["build", "--quiet"]);
    generated_target().join("debug").join(crate_name)
}

static NPM: Mutex<bool> = Mutex::new(false);

/// Installs the end-to-end harness's npm packages (pinned by its package-lock.json) once.
pub fn npm_ready() -> PathBuf {
    let e2e = repo().join("tests").join("e2e");
    let mut done = NPM.lock().unwrap_or_else(|e| e.into_inner());
    if !*done {
        let marker = e2e.join("node_modules").join(".package-lock.json");
        let lock = e2e.join("package-lock.json");
        let fresh = marker.exists()
            && std::fs::metadata(&marker).and_then(|m| m.modified()).ok()
                >= std::fs::metadata(&lock).and_then(|m| m.modified()).ok();
        if !fresh {
            let status = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&e2e)
                .status()
                .expect("npm is installed (Node.js 20 or later)");
            assert!(status.success(), "npm ci failed in {}", e2e.display());
        }
        *done = true;
    }
    e2e
}

static NGINX: Mutex<Option<PathBuf>> = Mutex::new(None);

/// nginx from Debian's package, unpacked under `target/tools/nginx` (no root, no system
/// install): `apt-get download` fetches the package and `dpkg-deb -x` unpacks it. Returns the
/// `nginx` binary. An nginx on PATH is not used, so every machine tests the same build.
pub fn nginx() -> PathBuf {
    let mut found = NGINX.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(path) = found.as_ref() {
        return path.clone();
    }
    let dir = repo().join("target").join("tools").join("nginx");
    let binary = dir.join("root").join("usr").join("sbin").join("nginx");
    if !binary.exists() {
        std::fs::create_dir_all(&dir).expect("create target/tools/nginx");
        let status = Command::new("apt-get")
            .args(["download", "nginx"])
            .current_dir(&dir)
            .status()
            .expect("apt-get is installed (Debian)");
        assert!(status.success(), "apt-get download nginx failed");
        let package = std::fs::read_dir(&dir)
            .expect("read target/tools/nginx")
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "deb"))
            .expect("the nginx package was downloaded");
        let status = Command::new("dpkg-deb")
            .arg("-x")
            .arg(&package)
            .arg(dir.join("root"))
            .status()
            .expect("dpkg-deb is installed (Debian)");
        assert!(status.success(), "dpkg-deb -x {} failed", package.display());
    }
    *found = Some(binary.clone());
    binary
}

/// A copy in `dir` of the expected-failure lists in `baselines`, with `edit` applied to the text
/// of `<name>.yml`: the conformance runs must fail on such an edit (a stale, missing or stray
/// entry), which is how their tests prove the lists stay honest.
pub fn edited_baselines(
    baselines: &Path,
    dir: &Path,
    name: &str,
    edit: &dyn Fn(&str) -> String,
) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    for entry in std::fs::read_dir(baselines).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
    }
    let file = dir.join(format!("{name}.yml"));
    let listed = std::fs::read_to_string(&file).unwrap();
    let edited = edit(&listed);
    assert_ne!(listed, edited, "the edit of {name}.yml changed nothing");
    std::fs::write(&file, edited).unwrap();
    dir.to_owned()
}
