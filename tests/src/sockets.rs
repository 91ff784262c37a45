//! The network endpoints a process has open, read from `/proc` (Linux): which of its sockets
//! talk to anything but loopback. Used to check that inference opens no outside connection.

use std::collections::HashSet;

/// What [`peers`] found.
#[derive(Debug, Default)]
pub struct Peers {
    /// TCP and UDP sockets of the process found in the tables (a listener counts).
    pub sockets: usize,
    /// `<table> <address:port>` (hex, as `/proc/net/*` writes them) of those whose peer is
    /// neither unset nor on loopback.
    pub outside: Vec<String>,
}

/// The peers of `pid`'s TCP and UDP sockets.
pub fn peers(pid: u32) -> Peers {
    let inodes: HashSet<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| std::fs::read_link(e.path()).ok())
                .filter_map(|target| {
                    let text = target.to_string_lossy().into_owned();
                    text.strip_prefix("socket:[")
                        .and_then(|rest| rest.strip_suffix(']'))
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default();
    let mut found = Peers::default();
    for table in ["tcp", "tcp6", "udp", "udp6"] {
        let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/net/{table}")) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // sl local rem st tx:rx tr:when retrnsmt uid timeout inode …
            let (Some(remote), Some(inode)) = (fields.get(2), fields.get(9)) else {
                continue;
            };
            if !inodes.contains(*inode) {
                continue;
            }
            found.sockets += 1;
            if !is_unset_or_loopback(remote) {
                found.outside.push(format!("{table} {remote}"));
            }
        }
    }
    found
}

/// `ADDR:PORT` in `/proc/net` hex: IPv4 as one little-endian word, IPv6 as four.
fn is_unset_or_loopback(endpoint: &str) -> bool {
    let address = endpoint.split(':').next().unwrap_or("");
    if address.chars().all(|c| c == '0') {
        return true;
    }
    match address.len() {
        // 127.0.0.0/8: the first octet is the word's low byte, printed last.
        8 => address.ends_with("7F"),
        // ::1, or ::ffff:127.x.y.z.
        32 => {
            address == "00000000000000000000000001000000"
                || (address.starts_with("0000000000000000FFFF0000") && address.ends_with("7F"))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_socket_with_an_outside_peer_is_reported() {
        // Connecting a UDP socket only sets its peer: nothing is sent to this TEST-NET address.
        let socket = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
        socket.connect("192.0.2.1:9").unwrap();
        let found = peers(std::process::id());
        assert!(found.sockets >= 1);
        assert!(
            found.outside.iter().any(|p| p == "udp 010200C0:0009"),
            "{:?}",
            found.outside
        );
        let local = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        local
            .connect(
                socket
                    .local_addr()
                    .map(|a| ("127.0.0.1", a.port()))
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(peers(std::process::id()).outside.len(), 1);
    }

    #[test]
    fn loopback_and_unset_peers_are_told_apart_from_others() {
        assert!(is_unset_or_loopback("0100007F:1F90"));
        assert!(is_unset_or_loopback("00000000:0000"));
        assert!(is_unset_or_loopback(
            "00000000000000000000000001000000:0050"
        ));
        assert!(is_unset_or_loopback(
            "0000000000000000FFFF00000100007F:0050"
        ));
        assert!(!is_unset_or_loopback("0101A8C0:01BB"));
        assert!(!is_unset_or_loopback(
            "0000000000000000FFFF00000101A8C0:01BB"
        ));
    }
}
