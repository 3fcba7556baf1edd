//! JSON the way Meta writes it on the wire: compact, with every non-ASCII character
//! escaped as `\uXXXX` in lowercase hex (astral characters as surrogate pairs). Meta
//! signs these exact bytes, so fakes must produce them (channels.md §1b).

use std::fmt::Write;

/// Compact JSON of `value` with all non-ASCII characters `\u`-escaped in lowercase hex.
pub fn to_meta_escaped_json(value: &serde_json::Value) -> String {
    let compact = value.to_string();
    let mut escaped = String::with_capacity(compact.len() + 16);
    // Non-ASCII characters can only occur inside JSON strings, where `\uXXXX` is valid.
    for c in compact.chars() {
        if c.is_ascii() {
            escaped.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(escaped, "\\u{unit:04x}");
            }
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn umlauts_become_lowercase_escapes() {
        assert_eq!(to_meta_escaped_json(&json!("ä")), r#""\u00e4""#);
        assert_eq!(
            to_meta_escaped_json(&json!({"t": "äöå"})),
            r#"{"t":"\u00e4\u00f6\u00e5"}"#
        );
    }

    #[test]
    fn emoji_become_lowercase_surrogate_pairs() {
        assert_eq!(
            to_meta_escaped_json(&json!({"emoji": "😢"})),
            r#"{"emoji":"\ud83d\ude22"}"#
        );
    }

    #[test]
    fn output_is_ascii_and_parses_back_to_the_same_value() {
        let value = json!({"a": ["één", "日本", "👍🏽", "\"quoted\"\n"], "n": 1});
        let wire = to_meta_escaped_json(&value);
        assert!(wire.is_ascii());
        assert!(!wire.contains(' '));
        assert_eq!(serde_json::from_str::<serde_json::Value>(&wire).unwrap(), value);
    }
}
