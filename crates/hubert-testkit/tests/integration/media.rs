//! Inbound media: an attachment is fetched from the platform's link into the
//! content-addressed store, shown with its message, and served only to signed-in users of
//! the workspace — a photo inline as what its bytes prove, an HTML or SVG file only as a
//! download of `application/octet-stream`; a file over its kind's cap and a dead link are
//! given up, never half-stored.

use hubert_app::media::{FetchError, MediaRequest};
use hubert_store::NewMedia;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;

const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1];
const HTML: &[u8] = b"<!DOCTYPE html><script>alert(document.cookie)</script>";

/// A loopback server answering `/photo.jpg`, `/page.html`, `/big` (6 MB) and 404 else.
async fn file_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let big = vec![0xFFu8; 6 * 1024 * 1024];
                let (status, body): (&str, &[u8]) = match path.as_str() {
                    "/photo.jpg" => ("200 OK", JPEG),
                    "/page.html" => ("200 OK", HTML),
                    "/big" => ("200 OK", &big),
                    _ => ("404 Not Found", b"gone"),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(body).await;
            });
        }
    });
    format!("http://{addr}")
}

async fn first_message(t: &TestApp) -> (String, String) {
    t.customer_writes(
        "31611112222",
        "Mila Jansen",
        "wamid.media1",
        "Hier is een foto van de meter",
    )
    .await;
    let list = t.get("/api/v1/conversations").await;
    let conv = list["items"][0]["id"].as_str().unwrap().to_owned();
    let detail = t.get(&format!("/api/v1/conversations/{conv}")).await;
    (conv, detail["messages"][0]["id"].as_str().unwrap().to_owned())
}

async fn raw_get(t: &TestApp, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut req = t.http.get(t.url(path));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.unwrap()
}

both_backends!(attachments_are_fetched_stored_and_served_safely, |t| async move {
    let files = file_server().await;
    let (conv, message_id) = first_message(t).await;
    let item = |id: &str, kind: &str, path: &str| NewMedia {
        id: id.into(),
        workspace_id: t.workspace_id.clone(),
        profile_id: t.wa_profile_id.clone(),
        message_id: message_id.clone(),
        kind: kind.into(),
        source: format!("{files}{path}"),
        mime: None,
        filename: Some(format!("file{path}")),
    };
    let items = [
        item("m-photo", "image", "/photo.jpg"),
        item("m-html", "document", "/page.html"),
        item("m-big", "image", "/big"),
        item("m-gone", "image", "/expired"),
    ];
    // Due in an hour of the fake clock, so the app's own worker (which would ask the
    // WhatsApp channel) leaves them to this test's resolver.
    let later = t.app.now() + 3_600_000;
    t.app.store.add_media(&items, later).await.unwrap();
    let stored = t
        .app
        .fetch_media_due_at(later, |row| async move {
            Ok::<_, FetchError>(MediaRequest {
                url: row.source,
                bearer: None,
            })
        })
        .await
        .unwrap();
    assert_eq!(stored, 2);

    let detail = t.get(&format!("/api/v1/conversations/{conv}")).await;
    let media = detail["messages"][0]["media"].as_array().unwrap().clone();
    let state = |id: &str| media.iter().find(|m| m["id"] == id).unwrap()["state"].clone();
    assert_eq!(state("m-photo"), "stored");
    assert_eq!(state("m-big"), "too_large", "over the image cap: given up");
    assert_eq!(state("m-gone"), "expired");
    let photo = media.iter().find(|m| m["id"] == "m-photo").unwrap();
    assert_eq!(photo["url"], "/api/v1/media/m-photo");
    assert_eq!(photo["inline"], true);

    let res = raw_get(t, "/api/v1/media/m-photo", Some(&t.agent_token)).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("inline"));
    assert!(res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("sandbox"));
    assert_eq!(res.bytes().await.unwrap().as_ref(), JPEG);

    let res = raw_get(t, "/api/v1/media/m-html", Some(&t.agent_token)).await;
    assert_eq!(
        res.headers()["content-type"],
        "application/octet-stream",
        "HTML is never served as HTML"
    );
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));

    assert_eq!(raw_get(t, "/api/v1/media/m-photo", None).await.status().as_u16(), 401);
    assert_eq!(
        raw_get(t, "/api/v1/media/m-big", Some(&t.token))
            .await
            .status()
            .as_u16(),
        409
    );
    assert_eq!(
        raw_get(t, "/api/v1/media/nope", Some(&t.token)).await.status().as_u16(),
        404
    );
});

both_backends!(
    a_whatsapp_photo_is_fetched_through_the_graph_api_and_shown,
    |t| async move {
        use hubert_channels::fake::whatsapp_payload::media_message;
        use hubert_channels::MessageKind;
        use hubert_core::Platform;
        use hubert_testkit::{WA_APP_SECRET, WA_PHONE_NUMBER_ID};
        let body = |wamid: &str, media_id: &str| {
            media_message(
                WA_PHONE_NUMBER_ID,
                "31633334444",
                "Joost Bakker",
                wamid,
                t.app.now() / 1000,
                MessageKind::Image,
                media_id,
                "image/jpeg",
                Some("Mijn meterstand"),
            )
        };
        assert_eq!(
            t.post_signed(
                Platform::Whatsapp,
                &t.wa_profile_id,
                WA_APP_SECRET,
                body("wamid.M1", "1045001")
            )
            .await,
            200
        );
        // A redelivery adds nothing twice.
        assert_eq!(
            t.post_signed(
                Platform::Whatsapp,
                &t.wa_profile_id,
                WA_APP_SECRET,
                body("wamid.M1", "1045001")
            )
            .await,
            200
        );
        assert_eq!(
            t.post_signed(
                Platform::Whatsapp,
                &t.wa_profile_id,
                WA_APP_SECRET,
                body("wamid.M2", "4040001")
            )
            .await,
            200
        );
        let conv = t.get("/api/v1/conversations").await["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut media = Vec::new();
        for _ in 0..100 {
            let detail = t.get(&format!("/api/v1/conversations/{conv}")).await;
            media = detail["messages"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|m| m["media"].as_array().cloned().unwrap_or_default())
                .collect();
            if media.len() == 2 && media.iter().all(|m| m["state"] != "pending") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(media.len(), 2, "{media:?}");
        let stored = media
            .iter()
            .find(|m| m["state"] == "stored")
            .expect("the photo is stored");
        let gone = media.iter().find(|m| m["state"] != "stored").unwrap();
        assert_eq!(gone["state"], "expired", "an unknown media id is given up");
        let res = raw_get(t, stored["url"].as_str().unwrap(), Some(&t.agent_token)).await;
        assert_eq!(res.headers()["content-type"], "image/jpeg");
        assert_eq!(
            res.bytes().await.unwrap().as_ref(),
            hubert_channels::fake::FAKE_MEDIA_JPEG
        );
    }
);
