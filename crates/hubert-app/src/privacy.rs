//! Masking for screens everybody can see (the wallboard's privacy mode): no handle,
//! phone number, e-mail address, full name or long number may show. First the text
//! toolkit's personal-data masker (`hubert_core::text::mask`: phones in every Dutch
//! notation, e-mail, postcodes, IBAN, EAN, addresses, known names and other people's names
//! introduced in the text, such as "mijn vrouw Annelies" or "met Pieter"), then a deliberately
//! blunt second pass that hides any remaining digit run or handle: too much rather than
//! too little.

/// A person's initial, e.g. "S." for "Sanne de Vries"; "?" when unknown.
pub fn initial(name: Option<&str>) -> String {
    name.and_then(|n| n.trim().chars().find(|c| c.is_alphabetic()))
        .map(|c| format!("{}.", c.to_uppercase()))
        .unwrap_or_else(|| "?".into())
}

/// Masks digits runs of 3 or more (phone, postcode, meter, customer and house numbers),
/// e-mail addresses, @handles, URLs, postcode letters, and every part of the given names.
pub fn mask(text: &str, names: &[&str]) -> String {
    blunt(&hubert_core::text::mask(text, names).masked, names)
}

/// Parts of a name the second pass leaves alone.
const SURNAME_PREFIXES: [&str; 10] = ["van", "de", "der", "den", "het", "ter", "ten", "te", "'t", "op"];

/// The second pass of [`mask`].
fn blunt(text: &str, names: &[&str]) -> String {
    let name_parts: Vec<String> = names
        .iter()
        .flat_map(|n| n.split_whitespace())
        .filter(|p| p.chars().count() >= 2 && p.chars().any(char::is_alphabetic))
        .map(|p| p.to_lowercase())
        // Surname prefixes identify nobody and are everyday words ("van de buren").
        .filter(|p| !SURNAME_PREFIXES.contains(&p.as_str()))
        .collect();
    let mut out: Vec<String> = Vec::new();
    let words: Vec<&str> = text.split_whitespace().collect();
    // Numbers written in groups ("06 12 34 56 78", "+31 6 1234 5678"): consecutive
    // words of digits and punctuation count as one number.
    let digit_words: Vec<usize> = words
        .iter()
        .map(|w| {
            if w.chars().any(char::is_alphabetic) {
                0
            } else {
                w.chars().filter(|c| c.is_ascii_digit()).count()
            }
        })
        .collect();
    let mut in_long_number = vec![false; words.len()];
    let mut start = 0;
    while start < words.len() {
        let mut end = start;
        while end < words.len() && digit_words[end] > 0 {
            end += 1;
        }
        if digit_words[start..end].iter().sum::<usize>() >= 3 {
            in_long_number[start..end].iter_mut().for_each(|b| *b = true);
        }
        start = end + 1;
    }
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let core: String = w
            .trim_matches(|c: char| !c.is_alphanumeric() && c != '@')
            .to_lowercase();
        let digits = w.chars().filter(|c| c.is_ascii_digit()).count();
        let masked = if w.contains('@') || w.starts_with("http") || w.starts_with("www.") {
            Some("•••".to_owned())
        } else if digits >= 3 || in_long_number[i] || (digits >= 1 && w.chars().any(|c| c == '-' || c == '+')) {
            Some(w.chars().map(|c| if c.is_ascii_digit() { '•' } else { c }).collect())
        } else if name_parts.contains(&core) {
            Some(format!("{}.", w.chars().next().unwrap_or('?')))
        } else {
            None
        };
        match masked {
            Some(m) => out.push(m),
            None => {
                // A postcode's letters follow its four digits: "1234 AB".
                let prev_was_postcode_digits = i > 0 && {
                    let p = words[i - 1].trim_matches(|c: char| !c.is_alphanumeric());
                    p.len() == 4 && p.chars().all(|c| c.is_ascii_digit())
                };
                let letters = w.trim_matches(|c: char| !c.is_alphanumeric());
                if prev_was_postcode_digits && letters.len() == 2 && letters.chars().all(|c| c.is_ascii_uppercase()) {
                    out.push("••".into());
                } else {
                    out.push(w.to_owned());
                }
            }
        }
        i += 1;
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_data_never_shows() {
        let text = "Ik ben Sanne de Vries, bel me op 06-12345678 of mail sanne@example.nl. Postcode 3511 AB, meter 871234567890123456, @sannedv";
        let m = mask(text, &["Sanne de Vries"]);
        for secret in [
            "Sanne", "Vries", "12345678", "sanne@", "3511", " AB", "8712345", "@sannedv",
        ] {
            assert!(!m.contains(secret), "{secret} leaked in {m}");
        }
        assert!(m.contains("Postcode"));
    }

    #[test]
    fn names_typed_in_the_message_are_masked() {
        let m = mask(
            "Ik bel namens mijn vrouw Annelies, ik was net met Pieter van de buren",
            &["Sanne de Vries"],
        );
        assert!(!m.contains("Annelies") && !m.contains("Pieter"), "{m}");
        assert!(m.contains("van de buren"), "{m}");
    }

    #[test]
    fn initials_only() {
        assert_eq!(initial(Some("sanne de Vries")), "S.");
        assert_eq!(initial(Some("  ")), "?");
        assert_eq!(initial(None), "?");
    }

    #[test]
    fn numbers_in_groups_are_masked() {
        let m = mask("bel 06 12 34 56 78 of +31 6 1234 5678, om 2 uur", &[]);
        assert!(!m.chars().any(|c| c.is_ascii_digit() && c != '2'), "{m}");
        assert!(m.ends_with("om 2 uur"), "{m}");
        assert_eq!(mask("Dorpsstraat 12 in Zeist", &[]), "[adres] in Zeist");
        assert_eq!(mask("mail me: sanne@example.nl", &[]), "mail me: [e-mail]");
    }

    #[test]
    fn international_numbers_are_masked() {
        assert!(!mask("bel +31 6 1234 5678", &[]).contains("1234"));
        assert!(!mask("bel +31 6 1234 5678", &[]).contains("+31"));
    }
}
