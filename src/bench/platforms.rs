//! The platforms `hubert bench ingest --platform …` can deliver as: the profile it
//! creates and the signed deliveries it sends, each the platform's own envelope with one
//! customer text (WhatsApp message, Messenger comment under a Page post, Instagram DM,
//! LinkedIn comment).

use bytes::Bytes;
use hubert_app::App;
use hubert_channels::fake::{self, linkedin_payload, meta_payload, SignatureReading};
use hubert_store::ProfileRow;
use serde_json::json;

use super::{admin, signed_delivery, APP_SECRET, PHONE_NUMBER_ID};

const PAGE_ID: &str = "109000000000002";
const IG_ACCOUNT_ID: &str = "17841400000000002";
const ORGANIZATION: &str = "urn:li:organization:10900000";
const TEXT: &str = "Mijn stroom is uitgevallen in Utrecht-Oost, is er een storing bekend?";

/// Which platform's deliveries the benchmark sends.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum BenchPlatform {
    #[default]
    Whatsapp,
    Facebook,
    Instagram,
    Linkedin,
}

impl BenchPlatform {
    pub fn name(self) -> &'static str {
        match self {
            BenchPlatform::Whatsapp => "whatsapp",
            BenchPlatform::Facebook => "facebook",
            BenchPlatform::Instagram => "instagram",
            BenchPlatform::Linkedin => "linkedin",
        }
    }

    /// The header the signature travels in.
    pub fn signature_header(self) -> &'static str {
        match self {
            BenchPlatform::Linkedin => "x-li-signature",
            _ => "x-hub-signature-256",
        }
    }

    fn credentials(self) -> serde_json::Value {
        match self {
            BenchPlatform::Whatsapp => json!({"phone_number_id": PHONE_NUMBER_ID, "access_token": "bench-access-token",
                                              "app_secret": APP_SECRET, "verify_token": "bench-verify-token"}),
            BenchPlatform::Facebook => json!({"page_id": PAGE_ID, "page_access_token": "bench-page-token",
                                              "app_secret": APP_SECRET, "verify_token": "bench-verify-token"}),
            BenchPlatform::Instagram => json!({"account_id": IG_ACCOUNT_ID, "access_token": "bench-ig-token",
                                               "app_secret": APP_SECRET, "verify_token": "bench-verify-token"}),
            BenchPlatform::Linkedin => json!({"organization_urn": ORGANIZATION, "access_token": "bench-li-token",
                                              "client_secret": APP_SECRET}),
        }
    }

    /// Workspace and a profile of this platform, through the use cases. Fails when this
    /// build has no channel for the platform.
    pub async fn setup(self, app: &App) -> anyhow::Result<(String, ProfileRow)> {
        let ws = crate::ensure_workspace(app).await?;
        let profile = app
            .create_profile(
                &admin(&ws),
                serde_json::from_value(json!({
                    "platform": self.name(), "name": format!("Bench {}", self.name()),
                    "credentials": self.credentials(),
                    "service_level": { "threshold_minutes": 30, "target_percent": 95 }
                }))?,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", self.name()))?;
        Ok((ws, profile))
    }

    /// Signed delivery `seq` from customer `contact`: (body, signature).
    pub fn delivery(self, tag: &str, seq: u64, contact: u64) -> (Bytes, String) {
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        let body = match self {
            BenchPlatform::Whatsapp => {
                return signed_delivery(
                    PHONE_NUMBER_ID,
                    &format!("3162{contact:08}"),
                    &format!("wamid.bench.{tag}.{seq}"),
                    TEXT,
                )
            }
            BenchPlatform::Facebook => {
                let post = format!("{PAGE_ID}_900000000000001");
                let comment = meta_payload::feed_comment(
                    &format!("71{contact:014}"),
                    &format!("Klant {contact}"),
                    &post,
                    &format!("900000000000001_{seq}"),
                    None,
                    now_ms / 1000,
                    TEXT,
                    Some("Storing in Utrecht-Oost: onze monteurs zijn onderweg."),
                );
                meta_payload::page_comment(PAGE_ID, comment, now_ms / 1000)
            }
            BenchPlatform::Instagram => meta_payload::instagram_text(
                IG_ACCOUNT_ID,
                &format!("72{contact:014}"),
                &format!("aWdfYmVuY2g{tag}{seq}"),
                now_ms,
                TEXT,
            ),
            BenchPlatform::Linkedin => linkedin_payload::envelope(vec![linkedin_payload::comment(
                ORGANIZATION,
                seq + 1,
                "7412345678901234567",
                &format!("{}", 7_000_000_000_000_000_000u64 + seq),
                &format!("urn:li:person:Bench{contact}"),
                TEXT,
                now_ms,
            )]),
        };
        let signature = match self {
            BenchPlatform::Linkedin => fake::sign_linkedin(APP_SECRET, &body, SignatureReading::Prefixed),
            _ => fake::sign_meta(APP_SECRET, &body),
        };
        (Bytes::from(body), signature)
    }
}
