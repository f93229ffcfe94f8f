//! Cassette matching and response bodies.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::sync::mpsc;

use crate::cassette::{Cassette, Interaction, RequestMatcher};
use crate::sigv4::percent_decode_text;

/// All interactions, in serving order, with their used-up flags.
#[derive(Debug)]
pub(super) struct Slots {
    slots: Vec<Slot>,
}

#[derive(Debug)]
struct Slot {
    cassette: String,
    interaction: Arc<Interaction>,
    used: bool,
}

/// What the matcher sees of a request.
#[derive(Debug)]
pub(super) struct Target<'a> {
    pub(super) method: &'a str,
    /// Percent-decoded path.
    pub(super) path: String,
    /// Percent-decoded query pairs.
    pub(super) query: Vec<(String, String)>,
    pub(super) body: &'a [u8],
}

impl<'a> Target<'a> {
    /// Splits and decodes `path?query`.
    pub(super) fn new(method: &'a str, uri: &str, body: &'a [u8]) -> Self {
        let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
        let query = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (percent_decode_text(k), percent_decode_text(v))
            })
            .collect();
        Self {
            method,
            path: percent_decode_text(path),
            query,
            body,
        }
    }
}

impl Slots {
    pub(super) fn new(cassettes: Vec<Cassette>) -> Self {
        let slots = cassettes
            .into_iter()
            .flat_map(|c| {
                let name = c.name;
                c.interactions.into_iter().map(move |i| Slot {
                    cassette: name.clone(),
                    interaction: Arc::new(i),
                    used: false,
                })
            })
            .collect();
        Self { slots }
    }

    /// The first fitting interaction that is not used up; marks it used unless it repeats.
    pub(super) fn take(&mut self, target: &Target<'_>) -> Option<Arc<Interaction>> {
        let slot = self
            .slots
            .iter_mut()
            .find(|s| !s.used && matches(&s.interaction.request, target))?;
        if !slot.interaction.repeat {
            slot.used = true;
        }
        Some(Arc::clone(&slot.interaction))
    }

    /// A message naming the request and every matcher on offer.
    pub(super) fn describe_miss(&self, target: &Target<'_>) -> String {
        let query: BTreeMap<&str, &str> = target
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let mut msg = format!(
            "fake Bedrock: no cassette interaction matches {} {} query {:?} ({} body bytes).",
            target.method,
            target.path,
            query,
            target.body.len()
        );
        if self.slots.is_empty() {
            msg.push_str(" No cassettes are loaded.");
            return msg;
        }
        msg.push_str(" Available:");
        for s in &self.slots {
            let m = &s.interaction.request;
            msg.push_str(&format!("\n  [{}] {} {}", s.cassette, m.method, m.path));
            if !m.query.is_empty() {
                msg.push_str(&format!(" query {:?}", m.query));
            }
            if let Some(needle) = &m.body_contains {
                msg.push_str(&format!(" body_contains {needle:?}"));
            }
            if s.used {
                msg.push_str(" (used up)");
            } else if s.interaction.repeat {
                msg.push_str(" (repeat)");
            }
        }
        msg
    }
}

fn matches(m: &RequestMatcher, t: &Target<'_>) -> bool {
    m.method.eq_ignore_ascii_case(t.method)
        && m.path == t.path
        && m.query
            .iter()
            .all(|(k, v)| t.query.iter().any(|(tk, tv)| tk == k && tv == v))
        && m.body_contains
            .as_ref()
            .is_none_or(|needle| contains(t.body, needle.as_bytes()))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

/// A response body: whole (sent with `Content-Length`) or streamed piece by piece (chunked).
#[derive(Debug)]
pub(super) enum ReplyBody {
    /// The whole body; `None` once sent.
    Full(Option<Bytes>),
    /// Pieces from a producer task; an `Err` aborts the connection mid-body.
    Channel(mpsc::Receiver<Result<Bytes, std::io::Error>>),
}

impl ReplyBody {
    pub(super) fn full(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        Self::Full((!bytes.is_empty()).then_some(bytes))
    }
}

impl Body for ReplyBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.get_mut() {
            Self::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Self::Channel(rx) => rx
                .poll_recv(cx)
                .map(|piece| piece.map(|r| r.map(Frame::data))),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Self::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Full(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            // Unknown length: hyper uses chunked encoding, so a dropped connection shows as a
            // truncated body rather than a clean end.
            Self::Channel(_) => SizeHint::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cassette::{Body as CBody, RecordedResponse};

    #[test]
    fn percent_decode_handles_labels_and_junk() {
        assert_eq!(
            percent_decode_text(
                "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Aapplication-inference-profile%2Fabc/invoke"
            ),
            "/model/arn:aws:bedrock:us-east-1:1:application-inference-profile/abc/invoke"
        );
        assert_eq!(percent_decode_text("a%2"), "a%2");
        assert_eq!(percent_decode_text("a%zz%41"), "a%zzA");
        assert_eq!(percent_decode_text("a+b"), "a+b");
    }

    fn interaction(
        path: &str,
        body_contains: Option<&str>,
        repeat: bool,
        status: u16,
    ) -> Interaction {
        Interaction {
            request: RequestMatcher {
                method: "POST".into(),
                path: path.into(),
                query: BTreeMap::new(),
                body_contains: body_contains.map(Into::into),
            },
            response: RecordedResponse {
                status,
                headers: vec![],
                body: CBody::Empty,
            },
            repeat,
        }
    }

    #[test]
    fn take_uses_up_in_order_and_repeats_last() {
        let cassette = Cassette {
            name: "t".into(),
            description: String::new(),
            source: None,
            interactions: vec![
                interaction("/a", Some("Mars"), false, 201),
                interaction("/a", None, false, 429),
                interaction("/a", None, true, 200),
            ],
        };
        let mut slots = Slots::new(vec![cassette]);
        let t = Target::new("POST", "/a", b"hello");
        let statuses: Vec<u16> = (0..4)
            .map(|_| slots.take(&t).unwrap().response.status)
            .collect();
        assert_eq!(statuses, [429, 200, 200, 200]);
        let mars = Target::new("POST", "/%61", b"on Mars");
        assert_eq!(slots.take(&mars).unwrap().response.status, 201);
        assert_eq!(slots.take(&mars).unwrap().response.status, 200);
        let miss = slots.describe_miss(&Target::new("GET", "/b?x=%31", b""));
        assert!(miss.contains("GET /b"), "{miss}");
        assert!(miss.contains("\"x\": \"1\""), "{miss}");
        assert!(miss.contains("(used up)"), "{miss}");
    }

    #[test]
    fn query_is_a_subset_match() {
        let mut i = interaction("/foundation-models", None, true, 200);
        i.request.method = "GET".into();
        i.request
            .query
            .insert("byProvider".into(), "anthropic".into());
        let m = &i.request;
        assert!(matches(
            m,
            &Target::new(
                "GET",
                "/foundation-models?byProvider=anthropic&byInferenceType=ON_DEMAND",
                b""
            )
        ));
        assert!(!matches(
            m,
            &Target::new("GET", "/foundation-models?byProvider=meta", b"")
        ));
        assert!(!matches(m, &Target::new("GET", "/foundation-models", b"")));
    }
}
