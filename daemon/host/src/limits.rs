//! Per-call sandbox limits: CPU ticks, wall-clock time, memory, and egress caps.
//!
//! CPU is metered with epoch interruption: a ticker thread advances the engine's epoch every
//! [`HostConfig::epoch_tick`](crate::HostConfig::epoch_tick), and each time guest code notices a new
//! epoch the store's callback charges one tick and yields to tokio, so a busy plugin shares the
//! runtime; once the budget is spent it traps. Time blocked in host calls (HTTP) is not charged,
//! because guest code is not running then; the wall-clock timeout bounds it instead.

use std::time::Duration;

use wasmtime::{ResourceLimiter, UpdateDeadline};

/// Caps applied to every plugin call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallLimits {
    /// Epoch ticks of guest execution a call may use before it traps.
    pub cpu_ticks: u64,
    /// The whole call, guest and host time, must finish within this.
    pub wall_timeout: Duration,
    /// Linear memory a call's instance may grow to, in bytes.
    pub memory_bytes: usize,
    /// HTTP exchanges (redirect hops included) a call may make.
    pub max_requests: u32,
    /// Largest request body, in bytes.
    pub max_request_body: usize,
    /// Largest response body, in bytes; reading stops there.
    pub max_response_body: usize,
    /// Largest total of request or response header names and values, in bytes.
    pub max_header_bytes: usize,
    /// Longest one HTTP exchange may take (further cut to what is left of `wall_timeout`).
    pub request_timeout: Duration,
}

impl Default for CallLimits {
    fn default() -> Self {
        Self {
            cpu_ticks: 200,
            wall_timeout: Duration::from_secs(60),
            memory_bytes: 64 << 20,
            max_requests: 16,
            // An image upload: the largest image the host hands a plugin, in a multipart body.
            max_request_body: crate::media::MAX_MEDIA_BYTES as usize + (1 << 20),
            max_response_body: 8 << 20,
            max_header_bytes: 64 << 10,
            request_timeout: Duration::from_secs(20),
        }
    }
}

/// Why the sandbox stopped a call, recorded in the store so the error can say so plainly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exceeded {
    Cpu,
    Memory,
}

/// The store's meter: memory cap and CPU tick budget.
#[derive(Debug)]
pub(crate) struct Meter {
    memory_bytes: usize,
    cpu_budget: u64,
    cpu_spent: u64,
    pub exceeded: Option<Exceeded>,
}

impl Meter {
    pub fn new(limits: &CallLimits) -> Self {
        Self { memory_bytes: limits.memory_bytes, cpu_budget: limits.cpu_ticks, cpu_spent: 0, exceeded: None }
    }

    /// Charges one epoch tick; yields to tokio while budget remains, traps once it is spent.
    pub fn tick(&mut self) -> wasmtime::Result<UpdateDeadline> {
        self.cpu_spent += 1;
        if self.cpu_spent >= self.cpu_budget {
            self.exceeded = Some(Exceeded::Cpu);
            return Err(wasmtime::Error::msg(format!("CPU budget of {} epoch ticks spent", self.cpu_budget)));
        }
        Ok(UpdateDeadline::YieldCustom(1, Box::pin(tokio::task::yield_now())))
    }
}

impl ResourceLimiter for Meter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.memory_bytes {
            self.exceeded = Some(Exceeded::Memory);
            // An error (not `Ok(false)`) traps at once instead of handing the guest a failed grow.
            return Err(wasmtime::Error::msg(format!("memory cap of {} bytes exceeded", self.memory_bytes)));
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // Tables hold function references; a guest needing more than this is runaway, not busy.
        Ok(desired <= 100_000)
    }
}
