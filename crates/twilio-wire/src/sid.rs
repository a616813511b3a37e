//! Twilio resource identifiers: a two-letter prefix and 32 lowercase hex digits.

use rand::Rng;

/// A new random SID with the given prefix (`CA` call, `SM` message, `RE` recording, ...).
pub fn new_sid(prefix: &str) -> String {
    let mut rng = rand::rng();
    let hex: String = (0..32)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect();
    format!("{prefix}{hex}")
}

/// Whether `sid` is `prefix` followed by 32 hex digits.
pub fn is_sid(sid: &str, prefix: &str) -> bool {
    sid.len() == 34 && sid.starts_with(prefix) && sid[2..].chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_sids_have_the_twilio_shape() {
        let sid = new_sid("CA");
        assert!(is_sid(&sid, "CA"), "{sid}");
        assert_ne!(sid, new_sid("CA"));
        assert!(!is_sid("CA123", "CA"));
        assert!(!is_sid(&new_sid("SM"), "CA"));
    }
}
