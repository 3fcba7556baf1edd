//! Language of short social messages: Dutch, English, German, French, Turkish, Arabic, Polish
//! or "unknown". Scores function words and letters peculiar to a language; a message that gives
//! no clear winner is unknown, and callers fall back to the profile's language.
//!
//! Short posts defeat statistical n-gram models, but they nearly always contain a few function
//! words ("de", "het", "je", "the", "ich", "je", "bir"); that is what this counts.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::tokens::{tokenize, Token, TokenKind};

/// A language Hubert recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Nl,
    En,
    De,
    Fr,
    Tr,
    Ar,
    Pl,
    Unknown,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::Nl => "nl",
            Language::En => "en",
            Language::De => "de",
            Language::Fr => "fr",
            Language::Tr => "tr",
            Language::Ar => "ar",
            Language::Pl => "pl",
            Language::Unknown => "unknown",
        }
    }

    /// Parse an ISO 639-1 code ("nl", "en-GB" → en); anything else is unknown.
    pub fn from_code(code: &str) -> Language {
        match code.get(..2).map(str::to_ascii_lowercase).as_deref() {
            Some("nl") => Language::Nl,
            Some("en") => Language::En,
            Some("de") => Language::De,
            Some("fr") => Language::Fr,
            Some("tr") => Language::Tr,
            Some("ar") => Language::Ar,
            Some("pl") => Language::Pl,
            _ => Language::Unknown,
        }
    }
}

const SCORED: [Language; 6] = [
    Language::Nl,
    Language::En,
    Language::De,
    Language::Fr,
    Language::Tr,
    Language::Pl,
];

/// The language of `text`, or `Unknown` when the evidence is thin or split.
pub fn detect_language(text: &str) -> Language {
    detect_in(text, &tokenize(text))
}

/// The language of `text`, or `fallback` (the profile's language) when unsure.
pub fn detect_language_or(text: &str, fallback: Language) -> Language {
    match detect_language(text) {
        Language::Unknown => fallback,
        found => found,
    }
}

pub(crate) fn detect_in(text: &str, tokens: &[Token<'_>]) -> Language {
    let mut letters = 0usize;
    let mut arabic = 0usize;
    let mut scores = [0f32; 6];
    for c in text.chars() {
        if c.is_alphabetic() {
            letters += 1;
            if ('\u{0600}'..='\u{06FF}').contains(&c) {
                arabic += 1;
            }
            letter_cue(c, &mut scores);
        }
    }
    if letters > 0 && arabic * 2 >= letters {
        return Language::Ar;
    }
    let mut lower = String::new();
    for token in tokens.iter().filter(|t| t.kind == TokenKind::Word) {
        lower.clear();
        lower.extend(
            token
                .text
                .chars()
                .flat_map(char::to_lowercase)
                .map(|c| if c == '’' { '\'' } else { c }),
        );
        let word = lower.as_str();
        if let Some(bits) = function_words().get(word) {
            for (i, score) in scores.iter_mut().enumerate() {
                if bits & (1 << i) != 0 {
                    *score += 1.0;
                }
            }
        }
        if word.contains("ij") && !word.starts_with("ij") {
            scores[0] += 0.5;
        }
    }
    let mut order: Vec<usize> = (0..SCORED.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let (best, second) = (scores[order[0]], scores[order[1]]);
    if best >= 1.0 && best >= second * 1.5 + 0.1 {
        SCORED[order[0]]
    } else {
        Language::Unknown
    }
}

/// Letters that only some of the languages use.
fn letter_cue(c: char, scores: &mut [f32; 6]) {
    match c {
        'ı' | 'ğ' | 'ş' | 'İ' | 'Ş' | 'Ğ' => scores[4] += 1.5,
        'ą' | 'ę' | 'ł' | 'ń' | 'ś' | 'ź' | 'ż' | 'Ł' | 'Ś' | 'Ż' => scores[5] += 1.5,
        'ß' | 'ä' | 'Ä' => scores[2] += 1.0,
        'ç' => {
            scores[3] += 0.5;
            scores[4] += 0.5
        }
        'è' | 'ê' | 'à' | 'â' | 'î' | 'ô' | 'û' | 'œ' => scores[3] += 0.5,
        _ => {}
    }
}

/// Each language's function words, with a bit per language (in `SCORED` order).
fn function_words() -> &'static HashMap<&'static str, u8> {
    static WORDS: OnceLock<HashMap<&'static str, u8>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut map: HashMap<&'static str, u8> = HashMap::new();
        for (bit, list) in [NL, EN, DE, FR, TR, PL].iter().enumerate() {
            for word in list.split_whitespace() {
                *map.entry(word).or_default() |= 1 << bit;
            }
        }
        map
    })
}

const NL: &str = "de het een en van ik je jij is dat niet op te in met voor er zijn maar als wat mijn u uw ze al nog \
    geen wel ook kan kun kunt om heb heeft hebben bij of naar dan door hoe wanneer waarom deze dit die \
    was we wij jullie ben bent wordt word worden mij me zo nu even graag dank bedankt hoi hallo meer \
    moet weer sinds toch echt heel erg nooit niks niets waar welke wie goed stroom storing meter \
    meterstand monteur gas uur vandaag morgen gisteren weken jaar maand ge gij hebt zit gaat komt doen \
    vraag helpen geholpen bellen gebeld bericht tarief verbruik jaarafrekening factuur merci geachte \
    groet goedemiddag goedemorgen hierbij ons onze hem haar hun";
const EN: &str = "the a an and of to in is it you i my me your for on with at be have has been was are not no can \
    can't don't do does will would this that what when where why how please thanks thank hi hello there \
    any just still so very really great good bad from about our we they us its it's i'm power bill help \
    u since again up out happy waiting service find dear regards kind much all love did go went nobody \
    ever";
const DE: &str = "der die das und ist nicht ich sie wir ein eine einen meiner meine mein meinen haben habe hat mit zu \
    von für auf es den dem wie kann können bitte danke vielen seit heute keinen kein strom wann wird \
    wurde sehr frage ihr ihre ihnen schon noch auch aber oder mir mich uns hilfe schnelle guten tag \
    morgen repariert zur zum";
const FR: &str =
    "le la les un une des et est je tu vous nous il elle ce c'est pas ne n'avons n'ai de du pour avec sur \
    dans mon ma mes votre vos merci bonjour s'il plaît comment est-ce que qui quoi depuis plus très \
    beaucoup aide électricité compteur facture adresse voudrais d'électricité j'ai mais ou au aux ça \
    quand matin";
const TR: &str = "bir ve bu için ile mi mı mu mü ne var yok çok ben sen siz bana beni benim sizin merhaba teşekkür \
    teşekkürler ederim nasıl neden zaman gelecek fatura faturam elektrik sabah sabahtan beri hakkında \
    sorum yardımcı olabilir misiniz sayaç da de ama daha hala hâlâ";
const PL: &str = "i w z na nie jest się że to do mam mój moje mojego jak kiedy dzień dobry dziękuję bardzo za od prąd \
    prądu rachunku pytanie mogę stan licznika mamy pomoc czy proszę już ale tak rano";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_dutch_english_and_others_are_recognised() {
        assert_eq!(detect_language("Hoi, is er een storing in Utrecht?"), Language::Nl);
        assert_eq!(
            detect_language("My power has been out since 9am, any update?"),
            Language::En
        );
        assert_eq!(
            detect_language("Seit heute morgen haben wir keinen Strom."),
            Language::De
        );
        assert_eq!(detect_language("Merci beaucoup pour votre aide rapide !"), Language::Fr);
        assert_eq!(
            detect_language("Sabahtan beri elektrik yok, ne zaman gelecek?"),
            Language::Tr
        );
        assert_eq!(detect_language("لا توجد كهرباء في منزلنا منذ الصباح."), Language::Ar);
        assert_eq!(detect_language("Od rana nie mamy prądu."), Language::Pl);
    }

    #[test]
    fn too_little_to_go_on_falls_back_to_the_profile_language() {
        assert_eq!(detect_language("👍👍"), Language::Unknown);
        assert_eq!(detect_language_or("Stroomwijs!", Language::Nl), Language::Nl);
    }
}
