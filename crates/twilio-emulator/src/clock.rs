//! Emulated time. Speech, rings and Gather timeouts last as long as on a real phone divided by
//! the time scale, so a suite runs in seconds; timestamps advance at the same scaled pace.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// A clock that runs `scale` times faster than the wall clock.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    scale: f64,
    started_wall: std::time::Instant,
    started_at: DateTime<Utc>,
}

impl Clock {
    /// A clock starting now; `scale` above 1 speeds time up (clamped to 0.001..=1000).
    pub fn new(scale: f64) -> Clock {
        Clock {
            scale: if scale.is_finite() {
                scale.clamp(0.001, 1000.0)
            } else {
                1.0
            },
            started_wall: std::time::Instant::now(),
            started_at: Utc::now(),
        }
    }

    /// How many emulated seconds pass per wall-clock second.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// The wall-clock time an emulated duration takes.
    pub fn wall(&self, emulated: Duration) -> Duration {
        emulated.div_f64(self.scale)
    }

    /// Sleeps for an emulated duration.
    pub async fn sleep(&self, emulated: Duration) {
        tokio::time::sleep(self.wall(emulated)).await;
    }

    /// The emulated current time (for timestamps and durations).
    pub fn now(&self) -> DateTime<Utc> {
        let elapsed = self.started_wall.elapsed().mul_f64(self.scale);
        self.started_at + chrono::Duration::from_std(elapsed).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_durations() {
        let clock = Clock::new(10.0);
        assert_eq!(
            clock.wall(Duration::from_secs(5)),
            Duration::from_millis(500)
        );
        assert_eq!(Clock::new(f64::NAN).scale(), 1.0);
        assert_eq!(Clock::new(1e9).scale(), 1000.0);
    }

    #[tokio::test]
    async fn emulated_time_runs_faster() {
        let clock = Clock::new(100.0);
        let before = clock.now();
        clock.sleep(Duration::from_secs(2)).await;
        let passed = clock.now() - before;
        assert!(passed >= chrono::Duration::milliseconds(1900), "{passed}");
    }
}
