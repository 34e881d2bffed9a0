//! In-memory sliding-window rate limits (login attempts per IP and per account, mails per IP).
//! Kept in memory on purpose: a restart forgets them, which costs an attacker a restart of our
//! server they cannot trigger, and spares the SD card a write per attempt.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Beyond this many keys, forgotten windows are swept so memory stays bounded.
const SWEEP_ABOVE: usize = 10_000;

/// Allows `max` events per `window` for each key.
pub struct RateLimiter {
    max: usize,
    window: Duration,
    events: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// A limiter allowing `max` events per `window` for each key.
    pub fn new(max: usize, window: Duration) -> RateLimiter {
        RateLimiter {
            max,
            window,
            events: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the key has used up its allowance; `Some(seconds to wait)` if so.
    pub fn blocked(&self, key: &str) -> Option<u64> {
        let now = Instant::now();
        let mut map = self.events.lock().unwrap_or_else(|e| e.into_inner());
        let q = map.get_mut(key)?;
        self.expire(q, now);
        (q.len() >= self.max).then(|| {
            let oldest = q.front().copied().unwrap_or(now);
            self.window.saturating_sub(now - oldest).as_secs().max(1)
        })
    }

    /// Counts one event for the key.
    pub fn record(&self, key: &str) {
        let now = Instant::now();
        let mut map = self.events.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, q| q.back().is_some_and(|t| now - *t < self.window));
        }
        let q = map.entry(key.to_string()).or_default();
        self.expire(q, now);
        q.push_back(now);
    }

    /// Counts one event and says whether it was allowed (for actions limited on every try).
    pub fn hit(&self, key: &str) -> bool {
        if self.blocked(key).is_some() {
            return false;
        }
        self.record(key);
        true
    }

    /// Forgets a key (after a successful login).
    pub fn clear(&self, key: &str) {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }

    fn expire(&self, q: &mut VecDeque<Instant>, now: Instant) {
        while q.front().is_some_and(|t| now - *t >= self.window) {
            q.pop_front();
        }
    }
}

/// The limits the site applies.
pub struct Limits {
    /// Login attempts per client IP.
    pub login_ip: RateLimiter,
    /// Failed logins per account.
    pub login_account: RateLimiter,
    /// Mails triggered per client IP (sign-up, reset, resend).
    pub mail_ip: RateLimiter,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            login_ip: RateLimiter::new(20, Duration::from_secs(15 * 60)),
            login_account: RateLimiter::new(5, Duration::from_secs(15 * 60)),
            mail_ip: RateLimiter::new(10, Duration::from_secs(60 * 60)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_events_in_window() {
        let rl = RateLimiter::new(2, Duration::from_secs(60));
        assert!(rl.hit("ip"));
        assert!(rl.hit("ip"));
        assert!(!rl.hit("ip"));
        assert!(rl.blocked("ip").is_some());
        assert!(rl.hit("other"));
        rl.clear("ip");
        assert!(rl.hit("ip"));
    }
}
