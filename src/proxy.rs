//! Who the client is: the one rule every throttle, the rate limiter, the logs and the
//! audit log use to name the address a request came from.
//!
//! Forwarding headers are written by whoever sends them, so they are believed only as
//! far as they were written by proxies we run. A proxy such as nginx *appends* the peer
//! it saw on the right of `X-Forwarded-For`, so the client is the rightmost entry that
//! is not one of our proxies; everything left of it may be forged. Requests whose TCP
//! peer is not a trusted proxy are taken at their peer address, headers ignored.
//!
//! Addresses are keyed so one subscriber cannot multiply their budget: IPv4-mapped
//! IPv6 is its IPv4 address, and IPv6 counts by /56 (the block an ISP usually hands
//! one customer).

use std::fmt;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use ipnet::IpNet;

/// Which forwarding header the trusted proxies write. Only that one is read: a proxy
/// that writes `X-Forwarded-For` passes a client's own `Forwarded` header through
/// untouched, so reading both would let the client choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardedHeader {
    XForwardedFor,
    /// RFC 7239 `Forwarded` (its `for=` parameters).
    Forwarded,
}

impl ForwardedHeader {
    pub fn name(self) -> &'static str {
        match self {
            ForwardedHeader::XForwardedFor => "x-forwarded-for",
            ForwardedHeader::Forwarded => "forwarded",
        }
    }
}

/// Which peers are our own proxies (`STUDYTRACK_TRUSTED_PROXIES`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyTrust {
    /// No proxy: the TCP peer is the client and forwarding headers are ignored.
    None,
    /// A fixed number of proxies in front: the peer is the last, and the client is
    /// the entry `hops` from the right of the header (1 = the rightmost).
    Hops { hops: usize, header: ForwardedHeader },
    /// Proxies are the peers in these networks: the client is the rightmost header
    /// entry outside them.
    Networks { networks: Vec<IpNet>, header: ForwardedHeader },
}

impl ProxyTrust {
    /// Parses `STUDYTRACK_TRUSTED_PROXIES`: empty for none, a hop count (`1`), or a
    /// comma-separated list of addresses and CIDR networks (`10.0.0.0/8, ::1`).
    pub fn parse(value: &str, header: ForwardedHeader) -> Result<Self, String> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(ProxyTrust::None);
        }
        if let Ok(hops) = value.parse::<usize>() {
            return match hops {
                0 => Ok(ProxyTrust::None),
                1..=16 => Ok(ProxyTrust::Hops { hops, header }),
                _ => Err(format!("a hop count must be between 0 and 16, got {hops}")),
            };
        }
        let mut networks = Vec::new();
        for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let net = item
                .parse::<IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{item:?} is neither an IP address nor a CIDR network"))?;
            networks.push(net);
        }
        Ok(ProxyTrust::Networks { networks, header })
    }

    /// The header this configuration reads, if any.
    pub fn header(&self) -> Option<ForwardedHeader> {
        match self {
            ProxyTrust::None => None,
            ProxyTrust::Hops { header, .. } | ProxyTrust::Networks { header, .. } => Some(*header),
        }
    }

    fn is_proxy(&self, ip: IpAddr) -> bool {
        match self {
            ProxyTrust::None => false,
            ProxyTrust::Hops { .. } => true,
            ProxyTrust::Networks { networks, .. } => {
                let ip = canonical(ip);
                networks.iter().any(|n| n.contains(&ip))
            }
        }
    }

    /// The client address of a request from `peer` carrying `values` of the
    /// configured forwarding header (every occurrence, in order).
    pub fn client(&self, peer: IpAddr, values: &[&str]) -> ClientAddress {
        let peer = canonical(peer);
        let Some(header) = self.header() else { return ClientAddress(peer) };
        if !self.is_proxy(peer) {
            return ClientAddress(peer);
        }
        let entries: Vec<&str> = values
            .iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .filter_map(|e| match header {
                ForwardedHeader::XForwardedFor => Some(e),
                ForwardedHeader::Forwarded => forwarded_for(e),
            })
            .collect();
        // Walk from the right: each entry was written by the hop to its right.
        let mut client = peer;
        let mut hops_left = match self {
            ProxyTrust::Hops { hops, .. } => *hops,
            _ => usize::MAX,
        };
        for entry in entries.iter().rev() {
            // A trusted proxy always writes a real address; anything else was written
            // by someone we do not trust, so the last trusted hop is all we know.
            let Some(ip) = parse_ip(entry) else { break };
            client = canonical(ip);
            hops_left -= 1;
            if hops_left == 0 || !self.is_proxy(client) {
                break;
            }
        }
        ClientAddress(client)
    }
}

/// The `for=` value of one `Forwarded` element (`for=192.0.2.1;proto=https`).
fn forwarded_for(element: &str) -> Option<&str> {
    element.split(';').map(str::trim).find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.trim().eq_ignore_ascii_case("for").then(|| value.trim().trim_matches('"'))
    })
}

/// An address as forwarding headers write it: bare, with a port, or bracketed IPv6.
fn parse_ip(text: &str) -> Option<IpAddr> {
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|a| a.ip()))
        .or_else(|| text.strip_prefix('[').and_then(|t| t.strip_suffix(']')).and_then(|t| t.parse().ok()))
}

/// IPv4-mapped IPv6 (`::ffff:192.0.2.1`) is the IPv4 address it carries.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// The address a request came from, by [`ProxyTrust::client`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddress(pub IpAddr);

impl ClientAddress {
    /// The address budgets are kept under: IPv4 whole, IPv6 by its /56 prefix.
    pub fn key(&self) -> IpAddr {
        match self.0 {
            IpAddr::V6(v6) => {
                let mut octets = v6.octets();
                octets[7..].fill(0);
                IpAddr::V6(Ipv6Addr::from(octets))
            }
            v4 => v4,
        }
    }

    /// [`Self::key`] as text, with the prefix length for IPv6 (`2001:db8:ab00::/56`).
    pub fn key_text(&self) -> String {
        match self.key() {
            IpAddr::V6(v6) => format!("{v6}/56"),
            v4 => v4.to_string(),
        }
    }
}

impl fmt::Display for ClientAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XFF: ForwardedHeader = ForwardedHeader::XForwardedFor;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn client(trust: &ProxyTrust, peer: &str, values: &[&str]) -> String {
        trust.client(ip(peer), values).to_string()
    }

    #[test]
    fn without_trust_headers_are_ignored() {
        let trust = ProxyTrust::parse("", XFF).unwrap();
        assert_eq!(client(&trust, "192.0.2.1", &["203.0.113.5"]), "192.0.2.1");
    }

    #[test]
    fn one_hop_takes_the_rightmost_entry_whatever_is_left_of_it() {
        let trust = ProxyTrust::parse("1", XFF).unwrap();
        assert_eq!(client(&trust, "127.0.0.1", &["6.6.6.6, 192.0.2.9"]), "192.0.2.9");
        assert_eq!(client(&trust, "127.0.0.1", &["6.6.6.6", "192.0.2.9"]), "192.0.2.9", "repeated headers join");
        assert_eq!(client(&trust, "127.0.0.1", &[]), "127.0.0.1", "no header: the peer");
        assert_eq!(client(&trust, "127.0.0.1", &["garbage"]), "127.0.0.1");
        let two = ProxyTrust::parse("2", XFF).unwrap();
        assert_eq!(client(&two, "127.0.0.1", &["6.6.6.6, 192.0.2.9, 10.0.0.2"]), "192.0.2.9");
    }

    #[test]
    fn networks_skip_trusted_hops_from_the_right() {
        let trust = ProxyTrust::parse("10.0.0.0/8, 127.0.0.1", XFF).unwrap();
        assert_eq!(client(&trust, "127.0.0.1", &["6.6.6.6, 192.0.2.9, 10.1.2.3"]), "192.0.2.9");
        assert_eq!(client(&trust, "192.0.2.50", &["6.6.6.6"]), "192.0.2.50", "an untrusted peer cannot choose");
        assert_eq!(client(&trust, "127.0.0.1", &["10.0.0.9, 10.0.0.8"]), "10.0.0.9", "all proxies: the farthest");
        assert_eq!(client(&trust, "127.0.0.1", &["forged, 192.0.2.9"]), "192.0.2.9");
        assert_eq!(client(&trust, "127.0.0.1", &["192.0.2.9, forged"]), "127.0.0.1", "garbage from a proxy stops");
    }

    #[test]
    fn forwarded_header_for_parameters() {
        let trust = ProxyTrust::parse("1", ForwardedHeader::Forwarded).unwrap();
        let got = client(&trust, "127.0.0.1", &["for=6.6.6.6, for=\"[2001:db8::7]:4711\";proto=https"]);
        assert_eq!(got, "2001:db8::7");
        assert_eq!(client(&trust, "127.0.0.1", &["for=192.0.2.1:80"]), "192.0.2.1");
    }

    #[test]
    fn keys_fold_ipv6_to_56_and_mapped_ipv4() {
        let trust = ProxyTrust::None;
        let a = trust.client(ip("2001:db8:aa:bb01::1"), &[]);
        let b = trust.client(ip("2001:db8:aa:bbff:1:2:3:4"), &[]);
        assert_eq!(a.key(), b.key());
        assert_eq!(a.key_text(), "2001:db8:aa:bb00::/56");
        assert_eq!(trust.client(ip("::ffff:192.0.2.1"), &[]).key_text(), "192.0.2.1");
    }

    #[test]
    fn bad_settings_are_refused() {
        assert!(ProxyTrust::parse("10.0.0.0/33", XFF).is_err());
        assert!(ProxyTrust::parse("proxy.example", XFF).is_err());
        assert!(ProxyTrust::parse("99", XFF).is_err());
        assert_eq!(ProxyTrust::parse("0", XFF).unwrap(), ProxyTrust::None);
    }
}
