//! Sentiment of Dutch and English social posts: positive, neutral or negative. Used for the
//! wall of love (happy customers on the wallboard) and for priority.
//!
//! A lexicon with weights, read left to right: a negator ("niet", "geen", "nooit", "not")
//! flips the next opinion word within three words, an intensifier ("heel", "echt", "super",
//! "very") multiplies it, emoji carry their own weight, and webcare clichés count as phrases:
//! "top geholpen", "al 3 weken", "nog steeds geen", "niemand neemt op".

use serde::{Deserialize, Serialize};

use std::borrow::Cow;

use super::tokens::{lower, tokenize, Token, TokenKind};

/// The polarity of a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sentiment {
    Positive,
    Neutral,
    Negative,
}

/// The polarity with its score (negative below -0.5, positive above 0.5).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SentimentReading {
    pub sentiment: Sentiment,
    pub score: f32,
}

/// The sentiment of a Dutch or English post.
pub fn sentiment(text: &str) -> SentimentReading {
    sentiment_in(text, &tokenize(text))
}

pub(crate) fn sentiment_in(text: &str, tokens: &[Token<'_>]) -> SentimentReading {
    let words: Vec<Cow<'_, str>> = tokens.iter().map(|t| lower(t.text)).collect();
    let questions = question_sentences(tokens);
    // Thanks inside a request ("graag …, dank u") is politeness, not praise.
    let request = text.contains('?') || words.iter().any(|w| w == "graag" || w == "please");
    let mut score = 0f32;
    let mut sentence_score = 0f32;
    let mut negate_left = 0u8;
    let mut boost = 1f32;
    let mut last: Option<(usize, f32)> = None;
    for (i, t) in tokens.iter().enumerate() {
        let w = words[i].as_ref();
        // A question asks rather than states: its opinion words count half.
        let damp = if questions[i] { 0.5 } else { 1.0 };
        match t.kind {
            TokenKind::Emoji => score += emoji_weight(t.text),
            TokenKind::Word => {
                if is_negator(w) {
                    // Dutch puts the negation after the verb: "klopt niet", "werkt niet".
                    match last {
                        Some((at, weight)) if weight > 0.0 && i - at <= 2 => {
                            score -= 2.0 * weight;
                            sentence_score -= 2.0 * weight;
                            last = None;
                        }
                        _ => negate_left = 3,
                    }
                    continue;
                }
                if is_intensifier(w) {
                    boost = 1.6;
                    continue;
                }
                if matches!(w, "maar" | "but") {
                    // What follows "maar" is what the writer means.
                    score -= sentence_score * 0.5;
                    sentence_score = 0.0;
                    continue;
                }
                let mut weight = word_weight(w) * damp;
                if request && is_gratitude(w) {
                    weight = weight.min(0.3);
                }
                if weight != 0.0 {
                    if negate_left > 0 {
                        weight = if weight < 0.0 { -weight * 0.8 } else { -weight };
                        negate_left = 0;
                    }
                    score += weight * boost;
                    sentence_score += weight * boost;
                    last = Some((i, weight * boost));
                    boost = 1.0;
                } else {
                    negate_left = negate_left.saturating_sub(1);
                }
            }
            TokenKind::Punct if t.ends_clause() => {
                negate_left = 0;
                boost = 1.0;
                last = None;
                if t.ends_sentence() {
                    sentence_score = 0.0;
                }
            }
            _ => {}
        }
    }
    score += phrase_weight(text, &words);
    if text.contains("!!") {
        score *= 1.3;
    }
    let sentiment = if score >= 0.5 {
        Sentiment::Positive
    } else if score <= -0.5 {
        Sentiment::Negative
    } else {
        Sentiment::Neutral
    };
    SentimentReading { sentiment, score }
}

/// For each token: does its sentence end with a question mark?
fn question_sentences(tokens: &[Token<'_>]) -> Vec<bool> {
    let mut out = vec![false; tokens.len()];
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.ends_sentence() || i + 1 == tokens.len() {
            let question = t.text == "?";
            out[start..=i].iter_mut().for_each(|q| *q = question);
            start = i + 1;
        }
    }
    out
}

fn is_gratitude(w: &str) -> bool {
    matches!(
        w,
        "bedankt" | "dank" | "dankjewel" | "dankuwel" | "thanks" | "thank" | "merci"
    )
}

fn is_negator(w: &str) -> bool {
    matches!(
        w,
        "niet" | "geen" | "nooit" | "not" | "no" | "never" | "don't" | "isn't" | "wasn't" | "niks" | "nergens"
    )
}

fn is_intensifier(w: &str) -> bool {
    matches!(
        w,
        "heel"
            | "erg"
            | "echt"
            | "super"
            | "zo"
            | "zeer"
            | "enorm"
            | "totaal"
            | "ontzettend"
            | "hartstikke"
            | "very"
            | "really"
            | "so"
            | "extremely"
            | "helemaal"
            | "mega"
            | "bijzonder"
    )
}

/// Opinion words, Dutch and English.
fn word_weight(w: &str) -> f32 {
    match w {
        // Positive.
        "top" | "geweldig" | "fantastisch" | "uitstekend" | "perfect" | "prima" | "keurig" | "fijn" | "fijne"
        | "blij" | "tevreden" | "goed" | "goede" | "snel" | "snelle" | "vriendelijk" | "vriendelijke"
        | "behulpzaam" | "duidelijk" | "duidelijke" | "complimenten" | "compliment" | "bedankt" | "dank"
        | "dankjewel" | "dankuwel" | "merci" | "held" | "topper" | "helden" | "opgelost" | "gelukt" | "eindelijk"
        | "geduldig" | "bedanken" | "gered" | "heerlijk" | "wauw" | "toppie" | "great" | "good" | "excellent"
        | "happy" | "helpful" | "thanks" | "thank" | "love" | "awesome" | "amazing" | "appreciated" | "quick"
        | "easy" | "nice" | "deskundig" | "prettige" | "gewaardeerd" | "hulp" | "geholpen" | "luistert" => positive(w),
        // Negative.
        "slecht" | "slechte" | "slechtste" | "waardeloos" | "belachelijk" | "belachelijke" | "schandalig"
        | "schande" | "drama" | "boos" | "woedend" | "teleurgesteld" | "ontevreden" | "onacceptabel"
        | "onbereikbaar" | "triest" | "irritant" | "vervelend" | "zat" | "klacht" | "gedoe" | "afgescheept"
        | "ongelooflijk" | "waardeloze" | "niemand" | "hoger" | "hoge" | "fout" | "onjuist" | "onjuiste"
        | "onduidelijk" | "slaat" | "terrible" | "worst" | "bad" | "awful" | "ridiculous" | "unacceptable"
        | "frustrating" | "angry" | "crashing" | "foutmelding" | "uitgevallen" | "meermaals" | "nobody" | "waiting"
        | "kou" | "donker" | "verkeerd" | "niks" | "beloven" | "belooft" => negative(w),
        "normaal" | "oké" | "oke" | "ok" | "okay" | "klopt" => 0.6,
        _ => 0.0,
    }
}

fn positive(w: &str) -> f32 {
    match w {
        "hulp" | "snel" | "snelle" | "goed" | "goede" | "quick" | "easy" | "luistert" | "eindelijk" => 0.6,
        "bedankt" | "dank" | "thanks" | "thank" | "merci" | "opgelost" | "gelukt" | "geholpen" => 0.8,
        _ => 1.0,
    }
}

fn negative(w: &str) -> f32 {
    match w {
        "hoger" | "hoge" | "niemand" | "meermaals" | "nobody" | "waiting" | "kou" | "donker" | "verkeerd"
        | "beloven" | "belooft" | "fout" | "onduidelijk" | "slaat" => -0.6,
        _ => -1.0,
    }
}

fn emoji_weight(e: &str) -> f32 {
    match e.chars().next().unwrap_or(' ') {
        '😀' | '😃' | '😄' | '😁' | '😊' | '🙂' | '😍' | '🥰' | '😘' | '👍' | '👏' | '🙏' | '💪' | '🎉' | '🥳'
        | '😎' | '🤩' | '❤' | '💚' | '💙' | '💛' | '🧡' | '💜' | '♥' | '✅' | '🌞' | '☀' => 1.0,
        '😡' | '😠' | '🤬' | '😤' | '😒' | '🙄' | '😞' | '😢' | '😭' | '👎' | '💩' | '😩' | '😫' | '🤯' | '😑'
        | '😣' => -1.0,
        _ => 0.0,
    }
}

/// Webcare clichés that single words miss.
fn phrase_weight(text: &str, words: &[Cow<'_, str>]) -> f32 {
    let lower = lower(text);
    let mut score = 0f32;
    for (phrase, weight) in [
        ("top geholpen", 1.0),
        ("super geholpen", 1.0),
        ("goed geholpen", 1.0),
        ("nog steeds geen", -1.0),
        ("nog steeds niet", -1.0),
        ("geen reactie", -1.0),
        ("geen antwoord", -1.0),
        ("neemt op", -0.5),
        ("in de wacht", -0.8),
        ("in de kou", -0.5),
        ("slaat nergens op", -1.0),
        ("kan echt niet", -1.0),
        ("kan niet", -0.4),
        ("weer geen", -1.0),
        ("wéér", -1.0),
        ("no response", -1.0),
        ("nobody answers", -0.5),
        ("been waiting", -1.0),
        ("not happy", -0.4),
        // Closing formulas carry no feeling: cancel the "vriendelijke" and "dank" in them.
        ("vriendelijke groet", -1.0),
        ("bij voorbaat dank", -0.3),
        // Silence, absence and repetition are what webcare complaints are made of.
        ("geen uitleg", -1.0),
        ("geen bericht", -1.0),
        ("zonder bericht", -1.0),
        ("geen stroom", -1.0),
        ("zonder stroom", -1.0),
        ("neemt niet op", -1.0),
        ("niet gekomen", -0.6),
        ("nooit gekomen", -1.0),
        ("nog steeds", -0.5),
        ("veel te", -0.8),
        ("weer een", -0.6),
        ("valt uit", -1.0),
        ("valt steeds", -1.0),
        ("gek van", -1.0),
        ("nou eindelijk", -1.3),
        ("werkt niet", -1.0),
        ("doet het niet", -1.0),
        ("werkt weer", 0.8),
        ("out since", -1.0),
        ("?!", -0.6),
    ] {
        if lower.contains(phrase) {
            score += weight;
        }
    }
    // "al 3 weken", "al een week", "al drie keer": a long wait or a repeat contact is a complaint.
    for (i, w) in words.iter().enumerate() {
        let unit = matches!(
            w.as_ref(),
            "uur"
                | "dag"
                | "dagen"
                | "week"
                | "weken"
                | "maand"
                | "maanden"
                | "keer"
                | "hours"
                | "days"
                | "weeks"
                | "months"
        );
        if unit && i >= 2 && matches!(words[i - 2].as_ref(), "al" | "for" | "sinds") {
            score -= 1.0;
        }
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(text: &str) -> Sentiment {
        sentiment(text).sentiment
    }

    #[test]
    fn thanks_and_emoji_are_positive() {
        assert_eq!(label("Top geholpen, dank je wel! 👍"), Sentiment::Positive);
    }

    #[test]
    fn negation_flips_the_opinion() {
        assert_eq!(label("Niet blij met deze service."), Sentiment::Negative);
        assert_eq!(
            label("Niet slecht, de monteur was er binnen een uur."),
            Sentiment::Positive
        );
    }

    #[test]
    fn webcare_cliches_count() {
        assert_eq!(
            label("al 3 weken geen jaarafrekening ontvangen. belachelijk"),
            Sentiment::Negative
        );
        assert_eq!(label("Nog steeds geen monteur geweest"), Sentiment::Negative);
    }

    #[test]
    fn a_plain_question_is_neutral() {
        assert_eq!(label("Wanneer komt de monteur?"), Sentiment::Neutral);
    }
}
