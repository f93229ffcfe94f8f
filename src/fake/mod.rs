//! An in-process fake Bedrock (feature `fake-server`).
//!
//! Binds `127.0.0.1` on its own thread with its own tokio runtime, so it serves sync tests,
//! `#[tokio::test]`s and the CLI alike. Every request must carry a valid SigV4 signature (or an
//! accepted bearer token); the signature is recomputed with [`crate::sigv4`] over the request
//! exactly as received. Authorised requests are answered from [`Cassette`]s: the first
//! interaction whose matcher fits and that is not used up.
//!
//! Requests that match nothing get a 404 `ResourceNotFoundException` whose message names the
//! method, decoded path, query and every matcher on offer, so a failing test says what it sent.
//! A handler panic is answered with a 500 and re-raised when the [`FakeBedrock`] is dropped.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use crate::cassette::Cassette;

mod auth;
mod builtin;
mod replay;
mod server;

/// Access key id the fake accepts by default (the AWS documentation example key).
pub const DEMO_ACCESS_KEY_ID: &str = "AKIDEXAMPLE";
/// Secret of [`DEMO_ACCESS_KEY_ID`].
pub const DEMO_SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// Bearer token the fake accepts by default.
pub const DEMO_BEARER_TOKEN: &str = "bedrock-api-key-demo";

/// A request the fake received (for tests that count calls).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReceivedRequest {
    /// Method.
    pub method: String,
    /// Path and query as received.
    pub uri: String,
    /// Headers (lower-case names).
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: bytes::Bytes,
}

impl ReceivedRequest {
    /// The first value of a header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Configures a [`FakeBedrock`].
#[derive(Debug, Default)]
#[must_use]
pub struct FakeBedrockBuilder {
    cassettes: Vec<Cassette>,
    keys: Vec<auth::Key>,
    tokens: Vec<String>,
    region: Option<String>,
    skip_auth: bool,
    port: u16,
}

impl FakeBedrockBuilder {
    /// Adds a cassette. Interactions are tried in the order cassettes were added.
    pub fn cassette(mut self, cassette: Cassette) -> Self {
        self.cassettes.push(cassette);
        self
    }
    /// Adds several cassettes.
    pub fn cassettes(mut self, cassettes: impl IntoIterator<Item = Cassette>) -> Self {
        self.cassettes.extend(cassettes);
        self
    }
    /// Adds the cassettes built into the crate (the demo and fault scenarios).
    pub fn builtin_cassettes(self) -> Self {
        self.cassettes(builtin_cassettes())
    }
    /// Adds every `*.json` cassette in `dir` (in file-name order).
    ///
    /// # Errors
    /// When the directory or a file cannot be read, or a file is not a cassette.
    pub fn cassette_dir(self, dir: impl AsRef<Path>) -> io::Result<Self> {
        Ok(self.cassettes(load_cassette_dir(dir)?))
    }
    /// Accepts this key pair (besides the demo pair), with any or no session token.
    pub fn credentials(mut self, access_key_id: &str, secret_access_key: &str) -> Self {
        self.keys
            .push(auth::Key::new(access_key_id, secret_access_key, None));
        self
    }
    /// Accepts this key pair only together with this signed session token.
    pub fn session_credentials(
        mut self,
        access_key_id: &str,
        secret_access_key: &str,
        session_token: &str,
    ) -> Self {
        self.keys.push(auth::Key::new(
            access_key_id,
            secret_access_key,
            Some(session_token),
        ));
        self
    }
    /// Accepts this bearer token (besides the demo token).
    pub fn bearer_token(mut self, token: &str) -> Self {
        self.tokens.push(token.to_owned());
        self
    }
    /// Rejects signatures scoped to any other region (by default every region is accepted).
    pub fn region(mut self, region: &str) -> Self {
        self.region = Some(region.to_owned());
        self
    }
    /// Whether requests must be authenticated (default `true`).
    pub fn require_auth(mut self, require: bool) -> Self {
        self.skip_auth = !require;
        self
    }
    /// Listens on this port instead of an ephemeral one (`0`).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }
    /// Starts the server on `127.0.0.1`.
    ///
    /// # Errors
    /// When the socket cannot be bound or the runtime thread cannot start.
    pub fn start(self) -> io::Result<FakeBedrock> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, self.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let mut keys = vec![auth::Key::new(
            DEMO_ACCESS_KEY_ID,
            DEMO_SECRET_ACCESS_KEY,
            None,
        )];
        keys.extend(self.keys);
        let mut tokens = vec![DEMO_BEARER_TOKEN.to_owned()];
        tokens.extend(self.tokens);
        let state = Arc::new(server::State {
            auth: auth::AuthConfig {
                keys,
                tokens,
                region: self.region,
                skip: self.skip_auth,
            },
            slots: Mutex::new(replay::Slots::new(self.cassettes)),
            requests: Mutex::new(Vec::new()),
            failures: Mutex::new(Vec::new()),
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (stop_tx, stop_rx) = oneshot::channel();
        let thread_state = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name(format!("fake-bedrock-{}", addr.port()))
            .spawn(move || server::run(runtime, listener, thread_state, stop_rx))?;
        Ok(FakeBedrock {
            addr,
            state,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }
}

/// A running fake; stops when dropped (and then re-raises any handler panic).
#[derive(Debug)]
pub struct FakeBedrock {
    addr: SocketAddr,
    state: Arc<server::State>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl FakeBedrock {
    /// A builder.
    pub fn builder() -> FakeBedrockBuilder {
        FakeBedrockBuilder::default()
    }
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// `http://127.0.0.1:PORT`.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr())
    }
    /// A client builder aimed at this fake: its endpoint, the demo keys, its region (or
    /// `us-east-1` when it accepts any) and an empty environment, so no variable or profile of
    /// the machine running it leaks in. Adjust it like any builder before `build()`.
    pub fn client_builder(&self) -> crate::ClientBuilder {
        crate::Client::builder()
            .environment(crate::Environment::from_vars(Vec::<(String, String)>::new()))
            .region(self.state.auth.region.as_deref().unwrap_or("us-east-1"))
            .credentials(crate::Credentials::new(
                DEMO_ACCESS_KEY_ID,
                DEMO_SECRET_ACCESS_KEY,
                None,
            ))
            .endpoint_url(self.endpoint_url())
    }
    /// Requests received so far (rejected ones included), oldest first.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        lock(&self.state.requests).clone()
    }
    /// Handler failures so far (panics and replay errors); each is re-raised on drop.
    pub fn failures(&self) -> Vec<String> {
        lock(&self.state.failures).clone()
    }
    /// Stops the server and waits for its thread.
    ///
    /// # Panics
    /// When a handler panicked or failed while serving, naming the failure.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let joined = self.thread.take().map(JoinHandle::join);
        if std::thread::panicking() {
            return;
        }
        match joined {
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            Some(Ok(Err(e))) => panic!("fake Bedrock server failed: {e}"),
            Some(Ok(Ok(()))) | None => {}
        }
        let failures = std::mem::take(&mut *lock(&self.state.failures));
        if !failures.is_empty() {
            panic!("fake Bedrock handler failed:\n{}", failures.join("\n"));
        }
    }
}

impl Drop for FakeBedrock {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// The cassettes built into the crate (`fixtures/cassettes/*.json`), in serving order.
pub fn builtin_cassettes() -> Vec<Cassette> {
    builtin::FILES
        .iter()
        .map(|(name, json)| {
            // The files are embedded at build time and checked by tests; a broken one is a bug
            // in this crate, not bad input.
            Cassette::from_json(json)
                .unwrap_or_else(|e| panic!("built-in cassette {name} does not parse: {e}"))
        })
        .collect()
}

/// Reads every `*.json` file in `dir` as a cassette, in file-name order.
///
/// # Errors
/// When the directory or a file cannot be read, or a file is not a cassette (the error names
/// the file).
pub fn load_cassette_dir(dir: impl AsRef<Path>) -> io::Result<Vec<Cassette>> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json") && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    paths.iter().map(load_cassette).collect()
}

/// Reads one cassette file.
///
/// # Errors
/// When the file cannot be read or is not a cassette (the error names the file).
pub fn load_cassette(path: impl AsRef<Path>) -> io::Result<Cassette> {
    let path = path.as_ref();
    let json = std::fs::read_to_string(path)?;
    Cassette::from_json(&json).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: not a cassette: {e}", path.display()),
        )
    })
}

/// Locks, ignoring poisoning (a panicking handler must not hide what was recorded).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
