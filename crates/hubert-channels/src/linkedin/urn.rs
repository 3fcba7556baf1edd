//! LinkedIn URNs, checked against their shape before they go anywhere near a URL or a
//! query, and normalised where LinkedIn writes one thing two ways (comment URNs).
//!
//! Shapes accepted (anything else is refused):
//! - organisation `urn:li:organization:<digits>`;
//! - member `urn:li:person:<token>` (letters, digits, `-`, `_`);
//! - post `urn:li:activity:<digits>`, `urn:li:share:<digits>`, `urn:li:ugcPost:<digits>`;
//! - comment `urn:li:comment:(<post URN>,<digits>)`, also in the abbreviated form
//!   `urn:li:comment:(activity:<digits>,<digits>)` seen in notifications (normalised to
//!   the full form).

/// Longest numeric id segment we accept (LinkedIn ids are 64-bit: at most 20 digits).
const MAX_DIGITS: usize = 20;
/// Longest person id token we accept.
const MAX_PERSON_ID: usize = 64;

fn is_digits(s: &str) -> bool {
    (1..=MAX_DIGITS).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// `urn:li:organization:<digits>`.
pub fn is_organization(urn: &str) -> bool {
    urn.strip_prefix("urn:li:organization:").is_some_and(is_digits)
}

/// `urn:li:person:<token>`.
pub fn is_person(urn: &str) -> bool {
    urn.strip_prefix("urn:li:person:").is_some_and(|id| {
        (1..=MAX_PERSON_ID).contains(&id.len())
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// Someone who can write a comment: a member or an organisation.
pub fn is_actor(urn: &str) -> bool {
    is_person(urn) || is_organization(urn)
}

/// A post: `urn:li:activity:`, `urn:li:share:` or `urn:li:ugcPost:` + digits.
pub fn is_post(urn: &str) -> bool {
    ["urn:li:activity:", "urn:li:share:", "urn:li:ugcPost:"]
        .iter()
        .any(|prefix| urn.strip_prefix(prefix).is_some_and(is_digits))
}

/// A comment URN split into the post it hangs under and its own numeric id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentUrn {
    /// Full post URN, e.g. `urn:li:activity:7412345678901234567`.
    pub post: String,
    /// The comment's own id, digits.
    pub id: String,
}

impl CommentUrn {
    /// Parses the full or abbreviated form; `None` for anything else.
    pub fn parse(urn: &str) -> Option<Self> {
        let inner = urn.strip_prefix("urn:li:comment:(")?.strip_suffix(')')?;
        let (post, id) = inner.split_once(',')?;
        let post = if post.starts_with("urn:li:") {
            post.to_string()
        } else {
            // Abbreviated: `activity:<digits>` (or `share:` / `ugcPost:`).
            format!("urn:li:{post}")
        };
        (is_post(&post) && is_digits(id)).then(|| CommentUrn {
            post,
            id: id.to_string(),
        })
    }

    /// The full form `urn:li:comment:(<post URN>,<id>)`.
    pub fn to_urn(&self) -> String {
        format!("urn:li:comment:({},{})", self.post, self.id)
    }
}

/// The full form of a comment URN, or `None` when it is not one.
pub fn normalize_comment(urn: &str) -> Option<String> {
    CommentUrn::parse(urn).map(|c| c.to_urn())
}

/// Percent-encodes a URN for a URL path or query value: everything but unreserved
/// characters becomes `%XX` (`:` → `%3A`, parentheses and commas too), as Rest.li 2.0
/// requires (channels.md §6e).
pub fn encode(urn: &str) -> String {
    crate::ids::path_segment(urn)
}

/// Decodes `%XX` escapes (invalid escapes stay as they are): URNs come back encoded
/// in paths and, from some endpoints, in `x-restli-id`.
pub fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = (bytes[i] == b'%')
            .then(|| segment.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match decoded {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn organisation_urns_are_digits_only() {
        assert!(is_organization("urn:li:organization:10203040"));
        for bad in [
            "urn:li:organization:",
            "urn:li:organization:12a",
            "urn:li:organization:1/../2",
            "urn:li:organisation:1",
            "urn:li:organization:123456789012345678901",
            " urn:li:organization:1",
        ] {
            assert!(!is_organization(bad), "{bad}");
        }
    }

    #[test]
    fn people_and_posts() {
        assert!(is_person("urn:li:person:AbCdEf1234"));
        assert!(is_person("urn:li:person:zLq-Tyg_BP8S"));
        assert!(!is_person("urn:li:person:a/b"));
        assert!(!is_person("urn:li:person:"));
        assert!(is_post("urn:li:activity:7412345678901234567"));
        assert!(is_post("urn:li:share:7412345678901234000"));
        assert!(is_post("urn:li:ugcPost:7412345678901234001"));
        assert!(!is_post("urn:li:comment:7412"));
        assert!(!is_post("urn:li:activity:74?x"));
    }

    #[test]
    fn comment_urns_are_normalised_from_the_abbreviated_form() {
        let full = "urn:li:comment:(urn:li:activity:7094637247890620418,7094977717598625792)";
        let short = "urn:li:comment:(activity:7094637247890620418,7094977717598625792)";
        assert_eq!(normalize_comment(full).as_deref(), Some(full));
        assert_eq!(normalize_comment(short).as_deref(), Some(full));
        let parsed = CommentUrn::parse(full).unwrap();
        assert_eq!(parsed.post, "urn:li:activity:7094637247890620418");
        assert_eq!(parsed.id, "7094977717598625792");
        for bad in [
            "urn:li:comment:(urn:li:activity:1,2",
            "urn:li:comment:(urn:li:activity:1,2)x",
            "urn:li:comment:(urn:li:person:1,2)",
            "urn:li:comment:(urn:li:activity:1,2,3)",
            "urn:li:comment:(urn:li:activity:1,../2)",
            "urn:li:comment:()",
        ] {
            assert_eq!(normalize_comment(bad), None, "{bad}");
        }
    }

    #[test]
    fn urns_are_encoded_for_paths() {
        assert_eq!(
            encode("urn:li:comment:(urn:li:activity:1,2)"),
            "urn%3Ali%3Acomment%3A%28urn%3Ali%3Aactivity%3A1%2C2%29"
        );
        assert_eq!(encode("urn:li:organization:1"), "urn%3Ali%3Aorganization%3A1");
        assert_eq!(
            decode("urn%3Ali%3Acomment%3A%28a%2C1%29%zz%"),
            "urn:li:comment:(a,1)%zz%"
        );
        assert_eq!(
            decode(&encode("urn:li:comment:(urn:li:activity:1,2)")),
            "urn:li:comment:(urn:li:activity:1,2)"
        );
    }

    proptest! {
        #[test]
        fn decoding_undoes_encoding(s in ".{0,40}") {
            prop_assert_eq!(decode(&encode(&s)), s);
        }

        #[test]
        fn comment_parsing_never_panics_and_round_trips(s in ".{0,80}") {
            if let Some(c) = CommentUrn::parse(&s) {
                prop_assert_eq!(CommentUrn::parse(&c.to_urn()), Some(c));
            }
        }
    }
}
