//! Tests for the LinkedIn handshake, signature check and credentials.

use proptest::prelude::*;

use super::*;

const SECRET: &str = "li-client-secret";
const CHALLENGE: &str = "890e4665-4dfe-4ab1-b689-ed553bceeed0";
const CHALLENGE_RESPONSE: &str = "313e20a5110164b82333ba6cb7cdad9e864a8e809bb93b22935d24b57f42823f";
const BODY: &[u8] = br#"{"type":"ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS","notifications":[]}"#;
const READING_ONE: &str = "b16bb3f667e1aa0c637fdee295bb40e387af021a39c0d4a26c8970f71bd1c011";
const READING_TWO: &str = "4456294421cbd1147f0fd939b17f540599ee9abb483b3df42f332e18c8c3161f";

#[test]
fn challenge_matches_the_design_doc_vector() {
    let body = challenge_response(SECRET, CHALLENGE).unwrap();
    let value: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(value["challengeCode"], CHALLENGE);
    assert_eq!(value["challengeResponse"], CHALLENGE_RESPONSE);
    let mut query = HashMap::new();
    query.insert("challengeCode".to_string(), CHALLENGE.to_string());
    query.insert("applicationId".to_string(), "12345".to_string());
    assert_eq!(verify_handshake(&query, SECRET), Some(body));
}

#[test]
fn the_handshake_signs_nothing_but_a_uuid() {
    let body = std::str::from_utf8(BODY).unwrap();
    for code in [
        body,
        "hmacsha256={}",
        "",
        "crc-1234",
        "890e4665-4dfe-4ab1-b689-ed553bceeed",
        "890e4665-4dfe-4ab1-b689-ed553bceeed0 ",
        "890e4665x4dfe-4ab1-b689-ed553bceeed0",
        "890e4665-4dfe-4ab1-b689-ed553bceeedg",
    ] {
        assert_eq!(challenge_response(SECRET, code), None, "{code}");
    }
    assert_eq!(challenge_response("", CHALLENGE), None);
    assert!(challenge_response(SECRET, &CHALLENGE.to_uppercase()).is_some());
    assert_eq!(verify_handshake(&HashMap::new(), SECRET), None);
}

#[test]
fn both_readings_of_the_signature_verify() {
    for header in [
        READING_ONE.to_string(),
        READING_TWO.to_string(),
        format!("hmacsha256={READING_ONE}"),
        format!("hmacsha256={READING_TWO}"),
        format!("HMACSHA256={}", READING_ONE.to_uppercase()),
        format!(" {READING_TWO} "),
    ] {
        assert_eq!(verify_signature(SECRET, Some(&header), BODY), Ok(()), "{header}");
    }
}

#[test]
fn missing_wrong_or_garbled_signatures_are_refused() {
    assert_eq!(verify_signature(SECRET, None, BODY), Err(VerifyError::MissingSignature));
    assert_eq!(
        verify_signature(SECRET, Some("  "), BODY),
        Err(VerifyError::MissingSignature)
    );
    assert_eq!(
        verify_signature("other", Some(READING_ONE), BODY),
        Err(VerifyError::BadSignature)
    );
    assert_eq!(
        verify_signature("", Some(READING_ONE), BODY),
        Err(VerifyError::BadSignature)
    );
    assert_eq!(
        verify_signature(SECRET, Some("zz"), BODY),
        Err(VerifyError::BadSignature)
    );
    assert_eq!(
        verify_signature(SECRET, Some(&READING_ONE[..62]), BODY),
        Err(VerifyError::BadSignature)
    );
    assert_eq!(
        verify_signature(SECRET, Some(&format!("sha256={READING_ONE}")), BODY),
        Err(VerifyError::BadSignature)
    );
    let spaced = br#"{"type": "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS","notifications":[]}"#;
    assert_eq!(
        verify_signature(SECRET, Some(READING_ONE), spaced),
        Err(VerifyError::BadSignature)
    );
}

proptest! {
    #[test]
    fn a_tampered_body_never_verifies(body in proptest::collection::vec(any::<u8>(), 1..256), index in any::<usize>(), flip in 1u8..=255, prefixed in any::<bool>()) {
        let mut mac = hmac_sha256(SECRET);
        if prefixed {
            mac.update(SIGNATURE_PREFIX.as_bytes());
        }
        mac.update(&body);
        let header = hex::encode(mac.finalize().into_bytes());
        prop_assert_eq!(verify_signature(SECRET, Some(&header), &body), Ok(()));
        let mut tampered = body.clone();
        let at = index % tampered.len();
        tampered[at] ^= flip;
        prop_assert_eq!(verify_signature(SECRET, Some(&header), &tampered), Err(VerifyError::BadSignature));
    }

    #[test]
    fn arbitrary_headers_never_panic(header in ".{0,100}", body in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = verify_signature(SECRET, Some(&header), &body);
        let _ = challenge_response(SECRET, &header);
    }
}

#[test]
fn credentials_are_validated_and_debug_hides_secrets() {
    let json =
        r#"{"organization_urn":"urn:li:organization:10203040","access_token":"AQXtoken","client_secret":"s3cret"}"#;
    let creds = LinkedinCredentials::parse(json).unwrap();
    let shown = format!("{creds:?}");
    assert!(shown.contains("urn:li:organization:10203040"));
    assert!(!shown.contains("AQXtoken") && !shown.contains("s3cret"));

    let bad_urn = json.replace("urn:li:organization:10203040", "urn:li:organization:../1");
    assert_eq!(
        LinkedinCredentials::parse(&bad_urn),
        Err(CredentialsError::BadOrganizationUrn)
    );
    let person = json.replace("urn:li:organization:10203040", "urn:li:person:Xy12");
    assert_eq!(
        LinkedinCredentials::parse(&person),
        Err(CredentialsError::BadOrganizationUrn)
    );
    let no_token = json.replace("AQXtoken", " ");
    assert_eq!(
        LinkedinCredentials::parse(&no_token),
        Err(CredentialsError::Empty("access_token"))
    );
    let no_secret = json.replace("s3cret", "");
    assert_eq!(
        LinkedinCredentials::parse(&no_secret),
        Err(CredentialsError::Empty("client_secret"))
    );
    assert_eq!(LinkedinCredentials::parse("[]"), Err(CredentialsError::NotJson));
    assert_eq!(
        LinkedinCredentials::parse(r#"{"organization_urn":"urn:li:organization:1"}"#),
        Err(CredentialsError::NotJson)
    );
}
