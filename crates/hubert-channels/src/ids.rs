//! Platform ids, checked against their documented shape before they go anywhere, and
//! the one way adapters put data into a URL path ([`path_segment`]).
//!
//! An id from a webhook ends up in send URLs and in queries. A crafted id such as
//! `../../tweets?x=` would turn a private DM into a public post, so every id is checked
//! at parse time: an event with an id of the wrong shape is rejected on its own (and
//! quarantined by the caller) while the rest of its batch is stored. Send paths encode
//! every segment built from data even though the ids were checked: two locks, not one.

use std::fmt::Write;

/// The shapes of the ids platforms send us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdShape {
    /// X user, post and DM event ids: decimal digits (a 64-bit snowflake).
    XNumeric,
    /// WhatsApp `wa_id`, `from` and `phone_number_id`: decimal digits.
    WhatsappNumber,
    /// WhatsApp message ids (`wamid.` + base64-like text): an opaque token of
    /// letters, digits and `. _ = + / : -`, at most 256 bytes.
    WhatsappMessage,
    /// Meta numeric ids: Page id, PSID, Instagram account id, IGSID, Instagram
    /// comment and media ids, app ids: decimal digits.
    MetaNumeric,
    /// Facebook object ids: digits, or `<digits>_<digits>` (post `pageid_postid`,
    /// comment `postid_commentid`).
    MetaObject,
    /// Messenger and Instagram message ids (`m_…`, `mid.$c…`, `aWdf…` base64): an opaque
    /// token of letters, digits and `. _ = + / : - $`, at most 512 bytes.
    MetaMessage,
}

impl IdShape {
    /// What the shape is, for error messages.
    pub fn describe(self) -> &'static str {
        match self {
            IdShape::XNumeric => "1 to 20 digits",
            IdShape::WhatsappNumber => "1 to 20 digits",
            IdShape::WhatsappMessage => "1 to 256 letters, digits or . _ = + / : -",
            IdShape::MetaNumeric => "1 to 24 digits",
            IdShape::MetaObject => "digits, or digits_digits",
            IdShape::MetaMessage => "1 to 512 letters, digits or . _ = + / : - $",
        }
    }

    /// True when `id` has this shape.
    pub fn matches(self, id: &str) -> bool {
        match self {
            IdShape::XNumeric | IdShape::WhatsappNumber => {
                (1..=20).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit())
            }
            IdShape::WhatsappMessage => {
                (1..=256).contains(&id.len())
                    && id.bytes().all(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'=' | b'+' | b'/' | b':' | b'-')
                    })
            }
            IdShape::MetaNumeric => is_digits(id, 24),
            IdShape::MetaObject => match id.split_once('_') {
                Some((left, right)) => is_digits(left, 24) && is_digits(right, 24),
                None => is_digits(id, 24),
            },
            IdShape::MetaMessage => {
                (1..=512).contains(&id.len())
                    && id.bytes().all(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'=' | b'+' | b'/' | b':' | b'-' | b'$')
                    })
            }
        }
    }

    /// `Ok(id)` when it has this shape, else a sentence naming the field.
    pub fn check(self, field: &str, id: String) -> Result<String, String> {
        if self.matches(&id) {
            Ok(id)
        } else {
            Err(format!("`{field}` is not a valid id ({})", self.describe()))
        }
    }
}

fn is_digits(id: &str, max: usize) -> bool {
    (1..=max).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit())
}

/// Percent-encodes one URL path segment: everything but RFC 3986's unreserved
/// characters (`A-Z a-z 0-9 - . _ ~`) becomes `%XX`, so `/`, `?`, `#` and `..` can never
/// change which endpoint a request reaches.
pub fn path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~') {
            out.push(b as char);
        } else if b == b'.' && segment.bytes().any(|c| c != b'.') {
            // A dot inside a segment is harmless; a segment of only dots ("." or "..")
            // is a path operation, so its dots are encoded too.
            out.push('.');
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn x_ids_are_digits_only() {
        assert!(IdShape::XNumeric.matches("1550000000000000777"));
        for bad in [
            "",
            "../../tweets?x=",
            "12a",
            "1 2",
            "123456789012345678901",
            "-1",
            "١٢٣",
        ] {
            assert!(!IdShape::XNumeric.matches(bad), "{bad}");
        }
    }

    #[test]
    fn whatsapp_message_ids_allow_base64_but_no_path_tricks() {
        assert!(IdShape::WhatsappMessage.matches("wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQzQTlCMkM3RDFFNEY1QTZCOEMwRAA="));
        assert!(!IdShape::WhatsappMessage.matches("wamid.a?b"));
        assert!(!IdShape::WhatsappMessage.matches("wamid a"));
        assert!(!IdShape::WhatsappMessage.matches(&"a".repeat(257)));
        assert!(IdShape::WhatsappNumber.matches("31612345678"));
        assert!(!IdShape::WhatsappNumber.matches("+31612345678"));
    }

    #[test]
    fn path_segments_cannot_escape() {
        assert_eq!(path_segment("1550000000000000777"), "1550000000000000777");
        assert_eq!(path_segment("../../tweets?x="), "..%2F..%2Ftweets%3Fx%3D");
        assert_eq!(path_segment(".."), "%2E%2E");
        assert_eq!(path_segment("."), "%2E");
        assert_eq!(path_segment("a.b"), "a.b");
        assert_eq!(path_segment("é #"), "%C3%A9%20%23");
    }

    #[test]
    fn meta_ids_have_their_shapes() {
        assert!(IdShape::MetaNumeric.matches("17841400123456789"));
        assert!(!IdShape::MetaNumeric.matches("112233_445"));
        assert!(IdShape::MetaObject.matches("112233445566778_987654321098765"));
        assert!(IdShape::MetaObject.matches("17900011122233344"));
        for bad in ["", "_1", "1_", "1_2_3", "../1", "1?x=", "1 2"] {
            assert!(!IdShape::MetaObject.matches(bad), "{bad}");
        }
        assert!(IdShape::MetaMessage.matches("m_Xb3kT9vQ2mZr8LpWcY1aQe"));
        assert!(IdShape::MetaMessage.matches("mid.$cAADHPVJEDStnxdJQ-VhlI0IqAqYu"));
        assert!(IdShape::MetaMessage.matches("mid.1457764197618:41d102a3e1ae206a38"));
        assert!(!IdShape::MetaMessage.matches("m_a?b"));
    }

    proptest! {
        #[test]
        fn an_encoded_segment_never_holds_a_separator(s in ".*") {
            let encoded = path_segment(&s);
            prop_assert!(!encoded.contains(['/', '?', '#', '\\']));
            prop_assert!(encoded != "." && encoded != "..");
        }
    }
}
