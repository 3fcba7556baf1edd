//! People's names introduced in a text, found by the words around them, for the
//! personal-data mask ([`super::pii`]): "mijn vrouw Annelies", "met Pieter", "ik ben Daan",
//! "mijn naam is Henk de Boer", "namens Johan", "meneer De Jong", "dhr. J.P. van den Berg",
//! "Groetjes, Linda", and capitalised names in the middle of a sentence ("belde Dirk Mulder").
//!
//! A name is initials, capitalised words and surname prefixes ("van der", "ter"). What may
//! start one depends on its cue:
//! - a *strong* cue (a relation word, a title, "ik ben", "ik heet", "mijn naam is", "namens",
//!   a sign-off) takes any capitalised word that is not a function word, weekday, month,
//!   holiday, place or brand ([`super::name_words`]);
//! - a *weak* cue ("met", a greeting) also needs the word to be a person's name in the
//!   dictionary's lexicon, or not a common word ("met Kerst" is not a name);
//! - without a cue, a capitalised word inside a sentence must be a known name that is not a
//!   common word, or start a pair of capitalised words that are not common words; at the start
//!   of a sentence only a known name followed by a surname or a comma counts.
//!
//! A lower-case word counts after a cue when the lexicon knows it as a name and the
//! dictionary does not know it as a word ("mijn vriendin fleur"). For a privacy mask, too
//! much beats too little: when in doubt after a cue, the word is masked.

use std::borrow::Cow;

use super::name_words::{
    capitalised, is_brand_pair, is_cue_word, is_greeting, is_known_name, is_never_a_name, is_particle, is_place,
    is_relation, is_sign_off, is_title,
};
use super::pii::{PiiKind, PiiSpan};
use super::spelling::Speller;
use super::tokens::{lower, Token, TokenKind};

/// How sure the words before a position make us that a name starts there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    /// A relation, "ik ben", "mijn naam is", "namens" or a sign-off.
    Strong,
    /// A title: like `Strong`, and the name may start with a surname prefix ("mevrouw van Dijk").
    Title,
    /// "met" or a greeting.
    Weak,
}

/// At most this many words (initials not counted) make one name.
const MAX_NAME_WORDS: usize = 4;

/// Adds a [`PiiKind::Person`] span for every name introduced in the text.
pub(crate) fn find_people(tokens: &[Token<'_>], found: &mut Vec<PiiSpan>) {
    let speller = Speller::dutch();
    let mut i = 0;
    while i < tokens.len() {
        if !tokens[i].is_word() {
            i += 1;
            continue;
        }
        let end = match cue_before(tokens, i) {
            Some(cue) => name_after_cue(tokens, i, cue, speller),
            None => uncued_name(tokens, i, speller),
        };
        match end {
            Some(end) => {
                found.push(PiiSpan {
                    start: tokens[i].start,
                    end: tokens[end - 1].end,
                    kind: PiiKind::Person,
                });
                i = end;
            }
            None => i += 1,
        }
    }
}

/// The cue that introduces a name at token `i`, if any.
fn cue_before(tokens: &[Token<'_>], i: usize) -> Option<Cue> {
    if let Some((word, at)) = word_before(tokens, i, &[]).filter(|(w, _)| is_cue_word(w)) {
        let before = word_before(tokens, at, &[]);
        let before = before.as_ref().map(|(w, _)| w.as_ref());
        let cue = match word.as_ref() {
            w if is_relation(w) => Some(Cue::Strong),
            w if is_title(w) => Some(Cue::Title),
            w if is_sign_off(w) => Some(Cue::Strong),
            "heet" | "namens" | "tnv" | "tav" | "im" | "i'm" => Some(Cue::Strong),
            "ben" if before == Some("ik") => Some(Cue::Strong),
            "am" if before == Some("i") => Some(Cue::Strong),
            "is" if matches!(before, Some("naam" | "name" | "dit" | "this" | "hier")) => Some(Cue::Strong),
            "met" | "with" => Some(Cue::Weak),
            w if is_greeting(w) => Some(Cue::Weak),
            _ => None,
        };
        if cue.is_some() {
            return cue;
        }
    }
    // Abbreviations with a dot ("dhr.", "t.n.v."), "naam:", and sign-offs before a comma or
    // a line break ("Groetjes,\nLinda").
    const SKIP: [&str; 7] = [".", ",", ":", "!", "\n", "-", "–"];
    let prev = tokens.get(i.checked_sub(1)?)?;
    if prev.kind != TokenKind::Punct || !SKIP.contains(&prev.text) {
        return None;
    }
    let (word, _) = word_before(tokens, i, &SKIP)?;
    match word.as_ref() {
        w if is_sign_off(w) || matches!(w, "vriendelijke" | "hartelijke") => Some(Cue::Strong),
        w if is_title(w) && prev.text == "." => Some(Cue::Title),
        "tnv" | "tav" | "naam" | "name" => Some(Cue::Strong),
        _ => None,
    }
}

/// The lower-cased word that ends right before token `i` (after skipping punctuation in
/// `skip`), with the index of its first token. Dotted abbreviations come out joined:
/// "t.n.v." → "tnv", "m.v.g." → "mvg".
fn word_before<'a>(tokens: &[Token<'a>], i: usize, skip: &[&str]) -> Option<(Cow<'a, str>, usize)> {
    let mut k = i;
    while k > 0 && tokens[k - 1].kind == TokenKind::Punct && skip.contains(&tokens[k - 1].text) {
        k -= 1;
    }
    let last = tokens.get(k.checked_sub(1)?)?;
    if !last.is_word() {
        return None;
    }
    let mut word = lower(last.text);
    let mut start = k - 1;
    while word.chars().count() <= 3
        && start >= 2
        && tokens[start - 1].text == "."
        && tokens[start - 2].is_word()
        && tokens[start - 2].text.chars().count() == 1
        && tokens[start - 2].end == tokens[start - 1].start
        && tokens[start - 1].end == tokens[start].start
    {
        word = Cow::Owned(format!("{}{word}", lower(tokens[start - 2].text)));
        start -= 2;
    }
    Some((word, start))
}

/// A word written with a capital and not in capitals only ("Pieter", not "KPN" or "pieter").
fn is_capitalised(t: &Token<'_>) -> bool {
    let mut letters = t.text.chars().filter(|c| c.is_alphabetic());
    let Some(first) = letters.next() else { return false };
    t.kind == TokenKind::Word
        && t.text.starts_with(first)
        && first.is_uppercase()
        && letters.clone().next().is_some()
        && !letters.all(char::is_uppercase)
}

/// A lower-case word the lexicon knows as a name and the dictionary not as a word ("fleur"
/// is a word, "annelies" is not).
fn is_lowercase_name(t: &Token<'_>, speller: &Speller) -> bool {
    t.kind == TokenKind::Word
        && t.text.starts_with(char::is_lowercase)
        && is_known_name(&capitalised(t.text))
        && !speller.knows_lowercase(t.text)
}

/// A capitalised word that may be part of a name: not a function word, date, place or brand.
fn is_name_word(t: &Token<'_>) -> bool {
    is_capitalised(t) && !is_never_a_name(&lower(t.text)) && !is_place(t.text)
}

/// One initial: a capital letter followed by a dot ("J."), at token `j`.
fn is_initial(tokens: &[Token<'_>], j: usize) -> bool {
    let (Some(letter), Some(dot)) = (tokens.get(j), tokens.get(j + 1)) else {
        return false;
    };
    letter.is_word()
        && letter.text.chars().count() == 1
        && letter.text.starts_with(char::is_uppercase)
        && dot.text == "."
        && dot.start == letter.end
}

/// The end (exclusive token index) of a name starting at `i`, whose first word passes `first`.
fn name_end(tokens: &[Token<'_>], i: usize, leading_prefix: bool, first: impl Fn(&Token<'_>) -> bool) -> Option<usize> {
    let mut j = i;
    let mut initials = 0;
    while is_initial(tokens, j) {
        j += 2;
        initials += 1;
    }
    let mut words = 0;
    while words < MAX_NAME_WORDS {
        let Some(t) = tokens.get(j) else { break };
        let accepted = if words == 0 && initials == 0 {
            first(t)
        } else {
            is_name_word(t)
        };
        if accepted {
            j += 1;
            words += 1;
            continue;
        }
        // Surname prefixes, then the surname: "van den Berg", "de Boer".
        let mut k = j;
        while tokens
            .get(k)
            .is_some_and(|p| p.is_word() && is_particle(&lower(p.text)))
            && k - j < 3
        {
            k += 1;
        }
        let may_lead = words > 0 || initials > 0 || leading_prefix;
        // After a prefix a town's name is a surname: "van der Meer", "van Gent".
        let surname = |t: &Token<'_>| is_capitalised(t) && !is_never_a_name(&lower(t.text));
        if k > j && may_lead && tokens.get(k).is_some_and(surname) {
            j = k + 1;
            words += 1;
            continue;
        }
        break;
    }
    (words > 0).then_some(j)
}

fn name_after_cue(tokens: &[Token<'_>], i: usize, cue: Cue, speller: &Speller) -> Option<usize> {
    let first = |t: &Token<'_>| {
        if is_lowercase_name(t, speller) {
            return true;
        }
        match cue {
            Cue::Strong | Cue::Title => is_name_word(t),
            Cue::Weak => is_name_word(t) && (is_known_name(t.text) || !speller.knows_lowercase(t.text)),
        }
    };
    let end = name_end(tokens, i, cue == Cue::Title, first)?;
    (!is_brand(tokens, i)).then_some(end)
}

/// A name without a cue word before it: a known name inside a sentence, a pair of
/// capitalised words that are not common words, initials with a surname, or a full name
/// (or a name and a comma) at the start of a sentence.
fn uncued_name(tokens: &[Token<'_>], i: usize, speller: &Speller) -> Option<usize> {
    if is_initial(tokens, i) {
        return name_end(tokens, i, false, is_name_word);
    }
    let t = &tokens[i];
    if !is_name_word(t) {
        return None;
    }
    let known = is_known_name(t.text);
    let at_start = starts_sentence(tokens, i);
    // At the start of a sentence only a known name can start one.
    if at_start && !known {
        return None;
    }
    let end = name_end(tokens, i, false, |_| true)?;
    if is_brand(tokens, i) {
        return None;
    }
    let common = speller.knows_lowercase(t.text);
    let second = (end > i + 1).then(|| tokens[end - 1].text);
    let surname_like = second.is_some_and(|s| is_known_name(s) || !speller.knows_lowercase(s));
    let full_name = known && surname_like;
    let found = if at_start {
        let comma_after = tokens.get(i + 1).is_some_and(|n| n.text == ",");
        full_name || known && !common && (second.is_some() || comma_after)
    } else {
        full_name || known && !common || !common && surname_like
    };
    found.then(|| if second.is_some() { end } else { i + 1 })
}

/// Whether tokens `i` and `i + 1` are a brand of two words ("Albert Heijn").
fn is_brand(tokens: &[Token<'_>], i: usize) -> bool {
    tokens
        .get(i + 1)
        .is_some_and(|next| is_brand_pair(&lower(tokens[i].text), &lower(next.text)))
}

/// Whether token `i` starts a sentence (or a line, or follows a colon), looking back over
/// quotes, brackets, bullets and emoji.
fn starts_sentence(tokens: &[Token<'_>], i: usize) -> bool {
    let mut k = i;
    while k > 0 {
        let prev = &tokens[k - 1];
        let transparent = prev.kind == TokenKind::Emoji
            || (prev.kind == TokenKind::Punct
                && matches!(
                    prev.text,
                    "\"" | "“" | "„" | "'" | "‘" | "(" | "[" | "-" | "–" | "•" | "*"
                ));
        if !transparent {
            return prev.ends_sentence() || prev.text == ":";
        }
        k -= 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::super::pii::mask;

    fn masked(text: &str) -> String {
        mask(text, &[]).masked
    }

    #[test]
    fn the_issues_two_examples() {
        assert_eq!(
            masked("Ik bel namens mijn vrouw Annelies, ik was net met Pieter van de buren"),
            "Ik bel namens mijn vrouw [naam], ik was net met [naam] van de buren"
        );
    }

    #[test]
    fn relations_titles_and_introductions() {
        for (text, want) in [
            (
                "Mijn buurman Henk heeft ook geen stroom",
                "Mijn buurman [naam] heeft ook geen stroom",
            ),
            (
                "mijn schoonmoeder Riet de Graaf belt zo",
                "mijn schoonmoeder [naam] belt zo",
            ),
            ("My wife Sarah called", "My wife [naam] called"),
            (
                "Hoi, ik ben Daan en ik heb een vraag",
                "Hoi, ik ben [naam] en ik heb een vraag",
            ),
            (
                "Mijn naam is Henk de Boer, klant sinds 2010",
                "Mijn naam is [naam], klant sinds 2010",
            ),
            ("Ik heet Wei Zhang", "Ik heet [naam]"),
            ("Ik schrijf namens Johan de Groot.", "Ik schrijf namens [naam]."),
            ("U spreekt met Marieke van Leeuwen", "U spreekt met [naam]"),
            ("mijn vriendin annelies woont hier", "mijn vriendin [naam] woont hier"),
        ] {
            assert_eq!(masked(text), want, "{text}");
        }
    }

    #[test]
    fn titles_with_initials_and_surname_prefixes() {
        for (text, want) in [
            (
                "Graag contact met dhr. J.P. van den Berg.",
                "Graag contact met dhr. [naam].",
            ),
            (
                "Kan mevrouw van der Meer terugbellen?",
                "Kan mevrouw [naam] terugbellen?",
            ),
            (
                "Gericht aan mevr. A. ter Horst, Zeist",
                "Gericht aan mevr. [naam], Zeist",
            ),
            ("Is meneer De Jong thuis?", "Is meneer [naam] thuis?"),
            ("Overmaken t.n.v. A. Jansen graag", "Overmaken t.n.v. [naam] graag"),
        ] {
            assert_eq!(masked(text), want, "{text}");
        }
    }

    #[test]
    fn signatures() {
        for (text, want) in [
            (
                "Wanneer komt de monteur? Groetjes, Linda",
                "Wanneer komt de monteur? Groetjes, [naam]",
            ),
            ("Bedankt! Gr. Marcel", "Bedankt! Gr. [naam]"),
            (
                "Graag een reactie. Mvg, Ilse de Bruijn",
                "Graag een reactie. Mvg, [naam]",
            ),
            (
                "Graag een reactie.\nMet vriendelijke groet,\nHans Vermeulen",
                "Graag een reactie.\nMet vriendelijke groet,\n[naam]",
            ),
            ("Top, m.v.g. Bas", "Top, m.v.g. [naam]"),
            (
                "Thanks for the quick fix! Cheers, Dave",
                "Thanks for the quick fix! Cheers, [naam]",
            ),
        ] {
            assert_eq!(masked(text), want, "{text}");
        }
    }

    #[test]
    fn names_inside_a_sentence_and_full_names_at_its_start() {
        for (text, want) in [
            (
                "Vanmorgen belde Dirk Mulder over de storing",
                "Vanmorgen belde [naam] over de storing",
            ),
            ("Heeft Annemiek het al doorgegeven?", "Heeft [naam] het al doorgegeven?"),
            ("Sophie de Wit, Zeist", "[naam], Zeist"),
            ("Annelies, kun je dit doorsturen?", "[naam], kun je dit doorsturen?"),
        ] {
            assert_eq!(masked(text), want, "{text}");
        }
    }

    #[test]
    fn ordinary_capitalised_words_stay() {
        for text in [
            "Storing in Utrecht, weet je al meer?",
            "Met vriendelijke groet",
            "Met Vriendelijke Groet",
            "Maandag komt de monteur, klopt dat?",
            "Ik ben er op Dinsdag en Woensdag niet.",
            "In Januari is mijn termijnbedrag verhoogd.",
            "Met Kerst zaten we zonder stroom!",
            "Sinds Pasen geen afrekening.",
            "Wij zitten in Amsterdam Noord zonder stroom.",
            "Geen stroom in Den Haag en Rijswijk.",
            "Ik ben overgestapt van Eneco naar Vattenfall.",
            "Bij Albert Heijn kan ik wel pinnen.",
            "Mijn Google Home zegt dat de stroom eruit ligt.",
            "Kunnen jullie mijn Slimme Meter uitlezen?",
            "Beste Klantenservice, ik heb een vraag.",
            "Heel Nederland heeft last van de prijzen.",
            "Storing bij KPN en Ziggo?",
            "Hoi! Ik heb een vraag.",
            "Dank jullie wel voor de hulp!",
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
    }
}
