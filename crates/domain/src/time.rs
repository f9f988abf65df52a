//! Time as Accord stores it: UTC, microsecond precision.

use time::OffsetDateTime;

/// Where "now" comes from. Injected, so expiry, throttling and audit ordering are tested
/// without waiting.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;
}

/// Truncates a time to whole microseconds in UTC, the precision both backends store.
pub fn to_micros(t: OffsetDateTime) -> OffsetDateTime {
    let t = t.to_offset(time::UtcOffset::UTC);
    let micros = t.microsecond();
    t.replace_microsecond(micros).unwrap_or(t)
}

/// Microseconds since the Unix epoch.
pub fn unix_micros(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000) as i64
}

/// The inverse of [`unix_micros`]; `None` when out of range.
pub fn from_unix_micros(us: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micros_round_trip_and_truncate() {
        let t = time::macros::datetime!(2026-11-26 10:00:00.123456789 UTC);
        let m = to_micros(t);
        assert_eq!(m.nanosecond(), 123_456_000);
        assert_eq!(from_unix_micros(unix_micros(m)), Some(m));
    }
}
