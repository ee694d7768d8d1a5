//! The clock plugins see, injectable so tests control time: through the contract's `clock`
//! import and through WASI's clocks alike, since the guest has no clock but the host's.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use wasmtime_wasi::{HostMonotonicClock, HostWallClock};

/// A source of wall-clock time.
pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch.
    fn now_millis(&self) -> i64;

    /// Whole seconds since the Unix epoch.
    fn now_seconds(&self) -> i64 {
        self.now_millis().div_euclid(1000)
    }
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        // A clock before 1970 is a broken machine; report the epoch rather than fail a plugin call.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
}

/// The host's clock in milliseconds since the epoch, as WASI's unsigned time: WASI cannot say
/// "before 1970", so such a clock reads as the epoch.
fn unsigned_millis(clock: &dyn Clock) -> u64 {
    u64::try_from(clock.now_millis()).unwrap_or(0)
}

/// `wasi:clocks/wall-clock` (what `SystemTime::now` reads in a guest), from the host's [`Clock`].
pub(crate) struct WasiWallClock(pub Arc<dyn Clock>);

impl HostWallClock for WasiWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_millis(1)
    }

    fn now(&self) -> Duration {
        Duration::from_millis(unsigned_millis(&*self.0))
    }
}

/// `wasi:clocks/monotonic-clock` (what `Instant::now` reads in a guest), in nanoseconds of the
/// host's [`Clock`]. An injected clock may be set back; WASI's monotonic clock must not go back,
/// so it holds at the latest reading until the host's clock passes it again.
pub(crate) struct WasiMonotonicClock {
    clock: Arc<dyn Clock>,
    latest: AtomicU64,
}

impl WasiMonotonicClock {
    /// A monotonic clock that reads `clock`.
    pub(crate) fn new(clock: Arc<dyn Clock>) -> Self {
        Self { clock, latest: AtomicU64::new(0) }
    }
}

impl HostMonotonicClock for WasiMonotonicClock {
    fn resolution(&self) -> u64 {
        1_000_000
    }

    fn now(&self) -> u64 {
        let now = unsigned_millis(&*self.clock).saturating_mul(1_000_000);
        self.latest.fetch_max(now, Ordering::Relaxed).max(now)
    }
}
