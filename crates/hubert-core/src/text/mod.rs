//! Text tools shared by the composer, the API, the wallboard and the channels: platform
//! lengths and snippets (here), and the Dutch webcare toolkit in the submodules — form of
//! address, reply checks, spelling, d/t and other real-word mistakes, language, sentiment and
//! personal-data masking. Everything is a pure function over `&str` with offsets in characters
//! (Unicode scalar values); nothing does I/O at call time (the spelling dictionary is embedded
//! and parsed once) and nothing is async.

pub mod analysis;
pub mod grammar;
pub mod language;
mod name_words;
mod names;
pub mod pii;
pub mod register;
pub mod reply;
pub mod sentiment;
pub mod spelling;
pub mod tokens;

pub use analysis::{analyze, read, Analysis, AnalyzeRequest, Reading};
pub use grammar::{check_grammar, GrammarIssue};
pub use language::{detect_language, detect_language_or, Language};
pub use pii::{mask, Masked, PiiKind, PiiSpan};
pub use register::{recommended_register, register, Evidence, Register, RegisterReading};
pub use reply::{check_reply, ReplyExpectations, ReplyWarning};
pub use sentiment::{sentiment, Sentiment, SentimentReading};
pub use spelling::{check_spelling, suggest, Misspelling, Speller};

use unicode_normalization::UnicodeNormalization;

/// X's weighted length (twitter-text v3 config): after NFC, code points in
/// U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F and U+2032–U+2037 weigh 1, all others 2;
/// every URL counts 23. An emoji ZWJ sequence counts as one emoji (2).
pub fn x_weighted_len(text: &str) -> usize {
    let nfc: String = text.nfc().collect();
    let mut total = 0usize;
    let mut rest = nfc.as_str();
    while !rest.is_empty() {
        if let Some(len) = url_prefix_len(rest) {
            total += 23;
            rest = &rest[len..];
            continue;
        }
        let mut chars = rest.char_indices();
        let (_, c) = chars.next().expect("non-empty");
        let mut consumed = c.len_utf8();
        total += weight(c);
        // Swallow a ZWJ sequence and variation selectors after an emoji: they add nothing.
        let mut iter = rest[consumed..].chars().peekable();
        while let Some(&n) = iter.peek() {
            if n == '\u{200D}' {
                iter.next();
                consumed += n.len_utf8();
                if let Some(m) = iter.next() {
                    consumed += m.len_utf8();
                }
            } else if ('\u{FE00}'..='\u{FE0F}').contains(&n) || ('\u{1F3FB}'..='\u{1F3FF}').contains(&n) {
                iter.next();
                consumed += n.len_utf8();
            } else {
                break;
            }
        }
        rest = &rest[consumed..];
    }
    total
}

fn weight(c: char) -> usize {
    let u = c as u32;
    if u <= 0x10FF || (0x2000..=0x200D).contains(&u) || (0x2010..=0x201F).contains(&u) || (0x2032..=0x2037).contains(&u)
    {
        1
    } else {
        2
    }
}

fn url_prefix_len(s: &str) -> Option<usize> {
    let lower = s.get(..8).map(|p| p.to_ascii_lowercase()).unwrap_or_default();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return None;
    }
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    (end > 8).then_some(end)
}

/// The first `n` characters of `text` on one line, with an ellipsis when cut.
pub fn snippet(text: &str, n: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= n {
        one_line
    } else {
        let mut s: String = one_line.chars().take(n).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_counts_one_each() {
        assert_eq!(x_weighted_len("hallo"), 5);
        assert_eq!(x_weighted_len(&"a".repeat(280)), 280);
    }

    #[test]
    fn accented_dutch_counts_one_and_emoji_two() {
        assert_eq!(x_weighted_len("één"), 3);
        assert_eq!(x_weighted_len("😀"), 2);
        assert_eq!(x_weighted_len("👩‍👩‍👧"), 2);
        assert_eq!(x_weighted_len("👍🏽"), 2);
        assert_eq!(x_weighted_len("日本"), 4);
    }

    #[test]
    fn urls_count_23() {
        assert_eq!(
            x_weighted_len("zie https://www.example.nl/storingen/utrecht/2026"),
            4 + 23
        );
    }

    #[test]
    fn snippets_cut_on_characters() {
        assert_eq!(snippet("a  b\nc", 10), "a b c");
        assert_eq!(snippet("ééééé", 3), "ééé…");
    }
}
