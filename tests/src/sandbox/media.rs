//! `POST /api/v2/media`: image uploads checked as Mastodon 4.3 checks them — the type sniffed
//! from the bytes (never the part's `Content-Type`), the 16 MB image limit, the 1,500-character
//! alt text — and answered with a processed MediaAttachment.
//!
//! The sandbox takes the four still-image types (PNG, JPEG, GIF, WebP); video, audio and the
//! newer image formats Mastodon also accepts are refused as an unknown type would be.

use super::world::{Answer, Call, Media, World};

/// `MediaAttachment::IMAGE_LIMIT`.
pub const IMAGE_LIMIT: usize = 16 * 1024 * 1024;
/// `MediaAttachment::MAX_DESCRIPTION_LENGTH`.
const MAX_DESCRIPTION: usize = 1_500;

impl World {
    /// `POST /api/v2/media` with the multipart `file` and optional `description`.
    pub(super) fn upload(&mut self, call: &Call<'_>) -> Answer {
        let Some(file) = call.files.iter().find(|p| p.name == "file") else {
            return Answer::invalid("File can't be blank");
        };
        let description = call.field("description").filter(|d| !d.is_empty()).map(str::to_owned);
        if description.as_ref().is_some_and(|d| d.chars().count() > MAX_DESCRIPTION) {
            return Answer::invalid("Description is too long (maximum is 1500 characters)");
        }
        let Some((mime, extension)) = sniff(&file.data) else {
            return Answer::invalid("File content type is invalid");
        };
        if file.data.len() > IMAGE_LIMIT {
            return Answer::invalid("File file size must be less than 16 MB");
        }
        let Some(size) = dimensions(mime, &file.data) else {
            // What Paperclip says when ImageMagick cannot read a file that looked like an image.
            return Answer::error(422, "File type of uploaded media could not be verified");
        };
        let id = self.fresh_id(call.now);
        let media = Media { mime, extension, size, bytes: file.data.clone(), description, status: None };
        self.media.insert(id, media);
        Answer::ok(self.render_media(id))
    }
}

/// The MIME type and extension of an image by its magic bytes.
fn sniff(data: &[u8]) -> Option<(&'static str, &'static str)> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", "png"))
    } else if data.starts_with(b"\xff\xd8\xff") {
        Some(("image/jpeg", "jpg"))
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        Some(("image/gif", "gif"))
    } else if data.len() >= 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        Some(("image/webp", "webp"))
    } else {
        None
    }
}

fn be16(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_be_bytes([*data.get(at)?, *data.get(at + 1)?])))
}

fn le16(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes([*data.get(at)?, *data.get(at + 1)?])))
}

fn le24(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes([*data.get(at)?, *data.get(at + 1)?, *data.get(at + 2)?, 0]))
}

/// Width and height from the image's header; `None` when the header is cut short or says 0.
fn dimensions(mime: &str, data: &[u8]) -> Option<(u32, u32)> {
    let size = match mime {
        "image/png" if data.get(12..16) == Some(b"IHDR") => {
            let word =
                |at: usize| data.get(at..at + 4).and_then(|b| b.try_into().ok()).map(u32::from_be_bytes);
            (word(16)?, word(20)?)
        }
        "image/gif" => (le16(data, 6)?, le16(data, 8)?),
        "image/jpeg" => jpeg_dimensions(data)?,
        "image/webp" => match data.get(12..16)? {
            b"VP8X" => (le24(data, 24)? + 1, le24(data, 27)? + 1),
            b"VP8 " => (le16(data, 26)? & 0x3fff, le16(data, 28)? & 0x3fff),
            b"VP8L" if data.get(20) == Some(&0x2f) => {
                let bits = u32::from_le_bytes(data.get(21..25)?.try_into().ok()?);
                ((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1)
            }
            _ => return None,
        },
        _ => return None,
    };
    Some(size).filter(|&(w, h)| w > 0 && h > 0)
}

/// Walks the JPEG segments to the first start-of-frame marker, which holds the size.
fn jpeg_dimensions(data: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2;
    loop {
        if *data.get(at)? != 0xff {
            return None;
        }
        let marker = *data.get(at + 1)?;
        match marker {
            0xff => at += 1,
            0xd0..=0xd9 | 0x01 => at += 2,
            0xc0..=0xcf if !matches!(marker, 0xc4 | 0xc8 | 0xcc) => {
                return Some((be16(data, at + 7)?, be16(data, at + 5)?));
            }
            _ => at += 2 + usize::try_from(be16(data, at + 2)?).ok()?,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_types_size() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&[0, 0, 2, 128, 0, 0, 1, 224]);
        assert_eq!(sniff(&png), Some(("image/png", "png")));
        assert_eq!(dimensions("image/png", &png), Some((640, 480)));
        assert_eq!(dimensions("image/gif", b"GIF89a\x40\x01\xf0\x00"), Some((320, 240)));
        let jpeg = [0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 17, 8, 0, 100, 0, 200];
        assert_eq!(dimensions("image/jpeg", &jpeg), Some((200, 100)));
        let mut webp = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
        webp.extend_from_slice(&[99, 0, 0, 49, 0, 0]);
        assert_eq!(dimensions("image/webp", &webp), Some((100, 50)));
        assert_eq!(dimensions("image/png", b"\x89PNG\r\n\x1a\n"), None, "cut short");
        assert_eq!(sniff(b"%PDF-1.7"), None);
    }
}
