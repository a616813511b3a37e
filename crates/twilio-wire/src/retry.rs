//! How the REST client retries Twilio's 429 Too Many Requests, on `backon` (no jitter, so the
//! waits are exact and tested here in virtual time). Which errors are worth another try stays
//! with the client, which knows its errors.

use std::time::Duration;

use backon::ExponentialBuilder;

/// Twilio answered 429 Too Many Requests: wait 100 ms, 200 ms, 400 ms (doubling, at most 3 s)
/// and give up after three retries, as Twilio's own clients' `autoRetry` does.
pub const TWILIO_RATE_LIMITED: ExponentialBuilder = ExponentialBuilder::new()
    .with_min_delay(Duration::from_millis(100))
    .with_max_delay(Duration::from_millis(3000))
    .with_max_times(3);

/// Asserts that tries made at `tried_at` (milliseconds on Tokio's paused clock) waited
/// `expected` between them; Tokio's timer rounds each wait up to the next whole millisecond.
#[cfg(test)]
pub(crate) fn assert_waits(tried_at: &[u128], expected: &[u128]) {
    let waited: Vec<u128> = tried_at.windows(2).map(|w| w[1] - w[0]).collect();
    let close = waited.len() == expected.len()
        && waited
            .iter()
            .zip(expected)
            .all(|(w, e)| (*e..=e + 1).contains(w));
    assert!(close, "waited {waited:?} ms, expected {expected:?} ms");
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use backon::{BackoffBuilder, Retryable};
    use tokio::time::Instant;

    use super::*;

    #[test]
    fn the_policy_waits_as_documented() {
        let waits: Vec<u128> = TWILIO_RATE_LIMITED
            .build()
            .take(10)
            .map(|d| d.as_millis())
            .collect();
        assert_eq!(waits, [100, 200, 400]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_rate_limited_request_is_tried_four_times_over_700_ms() {
        let start = Instant::now();
        let tried = Arc::new(Mutex::new(Vec::new()));
        let attempt = || {
            let tried = tried.clone();
            async move {
                tried.lock().unwrap().push(start.elapsed().as_millis());
                Err::<(), _>("still failing")
            }
        };
        assert_eq!(
            attempt.retry(TWILIO_RATE_LIMITED).await,
            Err("still failing")
        );
        let tried_at = tried.lock().unwrap().clone();
        assert_waits(&tried_at, &[100, 200, 400]);
    }
}
