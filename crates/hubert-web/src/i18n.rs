//! The UI's words in Dutch (default) and English. A small table of our own: the pages
//! need a few dozen strings, and the browser script receives the same table as JSON.

use axum::http::request::Parts;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Nl,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    /// `?lang=` wins, then the language cookie; Dutch otherwise.
    pub fn from_parts(parts: &Parts) -> Self {
        let query = parts.uri.query().unwrap_or("");
        let asked = query.split('&').find_map(|kv| kv.strip_prefix("lang="));
        match asked.or_else(|| crate::auth::cookie(parts, crate::auth::LANG_COOKIE)) {
            Some("en") => Lang::En,
            _ => Lang::Nl,
        }
    }

    pub fn t(self, key: &str) -> &'static str {
        TABLE
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, nl, en)| if self == Lang::En { *en } else { *nl })
            .unwrap_or("?")
    }

    /// The whole table for the browser script, as a JSON object.
    pub fn table_json(self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = TABLE
            .iter()
            .map(|(k, nl, en)| {
                (
                    (*k).to_owned(),
                    serde_json::Value::from(if self == Lang::En { *en } else { *nl }),
                )
            })
            .collect();
        // Safe inside a <script type="application/json"> element.
        serde_json::Value::Object(map).to_string().replace('<', "\\u003c")
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::from_parts(parts))
    }
}

/// (key, Dutch, English)
const TABLE: &[(&str, &str, &str)] = &[
    ("app.title", "Hubert — webcare", "Hubert — webcare"),
    ("login.title", "Inloggen", "Sign in"),
    ("login.email", "E-mailadres", "E-mail address"),
    ("login.password", "Wachtwoord", "Password"),
    ("login.submit", "Inloggen", "Sign in"),
    (
        "login.failed",
        "Onbekend e-mailadres of verkeerd wachtwoord.",
        "Unknown e-mail address or wrong password.",
    ),
    (
        "login.throttled",
        "Te veel pogingen. Probeer het over een tijdje opnieuw.",
        "Too many attempts. Try again in a while.",
    ),
    (
        "login.busy",
        "Het is even erg druk. Probeer het over een paar seconden opnieuw.",
        "Very busy right now. Try again in a few seconds.",
    ),
    ("nav.tokens", "API-tokens", "API tokens"),
    ("nav.audit", "Auditlog", "Audit log"),
    ("tokens.title", "API-tokens", "API tokens"),
    ("nav.users", "Mensen", "People"),
    ("reset.title", "Kies een nieuw wachtwoord", "Choose a new password"),
    (
        "reset.password",
        "Nieuw wachtwoord (minstens 12 tekens)",
        "New password (at least 12 characters)",
    ),
    ("reset.submit", "Opslaan", "Save"),
    (
        "reset.invalid",
        "Deze link werkt niet meer: hij is al gebruikt of verlopen. Vraag een beheerder om een nieuwe.",
        "This link no longer works: it was used or has expired. Ask an admin for a new one.",
    ),
    ("users.title", "Mensen", "People"),
    (
        "users.intro",
        "Wie met Hubert werkt. Een vertrekkende collega zet je op inactief: sessies en tokens stoppen meteen.",
        "Who works with Hubert. Deactivate a colleague who leaves: their sessions and tokens stop at once.",
    ),
    ("users.new", "Collega toevoegen", "Add a colleague"),
    ("users.name", "Naam", "Name"),
    ("users.email", "E-mailadres", "E-mail address"),
    ("users.role", "Rol", "Role"),
    ("users.state", "Status", "State"),
    ("users.create", "Toevoegen", "Add"),
    ("users.created", "Toegevoegd:", "Added:"),
    (
        "users.once",
        "Geef dit wachtwoord door; het wordt maar één keer getoond. Laat het meteen wijzigen.",
        "Pass this password on; it is shown only once. Have it changed at once.",
    ),
    ("users.save", "Opslaan", "Save"),
    ("users.reset", "Resetlink", "Reset link"),
    (
        "users.reset_made",
        "Eenmalige link (3 dagen geldig) voor",
        "One-time link (valid 3 days) for",
    ),
    ("users.active", "Actief", "Active"),
    ("users.inactive", "Inactief", "Deactivated"),
    ("users.deactivate", "Op inactief zetten", "Deactivate"),
    ("users.activate", "Weer toelaten", "Let back in"),
    (
        "tokens.intro",
        "Koppelingen gebruiken een API-token. Je ziet een token één keer; trek het in zodra het niet meer nodig is.",
        "Integrations use an API token. A token is shown once; revoke it as soon as it is no longer needed.",
    ),
    ("tokens.new", "Nieuw token", "New token"),
    ("tokens.name", "Naam", "Name"),
    ("tokens.role", "Rol", "Role"),
    ("tokens.expires_in_days", "Verloopt na (dagen)", "Expires after (days)"),
    (
        "tokens.expiry_hint",
        "Leeg laten: verloopt nooit. Hoogstens 3650 dagen.",
        "Leave empty: never expires. At most 3650 days.",
    ),
    ("tokens.create", "Token maken", "Create token"),
    ("tokens.created", "Token gemaakt:", "Token created:"),
    (
        "tokens.once",
        "Kopieer het nu: het wordt niet nog eens getoond.",
        "Copy it now: it will not be shown again.",
    ),
    (
        "tokens.invalid",
        "Geef een naam (hoogstens 100 tekens), een rol en eventueel 1 tot 3650 dagen.",
        "Give a name (at most 100 characters), a role and optionally 1 to 3650 days.",
    ),
    ("tokens.state", "Status", "State"),
    ("tokens.active", "actief", "active"),
    ("tokens.expired", "verlopen", "expired"),
    ("tokens.revoked", "ingetrokken", "revoked"),
    ("tokens.created_at", "Gemaakt", "Created"),
    ("tokens.last_used", "Laatst gebruikt", "Last used"),
    ("tokens.expires_at", "Verloopt", "Expires"),
    ("tokens.never", "nooit", "never"),
    ("tokens.revoke", "Intrekken", "Revoke"),
    ("tokens.empty", "Nog geen tokens.", "No tokens yet."),
    ("audit.title", "Auditlog", "Audit log"),
    ("audit.from", "Van", "From"),
    ("audit.to", "Tot en met", "Up to and including"),
    ("audit.kind", "Soort", "Kind"),
    ("audit.all", "Alle soorten", "All kinds"),
    ("audit.filter", "Filteren", "Filter"),
    ("audit.csv", "Downloaden als CSV", "Download as CSV"),
    ("audit.when", "Wanneer", "When"),
    ("audit.actor", "Wie", "Who"),
    ("audit.subject", "Onderwerp", "Subject"),
    ("audit.client", "Adres", "Address"),
    ("audit.detail", "Details", "Details"),
    ("audit.empty", "Geen gebeurtenissen gevonden.", "No events found."),
    ("audit.next", "Oudere gebeurtenissen", "Older events"),
    (
        "login.invalid",
        "Dat e-mailadres of wachtwoord is te lang of onleesbaar.",
        "That e-mail address or password is too long or unreadable.",
    ),
    ("nav.account", "Mijn account", "My account"),
    ("conv.unnamed", "Klant via {platform}", "Customer on {platform}"),
    ("twofa.title", "Tweestapsverificatie", "Two-factor sign-in"),
    ("twofa.code_title", "Voer je code in", "Enter your code"),
    (
        "twofa.code_intro",
        "Open je authenticator-app en typ de code van zes cijfers voor Hubert.",
        "Open your authenticator app and type the six-digit code for Hubert.",
    ),
    ("twofa.code", "Code", "Code"),
    ("twofa.submit", "Verder", "Continue"),
    (
        "twofa.recovery_hint",
        "Telefoon kwijt? Typ een van je herstelcodes in plaats van de code.",
        "Lost your phone? Type one of your recovery codes instead of the code.",
    ),
    ("twofa.enroll_title", "Stel tweestapsverificatie in", "Set up two-factor sign-in"),
    (
        "twofa.enroll_intro",
        "Scan deze QR-code met een authenticator-app (bijvoorbeeld Google Authenticator, Microsoft Authenticator of 1Password) en typ de code die de app toont.",
        "Scan this QR code with an authenticator app (for example Google Authenticator, Microsoft Authenticator or 1Password) and type the code the app shows.",
    ),
    (
        "twofa.enroll_required",
        "Je werkruimte vraagt tweestapsverificatie van beheerders en teamleiders. Stel het nu in om verder te gaan.",
        "Your workspace requires two-factor sign-in of admins and leads. Set it up now to continue.",
    ),
    ("twofa.manual", "Of typ deze sleutel over:", "Or type this key:"),
    (
        "twofa.wrong",
        "Die code klopt niet (of is al gebruikt). Probeer de volgende code.",
        "That code is not right (or was used already). Try the next code.",
    ),
    (
        "twofa.expired",
        "Inloggen duurde te lang. Log opnieuw in.",
        "Signing in took too long. Please sign in again.",
    ),
    ("twofa.codes_title", "Je herstelcodes", "Your recovery codes"),
    (
        "twofa.codes_intro",
        "Bewaar deze codes op een veilige plek (bijvoorbeeld in je wachtwoordmanager). Elke code werkt één keer als je telefoon kwijt is. Je ziet ze alleen nu.",
        "Keep these codes somewhere safe (for example in your password manager). Each code works once if you lose your phone. You see them only now.",
    ),
    ("twofa.continue", "Ik heb ze bewaard — verder", "I have saved them — continue"),
    ("twofa.on", "Aan", "On"),
    ("twofa.off", "Uit", "Off"),
    ("twofa.codes_left", "Herstelcodes over: {n}", "Recovery codes left: {n}"),
    ("twofa.turn_on", "Tweestapsverificatie instellen", "Set up two-factor sign-in"),
    ("twofa.turn_off", "Uitzetten", "Turn off"),
    ("twofa.renew", "Nieuwe herstelcodes", "New recovery codes"),
    (
        "twofa.required_note",
        "Je werkruimte vraagt dit van beheerders en teamleiders: uitzetten kan niet.",
        "Your workspace requires this of admins and leads: it cannot be turned off.",
    ),
    (
        "twofa.confirm_code",
        "Bevestig met een code uit de app",
        "Confirm with a code from the app",
    ),
    (
        "twofa.require_setting",
        "Tweestapsverificatie verplicht voor beheerders en teamleiders",
        "Require two-factor sign-in of admins and leads",
    ),
    ("twofa.column", "2FA", "2FA"),
    ("twofa.reset", "2FA wissen", "Clear 2FA"),
    ("account.title", "Mijn account", "My account"),
    ("account.password", "Wachtwoord wijzigen", "Change password"),
    ("account.current", "Huidig wachtwoord", "Current password"),
    ("account.new", "Nieuw wachtwoord (minstens 12 tekens)", "New password (at least 12 characters)"),
    ("account.saved", "Opgeslagen.", "Saved."),
    ("nav.inbox", "Inbox", "Inbox"),
    ("nav.quarantine", "Quarantaine", "Quarantine"),
    ("nav.logout", "Uitloggen", "Sign out"),
    ("filter.status", "Status", "Status"),
    ("filter.platform", "Kanaal", "Channel"),
    ("filter.profile", "Profiel", "Profile"),
    ("filter.who", "Toegewezen", "Assigned"),
    ("filter.all", "Alle", "All"),
    ("filter.mine", "Van mij", "Mine"),
    ("filter.unassigned", "Niet toegewezen", "Unassigned"),
    ("status.open", "Open", "Open"),
    ("status.pending", "Wacht op klant", "Pending"),
    ("status.resolved", "Afgehandeld", "Resolved"),
    ("sla.left", "nog {n}", "{n} left"),
    ("sla.late", "{n} te laat", "{n} late"),
    ("sla.answered", "beantwoord in {n}", "answered in {n}"),
    ("sla.not_needed", "geen reactie nodig", "no reply needed"),
    ("sla.paused", "klok staat stil tot {t}", "clock paused until {t}"),
    ("sla.none", "—", "—"),
    ("today.title", "Vandaag binnen de norm", "Within the norm today"),
    ("today.none", "nog geen metingen", "nothing measured yet"),
    ("today.norm", "norm", "norm"),
    (
        "inbox.empty",
        "Geen gesprekken in deze selectie.",
        "No conversations in this selection.",
    ),
    (
        "inbox.pick",
        "Kies links een gesprek.",
        "Pick a conversation on the left.",
    ),
    ("conv.under_post", "Reactie onder het bericht", "Comment under the post"),
    ("conv.open_post", "Bericht openen", "Open the post"),
    ("conv.assign_me", "Aan mij toewijzen", "Assign to me"),
    ("conv.assign_to", "Toewijzen aan…", "Assign to…"),
    ("conv.unassigned", "Niemand", "Nobody"),
    ("conv.no_reply", "Geen reactie nodig", "No reply needed"),
    ("conv.resolve", "Afhandelen", "Resolve"),
    ("conv.earlier", "Eerdere gesprekken", "Earlier conversations"),
    ("msg.hidden", "Verborgen", "Hidden"),
    ("msg.removed", "Verwijderd", "Removed"),
    ("msg.unsent", "Ingetrokken", "Unsent"),
    ("msg.edited", "Bewerkt", "Edited"),
    ("msg.hide", "Verbergen", "Hide"),
    ("msg.unhide", "Weer tonen", "Unhide"),
    ("conv.contact", "Klant", "Customer"),
    (
        "conv.viewing",
        "{names} bekijkt dit gesprek",
        "{names} is viewing this conversation",
    ),
    ("conv.typing", "{names} typt…", "{names} is typing…"),
    ("conv.note", "Interne notitie", "Internal note"),
    (
        "text.customer.informal",
        "Klant schrijft informeel — {form}",
        "Customer writes informally — {form}",
    ),
    (
        "text.customer.formal",
        "Klant schrijft formeel — {form}",
        "Customer writes formally — {form}",
    ),
    (
        "text.customer.mixed",
        "Klant wisselt u en je af — {form}",
        "Customer mixes u and je — {form}",
    ),
    (
        "text.customer.none",
        "Klant spreekt niemand aan — antwoord met {form}",
        "Customer uses no form of address — answer with {form}",
    ),
    ("text.form.informal", "je/jij", "je/jij (informal)"),
    ("text.form.formal", "u", "u (formal)"),
    ("text.kind.spelling", "Spelling", "Spelling"),
    ("text.kind.grammar", "d/t", "d/t"),
    ("text.kind.register", "Aanspreekvorm", "Form of address"),
    ("text.suggest", "Toon suggesties", "Show suggestions"),
    ("text.no_suggestions", "Geen suggesties", "No suggestions"),
    ("text.allow", "Toevoegen aan woordenlijst", "Add to word list"),
    ("composer.placeholder", "Schrijf je antwoord…", "Write your reply…"),
    ("composer.send", "Versturen", "Send"),
    ("composer.add_note", "Notitie toevoegen", "Add note"),
    (
        "composer.private",
        "Privé beantwoorden via DM",
        "Answer privately by DM",
    ),
    (
        "composer.public",
        "Openbaar antwoord op de tweet",
        "Public reply to the post",
    ),
    (
        "composer.window_closed",
        "Het 24-uursvenster van WhatsApp is gesloten: je kunt alleen een goedgekeurde template sturen.",
        "WhatsApp's 24-hour window has closed: only an approved template can be sent.",
    ),
    (
        "composer.window_closed_no_template",
        "Het berichtvenster van dit kanaal is gesloten: je kunt niet meer antwoorden, wel een notitie maken.",
        "This channel's messaging window has closed: you can no longer reply, only add a note.",
    ),
    ("composer.template", "Template", "Template"),
    ("composer.send_template", "Template versturen", "Send template"),
    (
        "composer.too_long",
        "Te lang voor dit kanaal",
        "Too long for this channel",
    ),
    (
        "composer.already_answered",
        "Een collega heeft dit gesprek net beantwoord. Lees het antwoord voordat je verstuurt.",
        "A colleague just answered this conversation. Read their answer before you send.",
    ),
    ("composer.send_anyway", "Toch versturen", "Send anyway"),
    ("delivery.queued", "in de wachtrij", "queued"),
    ("delivery.sending", "versturen…", "sending…"),
    ("delivery.sent", "verstuurd", "sent"),
    ("delivery.delivered", "afgeleverd", "delivered"),
    ("delivery.read", "gelezen", "read"),
    ("delivery.failed", "mislukt", "failed"),
    (
        "delivery.unknown",
        "onbekend — controleer op het platform",
        "unknown — check on the platform",
    ),
    ("delivery.resend", "Opnieuw versturen", "Send again"),
    (
        "quarantine.title",
        "Quarantaine: binnengekomen berichten die we niet begrepen",
        "Quarantine: deliveries we could not understand",
    ),
    ("quarantine.empty", "Niets in quarantaine.", "Nothing in quarantine."),
    ("quarantine.when", "Ontvangen", "Received"),
    ("quarantine.reason", "Reden", "Reason"),
    ("quarantine.body", "Inhoud", "Body"),
    (
        "live.offline",
        "Verbinding verbroken — opnieuw verbinden…",
        "Connection lost — reconnecting…",
    ),
    ("error.generic", "Er ging iets mis.", "Something went wrong."),
    ("you", "jij", "you"),
    ("nav.wallboards", "Wallboards", "Wallboards"),
    ("conv.star", "Compliment", "Compliment"),
    ("conv.starred", "Op de muur", "On the wall"),
    (
        "wb.settings",
        "Wallboards (narrowcasting)",
        "Wallboards (narrowcasting)",
    ),
    ("wb.new", "Nieuw scherm", "New screen"),
    ("wb.name", "Naam", "Name"),
    (
        "wb.all_profiles",
        "Niets aangevinkt: alle profielen.",
        "Nothing ticked: every profile.",
    ),
    (
        "wb.privacy",
        "Privacymodus (geen namen, nummers of handles)",
        "Privacy mode (no names, numbers or handles)",
    ),
    (
        "wb.rotate",
        "Wisselen tussen weergaven (seconden, leeg = alles tegelijk)",
        "Rotate between layouts (seconds, empty = all at once)",
    ),
    ("wb.create", "Scherm aanmaken", "Create screen"),
    (
        "wb.created",
        "Het scherm is aangemaakt. Open deze link op de tv:",
        "The screen was created. Open this link on the TV:",
    ),
    (
        "wb.url_once",
        "Bewaar de link: hij wordt maar één keer getoond.",
        "Keep the link: it is shown only once.",
    ),
    ("wb.banner", "Mededeling op alle schermen", "Banner on every screen"),
    ("wb.banner_text", "Tekst (leeg = weg)", "Text (empty = none)"),
    (
        "wb.banner_minutes",
        "Minuten zichtbaar (leeg = tot je hem weghaalt)",
        "Minutes visible (empty = until removed)",
    ),
    ("wb.banner_save", "Opslaan", "Save"),
    ("wb.revoke", "Intrekken", "Revoke"),
    ("wb.revoked", "ingetrokken", "revoked"),
    ("wb.feed", "Binnenkomend", "Incoming"),
    ("wb.love", "Blije klanten", "Happy customers"),
    ("wb.team", "Team", "Team"),
    ("wb.waiting", "wachtend", "waiting"),
    ("wb.oldest", "oudste", "oldest"),
    ("wb.none_waiting", "niemand wacht", "nobody waiting"),
    ("wb.within", "binnen de norm vandaag", "within the norm today"),
    ("wb.norm", "norm {p}% binnen {m} min", "norm {p}% within {m} min"),
    ("wb.received", "Ontvangen", "Received"),
    ("wb.answered", "Beantwoord", "Answered"),
    ("wb.reaction_rate", "Reactiepercentage", "Reaction rate"),
    ("wb.median", "Mediaan reactietijd", "Median response time"),
    ("wb.vs_last_week", "vorige week {v}", "last week {v}"),
    (
        "wb.today_vs",
        "vandaag per uur, stippel = vorige week",
        "today per hour, dotted = last week",
    ),
    ("wb.updated", "bijgewerkt {s} s geleden", "updated {s} s ago"),
    (
        "wb.stale",
        "Let op: deze cijfers zijn ouder dan een minuut. Verbinding wordt hersteld…",
        "Note: these figures are more than a minute old. Reconnecting…",
    ),
    (
        "wb.revoked_screen",
        "Dit scherm is ingetrokken.",
        "This screen was revoked.",
    ),
    ("wb.online", "online", "online"),
    ("wb.open", "open", "open"),
    (
        "wb.no_love",
        "Nog geen complimenten vandaag.",
        "No compliments yet today.",
    ),
    ("nav.words", "Woordenlijst", "Word list"),
    (
        "words.settings",
        "Woordenlijst voor de spellingcontrole",
        "Word list for the spelling check",
    ),
    (
        "words.intro",
        "Merk- en productnamen die de spellingcontrole van het team goedkeurt. Hoofdletters maken niet uit.",
        "Brand and product names the team's spelling check accepts. Case does not matter.",
    ),
    ("words.add", "Woord toevoegen", "Add a word"),
    ("words.add_button", "Toevoegen", "Add"),
    ("words.word", "Woord", "Word"),
    (
        "words.rules",
        "Eén woord van maximaal 64 tekens: letters, cijfers, - en '.",
        "One word of at most 64 characters: letters, digits, - and '.",
    ),
    (
        "words.invalid",
        "Dat is geen geldig woord. Gebruik één woord van maximaal 64 tekens: letters, cijfers, - en '.",
        "That is not a valid word. Use one word of at most 64 characters: letters, digits, - and '.",
    ),
    ("words.added_by", "Toegevoegd door", "Added by"),
    ("words.added_at", "Toegevoegd op", "Added on"),
    ("words.by_token", "API-token", "API token"),
    ("words.remove", "Verwijderen", "Remove"),
    (
        "words.empty",
        "Nog geen woorden. Agents voegen ze toe vanuit het antwoordveld.",
        "No words yet. Agents add them from the reply box.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_and_translated() {
        let mut keys: Vec<_> = TABLE.iter().map(|(k, _, _)| *k).collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(n, keys.len());
        assert!(TABLE.iter().all(|(_, nl, en)| !nl.is_empty() && !en.is_empty()));
        assert!(!Lang::Nl.table_json().contains('<'));
    }
}
