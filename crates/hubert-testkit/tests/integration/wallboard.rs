//! The narrowcasting wallboard: a kiosk token opens its board and nothing else,
//! revoking ends open streams, privacy mode never leaks personal data (asserted on the
//! raw bytes of the page, the state and the stream), the figures equal the
//! service-level report, updates arrive within two seconds on every screen, and the
//! wall of love and the banner follow the team lead.

use std::time::{Duration, Instant};

use hubert_core::calendar::Calendar;
use hubert_testkit::{Board, EventStream};

use super::*;

/// Bound for "live within two seconds".
const LIVE: Duration = Duration::from_secs(2);

/// A board over every profile with privacy mode on.
async fn privacy_board(t: &TestApp, name: &str) -> Board {
    t.create_wallboard(json!({ "name": name, "profile_ids": [], "privacy": true, "rotate_seconds": null }))
        .await
}

/// Opens a stream and reads its opening `board` and `state` events.
async fn open_stream(t: &TestApp, board: &Board) -> (EventStream, Value) {
    let mut stream = t.wallboard_events(&board.token).await;
    let first = stream.next_named("board", WAIT).await.expect("a board event first");
    assert_eq!(first.json()["id"], board.id.as_str(), "{}", first.data);
    let state = stream.next_named("state", WAIT).await.expect("then a state event");
    (stream, state.json())
}

/// The texts of a state's feed (or wall of love).
fn texts(state: &Value, list: &str) -> Vec<String> {
    state[list]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i["text"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn feed_has(state: &Value, needle: &str) -> bool {
    texts(state, "feed").iter().any(|t| t.contains(needle))
}

/// The id of the (first) customer message in the conversation with `contact`.
async fn inbound_message_id(t: &TestApp, contact: &str) -> String {
    let conversation = t
        .conversations("")
        .await
        .into_iter()
        .find(|c| c["contact"]["name"] == contact)
        .unwrap_or_else(|| panic!("a conversation with {contact}"));
    let messages = t.messages(conversation["id"].as_str().unwrap()).await;
    let m = messages
        .iter()
        .find(|m| m["direction"] == "in")
        .expect("a customer message");
    m["id"].as_str().unwrap().to_owned()
}

both_backends!(
    a_wallboard_token_grants_the_wallboard_and_nothing_else,
    |t| async move {
        // Only leads and admins make boards.
        let body = json!({ "name": "TV koffiehoek", "profile_ids": [], "privacy": true, "rotate_seconds": null });
        let (status, res) = t.post_as("/api/v1/wallboards", &t.agent_token, body).await;
        assert_eq!(status, 403, "{res}");
        assert_eq!(res["error"]["code"], "forbidden");
        let (status, res) = t.get_as("/api/v1/wallboards", &t.agent_token).await;
        assert_eq!(status, 403, "{res}");

        let a = privacy_board(t, "TV koffiehoek").await;
        let b = privacy_board(t, "TV tweede verdieping").await;
        assert_ne!(a.token, b.token);
        assert!(a.token.len() >= 32, "an unguessable token: {}", a.token);
        assert!(a.url.ends_with(&format!("/wallboard/{}", a.token)), "{}", a.url);
        let (status, res) = t
            .delete_as(&format!("/api/v1/wallboards/{}", b.id), &t.agent_token)
            .await;
        assert_eq!(status, 403, "an agent cannot revoke: {res}");
        let listed = t.get("/api/v1/wallboards").await;
        assert_eq!(listed["items"].as_array().unwrap().len(), 2, "{listed}");
        assert!(!listed.to_string().contains(&a.token), "the token is never listed");

        // The token opens its own board.
        for path in ["", "/state"] {
            let (status, _) = t.get_raw(&format!("/wallboard/{}{path}", a.token)).await;
            assert_eq!(status, 200, "/wallboard/<token>{path}");
        }
        assert_eq!(t.wallboard_state(&a.token).await["board"]["id"], a.id.as_str());
        assert_eq!(t.wallboard_state(&b.token).await["board"]["id"], b.id.as_str());
        let (_stream, _) = open_stream(t, &a).await;

        // ... and no API at all, as a bearer token or as a session cookie.
        let api = [
            "/api/v1/me",
            "/api/v1/users",
            "/api/v1/conversations",
            "/api/v1/profiles",
            "/api/v1/reports/service-level",
            "/api/v1/reports/today",
            "/api/v1/quarantine",
            "/api/v1/wallboards",
            "/api/v1/events",
        ];
        for path in api {
            let (status, body) = t.get_as(path, &a.token).await;
            assert_eq!(status, 401, "GET {path} with the kiosk token: {body}");
            let res = t
                .http
                .get(t.url(path))
                .header(reqwest::header::COOKIE, format!("hubert_session={}", a.token))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 401, "GET {path} with the kiosk token as a cookie");
        }
        let (status, _) = t
            .post_as("/api/v1/wallboards", &a.token, json!({ "name": "Nog een" }))
            .await;
        assert_eq!(status, 401);
        let (status, _) = t.delete_as(&format!("/api/v1/wallboards/{}", b.id), &a.token).await;
        assert_eq!(status, 401, "a kiosk cannot revoke another board");
        let (status, _) = t.put_as("/api/v1/banner", &a.token, json!({ "text": "Gehackt" })).await;
        assert_eq!(status, 401);
        assert_eq!(t.get("/api/v1/wallboards").await["items"][0]["revoked_at"], Value::Null);

        // No other page either: the inbox and the settings send the kiosk to the login page.
        for path in ["/", "/admin/wallboards", "/admin/quarantine"] {
            for req in [
                t.http.get(t.url(path)).bearer_auth(&a.token),
                t.http
                    .get(t.url(path))
                    .header(reqwest::header::COOKIE, format!("hubert_session={}", a.token)),
            ] {
                let res = req.send().await.unwrap();
                assert!(res.status().is_redirection(), "{path}: {}", res.status());
                assert_eq!(res.headers()[reqwest::header::LOCATION], "/login", "{path}");
            }
        }

        // Unknown, garbled and look-alike tokens open nothing; nor does a board's id.
        let mut last_char_changed = a.token.clone();
        let last = last_char_changed.pop().unwrap();
        last_char_changed.push(if last == 'A' { 'B' } else { 'A' });
        let garbage = [
            "garbage".to_owned(),
            "0".repeat(43),
            uuid::Uuid::now_v7().simple().to_string(),
            a.id.clone(),
            last_char_changed,
            format!("{}x", a.token),
            a.token[..a.token.len() - 1].to_owned(),
            a.token.to_uppercase(),
            t.token.clone(),
        ];
        for token in &garbage {
            if token == &a.token {
                continue;
            }
            for suffix in ["", "/events", "/state"] {
                let (status, body) = t.get_raw(&format!("/wallboard/{token}{suffix}")).await;
                assert_eq!(
                    status,
                    404,
                    "/wallboard/{token}{suffix}: {}",
                    String::from_utf8_lossy(&body)
                );
            }
        }
    }
);

both_backends!(revoking_a_wallboard_closes_its_connected_streams, |t| async move {
    let board = privacy_board(t, "TV koffiehoek").await;
    // A second board of the same kind shares the live state but must stay connected.
    let other = privacy_board(t, "TV kantine").await;
    let (mut stream, state) = open_stream(t, &board).await;
    assert!(state["profiles"].is_array(), "{state}");
    let (mut other_stream, _) = open_stream(t, &other).await;

    assert_eq!(t.revoke_wallboard(&board.id).await, 200);
    let revoked_at = Instant::now();
    assert!(
        stream.ends_within(LIVE).await,
        "the open stream did not end within two seconds of the revocation"
    );
    eprintln!("stream ended {:?} after the revocation", revoked_at.elapsed());
    assert!(
        !other_stream.ends_within(Duration::from_millis(500)).await,
        "revoking one board ended another board's stream"
    );

    for suffix in ["", "/events", "/state"] {
        let (status, _) = t.get_raw(&format!("/wallboard/{}{suffix}", board.token)).await;
        assert_eq!(status, 404, "/wallboard/<revoked>{suffix}");
    }
    let (status, _) = t.get_raw(&format!("/wallboard/{}/state", other.token)).await;
    assert_eq!(status, 200, "the other board still opens");
    let listed = t.get("/api/v1/wallboards").await;
    let item = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == board.id.as_str())
        .cloned()
        .unwrap();
    assert_eq!(item["revoked_at"], t.now(), "{item}");
    assert_eq!(t.revoke_wallboard(&board.id).await, 404, "revoking twice");
});

/// Who writes in the privacy test, with WhatsApp numbers and X handles.
const SANNE: (&str, &str) = ("Sanne de Vries", "31612345678");
const PIETER: (&str, &str) = ("Pieter Jansen", "31645678901");
const MARLOES: (&str, &str) = ("Marloes Kuipers", "31656789012");
const KEES: (&str, &str) = ("Kees Bakker", "31678901234");
const JOOST: (&str, &str, &str) = ("Joost Visser", "1550000000000000777", "joostvisser_");
const FEMKE: (&str, &str, &str) = ("Femke Smit", "1550000000000000702", "femkesmit");

/// Everything personal in the privacy test that must never show on a privacy board.
const NAME_PARTS: [&str; 14] = [
    "Sanne", "Vries", "Pieter", "Jansen", "Marloes", "Kuipers", "Kees", "Bakker", "Joost", "Visser", "Femke", "Smit",
    "Noor", "Hendriks",
];
const PLAIN_SECRETS: [&str; 18] = [
    "sannedv",
    "joostvisser_",
    "femkesmit",
    "@joostvisser",
    "@femkesmit",
    "31612345678",
    "+316",
    "+31 6",
    "1234 5678",
    "06-1234",
    "020-123",
    "23 45 67 89",
    "3511 AB",
    "sanne.devries",
    "@example.nl",
    "kees.bakker",
    "twimg",
    "profile_image",
];
/// Numbers that must not appear as a whole number (digits not next to letters or digits,
/// so ids and timestamps that happen to contain them do not count).
const NUMBERS: [&str; 12] = [
    "12345678",
    "1234567",
    "0623456789",
    "871234567890123456",
    "4012345",
    "3511",
    "31612345678",
    "31645678901",
    "31656789012",
    "31678901234",
    "1550000000000000777",
    "1550000000000000702",
];

/// Whether `number` occurs in `haystack` with no letter or digit right before or after.
fn contains_number(haystack: &str, number: &str) -> bool {
    haystack.match_indices(number).any(|(i, _)| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + number.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric()) && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// Asserts that nothing personal occurs in `raw` (one of the wallboard's outputs).
fn assert_nothing_personal(what: &str, raw: &str) {
    for part in NAME_PARTS {
        assert!(!raw.contains(part), "{what} shows the name part {part:?}:\n{raw}");
    }
    for secret in PLAIN_SECRETS {
        assert!(!raw.contains(secret), "{what} shows {secret:?}:\n{raw}");
    }
    for number in NUMBERS {
        assert!(
            !contains_number(raw, number),
            "{what} shows the number {number}:\n{raw}"
        );
    }
}

/// Asserts that no feed or love text shows a number of three digits or more, also when
/// its digits are spread over groups ("06 12 34 56 78", "+31 6 1234 5678").
fn assert_numbers_masked(state: &Value) {
    for list in ["feed", "love"] {
        for item in state[list].as_array().unwrap() {
            let who = item["who"].as_str().unwrap();
            assert!(
                who == "?" || (who.chars().count() == 2 && who.ends_with('.')),
                "only an initial: {item}"
            );
            let text = item["text"].as_str().unwrap();
            let mut digits = 0;
            for c in text.chars() {
                if c.is_ascii_digit() {
                    digits += 1;
                    assert!(digits < 3, "{list} shows a number: {text:?}");
                } else if !" +-().,/".contains(c) {
                    digits = 0;
                }
            }
        }
    }
}

both_backends!(
    privacy_mode_never_shows_a_handle_number_address_or_name,
    |t| async move {
        let private = privacy_board(t, "TV koffiehoek").await;
        let open = t
            .create_wallboard(
                json!({ "name": "Teamscherm", "profile_ids": [], "privacy": false, "rotate_seconds": null }),
            )
            .await;
        let (mut stream, _) = open_stream(t, &private).await;

        // The core loop's payloads: WhatsApp and X, full names and handles, Dutch numbers.
        t.customer_writes(
            SANNE.1,
            SANNE.0,
            "wamid.PRIV1",
            "Hallo, ik ben Sanne de Vries. Bel me op 06-12345678 of +31 6 1234 5678, overdag 020-1234567, \
         of mail sanne.devries@example.nl. Postcode 3511 AB, meternummer 871234567890123456. Groet, Sanne",
        )
        .await;
        let dm = x_payload::dm(
            X_USER_ID,
            "5100000000000000001",
            JOOST.1,
            JOOST.0,
            JOOST.2,
            "Joost Visser hier (@joostvisser_). Mijn nummer is 06 23 45 67 89, of 0623456789.",
            t.now(),
        );
        assert_eq!(t.post_x(dm).await, 200);
        // The demo's customer messages.
        t.customer_writes(
            PIETER.1,
            PIETER.0,
            "wamid.PRIV2",
            "Kunnen jullie me terugbellen op 06-12345678? Het gaat over mijn klantnummer 4012345.",
        )
        .await;
        t.customer_writes(
            MARLOES.1,
            MARLOES.0,
            "wamid.PRIV3",
            "Is de storing in postcode 3511 inmiddels verholpen? Ik heb nog steeds geen stroom.",
        )
        .await;
        t.customer_writes(
            KEES.1,
            KEES.0,
            "wamid.PRIV4",
            "Dank jullie wel voor de snelle hulp gisteren, echt top geregeld! 👍 Kees Bakker (kees.bakker@example.nl)",
        )
        .await;
        let mention = x_payload::mention(
            X_USER_ID,
            "1870000000000000001",
            FEMKE.1,
            FEMKE.0,
            FEMKE.2,
            "@ZonnestroomNL top dat de monteur zo snel kwam, bedankt! ☀️ Groetjes, Femke Smit",
            t.now(),
            None,
        );
        assert_eq!(t.post_x(mention).await, 200);
        // A shared contact card carries someone else's name and number.
        let card = wa::message_object(
            MARLOES.1,
            "wamid.PRIV5",
            t.now_secs(),
            "contacts",
            json!([{ "name": { "formatted_name": "Noor Hendriks", "first_name": "Noor" },
                 "phones": [{ "phone": "+31 6 1234 5678", "wa_id": "31612345678", "type": "CELL" }] }]),
        );
        assert_eq!(
            t.post_whatsapp(wa::message(PNID, MARLOES.1, MARLOES.0, card)).await,
            200
        );
        for contact in [KEES.0, FEMKE.0] {
            let id = inbound_message_id(t, contact).await;
            let (status, body) = t.post(&format!("/api/v1/messages/{id}/star"), json!({})).await;
            assert_eq!(status, 200, "{body}");
        }

        // The stream: wait for a state with all seven messages and both compliments.
        let live = stream
            .state_where(WAIT, |s| {
                s["feed"].as_array().is_some_and(|f| f.len() == 7) && s["love"].as_array().is_some_and(|l| l.len() == 2)
            })
            .await
            .unwrap_or_else(|| panic!("no state with the new messages arrived:\n{}", stream.raw_text()));
        assert!(feed_has(&live, "Postcode [postcode]"), "the postcode is masked: {live}");
        assert!(
            feed_has(&live, "inmiddels verholpen"),
            "the text itself still shows: {live}"
        );
        assert_numbers_masked(&live);
        assert_nothing_personal("the SSE stream", &stream.raw_text());

        let (status, page) = t.get_raw(&format!("/wallboard/{}", private.token)).await;
        assert_eq!(status, 200);
        assert_nothing_personal("the kiosk page", &String::from_utf8_lossy(&page));

        let (status, raw) = t.get_raw(&format!("/wallboard/{}/state", private.token)).await;
        assert_eq!(status, 200);
        let raw = String::from_utf8_lossy(&raw).into_owned();
        assert_nothing_personal("the state JSON", &raw);
        let state: Value = serde_json::from_str(&raw).unwrap();
        assert_eq!(state["state"]["privacy"], true);
        assert_eq!(state["state"]["feed"].as_array().unwrap().len(), 7);
        assert_eq!(state["state"]["love"].as_array().unwrap().len(), 2);
        assert_numbers_masked(&state["state"]);
        let whos: Vec<&str> = state["state"]["feed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["who"].as_str().unwrap())
            .collect();
        assert!(whos.contains(&"S.") && whos.contains(&"J."), "initials: {whos:?}");

        // Sanity: a board without privacy mode does show who wrote what.
        let raw = String::from_utf8_lossy(&t.get_raw(&format!("/wallboard/{}/state", open.token)).await.1).into_owned();
        for shown in [
            "Sanne de Vries",
            "Joost Visser",
            "06-12345678",
            "sanne.devries@example.nl",
            "Noor Hendriks",
        ] {
            assert!(raw.contains(shown), "the open board shows {shown:?}: {raw}");
        }
    }
);

both_backends!(the_figures_match_the_service_level_report, |t| async move {
    let cal = Calendar::default();
    // Yesterday 23:00 in Amsterdam: answered in five minutes, and not part of today.
    let start = t.now();
    t.clock.set(cal.day_start(start) - 60 * MINUTE);
    t.customer_writes("31600000001", "Gisteren", "wamid.FIG0", "Nog even laat een vraag")
        .await;
    let yesterday = inbound_conversation(t, "Gisteren").await;
    t.clock.advance(5 * MINUTE);
    t.reply(&yesterday, json!({ "text": "Graag gedaan." })).await;

    // Today from 11:00: three on WhatsApp (5 min, 20 min, never), two on X.
    t.clock.set(start);
    let customers = [
        ("31611111111", "Anna"),
        ("31622222222", "Bert"),
        ("31633333333", "Cees"),
    ];
    for (i, (wa_id, name)) in customers.iter().enumerate() {
        t.customer_writes(wa_id, name, &format!("wamid.FIG{}", i + 1), "Hallo")
            .await;
    }
    t.clock.advance(5 * MINUTE);
    t.reply(
        &inbound_conversation(t, "Anna").await,
        json!({ "text": "Binnen vijf minuten." }),
    )
    .await;
    t.clock.advance(15 * MINUTE);
    t.reply(
        &inbound_conversation(t, "Bert").await,
        json!({ "text": "Na twintig minuten." }),
    )
    .await;
    let dm = x_payload::dm(
        X_USER_ID,
        "5200000000000000001",
        "2200000000000000001",
        "Xander",
        "xander",
        "Hoi",
        t.now(),
    );
    assert_eq!(t.post_x(dm).await, 200);
    t.clock.advance(10 * MINUTE);
    t.reply(
        &inbound_conversation(t, "Xander").await,
        json!({ "text": "Hoi Xander!" }),
    )
    .await;
    let dm = x_payload::dm(
        X_USER_ID,
        "5200000000000000002",
        "2200000000000000002",
        "Yara",
        "yara",
        "Hallo?",
        t.now(),
    );
    assert_eq!(t.post_x(dm).await, 200);
    t.clock.advance(2 * MINUTE);

    let board = privacy_board(t, "TV koffiehoek").await;
    let only_x = t
        .create_wallboard(json!({ "name": "X-scherm", "profile_ids": [t.x_profile_id], "privacy": true }))
        .await;
    let state = t.wallboard_state(&board.token).await["state"].clone();
    let from = cal.day_start(t.now());
    let to = cal.bucket_next(hubert_core::time::Bucket::Day, from);
    assert_eq!(
        from,
        start - 11 * 60 * MINUTE,
        "midnight in Amsterdam is 23:00 UTC in winter"
    );
    let report = |profile: &str| {
        let path = format!("/api/v1/reports/service-level?profile={profile}&from={from}&to={to}&bucket=day");
        async move {
            let report = t.get(&path).await;
            let buckets = report["buckets"].as_array().unwrap();
            assert_eq!(buckets.len(), 1, "{report}");
            buckets[0].clone()
        }
    };
    let cards = state["profiles"].as_array().unwrap();
    assert_eq!(cards.len(), 2, "{state}");
    for (profile, needing, answered, waiting) in [(&t.wa_profile_id, 3, 2, 1), (&t.x_profile_id, 2, 1, 1)] {
        let card = cards.iter().find(|c| c["id"] == profile.as_str()).unwrap();
        let day = report(profile).await;
        for figure in ["percent_within", "needing_answer", "answered", "target_percent"] {
            assert_eq!(
                card[figure], day[figure],
                "{figure} of {}: card {card}, report {day}",
                card["name"]
            );
        }
        assert_eq!(card["needing_answer"], needing, "{card}");
        assert_eq!(card["answered"], answered, "{card}");
        assert_eq!(card["waiting"], waiting, "{card}");
        let only = t.wallboard_state(&only_x.token).await["state"]["profiles"].clone();
        if profile == &t.x_profile_id {
            assert_eq!(only[0]["percent_within"], day["percent_within"], "{only}");
        }
    }
    // WhatsApp: one within 15 minutes, one late, one overdue unanswered.
    let wa = cards.iter().find(|c| c["id"] == t.wa_profile_id.as_str()).unwrap();
    let percent = wa["percent_within"].as_f64().unwrap();
    assert!((percent - 100.0 / 3.0).abs() < 0.01, "{wa}");
    assert_eq!(wa["tone"], "bad", "{wa}");
    assert_eq!(
        t.wallboard_state(&only_x.token).await["state"]["profiles"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Today over all profiles equals the report over all profiles.
    let all = t
        .get(&format!("/api/v1/reports/service-level?from={from}&to={to}&bucket=day"))
        .await["buckets"][0]
        .clone();
    assert_eq!(
        state["today"]["percent_within"], all["percent_within"],
        "today {} / report {all}",
        state["today"]
    );
    assert_eq!(state["today"]["now"]["answered"], all["answered"]);
    assert_eq!(
        state["today"]["now"]["received"], 5,
        "yesterday's message is not today's"
    );
    assert_eq!(state["today"]["now"]["median_response_ms"], all["median_response_ms"]);
});

/// The conversation id of the contact called `name`.
async fn inbound_conversation(t: &TestApp, name: &str) -> String {
    t.conversations("")
        .await
        .into_iter()
        .find(|c| c["contact"]["name"] == name)
        .unwrap_or_else(|| panic!("a conversation with {name}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

both_backends!(
    a_new_message_reaches_an_open_wallboard_within_two_seconds,
    |t| async move {
        let board = privacy_board(t, "TV koffiehoek").await;
        let (mut stream, first) = open_stream(t, &board).await;
        assert!(first["feed"].as_array().unwrap().is_empty(), "{first}");

        let text = "Mijn stroom is uitgevallen in Utrecht-Oost, is er een storing bekend?";
        let sent = Instant::now();
        t.customer_writes(FATIMA, "Fatima de Vries", "wamid.LIVE1", text).await;
        let state = stream.state_where(LIVE, |s| feed_has(s, "storing bekend")).await;
        let elapsed = sent.elapsed();
        let state = state.unwrap_or_else(|| panic!("no update within two seconds:\n{}", stream.raw_text()));
        eprintln!("the wallboard showed the message {elapsed:?} after the webhook");
        assert_eq!(state["feed"][0]["who"], "F.");
        assert_eq!(state["feed"][0]["platform"], "whatsapp");
        assert_eq!(
            state["profiles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["waiting"].as_i64().unwrap())
                .sum::<i64>(),
            1
        );
    }
);

both_backends!(twenty_screens_all_receive_one_update, |t| async move {
    let board = privacy_board(t, "TV koffiehoek").await;
    let mut streams = Vec::new();
    for _ in 0..20 {
        streams.push(open_stream(t, &board).await.0);
    }
    t.customer_writes(
        FATIMA,
        "Fatima",
        "wamid.FAN1",
        "Wanneer komt de monteur voor de slimme meter?",
    )
    .await;
    let waits = streams
        .iter_mut()
        .map(|s| s.state_where(LIVE * 2, |s| feed_has(s, "slimme meter")));
    let states: Vec<Option<Value>> = futures::future::join_all(waits).await;
    let got = states.iter().filter(|s| s.is_some()).count();
    assert_eq!(got, 20, "only {got} of 20 screens got the update");
});

both_backends!(
    stars_fill_the_wall_of_love_and_the_banner_follows_the_lead,
    |t| async move {
        let board = privacy_board(t, "TV koffiehoek").await;
        t.customer_writes(
            FATIMA,
            "Fatima",
            "wamid.LOVE1",
            "Hartelijk dank voor uw vriendelijke uitleg over de slimme meter.",
        )
        .await;
        let id = inbound_message_id(t, "Fatima").await;
        let love = |s: &Value| s["love"].as_array().cloned().unwrap_or_default();
        assert!(love(&t.wallboard_state(&board.token).await["state"]).is_empty());

        // An agent stars the compliment: it shows on the wall of love, live.
        let (mut stream, _) = open_stream(t, &board).await;
        let (status, body) = t
            .post_as(&format!("/api/v1/messages/{id}/star"), &t.agent_token, json!({}))
            .await;
        assert_eq!(status, 200, "{body}");
        let live = stream
            .state_where(LIVE, |s| !love(s).is_empty())
            .await
            .expect("the star reaches the open board");
        assert_eq!(love(&live)[0]["id"], id.as_str());
        let state = t.wallboard_state(&board.token).await["state"].clone();
        assert_eq!(love(&state).len(), 1);
        assert_eq!(
            love(&state)[0]["text"],
            "Hartelijk dank voor uw vriendelijke uitleg over de slimme meter."
        );
        let (status, _) = t.post(&format!("/api/v1/messages/{id}/star"), json!({})).await;
        assert_eq!(status, 200, "starring twice is fine");
        assert_eq!(
            love(&t.wallboard_state(&board.token).await["state"]).len(),
            1,
            "and shows once"
        );

        // Only customer messages are compliments.
        let conversation = inbound_conversation(t, "Fatima").await;
        let reply = t.reply(&conversation, json!({ "text": "Graag gedaan!" })).await;
        let (status, _) = t.post(&format!("/api/v1/messages/{reply}/star"), json!({})).await;
        assert_eq!(status, 404, "our own reply is no compliment");
        let (status, _) = t.post("/api/v1/messages/no-such-message/star", json!({})).await;
        assert_eq!(status, 404);

        let (status, body) = t.delete_as(&format!("/api/v1/messages/{id}/star"), &t.token).await;
        assert_eq!(status, 200, "{body}");
        assert!(
            love(&t.wallboard_state(&board.token).await["state"]).is_empty(),
            "un-starred"
        );

        // The banner: set by a lead, shown live, cleared by an empty text.
        let cake = "Taart in de keuken om 15:00!";
        let (status, body) = t
            .put_as("/api/v1/banner", &t.agent_token, json!({ "text": cake }))
            .await;
        assert_eq!(status, 403, "agents do not set the banner: {body}");
        let (status, body) = t.put_as("/api/v1/banner", &t.token, json!({ "text": cake })).await;
        assert_eq!(status, 200, "{body}");
        let live = stream
            .state_where(LIVE, |s| s["banner"] == cake)
            .await
            .expect("the banner reaches the open board");
        assert_eq!(live["banner"], cake);
        assert_eq!(t.wallboard_state(&board.token).await["state"]["banner"], cake);
        let (status, _) = t
            .put_as("/api/v1/banner", &t.token, json!({ "text": "x".repeat(141) }))
            .await;
        assert!(status == 422 || status == 400, "a too long banner: {status}");
        assert_eq!(
            t.wallboard_state(&board.token).await["state"]["banner"],
            cake,
            "unchanged"
        );
        let (status, _) = t.put_as("/api/v1/banner", &t.token, json!({ "text": "" })).await;
        assert_eq!(status, 200);
        assert_eq!(t.wallboard_state(&board.token).await["state"]["banner"], Value::Null);

        // A banner for 30 minutes expires on the (fake) clock.
        let outage = "Storing Utrecht-Oost: monteurs zijn onderweg";
        let (status, body) = t
            .put_as("/api/v1/banner", &t.token, json!({ "text": outage, "minutes": 30 }))
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(t.wallboard_state(&board.token).await["state"]["banner"], outage);
        t.clock.advance(29 * MINUTE + 59_000);
        assert_eq!(
            t.wallboard_state(&board.token).await["state"]["banner"],
            outage,
            "at +29:59"
        );
        t.clock.advance(2_000);
        assert_eq!(
            t.wallboard_state(&board.token).await["state"]["banner"],
            Value::Null,
            "expired at +30:00"
        );
    }
);
