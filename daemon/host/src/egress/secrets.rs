//! Account secrets: substituted into requests by reference, scrubbed from everything logged.
//!
//! A plugin writes `{{secret:NAME}}` in a header value or body and the host puts the value in on the
//! way out, so a plugin never holds a token and a compromised plugin cannot exfiltrate it through
//! its own logs: [`Secrets::scrub`] masks every value before a plugin's log line is emitted.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

const OPEN: &str = "{{secret:";
const CLOSE: &str = "}}";

/// The secrets of one account, name → value. `Debug` never shows a value.
#[derive(Clone, Default)]
pub struct Secrets {
    values: Arc<BTreeMap<String, String>>,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.values.keys()).finish()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Secrets {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self { values: Arc::new(iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect()) }
    }
}

/// A `{{secret:NAME}}` reference to a secret the account does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSecret(pub String);

impl Secrets {
    /// Replaces every `{{secret:NAME}}` in `text`; `Ok(None)` when `text` names no secret.
    pub fn substitute_str(&self, text: &str) -> Result<Option<String>, UnknownSecret> {
        self.substitute(text.as_bytes())
            .map(|done| done.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// Replaces every `{{secret:NAME}}` in `bytes`; `Ok(None)` when `bytes` names no secret.
    pub fn substitute(&self, bytes: &[u8]) -> Result<Option<Vec<u8>>, UnknownSecret> {
        let Some(first) = find(bytes, OPEN.as_bytes()) else { return Ok(None) };
        let mut out = Vec::with_capacity(bytes.len());
        let mut rest = bytes;
        let mut at = Some(first);
        while let Some(start) = at {
            out.extend_from_slice(&rest[..start]);
            let after_open = &rest[start + OPEN.len()..];
            let Some(end) = find(after_open, CLOSE.as_bytes()) else {
                // An unterminated reference is plain text, not a secret name.
                out.extend_from_slice(&rest[start..]);
                return Ok(Some(out));
            };
            let name = String::from_utf8_lossy(&after_open[..end]);
            let value = self.values.get(name.as_ref()).ok_or_else(|| UnknownSecret(name.into_owned()))?;
            out.extend_from_slice(value.as_bytes());
            rest = &after_open[end + CLOSE.len()..];
            at = find(rest, OPEN.as_bytes());
        }
        out.extend_from_slice(rest);
        Ok(Some(out))
    }

    /// `text` with every secret value replaced by `[secret:NAME]`.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (name, value) in self.values.iter() {
            if !value.is_empty() && out.contains(value.as_str()) {
                out = out.replace(value.as_str(), &format!("[secret:{name}]"));
            }
        }
        out
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets() -> Secrets {
        [("token", "s3cr3t"), ("other", "pw")].into_iter().collect()
    }

    #[test]
    fn substitutes_every_reference() {
        let got = secrets().substitute_str("Bearer {{secret:token}} and {{secret:other}}!").unwrap();
        assert_eq!(got.as_deref(), Some("Bearer s3cr3t and pw!"));
    }

    #[test]
    fn text_without_references_is_left_alone() {
        assert_eq!(secrets().substitute(b"plain {{not a secret}}").unwrap(), None);
    }

    #[test]
    fn unknown_name_is_named() {
        assert_eq!(secrets().substitute_str("{{secret:missing}}"), Err(UnknownSecret("missing".into())));
    }

    #[test]
    fn unterminated_reference_stays_text() {
        assert_eq!(
            secrets().substitute_str("x {{secret:token").unwrap().as_deref(),
            Some("x {{secret:token")
        );
    }

    #[test]
    fn scrub_masks_values_and_debug_hides_them() {
        let s = secrets();
        assert_eq!(s.scrub("got s3cr3t back"), "got [secret:token] back");
        let debug = format!("{s:?}");
        assert!(debug.contains("token") && !debug.contains("s3cr3t"), "{debug}");
    }
}
