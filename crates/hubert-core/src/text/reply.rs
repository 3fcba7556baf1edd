//! Reply check: does a draft answer in the register the customer should get, without mixing
//! *u* and *je*, and with the personal touch the team asked for (the customer's first name, the
//! agent's signature)? Warnings carry positions in characters of the draft.

use serde::{Deserialize, Serialize};

use super::language::Language;
use super::register::{register_in, Register};
use super::tokens::{tokenize, Token, TokenKind};

/// What the team expects in every reply; empty fields are not checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyExpectations {
    /// The customer's first name, when the team wants it in the reply.
    pub first_name: Option<String>,
    /// The agent's signature (name or initials), when replies are signed.
    pub signature: Option<String>,
}

/// A problem in a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplyWarning {
    pub start: usize,
    pub end: usize,
    /// `register_mismatch`, `mixed_register`, `missing_name` or `missing_signature`.
    pub kind: &'static str,
    pub message: String,
}

/// Check `draft` against the `recommended` register (`Formal` or `Informal`) and `expect`.
pub fn check_reply(draft: &str, recommended: Register, expect: &ReplyExpectations) -> Vec<ReplyWarning> {
    check_in(draft, &tokenize(draft), recommended, expect)
}

pub(crate) fn check_in(
    draft: &str,
    tokens: &[Token<'_>],
    recommended: Register,
    expect: &ReplyExpectations,
) -> Vec<ReplyWarning> {
    // A draft is written in Dutch by the team: read it as Dutch whatever its few words suggest.
    let reading = register_in(tokens, Language::Nl);
    let mut warnings = Vec::new();
    for e in reading.evidence.iter().filter(|e| e.register != recommended) {
        let message = match recommended {
            Register::Formal => format!("De klant schrijft formeel: gebruik 'u' in plaats van '{}'.", e.word),
            _ => format!(
                "De klant schrijft informeel: gebruik 'je/jij' in plaats van '{}'.",
                e.word
            ),
        };
        warnings.push(ReplyWarning {
            start: e.start,
            end: e.end,
            kind: "register_mismatch",
            message,
        });
    }
    if reading.register == Register::Mixed {
        let first = reading.evidence[0].register;
        if let Some(switch) = reading.evidence.iter().find(|e| e.register != first) {
            warnings.push(ReplyWarning {
                start: switch.start,
                end: switch.end,
                kind: "mixed_register",
                message: "Je wisselt 'u' en 'je' af in één antwoord: kies er één.".to_string(),
            });
        }
    }
    let length = draft.chars().count();
    if let Some(name) = expect.first_name.as_deref().filter(|n| !n.trim().is_empty()) {
        if !contains_word(tokens, name) {
            warnings.push(ReplyWarning {
                start: 0,
                end: 0,
                kind: "missing_name",
                message: format!("Spreek de klant persoonlijk aan: '{name}' staat niet in je antwoord."),
            });
        }
    }
    if let Some(signature) = expect.signature.as_deref().filter(|s| !s.trim().is_empty()) {
        if !contains_word(tokens, signature) {
            warnings.push(ReplyWarning {
                start: length,
                end: length,
                kind: "missing_signature",
                message: format!("Onderteken je antwoord met '{signature}'."),
            });
        }
    }
    warnings
}

fn contains_word(tokens: &[Token<'_>], wanted: &str) -> bool {
    let first = wanted.split_whitespace().next().unwrap_or(wanted);
    tokens
        .iter()
        .any(|t| t.kind == TokenKind::Word && t.text.eq_ignore_ascii_case(first))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(draft: &str, recommended: Register) -> Vec<&'static str> {
        check_reply(draft, recommended, &ReplyExpectations::default())
            .into_iter()
            .map(|w| w.kind)
            .collect()
    }

    #[test]
    fn a_formal_draft_for_an_informal_customer_is_flagged_at_each_u() {
        let warnings = check_reply(
            "Heeft u uw meterstand?",
            Register::Informal,
            &ReplyExpectations::default(),
        );
        assert_eq!(
            warnings.iter().map(|w| (w.start, w.end)).collect::<Vec<_>>(),
            vec![(6, 7), (8, 10)]
        );
    }

    #[test]
    fn mixing_u_and_je_is_flagged_where_it_switches() {
        assert_eq!(
            kinds("Wat vervelend voor u! Heb je al gekeken?", Register::Formal),
            vec!["register_mismatch", "mixed_register"]
        );
    }

    #[test]
    fn a_matching_draft_is_quiet() {
        assert!(kinds("Wat vervelend! Heb je al gekeken?", Register::Informal).is_empty());
    }

    #[test]
    fn the_personal_touch_is_checked_when_asked() {
        let expect = ReplyExpectations {
            first_name: Some("Sanne".into()),
            signature: Some("Mark".into()),
        };
        let kinds: Vec<_> = check_reply("Hoi, we bellen je.", Register::Informal, &expect)
            .into_iter()
            .map(|w| w.kind)
            .collect();
        assert_eq!(kinds, vec!["missing_name", "missing_signature"]);
        assert!(check_reply("Hoi Sanne, we bellen je. Groet, Mark", Register::Informal, &expect).is_empty());
    }
}
