//! The epoch ticker: the clock of every call's CPU budget, on its own OS thread so that a guest
//! spinning on a tokio worker cannot stop it.
//!
//! It ticks only while a call is running. An idle daemon (the normal state: polls are minutes
//! apart) would otherwise wake a hundred times a second for nothing; idle, the thread sleeps and
//! looks once a second whether the engine is gone, so it ends with its host.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::Thread;
use std::time::Duration;

use wasmtime::Engine;

use crate::error::HostError;

/// How often an idle ticker checks that its engine still exists.
const IDLE_CHECK: Duration = Duration::from_secs(1);

/// The running ticker of one engine.
pub(crate) struct EpochTicker {
    running_calls: Arc<AtomicUsize>,
    thread: Thread,
}

impl EpochTicker {
    /// Starts the thread that advances `engine`'s epoch every `tick` while calls run.
    pub(crate) fn spawn(engine: &Engine, tick: Duration) -> Result<EpochTicker, HostError> {
        let weak = engine.weak();
        let running_calls = Arc::new(AtomicUsize::new(0));
        let running = running_calls.clone();
        let handle = std::thread::Builder::new()
            .name("rapport-epoch".to_owned())
            .spawn(move || {
                loop {
                    if running.load(Ordering::Acquire) == 0 {
                        // A call starting unparks this (an unpark before the park is kept).
                        std::thread::park_timeout(IDLE_CHECK);
                        if weak.upgrade().is_none() {
                            break;
                        }
                        continue;
                    }
                    std::thread::sleep(tick);
                    match weak.upgrade() {
                        Some(engine) => engine.increment_epoch(),
                        None => break,
                    }
                }
            })
            .map_err(|e| HostError::Engine(format!("cannot start the epoch ticker thread: {e}")))?;
        Ok(EpochTicker { running_calls, thread: handle.thread().clone() })
    }

    /// Keeps the ticker ticking until the returned guard is dropped (at the end of the call).
    pub(crate) fn running(&self) -> RunningCall {
        if self.running_calls.fetch_add(1, Ordering::AcqRel) == 0 {
            self.thread.unpark();
        }
        RunningCall { running_calls: self.running_calls.clone() }
    }
}

/// One call's hold on the ticker.
pub(crate) struct RunningCall {
    running_calls: Arc<AtomicUsize>,
}

impl Drop for RunningCall {
    fn drop(&mut self) {
        self.running_calls.fetch_sub(1, Ordering::AcqRel);
    }
}
