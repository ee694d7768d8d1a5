//! A `multipart/form-data` reader (RFC 7578), enough for media uploads: no crate in the
//! workspace parses it, and the sandbox needs only whole, in-memory bodies.

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The form field's name.
    pub name: String,
    /// The file name, for a file part.
    pub filename: Option<String>,
    /// The part's own `Content-Type`, if it sent one.
    pub content_type: Option<String>,
    /// The part's bytes.
    pub data: Vec<u8>,
}

/// Why a multipart body could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub &'static str);

/// The boundary of a `multipart/form-data` content type, or `None` for any other type.
pub fn boundary(content_type: &str) -> Option<&str> {
    let (kind, params) = content_type.split_once(';').unwrap_or((content_type, ""));
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (name, value) = p.split_once('=')?;
        name.trim().eq_ignore_ascii_case("boundary").then(|| value.trim().trim_matches('"'))
    })
}

/// The parts of `body`, delimited by `boundary`.
pub fn parse(boundary: &str, body: &[u8]) -> Result<Vec<Part>, Malformed> {
    if boundary.is_empty() {
        return Err(Malformed("the multipart boundary is empty"));
    }
    let delimiter = format!("--{boundary}").into_bytes();
    let start = find(body, &delimiter).ok_or(Malformed("the body has no multipart boundary"))?;
    let mut rest = &body[start + delimiter.len()..];
    let mut separator = b"\r\n".to_vec();
    separator.extend_from_slice(&delimiter);
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        rest = rest
            .strip_prefix(b"\r\n")
            .ok_or(Malformed("a multipart boundary is not followed by a line break"))?;
        let head_end = find(rest, b"\r\n\r\n").ok_or(Malformed("a multipart part has no end of headers"))?;
        let head = std::str::from_utf8(&rest[..head_end])
            .map_err(|_| Malformed("multipart headers are not UTF-8"))?;
        let content = &rest[head_end + 4..];
        let end =
            find(content, &separator).ok_or(Malformed("a multipart part is not closed by the boundary"))?;
        parts.push(part(head, content[..end].to_vec())?);
        rest = &content[end + separator.len()..];
    }
}

fn part(head: &str, data: Vec<u8>) -> Result<Part, Malformed> {
    let mut name = None;
    let mut filename = None;
    let mut content_type = None;
    for line in head.split("\r\n") {
        let Some((header, value)) = line.split_once(':') else { continue };
        if header.trim().eq_ignore_ascii_case("content-type") {
            content_type = Some(value.trim().to_owned());
        } else if header.trim().eq_ignore_ascii_case("content-disposition") {
            for param in value.split(';').skip(1) {
                let Some((key, raw)) = param.split_once('=') else { continue };
                let raw = raw.trim().trim_matches('"').to_owned();
                match key.trim() {
                    "name" => name = Some(raw),
                    "filename" => filename = Some(raw),
                    _ => {}
                }
            }
        }
    }
    let name = name.ok_or(Malformed("a multipart part has no name"))?;
    Ok(Part { name, filename, content_type, data })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_files() {
        let body =
            b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nA mug\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.png\"\r\nContent-Type: image/png\r\n\r\n\
\x89PNG\r\n--Xy\r\n--XyZ--\r\n";
        let parts = parse("XyZ", body);
        let parts = parts.as_deref().unwrap_or_default();
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].name.as_str(), parts[0].data.as_slice()), ("description", &b"A mug"[..]));
        assert_eq!(parts[1].filename.as_deref(), Some("m.png"));
        assert_eq!(parts[1].content_type.as_deref(), Some("image/png"));
        assert_eq!(parts[1].data, b"\x89PNG\r\n--Xy");
    }

    #[test]
    fn refuses_what_is_not_multipart() {
        assert_eq!(boundary("multipart/form-data; boundary=\"a b\""), Some("a b"));
        assert_eq!(boundary("application/json"), None);
        assert!(parse("XyZ", b"--XyZ\r\nno end of headers").is_err());
        assert!(parse("XyZ", b"--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--").is_err());
        assert!(parse("XyZ", b"nothing here").is_err());
    }
}
