//! The Graph error table of channels.md §3(f) (Messenger, and Instagram by §4(f)) mapped
//! to [`SendOutcome`]s: rate limits retry, everything else fails with a stable
//! [`FailureCode`] and a Dutch sentence for the agent. Code 190 (token expired) is its
//! own code so the app can mark the profile "opnieuw verbinden".

use std::time::Duration;

use serde_json::Value;

use crate::SendOutcome;

/// Why a Facebook or Instagram send failed for good: the `code` of
/// [`SendOutcome::Failed`], stable for the app to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureCode {
    /// Outside the messaging window (10/2018278, or decided before sending).
    WindowClosed,
    /// Code 190: the token expired or was revoked; the profile must be reconnected.
    TokenExpired,
    /// 551, 1545041, 10/2018108: the person cannot be reached (blocked, unavailable).
    RecipientUnavailable,
    /// 200, 10/2018065: the app lacks a permission.
    NoPermission,
    /// 100: Meta refused a parameter.
    InvalidParameter,
    /// The text exceeds the channel's limit (checked before sending).
    TooLong,
    /// An Instagram private reply more than 7 days after the comment.
    PrivateReplyClosed,
    /// An id of the wrong shape (checked before sending; nothing was sent).
    InvalidId,
    /// Any other Graph error.
    PlatformError,
}

impl FailureCode {
    pub const ALL: [FailureCode; 9] = [
        FailureCode::WindowClosed,
        FailureCode::TokenExpired,
        FailureCode::RecipientUnavailable,
        FailureCode::NoPermission,
        FailureCode::InvalidParameter,
        FailureCode::TooLong,
        FailureCode::PrivateReplyClosed,
        FailureCode::InvalidId,
        FailureCode::PlatformError,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FailureCode::WindowClosed => "window_closed",
            FailureCode::TokenExpired => "token_expired",
            FailureCode::RecipientUnavailable => "recipient_unavailable",
            FailureCode::NoPermission => "no_permission",
            FailureCode::InvalidParameter => "invalid_parameter",
            FailureCode::TooLong => "too_long",
            FailureCode::PrivateReplyClosed => "private_reply_closed",
            FailureCode::InvalidId => "invalid_id",
            FailureCode::PlatformError => "platform_error",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == code)
    }

    /// True when the profile must be reconnected by an admin ("opnieuw verbinden").
    pub fn needs_reconnect(self) -> bool {
        self == FailureCode::TokenExpired
    }

    /// The sentence the agent sees.
    pub fn dutch(self) -> &'static str {
        match self {
            FailureCode::WindowClosed => "Het venster om te antwoorden is gesloten: de klant schreef te lang geleden. U kunt pas weer een privébericht sturen als de klant opnieuw schrijft.",
            FailureCode::TokenExpired => "De koppeling met Meta is verlopen of ingetrokken. Een beheerder moet dit profiel opnieuw verbinden.",
            FailureCode::RecipientUnavailable => "Deze persoon is nu niet bereikbaar (mogelijk heeft hij of zij de pagina geblokkeerd of berichten uitgezet).",
            FailureCode::NoPermission => "Hubert heeft bij Meta geen toestemming voor deze actie. Vraag een beheerder de rechten van de app te controleren.",
            FailureCode::InvalidParameter => "Meta weigerde het bericht als ongeldig. Pas de tekst aan of probeer het opnieuw; meld het als het blijft gebeuren.",
            FailureCode::TooLong => "Het bericht is te lang voor dit kanaal. Maak het korter en probeer het opnieuw.",
            FailureCode::PrivateReplyClosed => "Een privé-antwoord op deze reactie kan niet meer: dat kan alleen binnen 7 dagen na de reactie.",
            FailureCode::InvalidId => "Dit gesprek heeft een ongeldig platform-id; het bericht is niet verstuurd.",
            FailureCode::PlatformError => "Meta weigerde het bericht. Probeer het later opnieuw of vraag een beheerder om hulp.",
        }
    }

    /// A failed outcome with this code, the Dutch sentence and the technical detail.
    pub fn outcome(self, detail: &str) -> SendOutcome {
        SendOutcome::Failed {
            code: self.as_str().to_string(),
            reason: if detail.is_empty() {
                self.dutch().to_string()
            } else {
                format!("{} ({detail})", self.dutch())
            },
        }
    }
}

/// The Dutch sentence for a [`SendOutcome::Failed`] code of a Meta send, if it is one.
pub fn failure_sentence(code: &str) -> Option<&'static str> {
    FailureCode::parse(code).map(FailureCode::dutch)
}

/// Sentence for a retry (the agent sees it while we wait).
const RETRY_SENTENCE: &str = "Meta is even druk of beperkt het aantal berichten; Hubert probeert het zo opnieuw.";

/// Graph throttling codes (§1f: 4 app, 17 user, 32 page, 613) and the generic
/// "unknown / service unavailable" codes 1 and 2.
const RETRYABLE_CODES: [i64; 6] = [1, 2, 4, 17, 32, 613];

/// Maps a non-2xx Graph answer (status, retry hint, JSON body) to an outcome.
pub fn classify_graph_error(status: u16, retry_after: Option<Duration>, body: &Value) -> SendOutcome {
    let error = body.get("error");
    let code = error.and_then(|e| e.get("code")).and_then(Value::as_i64);
    let subcode = error.and_then(|e| e.get("error_subcode")).and_then(Value::as_i64);
    let is_transient = error.and_then(|e| e.get("is_transient")).and_then(Value::as_bool) == Some(true);
    let detail = detail(status, code, subcode, error);
    let failure = match (code, subcode) {
        (Some(190), _) => Some(FailureCode::TokenExpired),
        (Some(10), Some(2_018_278)) => Some(FailureCode::WindowClosed),
        (Some(1_545_041), _) | (_, Some(1_545_041)) | (Some(551), _) | (Some(10), Some(2_018_108)) => {
            Some(FailureCode::RecipientUnavailable)
        }
        (Some(10), Some(2_018_065)) => Some(FailureCode::NoPermission),
        (Some(code), _) if RETRYABLE_CODES.contains(&code) || (80_001..=80_009).contains(&code) => None,
        (Some(100), _) => Some(FailureCode::InvalidParameter),
        (Some(10) | Some(200..=299), _) => Some(FailureCode::NoPermission),
        _ if status == 429 || status >= 500 || is_transient => None,
        _ => Some(FailureCode::PlatformError),
    };
    match failure {
        Some(failure) => failure.outcome(&detail),
        None => SendOutcome::Retry {
            after: retry_after,
            reason: format!("{RETRY_SENTENCE} ({detail})"),
        },
    }
}

/// "HTTP 400: (#10) This message is sent outside of allowed window [10/2018278]".
fn detail(status: u16, code: Option<i64>, subcode: Option<i64>, error: Option<&Value>) -> String {
    let mut detail = format!("HTTP {status}");
    if let Some(message) = error
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
    {
        let message: String = message.chars().take(300).collect();
        detail = format!("{detail}: {message}");
    }
    match (code, subcode) {
        (Some(code), Some(sub)) => format!("{detail} [{code}/{sub}]"),
        (Some(code), None) => format!("{detail} [{code}]"),
        _ => detail,
    }
}
