//! The words that [`super::names`] reads around a person's name: the cues that introduce one
//! ("mijn vrouw", "meneer", "ik ben", "groetjes"), surname prefixes, and the capitalised words
//! that are never a person (weekdays, months, holidays, places webcare sees a lot, brands and
//! capitalised function words). Plus the name lexicon: the proper names of the embedded
//! OpenTaal dictionary (entries with the possessive flag `PN`), without its places (entries
//! with an inhabitant flag `PI`/`PK`), read once on first use.
//!
//! Every list is lower case; callers compare lower-cased words.

use std::collections::HashSet;
use std::sync::OnceLock;

/// Family and other relations after which a capitalised word is a name ("mijn vrouw
/// Annelies", "buurman Henk", "my wife Sarah"), and roles a customer names people by.
#[rustfmt::skip]
const RELATIONS: &[&str] = &[
    "vrouw", "man", "partner", "vriend", "vriendin", "vriendje", "vriendinnetje", "echtgenoot", "echtgenote",
    "verloofde", "zoon", "zoontje", "dochter", "dochtertje", "kind", "moeder", "vader", "mama", "papa", "mam",
    "pap", "ma", "pa", "oma", "opa", "broer", "broertje", "zus", "zusje", "zuster", "neef", "nicht", "oom",
    "tante", "buurman", "buurvrouw", "buurjongen", "buurmeisje", "collega", "schoonmoeder", "schoonvader",
    "schoonzoon", "schoondochter", "schoonzus", "zwager", "stiefvader", "stiefmoeder", "stiefzoon",
    "stiefdochter", "kleinzoon", "kleindochter", "huisgenoot", "huisgenote", "huisbaas", "verhuurder",
    "verhuurster", "baas", "leidinggevende", "monteur", "medewerker", "medewerkster", "contactpersoon", "wife",
    "husband", "boyfriend", "girlfriend", "friend", "son", "daughter", "mother", "father", "mom", "mum", "dad",
    "brother", "sister", "neighbour", "neighbor", "colleague", "grandma", "grandpa", "uncle", "aunt",
    "landlord",
];

/// Titles and forms of address before a (sur)name; a surname prefix may follow them
/// ("mevrouw van den Berg", "dhr. J.P. van den Berg", "fam. de Graaf").
#[rustfmt::skip]
const TITLES: &[&str] = &[
    "meneer", "mevrouw", "mevr", "mw", "mvr", "dhr", "hr", "heer", "juffrouw", "juf", "meester", "fam",
    "familie", "mr", "mrs", "ms", "miss", "dr", "ir", "ing", "drs", "prof",
];

/// Sign-offs after which a name ends a message ("Groetjes, Linda", "Gr. Marcel").
#[rustfmt::skip]
const SIGN_OFFS: &[&str] = &[
    "groet", "groeten", "groetjes", "gr", "grt", "grtz", "grts", "mvg", "mvrgr", "liefs", "doei", "dag",
    "regards", "cheers", "thanks", "best", "bedankt",
];

/// Greetings before a name ("Hoi Sanne", "Beste Pieter").
#[rustfmt::skip]
const GREETINGS: &[&str] = &[
    "hoi", "hallo", "hey", "hi", "hello", "beste", "lieve", "dear", "goedemorgen", "goedemiddag", "goedenavond",
    "geachte",
];

/// Surname prefixes ("tussenvoegsels"), also in their capitalised form after a title.
#[rustfmt::skip]
const PARTICLES: &[&str] = &[
    "van", "de", "der", "den", "het", "'t", "’t", "ter", "ten", "te", "la", "le", "du", "da", "di", "del",
    "della", "dos", "el", "al", "von", "zu", "vd", "v",
];

/// Capitalised words that never start or continue a person's name: function words, sign-off
/// and greeting words, weekdays, months, holidays and a few webcare words.
#[rustfmt::skip]
const NEVER: &[&str] = &[
    // Function words and pronouns.
    "ik", "je", "jij", "u", "uw", "wij", "we", "zij", "ze", "hij", "het", "een", "dit", "dat", "die", "deze",
    "en", "of", "maar", "want", "dus", "als", "met", "voor", "op", "in", "aan", "bij", "naar", "om", "over",
    "uit", "na", "tot", "sinds", "mijn", "m'n", "onze", "ons", "jullie", "hun", "haar", "zijn", "geen", "niet",
    "wel", "ook", "nog", "al", "er", "hier", "daar", "wat", "wie", "waar", "wanneer", "hoe", "waarom", "ja",
    "nee", "oké", "ok", "is", "ben", "was", "i", "my", "the", "a", "and", "or", "to", "of", "you", "we", "it",
    "this", "that", "please", "thanks", "thank", "hi", "hello", "dear", "regards", "cheers", "ich", "sie",
    "ihnen", "wir",
    // Greetings, thanks and sign-offs.
    "hoi", "hallo", "hey", "beste", "lieve", "geachte", "goedemorgen", "goedemiddag", "goedenavond", "groet",
    "groeten", "groetjes", "gr", "mvg", "vriendelijke", "hartelijke", "liefs", "dank", "bedankt", "alvast",
    "graag", "sorry", "help", "team", "klantenservice", "webcare", "afdeling",
    // Weekdays, months, holidays.
    "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday", "januari", "februari", "maart", "april", "mei",
    "juni", "juli", "augustus", "september", "oktober", "november", "december", "january", "february", "march",
    "june", "july", "august", "october", "kerst", "kerstmis", "pasen", "pinksteren", "hemelvaart",
    "hemelvaartsdag", "koningsdag", "bevrijdingsdag", "sinterklaas", "oudjaar", "nieuwjaar", "oud", "nieuw",
    "christmas", "easter", "ramadan", "suikerfeest", "offerfeest",
];

/// Places webcare sees a lot (the dictionary marks most towns, not all): cities, provinces,
/// regions and countries. Their inhabitant-flagged entries come from the dictionary too.
#[rustfmt::skip]
const PLACES: &[&str] = &[
    "nederland", "holland", "belgië", "belgie", "vlaanderen", "duitsland", "frankrijk", "engeland", "europa",
    "turkije", "marokko", "suriname", "polen", "spanje", "amsterdam", "rotterdam", "utrecht", "haag",
    "den haag", "eindhoven", "groningen", "tilburg", "almere", "breda", "nijmegen", "apeldoorn", "arnhem",
    "haarlem", "enschede", "amersfoort", "zaanstad", "zaandam", "bosch", "den bosch", "hertogenbosch", "zwolle",
    "leiden", "leeuwarden", "maastricht", "dordrecht", "zoetermeer", "delft", "deventer", "alkmaar", "venlo",
    "helmond", "hilversum", "heerlen", "oss", "amstelveen", "zeist", "gouda", "hoorn", "ede", "emmen", "assen",
    "lelystad", "purmerend", "schiedam", "vlaardingen", "rijswijk", "nieuwegein", "houten", "veenendaal",
    "roosendaal", "bergen", "zoom", "middelburg", "vlissingen", "goes", "terneuzen", "ijmuiden", "naarden",
    "drenthe", "friesland", "fryslân", "overijssel", "gelderland", "flevoland", "zeeland", "brabant",
    "noord-brabant", "limburg", "noord-holland", "zuid-holland", "randstad", "veluwe", "twente", "achterhoek",
    "noord", "zuid", "oost", "west", "centrum", "centraal", "london", "londen", "brussel", "antwerpen", "gent",
    "berlijn", "parijs",
];

/// Brands and companies that appear capitalised in webcare messages.
#[rustfmt::skip]
const BRANDS: &[&str] = &[
    "stroomwijs", "zonnestroom", "eneco", "essent", "vattenfall", "greenchoice", "vandebron", "budget",
    "energiedirect", "engie", "oxxio", "innova", "stedin", "liander", "enexis", "tennet", "ziggo", "kpn",
    "odido", "vodafone", "t-mobile", "google", "apple", "iphone", "samsung", "android", "tesla", "philips",
    "whatsapp", "facebook", "instagram", "twitter", "microsoft", "outlook", "gmail", "hotmail", "ideal",
    "heijn", "jumbo", "lidl", "aldi", "bol", "coolblue", "postnl", "dhl", "ns", "rabobank", "abn", "amro",
    "bunq", "triodos", "sns", "asn", "digid", "home", "nest", "tado", "quatt", "app", "nos", "rtl", "ikea",
    "gamma", "praxis", "karwei", "hema", "action", "kruidvat", "hubert",
];

/// Brands of two words whose first word is also a first name ("Albert Heijn").
const BRAND_PAIRS: &[(&str, &str)] = &[("albert", "heijn"), ("marie", "claire"), ("hugo", "boss")];

/// The lists as sets, built on first use.
struct Lists {
    relations: HashSet<&'static str>,
    titles: HashSet<&'static str>,
    sign_offs: HashSet<&'static str>,
    greetings: HashSet<&'static str>,
    particles: HashSet<&'static str>,
    never: HashSet<&'static str>,
    places: HashSet<&'static str>,
    /// Every word that can end a cue: the first check on each token.
    cues: HashSet<&'static str>,
}

/// Words of cues besides relations, titles, sign-offs and greetings.
const OTHER_CUES: &[&str] = &[
    "heet", "namens", "tnv", "tav", "im", "i'm", "ben", "am", "is", "met", "with",
];

static LISTS: OnceLock<Lists> = OnceLock::new();

fn lists() -> &'static Lists {
    LISTS.get_or_init(|| {
        let set = |words: &[&'static str]| words.iter().copied().collect::<HashSet<_>>();
        Lists {
            relations: set(RELATIONS),
            titles: set(TITLES),
            sign_offs: set(SIGN_OFFS),
            greetings: set(GREETINGS),
            particles: set(PARTICLES),
            never: NEVER.iter().chain(PLACES).chain(BRANDS).copied().collect(),
            places: set(PLACES),
            cues: [RELATIONS, TITLES, SIGN_OFFS, GREETINGS, OTHER_CUES]
                .into_iter()
                .flatten()
                .copied()
                .collect(),
        }
    })
}

/// A word that may end a cue before a name (the cheap first check).
pub(super) fn is_cue_word(lower: &str) -> bool {
    lists().cues.contains(lower)
}

pub(super) fn is_relation(lower: &str) -> bool {
    lists().relations.contains(lower)
}

pub(super) fn is_title(lower: &str) -> bool {
    lists().titles.contains(lower)
}

pub(super) fn is_sign_off(lower: &str) -> bool {
    lists().sign_offs.contains(lower)
}

pub(super) fn is_greeting(lower: &str) -> bool {
    lists().greetings.contains(lower)
}

pub(super) fn is_particle(lower: &str) -> bool {
    lists().particles.contains(lower)
}

/// A capitalised word that is never (part of) a person's name.
pub(super) fn is_never_a_name(lower: &str) -> bool {
    lists().never.contains(lower)
}

/// Whether `first second` is a brand of two words.
pub(super) fn is_brand_pair(first: &str, second: &str) -> bool {
    BRAND_PAIRS.iter().any(|&(a, b)| a == first && b == second)
}

/// Proper names and places of the embedded dictionary.
struct Lexicon {
    names: HashSet<&'static str>,
    places: HashSet<&'static str>,
}

static LEXICON: OnceLock<Lexicon> = OnceLock::new();

fn lexicon() -> &'static Lexicon {
    LEXICON.get_or_init(|| {
        let mut names = HashSet::new();
        let mut places = HashSet::new();
        for line in super::spelling::DICTIONARY_WORDS.lines() {
            if !line.starts_with(|c: char| c.is_uppercase()) {
                continue;
            }
            let (word, flags) = line.split_once('/').unwrap_or((line, ""));
            // Flags are two characters each: "PNSvPI" is PN, Sv, PI.
            let has = |flag: &str| flags.as_bytes().chunks(2).any(|f| f == flag.as_bytes());
            if has("PI") || has("PK") {
                places.insert(word);
            } else if has("PN") {
                names.insert(word);
            }
        }
        Lexicon { names, places }
    })
}

/// Whether `word` (capitalised as a name: "Annelies", "Jansen") is a person's name in the
/// dictionary and not a place.
pub(super) fn is_known_name(word: &str) -> bool {
    let lexicon = lexicon();
    lexicon.names.contains(word) && !lexicon.places.contains(word)
}

/// Whether `word` (capitalised) is a town or country the dictionary knows, or one of ours.
pub(super) fn is_place(word: &str) -> bool {
    lexicon().places.contains(word) || lists().places.contains(super::tokens::lower(word).as_ref())
}

/// `word` with its first letter in upper case and the rest as written ("annelies" → "Annelies").
pub(super) fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lexicon_knows_people_and_keeps_towns_apart() {
        for name in ["Annelies", "Pieter", "Jansen", "Karin", "Roos"] {
            assert!(is_known_name(name), "{name}");
        }
        for place in ["Utrecht", "Amsterdam", "Zeist", "Rotterdam"] {
            assert!(!is_known_name(place) && is_place(place), "{place}");
        }
        assert!(is_place("Den Haag") && is_place("Nederland"));
    }

    #[test]
    fn lists_are_lower_case() {
        for list in [
            RELATIONS, TITLES, SIGN_OFFS, GREETINGS, PARTICLES, NEVER, PLACES, BRANDS,
        ] {
            for w in list {
                assert_eq!(*w, w.to_lowercase(), "{w}");
            }
        }
        assert_eq!(capitalised("annelies"), "Annelies");
    }
}
