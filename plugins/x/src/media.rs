//! Images for a post: checked against X's limits, uploaded one by one with the one-shot
//! `POST /2/media/upload` (multipart, `media_category=tweet_image`), each image's alt text set with
//! `POST /2/media/metadata`, so that `POST /2/tweets` can attach them by `media.media_ids`.

use rapport_sdk::env::Env;
use rapport_sdk::http::Request;
use rapport_sdk::media::{ImageLimits, Multipart};
use rapport_sdk::types::{Media, PluginError};

use crate::api::Uploaded;
use crate::auth::{self, Client};

/// What X takes in one post through the one-shot upload: four photos of at most 5 MB each, alt text
/// of at most 1,000 characters. The one-shot upload's media types are images other than GIF (an
/// animated GIF needs the chunked INIT/APPEND/FINALIZE upload, which this plugin does not do).
pub const LIMITS: ImageLimits = ImageLimits {
    platform: "X",
    types: &["image/png", "image/jpeg", "image/webp"],
    max_bytes: 5 * 1024 * 1024,
    max_alt_chars: 1_000,
    max_images: 4,
};
/// Separates the parts; it cannot occur in the form's one text field, and in an image only by
/// vanishing chance.
const BOUNDARY: &str = "rapport-x-media-3b9d0c7e5a1f4862";

/// Uploads every image and returns their media ids, in order; refuses before any upload an image
/// X would refuse, naming the limit.
pub fn upload_all<E: Env>(env: &mut E, client: &Client, media: &[Media]) -> Result<Vec<String>, PluginError> {
    LIMITS.check(media)?;
    media.iter().map(|image| upload(env, client, image)).collect()
}

/// One upload, then its alt text; the answer's id attaches it.
fn upload<E: Env>(env: &mut E, client: &Client, image: &Media) -> Result<String, PluginError> {
    let url = format!("{}/2/media/upload", client.api_base);
    let filename = format!("image.{}", image.mime_type.trim_start_matches("image/"));
    let build = || {
        let (content_type, body) = Multipart::new(BOUNDARY)
            .text("media_category", "tweet_image")
            .file("media", &filename, &image.mime_type, &image.bytes)
            .finish();
        Request::post(&url).header("Content-Type", content_type).body(body)
    };
    let uploaded: Uploaded = auth::send(env, client, build)?.json()?;
    let id = uploaded.data.id;
    if !image.alt.trim().is_empty() {
        let url = format!("{}/2/media/metadata", client.api_base);
        let body = serde_json::json!({ "id": id, "metadata": { "alt_text": { "text": image.alt } } });
        auth::send(env, client, || Request::post(&url).json(&body))?;
    }
    Ok(id)
}
