//! OAuth 2 user tokens with refresh (`offline.access`): every authenticated call goes through
//! [`send`], which refreshes the access token when it is missing or expired, and once more when X
//! answers 401, then retries the call once.
//!
//! X rotates refresh tokens: each refresh returns a new refresh token and invalidates the old one.
//! The plugin therefore stores the new pair in its key-value store *before* it uses the new access
//! token, so a crash between the two never leaves it holding only a spent token. The long-lived
//! refresh token in the account's configuration is used only until the first refresh, and only as
//! `{{secret:refresh_token}}`, which the host substitutes into the request body.

use rapport_sdk::http::{Request, Response, percent_encode_into};
use rapport_sdk::types::PluginError;
use serde::{Deserialize, Serialize};

use crate::error::check;
use rapport_sdk::env::Env;

/// The kv key of the current [`Session`].
pub const SESSION_KEY: &str = "oauth2-session";
/// Refresh this long before the access token's stated expiry, so a call never races it.
const EXPIRY_MARGIN_SECS: i64 = 120;

/// How the plugin talks to X's OAuth 2 token endpoint, from the account's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// The API base URL, e.g. `https://api.x.com`.
    pub api_base: String,
    /// The app's OAuth 2 client id (setting `client_id`).
    pub client_id: String,
    /// Whether the app is a confidential client, which authenticates the refresh with HTTP Basic
    /// (setting `client_auth = "basic"`, secret `client_credentials`).
    pub confidential: bool,
}

/// The plugin's own session: the access token it uses and the refresh token that renews it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The bearer token for API calls.
    pub access_token: String,
    /// The rotated refresh token; `None` until the first refresh, when the configured secret is used.
    pub refresh_token: Option<String>,
    /// When the access token expires, in Unix seconds.
    pub expires_at: i64,
    /// The scopes X granted with the access token (its `scope` answer); empty if it did not say
    /// or the session predates this field.
    #[serde(default)]
    pub scopes: Vec<String>,
}

/// X's answer to a token request.
#[derive(Debug, Deserialize)]
struct TokenAnswer {
    access_token: String,
    refresh_token: Option<String>,
    expires_in: Option<i64>,
    /// Space-separated granted scopes.
    #[serde(default)]
    scope: String,
}

/// X's OAuth error answer, e.g. `{"error":"invalid_request","error_description":"..."}`.
#[derive(Debug, Default, Deserialize)]
struct OAuthError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
}

/// The token request that trades `refresh_token` (the configured secret when `None`) for a new
/// session.
pub fn refresh_request(client: &Client, refresh_token: Option<&str>) -> Request {
    // Built by hand rather than with `Request::form`, which would percent-encode the
    // `{{secret:…}}` placeholder out of the host's reach.
    let mut body = String::from("grant_type=refresh_token&client_id=");
    percent_encode_into(&mut body, &client.client_id);
    body.push_str("&refresh_token=");
    match refresh_token {
        Some(token) => percent_encode_into(&mut body, token),
        None => body.push_str("{{secret:refresh_token}}"),
    }
    let request = Request::post(format!("{}/2/oauth2/token", client.api_base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body);
    if client.confidential {
        request.header("Authorization", "Basic {{secret:client_credentials}}")
    } else {
        request
    }
}

/// The session in a successful token answer received at `now`; `previous` keeps the refresh
/// token should X not send a new one.
pub fn parse_token_answer(body: &[u8], previous: Option<&str>, now: i64) -> Result<Session, PluginError> {
    let answer: TokenAnswer = serde_json::from_slice(body).map_err(|err| {
        PluginError::Transient(format!("X's token endpoint answered with a body that is not a token ({err})"))
    })?;
    // X states two hours; assume that when the field is missing.
    let lifetime = answer.expires_in.unwrap_or(7200);
    Ok(Session {
        access_token: answer.access_token,
        refresh_token: answer.refresh_token.or_else(|| previous.map(str::to_owned)),
        expires_at: now.saturating_add(lifetime),
        scopes: answer.scope.split_whitespace().map(str::to_owned).collect(),
    })
}

/// The scopes X granted at the last token refresh; empty before the first.
pub fn granted_scopes<E: Env>(env: &E) -> Vec<String> {
    env.kv_get_json::<Session>(SESSION_KEY).map(|s| s.scopes).unwrap_or_default()
}

/// Obtains a new session and persists it before returning it.
fn refresh<E: Env>(env: &mut E, client: &Client, previous: Option<&Session>) -> Result<Session, PluginError> {
    let stored = previous.and_then(|s| s.refresh_token.as_deref());
    let response = env.send(refresh_request(client, stored))?;
    let now = env.now();
    if matches!(response.status(), 400 | 401) {
        let refusal: OAuthError = serde_json::from_slice(response.body()).unwrap_or_default();
        if stored.is_some() {
            // The rotated token is spent or revoked. Forget it so that the next call uses the
            // configured secret, which the person replaces after authorizing the app again.
            env.kv_set_json(
                SESSION_KEY,
                &Session {
                    access_token: String::new(),
                    refresh_token: None,
                    expires_at: 0,
                    scopes: Vec::new(),
                },
            )?;
        }
        return Err(PluginError::Auth(format!(
            "X refused the refresh token ({} {}); authorize the app again (OAuth 2 with offline.access) and store \
             the new refresh token as this account's secret `refresh_token`",
            refusal.error, refusal.error_description
        )));
    }
    let response = check(response, now)?;
    let session = parse_token_answer(response.body(), stored, now)?;
    env.kv_set_json(SESSION_KEY, &session)?;
    Ok(session)
}

/// Sends the request `build` makes with the account's access token, refreshing the token when
/// needed and once more after a 401, and returns the successful response or the mapped error.
///
/// `build` is called once per attempt, because a request is consumed by sending it.
pub fn send<E: Env>(
    env: &mut E,
    client: &Client,
    build: impl Fn() -> Request,
) -> Result<Response, PluginError> {
    let stored: Option<Session> = env.kv_get_json(SESSION_KEY);
    let now = env.now();
    let usable =
        stored.as_ref().filter(|s| !s.access_token.is_empty() && s.expires_at - EXPIRY_MARGIN_SECS > now);
    let (mut session, mut refreshed) = match usable {
        Some(session) => (session.clone(), false),
        None => (refresh(env, client, stored.as_ref())?, true),
    };
    loop {
        let response =
            env.send(build().header("Authorization", format!("Bearer {}", session.access_token)))?;
        if response.status() == 401 && !refreshed {
            session = refresh(env, client, Some(&session))?;
            refreshed = true;
            continue;
        }
        return check(response, env.now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_sdk::env::fake::Scripted;

    const NOW: i64 = 1_714_567_725;
    const TOKEN_URL: &str = "https://api.x.com/2/oauth2/token";

    fn client(confidential: bool) -> Client {
        Client { api_base: "https://api.x.com".into(), client_id: "cl!ent".into(), confidential }
    }

    fn me() -> Request {
        Request::get("https://api.x.com/2/users/me")
    }

    #[test]
    fn the_first_refresh_names_the_configured_secret() {
        let req = refresh_request(&client(false), None);
        assert_eq!(req.url(), TOKEN_URL);
        assert_eq!(
            req.body_bytes(),
            b"grant_type=refresh_token&client_id=cl%21ent&refresh_token={{secret:refresh_token}}"
        );
        assert_eq!(rapport_sdk::http::header(req.headers(), "authorization"), None);
        let req = refresh_request(&client(true), Some("r/1"));
        assert!(String::from_utf8_lossy(req.body_bytes()).ends_with("refresh_token=r%2F1"));
        assert_eq!(
            rapport_sdk::http::header(req.headers(), "authorization"),
            Some("Basic {{secret:client_credentials}}")
        );
    }

    #[test]
    fn a_token_answer_becomes_a_session() {
        let s = parse_token_answer(include_bytes!("../tests/fixtures/token_refresh.json"), None, NOW)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(s.access_token.starts_with("VGhpc0lzQU5ld0"));
        assert!(s.refresh_token.as_deref().is_some_and(|t| t.starts_with("bWRWa3gz")));
        assert_eq!(s.expires_at, NOW + 7200);
        let kept = parse_token_answer(br#"{"access_token":"a","expires_in":60}"#, Some("old"), NOW)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(kept.refresh_token.as_deref(), Some("old"));
        assert!(matches!(parse_token_answer(b"<html>", None, NOW), Err(PluginError::Transient(_))));
    }

    #[test]
    fn a_401_refreshes_persists_the_new_refresh_token_first_and_retries_once() {
        let old = Session {
            access_token: "old-access".into(),
            refresh_token: Some("old-refresh".into()),
            expires_at: NOW + 3600,
            scopes: Vec::new(),
        };
        let mut env = Scripted::at(NOW)
            .expect("https://api.x.com/2/users/me", 401, &[], r#"{"title":"Unauthorized","status":401}"#)
            .expect(TOKEN_URL, 200, &[], include_str!("../tests/fixtures/token_refresh.json"))
            .expect(
                "https://api.x.com/2/users/me",
                200,
                &[],
                include_str!("../tests/fixtures/users_me.json"),
            );
        env.kv_set_json(SESSION_KEY, &old).unwrap_or_else(|e| panic!("{e:?}"));

        let response = send(&mut env, &client(false), me).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(response.status(), 200);
        assert!(env.done());
        assert_eq!(env.sent[0].header("authorization"), Some("Bearer old-access"));
        assert!(env.sent[1].body.ends_with("refresh_token=old-refresh"));
        let new_access = "Bearer VGhpc0lzQU5ld0FjY2Vzc1Rva2VuOjE3MTQ1Njc3MjU6MToxOmF0OjE";
        assert_eq!(env.sent[2].header("authorization"), Some(new_access));
        // By the time the new access token was first used, the new refresh token was stored.
        let stored_then: Session =
            serde_json::from_slice(&env.kv_at_send[2][SESSION_KEY]).unwrap_or_else(|e| panic!("{e}"));
        assert!(stored_then.refresh_token.as_deref().is_some_and(|t| t.starts_with("bWRWa3gz")));
    }

    #[test]
    fn without_a_session_the_configured_secret_is_used() {
        let mut env = Scripted::at(NOW)
            .expect(TOKEN_URL, 200, &[], include_str!("../tests/fixtures/token_refresh.json"))
            .expect("https://api.x.com/2/users/me", 200, &[], "{}");
        send(&mut env, &client(false), me).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(env.sent[0].body.ends_with("refresh_token={{secret:refresh_token}}"));
    }

    #[test]
    fn a_second_401_is_an_auth_error_without_a_third_try() {
        let mut env = Scripted::at(NOW)
            .expect(TOKEN_URL, 200, &[], include_str!("../tests/fixtures/token_refresh.json"))
            .expect("https://api.x.com/2/users/me", 401, &[], "{}");
        assert!(matches!(send(&mut env, &client(false), me), Err(PluginError::Auth(_))));
        assert_eq!(env.sent.len(), 2, "a fresh token that is refused is not refreshed again");
    }

    #[test]
    fn a_refused_rotated_token_is_forgotten_so_the_secret_is_used_next() {
        let old = Session {
            access_token: "a".into(),
            refresh_token: Some("spent".into()),
            expires_at: NOW - 1,
            scopes: Vec::new(),
        };
        let mut env = Scripted::at(NOW).expect(
            TOKEN_URL,
            400,
            &[],
            r#"{"error":"invalid_request","error_description":"Value passed for the token was invalid."}"#,
        );
        env.kv_set_json(SESSION_KEY, &old).unwrap_or_else(|e| panic!("{e:?}"));
        let Err(PluginError::Auth(msg)) = send(&mut env, &client(false), me) else {
            unreachable!("must be auth")
        };
        assert!(
            msg.contains("Value passed for the token was invalid") && msg.contains("refresh_token"),
            "{msg}"
        );
        let after: Session = env.kv_get_json(SESSION_KEY).unwrap_or_else(|| panic!("session kept"));
        assert_eq!(after.refresh_token, None);
    }

    #[test]
    fn a_token_endpoint_outage_is_transient_and_keeps_the_session() {
        let old = Session {
            access_token: "a".into(),
            refresh_token: Some("keep".into()),
            expires_at: NOW,
            scopes: Vec::new(),
        };
        let mut env = Scripted::at(NOW).expect(TOKEN_URL, 503, &[], "");
        env.kv_set_json(SESSION_KEY, &old).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(matches!(send(&mut env, &client(false), me), Err(PluginError::Transient(_))));
        assert_eq!(env.kv_get_json::<Session>(SESSION_KEY), Some(old));
    }
}
