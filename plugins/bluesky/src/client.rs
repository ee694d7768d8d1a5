//! XRPC calls under an app-password session that is created once and then only refreshed.
//!
//! The session (DID, handle, access and refresh JWTs) lives in the plugin's kv store, keyed by the
//! PDS and the account's identifier, and is reused by every call. An expired access token
//! (`ExpiredToken`) or a refused one is renewed with `com.atproto.server.refreshSession`; only if
//! that fails does the plugin log in again with `com.atproto.server.createSession`, at most once
//! per call. Logging in per poll would lock the account out: the PDS allows about 30 logins per 5
//! minutes and 300 a day. The app password itself never enters the plugin: the login body names it
//! as `{{secret:app_password}}` and the host substitutes it.

use rapport_sdk::account::Context;
use rapport_sdk::http::{Request, Response};
use rapport_sdk::kv;
use rapport_sdk::types::PluginError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::api::Session;
use crate::error::{Failure, XrpcError, classify};

/// The account secret holding the app password.
pub const PASSWORD_SECRET: &str = "app_password";

/// A connection to the account's PDS with a live session.
pub struct Xrpc {
    base: String,
    /// The configured `user`, which the account logs in with.
    identifier: String,
    session_key: String,
    session: Session,
    /// Whether this call already logged in; a second login in one call would only repeat a refusal.
    logged_in: bool,
}

impl Xrpc {
    /// Connects with the stored session, logging in only if there is none.
    pub fn connect(ctx: &Context) -> Result<Xrpc, PluginError> {
        if ctx.user.trim().is_empty() {
            return Err(PluginError::Auth(
                "the account's `user` is empty: set it to the Bluesky handle (or email) the app password belongs to"
                    .into(),
            ));
        }
        let base = ctx.api_base().to_owned();
        let session_key = format!("session:{base}:{}", ctx.user);
        let identifier = ctx.user.clone();
        match kv::get_json::<Session>(&session_key) {
            Some(session) => Ok(Xrpc { base, identifier, session_key, session, logged_in: false }),
            None => {
                let session = login(&base, &identifier)?;
                let xrpc = Xrpc { base, identifier, session_key, session, logged_in: true };
                xrpc.store()?;
                Ok(xrpc)
            }
        }
    }

    /// The acting account's DID (the repo every write goes to).
    pub fn did(&self) -> &str {
        &self.session.did
    }

    /// A query (`GET /xrpc/{nsid}`) with `params` (repeat a name for an array), parsed as JSON.
    pub fn query<T: DeserializeOwned>(
        &mut self,
        nsid: &str,
        params: &[(&str, &str)],
    ) -> Result<T, PluginError> {
        check(self.query_raw(nsid, params)?)?.json()
    }

    /// A query for one page of a 0.2 read (`call`, e.g. `own-posts`): like [`Xrpc::query`], but a
    /// page that does not parse is `permanent`, naming the call.
    pub fn query_page<T: DeserializeOwned>(
        &mut self,
        nsid: &str,
        params: &[(&str, &str)],
        call: &str,
    ) -> Result<T, PluginError> {
        check(self.query_raw(nsid, params)?)?.page(call)
    }

    /// Like [`Xrpc::query`], but `None` when the server answers with one of the error names in
    /// `missing` (e.g. `RecordNotFound`).
    pub fn query_optional<T: DeserializeOwned>(
        &mut self,
        nsid: &str,
        params: &[(&str, &str)],
        missing: &[&str],
    ) -> Result<Option<T>, PluginError> {
        let response = self.query_raw(nsid, params)?;
        if !(200..300).contains(&response.status())
            && missing.contains(&XrpcError::parse(response.body()).error.as_str())
        {
            return Ok(None);
        }
        check(response)?.json().map(Some)
    }

    /// A procedure (`POST /xrpc/{nsid}`) with a JSON body; the answer's body is returned unparsed.
    pub fn procedure<B: Serialize + ?Sized>(
        &mut self,
        nsid: &str,
        body: &B,
    ) -> Result<Response, PluginError> {
        let url = format!("{}/xrpc/{nsid}", self.base);
        let response = self.authed(|token| Request::post(&url).bearer(token).json(body))?;
        check(response)
    }

    /// A procedure whose body is `bytes` of type `content_type` (`uploadBlob`); the answer's
    /// body is returned unparsed.
    pub fn upload(&mut self, nsid: &str, content_type: &str, bytes: &[u8]) -> Result<Response, PluginError> {
        let url = format!("{}/xrpc/{nsid}", self.base);
        let response = self.authed(|token| {
            Request::post(&url).bearer(token).header("Content-Type", content_type).body(bytes.to_vec())
        })?;
        check(response)
    }

    fn query_raw(&mut self, nsid: &str, params: &[(&str, &str)]) -> Result<Response, PluginError> {
        let mut url = format!("{}/xrpc/{nsid}", self.base);
        for (i, (name, value)) in params.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            rapport_sdk::http::percent_encode_into(&mut url, name);
            url.push('=');
            rapport_sdk::http::percent_encode_into(&mut url, value);
        }
        self.authed(|token| Request::get(&url).bearer(token))
    }

    /// Sends the request `build` makes with the access token; renews the session once if the
    /// token expired or was refused, and sends it again. Any other answer is returned as is.
    fn authed(&mut self, build: impl Fn(&str) -> Request) -> Result<Response, PluginError> {
        let response = build(&self.session.access_jwt).send()?;
        if (200..300).contains(&response.status()) {
            return Ok(response);
        }
        match classify(response.status(), response.headers(), response.body(), response.url(), 0) {
            Failure::ExpiredToken | Failure::BadToken(_) => {
                self.renew()?;
                Ok(build(&self.session.access_jwt).send()?)
            }
            Failure::Error(_) => Ok(response),
        }
    }

    /// Refreshes the session, or logs in again (once per call) if the refresh token is refused too.
    fn renew(&mut self) -> Result<(), PluginError> {
        let url = format!("{}/xrpc/com.atproto.server.refreshSession", self.base);
        let response = Request::post(&url).bearer(&self.session.refresh_jwt).send()?;
        let refreshed = match response.status() {
            200..=299 => Some(response.json::<Session>()?),
            status => {
                match classify(status, response.headers(), response.body(), &url, rapport_sdk::clock::now()) {
                    Failure::ExpiredToken
                    | Failure::BadToken(_)
                    | Failure::Error(PluginError::Permanent(_)) => None,
                    Failure::Error(err) => return Err(err),
                }
            }
        };
        self.session = match refreshed {
            Some(session) => session,
            None if self.logged_in => {
                return Err(PluginError::Auth(format!(
                    "{} refused a session it had just created; check the app password",
                    self.base
                )));
            }
            None => {
                rapport_sdk::info!("the Bluesky refresh token was refused; logging in again");
                self.logged_in = true;
                login(&self.base, &self.identifier)?
            }
        };
        self.store()
    }

    fn store(&self) -> Result<(), PluginError> {
        kv::set_json(&self.session_key, &self.session)
    }
}

/// `Ok(response)` for a success, else the error it stands for.
fn check(response: Response) -> Result<Response, PluginError> {
    if (200..300).contains(&response.status()) {
        return Ok(response);
    }
    let now = if response.status() == 429 { rapport_sdk::clock::now() } else { 0 };
    Err(classify(response.status(), response.headers(), response.body(), response.url(), now)
        .into_error(response.url()))
}

/// Logs in with the app password; a refusal is `auth`, a 429 `rate-limited`.
fn login(base: &str, identifier: &str) -> Result<Session, PluginError> {
    let url = format!("{base}/xrpc/com.atproto.server.createSession");
    let body = json!({"identifier": identifier, "password": format!("{{{{secret:{PASSWORD_SECRET}}}}}")});
    let response = Request::post(&url).json(&body).send()?;
    if (200..300).contains(&response.status()) {
        return response.json();
    }
    let now = if response.status() == 429 { rapport_sdk::clock::now() } else { 0 };
    Err(match classify(response.status(), response.headers(), response.body(), &url, now) {
        Failure::Error(PluginError::Permanent(why)) | Failure::Error(PluginError::Denied(why)) => {
            PluginError::Auth(format!("Bluesky refused the login of {identifier:?}: {why}"))
        }
        failure => failure.into_error(&url),
    })
}

/// Adds a bearer token held by the plugin (the session's JWTs, not a host secret).
trait Bearer {
    fn bearer(self, token: &str) -> Self;
}

impl Bearer for Request {
    fn bearer(self, token: &str) -> Self {
        self.header("Authorization", format!("Bearer {token}"))
    }
}
