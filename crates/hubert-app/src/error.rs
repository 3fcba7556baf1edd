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
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Invalid(code, _) | AppError::Conflict(code, _) | AppError::TooLarge(code, _) => code,
            AppError::TooManyRequests => "too_many_requests",
            AppError::Internal(_) => "internal",
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
