//! The media worker: fetches recorded attachments while the platforms' links are valid
//! (woken by ingest, otherwise polling), each through its profile's channel.

use std::time::Duration;

use hubert_channels::channel::{MediaFetchError, SendContext};
use hubert_store::MediaRow;
use tokio::sync::watch;

use crate::media::{FetchError, MediaRequest};
use crate::App;

/// Starts the worker; it stops when `shutdown` turns true.
pub fn spawn(app: App, mut shutdown: watch::Receiver<bool>, poll: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if *shutdown.borrow() {
                break;
            }
            match app.fetch_due_media(|row| resolve(&app, row)).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "media worker step failed"),
            }
            tokio::select! {
                _ = app.media_wakeup.notified() => {}
                _ = tokio::time::sleep(poll) => {}
                _ = shutdown.changed() => {}
            }
        }
    })
}

/// The link of one attachment, from its profile's channel.
async fn resolve(app: &App, row: MediaRow) -> Result<MediaRequest, FetchError> {
    let profile = match app.loaded_profile(&row.profile_id).await {
        Ok(Some(p)) => p,
        Ok(None) => return Err(FetchError::Gone("the profile is disconnected".into())),
        Err(e) => return Err(FetchError::Retry(e.to_string())),
    };
    let ctx = SendContext {
        http: &app.http,
        urls: &app.endpoints,
        now: app.now(),
        last_customer_message_at: None,
        private_reply: false,
    };
    match profile
        .channel
        .media_fetch(ctx, &profile.credentials, &row.source)
        .await
    {
        Ok(fetch) => Ok(MediaRequest {
            url: fetch.url,
            bearer: fetch.bearer,
        }),
        Err(MediaFetchError::Retry(why)) => Err(FetchError::Retry(why)),
        Err(MediaFetchError::Gone(why)) => Err(FetchError::Gone(why)),
    }
}
