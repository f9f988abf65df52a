//! Sign-in and signing throttles: repeated failures for one account, or from one address, are
//! slowed and then locked out for a while (ASVS 2.2.1; 21 CFR 11.300(d)).
//!
//! The rule per key (an account or an address): after the n-th consecutive failure the next
//! attempt waits 2^(n-1) seconds; at the lockout threshold the key is locked for the lockout
//! period. A success clears the account's failures. Unknown accounts are throttled exactly like
//! known ones, so the answers never tell which e-mail addresses exist.

use time::{Duration, OffsetDateTime};

/// The throttle's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Consecutive failures after which the key is locked.
    pub lock_after: u32,
    /// How long a lock lasts.
    pub lockout: Duration,
    /// Failures that expire: a failure older than this no longer counts.
    pub window: Duration,
    /// Whether each failure also makes the next attempt wait 2^(n-1) seconds.
    pub slow_down: bool,
}

impl Policy {
    /// Accounts: five failures, then fifteen minutes. At most 5 failures per 15 minutes can be
    /// evaluated, 20 per hour (ASVS 2.2.1 allows 100).
    pub const ACCOUNT: Policy = Policy {
        lock_after: 5,
        lockout: Duration::minutes(15),
        window: Duration::minutes(15),
        slow_down: true,
    };
    /// Addresses: one address may try many accounts (password spraying), but many honest people
    /// may share one (an office behind NAT), so an address is not slowed, only locked after 20
    /// failures in 15 minutes.
    pub const ADDRESS: Policy = Policy {
        lock_after: 20,
        lockout: Duration::minutes(15),
        window: Duration::minutes(15),
        slow_down: false,
    };
}

/// The stored state of one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    pub failures: u32,
    pub last_failure: Option<OffsetDateTime>,
    pub locked_until: Option<OffsetDateTime>,
}

impl State {
    pub const CLEAR: State = State {
        failures: 0,
        last_failure: None,
        locked_until: None,
    };
}

/// May an attempt be evaluated now? `Err(retry_after)` when not.
pub fn check(policy: Policy, s: &State, now: OffsetDateTime) -> Result<(), Duration> {
    if let Some(until) = s.locked_until {
        if until > now {
            return Err(until - now);
        }
    }
    let s = current(policy, s, now);
    if !policy.slow_down || s.failures == 0 || s.failures >= policy.lock_after {
        return Ok(());
    }
    let delay = Duration::seconds(1_i64 << (s.failures - 1).min(10));
    match s.last_failure {
        Some(last) if last + delay > now => Err(last + delay - now),
        _ => Ok(()),
    }
}

/// The state after a failed attempt at `now`. Returns whether this failure locked the key.
pub fn fail(policy: Policy, s: &State, now: OffsetDateTime) -> (State, bool) {
    let mut s = current(policy, s, now);
    s.failures += 1;
    s.last_failure = Some(now);
    let locks = s.failures >= policy.lock_after;
    if locks {
        s.locked_until = Some(now + policy.lockout);
        s.failures = 0;
    }
    (s, locks)
}

/// Forgets failures older than the window and locks that have ended.
fn current(policy: Policy, s: &State, now: OffsetDateTime) -> State {
    let mut s = *s;
    if s.locked_until.is_some_and(|u| u <= now) {
        s.locked_until = None;
    }
    if s.last_failure.is_some_and(|l| l + policy.window <= now) {
        s.failures = 0;
    }
    s
}

/// Whole seconds to put in `Retry-After`, at least 1.
pub fn retry_after_secs(d: Duration) -> i64 {
    let s = d.whole_seconds() + i64::from(d.subsec_nanoseconds() > 0);
    s.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> OffsetDateTime {
        time::macros::datetime!(2026-11-26 09:00 UTC)
    }

    #[test]
    fn failures_slow_then_lock() {
        let p = Policy::ACCOUNT;
        let mut s = State::CLEAR;
        let mut now = t0();
        assert_eq!(check(p, &s, now), Ok(()));
        for n in 1..p.lock_after {
            let (next, locked) = fail(p, &s, now);
            assert!(!locked);
            s = next;
            let wait = check(p, &s, now).unwrap_err();
            assert_eq!(wait, Duration::seconds(1 << (n - 1)));
            now += wait;
            assert_eq!(check(p, &s, now), Ok(()));
        }
        let (s, locked) = fail(p, &s, now);
        assert!(locked);
        assert_eq!(check(p, &s, now), Err(Duration::minutes(15)));
        assert_eq!(check(p, &s, now + Duration::minutes(15)), Ok(()));
    }

    #[test]
    fn at_most_twenty_failures_an_hour_are_evaluated() {
        let p = Policy::ACCOUNT;
        let (mut s, mut now, mut evaluated) = (State::CLEAR, t0(), 0);
        let end = t0() + Duration::hours(1);
        while now < end {
            match check(p, &s, now) {
                Ok(()) => {
                    evaluated += 1;
                    s = fail(p, &s, now).0;
                }
                Err(wait) => now += wait,
            }
        }
        assert!(evaluated <= 20, "{evaluated}");
        assert!(evaluated >= 15, "{evaluated}");
    }

    #[test]
    fn old_failures_expire() {
        let p = Policy::ACCOUNT;
        let (s, _) = fail(p, &State::CLEAR, t0());
        let (s, _) = fail(p, &s, t0() + Duration::seconds(1));
        assert_eq!(current(p, &s, t0() + Duration::minutes(20)).failures, 0);
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::milliseconds(1500)), 2);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }
}
