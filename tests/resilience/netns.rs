//! A network namespace of the test's own, joined to the host by a veth pair, so a
//! server inside it can be cut off or slowed down by the kernel itself: nftables drops
//! every packet on the link (the peer sees silence, not a refusal), a token bucket
//! (`tc tbf`) turns the link into a slow one. All of it lives on this machine and goes
//! away with the namespace.
//!
//! `tc netem` would add a fixed delay, but the kernels these tests run on are built
//! without it (`Specified qdisc kind is unknown`); the token bucket's queueing delay is
//! what a congested link adds instead.

use std::process::Command;

pub struct Netns {
    name: String,
    host_if: String,
    ns_if: String,
    /// The namespace side's address: what a server inside listens on.
    pub inside: String,
}

fn run(args: &[&str]) {
    let out = Command::new(args[0]).args(&args[1..]).output().unwrap_or_else(|e| panic!("cannot run {args:?}: {e}"));
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
}

impl Netns {
    /// Creates the namespace and the link: 10.231.N.1 on the host, 10.231.N.2 inside.
    pub fn create() -> Netns {
        // SAFETY: geteuid(2) has no preconditions and cannot fail.
        let root = unsafe { libc::geteuid() } == 0;
        assert!(root, "the network-fault test creates a network namespace and needs root (CAP_NET_ADMIN)");
        let id = std::process::id();
        let name = format!("stnet{id}");
        let subnet = format!("10.231.{}", id % 250 + 1);
        let netns =
            Netns { host_if: format!("st{id}h"), ns_if: format!("st{id}n"), inside: format!("{subnet}.2"), name };
        // Left over from a run of the same pid that was killed: start clean.
        let _ = Command::new("ip").args(["netns", "del", &netns.name]).output();
        run(&["ip", "netns", "add", &netns.name]);
        run(&["ip", "link", "add", &netns.host_if, "type", "veth", "peer", "name", &netns.ns_if]);
        run(&["ip", "link", "set", &netns.ns_if, "netns", &netns.name]);
        run(&["ip", "addr", "add", &format!("{subnet}.1/30"), "dev", &netns.host_if]);
        run(&["ip", "link", "set", &netns.host_if, "up"]);
        netns.exec(&["ip", "addr", "add", &format!("{subnet}.2/30"), "dev", &netns.ns_if]);
        netns.exec(&["ip", "link", "set", &netns.ns_if, "up"]);
        netns.exec(&["ip", "link", "set", "lo", "up"]);
        netns
    }

    /// The command prefix that runs a program inside the namespace.
    pub fn prefix(&self) -> [&str; 4] {
        ["ip", "netns", "exec", &self.name]
    }

    fn exec(&self, args: &[&str]) {
        let mut all: Vec<&str> = self.prefix().to_vec();
        all.extend_from_slice(args);
        run(&all);
    }

    /// Every packet in or out of the namespace's link is dropped, silently.
    pub fn drop_everything(&self) {
        let rules = format!(
            "add table inet studytrack_fault {{ chain input {{ type filter hook input priority 0; iifname \"{0}\" drop; }}; \
             chain output {{ type filter hook output priority 0; oifname \"{0}\" drop; }}; }}",
            self.ns_if
        );
        self.exec(&["nft", &rules]);
    }

    /// Both directions of the link limited to `rate` (a `tc` rate such as `256kbit`).
    pub fn slow_down(&self, rate: &str) {
        let tbf = ["root", "tbf", "rate", rate, "burst", "4kb", "latency", "5s"];
        let mut host = vec!["tc", "qdisc", "replace", "dev", &self.host_if];
        host.extend_from_slice(&tbf);
        run(&host);
        let mut inside = vec!["tc", "qdisc", "replace", "dev", &self.ns_if];
        inside.extend_from_slice(&tbf);
        self.exec(&inside);
    }

    /// Removes every fault: the link passes everything at full speed again.
    pub fn heal(&self) {
        let mut all: Vec<&str> = self.prefix().to_vec();
        all.extend_from_slice(&["nft", "delete", "table", "inet", "studytrack_fault"]);
        let _ = Command::new(all[0]).args(&all[1..]).output();
        let _ = Command::new("tc").args(["qdisc", "del", "dev", &self.host_if, "root"]).output();
        let mut all: Vec<&str> = self.prefix().to_vec();
        all.extend_from_slice(&["tc", "qdisc", "del", "dev", &self.ns_if, "root"]);
        let _ = Command::new(all[0]).args(&all[1..]).output();
    }
}

impl Drop for Netns {
    /// Deleting the namespace deletes the veth pair (one end lives inside).
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.name]).output();
    }
}
