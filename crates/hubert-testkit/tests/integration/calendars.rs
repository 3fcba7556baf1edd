//! Opening hours and holidays on both databases: a Friday-evening message's deadline on
//! Monday, a holiday pushing it further, the clock standing still (`paused_until`),
//! yesterday's scores unchanged by today's edit, a past `effective_from` refused unless
//! `rewrite_history` (audited), strict validation, roles, and the holiday calendar.

use hubert_core::calendar::Calendar;

use super::*;

const HOUR: i64 = 60 * MINUTE;

/// Local Amsterdam time on a date.
fn local(date: &str, h: i64, m: i64) -> i64 {
    Calendar::default().parse_date(date).unwrap() + h * HOUR + m * MINUTE
}

async fn put_as(t: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    let res = t
        .http
        .put(t.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("PUT request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Weekdays 08:00–20:00, Dutch holidays as "nl", from `effective_from`.
fn office(effective_from: i64) -> Value {
    let day = json!([["08:00", "20:00"]]);
    json!({
        "timezone": "Europe/Amsterdam",
        "mode": "opening_hours",
        "periods": { "mon": day, "tue": day, "wed": day, "thu": day, "fri": day },
        "holidays": "nl",
        "closed": ["2026-12-24"],
        "special": [{ "date": "2026-12-31", "periods": [["08:00", "16:00"]] }],
        "effective_from": effective_from,
    })
}

async fn set_office(t: &TestApp) {
    let path = format!("/api/v1/profiles/{}/calendar", t.wa_profile_id);
    // From a moment before any message of the test.
    let (status, body) = put_as(t, &path, &t.token, office(local("2025-01-01", 0, 0))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["mode"], "opening_hours");
}

async fn deadline(t: &TestApp, at: i64) -> Value {
    t.get(&format!("/api/v1/profiles/{}/deadline?at={at}", t.wa_profile_id))
        .await["deadline"]
        .clone()
}

both_backends!(a_friday_evening_message_is_due_on_monday_morning, |t| async move {
    set_office(t).await;
    let friday = local("2026-01-09", 19, 55);
    // 15 minutes: 5 on Friday until 20:00, 10 on Monday from 08:00.
    assert_eq!(deadline(t, friday).await, local("2026-01-12", 8, 10));
    // Easter Monday (6 April 2026) is a holiday: Friday 3 April's message waits until Tuesday.
    assert_eq!(
        deadline(t, local("2026-04-03", 19, 55)).await,
        local("2026-04-07", 8, 10)
    );

    t.clock.set(friday);
    t.customer_writes(FATIMA, "Fatima", "wamid.CAL1", "Zijn jullie nog open?")
        .await;
    let sla = t.only_conversation(&t.wa_profile_id).await["sla"].clone();
    assert_eq!(sla["deadline"], local("2026-01-12", 8, 10));
    assert_eq!(sla.get("paused_until"), None, "the clock runs until 20:00: {sla}");
    t.clock.set(local("2026-01-10", 11, 0));
    let sla = t.only_conversation(&t.wa_profile_id).await["sla"].clone();
    assert_eq!(sla["paused_until"], local("2026-01-12", 8, 0));
    assert_eq!(sla["state"], "inside", "{sla}");
    assert_eq!(sla["remaining_ms"], 10 * MINUTE);
    t.clock.set(local("2026-01-12", 8, 11));
    let sla = t.only_conversation(&t.wa_profile_id).await["sla"].clone();
    assert_eq!(sla["state"], "outside", "{sla}");
});

both_backends!(editing_the_calendar_today_leaves_yesterday_unchanged, |t| async move {
    set_office(t).await;
    t.clock.set(local("2026-01-09", 19, 55));
    t.customer_writes(FATIMA, "Fatima", "wamid.CAL2", "Hallo?").await;
    let id = t.only_conversation(&t.wa_profile_id).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The customer writes again on Monday (WhatsApp's 24-hour window opens again).
    t.clock.set(local("2026-01-12", 8, 0));
    t.customer_writes(FATIMA, "Fatima", "wamid.CAL2b", "Hallo??").await;
    t.clock.set(local("2026-01-12", 8, 5));
    t.reply(&id, json!({ "text": "Goedemorgen, ik help u graag." })).await;
    let answered = |ms: &[Value]| ms.iter().find(|m| m["direction"] == "in").cloned().unwrap();
    let m = answered(&t.messages(&id).await);
    assert_eq!(m["business_response_ms"], 10 * MINUTE);
    assert_eq!(
        m["response_ms"],
        local("2026-01-12", 8, 5) - local("2026-01-09", 19, 55)
    );

    let report_path = format!(
        "/api/v1/reports/service-level?profile={}&from=2026-01-09&to=2026-01-09&bucket=day",
        t.wa_profile_id
    );
    let within = |r: &Value| r["buckets"][0]["answered_within"].clone();
    assert_eq!(within(&t.get(&report_path).await), 1);

    // Tuesday: the clock now runs 24/7 from today on.
    t.clock.set(local("2026-01-13", 9, 0));
    let path = format!("/api/v1/profiles/{}/calendar", t.wa_profile_id);
    let always = json!({ "timezone": "Europe/Amsterdam", "mode": "always" });
    let (status, body) = put_as(t, &path, &t.token, always.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(within(&t.get(&report_path).await), 1, "Friday's score stands");
    assert_eq!(answered(&t.messages(&id).await)["business_response_ms"], 10 * MINUTE);

    // Norms follow the same rule: a stricter norm from today leaves Friday's score.
    let norm_path = format!("/api/v1/profiles/{}/service-level", t.wa_profile_id);
    let early = json!({ "threshold_minutes": 5, "target_percent": 90.0, "effective_from": local("2026-01-01", 0, 0) });
    let (status, body) = put_as(t, &norm_path, &t.token, early).await;
    assert_eq!(status, 409, "{body}");
    let (status, body) = put_as(
        t,
        &norm_path,
        &t.token,
        json!({ "threshold_minutes": 5, "target_percent": 90.0 }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["threshold_minutes"], 5);
    assert_eq!(within(&t.get(&report_path).await), 1, "Friday keeps its 15-minute norm");

    // Back-dating the change past Friday's message is refused …
    let mut backdated = always.clone();
    backdated["effective_from"] = json!(local("2026-01-09", 0, 0));
    let (status, body) = put_as(t, &path, &t.token, backdated.clone()).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "history_exists", "{body}");
    // … unless history is rewritten on purpose, which recomputes and is audited.
    backdated["rewrite_history"] = json!(true);
    let (status, body) = put_as(t, &path, &t.token, backdated).await;
    assert_eq!(status, 200, "{body}");
    let m = answered(&t.messages(&id).await);
    assert_eq!(m["business_response_ms"], m["response_ms"]);
    assert_eq!(within(&t.get(&report_path).await), 0, "rewritten: now missed");
    let audit = t.get("/api/v1/audit?kind=history.rewritten").await;
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(1), "{audit}");
});

both_backends!(calendars_are_validated_and_changed_by_leads_only, |t| async move {
    let path = format!("/api/v1/profiles/{}/calendar", t.wa_profile_id);
    let (status, _) = put_as(t, &path, &t.agent_token, office(t.now())).await;
    assert_eq!(status, 403, "agents read, leads and admins change");
    let (status, body) = t.get_as(&path, &t.agent_token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["mode"], "always", "24/7 until set: {body}");
    for (field, value) in [
        ("timezone", json!("Mars/Olympus")),
        ("periods", json!({ "mon": [["08:00", "25:00"]] })),
        ("periods", json!({ "mon": [["12:00", "08:00"]] })),
        ("periods", json!({ "maandag": [["08:00", "12:00"]] })),
        ("closed", json!(["2026-02-30"])),
        ("holidays", json!({ "country": "nl", "liberation_day": "sometimes" })),
        ("mode", json!("sometimes")),
    ] {
        let mut body = office(t.now());
        body[field] = value;
        let (status, res) = put_as(t, &path, &t.token, body).await;
        assert_eq!(status, 422, "{field}: {res}");
    }
});

both_backends!(the_holiday_calendar_lists_every_day_with_its_options, |t| async move {
    let items = |v: Value| -> Vec<(String, String)> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["date"].as_str().unwrap().to_owned(),
                    i["name"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let y2025 = items(t.get("/api/v1/holidays?country=nl&year=2025").await);
    let dates: Vec<&str> = y2025.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(
        dates,
        [
            "2025-01-01",
            "2025-04-18",
            "2025-04-20",
            "2025-04-21",
            "2025-04-26",
            "2025-05-05",
            "2025-05-29",
            "2025-06-08",
            "2025-06-09",
            "2025-12-25",
            "2025-12-26"
        ]
    );
    assert!(y2025.contains(&("2025-04-26".into(), "Koningsdag".into())));
    assert!(y2025.contains(&("2025-05-05".into(), "Bevrijdingsdag".into())));
    // A lustrum year under "nl": Bevrijdingsdag 2030 closes the clock, 2026 does not.
    let y2030 = items(t.get("/api/v1/holidays?country=nl&year=2030").await);
    assert!(y2030.contains(&("2030-05-05".into(), "Bevrijdingsdag".into())));
    set_office(t).await;
    // Monday 6 May 2030 09:00: Bevrijdingsdag is Sunday 5 May, so Monday is open.
    assert_eq!(deadline(t, local("2030-05-06", 9, 0)).await, local("2030-05-06", 9, 15));
    // 5 May 2025 (a Monday in a lustrum year) is closed: due Tuesday.
    assert_eq!(deadline(t, local("2025-05-05", 9, 0)).await, local("2025-05-06", 8, 15));
    let (status, _) = t.get_as("/api/v1/holidays?country=be&year=2025", &t.token).await;
    assert_eq!(status, 422);
});

both_backends!(a_norm_changed_by_patch_applies_from_now_on, |t| async move {
    t.customer_writes(FATIMA, "Fatima", "wamid.CAL3", "Hallo?").await;
    let id = t.only_conversation(&t.wa_profile_id).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    t.clock.advance(10 * MINUTE);
    t.reply(&id, json!({ "text": "Ik help u graag." })).await;
    let res = t
        .http
        .patch(t.url(&format!("/api/v1/profiles/{}", t.wa_profile_id)))
        .bearer_auth(&t.token)
        .json(&json!({ "service_level": { "threshold_minutes": 5 } }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let norm = t
        .get(&format!("/api/v1/profiles/{}/service-level", t.wa_profile_id))
        .await;
    assert_eq!(norm["threshold_minutes"], 5);
    let versions = norm["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2, "{norm}");
    assert_eq!(
        versions[0]["effective_from"],
        Value::Null,
        "the earlier norm from the start"
    );
    assert_eq!(versions[0]["threshold_minutes"], 15);
    assert_eq!(versions[1]["effective_from"], t.now());
    let report = t
        .get(&format!(
            "/api/v1/reports/service-level?profile={}&from=2026-01-01&to=2026-01-01&bucket=day",
            t.wa_profile_id
        ))
        .await;
    assert_eq!(
        report["buckets"][0]["answered_within"], 1,
        "answered in 10 of 15 minutes: {report}"
    );
});
