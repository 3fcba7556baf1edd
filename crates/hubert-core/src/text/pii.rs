//! Personal-data masking for the wallboard's privacy mode, the reports and the simulator:
//! phone numbers in every Dutch notation, e-mail addresses, postcodes, IBANs, EAN meter codes,
//! customer numbers and other long digit runs, street + house number, the names the caller
//! knows, and other people's names introduced in the text ("mijn vrouw Annelies", "met
//! Pieter"; see [`super::names`]). Returns the masked text and the spans (in characters of the
//! original text).
//!
//! Hand-written scanners over the token stream and the digit groups; no regex.

use serde::{Deserialize, Serialize};

use super::tokens::{tokenize, Token, TokenKind};

/// What kind of personal data a span holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum PiiKind {
    Email,
    Iban,
    Ean,
    Phone,
    Postcode,
    Address,
    Number,
    /// A name the caller knows (the contact's own).
    Name,
    /// Another person's name, found in the text by the words around it.
    Person,
}

impl PiiKind {
    /// The placeholder that replaces the span in masked text (Dutch: it is shown on screens).
    pub fn placeholder(self) -> &'static str {
        match self {
            PiiKind::Email => "[e-mail]",
            PiiKind::Iban => "[IBAN]",
            PiiKind::Ean => "[EAN]",
            PiiKind::Phone => "[telefoon]",
            PiiKind::Postcode => "[postcode]",
            PiiKind::Address => "[adres]",
            PiiKind::Number => "[nummer]",
            PiiKind::Name | PiiKind::Person => "[naam]",
        }
    }
}

/// One piece of personal data: characters `start..end` of the original text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PiiSpan {
    pub start: usize,
    pub end: usize,
    pub kind: PiiKind,
}

/// The text with every span replaced by its placeholder, and the spans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Masked {
    pub masked: String,
    pub spans: Vec<PiiSpan>,
}

/// Mask personal data in `text`; `names` are names the caller knows (the contact's name).
pub fn mask(text: &str, names: &[&str]) -> Masked {
    mask_in(text, &tokenize(text), names)
}

pub(crate) fn mask_in(text: &str, tokens: &[Token<'_>], names: &[&str]) -> Masked {
    let mut found: Vec<PiiSpan> = Vec::new();
    for t in tokens.iter().filter(|t| t.kind == TokenKind::Email) {
        found.push(PiiSpan {
            start: t.start,
            end: t.end,
            kind: PiiKind::Email,
        });
    }
    find_ibans(tokens, &mut found);
    find_digit_runs(text, tokens, &mut found);
    find_addresses(tokens, &mut found);
    find_names(tokens, names, &mut found);
    super::names::find_people(tokens, &mut found);
    let spans = resolve(found);
    Masked {
        masked: apply(text, &spans),
        spans,
    }
}

/// Keep the strongest span where spans overlap (kind order, then the longer one).
fn resolve(mut found: Vec<PiiSpan>) -> Vec<PiiSpan> {
    found.sort_by_key(|s| (s.kind, usize::MAX - (s.end - s.start), s.start));
    let mut kept: Vec<PiiSpan> = Vec::new();
    for span in found {
        if !kept.iter().any(|k| k.start < span.end && span.start < k.end) {
            kept.push(span);
        }
    }
    kept.sort_by_key(|s| s.start);
    kept
}

fn apply(text: &str, spans: &[PiiSpan]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut spans = spans.iter().peekable();
    for (i, c) in text.chars().enumerate() {
        match spans.peek() {
            Some(s) if i >= s.start && i < s.end => {
                if i == s.start {
                    out.push_str(s.kind.placeholder());
                }
                if i + 1 == s.end {
                    spans.next();
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// IBAN: two capital letters, two check digits, then 11–30 letters and digits, written
/// together or in groups of four.
fn find_ibans(tokens: &[Token<'_>], found: &mut Vec<PiiSpan>) {
    for (i, t) in tokens.iter().enumerate() {
        let b = t.text.as_bytes();
        let starts = (t.kind == TokenKind::Number || t.kind == TokenKind::Word)
            && b.len() >= 4
            && b[0].is_ascii_uppercase()
            && b[1].is_ascii_uppercase()
            && b[2].is_ascii_digit()
            && b[3].is_ascii_digit();
        if !starts {
            continue;
        }
        let mut body: String = t.text[4..].to_string();
        let mut end = t.end;
        let mut j = i + 1;
        // Grouped notation: "NL91 ABNA 0417 1643 00".
        while t.text.len() == 4 && j < tokens.len() && tokens[j].start == end + 1 && body.len() < 30 {
            let g = tokens[j].text;
            let alnum_group = g.len() <= 4 && g.bytes().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
            if !alnum_group {
                break;
            }
            body.push_str(g);
            end = tokens[j].end;
            j += 1;
        }
        let digits = body.bytes().filter(u8::is_ascii_digit).count();
        if (11..=30).contains(&body.len())
            && digits >= 7
            && body.bytes().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            found.push(PiiSpan {
                start: t.start,
                end,
                kind: PiiKind::Iban,
            });
        }
    }
}

/// A run of digit groups joined by single spaces, hyphens, slashes or brackets.
struct DigitRun {
    start: usize,
    /// (digits of the group, char offset of the group's end) in order.
    groups: Vec<(String, usize)>,
    plus: bool,
}

/// Phone numbers, EAN codes, postcodes and long digit runs, from the raw characters.
fn find_digit_runs(text: &str, tokens: &[Token<'_>], found: &mut Vec<PiiSpan>) {
    let chars: Vec<char> = text.chars().collect();
    let skip: Vec<(usize, usize)> = tokens
        .iter()
        .filter(|t| {
            matches!(
                t.kind,
                TokenKind::Url | TokenKind::Email | TokenKind::Handle | TokenKind::Hashtag
            )
        })
        .map(|t| (t.start, t.end))
        .collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let boundary = i == 0 || !chars[i - 1].is_alphanumeric();
        let opens =
            c.is_ascii_digit() || ((c == '+' || c == '(') && chars.get(i + 1).is_some_and(char::is_ascii_digit));
        if !(boundary && opens) || skip.iter().any(|&(s, e)| i >= s && i < e) {
            i += 1;
            continue;
        }
        if let Some(end) = postcode_at(&chars, i) {
            found.push(PiiSpan {
                start: i,
                end,
                kind: PiiKind::Postcode,
            });
            i = end;
            continue;
        }
        let run = digit_run(&chars, i);
        let last = run.groups.last().map(|g| g.1).unwrap_or(i + 1);
        classify(&run, found);
        i = last.max(i + 1);
    }
}

/// "1234 AB" or "1234AB": four digits (not starting with 0), two capitals, a word boundary.
fn postcode_at(chars: &[char], i: usize) -> Option<usize> {
    let digits = chars.get(i..i + 4)?;
    if !digits.iter().all(char::is_ascii_digit) || digits[0] == '0' {
        return None;
    }
    let mut j = i + 4;
    if chars.get(j) == Some(&' ') {
        j += 1;
    }
    let letters = chars.get(j..j + 2)?;
    let boundary = chars.get(j + 2).is_none_or(|c| !c.is_alphanumeric());
    (letters.iter().all(char::is_ascii_uppercase) && boundary).then_some(j + 2)
}

fn digit_run(chars: &[char], start: usize) -> DigitRun {
    let mut run = DigitRun {
        start,
        groups: Vec::new(),
        plus: chars[start] == '+',
    };
    let mut j = if run.plus { start + 1 } else { start };
    let mut current = String::new();
    while j < chars.len() {
        let c = chars[j];
        if c.is_ascii_digit() {
            current.push(c);
            j += 1;
            continue;
        }
        let next_is_digit = chars.get(j + 1).is_some_and(char::is_ascii_digit);
        let joins = match c {
            ' ' | '-' | '/' | ')' => next_is_digit || (c == ')' && chars.get(j + 1) == Some(&' ')),
            '(' => next_is_digit,
            _ => false,
        };
        let after_bracket = j > start && chars[j - 1] == ')';
        if !joins || current.is_empty() && c != '(' && c != ')' && !after_bracket {
            break;
        }
        if !current.is_empty() {
            run.groups.push((std::mem::take(&mut current), j));
        }
        j += 1;
    }
    // A group glued to letters ("12a", "9am") ends the run before it.
    if !current.is_empty() && !chars.get(j).is_some_and(|c| c.is_alphabetic()) {
        run.groups.push((current, j));
    }
    run
}

fn classify(run: &DigitRun, found: &mut Vec<PiiSpan>) {
    // The longest prefix of groups that is a phone number or an EAN code wins.
    let mut digits = String::new();
    let mut best: Option<(usize, PiiKind)> = None;
    for (g, (group, end)) in run.groups.iter().enumerate() {
        digits.push_str(group);
        if let Some(kind) = kind_of(&digits, run.plus, g == 0) {
            best = Some((*end, kind));
        }
    }
    if let Some((end, kind)) = best {
        found.push(PiiSpan {
            start: run.start,
            end,
            kind,
        });
    } else if digits.len() >= 6 {
        let end = run.groups.last().map(|g| g.1).unwrap_or(run.start);
        found.push(PiiSpan {
            start: run.start,
            end,
            kind: PiiKind::Number,
        });
    }
}

fn kind_of(digits: &str, plus: bool, single_group: bool) -> Option<PiiKind> {
    let n = digits.len();
    if !plus && n == 18 && digits.starts_with("87") {
        return Some(PiiKind::Ean);
    }
    if plus {
        return (digits.starts_with("31") && n == 11 || !digits.starts_with("31") && (10..=13).contains(&n))
            .then_some(PiiKind::Phone);
    }
    if digits.starts_with("0031") && n == 13 || digits.starts_with("00") && !single_group && (12..=15).contains(&n) {
        return Some(PiiKind::Phone);
    }
    (digits.starts_with('0') && !digits.starts_with("00") && n == 10).then_some(PiiKind::Phone)
}

const STREET_SUFFIXES: [&str; 32] = [
    "straat",
    "laan",
    "weg",
    "plein",
    "gracht",
    "kade",
    "singel",
    "dijk",
    "park",
    "hof",
    "steeg",
    "pad",
    "dreef",
    "markt",
    "ring",
    "baan",
    "allee",
    "boulevard",
    "kanaal",
    "plantsoen",
    "haven",
    "wal",
    "veld",
    "erf",
    "burg",
    "zijde",
    "poort",
    "straatje",
    "hage",
    "oord",
    "dam",
    "wijk",
];
const STREET_WORDS: [&str; 8] = ["laan", "plein", "weg", "kade", "singel", "dreef", "gracht", "hof"];
const PARTICLES: [&str; 10] = ["van", "de", "der", "den", "het", "ter", "ten", "'t", "la", "le"];

/// Street + house number: "Dorpsstraat 12a", "Laan van Meerdervoort 5", "Oude Gracht 45B",
/// "Prinsengracht 263-1", "Burgemeester de Withstraat 7 bis", "Julianaplein 3 hoog".
fn find_addresses(tokens: &[Token<'_>], found: &mut Vec<PiiSpan>) {
    for (i, t) in tokens.iter().enumerate() {
        if t.kind != TokenKind::Number || i == 0 || !house_number(t.text) {
            continue;
        }
        let street = &tokens[i - 1];
        if street.kind != TokenKind::Word || street.end + 1 != t.start {
            continue;
        }
        let lower = street.text.to_lowercase();
        let capital = street.text.chars().next().is_some_and(char::is_uppercase);
        let suffixed = STREET_SUFFIXES
            .iter()
            .any(|s| lower.ends_with(s) && (capital || lower.len() >= s.len() + 3));
        let mut start_index = i - 1;
        let mut is_street = suffixed && (capital || lower.len() > 6);
        // Walk back over capitalised words and particles between them.
        let mut k = i - 1;
        while k > 0 {
            let prev = &tokens[k - 1];
            if prev.kind != TokenKind::Word || prev.end + 1 != tokens[k].start {
                break;
            }
            let prev_lower = prev.text.to_lowercase();
            let prev_capital = prev.text.chars().next().is_some_and(char::is_uppercase);
            let particle = PARTICLES.contains(&prev_lower.as_str());
            if prev_capital && !particle && !is_sentence_word(&prev_lower) {
                start_index = k - 1;
                if STREET_WORDS.contains(&prev_lower.as_str()) {
                    is_street = true;
                }
            } else if particle && k >= 2 && tokens[k - 2].text.chars().next().is_some_and(char::is_uppercase) {
                // "Laan van Meerdervoort", "Burgemeester de With": keep going.
            } else if particle && prev_capital {
                // A street that starts with a particle: "Van Goghlaan", "De Ruyterkade".
                start_index = k - 1;
                break;
            } else {
                break;
            }
            k -= 1;
        }
        if !is_street {
            continue;
        }
        let end = house_number_end(tokens, i);
        found.push(PiiSpan {
            start: tokens[start_index].start,
            end,
            kind: PiiKind::Address,
        });
    }
}

/// Capitalised words that start sentences rather than street names.
fn is_sentence_word(lower: &str) -> bool {
    matches!(
        lower,
        "adres" | "ik" | "mijn" | "op" | "naar" | "woon" | "wij" | "we" | "geen" | "in" | "bij" | "nieuw"
    )
}

/// "12", "12a", "45B", "263" (the "-1" in 263-1 is a separate check).
fn house_number(s: &str) -> bool {
    let (main, addition) = s.split_once('-').unwrap_or((s, ""));
    let digits = main.bytes().take_while(u8::is_ascii_digit).count();
    (1..=4).contains(&digits)
        && main.len() - digits <= 2
        && main[digits..].bytes().all(|c| c.is_ascii_alphabetic())
        && addition.len() <= 4
        && addition.bytes().all(|c| c.is_ascii_alphanumeric())
}

fn house_number_end(tokens: &[Token<'_>], i: usize) -> usize {
    let mut end = tokens[i].end;
    let next = tokens.get(i + 1);
    let after = tokens.get(i + 2);
    if let (Some(n), Some(a)) = (next, after) {
        if n.text == "-" && n.start == end && a.start == n.end && a.kind == TokenKind::Number {
            end = a.end;
        }
    }
    if let Some(n) = tokens.iter().skip(i + 1).find(|t| t.start >= end) {
        if n.start == end + 1
            && matches!(
                n.text.to_lowercase().as_str(),
                "bis" | "hoog" | "huis" | "zw" | "rd" | "hs"
            )
        {
            end = n.end;
        }
    }
    end
}

/// The caller's names, whole or by part (parts of three letters or more, particles excluded),
/// matched as whole words, case-insensitively.
fn find_names(tokens: &[Token<'_>], names: &[&str], found: &mut Vec<PiiSpan>) {
    for name in names {
        let parts: Vec<&str> = name.split_whitespace().collect();
        if parts.is_empty() {
            continue;
        }
        for i in 0..tokens.len() {
            if let Some(after) = match_parts(tokens, i, &parts) {
                found.push(PiiSpan {
                    start: tokens[i].start,
                    end: tokens[after - 1].end,
                    kind: PiiKind::Name,
                });
            }
        }
        for part in &parts {
            let bare = part.trim_end_matches('.');
            if bare.chars().count() < 3 || PARTICLES.contains(&bare.to_lowercase().as_str()) {
                continue;
            }
            for t in tokens
                .iter()
                .filter(|t| t.kind == TokenKind::Word && t.text.eq_ignore_ascii_case(bare))
            {
                found.push(PiiSpan {
                    start: t.start,
                    end: t.end,
                    kind: PiiKind::Name,
                });
            }
        }
    }
}

/// The index after the last token when `parts` match from token `i` ("A." is "A" + ".").
fn match_parts(tokens: &[Token<'_>], i: usize, parts: &[&str]) -> Option<usize> {
    let mut k = i;
    for part in parts {
        let bare = part.trim_end_matches('.');
        if !tokens.get(k)?.text.eq_ignore_ascii_case(bare) {
            return None;
        }
        k += 1;
        if part.ends_with('.') {
            if tokens.get(k)?.text != "." {
                return None;
            }
            k += 1;
        }
    }
    Some(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(PiiKind, String)> {
        let chars: Vec<char> = text.chars().collect();
        mask(text, &[])
            .spans
            .into_iter()
            .map(|s| (s.kind, chars[s.start..s.end].iter().collect()))
            .collect()
    }

    #[test]
    fn dutch_phone_numbers_in_every_notation() {
        for phone in [
            "06-12345678",
            "+31 6 1234 5678",
            "0031 6 23456789",
            "020-1234567",
            "0612345678",
            "(020) 123 45 67",
            "06 12 34 56 78",
        ] {
            assert_eq!(
                kinds(&format!("bel {phone}.")),
                vec![(PiiKind::Phone, phone.to_string())],
                "{phone}"
            );
        }
    }

    #[test]
    fn postcodes_ibans_eans_and_customer_numbers() {
        assert_eq!(
            kinds("in 3512AB en 1234 AB"),
            vec![
                (PiiKind::Postcode, "3512AB".into()),
                (PiiKind::Postcode, "1234 AB".into())
            ]
        );
        assert_eq!(
            kinds("IBAN NL91 ABNA 0417 1643 00."),
            vec![(PiiKind::Iban, "NL91 ABNA 0417 1643 00".into())]
        );
        assert_eq!(
            kinds("EAN 871687120000123456"),
            vec![(PiiKind::Ean, "871687120000123456".into())]
        );
        assert_eq!(
            kinds("klantnummer 40012345, 120 euro op 1 maart 2024"),
            vec![(PiiKind::Number, "40012345".into())]
        );
    }

    #[test]
    fn street_and_house_number() {
        assert_eq!(
            kinds("Ik woon op Dorpsstraat 12a."),
            vec![(PiiKind::Address, "Dorpsstraat 12a".into())]
        );
        assert_eq!(
            kinds("naar Laan van Meerdervoort 5, Den Haag"),
            vec![(PiiKind::Address, "Laan van Meerdervoort 5".into())]
        );
        assert_eq!(
            kinds("op de Prinsengracht 263-1"),
            vec![(PiiKind::Address, "Prinsengracht 263-1".into())]
        );
    }

    #[test]
    fn known_names_are_masked_and_the_text_reads_on() {
        let m = mask("Groetjes, Karin Vos (karin@vos.nl)", &["Karin Vos"]);
        assert_eq!(m.masked, "Groetjes, [naam] ([e-mail])");
    }
}
