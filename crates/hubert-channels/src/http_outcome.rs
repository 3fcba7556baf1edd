//! Shared plumbing for the send functions: the per-request timeout, turning transport
//! errors into [`SendOutcome`]s, and reading retry hints from response headers.

use std::time::Duration;

use reqwest::header::HeaderMap;

use crate::SendOutcome;

/// How long one send request may take before we stop waiting.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// A transport failure: retry when the request certainly never left, otherwise the
/// platform may have received it and the outcome is uncertain.
pub(crate) fn transport_error_outcome(error: &reqwest::Error) -> SendOutcome {
    if error.is_connect() {
        SendOutcome::Retry {
            after: None,
            reason: format!("connect failed: {error}"),
        }
    } else if error.is_builder() {
        SendOutcome::Failed {
            code: "bad_request".into(),
            reason: format!("could not build request: {error}"),
        }
    } else if error.is_timeout() {
        SendOutcome::Uncertain {
            reason: format!("timed out after sending: {error}"),
        }
    } else {
        SendOutcome::Uncertain {
            reason: format!("connection failed after sending: {error}"),
        }
    }
}

/// `Retry-After` in delta-seconds (HTTP dates are ignored).
pub(crate) fn retry_after_header(headers: &HeaderMap) -> Option<Duration> {
    let raw = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    raw.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// An integer header value, e.g. `x-rate-limit-reset`.
pub(crate) fn integer_header(headers: &HeaderMap, name: &str) -> Option<i64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// Seconds since the Unix epoch, now.
pub(crate) fn now_epoch_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
