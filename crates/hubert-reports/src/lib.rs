//! Report building blocks. For now: hand-written SVG charts (gauge, sparkline) that the
//! wallboard shows and the reports will reuse. Deterministic output (same numbers, same
//! bytes), themeable through CSS custom properties, numbers only — never customer text.

pub mod svg;
