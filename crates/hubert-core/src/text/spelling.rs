//! Dutch spelling with the OpenTaal Hunspell dictionary (`data/nl/`, BSD or CC BY 3.0 — see
//! `data/nl/COPYRIGHT`), checked by `spellbook`, a Hunspell-compatible checker in pure Rust.
//! The dictionary is embedded in the binary and parsed once, lazily (about 50 ms).
//!
//! Checking is fast (microseconds a word) and belongs on the request path; suggestions take
//! milliseconds to tens of milliseconds a word, so they are computed only when asked for.
//!
//! Not words, and never checked: URLs, e-mail addresses, @handles, #hashtags, emoji, numbers
//! and anything with a digit (postcodes, "12a"), abbreviations in capitals ("EAN", "IBAN"),
//! the caller's allow-list (brand and product names), names and street names (personal data).
//! Hubert adds a few webcare and energy words the list lacks (`data/nl/hubert-extra.dic`).

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use spellbook::Dictionary;

use super::pii::{mask_in, PiiSpan};
use super::tokens::{tokenize, Token, TokenKind};

const AFF: &str = include_str!("../../data/nl/nl.aff");
const DIC: &str = include_str!("../../data/nl/nl.dic");
/// The dictionary's word list (`word/FLAGS` a line), for the name lexicon of `name_words`.
pub(super) const DICTIONARY_WORDS: &str = DIC;
/// Hubert's own additions (webcare and energy words the list lacks).
const EXTRA: &str = include_str!("../../data/nl/hubert-extra.dic");

/// How many suggestions a misspelling gets at most.
pub const MAX_SUGGESTIONS: usize = 5;

/// A word the dictionary does not know, in characters `start..end`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Misspelling {
    pub word: String,
    pub start: usize,
    pub end: usize,
    /// Empty unless suggestions were asked for.
    pub suggestions: Vec<String>,
}

/// The Dutch speller: the parsed dictionary.
pub struct Speller {
    dictionary: Dictionary,
}

static SPELLER: OnceLock<Speller> = OnceLock::new();

impl Speller {
    /// The shared speller, parsed on first use.
    pub fn dutch() -> &'static Speller {
        SPELLER.get_or_init(|| {
            let mut dictionary = Dictionary::new(AFF, DIC).expect("the embedded OpenTaal dictionary parses");
            for line in EXTRA
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
            {
                dictionary.add(line).expect("hubert-extra.dic has valid flags");
            }
            Speller { dictionary }
        })
    }

    /// Whether the dictionary accepts `word` (hyphenated compounds part by part).
    pub fn accepts(&self, word: &str) -> bool {
        if word.contains('’') {
            return self.accepts(&word.replace('’', "'"));
        }
        if self.dictionary.check(word) {
            return true;
        }
        // Compounds with a hyphen part by part; "EAN-code" has an abbreviation for a part.
        word.contains('-')
            && word
                .split('-')
                .all(|part| part.is_empty() || !checkable(part) || self.dictionary.check(part))
    }

    /// Whether `word` in lower case is a word of the language ("storing", "roos", "maandag"),
    /// as opposed to a name only written with a capital ("Annelies", "Utrecht").
    pub fn knows_lowercase(&self, word: &str) -> bool {
        let lower = super::tokens::lower(word).replace('’', "'");
        self.dictionary.check(&lower)
    }

    /// Up to five corrections for `word`; slow (milliseconds), keep it off the request path.
    pub fn suggest(&self, word: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.dictionary.suggest(word, &mut out);
        out.truncate(MAX_SUGGESTIONS);
        out
    }
}

/// Misspelled words in `text`, without suggestions. `allow` is the team's allow-list.
pub fn check_spelling(text: &str, allow: &[&str]) -> Vec<Misspelling> {
    let tokens = tokenize(text);
    let personal = mask_in(text, &tokens, &[]).spans;
    check_in(&tokens, allow, &personal)
}

/// Up to five suggestions for one word (slow: call it off the request path).
pub fn suggest(word: &str) -> Vec<String> {
    Speller::dutch().suggest(word)
}

/// Spelling over tokens; words inside personal data (`personal`: street names, known names)
/// are not checked.
pub(crate) fn check_in(tokens: &[Token<'_>], allow: &[&str], personal: &[PiiSpan]) -> Vec<Misspelling> {
    let speller = Speller::dutch();
    tokens
        .iter()
        .filter(|t| t.kind == TokenKind::Word && !t.quoted && checkable(t.text))
        .filter(|t| !personal.iter().any(|p| p.start <= t.start && t.end <= p.end))
        .filter(|t| !allow.iter().any(|a| a.eq_ignore_ascii_case(t.text)))
        .filter(|t| !speller.accepts(t.text))
        .map(|t| Misspelling {
            word: t.text.to_string(),
            start: t.start,
            end: t.end,
            suggestions: Vec::new(),
        })
        .collect()
}

/// Words that are worth checking: not an abbreviation in capitals, not a single letter.
fn checkable(word: &str) -> bool {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    let capitals = word.chars().filter(|c| c.is_uppercase()).count();
    letters > 1 && !(capitals >= 2 && capitals * 2 >= letters)
}

/// Fill in suggestions for misspellings found earlier.
pub fn with_suggestions(mut misspellings: Vec<Misspelling>) -> Vec<Misspelling> {
    for m in &mut misspellings {
        m.suggestions = suggest(&m.word);
    }
    misspellings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_is_found_with_its_offsets() {
        let found = check_spelling("Wanneer komt mijn jaarafreking? 😀", &[]);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].word.as_str(), found[0].start, found[0].end),
            ("jaarafreking", 18, 30)
        );
    }

    #[test]
    fn urls_handles_tags_mails_numbers_postcodes_and_capitals_are_not_words() {
        let text = "Zie https://strm.nl/xq @strmwjs #stroomstrng mail a.b@cd.nl 3512AB 12a EANQ 😀 ok?";
        let found: Vec<String> = check_spelling(text, &[]).into_iter().map(|m| m.word).collect();
        assert_eq!(found, vec!["ok".to_string()]);
    }

    #[test]
    fn the_allow_list_takes_brand_names() {
        assert_eq!(check_spelling("Energiq helpt", &[]).len(), 1);
        assert!(check_spelling("Energiq helpt", &["energiq"]).is_empty());
    }

    #[test]
    fn suggestions_come_only_when_asked() {
        let found = check_spelling("Mijn faktuur", &[]);
        assert!(found[0].suggestions.is_empty());
        assert!(with_suggestions(found)[0].suggestions.contains(&"factuur".to_string()));
    }
}
