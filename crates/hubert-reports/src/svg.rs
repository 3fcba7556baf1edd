//! SVG charts. Every function returns a complete `<svg>` element as a string. Only
//! numbers and fixed labels go in, so the output needs no escaping beyond the labels
//! passed through [`escape`].

use std::fmt::Write;

/// Colour class of a service level, the same words the inbox badges use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// At or above the target.
    Good,
    /// Below the target but within five points.
    Warning,
    /// More than five points below the target.
    Bad,
    /// Nothing measured yet.
    None,
}

impl Tone {
    pub fn of(percent: Option<f64>, target: f64) -> Self {
        match percent {
            None => Tone::None,
            Some(p) if p >= target => Tone::Good,
            Some(p) if p >= target - 5.0 => Tone::Warning,
            Some(_) => Tone::Bad,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Tone::Good => "good",
            Tone::Warning => "warning",
            Tone::Bad => "bad",
            Tone::None => "none",
        }
    }
}

/// Escapes text for SVG/HTML content and attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn point_on_arc(cx: f64, cy: f64, r: f64, fraction: f64) -> (f64, f64) {
    // A half-circle gauge from 180° (left) to 0° (right).
    let angle = std::f64::consts::PI * (1.0 - fraction.clamp(0.0, 1.0));
    (cx + r * angle.cos(), cy - r * angle.sin())
}

/// A half-circle gauge of `percent` (0–100) with the `target` marked.
pub fn gauge(percent: Option<f64>, target: f64) -> String {
    let (cx, cy, r) = (100.0, 100.0, 80.0);
    let tone = Tone::of(percent, target);
    let (sx, sy) = point_on_arc(cx, cy, r, 0.0);
    let (ex, ey) = point_on_arc(cx, cy, r, 1.0);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="gauge gauge-{tone}" viewBox="0 0 200 120" role="img" aria-label="{label}"><path class="gauge-track" d="M{sx:.1} {sy:.1} A{r} {r} 0 0 1 {ex:.1} {ey:.1}" fill="none" stroke-width="18"/>"#,
        tone = tone.as_str(),
        label = percent.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "—".into()),
    );
    if let Some(p) = percent {
        let (px, py) = point_on_arc(cx, cy, r, p / 100.0);
        if p > 0.0 {
            let _ = write!(
                s,
                r#"<path class="gauge-value" d="M{sx:.1} {sy:.1} A{r} {r} 0 0 1 {px:.1} {py:.1}" fill="none" stroke-width="18"/>"#
            );
        }
    }
    let (tx1, ty1) = point_on_arc(cx, cy, r - 14.0, target / 100.0);
    let (tx2, ty2) = point_on_arc(cx, cy, r + 14.0, target / 100.0);
    let _ = write!(
        s,
        r#"<line class="gauge-target" x1="{tx1:.1}" y1="{ty1:.1}" x2="{tx2:.1}" y2="{ty2:.1}" stroke-width="4"/>"#
    );
    let text = percent.map(|p| format!("{p:.0}%")).unwrap_or_else(|| "—".into());
    let _ = write!(
        s,
        r#"<text class="gauge-text" x="100" y="98" text-anchor="middle">{text}</text></svg>"#
    );
    s
}

/// Two series over the same slots (e.g. messages per hour today and on the same weekday
/// last week) as lines, scaled to the larger maximum. `now_slot` cuts today's line.
pub fn sparkline(today: &[u64], last_week: &[u64], now_slot: Option<usize>) -> String {
    let (w, h, pad) = (240.0, 60.0, 4.0);
    let n = today.len().max(last_week.len()).max(2);
    let max = today.iter().chain(last_week).copied().max().unwrap_or(0).max(1) as f64;
    let path = |values: &[u64], upto: usize| -> String {
        let mut d = String::new();
        for (i, v) in values.iter().take(upto).enumerate() {
            let x = pad + (w - 2.0 * pad) * i as f64 / (n - 1) as f64;
            let y = h - pad - (h - 2.0 * pad) * (*v as f64) / max;
            let _ = write!(d, "{}{x:.1} {y:.1} ", if i == 0 { "M" } else { "L" });
        }
        d.trim_end().to_owned()
    };
    let upto = now_slot.map(|s| s + 1).unwrap_or(today.len());
    format!(
        r#"<svg class="sparkline" viewBox="0 0 {w} {h}" preserveAspectRatio="none" role="img"><path class="spark-last-week" d="{}" fill="none" stroke-width="2" stroke-dasharray="4 3"/><path class="spark-today" d="{}" fill="none" stroke-width="3"/></svg>"#,
        path(last_week, last_week.len()),
        path(today, upto)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tones_follow_the_target() {
        assert_eq!(Tone::of(Some(96.0), 95.0), Tone::Good);
        assert_eq!(Tone::of(Some(95.0), 95.0), Tone::Good);
        assert_eq!(Tone::of(Some(91.0), 95.0), Tone::Warning);
        assert_eq!(Tone::of(Some(80.0), 95.0), Tone::Bad);
        assert_eq!(Tone::of(None, 95.0), Tone::None);
    }

    #[test]
    fn gauges_are_deterministic_and_mark_the_target() {
        let a = gauge(Some(87.5), 95.0);
        assert_eq!(a, gauge(Some(87.5), 95.0));
        assert!(a.starts_with("<svg") && a.ends_with("</svg>"));
        assert!(a.contains("gauge-target") && a.contains("88%") && a.contains("gauge-bad"));
        assert!(!gauge(None, 95.0).contains("gauge-value"));
    }

    #[test]
    fn sparklines_scale_both_series_together() {
        let s = sparkline(&[0, 5, 10], &[10, 10, 10], Some(1));
        assert!(s.contains("spark-today") && s.contains("spark-last-week"));
        assert_eq!(s, sparkline(&[0, 5, 10], &[10, 10, 10], Some(1)));
        assert!(sparkline(&[], &[], None).contains("<svg"));
    }

    #[test]
    fn labels_are_escaped() {
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}
