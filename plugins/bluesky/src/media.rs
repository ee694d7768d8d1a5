//! Images for a post: checked against Bluesky's limits, uploaded as blobs with
//! `com.atproto.repo.uploadBlob` (the body is the file itself, typed by `Content-Type`), and
//! embedded in the post record as `app.bsky.embed.images`, each with its alt text.

use rapport_sdk::media::ImageLimits;
use rapport_sdk::types::{Media, PluginError};
use serde_json::{Value, json};

use crate::api;
use crate::client::Xrpc;

/// What Bluesky takes: four images a post (`app.bsky.embed.images`, `maxLength` 4), each at most
/// 2,000,000 bytes (the lexicon's `maxSize` since 2026, 1,000,000 before), of the types the
/// Bluesky app posts as images, with alt text up to the app's 2,000 characters (the lexicon
/// sets no limit).
pub const LIMITS: ImageLimits = ImageLimits {
    platform: "Bluesky",
    types: &["image/jpeg", "image/png", "image/webp", "image/gif"],
    max_bytes: 2_000_000,
    max_alt_chars: 2_000,
    max_images: 4,
};

/// The post's `embed` for `images`: uploads each blob, in order. Check them against [`LIMITS`]
/// first, before any request.
pub fn embed(x: &mut Xrpc, images: &[Media]) -> Result<Value, PluginError> {
    let mut embedded = Vec::with_capacity(images.len());
    for image in images {
        let uploaded: api::UploadedBlob =
            x.upload("com.atproto.repo.uploadBlob", &image.mime_type, &image.bytes)?.json()?;
        embedded.push(image_entry(&image.alt, uploaded.blob));
    }
    Ok(json!({"$type": "app.bsky.embed.images", "images": embedded}))
}

/// One `app.bsky.embed.images#image`: the blob reference as the PDS gave it, and the alt text.
fn image_entry(alt: &str, blob: Value) -> Value {
    json!({"alt": alt, "image": blob})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(mime: &str, size: usize) -> Media {
        Media { bytes: vec![0; size], mime_type: mime.into(), alt: "a blue mug".into() }
    }

    fn refusal(images: &[Media]) -> String {
        match LIMITS.check(images) {
            Err(PluginError::Permanent(why)) => why,
            other => panic!("expected a permanent refusal, got {other:?}"),
        }
    }

    #[test]
    fn images_bluesky_would_refuse_are_refused_naming_the_limit() {
        assert!(LIMITS.check(&[image("image/jpeg", 2_000_000), image("image/webp", 1)]).is_ok());
        assert!(refusal(&[image("image/png", 2_000_001)]).contains("over Bluesky's limit of 2000000 bytes"));
        assert!(refusal(&[image("image/tiff", 1)]).contains("image 1 is \"image/tiff\""));
        let five: Vec<Media> = (0..5).map(|_| image("image/png", 1)).collect();
        assert!(refusal(&five).contains("at most 4"));
    }

    #[test]
    fn an_embedded_image_keeps_the_blob_reference_verbatim() {
        let blob =
            json!({"$type": "blob", "ref": {"$link": "bafkreib"}, "mimeType": "image/png", "size": 68});
        assert_eq!(image_entry("a blue mug", blob.clone()), json!({"alt": "a blue mug", "image": blob}));
    }
}
