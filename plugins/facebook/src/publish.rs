//! Publishing to the Page: text, and photos checked against Meta's limits before any upload,
//! then sent as multipart form data.
//!
//! Text alone is `POST /{page-id}/feed` (`message`). One image is one call, `POST /{page-id}/photos` with the file as `source`, the post's text
//! as `caption` and the image's description as `alt_text_custom`: Meta publishes the photo as a
//! post at once. Several images are uploaded each unpublished (`published=false`), then attached
//! to one `POST /{page-id}/feed` as `attached_media[i]={"media_fbid":"…"}`. An image Meta would
//! refuse is refused before the first byte is sent, naming the limit.

use rapport_sdk::env::Env;
use rapport_sdk::http::Request;
use rapport_sdk::media::{ImageLimits, Multipart};
use rapport_sdk::types::{ActionOutcome, Media, PluginError};

use crate::graph::{Created, PhotoCreated};
use crate::plugin::{Graph, Kind, send};

/// What a Page post takes. The Photo reference: "a photo must be less than 10MB" (the largest
/// size under 10 MB in either reading of MB) and no animation; the photo-upload guide lists JPEG,
/// BMP, PNG, GIF and TIFF. Meta documents no limit on `alt_text_custom` and no count of photos
/// per post; 10 is what publishing tools built on the Graph API report a Page post takes.
pub const LIMITS: ImageLimits = ImageLimits {
    platform: "Facebook",
    types: &["image/jpeg", "image/png", "image/gif", "image/bmp", "image/tiff"],
    max_bytes: 9_999_999,
    max_alt_chars: usize::MAX,
    max_images: 10,
};
/// Separates the parts; it cannot occur in the form's text fields, and in an image only by
/// vanishing chance.
const BOUNDARY: &str = "rapport-photo-5b8e2c7a9d1f4063";

/// Publishes `text` with `images` (any number, none included) on the Page; refuses, before any
/// upload, images Meta would refuse.
pub fn publish<E: Env>(
    env: &mut E,
    graph: &Graph,
    text: &str,
    images: &[Media],
) -> Result<ActionOutcome, PluginError> {
    LIMITS.check(images)?;
    let post_id = match images {
        [image] => {
            let photo = upload(env, graph, image, Some(text))?;
            // A published photo answers with its post; an answer without one names the photo.
            photo.post_id.unwrap_or(photo.id)
        }
        // None or several: a feed post, attaching each image uploaded unpublished.
        images => {
            let mut form = vec![("message".to_owned(), text.to_owned())];
            for (i, image) in images.iter().enumerate() {
                let photo = upload(env, graph, image, None)?;
                let attached = serde_json::json!({ "media_fbid": photo.id }).to_string();
                form.push((format!("attached_media[{i}]"), attached));
            }
            let url = format!("{}/{}/feed", graph.api, graph.page_id);
            let created: Created = send(env, Kind::Write, || Request::post(url).form(&form))?.json()?;
            created.id
        }
    };
    let url = format!("https://www.facebook.com/{post_id}");
    Ok(ActionOutcome { id: Some(post_id), url: Some(url) })
}

/// Uploads one image: published with `caption` as its post, or unpublished (`None`) for a post
/// that attaches several.
fn upload<E: Env>(
    env: &mut E,
    graph: &Graph,
    image: &Media,
    caption: Option<&str>,
) -> Result<PhotoCreated, PluginError> {
    let filename = format!("image.{}", image.mime_type.trim_start_matches("image/"));
    let mut form = Multipart::new(BOUNDARY);
    form = match caption {
        Some(caption) => form.text("caption", caption),
        None => form.text("published", "false"),
    };
    if !image.alt.is_empty() {
        form = form.text("alt_text_custom", &image.alt);
    }
    let (content_type, body) = form.file("source", &filename, &image.mime_type, &image.bytes).finish();
    let url = format!("{}/{}/photos", graph.api, graph.page_id);
    send(env, Kind::Write, || Request::post(url).header("Content-Type", content_type).body(body))?.json()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::{DEFAULT_API_BASE, DEFAULT_GRAPH_VERSION};
    use rapport_sdk::env::fake::Scripted;

    const NOW: i64 = 1_714_700_000;
    const PHOTOS: &str = "https://graph.facebook.com/v21.0/104857600000001/photos";
    const FEED: &str = "https://graph.facebook.com/v21.0/104857600000001/feed";

    fn page_graph() -> Graph {
        Graph {
            api: format!("{DEFAULT_API_BASE}/{DEFAULT_GRAPH_VERSION}"),
            page_id: "104857600000001".into(),
        }
    }

    fn image(mime: &str, bytes: &[u8], alt: &str) -> Media {
        Media { bytes: bytes.to_vec(), mime_type: mime.into(), alt: alt.into() }
    }

    #[test]
    fn one_image_is_one_published_photo_with_caption_and_alt_text() {
        let mut env = Scripted::at(NOW).expect(
            PHOTOS,
            200,
            &[],
            r#"{"id":"122100000000000300","post_id":"104857600000001_122100000000000301"}"#,
        );
        let images = [image("image/png", b"PNGDATA", "A loaf on the counter")];
        let outcome = publish(&mut env, &page_graph(), "Fresh bread at 8.", &images)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(outcome.id.as_deref(), Some("104857600000001_122100000000000301"));
        assert_eq!(
            outcome.url.as_deref(),
            Some("https://www.facebook.com/104857600000001_122100000000000301")
        );
        let sent = &env.sent[0];
        assert_eq!(
            sent.header("content-type"),
            Some(format!("multipart/form-data; boundary={BOUNDARY}").as_str())
        );
        assert_eq!(sent.header("authorization"), Some("Bearer {{secret:page_token}}"));
        assert!(sent.body.contains("name=\"caption\"\r\n\r\nFresh bread at 8.\r\n"));
        assert!(sent.body.contains("name=\"alt_text_custom\"\r\n\r\nA loaf on the counter\r\n"));
        assert!(sent.body.contains(
            "name=\"source\"; filename=\"image.png\"\r\nContent-Type: image/png\r\n\r\nPNGDATA\r\n"
        ));
        assert!(!sent.body.contains("published"));
        assert_eq!(env.sent.len(), 1);
    }

    #[test]
    fn several_images_are_uploaded_unpublished_then_attached_to_one_post() {
        let mut env = Scripted::at(NOW)
            .expect(PHOTOS, 200, &[], r#"{"id":"501"}"#)
            .expect(PHOTOS, 200, &[], r#"{"id":"502"}"#)
            .expect(FEED, 200, &[], include_str!("../tests/fixtures/post_created.json"));
        let images = [image("image/jpeg", b"J1", "Rye"), image("image/jpeg", b"J2", "")];
        let outcome =
            publish(&mut env, &page_graph(), "Two loaves", &images).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(outcome.id.as_deref(), Some("104857600000001_122100000000000200"));
        for (sent, data) in env.sent[..2].iter().zip(["J1", "J2"]) {
            assert!(sent.body.contains("name=\"published\"\r\n\r\nfalse\r\n"));
            assert!(!sent.body.contains("caption"));
            assert!(sent.body.contains(&format!("Content-Type: image/jpeg\r\n\r\n{data}\r\n")));
        }
        assert!(env.sent[0].body.contains("alt_text_custom"));
        assert!(!env.sent[1].body.contains("alt_text_custom"), "an empty description is not sent");
        assert_eq!(
            env.sent[2].body,
            "message=Two%20loaves&attached_media%5B0%5D=%7B%22media_fbid%22%3A%22501%22%7D\
             &attached_media%5B1%5D=%7B%22media_fbid%22%3A%22502%22%7D"
        );
    }

    #[test]
    fn an_image_meta_would_refuse_is_refused_before_any_upload() {
        let mut env = Scripted::at(NOW);
        let big = Media { bytes: vec![0; 10_000_000], mime_type: "image/jpeg".into(), alt: "a cake".into() };
        let refused = publish(&mut env, &page_graph(), "Cake", &[big]);
        assert!(matches!(refused, Err(PluginError::Permanent(m)) if m.contains("over Facebook's limit")));
        let webp = publish(&mut env, &page_graph(), "Cake", &[image("image/webp", b"W", "a cake")]);
        assert!(matches!(webp, Err(PluginError::Permanent(m)) if m.contains("\"image/webp\"")));
        let eleven: Vec<Media> = (0..11).map(|_| image("image/png", b"P", "")).collect();
        assert!(
            matches!(publish(&mut env, &page_graph(), "Many", &eleven), Err(PluginError::Permanent(m)) if m.contains("at most 10"))
        );
        assert!(env.sent.is_empty());
    }
}
