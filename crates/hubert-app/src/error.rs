//! The one error type of the use cases. Each variant maps to one HTTP status in
//! `hubert-web`; `Internal` keeps its cause for the log and shows a plain sentence.

use hubert_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not signed in")]
    Unauthorized,
    #[error("not allowed for your role")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// Bad input: a machine code and a sentence for the person.
    #[error("{1}")]
    Invalid(&'static str, String),
    /// Refused because of the state of things (e.g. already answered by a colleague).
    #[error("{1}")]
    Conflict(&'static str, String),
    /// Input over a size limit: a machine code and a sentence for the person.
    #[error("{1}")]
    TooLarge(&'static str, String),
    #[error("too many attempts, try again later")]
    TooManyRequests,
    /// Malformed or absurd input refused before any work (400).
    #[error("{1}")]
    BadRequest(&'static str, String),
    /// Throttled: try again after this many seconds (429 with `Retry-After`).
    #[error("too many attempts, try again in {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    /// Too busy right now (e.g. every password-hashing slot taken): 503 with `Retry-After`.
    #[error("busy, try again in {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Invalid(code, _)
            | AppError::Conflict(code, _)
            | AppError::TooLarge(code, _)
            | AppError::BadRequest(code, _) => code,
            AppError::TooManyRequests | AppError::Throttled { .. } => "too_many_requests",
            AppError::Busy { .. } => "busy",
            AppError::Internal(_) => "internal",
        }
    }
}

impl AppError {
    /// The `Retry-After` seconds of a refusal that passes with time.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::Throttled { retry_after_secs } | AppError::Busy { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(c) if c == "already_answered" => AppError::Conflict(
                "already_answered",
                "A colleague already answered this conversation.".into(),
            ),
            StoreError::Conflict(c) => AppError::Conflict("conflict", c),
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}
