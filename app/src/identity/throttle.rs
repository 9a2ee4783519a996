//! Slowing down guessing and flooding: wrong merchant keys, guest sessions and guest alert sign-ups, counted per
//! client address and per other key (a key's first characters, an email address) in a sliding window. A caller
//! over the limit gets `rate_limited` (429 with `Retry-After`) even when its next attempt would have been right,
//! so that guessing costs time whatever it finds.
//!
//! Counts live in this process's memory: a restart forgets them, and several instances each keep their own, which
//! multiplies the limits by the instance count but still turns 60 guesses in a tenth of a second into hours.

use crate::kernel::error::{AppError, Message};
use crate::kernel::time::Millis;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
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
    pub fn check(
        &self,
        keys: &[String],
        now: Instant,
        message: impl Into<Message>,
    ) -> Result<(), AppError> {
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
                Err(AppError::rate_limited(
                    message,
                    Millis(wait.as_millis() as i64),
                ))
            }
            None => Ok(()),
        }
    }

    /// [`Throttle::check`], and the attempt counted when it may go ahead: for limits on every attempt (not only on
    /// failures).
    pub fn admit(
        &self,
        keys: &[String],
        now: Instant,
        message: impl Into<Message>,
    ) -> Result<(), AppError> {
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

/// The address of the client a request came from: the one the server worked out from a trusted proxy's
/// `X-Forwarded-For` ([`forwarded_client`]), or else the one its connection came from, when the server records it.
pub fn client_address(extensions: &http::Extensions) -> Option<IpAddr> {
    extensions
        .get::<ClientAddress>()
        .map(|client| client.0)
        .or_else(|| {
            extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip())
        })
}

/// The client's address behind trusted proxies, put into the request by the server before anything reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// The addresses of proxies the server trusts to say who their client was: one address (`10.0.0.7`) or a network
/// (`10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u32,
}

impl std::str::FromStr for Network {
    type Err = String;

    fn from_str(text: &str) -> Result<Network, String> {
        let bad = || format!("\"{text}\" is not an address or a network such as 10.0.0.0/8");
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text.trim(), None),
        };
        let address: IpAddr = address.parse().map_err(|_| bad())?;
        let width = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix
                .parse::<u32>()
                .ok()
                .filter(|p| *p <= width)
                .ok_or_else(bad)?,
            None => width,
        };
        Ok(Network { address, prefix })
    }
}

impl Network {
    /// Whether `address` lies in the network; an IPv4 address a dual-stack listener reports as `::ffff:a.b.c.d`
    /// counts as itself.
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        let high_bits = |bits: u128, width: u32| {
            if self.prefix == 0 {
                0
            } else {
                bits >> (width - self.prefix)
            }
        };
        match (self.address.to_canonical(), address) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                high_bits(u32::from(network).into(), 32) == high_bits(u32::from(address).into(), 32)
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                high_bits(u128::from(network), 128) == high_bits(u128::from(address), 128)
            }
            _ => false,
        }
    }
}

/// The client of a request whose connection came from `peer`, given the `X-Forwarded-For` values it carries (in
/// order): when `peer` is a trusted proxy, the right-most address in them that is not one, since each trusted proxy
/// appends the address it was reached from and anything further left is only what the client claims; otherwise
/// `peer` itself, whatever the header says. A value that is not an address ends the search at the last trusted
/// hop.
pub fn forwarded_client(peer: IpAddr, forwarded_for: &[&str], trusted: &[Network]) -> IpAddr {
    let is_trusted = |address: IpAddr| trusted.iter().any(|network| network.contains(address));
    let mut client = peer;
    if !is_trusted(client) {
        return client;
    }
    let hops = forwarded_for
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim);
    for hop in hops.collect::<Vec<_>>().into_iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(address) => {
                client = address;
                if !is_trusted(address) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
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

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn networks_hold_the_addresses_under_their_prefix() {
        let private: Network = "10.0.0.0/8".parse().unwrap();
        assert!(private.contains(ip("10.200.3.4")));
        assert!(!private.contains(ip("11.0.0.1")));
        assert!(private.contains(ip("::ffff:10.0.0.1")));
        let one: Network = "192.168.1.7".parse().unwrap();
        assert!(one.contains(ip("192.168.1.7")) && !one.contains(ip("192.168.1.8")));
        let v6: Network = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        let everything: Network = "0.0.0.0/0".parse().unwrap();
        assert!(everything.contains(ip("203.0.113.9")));
        for bad in ["10.0.0.0/33", "10.0.0/8", "proxy", "::/129", ""] {
            assert!(bad.parse::<Network>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_client_is_the_last_address_a_trusted_proxy_did_not_add_itself() {
        let proxies: Vec<Network> = ["10.0.0.0/8"].iter().map(|n| n.parse().unwrap()).collect();
        // Behind the load balancer: its entry names the client.
        assert_eq!(
            forwarded_client(ip("10.0.0.2"), &["203.0.113.9"], &proxies),
            ip("203.0.113.9")
        );
        // What the client put in front is not believed; two trusted hops are looked through.
        assert_eq!(
            forwarded_client(
                ip("10.0.0.2"),
                &["1.2.3.4, 203.0.113.9", "10.0.0.5"],
                &proxies
            ),
            ip("203.0.113.9")
        );
        // A client reaching the server directly cannot choose its address.
        assert_eq!(
            forwarded_client(ip("198.51.100.1"), &["203.0.113.9"], &proxies),
            ip("198.51.100.1")
        );
        assert_eq!(
            forwarded_client(ip("10.0.0.2"), &[], &proxies),
            ip("10.0.0.2")
        );
        assert_eq!(
            forwarded_client(ip("10.0.0.2"), &["unknown, 10.0.0.9"], &proxies),
            ip("10.0.0.9")
        );
        assert_eq!(
            forwarded_client(ip("10.0.0.2"), &["203.0.113.9"], &[]),
            ip("10.0.0.2")
        );
    }

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
