//! Throughput of the text toolkit on one core: register + language + sentiment + masking for
//! 280-character messages, spelling without suggestions, suggestions for one word, the
//! dictionary load time and peak memory. Run with
//! `cargo run --release -p hubert-core --example text_bench`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use hubert_core::text::{
    check_grammar, check_spelling, detect_language, mask, read, recommended_register, register, sentiment, suggest,
    Language, Register, Speller,
};

/// Realistic webcare messages, each padded or cut to 280 characters.
fn messages() -> Vec<String> {
    let base = [
        "Hoi, mijn stroom is al twee uur weg in 3512 AB. Kun je me bellen op 06-12345678? Mijn klantnummer is 40012345 en ik woon op de Dorpsstraat 12a. Echt niet blij hiermee 😡 ",
        "Geachte heer, mevrouw, kunt u mij uitleggen waarom mijn voorschot is verhoogd? Mijn IBAN is NL91 ABNA 0417 1643 00 en mijn e-mailadres is j.devries@example.nl. Met vriendelijke groet, Ans Bakker ",
        "Top geholpen door jullie monteur vandaag, dank je wel! De slimme meter werkt weer en de app laat mijn verbruik per dag zien. Fijne avond nog 👍 ",
        "My power has been out since 9am in Amsterdam West, any update? Please call me on +31 6 1234 5678 or mail john.smith@example.co.uk. Not happy at all. ",
        "Ik wacht al 3 weken op mijn jaarafrekening en niemand neemt op. Dit is de derde keer dat ik het vraag. Het termijnbedrag word steeds hoger en ik snap er niks van. ",
    ];
    base.iter()
        .map(|b| {
            let mut s = String::new();
            while s.chars().count() < 280 {
                s.push_str(b);
            }
            s.chars().take(280).collect()
        })
        .collect()
}

fn rate(label: &str, budget: Duration, msgs: &[String], mut f: impl FnMut(&str)) -> f64 {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        for m in msgs {
            f(m);
        }
        n += msgs.len() as u64;
    }
    let per_s = n as f64 / start.elapsed().as_secs_f64();
    println!("{label:<58} {per_s:>12.0} messages/s");
    per_s
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let rss_before = peak_rss_kib();
    let load = Instant::now();
    let _ = Speller::dutch();
    println!(
        "dictionary load (parse nl.aff + nl.dic, once)               {:>9.1} ms",
        load.elapsed().as_secs_f64() * 1e3
    );
    println!(
        "peak RSS before / after the dictionary                      {:?} / {:?} KiB",
        rss_before,
        peak_rss_kib()
    );
    let msgs = messages();
    let budget = Duration::from_secs(3);
    rate(
        "register + language + sentiment + masking (280 chars)",
        budget,
        &msgs,
        |m| {
            black_box(register(m));
            black_box(recommended_register(m, Register::Informal));
            black_box(detect_language(m));
            black_box(sentiment(m));
            black_box(mask(m, &["Ans Bakker"]));
        },
    );
    rate("the same through text::read (one tokenization)", budget, &msgs, |m| {
        black_box(read(m, &["Ans Bakker"], Register::Informal, Language::Nl));
    });
    rate("spelling without suggestions (280 chars)", budget, &msgs, |m| {
        black_box(check_spelling(m, &["Stroomwijs"]));
    });
    rate("d/t and real-word rules (280 chars)", budget, &msgs, |m| {
        black_box(check_grammar(m));
    });
    let words = ["faktuur", "meterstant", "jaarafreking", "storring", "vandag"];
    let start = Instant::now();
    for w in words {
        black_box(suggest(w));
    }
    println!(
        "suggestions, mean per misspelled word                        {:>9.1} ms",
        start.elapsed().as_secs_f64() * 1e3 / words.len() as f64
    );
    println!(
        "peak RSS at the end                                         {:?} KiB",
        peak_rss_kib()
    );
}
