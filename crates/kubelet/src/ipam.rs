//! Pod IPs from the node's pod CIDR, allocated as the host-local IPAM plugin
//! (containernetworking/plugins plugins/ipam/host-local) does: the gateway
//! (first address) and broadcast are reserved, allocation continues after
//! the last reserved address and wraps around, so a released IP is reused
//! only after the range has been walked.

use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub struct Ipam {
    /// First and last allocatable addresses.
    first: u32,
    last: u32,
    last_reserved: Option<u32>,
    /// IP → owner (pod UID).
    used: BTreeMap<u32, String>,
}

pub fn parse_ipv4(s: &str) -> Option<u32> {
    let mut parts = s.split('.');
    let mut v: u32 = 0;
    for _ in 0..4 {
        let p: u8 = parts.next()?.parse().ok()?;
        v = (v << 8) | p as u32;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(v)
}

pub fn ipv4_to_string(ip: u32) -> String {
    format!("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff)
}

/// The first address of a CIDR: the node-side address of its pod network
/// (the bridge's or tunnel device's address), which the node's own
/// connections to pods come from. [approximation: Calico's tunl0 takes its
/// block's first address.]
pub fn first_address(cidr: &str) -> Option<String> {
    let (ip, bits) = cidr.split_once('/')?;
    let ip = parse_ipv4(ip)?;
    let bits: u32 = bits.parse().ok()?;
    let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits.min(32)) };
    Some(ipv4_to_string((ip & mask) + 1))
}

impl Ipam {
    /// A range from `a.b.c.d/n`; an unparsable CIDR gives an empty range.
    pub fn new(cidr: &str) -> Ipam {
        let parsed = cidr.split_once('/').and_then(|(ip, bits)| Some((parse_ipv4(ip)?, bits.parse::<u32>().ok().filter(|b| (8..=30).contains(b))?)));
        match parsed {
            Some((ip, bits)) => {
                let size = 1u32 << (32 - bits);
                let network = ip & !(size - 1);
                // .0 is the network, .1 the gateway, the last the broadcast.
                Ipam { first: network + 2, last: network + size - 2, last_reserved: None, used: BTreeMap::new() }
            }
            None => Ipam { first: 1, last: 0, last_reserved: None, used: BTreeMap::new() },
        }
    }

    /// The next free IP after the last one handed out.
    pub fn allocate(&mut self, owner: &str) -> Option<String> {
        if self.first > self.last {
            return None;
        }
        if let Some((ip, _)) = self.used.iter().find(|(_, o)| *o == owner) {
            return Some(ipv4_to_string(*ip));
        }
        let size = self.last - self.first + 1;
        let start = match self.last_reserved {
            Some(l) if l >= self.first && l < self.last => l + 1,
            _ => self.first,
        };
        for i in 0..size {
            let ip = self.first + (start - self.first + i) % size;
            if let std::collections::btree_map::Entry::Vacant(e) = self.used.entry(ip) {
                e.insert(owner.to_string());
                self.last_reserved = Some(ip);
                return Some(ipv4_to_string(ip));
            }
        }
        None
    }

    pub fn release(&mut self, owner: &str) {
        self.used.retain(|_, o| o != owner);
    }

    pub fn in_use(&self) -> usize {
        self.used.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn sequential_then_wraps() {
        let mut ipam = Ipam::new("10.244.1.0/29");
        let got: Vec<Option<String>> = ["a", "b", "c"].iter().map(|o| ipam.allocate(o)).collect();
        assert_eq!(got, [Some("10.244.1.2".into()), Some("10.244.1.3".into()), Some("10.244.1.4".into())]);
        ipam.release("a");
        assert_eq!(ipam.allocate("d").as_deref(), Some("10.244.1.5"));
        assert_eq!(ipam.allocate("e").as_deref(), Some("10.244.1.6"));
        // Wrapped: the released .2 comes back.
        assert_eq!(ipam.allocate("f").as_deref(), Some("10.244.1.2"));
        assert_eq!(ipam.allocate("g"), None);
        assert_eq!(ipam.allocate("b").as_deref(), Some("10.244.1.3"));
        assert_eq!(Ipam::new("bogus").allocate("x"), None);
    }
}
