//! Form of address ("aanspreekvorm"): does a Dutch text say *u* (formal) or *je/jij*
//! (informal), both, or neither, and which form should the answer use?
//!
//! Evidence is a pronoun of address outside quotations: formal *u, uw, uzelf*; informal *je,
//! jij, jou, jouw, jezelf* and Flemish *ge, gij* (whose possessive is *uw*, so with *ge/gij* a
//! *u/uw* counts as informal too). *Jullie* is no evidence: customers use it for the company
//! in any register. A *u* that names a letter ("blok U", "de letter u") is no pronoun; words
//! such as *meisje* or *u-bocht* are single tokens and never match. Non-Dutch text has no
//! register.

use serde::{Deserialize, Serialize};

use super::language::{detect_in, Language};
use std::borrow::Cow;

use super::tokens::{lower, tokenize, Token, TokenKind};

/// A form of address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Register {
    Formal,
    Informal,
    Mixed,
    None,
}

/// One pronoun of address found in the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub start: usize,
    pub end: usize,
    /// `Formal` or `Informal`.
    pub register: Register,
    pub word: String,
}

/// What a text's form of address is, with the words that show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterReading {
    pub register: Register,
    pub evidence: Vec<Evidence>,
}

/// The form of address of a Dutch text.
pub fn register(text: &str) -> RegisterReading {
    let tokens = tokenize(text);
    let language = detect_in(text, &tokens);
    register_in(&tokens, language)
}

/// The register to answer `text` in: the customer's own form of address; without one, the
/// tone (Geachte / Met vriendelijke groet vs. hoi / emoji / all lower case); without a clear
/// tone, the team's `house_style` (`Formal` or `Informal`).
pub fn recommended_register(text: &str, house_style: Register) -> Register {
    let tokens = tokenize(text);
    let reading = register_in(&tokens, detect_in(text, &tokens));
    recommend(text, &tokens, &reading, house_style)
}

pub(crate) fn register_in(tokens: &[Token<'_>], language: Language) -> RegisterReading {
    if !matches!(language, Language::Nl | Language::Unknown) {
        return RegisterReading {
            register: Register::None,
            evidence: Vec::new(),
        };
    }
    // Pronouns of address are short; longer words only matter as the word before one.
    let words: Vec<(usize, Cow<'_, str>)> = tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| t.kind == TokenKind::Word)
        .map(|(i, t)| {
            (
                i,
                if t.text.len() <= 8 {
                    lower(t.text)
                } else {
                    Cow::Borrowed("")
                },
            )
        })
        .collect();
    let flemish = words
        .iter()
        .any(|(i, w)| !tokens[*i].quoted && matches!(w.as_ref(), "ge" | "gij" | "gulle"));
    let mut evidence = Vec::new();
    for (n, (i, word)) in words.iter().enumerate() {
        let token = &tokens[*i];
        if token.quoted {
            continue;
        }
        let found = match word.as_ref() {
            "je" | "jij" | "jou" | "jouw" | "jezelf" | "jouwe" | "ge" | "gij" => Some(Register::Informal),
            "u" | "uw" | "uzelf" | "uwe" if flemish => Some(Register::Informal),
            "u" | "uw" | "uzelf" => {
                let previous = n.checked_sub(1).map(|p| words[p].1.as_ref());
                let names_a_letter = matches!(previous, Some("de" | "een" | "letter" | "blok" | "type" | "vitamine"))
                    && !(previous == Some("de") && word.as_ref() == "uw");
                (!names_a_letter && !follows_number(tokens, *i)).then_some(Register::Formal)
            }
            _ => None,
        };
        if let Some(register) = found {
            evidence.push(Evidence {
                start: token.start,
                end: token.end,
                register,
                word: token.text.to_string(),
            });
        }
    }
    let formal = evidence.iter().any(|e| e.register == Register::Formal);
    let informal = evidence.iter().any(|e| e.register == Register::Informal);
    let register = match (formal, informal) {
        (true, true) => Register::Mixed,
        (true, false) => Register::Formal,
        (false, true) => Register::Informal,
        (false, false) => Register::None,
    };
    RegisterReading { register, evidence }
}

/// "12 U" is a house number letter, not a pronoun.
fn follows_number(tokens: &[Token<'_>], i: usize) -> bool {
    i > 0 && tokens[i - 1].kind == TokenKind::Number && tokens[i].text == "U"
}

pub(crate) fn recommend(
    text: &str,
    tokens: &[Token<'_>],
    reading: &RegisterReading,
    house_style: Register,
) -> Register {
    let house_style = if house_style == Register::Formal {
        Register::Formal
    } else {
        Register::Informal
    };
    match reading.register {
        Register::Formal => return Register::Formal,
        // A customer who says "je" at all accepts "je" back.
        Register::Informal | Register::Mixed => return Register::Informal,
        Register::None => {}
    }
    let lower = lower(text);
    let mut formal = 0i32;
    let mut informal = 0i32;
    for cue in [
        "geachte",
        "met vriendelijke groet",
        "hoogachtend",
        "dear sir",
        "dear madam",
        "kind regards",
        "verzoeke",
    ] {
        if lower.contains(cue) {
            formal += 2;
        }
    }
    for t in tokens.iter().take(3) {
        if t.kind == TokenKind::Word
            && matches!(
                super::tokens::lower(t.text).as_ref(),
                "hoi" | "hey" | "hé" | "hee" | "hoii" | "yo"
            )
        {
            informal += 2;
        }
    }
    if tokens.iter().any(|t| t.kind == TokenKind::Emoji) {
        informal += 1;
    }
    if lower.contains("haha") || lower.contains("!!") || lower.contains("??") {
        informal += 1;
    }
    match formal.cmp(&informal) {
        std::cmp::Ordering::Greater => Register::Formal,
        std::cmp::Ordering::Less => Register::Informal,
        std::cmp::Ordering::Equal => house_style,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kunt_u_is_formal_and_kun_je_informal() {
        assert_eq!(register("Kunt u mij terugbellen?").register, Register::Formal);
        assert_eq!(register("Kun je mij terugbellen?").register, Register::Informal);
        assert_eq!(register("Kunt u kijken? Heb je het al?").register, Register::Mixed);
    }

    #[test]
    fn evidence_points_at_the_pronoun_in_characters() {
        let reading = register("Hé, heeft ú… nee: heeft u het?");
        let e = &reading.evidence[0];
        assert_eq!((e.start, e.end, e.word.as_str()), (24, 25, "u"));
    }

    #[test]
    fn je_inside_words_and_u_as_a_letter_are_no_evidence() {
        assert_eq!(register("Mijn meisje stuurde de bijlage").register, Register::None);
        assert_eq!(register("Bij de u-bocht ligt een kabel").register, Register::None);
        assert_eq!(
            register("Kunnen jullie de meter in blok U vervangen?").register,
            Register::None
        );
        assert_eq!(
            register("Huisnummer 12 met de letter u erachter").register,
            Register::None
        );
    }

    #[test]
    fn capital_u_is_formal_and_quotes_do_not_count() {
        assert_eq!(register("Kunt U mij bellen?").register, Register::Formal);
        assert_eq!(
            register("Op de brief staat \"Kunt u uw stand doorgeven?\" Hoe dan?").register,
            Register::None
        );
    }

    #[test]
    fn flemish_ge_takes_uw_along_as_informal() {
        assert_eq!(register("Hebt ge uw app al aangepast?").register, Register::Informal);
    }

    #[test]
    fn english_has_no_dutch_register() {
        assert_eq!(
            register("Hi, can u help me with my meter reading?").register,
            Register::None
        );
    }

    #[test]
    fn without_pronouns_the_tone_decides_then_the_house_style() {
        assert_eq!(
            recommended_register(
                "Geachte heer, hierbij mijn stand. Met vriendelijke groet",
                Register::Informal
            ),
            Register::Formal
        );
        assert_eq!(
            recommended_register("hoi, wanneer komt de monteur?", Register::Formal),
            Register::Informal
        );
        assert_eq!(
            recommended_register("Wanneer komt de monteur?", Register::Formal),
            Register::Formal
        );
        assert_eq!(
            recommended_register("Wanneer komt de monteur?", Register::Informal),
            Register::Informal
        );
    }
}
