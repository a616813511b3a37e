//! How long to wait before trying again, and how often, when Redis fails: the relay's and the
//! proxy's policies in one place, on `backon` (no jitter, so the waits are exact and tested here
//! in virtual time; the REST client's policy for Twilio's 429s is `twilio_wire::retry`). Which
//! errors are worth another try stays with each caller, which knows its errors.

use std::time::Duration;

use backon::{ConstantBuilder, ExponentialBuilder};

/// Redis cannot be reached: wait 50 ms, doubling to at most 250 ms, for as long as the caller
/// still wants the result (the caller's `when` decides when to stop). The cap is low because a
/// live call is waiting: once Redis is back, its next turn should be decided within a quarter
/// of a second, before the IVR's `<Gather>` times out; a `PING` every 250 ms costs Redis nothing.
pub const REDIS_OUTAGE: ExponentialBuilder = ExponentialBuilder::new()
    .with_min_delay(Duration::from_millis(50))
    .with_max_delay(Duration::from_millis(250))
    .without_max_times();

/// The first command after a Redis restart meets the old, dead connection while the manager
/// opens a new one: one more try, straight away.
pub const REDIS_STALE_CONNECTION: ConstantBuilder = ConstantBuilder::new()
    .with_delay(Duration::ZERO)
    .with_max_times(1);

#[cfg(test)]
mod tests {
    use backon::BackoffBuilder;

    use super::*;

    fn waits(policy: impl BackoffBuilder, n: usize) -> Vec<u128> {
        policy.build().take(n).map(|d| d.as_millis()).collect()
    }

    #[test]
    fn the_policies_wait_as_documented() {
        assert_eq!(
            waits(REDIS_OUTAGE, 8),
            [50, 100, 200, 250, 250, 250, 250, 250]
        );
        assert_eq!(REDIS_OUTAGE.build().take(10_000).count(), 10_000);
        assert_eq!(waits(REDIS_STALE_CONNECTION, 10), [0]);
    }
}
