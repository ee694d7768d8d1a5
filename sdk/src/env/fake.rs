//! A scripted [`Env`] for a plugin's native unit tests: canned responses matched by URL prefix, an
//! in-memory store, a clock that stands still, warnings kept for the test to read.
//!
//! Compiled only with the SDK's `fake` feature, which plugins enable for their dev-dependency, so
//! no component carries it.

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};

use super::Env;
use crate::http::{HttpError, Request, Response};

/// One request the plugin sent, as the fake saw it.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The URL, query included.
    pub url: String,
    /// The headers.
    pub headers: Vec<(String, String)>,
    /// The body, as text.
    pub body: String,
}

impl Sent {
    /// The first value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        crate::http::header(&self.headers, name)
    }
}

/// One scripted answer, for the next request whose URL starts with `prefix`.
struct Exchange {
    prefix: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

/// Answers each request with the first scripted response whose URL prefix matches, in order.
#[derive(Default)]
pub struct Scripted {
    script: VecDeque<Exchange>,
    /// Every request sent, in order.
    pub sent: Vec<Sent>,
    /// The store.
    pub kv: BTreeMap<String, Vec<u8>>,
    /// The clock, in seconds.
    pub now: i64,
    /// Logged warnings.
    pub warnings: RefCell<Vec<String>>,
    /// The store as it was whenever a request was sent, to check what was persisted first.
    pub kv_at_send: Vec<BTreeMap<String, Vec<u8>>>,
}

impl Scripted {
    /// An environment whose clock reads `now`.
    pub fn at(now: i64) -> Self {
        Scripted { now, ..Scripted::default() }
    }

    /// Scripts the next response for a URL starting with `url_prefix`.
    pub fn expect(mut self, url_prefix: &str, status: u16, headers: &[(&str, &str)], body: &str) -> Self {
        let headers = headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        self.script.push_back(Exchange {
            prefix: url_prefix.to_owned(),
            status,
            headers,
            body: body.to_owned(),
        });
        self
    }

    /// Whether every scripted response was used.
    pub fn done(&self) -> bool {
        self.script.is_empty()
    }

    /// The stored value under `key` as text.
    pub fn kv_text(&self, key: &str) -> Option<String> {
        self.kv.get(key).map(|v| String::from_utf8_lossy(v).into_owned())
    }
}

impl Env for Scripted {
    fn send(&mut self, request: Request) -> Result<Response, HttpError> {
        let url = request.url().to_owned();
        self.sent.push(Sent {
            url: url.clone(),
            headers: request.headers().to_vec(),
            body: String::from_utf8_lossy(request.body_bytes()).into_owned(),
        });
        self.kv_at_send.push(self.kv.clone());
        let Some(at) = self.script.iter().position(|e| url.starts_with(e.prefix.as_str())) else {
            return Err(HttpError::Connection(format!("no scripted response for {url}")));
        };
        let Some(Exchange { status, headers, body, .. }) = self.script.remove(at) else {
            return Err(HttpError::Connection(format!("no scripted response for {url}")));
        };
        Ok(Response::new(url, status, headers, body.into_bytes()))
    }

    fn kv_get(&self, key: &str) -> Option<Vec<u8>> {
        self.kv.get(key).cloned()
    }

    fn kv_set(&mut self, key: &str, value: &[u8]) {
        self.kv.insert(key.to_owned(), value.to_vec());
    }

    fn now(&self) -> i64 {
        self.now
    }

    fn warn(&self, message: &str) {
        self.warnings.borrow_mut().push(message.to_owned());
    }
}
