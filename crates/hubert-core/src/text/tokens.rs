//! A small tokenizer shared by every text tool: words, numbers, URLs, e-mail addresses,
//! @handles, #hashtags, emoji and punctuation, each with its offsets in characters (Unicode
//! scalar values) and in bytes, and whether it stands inside a quotation.
//!
//! Hand-written rather than regex-based: one pass over the text, no allocation per token.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Letters, with inner hyphens or apostrophes ("u-bocht", "auto's", "m'n").
    Word,
    /// Digits, possibly with letters ("12a", "3e", "9am").
    Number,
    Url,
    Email,
    Handle,
    Hashtag,
    Emoji,
    /// Any other single character that is not whitespace.
    Punct,
}

/// One token of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    pub kind: TokenKind,
    pub text: &'a str,
    /// Character offsets: `start..end`.
    pub start: usize,
    pub end: usize,
    /// Byte offsets into the text.
    pub byte_start: usize,
    pub byte_end: usize,
    /// Inside "quotes", 'quotes' or a line that starts with `>`.
    pub quoted: bool,
}

impl Token<'_> {
    pub fn is_word(&self) -> bool {
        self.kind == TokenKind::Word
    }

    /// Ends a sentence: `.`, `!`, `?` or a line break was folded into it.
    pub fn ends_sentence(&self) -> bool {
        self.kind == TokenKind::Punct && matches!(self.text, "." | "!" | "?" | "…" | "\n")
    }

    /// Ends a clause: sentence ends plus `,`, `;`, `:`, dashes and brackets.
    pub fn ends_clause(&self) -> bool {
        self.ends_sentence()
            || (self.kind == TokenKind::Punct && matches!(self.text, "," | ";" | ":" | "–" | "—" | "(" | ")"))
    }
}

/// `s` in lower case, allocating only when it has a capital.
pub fn lower(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(char::is_uppercase) {
        std::borrow::Cow::Owned(s.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Emoji and pictographs (the ranges that matter for social posts).
pub fn is_emoji(c: char) -> bool {
    matches!(c as u32, 0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0x2190..=0x21FF | 0x2300..=0x23FF)
}

/// Split `text` into tokens. Line breaks come out as a `Punct` token `"\n"` so that sentence
/// logic sees them.
pub fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::with_capacity(text.len() / 4);
    let mut byte = 0usize;
    let mut chars = 0usize;
    let mut in_double = false;
    let mut in_single = false;
    let mut line_quoted = false;
    let mut at_line_start = true;
    while byte < text.len() {
        let c = text[byte..].chars().next().expect("in bounds");
        if c == '\n' {
            tokens.push(make(text, TokenKind::Punct, byte, byte + 1, chars, chars + 1, false));
            byte += 1;
            chars += 1;
            line_quoted = false;
            at_line_start = true;
            in_single = false;
            continue;
        }
        if c.is_whitespace() {
            byte += c.len_utf8();
            chars += 1;
            continue;
        }
        if at_line_start && c == '>' {
            line_quoted = true;
        }
        at_line_start = false;
        // Quotes toggle the quoted state; an apostrophe inside a word never gets here.
        if matches!(c, '"' | '“' | '”' | '„') {
            in_double = match c {
                '“' | '„' => true,
                '”' => false,
                _ => !in_double,
            };
            let len = c.len_utf8();
            tokens.push(make(text, TokenKind::Punct, byte, byte + len, chars, chars + 1, false));
            byte += len;
            chars += 1;
            continue;
        }
        if matches!(c, '\'' | '‘' | '’') {
            // A lone quote mark (an apostrophe inside a word never gets here): opening before a
            // word, closing after one; "'s avonds" and "'t" are elisions, not quotes.
            let len = c.len_utf8();
            let after = &text[byte + len..];
            let prev_space = byte == 0 || prev_char(text, byte).is_whitespace();
            let next_alpha = after.chars().next().is_some_and(char::is_alphabetic);
            if prev_space && next_alpha && !starts_elision(after) {
                in_single = true;
            } else if !prev_space && !next_alpha {
                in_single = false;
            }
            tokens.push(make(text, TokenKind::Punct, byte, byte + len, chars, chars + 1, false));
            byte += len;
            chars += 1;
            continue;
        }
        let quoted = in_double || in_single || line_quoted;
        let (kind, len) = scan(&text[byte..], byte == 0 || !is_word_char(prev_char(text, byte)));
        let n_chars = text[byte..byte + len].chars().count();
        tokens.push(make(text, kind, byte, byte + len, chars, chars + n_chars, quoted));
        byte += len;
        chars += n_chars;
    }
    tokens
}

fn starts_elision(rest: &str) -> bool {
    let lower: String = rest.chars().take(3).flat_map(char::to_lowercase).collect();
    lower.starts_with("t ") || lower.starts_with("s ") || lower == "t" || lower == "s"
}

fn prev_char(text: &str, byte: usize) -> char {
    text[..byte].chars().next_back().unwrap_or(' ')
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn make(text: &str, kind: TokenKind, bs: usize, be: usize, cs: usize, ce: usize, quoted: bool) -> Token<'_> {
    Token {
        kind,
        text: &text[bs..be],
        start: cs,
        end: ce,
        byte_start: bs,
        byte_end: be,
        quoted,
    }
}

/// Recognise the token at the start of `rest`; returns its kind and byte length.
fn scan(rest: &str, at_boundary: bool) -> (TokenKind, usize) {
    let chunk_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let chunk = &rest[..chunk_len];
    let first = rest.chars().next().expect("non-empty");
    let lower_start: String = chunk.chars().take(8).flat_map(char::to_lowercase).collect();
    if lower_start.starts_with("http://") || lower_start.starts_with("https://") || lower_start.starts_with("www.") {
        return (TokenKind::Url, trim_trailing_punct(chunk));
    }
    if let Some(len) = email_len(chunk) {
        return (TokenKind::Email, len);
    }
    if at_boundary && (first == '@' || first == '#') {
        let body = rest[1..].find(|c: char| !is_word_char(c)).unwrap_or(rest.len() - 1);
        if body > 0 {
            let kind = if first == '@' {
                TokenKind::Handle
            } else {
                TokenKind::Hashtag
            };
            return (kind, 1 + body);
        }
    }
    if first.is_alphanumeric() {
        return word_or_number(rest);
    }
    if is_emoji(first) {
        // Swallow variation selectors, skin tones and ZWJ sequences.
        let mut len = first.len_utf8();
        let mut it = rest[len..].chars().peekable();
        while let Some(&n) = it.peek() {
            if n == '\u{200D}' {
                it.next();
                len += n.len_utf8();
                if let Some(m) = it.next() {
                    len += m.len_utf8();
                }
            } else if ('\u{FE00}'..='\u{FE0F}').contains(&n) || ('\u{1F3FB}'..='\u{1F3FF}').contains(&n) {
                it.next();
                len += n.len_utf8();
            } else {
                break;
            }
        }
        return (TokenKind::Emoji, len);
    }
    (TokenKind::Punct, first.len_utf8())
}

fn trim_trailing_punct(chunk: &str) -> usize {
    chunk
        .trim_end_matches(['.', ',', '!', '?', ')', ';', ':', '"', '\''])
        .len()
}

/// `local@domain.tld` at the start of a whitespace-delimited chunk.
fn email_len(chunk: &str) -> Option<usize> {
    let at = chunk.find('@')?;
    if at == 0
        || !chunk[..at]
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+'))
    {
        return None;
    }
    let end = at
        + 1
        + chunk[at + 1..]
            .find(|c: char| !(c.is_alphanumeric() || c == '.' || c == '-'))
            .unwrap_or(chunk.len() - at - 1);
    let domain = chunk[at + 1..end].trim_end_matches('.');
    let dot = domain.rfind('.')?;
    (dot > 0 && domain.len() - dot > 2).then_some(at + 1 + domain.len())
}

/// A word (letters with inner `-`, `'` or `’`) or a number (starts with a digit).
fn word_or_number(rest: &str) -> (TokenKind, usize) {
    let first = rest.chars().next().expect("non-empty");
    let mut kind = if first.is_ascii_digit() {
        TokenKind::Number
    } else {
        TokenKind::Word
    };
    let mut len = 0usize;
    let mut it = rest.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if c.is_alphanumeric() {
            if c.is_ascii_digit() {
                kind = TokenKind::Number;
            }
            len = i + c.len_utf8();
            continue;
        }
        // Combining marks belong to the letter before them.
        if ('\u{0300}'..='\u{036F}').contains(&c) || ('\u{064B}'..='\u{065F}').contains(&c) {
            len = i + c.len_utf8();
            continue;
        }
        let joins = matches!(c, '-' | '\'' | '’') && it.peek().is_some_and(|&(_, n)| n.is_alphanumeric());
        if joins {
            len = i + c.len_utf8();
            continue;
        }
        break;
    }
    (kind, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        tokenize(text).into_iter().map(|t| (t.kind, t.text)).collect()
    }

    #[test]
    fn words_keep_inner_hyphens_and_apostrophes() {
        assert_eq!(
            kinds("de u-bocht, auto's!"),
            vec![
                (TokenKind::Word, "de"),
                (TokenKind::Word, "u-bocht"),
                (TokenKind::Punct, ","),
                (TokenKind::Word, "auto's"),
                (TokenKind::Punct, "!")
            ]
        );
    }

    #[test]
    fn urls_mails_handles_and_tags_are_single_tokens() {
        let t = kinds("zie https://x.nl/a?b=1. mail jan.de.vries@example.nl of @stroomwijs #storing");
        assert!(t.contains(&(TokenKind::Url, "https://x.nl/a?b=1")));
        assert!(t.contains(&(TokenKind::Email, "jan.de.vries@example.nl")));
        assert!(t.contains(&(TokenKind::Handle, "@stroomwijs")));
        assert!(t.contains(&(TokenKind::Hashtag, "#storing")));
    }

    #[test]
    fn offsets_are_in_characters() {
        let t = tokenize("één 😀 twee");
        assert_eq!((t[0].start, t[0].end), (0, 3));
        assert_eq!(t[1].kind, TokenKind::Emoji);
        assert_eq!((t[2].start, t[2].end), (6, 10));
    }

    #[test]
    fn quoted_text_is_marked() {
        let t = tokenize("Er staat \"kunt u bellen\" op de brief");
        let u = t.iter().find(|t| t.text == "u").unwrap();
        assert!(u.quoted);
        assert!(!t.iter().find(|t| t.text == "brief").unwrap().quoted);
    }
}
