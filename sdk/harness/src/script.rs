//! The scripted server: an [`HttpTransport`] that answers from a queue of expected exchanges.
//!
//! It sits below the host's egress policy, exactly where reqwest sits in production, so grant
//! checks, secret substitution, size caps and rate-limit headers all run as they would for real.
//! A request that does not match the next exchange is not answered: it is recorded as a
//! [`Mismatch`] (which the harness turns into the call's error) and the plugin sees a connection
//! failure, so nothing it does afterwards can hide the mistake.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};

use rapport_host::egress::transport::{HttpTransport, TransportError, TransportFuture, TransportRequest};

use crate::exchange::{Answer, Exchange, RecordedRequest};

/// A request the script did not expect, and what it expected instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// What the plugin sent.
    pub request: RecordedRequest,
    /// The exchange that was next in the script (`None` when the script was used up), and why it
    /// did not match.
    pub expected: Option<(String, String)>,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.expected {
            Some((expected, why)) => {
                write!(f, "the plugin sent {}, but the script expected {expected} ({why})", self.request)
            }
            None => write!(f, "the plugin sent {}, but the script expected no more requests", self.request),
        }
    }
}

#[derive(Default)]
struct State {
    expected: VecDeque<Exchange>,
    seen: Vec<RecordedRequest>,
    mismatches: Vec<Mismatch>,
}

/// The harness's transport; shared between the host and the [`Harness`](crate::Harness).
#[derive(Default)]
pub(crate) struct Script {
    state: Mutex<State>,
}

impl Script {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panicking test thread cannot leave the queue half-updated: every change is one push or pop.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn push(&self, exchange: Exchange) {
        self.state().expected.push_back(exchange);
    }

    pub(crate) fn seen(&self) -> Vec<RecordedRequest> {
        self.state().seen.clone()
    }

    /// The mismatches recorded since the last call, clearing them.
    pub(crate) fn take_mismatches(&self) -> Vec<Mismatch> {
        std::mem::take(&mut self.state().mismatches)
    }

    pub(crate) fn remaining(&self) -> Vec<String> {
        self.state().expected.iter().map(|e| format!("{e:?}")).collect()
    }

    pub(crate) fn clear(&self) {
        let mut state = self.state();
        state.expected.clear();
        state.mismatches.clear();
    }

    fn answer(&self, request: &TransportRequest) -> Result<Answer, TransportError> {
        let mut state = self.state();
        let recorded = RecordedRequest::from_transport(request);
        state.seen.push(recorded.clone());
        let mismatch = match state.expected.pop_front() {
            None => Mismatch { request: recorded, expected: None },
            Some(next) => match next.request.mismatch(request) {
                None => return Ok(next.answer),
                Some(why) => {
                    let mismatch =
                        Mismatch { request: recorded, expected: Some((next.request.to_string(), why)) };
                    // The expected exchange stays first: `assert_done` reports it as unused.
                    state.expected.push_front(next);
                    mismatch
                }
            },
        };
        let message = format!("rapport-harness: {mismatch}");
        state.mismatches.push(mismatch);
        Err(TransportError::Connection(message))
    }
}

impl HttpTransport for Script {
    fn send(&self, request: TransportRequest) -> TransportFuture<'_> {
        let answer = self.answer(&request);
        Box::pin(async move {
            match answer? {
                Answer::Respond(response) => Ok(response),
                Answer::Fail(error) => Err(error),
            }
        })
    }
}
