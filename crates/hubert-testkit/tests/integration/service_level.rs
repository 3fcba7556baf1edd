//! The service level on the fake clock, exact to the second: the states while a
//! customer waits, the verdict after a reply, one reply answering every waiting
//! message, "no reply needed", reopening, and the report over a known set.

use super::*;

/// The WhatsApp conversation's `sla` object as the inbox API shows it now.
async fn sla(t: &TestApp) -> Value {
    t.only_conversation(&t.wa_profile_id).await["sla"].clone()
}

both_backends!(
    the_badge_goes_from_inside_to_at_risk_to_outside_on_the_clock,
    |t| async move {
        let t0 = t.now();
        t.customer_writes(FATIMA, "Fatima", "wamid.SLA1", "Wanneer komt de monteur?")
            .await;

        let s = sla(t).await;
        assert_eq!(s["state"], "inside", "at +0:00");
        assert_eq!(s["waiting_since"], t0);
        assert_eq!(s["deadline"], t0 + 15 * MINUTE);

        t.clock.set(t0 + 11 * MINUTE + 59_000);
        assert_eq!(sla(t).await["state"], "inside", "at +11:59");
        t.clock.set(t0 + 12 * MINUTE + 1_000);
        assert_eq!(
            sla(t).await["state"],
            "at_risk",
            "at +12:01, in the last 20% of 15 minutes"
        );
        t.clock.set(t0 + 15 * MINUTE + 1_000);
        assert_eq!(sla(t).await["state"], "outside", "at +15:01");
    }
);

both_backends!(a_reply_within_the_norm_stops_the_clock_as_met, |t| async move {
    t.customer_writes(FATIMA, "Fatima", "wamid.SLA2", "Mijn rekening is te hoog")
        .await;
    let id = t.only_conversation(&t.wa_profile_id).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    t.clock.advance(6 * MINUTE);
    t.reply(&id, json!({ "text": "Dat zoeken we voor u uit." })).await;

    let s = sla(t).await;
    assert_eq!(s["state"], "met");
    assert_eq!(s["response_ms"], 360_000);
    assert_eq!(s["waiting_since"], Value::Null);
    let customer = t
        .messages(&id)
        .await
        .into_iter()
        .find(|m| m["direction"] == "in")
        .unwrap();
    assert_eq!(customer["response_ms"], 360_000);

    // Time passing after the answer changes nothing.
    t.clock.advance(60 * MINUTE);
    assert_eq!(sla(t).await["state"], "met");
});

both_backends!(one_reply_answers_every_waiting_message, |t| async move {
    t.customer_writes(FATIMA, "Fatima", "wamid.W1", "Hallo?").await;
    t.clock.advance(2 * MINUTE);
    t.customer_writes(FATIMA, "Fatima", "wamid.W2", "Is daar iemand?").await;
    let c = t.only_conversation(&t.wa_profile_id).await;
    assert_eq!(
        c["sla"]["waiting_since"],
        t.now() - 2 * MINUTE,
        "the clock runs from the first unanswered message"
    );
    t.clock.advance(3 * MINUTE);
    let id = c["id"].as_str().unwrap();
    t.reply(id, json!({ "text": "Ja, ik help u graag." })).await;

    let mut times: Vec<i64> = t
        .messages(id)
        .await
        .iter()
        .filter(|m| m["direction"] == "in")
        .map(|m| m["response_ms"].as_i64().expect("answered"))
        .collect();
    times.sort();
    assert_eq!(times, vec![3 * MINUTE, 5 * MINUTE]);
    assert_eq!(sla(t).await["response_ms"], 5 * MINUTE);
});

both_backends!(
    no_reply_needed_stops_the_clock_and_a_new_message_reopens,
    |t| async move {
        t.customer_writes(FATIMA, "Fatima", "wamid.N1", "Bedankt voor de snelle hulp!")
            .await;
        let id = t.only_conversation(&t.wa_profile_id).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (status, body) = t
            .post(&format!("/api/v1/conversations/{id}/no-reply-needed"), json!({}))
            .await;
        assert_eq!(status, 200, "{body}");

        let s = sla(t).await;
        assert!(s["state"] == "not_needed" || s["state"] == "none", "state {s}");
        assert_eq!(s["waiting_since"], Value::Null);
        t.clock.advance(60 * MINUTE);
        let s = sla(t).await;
        assert!(
            s["state"] != "outside" && s["state"] != "missed",
            "a stopped clock never breaks: {s}"
        );
        let thanks = t
            .messages(&id)
            .await
            .into_iter()
            .find(|m| m["direction"] == "in")
            .unwrap();
        assert_eq!(thanks["no_reply_needed"], true);

        let (status, body) = t.post(&format!("/api/v1/conversations/{id}/resolve"), json!({})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(t.conversation(&id).await["status"], "resolved");

        t.clock.advance(60 * MINUTE);
        t.customer_writes(FATIMA, "Fatima", "wamid.N2", "Toch nog een vraag")
            .await;
        let c = t.only_conversation(&t.wa_profile_id).await;
        assert_eq!(c["id"], id.as_str(), "the same conversation reopens");
        assert_eq!(c["status"], "open");
        assert_eq!(c["sla"]["state"], "inside");
        assert_eq!(c["sla"]["waiting_since"], t.now());
    }
);

both_backends!(the_service_level_report_counts_a_known_day, |t| async move {
    // Three customers write at 10:00; answers after 5 and 20 minutes, one never.
    let customers = [
        ("31611111111", "Anna"),
        ("31622222222", "Bert"),
        ("31633333333", "Cees"),
    ];
    for (i, (wa_id, name)) in customers.iter().enumerate() {
        t.customer_writes(wa_id, name, &format!("wamid.REP{i}"), "Hallo").await;
    }
    let conversations = t.conversations(&format!("?profile={}", t.wa_profile_id)).await;
    let id_of = |name: &str| {
        conversations.iter().find(|c| c["contact"]["name"] == name).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    t.clock.advance(5 * MINUTE);
    t.reply(&id_of("Anna"), json!({ "text": "Binnen vijf minuten." })).await;
    t.clock.advance(15 * MINUTE);
    t.reply(&id_of("Bert"), json!({ "text": "Na twintig minuten." })).await;

    let report = t
        .get(&format!(
            "/api/v1/reports/service-level?profile={}&from=2026-01-01&to=2026-01-01&bucket=day",
            t.wa_profile_id
        ))
        .await;
    let buckets = report["buckets"].as_array().unwrap();
    assert_eq!(buckets.len(), 1, "{report}");
    let day = &buckets[0];
    assert_eq!(day["bucket"], "2026-01-01");
    assert_eq!(day["needing_answer"], 3);
    assert_eq!(day["answered"], 2);
    assert_eq!(day["answered_within"], 1);
    assert_eq!(day["overdue_unanswered"], 1);
    let percent = day["percent_within"].as_f64().unwrap();
    assert!((percent - 100.0 / 3.0).abs() < 0.01, "percent within {percent}");
    assert_eq!(day["target_percent"], 95.0);
    assert_eq!(day["target_met"], false);
    assert_eq!(day["median_response_ms"], 5 * MINUTE);
    assert_eq!(day["p90_response_ms"], 20 * MINUTE);

    let (status, body) = t.get_as("/api/v1/reports/service-level?bucket=year", &t.token).await;
    assert_eq!(status, 422, "{body}");
});
