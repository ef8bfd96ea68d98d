//! Which URLs an endpoint may point at. A webhook makes the server send requests where
//! an admin says; without a rule, a typo or a malicious admin could reach the server's
//! own network (its database port, a cloud metadata address). The rule: `https` (or
//! `http`), a host, no credentials in the URL, and every address the host resolves to
//! public. Loopback, private, link-local, unique-local, shared (CGNAT), multicast and
//! unspecified addresses are refused unless `STUDYTRACK_WEBHOOK_ALLOW_PRIVATE=true`
//! (tests and single-host setups). The check runs when an endpoint is saved and again
//! before every delivery, on the addresses resolved then, so a name that later
//! resolves inside the network is refused too.

use std::net::IpAddr;

/// Why a URL is refused, or its host and port.
pub fn parse(url: &str) -> Result<(String, u16), String> {
    let rest = url.strip_prefix("https://").map(|r| (r, 443)).or_else(|| url.strip_prefix("http://").map(|r| (r, 80)));
    let Some((rest, default_port)) = rest else {
        return Err("must start with https:// or http://".into());
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters".into());
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("must not carry credentials".into());
    }
    // `[v6]:port`, `[v6]`, `host:port` or `host`.
    let (host, port) = match authority.strip_prefix('[') {
        Some(bracketed) => {
            let (host, after) = bracketed.split_once(']').ok_or("has an unclosed [")?;
            (host, after.strip_prefix(':'))
        }
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let port = match port {
        None => default_port,
        Some(text) => text.parse().map_err(|_| "has a port that is not a number".to_owned())?,
    };
    if host.is_empty() {
        return Err("has no host".into());
    }
    Ok((host.to_owned(), port))
}

/// Whether an address is on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_unspecified()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => {
            if let Some(mapped) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(mapped));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// Resolves the URL's host and checks every address; `Err` says why not.
pub async fn check(url: &str, allow_private: bool) -> Result<(), String> {
    let (host, port) = parse(url)?;
    if allow_private {
        return Ok(());
    }
    let addresses: Vec<IpAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|e| format!("host {host:?} does not resolve: {e}"))?
        .map(|a| a.ip())
        .collect();
    if addresses.is_empty() {
        return Err(format!("host {host:?} does not resolve"));
    }
    match addresses.iter().find(|ip| !is_public(**ip)) {
        Some(ip) => Err(format!(
            "resolves to {ip}, which is not a public address (set STUDYTRACK_WEBHOOK_ALLOW_PRIVATE=true to allow)"
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_to_host_and_port() {
        assert_eq!(parse("https://hooks.example.com/in"), Ok(("hooks.example.com".into(), 443)));
        assert_eq!(parse("http://127.0.0.1:9000/x?y"), Ok(("127.0.0.1".into(), 9000)));
        assert_eq!(parse("http://[::1]:81/"), Ok(("::1".into(), 81)));
        for bad in ["ftp://x", "https://", "https://u:p@host/", "https://host:port/", "https://a b/"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn internal_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap_or(IpAddr::from([127, 0, 0, 1]))), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"] {
            assert!(is_public(ip.parse().unwrap_or(IpAddr::from([127, 0, 0, 1]))), "{ip}");
        }
    }

    #[tokio::test]
    async fn loopback_needs_the_switch() {
        assert!(check("http://127.0.0.1:9/", false).await.is_err());
        assert!(check("http://localhost:9/", false).await.is_err());
        assert!(check("http://127.0.0.1:9/", true).await.is_ok());
    }
}
