//! Images for a post: checked against Mastodon's limits, then uploaded with `POST /api/v2/media`
//! as multipart form data, so the status can attach them by id.

use rapport_sdk::http::Request;
use rapport_sdk::types::{Media, PluginError};

use crate::api;
use crate::client::{authed, send};
use crate::scopes::WRITE_MEDIA;

/// The image types Mastodon accepts for an image attachment.
const IMAGE_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];
/// Mastodon's default image size limit (`MAX_IMAGE_SIZE`, 16 MB since 4.0).
const MAX_IMAGE_BYTES: usize = 16 * 1024 * 1024;
/// Mastodon's limit on an attachment's description.
const MAX_ALT_CHARS: usize = 1_500;
/// The most attachments one status takes.
const MAX_ATTACHMENTS: usize = 4;
/// Separates the parts; it cannot occur in the form's text fields, and in an image only by
/// vanishing chance.
const BOUNDARY: &str = "rapport-media-7f3c9e1b2d4a6058";

/// Uploads every image and returns their ids, in order; refuses before any upload an image
/// Mastodon would refuse, naming the limit.
pub fn upload_all(base: &str, media: Vec<Media>) -> Result<Vec<String>, PluginError> {
    if media.len() > MAX_ATTACHMENTS {
        return Err(PluginError::Permanent(format!(
            "{} images; a Mastodon post takes at most {MAX_ATTACHMENTS}",
            media.len()
        )));
    }
    for (n, image) in media.iter().enumerate() {
        check(n + 1, image)?;
    }
    media.into_iter().map(|image| upload(base, image)).collect()
}

/// Refuses image `n` if Mastodon would.
fn check(n: usize, image: &Media) -> Result<(), PluginError> {
    if !IMAGE_TYPES.contains(&image.mime_type.as_str()) {
        return Err(PluginError::Permanent(format!(
            "image {n} is {:?}; Mastodon takes {}",
            image.mime_type,
            IMAGE_TYPES.join(", ")
        )));
    }
    if image.bytes.len() > MAX_IMAGE_BYTES {
        return Err(PluginError::Permanent(format!(
            "image {n} is {} bytes, over Mastodon's limit of {MAX_IMAGE_BYTES} (16 MB)",
            image.bytes.len()
        )));
    }
    if image.alt.chars().count() > MAX_ALT_CHARS {
        return Err(PluginError::Permanent(format!(
            "the alt text of image {n} is over Mastodon's {MAX_ALT_CHARS} characters"
        )));
    }
    Ok(())
}

/// One upload; the answer's id attaches it.
fn upload(base: &str, image: Media) -> Result<String, PluginError> {
    let extension = image.mime_type.trim_start_matches("image/");
    let mut body = Vec::with_capacity(image.bytes.len() + 512);
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n{}\r\n",
            image.alt
        )
        .as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"image.{extension}\"\r\nContent-Type: {}\r\n\r\n",
            image.mime_type
        )
        .as_bytes(),
    );
    body.extend_from_slice(&image.bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let request = authed(Request::post(format!("{base}/api/v2/media")))
        .header("Content-Type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body);
    let attachment: api::MediaAttachment = send(request, WRITE_MEDIA)?.json()?;
    Ok(attachment.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(mime: &str, size: usize) -> Media {
        Media { bytes: vec![0; size], mime_type: mime.into(), alt: "a mug".into() }
    }

    #[test]
    fn an_image_mastodon_would_refuse_is_refused_naming_the_limit() {
        assert!(check(1, &image("image/png", 10)).is_ok());
        let err = check(2, &image("image/tiff", 10)).unwrap_err();
        assert!(
            matches!(&err, PluginError::Permanent(m) if m.contains("image 2 is \"image/tiff\"")),
            "{err:?}"
        );
        let err = check(1, &image("image/jpeg", MAX_IMAGE_BYTES + 1)).unwrap_err();
        assert!(matches!(&err, PluginError::Permanent(m) if m.contains("16 MB")), "{err:?}");
        let five = (0..5).map(|_| image("image/png", 1)).collect();
        assert!(matches!(upload_all("https://h", five), Err(PluginError::Permanent(_))));
    }
}
