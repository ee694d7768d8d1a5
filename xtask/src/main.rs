//! Project automation, run as `cargo xtask <command>`.
//!
//! The README's quick start is two of these commands, so they must work on a fresh machine: they
//! add the `wasm32-wasip2` target when it is missing, build what they need, and say what they do.
//!
//! - `plugins` — build every platform plugin and fixture plugin for `wasm32-wasip2`.
//! - `demo` — build everything, start the local Mastodon sandbox and `rapportd` against it, and
//!   show the queue; `demo stop` stops both.
//! - `test` — build the plugins, start Bluesky's reference network on loopback (in parallel with
//!   the build), then run the whole test suite against it; `test --no-devnet` leaves the network
//!   out and says which tests that skips.
//! - `bench` — run the benchmarks whose figures go into BENCHMARKS.md.
//! - `chaos [--iterations N] [--seed S]` — the kill -9 chaos campaign against the real daemon
//!   and the Mastodon sandbox; `test` runs 50 iterations of it after the suite.
//! - `install [--prefix DIR]` — build in release and install `rapportd`, `rapport`, the platform
//!   plugins, the man pages and the bash, zsh and fish completions under DIR (`~/.local`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use std::{env, fs};

use anyhow::{Context, Result, bail};

const WASM_TARGET: &str = "wasm32-wasip2";

fn main() -> Result<()> {
    let args: Vec<String> = env::args().skip(1).collect();
    let root = workspace_root();
    match args.first().map(String::as_str) {
        Some("plugins") => build_plugins(&root),
        Some("demo") if args.get(1).map(String::as_str) == Some("stop") => demo::stop(&root),
        Some("demo") => demo::start(&root),
        Some("test") => test(&root, &args[1..]),
        Some("bench") => bench(&root),
        Some("install") => install::run(&root, &args[1..]),
        Some("chaos") => chaos::run(&root, &args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n\
                 commands:\n  \
                 plugins     build all plugins for {WASM_TARGET}\n  \
                 demo        start the sandbox and rapportd, show the queue (`demo stop` stops them)\n  \
                 test        build plugins, start the Bluesky devnet, run the whole test suite\n              \
                 (`test --no-devnet` leaves the devnet out)\n  \
                 bench       run the benchmarks recorded in BENCHMARKS.md\n  \
                 chaos       kill -9 chaos campaign (`--iterations N`, default 50; `--seed S` replays one)\n  \
                 install     install binaries, plugins, man pages and completions (`--prefix DIR`, default ~/.local)"
            );
            std::process::exit(2);
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The cargo target dir every build shares, so wasmtime is compiled once.
fn target_dir(root: &Path) -> PathBuf {
    env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"))
}

fn cargo() -> Command {
    Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("xtask: running {cmd:?}");
    let status = cmd.status().with_context(|| format!("could not start {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}

/// Adds the wasm target when rustup lacks it; a machine without rustup must have it already.
fn ensure_wasm_target() -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).lines().any(|l| l.trim() == WASM_TARGET));
    match installed {
        Ok(true) => Ok(()),
        Ok(false) => run(Command::new("rustup").args(["target", "add", WASM_TARGET])),
        Err(_) => {
            eprintln!("xtask: rustup not found; assuming the {WASM_TARGET} target is installed");
            Ok(())
        }
    }
}

/// Installs Debian's `chromium` when it is missing: the HTML report's test renders the page in it,
/// headless.
fn ensure_chromium() -> Result<()> {
    let present =
        Command::new("chromium").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
    if present.is_ok_and(|s| s.success()) {
        return Ok(());
    }
    let root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let apt = |args: &[&str]| {
        let mut cmd = if root { Command::new("apt-get") } else { Command::new("sudo") };
        if !root {
            cmd.arg("apt-get");
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    run(&mut apt(&["update", "-q"]))?;
    run(&mut apt(&["install", "-y", "-q", "chromium"]))
        .context("installing Debian's chromium for the HTML report's rendering test")
}

/// The platform plugin packages: every `plugins/<name>/Cargo.toml` except the fixtures workspace.
fn plugin_packages(root: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(root.join("plugins")).context("reading plugins/")? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        if name != "fixtures" && path.join("Cargo.toml").exists() {
            names.push(format!("rapport-plugin-{name}"));
        }
    }
    names.sort();
    Ok(names)
}

fn build_plugins(root: &Path) -> Result<()> {
    ensure_wasm_target()?;
    let target = target_dir(root);
    let mut platform = cargo();
    platform.current_dir(root).args(["build", "--profile", "plugin", "--target", WASM_TARGET]);
    for package in plugin_packages(root)? {
        platform.args(["-p", &package]);
    }
    run(&mut platform)?;
    let fixtures = root.join("plugins/fixtures/Cargo.toml");
    if fixtures.exists() {
        run(cargo()
            .current_dir(root)
            .args(["build", "--release", "--target", WASM_TARGET])
            .arg("--manifest-path")
            .arg(&fixtures)
            .arg("--target-dir")
            .arg(&target))?;
    }
    let example = root.join("sdk/examples/hello-plugin/Cargo.toml");
    if example.exists() {
        run(cargo()
            .current_dir(root)
            .args(["build", "--release", "--target", WASM_TARGET])
            .arg("--manifest-path")
            .arg(&example)
            .arg("--target-dir")
            .arg(&target))?;
    }
    eprintln!("xtask: plugins are in {}", target.join(WASM_TARGET).join("plugin").display());
    Ok(())
}

fn test(root: &Path, args: &[String]) -> Result<()> {
    // Formatting first: it takes a second and fails the run before any long build.
    run(cargo().current_dir(root).args(["fmt", "--all", "--", "--check"]))?;
    let with_devnet = !args.iter().any(|a| a == "--no-devnet");
    let extra: Vec<&String> = args.iter().filter(|a| *a != "--no-devnet").collect();
    // Before the network's own apt installs start in the background: apt takes one at a time.
    ensure_chromium()?;
    // The network installs and starts (minutes on a fresh machine, mostly downloads) while the
    // plugins and binaries compile.
    let mut devnet = if with_devnet { Some(devnet::Devnet::start(root)?) } else { None };
    build_plugins(root)?;
    // The end-to-end tests drive the `rapport` and `rapportd` binaries themselves.
    run(cargo().current_dir(root).args(["build", "--workspace", "--bins"]))?;
    let nextest = cargo().args(["nextest", "--version"]).stdout(Stdio::null()).stderr(Stdio::null()).status();
    let mut tests = cargo();
    tests.current_dir(root);
    if nextest.map(|s| s.success()).unwrap_or(false) {
        tests.args(["nextest", "run", "--workspace", "--no-fail-fast"]);
    } else {
        tests.args(["test", "--workspace", "--no-fail-fast"]);
    }
    tests.args(extra);
    let pds = match devnet.as_mut() {
        Some(devnet) => Some(devnet.wait_ready()?),
        None => {
            eprintln!(
                "xtask: --no-devnet: the Bluesky reference-network tests ({}) skip themselves",
                devnet::TESTS
            );
            None
        }
    };
    if let Some(pds) = &pds {
        tests.env(devnet::URL_VAR, pds);
    }
    run(&mut tests)?;
    drop(devnet);
    // The binaries are built: the chaos campaign's 50 kill -9 iterations run on them.
    chaos::run_built(root, &["--iterations".to_string(), "50".to_string()])
}

mod chaos {
    //! `cargo xtask chaos`: builds the daemon, the CLI, the plugins and the campaign's driver, and
    //! runs the driver (`tests/src/bin/chaos.rs`) on them.

    use super::*;

    pub fn run(root: &Path, args: &[String]) -> Result<()> {
        build_plugins(root)?;
        super::run(cargo().current_dir(root).args(["build", "--workspace", "--bins"]))?;
        run_built(root, args)
    }

    /// Runs the driver on what `cargo build --workspace --bins` built; `args` go to it as given.
    pub fn run_built(root: &Path, args: &[String]) -> Result<()> {
        let bin = target_dir(root).join("debug");
        let plugin = target_dir(root).join(WASM_TARGET).join("plugin").join("rapport_plugin_mastodon.wasm");
        super::run(
            Command::new(bin.join("chaos"))
                .arg("--rapportd")
                .arg(bin.join("rapportd"))
                .arg("--rapport")
                .arg(bin.join("rapport"))
                .arg("--plugin")
                .arg(plugin)
                .args(args),
        )
        .context("the chaos campaign found broken promises (its output names them and the seed)")
    }
}

mod devnet {
    //! Bluesky's reference network (PLC, PDS, AppView) on loopback, for the Bluesky tests:
    //! `tests/bsky-devnet/bsky-devnet.sh` installs it from the registries and starts it.

    use super::*;

    /// The variable that tells the devnet tests where the PDS is; unset, they skip themselves.
    pub const URL_VAR: &str = "RAPPORT_BSKY_DEVNET";
    /// The tests that need the network, for the message when it is left out.
    pub const TESTS: &str = "rapport-plugin-bluesky::devnet, rapportd::integration bluesky_devnet";

    /// A `bsky-devnet.sh up` running in the background; dropping it stops the network.
    pub struct Devnet {
        child: std::process::Child,
        log: PathBuf,
        root: PathBuf,
    }

    fn script(root: &Path) -> PathBuf {
        root.join("tests/bsky-devnet/bsky-devnet.sh")
    }

    impl Devnet {
        /// Starts installing and starting the network; [`Devnet::wait_ready`] waits for it.
        pub fn start(root: &Path) -> Result<Devnet> {
            let log = target_dir(root).join("bsky-devnet.log");
            fs::create_dir_all(target_dir(root))?;
            let out = fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
            eprintln!(
                "xtask: starting Bluesky's reference network in the background (log: {})",
                log.display()
            );
            let child = Command::new("bash")
                .arg(script(root))
                .arg("up")
                .stdin(Stdio::null())
                .stdout(out.try_clone()?)
                .stderr(out)
                .spawn()
                .context("could not start tests/bsky-devnet/bsky-devnet.sh")?;
            Ok(Devnet { child, log, root: root.to_owned() })
        }

        /// Waits until the network is up and returns its PDS URL.
        pub fn wait_ready(&mut self) -> Result<String> {
            let waiting = Instant::now();
            let status = self.child.wait().context("waiting for bsky-devnet.sh up")?;
            let log = fs::read_to_string(&self.log).unwrap_or_default();
            let pds = log
                .lines()
                .find_map(|l| l.trim().strip_prefix("\"pds\": \""))
                .and_then(|rest| rest.split('"').next())
                .map(str::to_owned);
            match pds {
                Some(pds) => {
                    eprintln!(
                        "xtask: Bluesky reference network up at {pds} (the build waited {:.0?} for it)",
                        waiting.elapsed()
                    );
                    Ok(pds)
                }
                None => bail!(
                    "Bluesky's reference network did not start ({status}); see {} (or run with --no-devnet)",
                    self.log.display()
                ),
            }
        }
    }

    impl Drop for Devnet {
        /// Stops everything `up` started.
        fn drop(&mut self) {
            let _ = self.child.wait();
            if let Err(e) = run(Command::new("bash").arg(script(&self.root)).arg("down")) {
                eprintln!("xtask: stopping the Bluesky reference network: {e:#}");
            }
        }
    }
}

fn bench(root: &Path) -> Result<()> {
    build_plugins(root)?;
    // The CLI bench runs the real `rapport` binary, which `cargo bench` does not build itself.
    // `--workspace`, like the bench run: the same feature set, so nothing is compiled twice.
    run(cargo().current_dir(root).args(["build", "--release", "--workspace", "--bins"]))?;
    // `--workspace`, not the default members: the plugin-call bench lives with the Mastodon plugin
    // (`plugins/mastodon/benches/plugin_call.rs`), which plain `cargo bench` leaves out.
    run(cargo().current_dir(root).args(["bench", "--workspace"]))
}

mod install {
    //! `cargo xtask install`: what `cargo install` would not do — the plugins, and the man pages
    //! and completions the installed `rapport` generates from its own definitions.

    use super::*;

    /// Where each shell looks for completions under a prefix, and the file it expects.
    const COMPLETIONS: [(&str, &str); 3] = [
        ("bash", "share/bash-completion/completions/rapport"),
        ("zsh", "share/zsh/site-functions/_rapport"),
        ("fish", "share/fish/vendor_completions.d/rapport.fish"),
    ];

    pub fn run(root: &Path, args: &[String]) -> Result<()> {
        let prefix = match args {
            [] => PathBuf::from(env::var_os("HOME").context("HOME is not set; give --prefix DIR")?)
                .join(".local"),
            [flag, dir] if flag == "--prefix" => PathBuf::from(dir),
            _ => bail!("usage: cargo xtask install [--prefix DIR]"),
        };
        build_plugins(root)?;
        super::run(cargo().current_dir(root).args([
            "build",
            "--release",
            "-p",
            "rapportd",
            "-p",
            "rapport-cli",
        ]))?;
        let release = target_dir(root).join("release");
        let bin = prefix.join("bin");
        fs::create_dir_all(&bin).with_context(|| format!("cannot create {}", bin.display()))?;
        for name in ["rapportd", "rapport"] {
            copy(&release.join(name), &bin.join(name))?;
        }
        let plugins = prefix.join("lib/rapport/plugins");
        fs::create_dir_all(&plugins)?;
        for package in plugin_packages(root)? {
            let file = format!("{}.wasm", package.replace('-', "_"));
            copy(&target_dir(root).join(WASM_TARGET).join("plugin").join(&file), &plugins.join(&file))?;
        }
        let rapport = bin.join("rapport");
        let man = prefix.join("share/man/man1");
        super::run(Command::new(&rapport).args(["generate", "man"]).arg(&man))?;
        for (shell, path) in COMPLETIONS {
            let out = Command::new(&rapport).args(["generate", shell]).output()?;
            if !out.status.success() {
                bail!("`rapport generate {shell}` failed: {}", String::from_utf8_lossy(&out.stderr));
            }
            let file = prefix.join(path);
            fs::create_dir_all(file.parent().unwrap_or(&prefix))?;
            fs::write(&file, out.stdout).with_context(|| format!("cannot write {}", file.display()))?;
        }
        eprintln!(
            "xtask: installed under {}: bin/rapportd, bin/rapport, lib/rapport/plugins/, share/man/man1/ and the completions;\n\
             xtask: point each account's `plugin` at {}, and make sure {} is on PATH",
            prefix.display(),
            plugins.display(),
            bin.display()
        );
        Ok(())
    }

    /// Copies beside the target and renames over it, so a running `rapportd` keeps its binary.
    fn copy(from: &Path, to: &Path) -> Result<()> {
        let staged = to.with_extension("installing");
        fs::copy(from, &staged)
            .with_context(|| format!("cannot copy {} to {}", from.display(), staged.display()))?;
        fs::rename(&staged, to).with_context(|| format!("cannot replace {}", to.display()))?;
        Ok(())
    }
}

mod demo {
    //! The quick-start demo: the Mastodon sandbox with seeded followers and questions, and
    //! `rapportd` on the embedded sled default, both in the background under `target/demo/`.

    use super::*;

    const TOKEN: &str = "demo-token";

    fn dir(root: &Path) -> PathBuf {
        target_dir(root).join("demo")
    }

    pub fn start(root: &Path) -> Result<()> {
        stop(root)?;
        build_plugins(root)?;
        run(cargo().current_dir(root).args([
            "build",
            "-p",
            "rapportd",
            "-p",
            "rapport-cli",
            "-p",
            "rapport-tests",
            "--bin",
            "rapportd",
            "--bin",
            "rapport",
            "--bin",
            "mastodon-sandbox",
        ]))?;
        let demo = dir(root);
        let bin = target_dir(root).join("debug");
        fs::create_dir_all(&demo)?;
        let _ = fs::remove_dir_all(demo.join("data"));

        let sandbox_url_file = demo.join("sandbox.url");
        let _ = fs::remove_file(&sandbox_url_file);
        spawn_background(
            Command::new(bin.join("mastodon-sandbox"))
                .args(["--seed", "demo", "--token", TOKEN, "--url-file"])
                .arg(&sandbox_url_file),
            &demo.join("sandbox.log"),
            &demo.join("sandbox.pid"),
        )?;
        let sandbox_url =
            wait_for(|| fs::read_to_string(&sandbox_url_file).ok().filter(|s| !s.trim().is_empty()))
                .context("the sandbox did not start; see target/demo/sandbox.log")?;
        let sandbox_url = sandbox_url.trim().to_owned();

        let token_file = demo.join("token");
        fs::write(&token_file, TOKEN)?;
        set_owner_only(&token_file)?;
        let socket = demo.join("rapport.sock");
        let config = demo.join("rapport.toml");
        let plugin = target_dir(root).join(WASM_TARGET).join("plugin").join("rapport_plugin_mastodon.wasm");
        let template =
            fs::read_to_string(root.join("config/demo.toml")).context("reading config/demo.toml")?;
        fs::write(
            &config,
            template
                .replace("@DATA_DIR@", &demo.join("data").display().to_string())
                .replace("@SOCKET@", &socket.display().to_string())
                .replace("@PLUGIN@", &plugin.display().to_string())
                .replace("@API_BASE@", &sandbox_url)
                .replace("@TOKEN_FILE@", &token_file.display().to_string())
                .replace("@LIBRARY@", &root.join("config/library").display().to_string()),
        )?;
        spawn_background(
            Command::new(bin.join("rapportd")).arg("--config").arg(&config),
            &demo.join("rapportd.log"),
            &demo.join("rapportd.pid"),
        )?;
        wait_for(|| socket.exists().then_some(()))
            .context("rapportd did not open its socket; see target/demo/rapportd.log")?;

        let rapport = bin.join("rapport");
        let cli = |args: &[&str]| {
            let mut cmd = Command::new(&rapport);
            cmd.arg("--socket").arg(&socket).args(args);
            cmd
        };
        // The first poll runs at start; give it a moment to turn notifications into tasks.
        wait_for(|| {
            let out = cli(&["queue", "--json"]).output().ok()?;
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            (out.status.success() && text.contains("\"id\"")).then_some(())
        })
        .context("no tasks appeared; see target/demo/rapportd.log")?;
        run(&mut cli(&["status"]))?;
        run(&mut cli(&["queue"]))?;
        // The planners' first proposals: the campaign's day share and the circle's morning.
        run(&mut cli(&["campaign", "list"]))?;
        run(&mut cli(&["circle", "list"]))?;
        run(&mut cli(&["ratio"]))?;
        // A week of slots: the Saturday sales post shows as held by the 10:1 ratio, with its reason.
        run(&mut cli(&["schedule", "--count", "7"]))?;
        // The book the notifications filled, and the report of six weeks of posts: the recorder
        // reads the account's own posts and follower count at start, so wait for its reading.
        run(&mut cli(&["people", "--top", "5"]))?;
        wait_for(|| {
            let out = cli(&["report", "--json"]).output().ok()?;
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            let read = text.contains("\"posts_count\"") && !text.contains("\"posts_count\": 0,");
            (out.status.success() && read).then_some(())
        })
        .context("the recorder read no own posts; see target/demo/rapportd.log")?;
        let html = demo.join("report.html");
        run(cli(&["report", "--since", "6w", "--by", "week", "--html"]).arg(&html))?;
        println!(
            "\nrapport is running against the local Mastodon sandbox at {sandbox_url}.\n\
             Review the tasks (approve one and the sandbox receives it):\n\n    \
             {rapport} --socket {socket} review\n\n\
             What the sandbox received: curl -s {sandbox_url}/_sandbox/requests\n\
             Logs: {demo}/rapportd.log   Stop: cargo xtask demo stop",
            rapport = rapport.display(),
            socket = socket.display(),
            demo = demo.display()
        );
        Ok(())
    }

    pub fn stop(root: &Path) -> Result<()> {
        for name in ["rapportd", "sandbox"] {
            let pid_file = dir(root).join(format!("{name}.pid"));
            if let Ok(pid) = fs::read_to_string(&pid_file) {
                let _ = Command::new("kill").arg(pid.trim()).status();
                let _ = fs::remove_file(&pid_file);
                eprintln!("xtask: stopped {name} ({})", pid.trim());
            }
        }
        Ok(())
    }

    fn spawn_background(cmd: &mut Command, log: &Path, pid_file: &Path) -> Result<()> {
        use std::os::unix::process::CommandExt;
        let out = fs::File::create(log)?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .process_group(0)
            .spawn()
            .with_context(|| format!("could not start {cmd:?}"))?;
        fs::write(pid_file, child.id().to_string())?;
        Ok(())
    }

    fn set_owner_only(path: &Path) -> Result<()> {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
        Ok(())
    }

    fn wait_for<T>(mut probe: impl FnMut() -> Option<T>) -> Option<T> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(value) = probe() {
                return Some(value);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        None
    }
}
