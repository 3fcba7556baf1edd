//! Inbound media: attachments are fetched while the platform's link is still valid, with a
//! size cap per kind checked before and while reading, and kept in a content-addressed
//! store on disk (`HUBERT_MEDIA_DIR`, default `data/media`; a file is named by the SHA-256
//! of its bytes, written to a temporary name and renamed, so a crash leaves no half file).
//! Signed-in users read them through `GET /api/v1/media/{id}`: raster images, mp4 video and
//! common audio are served as what their first bytes prove them to be; everything else
//! (HTML, SVG, PDF, Office files, anything unrecognised) only as a download of
//! `application/octet-stream`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use hubert_core::time::{MINUTE, SECOND};
use hubert_store::MediaRow;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::{App, AppError, Principal};

/// Fetches claimed per round, and how long a claimed fetch is leased.
const BATCH: i64 = 8;
const LEASE_MS: i64 = 2 * MINUTE;
/// Tries before a fetch is given up (links expire within minutes anyway).
const MAX_ATTEMPTS: i64 = 5;
const FETCH_TIMEOUT: Duration = Duration::from_secs(60);

/// The largest attachment kept, per kind (WhatsApp's limits; others are lower or equal).
pub fn size_cap(kind: &str) -> u64 {
    const MB: u64 = 1024 * 1024;
    match kind {
        "image" => 5 * MB,
        "sticker" => MB,
        "video" | "audio" => 16 * MB,
        _ => 25 * MB,
    }
}

/// The content-addressed files.
#[derive(Debug, Clone)]
pub struct MediaFiles {
    root: PathBuf,
}

impl Default for MediaFiles {
    fn default() -> Self {
        let root = std::env::var("HUBERT_MEDIA_DIR")
            .ok()
            .filter(|d| !d.trim().is_empty())
            .map_or_else(|| PathBuf::from("data/media"), PathBuf::from);
        Self::new(root)
    }
}

impl MediaFiles {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        let valid = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        valid.then(|| self.root.join(&sha256[..2]).join(sha256))
    }

    /// Stores bytes; returns their SHA-256 (hex), the file's name.
    pub async fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let sha = hex::encode(Sha256::digest(bytes));
        let path = self.path_of(&sha).expect("a SHA-256 in hex");
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(sha);
        }
        let dir = path.parent().expect("a parent directory");
        tokio::fs::create_dir_all(dir).await?;
        let tmp = dir.join(format!(".{sha}.{}", hubert_core::new_id()));
        tokio::fs::write(&tmp, bytes).await?;
        tokio::fs::rename(&tmp, &path).await?;
        Ok(sha)
    }

    /// Opens a stored file.
    pub async fn open(&self, sha256: &str) -> std::io::Result<tokio::fs::File> {
        let path = self
            .path_of(sha256)
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a SHA-256"))?;
        tokio::fs::File::open(path).await
    }
}

/// What the first bytes prove a file to be, among the types shown inline.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let starts = |p: &[u8]| bytes.starts_with(p);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && starts(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.len() >= 8 && &bytes[4..8] == b"ftyp" {
        Some("video/mp4")
    } else if starts(b"OggS") {
        Some("audio/ogg")
    } else if starts(b"ID3") || (bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0) {
        Some("audio/mpeg")
    } else {
        None
    }
}

/// An attachment as the conversation view shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediaInfo {
    pub id: String,
    /// `image`, `video`, `audio`, `document`, `sticker`.
    pub kind: String,
    /// `pending`, `stored`, `failed`, `too_large`, `expired`.
    pub state: String,
    pub mime: Option<String>,
    pub filename: Option<String>,
    pub size: Option<i64>,
    /// `/api/v1/media/{id}` once stored.
    pub url: Option<String>,
    /// Shown in the page (an image, video or audio proven by its bytes), else a download.
    pub inline: bool,
}

impl From<MediaRow> for MediaInfo {
    fn from(m: MediaRow) -> Self {
        let stored = m.state == "stored";
        let inline = stored && m.mime.as_deref().is_some_and(|t| t != "application/octet-stream");
        Self {
            url: stored.then(|| format!("/api/v1/media/{}", m.id)),
            id: m.id,
            kind: m.kind,
            state: m.state,
            mime: m.mime,
            filename: m.filename,
            size: m.size,
            inline,
        }
    }
}

/// A stored file to serve.
pub struct MediaFile {
    pub file: tokio::fs::File,
    pub size: i64,
    /// A type proven by the bytes, or `application/octet-stream`.
    pub content_type: String,
    /// Shown in the page; otherwise a download.
    pub inline: bool,
    /// A safe file name for `Content-Disposition` (ASCII letters, digits, `.-_`).
    pub filename: String,
}

/// Where to fetch an attachment: the link and, when the platform wants one, a bearer token.
#[derive(Clone)]
pub struct MediaRequest {
    pub url: String,
    pub bearer: Option<String>,
}

/// Why a fetch did not store anything.
#[derive(Debug)]
pub enum FetchError {
    /// Try again later.
    Retry(String),
    /// Over the kind's cap: given up.
    TooLarge(u64),
    /// The link is gone or refused: given up.
    Gone(String),
}

fn safe_filename(name: Option<&str>, id: &str) -> String {
    let cleaned: String = name
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(80)
        .collect();
    let cleaned = cleaned.trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        format!("bijlage-{id}")
    } else {
        cleaned
    }
}

/// Downloads at most `cap` bytes (refusing a larger `Content-Length` before reading).
pub async fn download(http: &reqwest::Client, req: &MediaRequest, cap: u64) -> Result<Vec<u8>, FetchError> {
    let mut call = http.get(&req.url).timeout(FETCH_TIMEOUT);
    if let Some(token) = &req.bearer {
        call = call.bearer_auth(token);
    }
    let mut res = call
        .send()
        .await
        .map_err(|e| FetchError::Retry(format!("network: {e}")))?;
    let status = res.status();
    if status.as_u16() == 429 || status.is_server_error() {
        return Err(FetchError::Retry(format!("HTTP {status}")));
    }
    if !status.is_success() {
        return Err(FetchError::Gone(format!("HTTP {status}")));
    }
    if let Some(len) = res.content_length().filter(|l| *l > cap) {
        return Err(FetchError::TooLarge(len));
    }
    let mut body = Vec::new();
    while let Some(chunk) = res
        .chunk()
        .await
        .map_err(|e| FetchError::Retry(format!("reading: {e}")))?
    {
        if body.len() as u64 + chunk.len() as u64 > cap {
            return Err(FetchError::TooLarge(body.len() as u64 + chunk.len() as u64));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

impl App {
    /// A stored attachment for a signed-in user of its workspace.
    pub async fn media_file(&self, who: &Principal, id: &str) -> Result<MediaFile, AppError> {
        if id.len() > 64 {
            return Err(AppError::NotFound);
        }
        let row = self
            .store
            .media(&who.workspace_id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (Some(sha), Some(size)) = (row.sha256.as_deref(), row.size) else {
            return Err(AppError::Conflict(
                "media_not_stored",
                "This attachment is not stored (yet).".into(),
            ));
        };
        let file = self.media.open(sha).await.map_err(|e| AppError::Internal(e.into()))?;
        let content_type = row.mime.clone().unwrap_or_else(|| "application/octet-stream".into());
        Ok(MediaFile {
            file,
            size,
            inline: content_type != "application/octet-stream",
            content_type,
            filename: safe_filename(row.filename.as_deref(), &row.id),
        })
    }

    /// Fetches due attachments once; returns how many were stored. The channel gives
    /// the link for a platform's media id (`resolve`).
    pub async fn fetch_due_media<F, Fut>(&self, resolve: F) -> Result<usize, AppError>
    where
        F: Fn(MediaRow) -> Fut,
        Fut: std::future::Future<Output = Result<MediaRequest, FetchError>>,
    {
        self.fetch_media_due_at(self.now(), resolve).await
    }

    /// [`App::fetch_due_media`] for the attachments due at `now`.
    pub async fn fetch_media_due_at<F, Fut>(&self, now: i64, resolve: F) -> Result<usize, AppError>
    where
        F: Fn(MediaRow) -> Fut,
        Fut: std::future::Future<Output = Result<MediaRequest, FetchError>>,
    {
        let mut stored = 0;
        for row in self.store.claim_media(now, LEASE_MS, BATCH).await? {
            let (id, kind, attempts) = (row.id.clone(), row.kind.clone(), row.attempts);
            let fetched = match resolve(row).await {
                Ok(req) => download(&self.http, &req, size_cap(&kind)).await,
                Err(e) => Err(e),
            };
            stored += usize::from(self.record_fetch(&id, attempts, fetched).await?);
        }
        Ok(stored)
    }

    /// Stores what a fetch brought, or gives up, or schedules the next try (`attempts`:
    /// tries so far, this one included).
    async fn record_fetch(
        &self,
        id: &str,
        attempts: i64,
        fetched: Result<Vec<u8>, FetchError>,
    ) -> Result<bool, AppError> {
        let now = self.now();
        match fetched {
            Ok(bytes) => {
                let sha = self.media.put(&bytes).await.map_err(|e| AppError::Internal(e.into()))?;
                let mime = sniff(&bytes).unwrap_or("application/octet-stream");
                self.store.media_stored(id, &sha, bytes.len() as i64, mime, now).await?;
                Ok(true)
            }
            Err(FetchError::TooLarge(n)) => {
                self.store
                    .media_given_up(id, "too_large", &format!("{n} bytes"))
                    .await?;
                Ok(false)
            }
            Err(FetchError::Gone(why)) => {
                self.store.media_given_up(id, "expired", &why).await?;
                Ok(false)
            }
            Err(FetchError::Retry(why)) => {
                if attempts >= MAX_ATTEMPTS {
                    self.store.media_given_up(id, "failed", &why).await?;
                } else {
                    self.store
                        .media_retry(id, &why, now + attempts.max(1) * 10 * SECOND)
                        .await?;
                }
                Ok(false)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_proven_types_are_inline() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"\0\0\0\x18ftypmp42"), Some("video/mp4"));
        assert_eq!(sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), None);
        assert_eq!(sniff(b"<!DOCTYPE html><script>"), None);
        assert_eq!(sniff(b"%PDF-1.7"), None);
    }

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(safe_filename(Some("meterstand 12-03.jpg"), "x"), "meterstand12-03.jpg");
        assert_eq!(safe_filename(Some("../../etc/passwd"), "x"), "etcpasswd");
        assert_eq!(safe_filename(Some("\"; filename=evil.html"), "m1"), "filenameevil.html");
        assert_eq!(safe_filename(None, "m1"), "bijlage-m1");
    }

    #[tokio::test]
    async fn files_are_named_by_their_hash_and_written_once() {
        let dir = std::env::temp_dir().join(format!("hubert-media-{}", hubert_core::new_id()));
        let files = MediaFiles::new(&dir);
        let a = files.put(b"meter photo").await.unwrap();
        assert_eq!(a, hex::encode(Sha256::digest(b"meter photo")));
        assert_eq!(files.put(b"meter photo").await.unwrap(), a);
        assert!(files.open(&a).await.is_ok());
        assert!(files.open("../secret").await.is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}
