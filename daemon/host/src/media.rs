//! The images a post attaches, read from disk when the post is sent, so that the plugin gets
//! their bytes and the store keeps only their paths.
//!
//! The host reads them, not the plugin: a plugin has no filesystem, and the paths come from the
//! person's own library, never from a platform. The read is capped, so that a mistaken path to a
//! video or a disk image cannot swell the daemon; each plugin then checks its platform's own,
//! smaller limits before uploading.

use rapport_core::platform::PluginError;
use rapport_core::task::{Action, MediaFile};

/// The largest image the host reads for a plugin: the largest any platform takes (Mastodon's
/// default 16 MB; Facebook takes under 10 MB, X 5 MB, Bluesky 2 MB), so each plugin names its
/// own, smaller limit. The bytes are copied into the call's memory (capped at 64 MiB) and
/// framed once more for the upload, which must fit too.
pub const MAX_MEDIA_BYTES: u64 = 16 * 1024 * 1024;

/// One image, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Image {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Its MIME type.
    pub mime_type: String,
    /// Its alt text.
    pub alt: String,
}

/// Reads the images `action` attaches (none for anything but a post with media); a file that
/// is gone, unreadable or over [`MAX_MEDIA_BYTES`] is a `permanent` error naming it, because
/// sending the post without the image it was approved with would not be what the person saw.
pub(crate) async fn read(action: &Action) -> Result<Vec<Image>, PluginError> {
    let Action::Publish { media, .. } = action else { return Ok(Vec::new()) };
    let mut images = Vec::with_capacity(media.len());
    for file in media {
        images.push(read_one(file).await?);
    }
    Ok(images)
}

async fn read_one(file: &MediaFile) -> Result<Image, PluginError> {
    let path = file.path.display();
    let refuse = |why: String| PluginError::Permanent(format!("image {path}: {why}"));
    let meta = tokio::fs::metadata(&file.path).await.map_err(|e| refuse(e.to_string()))?;
    if meta.len() > MAX_MEDIA_BYTES {
        return Err(refuse(format!(
            "{} bytes is over the {} MB that any platform takes for an image; make it smaller",
            meta.len(),
            MAX_MEDIA_BYTES / (1024 * 1024)
        )));
    }
    let bytes = tokio::fs::read(&file.path).await.map_err(|e| refuse(e.to_string()))?;
    Ok(Image { bytes, mime_type: file.mime_type.clone(), alt: file.alt.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_core::task::PostKind;

    fn post(media: Vec<MediaFile>) -> Action {
        Action::Publish {
            text: "New mugs".into(),
            post_kind: PostKind::Value,
            media_alt: String::new(),
            media,
        }
    }

    #[tokio::test]
    async fn images_are_read_in_order_and_a_missing_one_is_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        let a = dir.path().join("a.png");
        std::fs::write(&a, b"PNG-A").expect("write");
        let file =
            |path: std::path::PathBuf| MediaFile { path, mime_type: "image/png".into(), alt: "a mug".into() };
        let images = read(&post(vec![file(a.clone())])).await.expect("read");
        assert_eq!(
            images,
            vec![Image { bytes: b"PNG-A".to_vec(), mime_type: "image/png".into(), alt: "a mug".into() }]
        );
        assert!(read(&Action::Like { post_id: "1".into() }).await.expect("no media").is_empty());
        let gone = dir.path().join("gone.png");
        let err = read(&post(vec![file(a), file(gone.clone())])).await.unwrap_err();
        assert!(
            matches!(&err, PluginError::Permanent(m) if m.starts_with(&format!("image {}", gone.display()))),
            "{err:?}"
        );
    }
}
