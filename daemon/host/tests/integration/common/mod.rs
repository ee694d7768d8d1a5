//! Shared test support: the fixture plugins' `.wasm` files, a host and account bindings with test
//! limits, and a tiny scripted HTTP/1.1 server on 127.0.0.1.

#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use rapport_host::egress::grant::EgressGrant;
use rapport_host::egress::secrets::Secrets;
use rapport_host::kv::MemoryKv;
use rapport_host::{AccountBinding, AccountContext, CallLimits, HostConfig, PluginHost};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const BUILD_COMMAND: &str = "cargo build --release --target wasm32-wasip2 --manifest-path plugins/fixtures/Cargo.toml --target-dir target";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The target directory this test binary was built in (`<target>/debug/deps/<test>`).
fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(Path::to_path_buf))
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// The built `.wasm` of fixture `name`, building all fixtures once if they are missing.
pub fn fixture(name: &str) -> PathBuf {
    let file = format!("fixture_{}.wasm", name.replace('-', "_"));
    let prebuilt = target_dir().join("wasm32-wasip2/release").join(&file);
    if prebuilt.exists() {
        return prebuilt;
    }
    // The outer `cargo test` may hold the main target dir's lock, so build into a directory of our own.
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let dir = BUILT.get_or_init(|| {
        let dir = target_dir().join("fixture-build");
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
            .current_dir(workspace_root())
            .args([
                "build",
                "--release",
                "--target",
                "wasm32-wasip2",
                "--manifest-path",
                "plugins/fixtures/Cargo.toml",
                "--target-dir",
            ])
            .arg(&dir)
            .status();
        match status {
            Ok(s) if s.success() => dir,
            other => {
                panic!("building the fixture plugins failed ({other:?}); build them with: {BUILD_COMMAND}")
            }
        }
    });
    let built = dir.join("wasm32-wasip2/release").join(&file);
    assert!(
        built.exists(),
        "fixture {} missing after the build; build them with: {BUILD_COMMAND}",
        built.display()
    );
    built
}

/// Limits small enough that the misbehaving fixtures fail fast.
pub fn test_limits() -> CallLimits {
    CallLimits {
        cpu_ticks: 50,
        wall_timeout: Duration::from_secs(10),
        memory_bytes: 16 << 20,
        max_requests: 4,
        max_request_body: 1024,
        max_response_body: 1024,
        max_header_bytes: 4096,
        request_timeout: Duration::from_secs(5),
    }
}

/// A host caching into `cache_dir` with [`test_limits`].
pub fn host(cache_dir: &Path) -> PluginHost {
    let mut config = HostConfig::new(cache_dir);
    config.limits = test_limits();
    PluginHost::new(config).expect("host starts")
}

/// A binding for account `name` with the given grant, settings and secrets.
pub fn binding(
    name: &str,
    api_base: &str,
    allowed: &[&str],
    allow_private: bool,
    settings: &[(&str, &str)],
    secrets: &[(&str, &str)],
) -> AccountBinding {
    AccountBinding {
        context: AccountContext {
            name: name.to_owned(),
            api_base: api_base.to_owned(),
            user: "me".to_owned(),
            settings: settings.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        },
        egress: EgressGrant::new(allowed, allow_private).expect("valid patterns"),
        secrets: secrets.iter().copied().collect::<Secrets>(),
        kv: Arc::new(MemoryKv::new()),
    }
}

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A scripted HTTP/1.1 server: `respond(request, own_port)` returns the raw head lines (status
/// line and headers, without the blank line) and the body; every request is recorded.
pub struct Server {
    pub port: u16,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    pub async fn start(respond: impl Fn(&Seen, u16) -> (String, Vec<u8>) + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind test server");
        let port = listener.local_addr().expect("local addr").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let respond = Arc::new(respond);
        let record = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let respond = respond.clone();
                let record = record.clone();
                tokio::spawn(async move {
                    let Some(request) = read_request(&mut socket).await else { return };
                    let (head, body) = respond(&request, port);
                    record.lock().unwrap().push(request);
                    let reply =
                        format!("{head}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len());
                    let _ = socket.write_all(reply.as_bytes()).await;
                    let _ = socket.write_all(&body).await;
                });
            }
        });
        Self { port, seen }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, path) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':').map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned())))
        .collect();
    let length: usize =
        headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Seen { method, path, headers, body })
}
