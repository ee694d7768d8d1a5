//! Images for a post: checked against Mastodon's limits, then uploaded with `POST /api/v2/media`
//! as multipart form data, so the status can attach them by id.

use rapport_sdk::http::Request;
use rapport_sdk::media::{ImageLimits, Multipart};
use rapport_sdk::types::{Media, PluginError};

use crate::api;
use crate::client::{authed, send};
use crate::scopes::WRITE_MEDIA;

/// What Mastodon takes: its default `MAX_IMAGE_SIZE` (16 MB since 4.0), a 1,500-character
/// description, four attachments per status.
const LIMITS: ImageLimits = ImageLimits {
    platform: "Mastodon",
    types: &["image/png", "image/jpeg", "image/gif", "image/webp"],
    max_bytes: 16 * 1024 * 1024,
    max_alt_chars: 1_500,
    max_images: 4,
};
/// Separates the parts; it cannot occur in the form's text fields, and in an image only by
/// vanishing chance.
const BOUNDARY: &str = "rapport-media-7f3c9e1b2d4a6058";

/// Uploads every image and returns their ids, in order; refuses before any upload an image
/// Mastodon would refuse, naming the limit.
pub fn upload_all(base: &str, media: Vec<Media>) -> Result<Vec<String>, PluginError> {
    LIMITS.check(&media)?;
    media.into_iter().map(|image| upload(base, image)).collect()
}

/// One upload; the answer's id attaches it.
fn upload(base: &str, image: Media) -> Result<String, PluginError> {
    let filename = format!("image.{}", image.mime_type.trim_start_matches("image/"));
    let (content_type, body) = Multipart::new(BOUNDARY)
        .text("description", &image.alt)
        .file("file", &filename, &image.mime_type, &image.bytes)
        .finish();
    // The body holds a copy now; the plugin's memory is capped, so let the original go first.
    drop(image);
    let request =
        authed(Request::post(format!("{base}/api/v2/media"))).header("Content-Type", content_type).body(body);
    let attachment: api::MediaAttachment = send(request, WRITE_MEDIA)?.json()?;
    Ok(attachment.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_images_are_refused_before_any_upload() {
        let five =
            (0..5).map(|_| Media { bytes: vec![0; 1], mime_type: "image/png".into(), alt: "a mug".into() });
        assert!(
            matches!(upload_all("https://h", five.collect()), Err(PluginError::Permanent(m)) if m.contains("at most 4"))
        );
    }
}
