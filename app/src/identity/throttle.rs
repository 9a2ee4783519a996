//! Slowing down guessing and flooding: wrong merchant keys, guest sessions and guest alert sign-ups, counted per
//! client address and per other key (a key's first characters, an email address) in a sliding window. A caller
//! over the limit gets `rate_limited` (429 with `Retry-After`) even when its next attempt would have been right,
//! so that guessing costs time whatever it finds.
//!
//! Counts live in this process's memory: a restart forgets them, and several instances each keep their own, which
//! multiplies the limits by the instance count but still turns 60 guesses in a tenth of a second into hours.

use crate::kernel::error::AppError;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How many attempts a window allows per key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub attempts: usize,
    pub window: Duration,
}

/// Keys counted at most, so that a flood of addresses cannot grow the table without bound: past it, the oldest
/// windows are dropped first.
const MAX_KEYS: usize = 100_000;

/// Attempts per key within one [`Limit`].
#[derive(Debug)]
pub struct Throttle {
    limit: Limit,
    attempts: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Throttle {
    pub fn new(limit: Limit) -> Self {
        Self {
            limit,
            attempts: Mutex::new(HashMap::new()),
        }
    }

    /// Refuses when any of `keys` used up its attempts, saying when the oldest one leaves the window.
    pub fn check(&self, keys: &[String], now: Instant, message: &str) -> Result<(), AppError> {
        let mut attempts = self
            .attempts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let wait = keys
            .iter()
            .filter_map(|key| {
                let times = attempts.get_mut(key)?;
                forget_before(times, now, self.limit.window);
                (times.len() >= self.limit.attempts)
                    .then(|| {
                        times
                            .front()
                            .map(|oldest| self.limit.window - (now - *oldest))
                    })
                    .flatten()
            })
            .max();
        match wait {
            Some(wait) => {
                // The client only: other keys may hold an email address, which logs should not.
                tracing::warn!(client = keys.first(), "throttled");
                Err(AppError::rate_limited(message, wait.as_millis() as i64))
            }
            None => Ok(()),
        }
    }

    /// [`Throttle::check`], and the attempt counted when it may go ahead: for limits on every attempt (not only on
    /// failures).
    pub fn admit(&self, keys: &[String], now: Instant, message: &str) -> Result<(), AppError> {
        self.check(keys, now, message)?;
        self.record(keys, now);
        Ok(())
    }

    /// Counts an attempt against every one of `keys`.
    pub fn record(&self, keys: &[String], now: Instant) {
        let mut attempts = self
            .attempts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if attempts.len() >= MAX_KEYS {
            let window = self.limit.window;
            attempts.retain(|_, times| {
                forget_before(times, now, window);
                !times.is_empty()
            });
        }
        for key in keys {
            let times = attempts.entry(key.clone()).or_default();
            forget_before(times, now, self.limit.window);
            times.push_back(now);
            if times.len() > self.limit.attempts {
                times.pop_front();
            }
        }
    }
}

fn forget_before(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times
        .front()
        .is_some_and(|oldest| now.duration_since(*oldest) >= window)
    {
        times.pop_front();
    }
}

/// The throttles a server keeps, shared by every request through its state.
#[derive(Debug, Clone)]
pub struct Throttles {
    /// Wrong API keys, on the merchant API and at the merchant pages' sign-in.
    pub wrong_keys: Arc<Throttle>,
    /// Guest sessions started, per client address.
    pub guest_sessions: Arc<Throttle>,
    /// Alert sign-ups that send a confirmation email, per client address and per address written to.
    pub email_sign_ups: Arc<Throttle>,
}

impl Default for Throttles {
    fn default() -> Self {
        let minutes = |n: u64| Duration::from_secs(n * 60);
        Self {
            wrong_keys: Arc::new(Throttle::new(Limit {
                attempts: 10,
                window: minutes(15),
            })),
            // Generous: many shoppers can share one address (offices, mobile carriers).
            guest_sessions: Arc::new(Throttle::new(Limit {
                attempts: 300,
                window: minutes(1),
            })),
            email_sign_ups: Arc::new(Throttle::new(Limit {
                attempts: 5,
                window: minutes(60),
            })),
        }
    }
}

/// The address of the client a request came from, as the server's connection saw it (behind a reverse proxy,
/// the proxy's), when the server records it.
pub fn client_address(extensions: &http::Extensions) -> Option<std::net::IpAddr> {
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip())
}

/// The throttle key of the client of the server function being run.
pub fn current_client() -> String {
    client_key(
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| client_address(&parts.extensions)),
    )
}

/// The throttle key of a client address.
pub fn client_key(address: Option<std::net::IpAddr>) -> String {
    match address {
        Some(address) => format!("ip:{address}"),
        None => "ip:unknown".to_owned(),
    }
}

/// The throttle key of a presented API key: its first four characters, so that guesses sharing a start are
/// counted together without the table holding whole keys.
pub fn key_prefix(key: &str) -> String {
    format!("key:{}", key.chars().take(4).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn the_attempt_past_the_limit_waits_until_the_oldest_leaves_the_window() {
        let throttle = Throttle::new(Limit {
            attempts: 3,
            window: Duration::from_secs(60),
        });
        let start = Instant::now();
        let client = keys(&["ip:192.0.2.1"]);
        for second in 0..3 {
            let now = start + Duration::from_secs(second);
            assert!(throttle.check(&client, now, "slow down").is_ok());
            throttle.record(&client, now);
        }
        let refused = throttle
            .check(&client, start + Duration::from_secs(10), "slow down")
            .unwrap_err();
        assert_eq!(refused.retry_after_seconds, Some(50));
        assert!(
            throttle
                .check(
                    &keys(&["ip:192.0.2.2"]),
                    start + Duration::from_secs(10),
                    ""
                )
                .is_ok(),
            "another client is not slowed"
        );
        assert!(
            throttle
                .check(&client, start + Duration::from_secs(60), "")
                .is_ok(),
            "the first attempt left the window"
        );
    }

    #[test]
    fn any_key_over_its_limit_refuses_the_attempt() {
        let throttle = Throttle::new(Limit {
            attempts: 2,
            window: Duration::from_secs(60),
        });
        let now = Instant::now();
        // Two clients guessing keys that start alike.
        throttle.record(&keys(&["ip:a", "key:abcd"]), now);
        throttle.record(&keys(&["ip:b", "key:abcd"]), now);
        assert!(
            throttle
                .check(&keys(&["ip:c", "key:abcd"]), now, "")
                .is_err()
        );
        assert!(
            throttle
                .check(&keys(&["ip:c", "key:wxyz"]), now, "")
                .is_ok()
        );
    }

    #[test]
    fn keys_name_the_client_and_only_a_keys_start() {
        assert_eq!(client_key(Some([192, 0, 2, 1].into())), "ip:192.0.2.1");
        assert_eq!(client_key(None), "ip:unknown");
        assert_eq!(key_prefix("secret-merchant-key"), "key:secr");
    }
}
