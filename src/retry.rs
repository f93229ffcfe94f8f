//! The standard retry policy: which failures are worth another attempt, and how long to wait.

use std::time::Duration;

/// Largest wait between attempts.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(20);

/// Retry settings of a client.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) base_delay: Duration,
}

/// Whether an HTTP error status/code is retried: throttling (429, including
/// `ModelNotReadyException`, and the throttling codes on other statuses) and 500/502/503/504.
/// Other 4xx are final.
pub(crate) fn is_retryable_status(status: u16, code: Option<&str>) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
        || matches!(
            code,
            Some(
                "ThrottlingException"
                    | "Throttling"
                    | "TooManyRequestsException"
                    | "ModelNotReadyException"
            )
        )
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` (attempts count from 1): full jitter over
    /// `base * 2^(attempt-1)`, capped at 20 s; a server `x-amz-retry-after` (milliseconds) wins.
    pub(crate) fn delay(&self, attempt: u32, retry_after_ms: Option<u64>) -> Duration {
        if let Some(ms) = retry_after_ms {
            return Duration::from_millis(ms).min(MAX_BACKOFF);
        }
        let exp = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(MAX_BACKOFF);
        exp.mul_f64(jitter())
    }
}

/// A number in [0, 1) from a small xorshift generator seeded per thread from the clock.
fn jitter() -> f64 {
    use std::cell::Cell;
    thread_local! {
        static STATE: Cell<u64> = Cell::new(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0x9e37_79b9_7f4a_7c15, |d| d.as_nanos() as u64)
                | 1,
        );
    }
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        (x >> 11) as f64 / (1u64 << 53) as f64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        for s in [429, 500, 502, 503, 504] {
            assert!(is_retryable_status(s, None), "{s}");
        }
        for s in [400, 401, 403, 404, 408, 413, 424] {
            assert!(!is_retryable_status(s, Some("ValidationException")), "{s}");
        }
        assert!(is_retryable_status(400, Some("ThrottlingException")));
        assert!(!is_retryable_status(
            400,
            Some("ServiceQuotaExceededException")
        ));
    }

    #[test]
    fn backoff_is_bounded_and_honours_retry_after() {
        let p = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
        };
        for attempt in 1..40 {
            let d = p.delay(attempt, None);
            assert!(d <= MAX_BACKOFF);
            assert!(d <= Duration::from_millis(100) * 2u32.pow(attempt.min(16) - 1));
        }
        assert_eq!(p.delay(1, Some(250)), Duration::from_millis(250));
        assert_eq!(p.delay(1, Some(999_999)), MAX_BACKOFF);
        let spread: std::collections::HashSet<_> = (0..20).map(|_| p.delay(3, None)).collect();
        assert!(spread.len() > 10, "jitter should vary");
    }
}
