//! The demo's social channels: Facebook (Page comments and Messenger), Instagram (DMs)
//! and LinkedIn (page comments) profiles in the seed, and their simulated Dutch traffic
//! through the real, signed webhook endpoints: outage comments under a Facebook post, a
//! DM about a bill, a LinkedIn comment on a tariff announcement.
//!
//! A profile is only created when its channel is registered (`hubert_channels::channel`),
//! so the demo starts on a build that does not speak a platform yet; its traffic is then
//! simply not simulated.

use hubert_app::{App, Principal};
use hubert_channels::fake::{self, linkedin_payload as li, meta_payload, SignatureReading};
use hubert_core::Platform;
use hubert_store::ProfileRow;
use rand::seq::SliceRandom;
use serde_json::{json, Value};

pub const FB_PAGE_ID: &str = "104857600000001";
pub const FB_APP_SECRET: &str = "demo-facebook-app-secret";
pub const IG_ACCOUNT_ID: &str = "17841400000000001";
pub const IG_APP_SECRET: &str = "demo-instagram-app-secret";
pub const LI_ORGANIZATION: &str = "urn:li:organization:10203040";
pub const LI_CLIENT_SECRET: &str = "demo-linkedin-client-secret";

/// The Facebook post customers comment under during an outage.
const FB_OUTAGE_POST: &str =
    "Storing in Utrecht-Oost en Bunnik: onze monteurs zijn onderweg. We houden u hier op de hoogte.";
/// The LinkedIn post announcing the new tariffs.
const LI_TARIFF_POST_ID: &str = "7412345678901234567";

const FB_COMMENTS: &[&str] = &[
    "Hier in Lombok ook al sinds half negen zonder stroom. Hoe lang gaat dit nog duren?",
    "Mijn vriezer staat vol, wordt schade vergoed als het langer dan vier uur duurt?",
    "Bij ons in Bunnik is de stroom net terug, dank aan de monteurs!",
    "Weer een storing?! Dit is de tweede keer deze maand in onze straat.",
    "Geldt dit ook voor Zeist-West? Onze lantaarnpalen zijn ook uit.",
];

const IG_DMS: &[&str] = &[
    "Hoi! Ik heb een vraag over mijn rekening van oktober, er staat twee keer hetzelfde bedrag op 🤔",
    "Mijn voorschot is verhoogd naar €187 maar ik gebruik juist minder. Kunnen jullie dat checken?",
    "Ik heb mijn jaarafrekening nog steeds niet ontvangen, waar kan ik die vinden?",
];

const MESSENGER_DMS: &[&str] = &[
    "Goedemiddag, ik krijg een aanmaning voor een rekening die ik al betaald heb. Klantnummer 4012399.",
    "Kan ik mijn termijnbedrag zelf aanpassen? De app geeft een foutmelding.",
];

const LI_COMMENTS: &[&str] = &[
    "Waarom stijgt mijn voorschot met 40 euro terwijl de inkoopprijzen dalen?",
    "Goed dat jullie dit vooraf communiceren. Geldt het nieuwe tarief ook voor vaste contracten?",
    "Als zzp'er met een klein kantoor: wat betekent dit voor zakelijke klanten?",
];

/// The social profiles the seed could create (a platform without a channel is `None`).
#[derive(Debug, Default)]
pub struct SocialProfiles {
    pub facebook: Option<ProfileRow>,
    pub instagram: Option<ProfileRow>,
    pub linkedin: Option<ProfileRow>,
}

fn definition(platform: Platform) -> Value {
    let (name, credentials) = match platform {
        Platform::Facebook => (
            "Zonnestroom op Facebook",
            json!({"page_id": FB_PAGE_ID, "page_access_token": "demo-page-token", "app_secret": FB_APP_SECRET,
                   "verify_token": "demo-facebook-verify"}),
        ),
        Platform::Instagram => (
            "@zonnestroom.nl",
            json!({"account_id": IG_ACCOUNT_ID, "access_token": "demo-instagram-token", "app_secret": IG_APP_SECRET,
                   "verify_token": "demo-instagram-verify"}),
        ),
        _ => (
            "Zonnestroom op LinkedIn",
            json!({"organization_urn": LI_ORGANIZATION, "access_token": "demo-linkedin-token",
                   "client_secret": LI_CLIENT_SECRET}),
        ),
    };
    json!({"platform": platform.as_str(), "name": name, "credentials": credentials,
           "service_level": {"threshold_minutes": 30, "target_percent": 95}})
}

/// Creates the Facebook, Instagram and LinkedIn profiles once (later runs reuse them);
/// skips a platform whose channel this build does not register.
pub async fn seed(app: &App, admin: &Principal, existing: &[ProfileRow]) -> anyhow::Result<SocialProfiles> {
    let mut created = SocialProfiles::default();
    for platform in [Platform::Facebook, Platform::Instagram, Platform::Linkedin] {
        let profile = match existing.iter().find(|p| p.platform == platform) {
            Some(p) => Some(p.clone()),
            None if hubert_channels::channel(platform).is_none() => {
                tracing::info!(%platform, "demo: no channel registered for this platform; its profile is not seeded");
                None
            }
            None => Some(
                app.create_profile(admin, serde_json::from_value(definition(platform))?)
                    .await
                    .map_err(|e| anyhow::anyhow!("{platform}: {e}"))?,
            ),
        };
        match platform {
            Platform::Facebook => created.facebook = profile,
            Platform::Instagram => created.instagram = profile,
            _ => created.linkedin = profile,
        }
    }
    Ok(created)
}

/// Where the simulator posts each social channel's deliveries.
#[derive(Debug, Clone, Default)]
pub struct SocialTraffic {
    pub facebook_url: Option<String>,
    pub instagram_url: Option<String>,
    pub linkedin_url: Option<String>,
}

impl SocialTraffic {
    pub fn new(base_url: &str, profiles: &SocialProfiles) -> Self {
        let url = |p: &Option<ProfileRow>| {
            p.as_ref()
                .map(|p| format!("{base_url}/webhooks/{}/{}", p.platform.as_str(), p.id))
        };
        Self {
            facebook_url: url(&profiles.facebook),
            instagram_url: url(&profiles.instagram),
            linkedin_url: url(&profiles.linkedin),
        }
    }

    /// The kinds of message whose channel is live, with their webhook URL (Facebook
    /// twice: comments and Messenger).
    fn live(&self) -> Vec<(Social, &str)> {
        let mut live = Vec::new();
        if let Some(url) = &self.facebook_url {
            live.extend([
                (Social::FacebookComment, url.as_str()),
                (Social::Messenger, url.as_str()),
            ]);
        }
        if let Some(url) = &self.instagram_url {
            live.push((Social::InstagramDm, url.as_str()));
        }
        if let Some(url) = &self.linkedin_url {
            live.push((Social::LinkedinComment, url.as_str()));
        }
        live
    }

    /// Sends one social message from `name` (`seq` makes ids unique); false when no
    /// social channel is live.
    pub async fn one_message(&self, http: &reqwest::Client, seq: u64, name: &str, now_ms: i64) -> anyhow::Result<bool> {
        let Some((kind, url)) = self.live().choose(&mut rand::thread_rng()).copied() else {
            return Ok(false);
        };
        let body = kind.body(seq, name, now_ms);
        match kind {
            Social::LinkedinComment => {
                fake::post_linkedin_webhook(http, url, LI_CLIENT_SECRET, body, SignatureReading::Prefixed).await?;
            }
            Social::InstagramDm => {
                fake::post_meta_webhook(http, url, IG_APP_SECRET, body).await?;
            }
            Social::FacebookComment | Social::Messenger => {
                fake::post_meta_webhook(http, url, FB_APP_SECRET, body).await?;
            }
        }
        Ok(true)
    }
}

/// One kind of simulated social message.
#[derive(Debug, Clone, Copy)]
enum Social {
    FacebookComment,
    Messenger,
    InstagramDm,
    LinkedinComment,
}

impl Social {
    /// The delivery's body, as the platform would send it.
    fn body(self, seq: u64, name: &str, now_ms: i64) -> Vec<u8> {
        let user = format!("{}", 7_100_000_000_000_000u64 + seq % 1_000_000);
        let pick = |texts: &[&'static str]| texts[seq as usize % texts.len()];
        match self {
            Social::FacebookComment => {
                let post = format!("{FB_PAGE_ID}_900000000000001");
                let comment = meta_payload::feed_comment(
                    &user,
                    name,
                    &post,
                    &format!("900000000000001_{seq}"),
                    None,
                    now_ms / 1000,
                    pick(FB_COMMENTS),
                    Some(FB_OUTAGE_POST),
                );
                meta_payload::page_comment(FB_PAGE_ID, comment, now_ms / 1000)
            }
            Social::Messenger => {
                meta_payload::messenger_text(FB_PAGE_ID, &user, &format!("m_demo{seq}"), now_ms, pick(MESSENGER_DMS))
            }
            Social::InstagramDm => {
                meta_payload::instagram_text(IG_ACCOUNT_ID, &user, &format!("aWdfZGVtb{seq}"), now_ms, pick(IG_DMS))
            }
            Social::LinkedinComment => {
                let mut comment = li::comment(
                    LI_ORGANIZATION,
                    seq,
                    LI_TARIFF_POST_ID,
                    &format!("{}", 7_412_400_000_000_000_000u64 + seq % 1_000_000_000),
                    &format!("urn:li:person:Demo{seq}"),
                    pick(LI_COMMENTS),
                    now_ms,
                );
                comment["decoratedSourcePost"]["text"] =
                    json!("Per 1 januari passen we onze tarieven aan. Lees hier wat dat voor u betekent.");
                li::envelope(vec![comment])
            }
        }
    }
}
