//! A post's images before upload: checked against the platform's limits (so an image the
//! platform would refuse is refused before a byte is sent, naming the limit), and the
//! `multipart/form-data` body most upload endpoints take.

use crate::types::{Media, PluginError};

/// What a platform accepts for the images of one post.
#[derive(Debug, Clone, Copy)]
pub struct ImageLimits {
    /// The platform's name, for the messages ("Mastodon").
    pub platform: &'static str,
    /// The MIME types it takes.
    pub types: &'static [&'static str],
    /// The largest image in bytes.
    pub max_bytes: usize,
    /// The longest alt text in characters.
    pub max_alt_chars: usize,
    /// The most images one post takes.
    pub max_images: usize,
}

impl ImageLimits {
    /// Refuses `images` if the platform would, naming the image and the limit; `Ok` if all pass.
    pub fn check(&self, images: &[Media]) -> Result<(), PluginError> {
        let refuse = |why: String| Err(PluginError::Permanent(why));
        let platform = self.platform;
        if images.len() > self.max_images {
            return refuse(format!(
                "{} images; a {platform} post takes at most {}",
                images.len(),
                self.max_images
            ));
        }
        for (i, image) in images.iter().enumerate() {
            let n = i + 1;
            if !self.types.contains(&image.mime_type.as_str()) {
                return refuse(format!(
                    "image {n} is {:?}; {platform} takes {}",
                    image.mime_type,
                    self.types.join(", ")
                ));
            }
            if image.bytes.len() > self.max_bytes {
                return refuse(format!(
                    "image {n} is {} bytes, over {platform}'s limit of {} bytes ({})",
                    image.bytes.len(),
                    self.max_bytes,
                    human_size(self.max_bytes)
                ));
            }
            if image.alt.chars().count() > self.max_alt_chars {
                return refuse(format!(
                    "the alt text of image {n} is over {platform}'s {} characters",
                    self.max_alt_chars
                ));
            }
        }
        Ok(())
    }
}

/// "16 MB", "976 KB": the limit as people read it (binary units, as platforms document them).
fn human_size(bytes: usize) -> String {
    const KB: usize = 1024;
    if bytes >= KB * KB && bytes.is_multiple_of(KB * KB) {
        format!("{} MB", bytes / (KB * KB))
    } else if bytes >= KB {
        format!("{} KB", bytes / KB)
    } else {
        format!("{bytes} bytes")
    }
}

/// A `multipart/form-data` body, built part by part.
pub struct Multipart {
    boundary: &'static str,
    body: Vec<u8>,
}

impl Multipart {
    /// An empty body whose parts are separated by `boundary`, which must occur in no text field
    /// (and in a file only by vanishing chance).
    pub fn new(boundary: &'static str) -> Self {
        Multipart { boundary, body: Vec::new() }
    }

    /// Adds a text field.
    pub fn text(mut self, name: &str, value: &str) -> Self {
        let head = format!("--{}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n", self.boundary);
        self.body.extend_from_slice(head.as_bytes());
        self.body.extend_from_slice(value.as_bytes());
        self.body.extend_from_slice(b"\r\n");
        self
    }

    /// Adds a file field holding `bytes` of type `mime_type`.
    pub fn file(mut self, name: &str, filename: &str, mime_type: &str, bytes: &[u8]) -> Self {
        let head = format!(
            "--{}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {mime_type}\r\n\r\n",
            self.boundary
        );
        // Room for the closing boundary too: a file is most of the body, and growing it once
        // more would double a large image's copy in the plugin's capped memory.
        self.body.reserve_exact(head.len() + bytes.len() + 2 + self.boundary.len() + 6);
        self.body.extend_from_slice(head.as_bytes());
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
        self
    }

    /// The `Content-Type` header value and the finished body.
    pub fn finish(mut self) -> (String, Vec<u8>) {
        self.body.extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        (format!("multipart/form-data; boundary={}", self.boundary), self.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: ImageLimits = ImageLimits {
        platform: "Mastodon",
        types: &["image/png", "image/jpeg"],
        max_bytes: 16 * 1024 * 1024,
        max_alt_chars: 1_500,
        max_images: 4,
    };

    fn image(mime: &str, size: usize) -> Media {
        Media { bytes: vec![0; size], mime_type: mime.into(), alt: "a mug".into() }
    }

    fn refusal(images: &[Media]) -> String {
        match LIMITS.check(images) {
            Err(PluginError::Permanent(why)) => why,
            other => panic!("expected a permanent refusal, got {other:?}"),
        }
    }

    #[test]
    fn an_image_the_platform_would_refuse_is_refused_naming_the_limit() {
        assert!(LIMITS.check(&[image("image/png", 10)]).is_ok());
        assert!(
            refusal(&[image("image/png", 1), image("image/tiff", 1)]).contains("image 2 is \"image/tiff\"")
        );
        assert!(refusal(&[image("image/jpeg", 16 * 1024 * 1024 + 1)]).contains("(16 MB)"));
        let five: Vec<Media> = (0..5).map(|_| image("image/png", 1)).collect();
        assert!(refusal(&five).contains("at most 4"));
        let mut long = image("image/png", 1);
        long.alt = "é".repeat(1_501);
        assert!(refusal(&[long]).contains("1500 characters"));
        assert_eq!(human_size(976 * 1024), "976 KB");
    }

    #[test]
    fn a_multipart_body_frames_each_part_and_ends_with_the_closing_boundary() {
        let (content_type, body) = Multipart::new("b0")
            .text("description", "a mug")
            .file("file", "i.png", "image/png", b"PNG")
            .finish();
        assert_eq!(content_type, "multipart/form-data; boundary=b0");
        let image = vec![7u8; 1 << 20];
        let (_, big) = Multipart::new("b0")
            .text("description", "a mug")
            .file("file", "i.png", "image/png", &image)
            .finish();
        assert_eq!(big.capacity(), big.len(), "a large file is copied once, never grown");
        assert_eq!(
            String::from_utf8(body).unwrap(),
            "--b0\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\na mug\r\n\
             --b0\r\nContent-Disposition: form-data; name=\"file\"; filename=\"i.png\"\r\nContent-Type: image/png\r\n\r\nPNG\r\n\
             --b0--\r\n"
        );
    }
}
