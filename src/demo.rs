//! `hubert demo`: a seeded workspace ("Zonnestroom", an energy supplier), the fake
//! platforms of every registered channel in-process (WhatsApp, X, LinkedIn, and Facebook
//! and Instagram where registered: `demo_social`), and a traffic simulator that sends
//! realistic Dutch customer messages through the real, signed webhook endpoints. Simulated
//! colleagues answer part of the traffic through the real API, some quickly, some late.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hubert_app::conversations::ReplyRequest;
use hubert_app::workers::delivery::CrashAfterSend;
use hubert_app::{App, Endpoints, Principal};
use hubert_channels::fake::{self, FakeGraph, FakeX, WindowMode};
use hubert_core::time::{HOUR, MINUTE};
use hubert_core::{Clock, Platform, Role, ShiftedClock, SystemClock};
use hubert_store::{ConversationFilter, ProfileRow};
use hubert_web::server::{self, ServerConfig};
use rand::seq::SliceRandom;
use rand::Rng;
use serde_json::json;

pub const DEMO_PASSWORD: &str = "hubert-demo";
pub const DEMO_LOGIN: &str = "demo@zonnestroom.nl";
const WA_PHONE_NUMBER_ID: &str = "209876543210987";
const WA_APP_SECRET: &str = "demo-meta-app-secret";
const X_USER_ID: &str = "1600000000000000001";
const X_CONSUMER_SECRET: &str = "demo-x-consumer-secret";

struct Customer {
    name: &'static str,
    phone: &'static str,
    x_id: &'static str,
    x_handle: &'static str,
}

const CUSTOMERS: &[Customer] = &[
    Customer {
        name: "Sanne de Vries",
        phone: "31612345678",
        x_id: "1550000000000000701",
        x_handle: "sannedv",
    },
    Customer {
        name: "Joost Visser",
        phone: "31623456789",
        x_id: "1550000000000000777",
        x_handle: "joostvisser_",
    },
    Customer {
        name: "Femke Smit",
        phone: "31634567890",
        x_id: "1550000000000000702",
        x_handle: "femkesmit",
    },
    Customer {
        name: "Pieter Jansen",
        phone: "31645678901",
        x_id: "1550000000000000703",
        x_handle: "pjansen",
    },
    Customer {
        name: "Marloes Kuipers",
        phone: "31656789012",
        x_id: "1550000000000000704",
        x_handle: "marloesk",
    },
    Customer {
        name: "Ahmed El Amrani",
        phone: "31667890123",
        x_id: "1550000000000000705",
        x_handle: "ahmed_ea",
    },
    Customer {
        name: "Kees Bakker",
        phone: "31678901234",
        x_id: "1550000000000000706",
        x_handle: "keesbakker",
    },
    Customer {
        name: "Lisa van Dijk",
        phone: "31689012345",
        x_id: "1550000000000000707",
        x_handle: "lisavd",
    },
    Customer {
        name: "Mehmet Yilmaz",
        phone: "31690123456",
        x_id: "1550000000000000708",
        x_handle: "mehmety",
    },
    Customer {
        name: "Anouk Mulder",
        phone: "31601234567",
        x_id: "1550000000000000709",
        x_handle: "anoukmulder",
    },
    Customer {
        name: "Wim de Boer",
        phone: "31611223344",
        x_id: "1550000000000000710",
        x_handle: "wimdeboer",
    },
    Customer {
        name: "Noor Hendriks",
        phone: "31622334455",
        x_id: "1550000000000000711",
        x_handle: "noorh",
    },
];

/// Customer messages: meter readings, outages, bills, moving house, thanks, complaints;
/// formal (u) and informal (je/jij).
const MESSAGES: &[&str] = &[
    "Goedemiddag, ik wil graag mijn meterstand doorgeven: 04512 kWh normaal en 03188 kWh dal. Kunt u dat verwerken?",
    "Hoi! Waar kan ik mijn meterstand invullen? De link in de mail werkt niet 🙈",
    "Mijn stroom is uitgevallen in Utrecht-Oost, is er een storing bekend?",
    "Al twee uur geen stroom in Amersfoort-Noord. Wanneer is dit opgelost??",
    "Geachte heer/mevrouw, mijn jaarafrekening is veel hoger dan verwacht. Kunt u uitleggen hoe dit bedrag tot stand komt?",
    "Hé, waarom is mijn termijnbedrag ineens €40 omhoog gegaan? Heb niks veranderd.",
    "Wij verhuizen per 1 december naar Dorpsstraat 12 in Zeist. Hoe geef ik dat door?",
    "Ik ga verhuizen, kan ik mijn contract meenemen naar mijn nieuwe adres?",
    "Dank jullie wel voor de snelle hulp gisteren, echt top geregeld! 👍",
    "Hartelijk dank voor uw vriendelijke uitleg over de slimme meter.",
    "Dit is nu de derde keer dat ik bel en niemand helpt me. Heel slechte service!",
    "Ik heb al een week geen reactie op mijn e-mail over de terugbetaling. Dit kan echt niet.",
    "Kunnen jullie me terugbellen op 06-12345678? Het gaat over mijn klantnummer 4012345.",
    "Mijn zonnepanelen leveren terug maar ik zie niks op mijn rekening. Klopt dat?",
    "Wanneer komt de monteur voor de slimme meter? Ik heb vrijdag vrij genomen.",
    "Is de storing in postcode 3511 inmiddels verholpen? Ik heb nog steeds geen stroom.",
    "Graag ontvang ik een kopie van mijn contract. Bij voorbaat dank.",
    "Hoe zet ik mijn automatische incasso om naar een ander rekeningnummer?",
];

const X_MENTIONS: &[&str] = &[
    "@ZonnestroomNL al 2 dagen wacht ik op antwoord over mijn jaarafrekening",
    "@ZonnestroomNL storing in Utrecht? Hele straat zit zonder stroom",
    "@ZonnestroomNL top dat de monteur zo snel kwam, bedankt! ☀️",
    "@ZonnestroomNL waarom is jullie app nu alweer offline?",
    "@ZonnestroomNL hoe kan ik mijn meterstand doorgeven zonder inlog?",
];

const REPLIES: &[&str] = &[
    "Dank voor je bericht! Ik zoek het direct voor je uit. Groet, {name}",
    "Vervelend dat je zonder stroom zit. Onze monteurs zijn onderweg; we verwachten het binnen twee uur op te lossen. Groet, {name}",
    "Goed dat je het laat weten. Stuur je je klantnummer even via een privébericht? Dan kijk ik mee. Groet, {name}",
    "Wat fijn om te horen, dank je wel! Fijne dag, {name}",
    "Dank u voor uw bericht. Ik heb uw meterstand verwerkt; u ziet hem binnen een dag in de app. Met vriendelijke groet, {name}",
];

pub async fn run(
    listen: SocketAddr,
    database_url: &str,
    interval: u64,
    clock_control: Option<SocketAddr>,
) -> anyhow::Result<()> {
    let shifted = ShiftedClock::default();
    let clock: Arc<dyn Clock> = if clock_control.is_some() {
        Arc::new(shifted.clone())
    } else {
        Arc::new(SystemClock)
    };
    let fakes = fake::Fakes::start().await;
    fakes.set_clock(clock.clone());
    let graph: FakeGraph = fakes
        .typed(Platform::Whatsapp)
        .ok_or_else(|| anyhow::anyhow!("WhatsApp's fake is a FakeGraph"))?;
    // Hubert enforces the 24-hour window itself; the fake cannot see customers that the
    // e2e suite invents, so it does not enforce it a second time.
    graph.set_window_mode(WindowMode::Off);
    let x: FakeX = fakes
        .typed(Platform::X)
        .ok_or_else(|| anyhow::anyhow!("X's fake is a FakeX"))?;
    x.set_user_id(X_USER_ID);
    // Seed before the server (and its delivery worker) runs: history is not sent anywhere.
    let store = crate::open_store(database_url).await?;
    let seeded = seed(&App::new(
        store.clone(),
        clock.clone(),
        Endpoints::default(),
        String::new(),
    ))
    .await?;
    store.close().await;
    let running = server::start(ServerConfig {
        web: Default::default(),
        http: Default::default(),
        listen,
        database_url: database_url.to_owned(),
        secret_key: crate::secret_key()?,
        public_url: None,
        endpoints: fakes.urls(),
        clock: clock.clone(),
        worker_poll: Duration::from_millis(250),
        channel_poll: Some(Duration::from_secs(30)),
        crash_after_send: CrashAfterSend::default(),
        cookie_secure: None,
        trusted_proxies: Default::default(),
        media_dir: std::env::var_os("HUBERT_MEDIA_DIR").map(Into::into),
    })
    .await?;
    let app = running.app.clone();
    let wa_url = format!("{}/webhooks/whatsapp/{}", running.url(), seeded.whatsapp.id);
    let x_url = format!("{}/webhooks/x/{}", running.url(), seeded.x.id);
    graph.set_status_webhook(&wa_url, WA_APP_SECRET, WA_PHONE_NUMBER_ID);
    for c in CUSTOMERS {
        graph.open_window(c.phone, app.now());
    }
    let wallboard_url = demo_wallboard(&app, &seeded).await?;
    println!();
    println!("  Hubert demo draait op {}", running.url());
    println!("  Inloggen: {DEMO_LOGIN} / {DEMO_PASSWORD}   (collega's: daan@, fatima@, lotte@zonnestroom.nl, zelfde wachtwoord)");
    println!("  Wallboard (tv): {wallboard_url}");
    println!("  Database: {database_url}   Stoppen: Ctrl+C");
    if let Some(addr) = clock_control {
        let url = serve_clock_control(addr, shifted, app.clone(), seeded.lead.workspace_id.clone()).await?;
        println!("  Klokbediening (alleen voor tests): {url}");
    }
    println!();
    let sim = Simulator {
        app: app.clone(),
        http: reqwest::Client::new(),
        graph: graph.clone(),
        wa_url,
        x_url,
        social: crate::demo_social::SocialTraffic::new(&running.url(), &seeded.social),
        leads: seeded.agents,
    };
    let sim_task = tokio::spawn(async move { sim.run(interval).await });
    let _ = tokio::signal::ctrl_c().await;
    sim_task.abort();
    running.stop().await;
    fakes.shutdown();
    Ok(())
}

struct Seeded {
    whatsapp: ProfileRow,
    x: ProfileRow,
    social: crate::demo_social::SocialProfiles,
    agents: Vec<Principal>,
    lead: Principal,
}

const DEMO_WALLBOARD: &str = "TV koffiehoek";

/// A fresh wallboard for this run (its token is only known at creation); the previous
/// run's demo board is revoked.
async fn demo_wallboard(app: &App, seeded: &Seeded) -> anyhow::Result<String> {
    let lead = &seeded.lead;
    for old in app.wallboards(lead).await.map_err(|e| anyhow::anyhow!("{e}"))? {
        if old.name == DEMO_WALLBOARD && old.revoked_at.is_none() {
            app.revoke_wallboard(lead, &old.id)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    let input = serde_json::from_value(json!({ "name": DEMO_WALLBOARD, "privacy": true }))?;
    let (_, url) = app
        .create_wallboard(lead, input)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if app.store.banner(&lead.workspace_id, app.now()).await?.is_none() {
        app.set_banner(lead, "Welkom bij Hubert! Taart in de keuken om 15:00 🎂", None)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(url)
}

/// Thanks and praise that colleagues star for the wall of love.
fn is_compliment(text: &str) -> bool {
    let t = text.to_lowercase();
    ["dank", "top", "bedankt", "fijn"].iter().any(|w| t.contains(w))
}

fn principal(ws: &str, id: &str, name: &str, role: Role) -> Principal {
    Principal {
        workspace_id: ws.into(),
        actor_id: id.into(),
        user_id: Some(id.into()),
        name: name.into(),
        role,
    }
}

/// Creates the demo workspace once; later runs reuse it.
async fn seed(app: &App) -> anyhow::Result<Seeded> {
    let ws = match app.store.default_workspace().await? {
        Some(ws) => ws,
        None => app.store.create_workspace("Zonnestroom", app.now()).await?,
    };
    let people = [
        (DEMO_LOGIN, "Anouk (teamleider)", Role::Admin),
        ("daan@zonnestroom.nl", "Daan", Role::Agent),
        ("fatima@zonnestroom.nl", "Fatima", Role::Agent),
        ("lotte@zonnestroom.nl", "Lotte", Role::Agent),
    ];
    let mut agents = Vec::new();
    for (email, name, role) in people {
        let id = match app.store.user_by_email(email).await? {
            Some(u) => u.id,
            None => app
                .create_user_with_password(&ws, email, name, role, DEMO_PASSWORD)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        };
        agents.push(principal(&ws, &id, name, role));
    }
    let admin = agents[0].clone();
    let profiles = app.store.profiles(&ws).await?;
    let existing = |p: Platform| profiles.iter().find(|r| r.platform == p).cloned();
    let fresh = existing(Platform::Whatsapp).is_none();
    let whatsapp = match existing(Platform::Whatsapp) {
        Some(p) => p,
        None => {
            let p = app
                .create_profile(&admin, serde_json::from_value(json!({
                    "platform": "whatsapp", "name": "Zonnestroom WhatsApp",
                    "credentials": { "phone_number_id": WA_PHONE_NUMBER_ID, "access_token": "demo-access-token", "app_secret": WA_APP_SECRET, "verify_token": "demo-verify-token" },
                    "service_level": { "threshold_minutes": 15, "target_percent": 95 }
                }))?)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            for (name, body) in [
                ("storing_update", "Update over de storing in uw regio: {{1}}"),
                (
                    "terugbelverzoek",
                    "We bellen u terug over uw vraag. Wanneer schikt het?",
                ),
                (
                    "algemene_opvolging",
                    "Hebben we uw vraag goed beantwoord? Laat het ons weten.",
                ),
            ] {
                app.store.add_template(&ws, &p.id, name, "nl", body).await?;
            }
            p
        }
    };
    let x = match existing(Platform::X) {
        Some(p) => p,
        None => app
            .create_profile(&admin, serde_json::from_value(json!({
                "platform": "x", "name": "@ZonnestroomNL",
                "credentials": { "user_id": X_USER_ID, "consumer_secret": X_CONSUMER_SECRET, "access_token": "demo-x-token" },
                "service_level": { "threshold_minutes": 30, "target_percent": 95 }
            }))?)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    let social = crate::demo_social::seed(app, &admin, &profiles).await?;
    if fresh {
        seed_history(app, &whatsapp, &x, &agents).await?;
    }
    Ok(Seeded {
        whatsapp,
        x,
        social,
        lead: admin,
        agents: agents[1..].to_vec(),
    })
}

/// A few days of answered conversations, plus a handful waiting right now in every colour.
async fn seed_history(app: &App, wa: &ProfileRow, x: &ProfileRow, agents: &[Principal]) -> anyhow::Result<()> {
    let mut rng = rand::thread_rng();
    let now = app.now();
    let mut n = 0;
    for day in (0..=7).rev() {
        for i in 0..12 {
            n += 1;
            // Office hours on past days (local time), so "same weekday last week" has figures;
            // today only what was answered before now.
            let at = app.calendar.day_start(now) - day * 24 * HOUR + (8 + i) * HOUR + rng.gen_range(0..50) * MINUTE;
            if at + HOUR > now {
                continue;
            }
            let c = &CUSTOMERS[n as usize % CUSTOMERS.len()];
            let text = MESSAGES[n as usize % MESSAGES.len()];
            let on_x = i % 4 == 3;
            let batch = inbound(if on_x { x } else { wa }, c, &format!("seed-{n}"), text, at, on_x);
            let outcome = app.store.ingest(&[batch], at).await?;
            let agent = &agents[1 + (n as usize % 3)];
            if is_compliment(text) {
                for (_, message_id) in &outcome[0].new_messages {
                    app.store
                        .set_compliment(&agent.workspace_id, message_id, &agent.actor_id, true, at + MINUTE)
                        .await?;
                }
            }
            let answer_after = if rng.gen_bool(0.9) {
                rng.gen_range(2..14)
            } else {
                rng.gen_range(16..45)
            } * MINUTE;
            let conv = app
                .store
                .conversations(
                    &agent.workspace_id,
                    &ConversationFilter {
                        status: Some("open".into()),
                        ..Default::default()
                    },
                )
                .await?;
            if let Some(conv) = conv.first() {
                let reply = REPLIES[n as usize % REPLIES.len()].replace("{name}", &agent.name);
                let r = hubert_store::NewReply {
                    kind: "text",
                    text: &reply,
                    metadata: "{}",
                    reply_context: &conv.reply_context,
                    seen_message_id: None,
                    force: true,
                    clock: None,
                };
                let out = app
                    .store
                    .reply(
                        &agent.workspace_id,
                        &conv.id,
                        agent.user_id.as_deref().unwrap_or_default(),
                        &r,
                        at + answer_after,
                    )
                    .await?;
                if let Some(job) = app.store.claim_job(at + answer_after, MINUTE).await? {
                    let result = hubert_store::JobResult::Accepted {
                        platform_message_id: format!("seed-out-{}", out.message_id),
                    };
                    app.store.finish_job(&job, &result, at + answer_after).await?;
                }
                app.store
                    .resolve(&agent.workspace_id, &conv.id, at + answer_after + MINUTE)
                    .await?;
            }
        }
    }
    // Waiting now: green, orange and red badges from the first minute.
    for (i, minutes_ago) in [2i64, 7, 13, 21, 40].iter().enumerate() {
        let c = &CUSTOMERS[(i * 5 + 1) % CUSTOMERS.len()];
        let on_x = i == 4;
        let at = now - minutes_ago * MINUTE;
        let batch = inbound(
            if on_x { x } else { wa },
            c,
            &format!("seed-now-{i}"),
            MESSAGES[(i * 7 + 2) % MESSAGES.len()],
            at,
            on_x,
        );
        app.store.ingest(&[batch], now).await?;
    }
    Ok(())
}

fn inbound(p: &ProfileRow, c: &Customer, id: &str, text: &str, at: i64, on_x: bool) -> hubert_store::IngestBatch {
    let context = if on_x {
        json!({ "type": "public_post", "post_id": id })
    } else {
        json!({ "type": "private" })
    };
    hubert_store::IngestBatch {
        workspace_id: p.workspace_id.clone(),
        profile_id: p.id.clone(),
        messages: vec![hubert_store::NewInbound {
            platform_message_id: id.into(),
            contact_platform_user_id: if on_x { c.x_id.into() } else { c.phone.into() },
            contact_name: Some(c.name.into()),
            contact_handle: Some(if on_x {
                format!("@{}", c.x_handle)
            } else {
                format!("+{}", c.phone)
            }),
            kind: "text".into(),
            text: Some(text.into()),
            summary: text.into(),
            metadata: "{}".into(),
            sent_at: at,
            reply_context: context.to_string(),
        }],
        statuses: vec![],
        ..Default::default()
    }
}

struct Simulator {
    app: App,
    http: reqwest::Client,
    graph: FakeGraph,
    wa_url: String,
    x_url: String,
    social: crate::demo_social::SocialTraffic,
    leads: Vec<Principal>,
}

impl Simulator {
    async fn run(self, interval: u64) {
        let mut seq: u64 = rand::random::<u32>() as u64;
        loop {
            let wait = { rand::thread_rng().gen_range(interval / 2..=interval * 3 / 2).max(1) };
            tokio::time::sleep(Duration::from_secs(wait)).await;
            seq += 1;
            if let Err(e) = self.one_message(seq).await {
                tracing::warn!(error = %e, "simulated message failed");
            }
            if let Err(e) = self.colleagues_answer().await {
                tracing::warn!(error = %e, "simulated colleague failed");
            }
        }
    }

    async fn one_message(&self, seq: u64) -> anyhow::Result<()> {
        let (customer, text, kind) = {
            let mut rng = rand::thread_rng();
            (
                CUSTOMERS.choose(&mut rng).expect("customers"),
                *MESSAGES.choose(&mut rng).expect("messages"),
                rng.gen_range(0..14),
            )
        };
        let now = self.app.now();
        match kind {
            0..=5 => {
                self.graph.open_window(customer.phone, now);
                let body = fake::whatsapp_payload::text_message(
                    WA_PHONE_NUMBER_ID,
                    customer.phone,
                    customer.name,
                    &format!("wamid.demo{seq}"),
                    now / 1000,
                    text,
                );
                fake::post_meta_webhook(&self.http, &self.wa_url, WA_APP_SECRET, body).await?;
            }
            6 => {
                self.graph.open_window(customer.phone, now);
                let body = fake::whatsapp_payload::media_message(
                    WA_PHONE_NUMBER_ID,
                    customer.phone,
                    customer.name,
                    &format!("wamid.demo{seq}"),
                    now / 1000,
                    hubert_channels::MessageKind::Image,
                    &format!("1045{seq:012}"),
                    "image/jpeg",
                    Some("Foto van mijn meterkast"),
                );
                fake::post_meta_webhook(&self.http, &self.wa_url, WA_APP_SECRET, body).await?;
            }
            7 | 8 => {
                let mention = X_MENTIONS[seq as usize % X_MENTIONS.len()];
                let body = fake::x_payload::mention(
                    X_USER_ID,
                    &format!("18747{seq:014}"),
                    customer.x_id,
                    customer.name,
                    customer.x_handle,
                    mention,
                    now,
                    None,
                );
                fake::post_x_webhook(&self.http, &self.x_url, X_CONSUMER_SECRET, body).await?;
            }
            10..=13 => {
                if !self.social.one_message(&self.http, seq, customer.name, now).await? {
                    tracing::debug!("no social channel live in this build");
                }
            }
            _ => {
                let body = fake::x_payload::dm(
                    X_USER_ID,
                    &format!("18748{seq:014}"),
                    customer.x_id,
                    customer.name,
                    customer.x_handle,
                    text,
                    now,
                );
                fake::post_x_webhook(&self.http, &self.x_url, X_CONSUMER_SECRET, body).await?;
            }
        }
        Ok(())
    }

    /// Colleagues pick up some waiting conversations: most within the norm, some late.
    async fn colleagues_answer(&self) -> anyhow::Result<()> {
        let Some(agent) = self.leads.choose(&mut rand::thread_rng()).cloned() else {
            return Ok(());
        };
        let open = self
            .app
            .list_conversations(
                &agent,
                &ConversationFilter {
                    status: Some("open".into()),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let now = self.app.now();
        for c in open.iter().filter(|c| c.waiting_since.is_some()) {
            let waited = now - c.waiting_since.unwrap_or(now);
            let threshold = c.threshold_minutes * MINUTE;
            let chance = if waited > threshold * 3 / 2 {
                0.5
            } else if waited > 4 * MINUTE {
                0.15
            } else {
                0.0
            };
            if !rand::thread_rng().gen_bool(chance) {
                continue;
            }
            if is_compliment(&c.last_snippet) {
                if let Ok(messages) = self.app.store.messages(&c.workspace_id, &c.id).await {
                    if let Some(m) = messages
                        .iter()
                        .rev()
                        .find(|m| m.direction == hubert_core::Direction::In)
                    {
                        let _ = self.app.star(&agent, &m.id, true).await;
                    }
                }
            }
            let text = REPLIES
                .choose(&mut rand::thread_rng())
                .expect("replies")
                .replace("{name}", &agent.name);
            let text = if c.platform == Platform::X {
                format!(
                    "@{} {}",
                    c.contact_handle.as_deref().unwrap_or("").trim_start_matches('@'),
                    text
                )
            } else {
                text
            };
            let req = ReplyRequest {
                text: text.chars().take(270).collect(),
                ..Default::default()
            };
            if let Err(e) = self.app.reply(&agent, &c.id, &req).await {
                tracing::debug!(error = %e, "simulated reply refused");
            }
            break;
        }
        Ok(())
    }
}

/// Test mode only: a loopback endpoint that moves Hubert's clock forward, so browser
/// journeys can watch badges change colour without waiting a quarter of an hour.
async fn serve_clock_control(
    addr: SocketAddr,
    clock: ShiftedClock,
    app: App,
    workspace_id: String,
) -> anyhow::Result<String> {
    use axum::extract::Query;
    use axum::routing::post;
    anyhow::ensure!(addr.ip().is_loopback(), "the clock control listens on loopback only");
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let url = format!("http://{}", listener.local_addr()?);
    let router = axum::Router::new().route(
        "/advance",
        post(move |Query(q): Query<std::collections::HashMap<String, String>>| {
            let clock = clock.clone();
            let app = app.clone();
            let workspace_id = workspace_id.clone();
            async move {
                let ms: i64 = q.get("ms").and_then(|v| v.parse().ok()).unwrap_or(0);
                clock.advance(ms);
                app.bus
                    .publish(&workspace_id, "clock.advanced", None, json!({ "ms": ms }));
                axum::Json(json!({ "now": app.now() }))
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(url)
}
