//! d/t and other real-word mistakes: errors a dictionary cannot see because both forms are
//! words ("word/wordt", "gebeurd/gebeurt", "hun/zij", "als/dan"). Each rule states the grammar
//! it enforces; the rules look at the clause around a verb, not at whole sentences, so they
//! stay cheap and predictable. They prefer silence to a false alarm: when the clause does not
//! decide the case (a possessive *je*, a conditional *als*), they say nothing.

use serde::Serialize;

use super::tokens::{tokenize, Token, TokenKind};

/// A real-word mistake in characters `start..end`, with the form that belongs there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrammarIssue {
    pub start: usize,
    pub end: usize,
    pub message: String,
    pub suggestion: String,
    /// Which rule fired (stable, for the UI and the tests).
    pub rule: &'static str,
}

/// A word of the text with its clause and sentence context.
struct Word<'a> {
    token: &'a Token<'a>,
    lower: String,
    clause: usize,
    /// Stretch between two punctuation marks (clauses also split at "dat", "als" …).
    segment: usize,
    sentence_start: bool,
    clause_start: bool,
}

/// Verbs whose stem ends in d: the written form is stem (ik word), stem + t (hij wordt).
const D_STEMS: [&str; 8] = ["word", "vind", "houd", "meld", "zend", "verbind", "bied", "rijd"];

/// Irregular or short verbs that take -t with *u* and drop it with inverted *je/jij*.
const T_FORMS: [(&str, &str); 6] = [
    ("hebt", "heb"),
    ("heeft", "heb"),
    ("bent", "ben"),
    ("kunt", "kun"),
    ("wilt", "wil"),
    ("zult", "zal"),
];

/// Weak verbs whose past participle (…d) and third-person present (…t) sound alike.
const PARTICIPLE_PAIRS: [(&str, &str); 17] = [
    ("gebeurd", "gebeurt"),
    ("verhuisd", "verhuist"),
    ("verstuurd", "verstuurt"),
    ("betaald", "betaalt"),
    ("veranderd", "verandert"),
    ("verbeterd", "verbetert"),
    ("verhoogd", "verhoogt"),
    ("verlaagd", "verlaagt"),
    ("herhaald", "herhaalt"),
    ("besteld", "bestelt"),
    ("beloofd", "belooft"),
    ("hersteld", "herstelt"),
    ("verklaard", "verklaart"),
    ("vernieuwd", "vernieuwt"),
    ("verlengd", "verlengt"),
    ("beantwoord", "beantwoordt"),
    ("ontvangen", "ontvangt"),
];

/// Finite forms of the auxiliaries zijn, hebben and worden (and their infinitives at the end
/// of a clause): with one of them in the clause, a past participle is expected.
fn is_auxiliary(w: &str) -> bool {
    listed(AUXILIARIES, w)
}

const AUXILIARIES: &str =
    "is was zijn waren ben bent zijt heb hebt heeft hebben had hadden word wordt worden werd werden";

/// Words that open a subordinate clause; the clause starts at them.
fn opens_clause(w: &str) -> bool {
    listed(SUBORDINATORS, w)
}

const SUBORDINATORS: &str =
    "dat als omdat want die wat of nadat zodat terwijl wanneer toen voordat doordat hoewel indien zodra";

/// Plural finite verbs that follow a subject "zij" (and, wrongly, "hun").
fn is_plural_finite(w: &str) -> bool {
    listed(PLURAL_FINITE, w)
}

const PLURAL_FINITE: &str =
    "hebben zijn waren hadden gaan gingen komen kwamen kunnen konden moeten moesten willen wilden zeggen \
    zeiden doen deden sturen stuurden weten wisten zullen zouden mogen mochten bellen belden worden \
    werden krijgen kregen geven gaven laten lieten beloven beloofden reageren reageerden vinden vonden";

fn is_comparative(w: &str) -> bool {
    listed(COMPARATIVES, w)
}

const COMPARATIVES: &str =
    "meer minder hoger lager groter kleiner beter slechter duurder goedkoper eerder later sneller \
    langzamer vaker langer korter liever zwaarder warmer kouder hogere lagere zuiniger";

/// Words that can start a finite clause (a subject), so "als" before them may mean "if".
fn starts_subject(w: &str) -> bool {
    listed(SUBJECT_STARTS, w)
}

const SUBJECT_STARTS: &str =
    "u je jij ik we wij ze zij hij het jullie men er iemand niemand de een dit dat die mijn uw onze ons \
    hun jouw deze alles iets";

/// After a verb, is *je* the subject ("wordt je gebeld") rather than "your" ("wordt je
/// meter vervangen")? A possessive is followed by a noun; a subject by anything else.
fn je_is_subject(next: Option<&str>) -> bool {
    let Some(w) = next else { return true };
    let participle = w.len() >= 5
        && ["ge", "be", "ver", "ont", "her", "teruggebeld", "terug"]
            .iter()
            .any(|p| w.starts_with(p))
        && (w.ends_with('d') || w.ends_with('t') || w.ends_with("en"))
        && !matches!(
            w,
            "geld" | "gebied" | "gebruik" | "bericht" | "verbruik" | "verhaal" | "gezin" | "gesprek"
        );
    participle || listed(AFTER_SUBJECT_JE, w)
}

/// Words that follow a subject *je* but never a possessive one (which takes a noun).
const AFTER_SUBJECT_JE: &str =
    "het dat dit die er nog ook niet wel al morgen vandaag dan even snel zo toch misschien eigenlijk nu \
    hier daar mij me ons hem haar ze zelf deze de een liever graag straks later altijd nooit echt wat \
    hoe op in aan bij met voor naar om tevreden blij";

/// Whether `w` is one of the space-separated words of `list`.
fn listed(list: &str, w: &str) -> bool {
    list.split_whitespace().any(|x| x == w)
}

/// Real-word mistakes in a Dutch text.
pub fn check_grammar(text: &str) -> Vec<GrammarIssue> {
    check_in(&tokenize(text))
}

pub(crate) fn check_in(tokens: &[Token<'_>]) -> Vec<GrammarIssue> {
    let words = words(tokens);
    let mut issues = Vec::new();
    for i in 0..words.len() {
        d_stem_rule(&words, i, &mut issues);
        inversion_rule(&words, i, &mut issues);
        participle_rule(&words, i, &mut issues);
        hun_rule(&words, i, &mut issues);
        comparative_rule(&words, i, &mut issues);
    }
    issues.sort_by_key(|issue| issue.start);
    issues.dedup_by_key(|issue| issue.start);
    issues
}

fn words<'a>(tokens: &'a [Token<'a>]) -> Vec<Word<'a>> {
    let mut out: Vec<Word<'a>> = Vec::new();
    let mut clause = 0usize;
    let mut segment = 0usize;
    let mut sentence_start = true;
    let mut clause_start = true;
    for token in tokens {
        if token.ends_clause() {
            clause += 1;
            segment += 1;
            clause_start = true;
            sentence_start |= token.ends_sentence();
            continue;
        }
        if token.kind != TokenKind::Word && token.kind != TokenKind::Number {
            continue;
        }
        let lower = token.text.to_lowercase();
        if !clause_start && opens_clause(&lower) {
            clause += 1;
            clause_start = true;
        }
        out.push(Word {
            token,
            lower,
            clause,
            segment,
            sentence_start,
            clause_start,
        });
        sentence_start = false;
        clause_start = false;
    }
    out
}

fn issue(word: &Word<'_>, suggestion: &str, message: &str, rule: &'static str) -> GrammarIssue {
    GrammarIssue {
        start: word.token.start,
        end: word.token.end,
        message: message.to_string(),
        suggestion: match_case(word.token.text, suggestion),
        rule,
    }
}

fn match_case(original: &str, suggestion: &str) -> String {
    if original.chars().next().is_some_and(char::is_uppercase) {
        let mut c = suggestion.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect())
            .unwrap_or_default()
    } else {
        suggestion.to_string()
    }
}

/// d/t with stems in -d. The present tense is stem + t, except with *ik* (ik word) and when
/// *je/jij* follows the verb (word je, vind jij); an imperative is the bare stem (Houd er
/// rekening mee). So "wordt" right after *ik* or before *ik/jij/je* (subject) loses its t, and
/// a bare "word" with any other subject (het, u, uw aanvraag, jij before the verb) needs it.
fn d_stem_rule(words: &[Word<'_>], i: usize, issues: &mut Vec<GrammarIssue>) {
    let w = &words[i];
    let next = words
        .get(i + 1)
        .filter(|n| n.clause == w.clause)
        .map(|n| n.lower.as_str());
    let prev = i
        .checked_sub(1)
        .map(|p| &words[p])
        .filter(|p| p.clause == w.clause)
        .map(|p| p.lower.as_str());
    if let Some(stem) = w.lower.strip_suffix('t').filter(|s| D_STEMS.contains(s)) {
        let inverted_je = next == Some("je") && je_is_subject(words.get(i + 2).map(|n| n.lower.as_str()));
        if prev == Some("ik") || matches!(next, Some("ik" | "jij")) || inverted_je {
            issues.push(issue(
                w,
                stem,
                "Na 'ik' en vóór 'je/jij' schrijf je alleen de stam, zonder t.",
                "dt-stem",
            ));
        }
        return;
    }
    if !D_STEMS.contains(&w.lower.as_str()) {
        return;
    }
    let ik_before = words[..i]
        .iter()
        .rev()
        .take_while(|p| p.clause == w.clause)
        .any(|p| p.lower == "ik");
    let inverted = matches!(next, Some("ik" | "je" | "jij"));
    let imperative = w.sentence_start && next != Some("u");
    let plural = matches!(prev, Some("wij" | "we" | "jullie" | "zij"));
    if !(ik_before || inverted || imperative || plural) {
        let with_t = format!("{}t", w.lower);
        issues.push(issue(
            w,
            &with_t,
            "Hier hoort stam + t: het onderwerp is geen 'ik' en staat niet achter het werkwoord.",
            "dt-stem-t",
        ));
    }
}

/// Inversion with *je/jij* drops the t ("kun je", "heb jij"); *u* keeps it ("hebt u"); *ik*
/// never takes it ("ik heb", not "ik heeft").
fn inversion_rule(words: &[Word<'_>], i: usize, issues: &mut Vec<GrammarIssue>) {
    let w = &words[i];
    let next = words
        .get(i + 1)
        .filter(|n| n.clause == w.clause)
        .map(|n| n.lower.as_str());
    let prev = i
        .checked_sub(1)
        .map(|p| &words[p])
        .filter(|p| p.clause == w.clause)
        .map(|p| p.lower.as_str());
    if let Some((_, stem)) = T_FORMS.iter().find(|(t, _)| *t == w.lower) {
        let inverted_je = next == Some("je") && je_is_subject(words.get(i + 2).map(|n| n.lower.as_str()));
        if next == Some("jij") || inverted_je {
            issues.push(issue(
                w,
                stem,
                "Als 'je' of 'jij' achter het werkwoord staat, vervalt de t.",
                "inversion-je",
            ));
        } else if prev == Some("ik") {
            let first_person = match *stem {
                "kun" => "kan",
                other => other,
            };
            issues.push(issue(
                w,
                first_person,
                "Bij 'ik' hoort de ik-vorm van het werkwoord.",
                "ik-form",
            ));
        }
        return;
    }
    let with_u = match w.lower.as_str() {
        "heb" => "hebt",
        "ben" => "bent",
        "kun" => "kunt",
        "wil" => "wilt",
        _ => return,
    };
    let opens = w.clause_start || prev.is_some_and(|p| matches!(p, "wanneer" | "waarom" | "hoe" | "wat" | "waar"));
    if next == Some("u") && opens {
        issues.push(issue(
            w,
            with_u,
            "Bij 'u' hoort de vorm met t, ook als 'u' achter het werkwoord staat.",
            "inversion-u",
        ));
    }
}

/// A past participle goes with an auxiliary (is, heeft, wordt …) in its clause; without one,
/// the clause needs the finite verb. "Wat is er gebeurt" → gebeurd, "Dit gebeurd vaak" →
/// gebeurt. The finite reading is only claimed when a subject precedes the verb, so elliptic
/// replies ("Al betaald!") stay silent.
fn participle_rule(words: &[Word<'_>], i: usize, issues: &mut Vec<GrammarIssue>) {
    let w = &words[i];
    let Some((participle, finite)) = PARTICIPLE_PAIRS.iter().find(|(p, f)| *p == w.lower || *f == w.lower) else {
        return;
    };
    let clause: Vec<&Word<'_>> = words.iter().filter(|o| o.clause == w.clause).collect();
    let has_auxiliary = clause.iter().any(|o| !std::ptr::eq(*o, w) && is_auxiliary(&o.lower));
    if w.lower == *finite && has_auxiliary {
        issues.push(issue(
            w,
            participle,
            "Met een hulpwerkwoord (is, heeft, wordt) hoort hier het voltooid deelwoord.",
            "participle",
        ));
    } else if w.lower == *participle && !has_auxiliary && *participle != "ontvangen" {
        let subject_before = words[..i]
            .iter()
            .rev()
            .take_while(|p| p.clause == w.clause)
            .any(|p| starts_subject(&p.lower));
        if subject_before {
            issues.push(issue(
                w,
                finite,
                "Zonder hulpwerkwoord is dit de persoonsvorm: stam + t.",
                "finite",
            ));
        }
    }
}

/// *Hun* is an object or possessive form; as the subject of a finite verb it must be *zij*.
/// Only claimed at the start of a clause, right before a plural finite verb.
fn hun_rule(words: &[Word<'_>], i: usize, issues: &mut Vec<GrammarIssue>) {
    let w = &words[i];
    if w.lower != "hun" {
        return;
    }
    let after_conjunction = i.checked_sub(1).is_some_and(|p| {
        let p = &words[p];
        p.segment == w.segment
            && (matches!(p.lower.as_str(), "en" | "maar" | "want" | "dus" | "dan") || opens_clause(&p.lower))
    });
    let at_start = w.clause_start || after_conjunction;
    let next = words.get(i + 1).filter(|n| n.clause == w.clause);
    if at_start && next.is_some_and(|n| is_plural_finite(&n.lower)) {
        issues.push(issue(
            w,
            "zij",
            "'Hun' kan geen onderwerp zijn: gebruik 'zij'.",
            "hun-zij",
        ));
    }
}

/// After a comparative of inequality the comparison is made with *dan* ("hoger dan vorig
/// jaar"); *als* is for equality (even hoog als). An *als* followed by a subject opens a
/// conditional clause ("beter als je belt") and is left alone.
fn comparative_rule(words: &[Word<'_>], i: usize, issues: &mut Vec<GrammarIssue>) {
    let w = &words[i];
    if w.lower != "als" {
        return;
    }
    let comparative_before = words[..i]
        .iter()
        .rev()
        .take(4)
        .take_while(|p| p.segment == w.segment)
        .any(|p| is_comparative(&p.lower));
    let next = words.get(i + 1).map(|n| n.lower.as_str());
    if comparative_before && !next.is_some_and(starts_subject) && !matches!(next, Some("ik" | "je")) {
        issues.push(issue(
            w,
            "dan",
            "Na een vergrotende trap (hoger, meer) vergelijk je met 'dan'.",
            "als-dan",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixes(text: &str) -> Vec<(String, String)> {
        let chars: Vec<char> = text.chars().collect();
        check_grammar(text)
            .into_iter()
            .map(|i| (chars[i.start..i.end].iter().collect(), i.suggestion))
            .collect()
    }

    fn fix(wrong: &str, right: &str) -> Vec<(String, String)> {
        vec![(wrong.to_string(), right.to_string())]
    }

    #[test]
    fn a_third_person_subject_needs_stem_plus_t() {
        assert_eq!(fixes("Uw aanvraag word verwerkt."), fix("word", "wordt"));
        assert_eq!(fixes("Als u het formulier niet vind, bel ons."), fix("vind", "vindt"));
    }

    #[test]
    fn ik_and_inverted_je_take_the_bare_stem() {
        assert_eq!(fixes("Ik wordt er gek van."), fix("wordt", "word"));
        assert_eq!(fixes("Wordt je gebeld door de monteur?"), fix("Wordt", "Word"));
        assert_eq!(fixes("Kunt je mij helpen?"), fix("Kunt", "Kun"));
        assert_eq!(fixes("Ik heeft al gebeld."), fix("heeft", "heb"));
    }

    #[test]
    fn a_possessive_je_and_a_formal_u_keep_the_t() {
        assert!(fixes("Wordt je meter ook vervangen?").is_empty());
        assert!(fixes("Heeft u het ontvangen?").is_empty());
        assert!(fixes("Wordt u morgen gebeld?").is_empty());
        assert!(fixes("Wanneer word ik gebeld? Houd er rekening mee.").is_empty());
        assert_eq!(fixes("Heb u de stand doorgegeven?"), fix("Heb", "Hebt"));
    }

    #[test]
    fn participle_with_an_auxiliary_finite_verb_without() {
        assert_eq!(fixes("Wat is er gebeurt?"), fix("gebeurt", "gebeurd"));
        assert_eq!(fixes("Dit gebeurd elke week."), fix("gebeurd", "gebeurt"));
        assert!(fixes("Wat is er gebeurd? Dat gebeurt vaker.").is_empty());
        assert!(fixes("Al betaald!").is_empty());
    }

    #[test]
    fn hun_is_no_subject_and_comparatives_take_dan() {
        assert_eq!(fixes("Hun hebben beloofd te bellen."), fix("Hun", "Zij"));
        assert!(fixes("Wij hebben hun gebeld.").is_empty());
        assert_eq!(fixes("Mijn rekening is hoger als vorig jaar."), fix("als", "dan"));
        assert!(fixes("Het is beter als je zelf belt.").is_empty());
    }
}
