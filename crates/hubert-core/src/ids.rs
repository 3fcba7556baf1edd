//! Identifiers. Every row id is a UUIDv7 made in Rust (time-ordered, so inserts stay
//! index-friendly on both databases) and stored as its canonical text form.

/// A fresh, time-ordered id as text (`0190f3a2-7c1e-7b3d-…`).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// True when `s` is a well-formed UUID (any version); used to reject junk path ids early.
pub fn is_id(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_unique_and_ordered() {
        let a = super::new_id();
        let b = super::new_id();
        assert_ne!(a, b);
        assert!(super::is_id(&a));
        assert!(!super::is_id("x'; drop table"));
    }
}
