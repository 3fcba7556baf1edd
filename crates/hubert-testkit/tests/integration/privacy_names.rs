//! Finding 10 of issue 7: a privacy board hides the names a customer types in a message
//! ("mijn vrouw Annelies", "met Pieter"), not only the contact's own name. Asserted on the
//! raw bytes of the board's stream and state, like the other privacy tests.

use super::*;

const MESSAGE: &str = "Ik bel namens mijn vrouw Annelies, ik was net met Pieter van de buren";

fn feed_shows(state: &Value, needle: &str) -> bool {
    state["feed"].as_array().is_some_and(|feed| {
        feed.iter()
            .any(|i| i["text"].as_str().is_some_and(|t| t.contains(needle)))
    })
}

both_backends!(a_privacy_board_never_shows_names_typed_in_a_message, |t| async move {
    let board = t
        .create_wallboard(
            json!({ "name": "TV koffiehoek", "profile_ids": [], "privacy": true, "rotate_seconds": null }),
        )
        .await;
    let open = t
        .create_wallboard(json!({ "name": "Teamscherm", "profile_ids": [], "privacy": false, "rotate_seconds": null }))
        .await;
    let mut stream = t.wallboard_events(&board.token).await;

    t.customer_writes("31687654321", "Marloes Kuipers", "wamid.NAMES1", MESSAGE)
        .await;

    let live = stream
        .state_where(WAIT, |s| feed_shows(s, "van de buren"))
        .await
        .unwrap_or_else(|| panic!("no state with the message arrived:\n{}", stream.raw_text()));
    assert!(
        feed_shows(&live, "namens mijn vrouw [naam], ik was net met [naam] van de buren"),
        "the names are masked and the message still reads: {live}"
    );
    let (status, state) = t.get_raw(&format!("/wallboard/{}/state", board.token)).await;
    assert_eq!(status, 200);
    let (status, page) = t.get_raw(&format!("/wallboard/{}", board.token)).await;
    assert_eq!(status, 200);
    for (what, raw) in [
        ("the SSE stream", stream.raw_text()),
        ("the state JSON", String::from_utf8_lossy(&state).into_owned()),
        ("the kiosk page", String::from_utf8_lossy(&page).into_owned()),
    ] {
        for name in ["Annelies", "Pieter", "Marloes", "Kuipers"] {
            assert!(!raw.contains(name), "{what} shows {name:?}:\n{raw}");
        }
    }

    // Sanity: a board without privacy mode shows the message as written.
    let (_, raw) = t.get_raw(&format!("/wallboard/{}/state", open.token)).await;
    let raw = String::from_utf8_lossy(&raw);
    assert!(raw.contains(MESSAGE), "the open board shows the message: {raw}");
});
