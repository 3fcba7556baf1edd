//! The team's spelling allow-list: brand and product names ("Zonnestroom", "Stroomkompas")
//! the dictionary does not know. Agents add words from the composer; leads and admins
//! remove them in the settings (`/admin/words`). Every change is in the audit log.
//!
//! Words are stored as typed and compared case-insensitively: adding "zonnestroom" when
//! "Zonnestroom" is listed changes nothing, removing "ZONNESTROOM" removes it. The list
//! lives in the database, so every instance sees a change at once; the spelling check reads
//! it per analysis (one indexed read, well under a millisecond) rather than caching it.

use hubert_core::Role;
use hubert_store::AllowedWord;

use crate::audit::AuditKind;
use crate::{App, AppError, Principal};

/// Longest word on the allow-list, in characters.
pub const MAX_WORD_CHARS: usize = 64;

/// Checks and trims a word for the allow-list: 1–64 characters, letters, digits, `-` and
/// `'` only (so no whitespace inside).
pub fn valid_word(word: &str) -> Result<&str, AppError> {
    let word = word.trim();
    let n = word.chars().count();
    if n == 0 || n > MAX_WORD_CHARS {
        return Err(AppError::Invalid(
            "invalid_word",
            format!("Send one word of 1 to {MAX_WORD_CHARS} characters."),
        ));
    }
    if !word.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '\'') {
        return Err(AppError::Invalid(
            "invalid_word",
            "A word has only letters, digits, hyphens and apostrophes.".into(),
        ));
    }
    Ok(word)
}

fn same_word(a: &str, b: &str) -> bool {
    a == b || a.to_lowercase() == b.to_lowercase()
}

impl App {
    /// The team's allowed words with who added them (agents and up), in alphabetical order
    /// regardless of case (sorted here, so both databases' collations give the same list).
    pub async fn allowed_words(&self, who: &Principal) -> Result<Vec<AllowedWord>, AppError> {
        who.require(Role::Agent)?;
        let mut words = self.store.allowed_words(&who.workspace_id).await?;
        words.sort_by_cached_key(|w| (w.word.to_lowercase(), w.word.clone()));
        Ok(words)
    }

    /// Just the words, for the spelling check (agents and up).
    pub async fn spelling_allow_list(&self, who: &Principal) -> Result<Vec<String>, AppError> {
        who.require(Role::Agent)?;
        Ok(self.store.allowed_word_list(&who.workspace_id).await?)
    }

    /// Adds a word (agents and up). Idempotent: a word already listed in any case changes
    /// nothing. Returns the word as listed.
    pub async fn allow_word(&self, who: &Principal, word: &str) -> Result<String, AppError> {
        who.require(Role::Agent)?;
        let word = valid_word(word)?;
        let listed = self.store.allowed_word_list(&who.workspace_id).await?;
        if let Some(existing) = listed.into_iter().find(|w| same_word(w, word)) {
            return Ok(existing);
        }
        let now = self.now();
        if self
            .store
            .add_allowed_word(&who.workspace_id, word, &who.actor_id, now)
            .await?
        {
            self.store
                .audit(
                    &who.workspace_id,
                    &who.actor_id,
                    AuditKind::AllowedWordAdded.as_str(),
                    word,
                    now,
                )
                .await?;
        }
        Ok(word.to_owned())
    }

    /// Removes a word in any case (leads and admins). `NotFound` when it is not listed.
    pub async fn disallow_word(&self, who: &Principal, word: &str) -> Result<(), AppError> {
        who.require(Role::Lead)?;
        let word = word.trim();
        let listed = self.store.allowed_word_list(&who.workspace_id).await?;
        let mut removed = false;
        for w in listed.iter().filter(|w| same_word(w, word)) {
            if self.store.remove_allowed_word(&who.workspace_id, w).await? {
                removed = true;
                self.store
                    .audit(
                        &who.workspace_id,
                        &who.actor_id,
                        AuditKind::AllowedWordRemoved.as_str(),
                        w,
                        self.now(),
                    )
                    .await?;
            }
        }
        if removed {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_trimmed_and_checked() {
        assert_eq!(valid_word("  Zonnestroom ").unwrap(), "Zonnestroom");
        assert_eq!(valid_word("e-Boekhouden").unwrap(), "e-Boekhouden");
        assert_eq!(valid_word("d'Oude").unwrap(), "d'Oude");
        assert_eq!(valid_word("Énergie2go").unwrap(), "Énergie2go");
        assert!(valid_word(&"a".repeat(64)).is_ok());
        for bad in [
            "",
            "   ",
            "twee woorden",
            "tab\tword",
            "<script>",
            "a.b",
            "x@y",
            &"a".repeat(65),
        ] {
            assert!(valid_word(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn comparison_ignores_case() {
        assert!(same_word("Zonnestroom", "zonnestroom"));
        assert!(same_word("ÉNERGIE", "énergie"));
        assert!(!same_word("Zonnestroom", "Zonnestromen"));
    }
}
