//! Media through the sandbox: `POST /api/v2/media` as a multipart upload, its limits, and
//! statuses that attach the uploads by `media_ids[]` and show their alt text.

use rapport_tests::sandbox::{MastodonSandbox, Seed};
use serde_json::Value;

use super::{TOKEN, demo, json, post, scoped};

const BOUNDARY: &str = "rapport-test-boundary";

/// A PNG header saying `width` × `height`, padded to `len` bytes (the sandbox reads only headers).
fn png(width: u32, height: u32, len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend_from_slice(&width.to_be_bytes());
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.resize(len.max(bytes.len()), 0);
    bytes
}

/// A multipart body with `file` (if any) named `name` and `description` (if any).
fn multipart(file: Option<(&str, &[u8])>, description: Option<&str>) -> Vec<u8> {
    let mut body = Vec::new();
    if let Some(text) = description {
        let head =
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n{text}\r\n");
        body.extend_from_slice(head.as_bytes());
    }
    if let Some((name, bytes)) = file {
        let head = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n"
        );
        body.extend_from_slice(head.as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn upload_as(sandbox: &MastodonSandbox, token: &str, body: Vec<u8>) -> (u16, Value) {
    let request = reqwest::Client::new()
        .post(format!("{}/api/v2/media", sandbox.base_url()))
        .bearer_auth(token)
        .header("Content-Type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body);
    match request.send().await {
        Ok(response) => (response.status().as_u16(), json(response).await),
        Err(err) => panic!("POST /api/v2/media: {err}"),
    }
}

async fn upload(sandbox: &MastodonSandbox, body: Vec<u8>) -> (u16, Value) {
    upload_as(sandbox, TOKEN, body).await
}

#[tokio::test]
async fn an_upload_answers_a_processed_image() {
    let sandbox = demo().await;
    let image = png(1200, 800, 2_000);
    let (status, media) =
        upload(&sandbox, multipart(Some(("mugs.png", &image)), Some("Six speckled mugs"))).await;
    assert_eq!(status, 200, "{media}");
    assert_eq!(
        (media["type"].as_str(), media["description"].as_str()),
        (Some("image"), Some("Six speckled mugs"))
    );
    let id = media["id"].as_str().unwrap_or_default().to_owned();
    assert!(
        media["url"].as_str().is_some_and(|u| u.starts_with(&sandbox.base_url()) && u.ends_with(".png")),
        "{media}"
    );
    assert_eq!(
        media["meta"]["original"],
        serde_json::json!({ "width": 1200, "height": 800, "size": "1200x800", "aspect": 1.5 })
    );
    assert_eq!(media["meta"]["small"]["width"], 588, "the small rendition holds at most 230,400 pixels");

    let uploads = sandbox.uploaded_media();
    assert_eq!(uploads.len(), 1);
    assert_eq!((uploads[0].id.as_str(), uploads[0].mime.as_str()), (id.as_str(), "image/png"));
    assert_eq!((uploads[0].bytes.as_slice(), uploads[0].status_id.as_deref()), (image.as_slice(), None));

    let (status, bare) = upload(&sandbox, multipart(Some(("x.png", &png(10, 10, 0))), None)).await;
    assert_eq!((status, &bare["description"]), (200, &Value::Null), "alt text is optional");
}

#[tokio::test]
async fn uploads_refuse_what_mastodon_refuses() {
    let sandbox = demo().await;
    let refused = |status: u16, body: &Value, error: &str| {
        assert_eq!((status, body["error"].as_str()), (422, Some(error)), "{body}");
    };
    let (status, body) =
        upload(&sandbox, multipart(Some(("notes.png", b"just some text, named .png")), None)).await;
    refused(status, &body, "Validation failed: File content type is invalid");
    let limit = 16 * 1024 * 1024;
    let (status, body) =
        upload(&sandbox, multipart(Some(("huge.png", &png(4000, 4000, limit + 1))), None)).await;
    refused(status, &body, "Validation failed: File file size must be less than 16 MB");
    let (status, _) = upload(&sandbox, multipart(Some(("max.png", &png(4000, 4000, limit))), None)).await;
    assert_eq!(status, 200, "exactly 16 MB is allowed");
    let (status, body) = upload(&sandbox, multipart(Some(("cut.png", b"\x89PNG\r\n\x1a\n")), None)).await;
    refused(status, &body, "File type of uploaded media could not be verified");
    let long = "a".repeat(1_501);
    let (status, body) = upload(&sandbox, multipart(Some(("ok.png", &png(5, 5, 0))), Some(&long))).await;
    refused(status, &body, "Validation failed: Description is too long (maximum is 1500 characters)");
    let (status, body) = upload(&sandbox, multipart(None, Some("no file"))).await;
    refused(status, &body, "Validation failed: File can't be blank");
    let (status, _) = upload(&sandbox, b"--rapport-test-boundary\r\nno headers end".to_vec()).await;
    assert_eq!(status, 400, "a malformed multipart body");
    assert_eq!(sandbox.uploaded_media().len(), 1, "only the 16 MB one was kept");

    let url = format!("{}/api/v2/media", sandbox.base_url());
    let too_big = reqwest::Client::new().post(url).bearer_auth(TOKEN).body(vec![0u8; 41 << 20]).send().await;
    assert_eq!(too_big.ok().map(|r| r.status().as_u16()), Some(413), "over the server's body limit");
}

#[tokio::test]
async fn statuses_attach_uploads_with_their_alt_text() {
    let sandbox = demo().await;
    let mut ids = Vec::new();
    for alt in ["Mug, front", "Mug, glaze detail", "Mug, base", "Mug, in hand", "Mug, box"] {
        let (_, media) = upload(&sandbox, multipart(Some(("m.png", &png(64, 64, 0))), Some(alt))).await;
        ids.push(media["id"].as_str().unwrap_or_default().to_owned());
    }
    let form: Vec<(&str, &str)> = vec![
        ("status", "New mugs #pottery"),
        ("media_ids[]", ids[0].as_str()),
        ("media_ids[]", ids[1].as_str()),
    ];
    let posted = json(post(&sandbox, "/api/v1/statuses", "m1", &form).await).await;
    let alts: Vec<&str> = posted["media_attachments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["description"].as_str())
        .collect();
    assert_eq!(alts, ["Mug, front", "Mug, glaze detail"]);
    assert_eq!(posted["media_attachments"][0]["id"].as_str(), Some(ids[0].as_str()));
    let status_id = posted["id"].as_str().map(str::to_owned);
    assert_eq!(sandbox.uploaded_media()[0].status_id, status_id);
    let only_media = json(super::get(&sandbox, "/api/v1/accounts/1/statuses?only_media=true").await).await;
    assert_eq!(only_media.as_array().map(Vec::len), Some(1));

    // JSON bodies carry the ids as an array; text may be left out when there is media.
    let request = reqwest::Client::new()
        .post(format!("{}/api/v1/statuses", sandbox.base_url()))
        .bearer_auth(TOKEN)
        .json(&serde_json::json!({ "media_ids": [ids[2]], "visibility": "unlisted" }));
    let answered = match request.send().await {
        Ok(response) => (response.status().as_u16(), json(response).await),
        Err(err) => panic!("{err}"),
    };
    assert_eq!(answered.0, 200, "{}", answered.1);
    assert_eq!(answered.1["media_attachments"][0]["description"], "Mug, base");

    let reused =
        post(&sandbox, "/api/v1/statuses", "m3", &[("status", "again"), ("media_ids[]", ids[0].as_str())])
            .await;
    assert_eq!(reused.status().as_u16(), 422);
    let expected = format!("Media {} not found or already attached to another post", ids[0]);
    assert_eq!(json(reused).await["error"].as_str(), Some(expected.as_str()));
    let unknown =
        post(&sandbox, "/api/v1/statuses", "m4", &[("status", "x"), ("media_ids[]", "12345")]).await;
    assert_eq!(json(unknown).await["error"], "Media 12345 not found or already attached to another post");
    let five: Vec<(&str, &str)> = std::iter::once(("status", "five"))
        .chain(ids.iter().map(|id| ("media_ids[]", id.as_str())))
        .collect();
    let too_many = post(&sandbox, "/api/v1/statuses", "m5", &five).await;
    assert_eq!(too_many.status().as_u16(), 422);
    assert_eq!(json(too_many).await["error"], "Cannot attach more than 4 files");
    let blank = post(&sandbox, "/api/v1/statuses", "m6", &[("status", "")]).await;
    assert_eq!(json(blank).await["error"], "Validation failed: Text can't be blank");
}

#[tokio::test]
async fn uploading_needs_write_media() {
    let sandbox = scoped(Seed::demo()).await;
    for token in ["read", "follow", "write:statuses", "write:favourites"] {
        let (status, body) =
            upload_as(&sandbox, token, multipart(Some(("a.png", &png(2, 2, 0))), None)).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (403, Some("This action is outside the authorized scopes"))
        );
    }
    for token in ["write:media", "write"] {
        assert_eq!(upload_as(&sandbox, token, multipart(Some(("a.png", &png(2, 2, 0))), None)).await.0, 200);
    }
}
