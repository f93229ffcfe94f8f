//! The crate's error type.

use std::fmt;

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Invalid configuration found by a builder (bad URL, conflicting settings…).
    Build,
    /// No usable credentials (the message names where it looked).
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
    retryable: bool,
    body: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                status: None,
                code: None,
                message: message.into(),
                request_id: None,
                retryable: false,
                body: None,
                source: None,
            }),
        }
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    pub(crate) fn with_code(mut self, code: impl Into<String>) -> Self {
        self.inner.code = Some(code.into());
        self
    }

    pub(crate) fn with_request_id(mut self, id: Option<String>) -> Self {
        self.inner.request_id = id;
        self
    }

    pub(crate) fn retryable(mut self, yes: bool) -> Self {
        self.inner.retryable = yes;
        self
    }

    /// A service (HTTP status) error.
    pub(crate) fn service(
        status: u16,
        code: Option<String>,
        message: String,
        request_id: Option<String>,
        body: String,
    ) -> Self {
        let mut e = Self::new(ErrorKind::Service, message);
        e.inner.status = Some(status);
        e.inner.code = code;
        e.inner.request_id = request_id;
        e.inner.body = Some(body);
        e
    }

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
    /// The raw body of a service error response (kept when it was not the expected JSON).
    pub fn body(&self) -> Option<&str> {
        self.inner.body.as_deref()
    }
    /// Whether the retry policy treats this as retryable (a new request could succeed).
    pub fn is_retryable(&self) -> bool {
        self.inner.retryable
    }
    /// A timeout.
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == ErrorKind::Timeout
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
            .field("source", &self.inner.source)
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

/// The JSON body of an AWS error response (only the fields that name it).
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ErrorBody {
    #[serde(rename = "__type")]
    type_: Option<String>,
    code: Option<String>,
    message: Option<String>,
    #[serde(rename = "Message")]
    message_upper: Option<String>,
    #[serde(rename = "errorMessage")]
    error_message: Option<String>,
}

impl ErrorBody {
    /// Parses an error body; anything else yields an empty one.
    pub(crate) fn parse(body: &[u8]) -> Self {
        serde_json::from_slice(body).unwrap_or_default()
    }
}

/// The error code of an AWS error response: `x-amzn-ErrorType` first, then the body's
/// `__type` / `code`; cut at the first `:` and after any `#`
/// (`ValidationException:http://internal.amazon.com/…`, `com.amazon.coral#ThrottlingException`).
pub(crate) fn error_code(header: Option<&str>, body: &ErrorBody) -> Option<String> {
    let raw = header.or(body.type_.as_deref()).or(body.code.as_deref())?;
    let cut = raw.split(':').next().unwrap_or_default();
    let cut = cut.rsplit('#').next().unwrap_or_default().trim();
    (!cut.is_empty()).then(|| cut.to_owned())
}

/// The message of an AWS error body: `message`, `Message` or `errorMessage`.
pub(crate) fn error_message(body: &ErrorBody) -> Option<String> {
    body.message
        .clone()
        .or_else(|| body.message_upper.clone())
        .or_else(|| body.error_message.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_cut() {
        let empty = ErrorBody::parse(b"not json");
        let header = "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/";
        assert_eq!(
            error_code(Some(header), &empty).as_deref(),
            Some("ValidationException")
        );
        let body = ErrorBody::parse(
            br#"{"__type": "com.amazon.coral.service#ThrottlingException", "Message": "slow"}"#,
        );
        assert_eq!(
            error_code(None, &body).as_deref(),
            Some("ThrottlingException")
        );
        assert_eq!(error_message(&body).as_deref(), Some("slow"));
        let code = ErrorBody::parse(br#"{"code": "X"}"#);
        assert_eq!(error_code(None, &code).as_deref(), Some("X"));
        let legacy = ErrorBody::parse(br#"{"errorMessage": "m"}"#);
        assert_eq!(error_message(&legacy).as_deref(), Some("m"));
        assert_eq!(error_code(None, &empty), None);
    }
}
