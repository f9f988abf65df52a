//! Rate limits on the expensive and sensitive operations (RELIABILITY.md S12): signing in,
//! signing, and (later) imports and exports. Each is limited per client address and per account,
//! independently of the failure throttle of `accord_domain::throttle`, which counts only failures.

use accord_app::Error;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;

/// Requests allowed per minute for each kind of operation, per client address and per account.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    pub login_per_minute: u32,
    pub sign_per_minute: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            login_per_minute: 30,
            sign_per_minute: 30,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Op {
    Login,
    Sign,
}

/// The limiters, shared by every request.
#[derive(Clone)]
pub struct Limiter {
    login: Arc<DefaultKeyedRateLimiter<String>>,
    sign: Arc<DefaultKeyedRateLimiter<String>>,
}

fn keyed(per_minute: u32) -> Arc<DefaultKeyedRateLimiter<String>> {
    let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    Arc::new(RateLimiter::keyed(Quota::per_minute(n)))
}

impl Limiter {
    pub fn new(limits: RateLimits) -> Self {
        Self {
            login: keyed(limits.login_per_minute),
            sign: keyed(limits.sign_per_minute),
        }
    }

    /// Counts one request of `op` against the client's address (when known) and the account;
    /// 429 with the wait when either is over its limit.
    pub fn check(&self, op: Op, address: Option<&str>, account: &str) -> Result<(), Error> {
        let limiter = match op {
            Op::Login => &self.login,
            Op::Sign => &self.sign,
        };
        let mut keys = vec![format!("account:{}", account.trim().to_lowercase())];
        if let Some(a) = address {
            keys.push(format!("address:{a}"));
        }
        for key in keys {
            if let Err(not_until) = limiter.check_key(&key) {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                return Err(Error::Throttled {
                    retry_after_secs: i64::try_from(wait.as_secs().max(1)).unwrap_or(i64::MAX),
                });
            }
        }
        // Forget keys that have recovered, so the maps stay small.
        if limiter.len() > 10_000 {
            limiter.retain_recent();
        }
        Ok(())
    }
}
