//! `hubert text analyze`: the text toolkit for other tools. Reads JSON lines from stdin, each
//! `{"text": …, "reply"?: …, "names"?: […], "house_style"?: "formal"|"informal", "allow"?: […]}`,
//! and writes one JSON line per input line (an `{"error": …}` line for a line it cannot read).
//! Offsets are in characters (Unicode scalar values) of the given text.

use std::io::{BufRead, Write};

use clap::Subcommand;
use hubert_core::text::{analyze, AnalyzeRequest};

#[derive(Subcommand)]
pub enum TextCommand {
    /// Analyse JSON lines from stdin: language, register, spelling, d/t, sentiment, masking.
    Analyze {
        /// Skip spelling suggestions (faster); a line's own `"suggest"` field wins.
        #[arg(long)]
        no_suggest: bool,
    },
}

pub fn run(command: TextCommand) -> anyhow::Result<()> {
    let TextCommand::Analyze { no_suggest } = command;
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        writeln!(out, "{}", analyze_line(&line, !no_suggest))?;
    }
    out.flush()?;
    Ok(())
}

/// One input line to one output line.
fn analyze_line(line: &str, suggest_by_default: bool) -> String {
    let value: serde_json::Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return serde_json::json!({ "error": format!("not JSON: {e}") }).to_string(),
    };
    let explicit_suggest = value.get("suggest").is_some();
    match serde_json::from_value::<AnalyzeRequest>(value) {
        Ok(mut request) => {
            if !explicit_suggest {
                request.suggest = suggest_by_default;
            }
            serde_json::to_string(&analyze(&request))
                .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }).to_string())
        }
        Err(e) => serde_json::json!({ "error": format!("bad input: {e}") }).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_in_gives_a_line_out_with_the_documented_fields() {
        let out: serde_json::Value = serde_json::from_str(&analyze_line(
            r#"{"text":"Kunt u mij bellen op 06-12345678? Mijn faktuur klopt niet."}"#,
            true,
        ))
        .unwrap();
        assert_eq!(out["language"], "nl");
        assert_eq!(out["register"], "formal");
        assert_eq!(out["recommended_register"], "formal");
        assert_eq!(out["pii"][0]["kind"], "phone");
        assert_eq!(out["spelling"][0]["word"], "faktuur");
        assert!(out["spelling"][0]["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "factuur"));
        assert_eq!(out["sentiment"], "negative");
    }

    #[test]
    fn a_broken_line_gives_an_error_line() {
        assert!(analyze_line("{nope", true).contains("error"));
        assert!(analyze_line(r#"{"reply":"x"}"#, true).contains("\"language\""));
    }
}
