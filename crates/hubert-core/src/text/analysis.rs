//! One call that runs the whole toolkit over a customer's text (and optionally an agent's
//! draft reply): the JSON shapes behind `hubert text analyze` and `POST /api/v1/text/analyze`.

use serde::{Deserialize, Serialize};

use super::grammar::{self, GrammarIssue};
use super::language::{detect_in, Language};
use super::pii::{mask_in, Masked, PiiSpan};
use super::register::{recommend, register_in, Evidence, Register, RegisterReading};
use super::reply::{self, ReplyExpectations, ReplyWarning};
use super::sentiment::{sentiment_in, Sentiment, SentimentReading};
use super::spelling::{self, with_suggestions, Misspelling};
use super::tokens::{tokenize, Token};

/// What to analyse. Only `text` is required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnalyzeRequest {
    /// The customer's message.
    pub text: String,
    /// The agent's draft answer, checked against the customer's register.
    pub reply: Option<String>,
    /// Names the caller knows (the contact's name): masked, and never spelling mistakes.
    pub names: Vec<String>,
    /// The team's house style when the customer gives no cue (default informal).
    pub house_style: Option<Register>,
    /// The team's allow-list: brand and product names the dictionary does not know.
    pub allow: Vec<String>,
    /// The profile's language ("nl", "en" …), used when the text is too short to tell.
    pub language: Option<String>,
    /// Compute up to five suggestions per misspelling (slow; off by default).
    pub suggest: bool,
    /// The customer's first name, when the team wants it in every reply.
    pub first_name: Option<String>,
    /// The agent's signature, when replies are signed.
    pub signature: Option<String>,
}

/// Everything the toolkit says about a text; offsets in characters of the text they refer to
/// (`reply_*` fields: of the reply).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub language: Language,
    pub register: Register,
    pub register_evidence: Vec<Evidence>,
    pub recommended_register: Register,
    pub sentiment: Sentiment,
    pub sentiment_score: f32,
    pub spelling: Vec<Misspelling>,
    pub grammar: Vec<GrammarIssue>,
    pub masked: String,
    pub pii: Vec<PiiSpan>,
    pub reply_warnings: Vec<ReplyWarning>,
    pub reply_spelling: Vec<Misspelling>,
    pub reply_grammar: Vec<GrammarIssue>,
}

/// The fast part of the toolkit, for every message (wallboard, priority, reports): language,
/// register, recommended register, sentiment and masking over one tokenization.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reading {
    pub language: Language,
    pub register: RegisterReading,
    pub recommended_register: Register,
    pub sentiment: SentimentReading,
    pub masked: Masked,
}

/// Read a message: `names` are masked, `house_style` decides the register when the customer
/// gives no cue, `fallback` is the profile's language for texts too short to tell.
pub fn read(text: &str, names: &[&str], house_style: Register, fallback: Language) -> Reading {
    read_in(text, &tokenize(text), names, house_style, fallback)
}

fn read_in(text: &str, tokens: &[Token<'_>], names: &[&str], house_style: Register, fallback: Language) -> Reading {
    let language = match detect_in(text, tokens) {
        Language::Unknown => fallback,
        found => found,
    };
    let register = register_in(tokens, language);
    let recommended_register = recommend(text, tokens, &register, house_style);
    Reading {
        language,
        register,
        recommended_register,
        sentiment: sentiment_in(text, tokens),
        masked: mask_in(text, tokens, names),
    }
}

/// Run the toolkit. Pure; the only cost worth noting is suggestions when `suggest` is set.
pub fn analyze(request: &AnalyzeRequest) -> Analysis {
    let text = request.text.as_str();
    let tokens = tokenize(text);
    let fallback = request
        .language
        .as_deref()
        .map(Language::from_code)
        .unwrap_or(Language::Nl);
    let names: Vec<&str> = request.names.iter().map(String::as_str).collect();
    let house_style = request.house_style.unwrap_or(Register::Informal);
    let Reading {
        language,
        register: reading,
        recommended_register: recommended,
        sentiment,
        masked,
    } = read_in(text, &tokens, &names, house_style, fallback);
    let mut allow: Vec<&str> = request.allow.iter().map(String::as_str).collect();
    allow.extend(names.iter().flat_map(|n| n.split_whitespace()));
    let dutch = language == Language::Nl;
    let (spelling, grammar) = if dutch {
        proofread(&tokens, &allow, &masked.spans, request.suggest)
    } else {
        (Vec::new(), Vec::new())
    };
    let (reply_warnings, reply_spelling, reply_grammar) = match request.reply.as_deref() {
        Some(draft) => {
            let draft_tokens = tokenize(draft);
            let expect = ReplyExpectations {
                first_name: request.first_name.clone(),
                signature: request.signature.clone(),
            };
            let warnings = reply::check_in(draft, &draft_tokens, recommended, &expect);
            let personal = mask_in(draft, &draft_tokens, &names).spans;
            let (spelling, grammar) = proofread(&draft_tokens, &allow, &personal, request.suggest);
            (warnings, spelling, grammar)
        }
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    Analysis {
        language,
        register: reading.register,
        register_evidence: reading.evidence,
        recommended_register: recommended,
        sentiment: sentiment.sentiment,
        sentiment_score: sentiment.score,
        spelling,
        grammar,
        masked: masked.masked,
        pii: masked.spans,
        reply_warnings,
        reply_spelling,
        reply_grammar,
    }
}

fn proofread(
    tokens: &[Token<'_>],
    allow: &[&str],
    personal: &[PiiSpan],
    suggest: bool,
) -> (Vec<Misspelling>, Vec<GrammarIssue>) {
    let found = spelling::check_in(tokens, allow, personal);
    let found = if suggest { with_suggestions(found) } else { found };
    (found, grammar::check_in(tokens))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_message_and_a_draft_in_one_call() {
        let request = AnalyzeRequest {
            text: "Hoi, kun je me bellen op 06-12345678? Groet, Sanne".into(),
            reply: Some("Beste Sanne, wij bellen u morgen. Uw aanvraag word verwerkt.".into()),
            names: vec!["Sanne".into()],
            ..AnalyzeRequest::default()
        };
        let analysis = analyze(&request);
        assert_eq!(analysis.language, Language::Nl);
        assert_eq!(analysis.register, Register::Informal);
        assert_eq!(analysis.recommended_register, Register::Informal);
        assert_eq!(analysis.masked, "Hoi, kun je me bellen op [telefoon]? Groet, [naam]");
        assert_eq!(analysis.reply_warnings.len(), 2);
        assert_eq!(analysis.reply_grammar[0].suggestion, "wordt");
        assert!(analysis.spelling.is_empty());
    }

    #[test]
    fn the_json_shape_has_the_documented_fields() {
        let json = serde_json::to_value(analyze(&AnalyzeRequest {
            text: "Top geholpen!".into(),
            ..Default::default()
        }))
        .unwrap();
        for field in [
            "language",
            "register",
            "recommended_register",
            "reply_warnings",
            "spelling",
            "grammar",
            "sentiment",
            "masked",
            "pii",
        ] {
            assert!(json.get(field).is_some(), "{field}");
        }
        assert_eq!(json["sentiment"], "positive");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        #[test]
        fn any_text_gives_spans_inside_it(text in "(\\PC|[0-9 +()-]|u |je |[A-Z]{2}){0,80}") {
            let request = AnalyzeRequest { text: text.clone(), reply: Some(text.clone()), names: vec!["Jan".into()], ..Default::default() };
            let a = analyze(&request);
            let n = text.chars().count();
            for (start, end) in a.pii.iter().map(|p| (p.start, p.end))
                .chain(a.spelling.iter().map(|m| (m.start, m.end)))
                .chain(a.grammar.iter().map(|g| (g.start, g.end)))
                .chain(a.register_evidence.iter().map(|e| (e.start, e.end)))
            {
                proptest::prop_assert!(start <= end && end <= n, "{start}..{end} in {n}");
            }
        }
    }
}
