//! The crate's error type. CONTRACT STUB: the client implementation fills in the internals.

use std::fmt;

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Invalid configuration found by a builder (bad URL, conflicting settings…).
    Build,
    /// No usable credentials (names where it looked).
    Credentials,
    /// Connection failed, reset, or the request could not be sent.
    Transport,
    /// A connect/read/idle timeout.
    Timeout,
    /// The service answered with an HTTP error (`status`, `code`, `message`, `request_id`).
    Service,
    /// An exception or error inside an event stream after HTTP 200.
    Stream,
    /// A response that could not be decoded (bad frame, bad JSON, bad base64).
    Decode,
}

/// The error type of every client operation. `Debug` and `Display` never show secrets.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    status: Option<u16>,
    code: Option<String>,
    message: String,
    request_id: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// The kind.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }
    /// HTTP status of a service error.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }
    /// AWS error code, e.g. `ValidationException`, `ThrottlingException`,
    /// `ModelStreamErrorException` (stream exceptions use the same upper-camel names).
    pub fn code(&self) -> Option<&str> {
        self.inner.code.as_deref()
    }
    /// Human-readable message.
    pub fn message(&self) -> &str {
        &self.inner.message
    }
    /// `x-amzn-requestid` of the failed response, when known.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }
    /// Whether the retry policy treats this as retryable.
    pub fn is_retryable(&self) -> bool {
        false
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("status", &self.inner.status)
            .field("code", &self.inner.code)
            .field("message", &self.inner.message)
            .field("request_id", &self.inner.request_id)
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner.code {
            Some(code) => write!(f, "{code}: {}", self.inner.message),
            None => f.write_str(&self.inner.message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
