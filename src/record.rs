//! Record mode (feature `record`): each exchange is written as a cassette (see
//! [`crate::cassette`]) that the fake server can replay. Request credentials never reach the
//! file: only the method, path, query and the response are kept. Without the feature the types
//! below are uninhabited, so the recording branches of the client compile away.

#[cfg(not(feature = "record"))]
mod disabled {
    use crate::cassette::{Body, RequestMatcher};

    /// Never constructed without the `record` feature.
    #[derive(Debug)]
    pub(crate) enum Recorder {}

    impl Recorder {
        pub(crate) fn write(
            &self,
            _: &str,
            _: RequestMatcher,
            _: u16,
            _: Vec<(String, String)>,
            _: Body,
        ) {
            match *self {}
        }
    }

    /// Never constructed without the `record` feature.
    #[derive(Debug)]
    pub(crate) enum StreamRecording {}

    impl StreamRecording {
        pub(crate) fn start(
            recorder: &Recorder,
            _: String,
            _: RequestMatcher,
            _: u16,
            _: Vec<(String, String)>,
        ) -> Self {
            match *recorder {}
        }
        pub(crate) fn piece(&mut self, _: &[u8]) {
            match *self {}
        }
        pub(crate) fn mark_dropped(&mut self) {
            match *self {}
        }
    }
}
#[cfg(not(feature = "record"))]
pub(crate) use disabled::{Recorder, StreamRecording};

/// How the client holds its recorder: shared when recording is compiled in; without the
/// feature the uninhabited type itself, so `Option<Handle>` is provably `None` and every
/// recording branch is removed at compile time.
#[cfg(feature = "record")]
pub(crate) type Handle = std::sync::Arc<Recorder>;
/// See above.
#[cfg(not(feature = "record"))]
pub(crate) type Handle = Recorder;

use std::collections::BTreeMap;
#[cfg(feature = "record")]
use std::path::PathBuf;
#[cfg(feature = "record")]
use std::sync::atomic::{AtomicU64, Ordering};

use crate::cassette::RequestMatcher;
#[cfg(feature = "record")]
use crate::cassette::{Body, Cassette, Interaction, Piece, PieceKind, RecordedResponse};
use crate::sigv4::percent_decode_text;

/// Writes cassettes into a directory.
#[cfg(feature = "record")]
#[derive(Debug)]
pub(crate) struct Recorder {
    dir: PathBuf,
    seq: AtomicU64,
}

/// A request matcher for a wire path and query.
pub(crate) fn matcher(method: &str, path: &str, query: Option<&str>) -> RequestMatcher {
    let mut q = BTreeMap::new();
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        q.insert(percent_decode_text(k), percent_decode_text(v));
    }
    RequestMatcher {
        method: method.to_owned(),
        path: percent_decode_text(path),
        query: q,
        body_contains: None,
    }
}

/// Response headers worth keeping (hop-by-hop ones and lengths are dropped; the fake sets them).
pub(crate) fn keep_headers(headers: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(n, _)| {
            !matches!(
                n.as_str(),
                "content-length" | "transfer-encoding" | "connection" | "keep-alive" | "date"
            )
        })
        .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect()
}

#[cfg(feature = "record")]
impl Recorder {
    pub(crate) fn new(dir: PathBuf) -> std::io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(Self {
            dir,
            seq: AtomicU64::new(0),
        })
    }

    /// Writes one interaction as its own cassette; atomic (temporary file, then rename).
    pub(crate) fn write(
        &self,
        name: &str,
        request: RequestMatcher,
        status: u16,
        headers: Vec<(String, String)>,
        body: Body,
    ) {
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .take(80)
            .collect();
        let file = format!("{stamp}-{}-{n}-{safe}.json", std::process::id());
        let cassette = Cassette {
            name: name.to_owned(),
            description: "recorded by bedrock-lite record mode".to_owned(),
            source: None,
            interactions: vec![Interaction {
                request,
                response: RecordedResponse {
                    status,
                    headers,
                    body,
                },
                repeat: false,
            }],
        };
        let tmp = self.dir.join(format!(".{file}.tmp"));
        let done = std::fs::write(&tmp, cassette.to_json())
            .and_then(|()| std::fs::rename(&tmp, self.dir.join(&file)));
        if done.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// A streamed response being recorded; written when finished, failed or dropped.
#[cfg(feature = "record")]
#[derive(Debug)]
pub(crate) struct StreamRecording {
    pub(crate) recorder: std::sync::Arc<Recorder>,
    pub(crate) name: String,
    pub(crate) request: RequestMatcher,
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) pieces: Vec<Piece>,
    pub(crate) dropped: bool,
}

#[cfg(feature = "record")]
impl StreamRecording {
    pub(crate) fn start(
        recorder: &Handle,
        name: String,
        request: RequestMatcher,
        status: u16,
        headers: Vec<(String, String)>,
    ) -> Self {
        Self {
            recorder: std::sync::Arc::clone(recorder),
            name,
            request,
            status,
            headers,
            pieces: Vec::new(),
            dropped: false,
        }
    }

    pub(crate) fn mark_dropped(&mut self) {
        self.dropped = true;
    }

    pub(crate) fn piece(&mut self, bytes: &[u8]) {
        use base64::Engine as _;
        self.pieces.push(Piece {
            delay_ms: 0,
            kind: PieceKind::Base64(base64::engine::general_purpose::STANDARD.encode(bytes)),
        });
    }
}

#[cfg(feature = "record")]
impl Drop for StreamRecording {
    fn drop(&mut self) {
        let mut pieces = std::mem::take(&mut self.pieces);
        if self.dropped {
            pieces.push(Piece {
                delay_ms: 0,
                kind: PieceKind::Drop,
            });
        }
        let request = std::mem::replace(&mut self.request, matcher("GET", "/", None));
        self.recorder.write(
            &self.name,
            request,
            self.status,
            std::mem::take(&mut self.headers),
            Body::Chunks(pieces),
        );
    }
}
