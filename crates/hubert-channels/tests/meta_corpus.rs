//! Corpus test: every delivery under `tests/fixtures/meta/` (real-world payloads from
//! public SDK test suites, see its README) parses without error into exactly the
//! events, rejections and ignored items its `expect` names.

use std::path::Path;

use hubert_channels::meta::{facebook, instagram};
use hubert_channels::{InboundEvent, ParsedDelivery};
use serde_json::Value;

fn kind(event: &InboundEvent) -> String {
    match event {
        InboundEvent::Message(m) => format!("{}{}", m.kind.as_str(), if m.from_us { "*" } else { "" }),
        InboundEvent::Status(s) => format!("status:{}", s.status.as_str()),
        InboundEvent::Update(u) => format!("update:{:?}", u.change),
        InboundEvent::Watermark(w) => format!("watermark:{}", w.status.as_str()),
    }
}

fn check(name: &str, fixture: &Value) {
    let body = fixture["delivery"].to_string().into_bytes();
    let parsed: ParsedDelivery = match fixture["network"].as_str() {
        Some("facebook") => facebook::parse_delivery(&body),
        Some("instagram") => instagram::parse_delivery(&body),
        other => panic!("{name}: unknown network {other:?}"),
    }
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    let expect = &fixture["expect"];
    let kinds: Vec<String> = parsed.events.iter().map(kind).collect();
    let expected_kinds: Vec<String> = expect["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, expected_kinds, "{name}: kinds");
    assert_eq!(
        parsed.events.len() as u64,
        expect["events"].as_u64().unwrap(),
        "{name}: events"
    );
    assert_eq!(
        parsed.rejected.len() as u64,
        expect["rejected"].as_u64().unwrap(),
        "{name}: rejected {:?}",
        parsed.rejected
    );
    assert_eq!(
        parsed.ignored.len() as u64,
        expect["ignored"].as_u64().unwrap(),
        "{name}: ignored {:?}",
        parsed.ignored
    );
}

#[test]
fn every_corpus_delivery_parses_as_expected() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/meta");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let fixture: Value = serde_json::from_str(&text).unwrap();
        check(&path.display().to_string(), &fixture);
        count += 1;
    }
    assert!(count >= 10, "the corpus shrank: {count} files");
}
