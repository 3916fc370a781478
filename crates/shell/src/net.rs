//! Network clients as the images ship them: curl (8.14.1 in Debian trixie
//! images, lib/strerror.c and the `infof` texts of curl-8_14_1), BusyBox
//! wget and nslookup (networking/wget.c, networking/nslookup.c), over the
//! world's data plane (`network` crate).

use network::dns::{self, Answer};
use network::http::{Request, parse_url};
use network::{ConnectError, Source};
use world::World;

/// Where a client runs: decides how names resolve and which curl it is.
pub struct Client {
    pub source: Source,
    /// The pod's namespace (cluster DNS with its search list), or None on
    /// a node (the node's resolver: /etc/hosts, no cluster DNS).
    pub namespace: Option<String>,
    /// The pod's own hostname (its /etc/hosts line).
    pub hostname: Option<String>,
    pub curl_version: &'static str,
}

/// Output of a client command.
#[derive(Default)]
pub struct Ran {
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
    /// Simulated time the command takes before it prints (a connect
    /// timeout, ping's interval).
    pub delay_ms: i64,
}

impl Client {
    /// getaddrinfo: literal, /etc/hosts, then DNS.
    fn resolve(&self, world: &World, host: &str) -> Option<String> {
        if let Some(ip) = dns::literal_ipv4(host) {
            return Some(ip);
        }
        if host == "localhost" {
            return Some("127.0.0.1".into());
        }
        if self.hostname.as_deref() == Some(host) {
            return Some(self.source.ip().to_string());
        }
        match &self.namespace {
            Some(ns) => dns::resolve_in_pod(world.api(), ns, host),
            // The lab's /etc/hosts names every node.
            None => world.profile.nodes.iter().find(|n| n.name == host).map(|n| n.ip.clone()),
        }
    }
}

/// `curl [-s] [-S] [-v] [-I] [-i] [-H h]... [-X m] [-d data] [-o file] URL`.
/// Returns the run and, with `-o`, the file to write.
pub fn curl(world: &mut World, client: &Client, args: &[String]) -> (Ran, Option<(String, String)>) {
    let mut r = Ran::default();
    let (mut silent, mut show_error, mut verbose, mut head, mut include, mut fail) = (false, false, false, false, false, false);
    let mut headers: Vec<(String, String)> = vec![];
    let mut method: Option<String> = None;
    let mut data: Option<String> = None;
    let mut output: Option<String> = None;
    let mut connect_timeout_ms: Option<i64> = None;
    let mut urls: Vec<String> = vec![];
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let mut value = || {
            i += 1;
            args.get(i).cloned()
        };
        match a {
            "-s" | "--silent" => silent = true,
            "-S" | "--show-error" => show_error = true,
            "-sS" | "-Ss" => (silent, show_error) = (true, true),
            "-v" | "--verbose" => verbose = true,
            "-I" | "--head" => head = true,
            "-i" | "--include" => include = true,
            "-f" | "--fail" => fail = true,
            "-L" | "--location" | "-k" | "--insecure" => {}
            "-sI" | "-Is" => (silent, head) = (true, true),
            "-sv" | "-vs" => (silent, verbose) = (true, true),
            "-si" | "-is" => (silent, include) = (true, true),
            "-H" | "--header" => {
                if let Some(h) = value() {
                    if let Some((k, v)) = h.split_once(':') {
                        headers.push((k.trim().to_string(), v.trim().to_string()));
                    }
                }
            }
            "-X" | "--request" => method = value(),
            "-d" | "--data" => data = value(),
            "-o" | "--output" => output = value(),
            "-m" | "--max-time" | "--connect-timeout" => {
                if let Some(v) = value().and_then(|v| v.parse::<f64>().ok()).filter(|v| v.is_finite() && *v > 0.0) {
                    let ms = (v * 1000.0).min(86_400_000.0) as i64;
                    connect_timeout_ms = Some(connect_timeout_ms.map_or(ms, |m: i64| m.min(ms)));
                }
            }
            _ if a.starts_with('-') && a.len() > 1 => {
                r.stderr = format!("curl: option {a}: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n");
                r.status = 2;
                return (r, None);
            }
            _ => urls.push(a.to_string()),
        }
        i += 1;
    }
    let Some(raw) = urls.first() else {
        r.stderr = "curl: try 'curl --help' or 'curl --manual' for more information\n".into();
        r.status = 2;
        return (r, None);
    };
    let err = |r: &mut Ran, code: i32, msg: String| {
        if !silent || show_error {
            r.stderr.push_str(&format!("curl: ({code}) {msg}\n"));
        }
        r.status = code;
    };
    let Some(url) = parse_url(raw) else {
        err(&mut r, 3, format!("URL rejected: Malformed input to a URL function"));
        return (r, None);
    };
    let literal = dns::literal_ipv4(&url.host).is_some();
    let Some(ip) = client.resolve(world, &url.host) else {
        err(&mut r, 6, format!("Could not resolve host: {}", url.host));
        return (r, None);
    };
    let mut verbose_text = String::new();
    if verbose && !literal {
        verbose_text.push_str(&format!("* Host {}:{} was resolved.\n* IPv6: (none)\n* IPv4: {ip}\n", url.host, url.port));
    }
    if verbose {
        verbose_text.push_str(&format!("*   Trying {ip}:{}...\n", url.port));
    }
    let host_header = if url.explicit_port && url.port != 80 { format!("{}:{}", url.host, url.port) } else { url.host.clone() };
    let method = method.unwrap_or_else(|| if head { "HEAD".into() } else if data.is_some() { "POST".into() } else { "GET".into() });
    let mut req_headers = vec![("Host".to_string(), host_header), ("User-Agent".to_string(), format!("curl/{}", client.curl_version)), ("Accept".to_string(), "*/*".to_string())];
    for (k, v) in headers {
        match req_headers.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(&k)) {
            Some(e) => e.1 = v,
            None => req_headers.push((k, v)),
        }
    }
    let body = data.unwrap_or_default();
    if !body.is_empty() {
        req_headers.push(("Content-Length".into(), body.len().to_string()));
        req_headers.push(("Content-Type".into(), "application/x-www-form-urlencoded".into()));
    }
    let request = Request { method, target: url.target.clone(), headers: req_headers, body };
    let exchange = match world.http(&client.source, &ip, url.port, &request) {
        Ok(x) => x,
        Err(e) => {
            r.stderr.push_str(&verbose_text);
            let (code, why) = match e {
                ConnectError::Refused => (7, refused_text(client.curl_version)),
                ConnectError::Timeout => (28, "Timeout was reached"),
            };
            // A timeout takes its time: `--connect-timeout`/`-m` plus the
            // timer's slack, or without one the kernel's SYN retries
            // (tcp_syn_retries=6, about 130 s) [approximation: 135 s].
            let after = if code == 28 { connect_timeout_ms.map_or(135_000, |t| t + 2) } else { 0 };
            err(&mut r, code, format!("Failed to connect to {} port {} after {after} ms: {why}", url.host, url.port));
            r.delay_ms = after;
            return (r, None);
        }
    };
    let resp = exchange.response;
    if verbose {
        verbose_text.push_str(&format!("* Connected to {} ({ip}) port {}\n* using HTTP/1.x\n", url.host, url.port));
        verbose_text.push_str(&format!("> {}\r\n", request.request_line()));
        for (k, v) in &request.headers {
            verbose_text.push_str(&format!("> {k}: {v}\r\n"));
        }
        verbose_text.push_str("> \r\n* Request completely sent off\n");
        verbose_text.push_str(&format!("< {}\r\n", resp.status_line()));
        for (k, v) in &resp.headers {
            verbose_text.push_str(&format!("< {k}: {v}\r\n"));
        }
        verbose_text.push_str("< \r\n");
        r.stderr.push_str(&verbose_text);
    }
    if fail && resp.status >= 400 {
        err(&mut r, 22, format!("The requested URL returned error: {}", resp.status));
        return (r, None);
    }
    let mut out = String::new();
    if head || include {
        out.push_str(&resp.head_text());
    }
    if !head {
        out.push_str(&resp.body);
    }
    if verbose {
        // curl writes the trailer after the body; stderr and stdout share the terminal.
        r.stderr.push_str(&format!("* Connection #0 to host {} left intact\n", url.host));
    }
    match output {
        Some(f) => (r, Some((f, out))),
        None => {
            r.stdout = out;
            (r, None)
        }
    }
}

/// lib/strerror.c CURLE_COULDNT_CONNECT: reworded in curl 8.9.0.
fn refused_text(version: &str) -> &'static str {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if (major, minor) >= (8, 9) { "Could not connect to server" } else { "Couldn't connect to server" }
}

/// BusyBox `wget [-q] [-O file|-] URL`.
pub fn wget(world: &mut World, client: &Client, args: &[String]) -> (Ran, Option<(String, String)>) {
    let mut r = Ran::default();
    let mut quiet = false;
    let mut output: Option<String> = None;
    let mut urls = vec![];
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "-q" => quiet = true,
            "-qO-" | "-qO" => {
                quiet = true;
                output = Some(if a == "-qO-" { "-".into() } else { args.get(i + 1).cloned().unwrap_or_default() });
                if a == "-qO" {
                    i += 1;
                }
            }
            "-O" => {
                output = args.get(i + 1).cloned();
                i += 1;
            }
            "-O-" => output = Some("-".into()),
            _ => urls.push(a.to_string()),
        }
        i += 1;
    }
    let fail = |r: &mut Ran, msg: String| {
        r.stderr.push_str(&format!("wget: {msg}\n"));
        r.status = 1;
    };
    let Some(url) = urls.first().and_then(|u| parse_url(u)) else {
        r.stderr = "BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n".into();
        r.status = 1;
        return (r, None);
    };
    let Some(ip) = client.resolve(world, &url.host) else {
        fail(&mut r, format!("bad address '{}'", url.host));
        return (r, None);
    };
    if !quiet {
        r.stderr.push_str(&format!("Connecting to {} ({ip}:{})\n", url.host, url.port));
    }
    let host_header = if url.explicit_port && url.port != 80 { format!("{}:{}", url.host, url.port) } else { url.host.clone() };
    let request = Request {
        method: "GET".into(),
        target: url.target.clone(),
        headers: vec![("Host".into(), host_header), ("User-Agent".into(), "Wget".into()), ("Connection".into(), "close".into())],
        body: String::new(),
    };
    let resp = match world.http(&client.source, &ip, url.port, &request) {
        Ok(x) => x.response,
        Err(ConnectError::Refused) => {
            fail(&mut r, format!("can't connect to remote host ({ip}): Connection refused"));
            return (r, None);
        }
        Err(ConnectError::Timeout) => {
            fail(&mut r, "download timed out".into());
            return (r, None);
        }
    };
    if resp.status >= 400 {
        fail(&mut r, format!("server returned error: {}", resp.status_line()));
        return (r, None);
    }
    let file = output.unwrap_or_else(|| {
        let last = url.target.split('?').next().unwrap_or("/").rsplit('/').next().unwrap_or("");
        if last.is_empty() { "index.html".into() } else { last.to_string() }
    });
    if file == "-" {
        if !quiet {
            r.stderr.push_str("writing to stdout\n");
        }
        r.stdout = resp.body;
        if !quiet {
            r.stderr.push_str("written to stdout\n");
        }
        return (r, None);
    }
    if !quiet {
        r.stderr.push_str(&format!("saving to '{file}'\n"));
        r.stderr.push_str(&format!("{:<20.20} 100% |********************************| {:>5}  0:00:00 ETA\n", file, resp.body.len()));
        r.stderr.push_str(&format!("'{file}' saved\n"));
    }
    (r, Some((file, resp.body)))
}

/// BusyBox nslookup (≥1.28, the "big" one): A and AAAA for each name
/// tried; the search list only for a name without a dot.
pub fn nslookup(world: &World, client: &Client, args: &[String]) -> Ran {
    let mut r = Ran::default();
    let Some(name) = args.iter().find(|a| !a.starts_with('-')) else {
        r.stderr = "BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST\n\nQUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,ptr,srv,any\n".into();
        r.status = 1;
        return r;
    };
    let dns_ip = world
        .api()
        .get(apimachinery::Kind::Service, "kube-system", "kube-dns")
        .ok()
        .and_then(|o| if let apimachinery::Object::Service(s) = &*o { s.spec.as_ref().and_then(|sp| sp.cluster_ip.clone()) } else { None })
        .unwrap_or_else(|| "10.96.0.10".into());
    r.stdout.push_str(&format!("Server:\t\t{dns_ip}\nAddress:\t{dns_ip}:53\n\n"));
    let names: Vec<String> = match (&client.namespace, name.contains('.')) {
        (Some(ns), false) => dns::pod_search(ns).iter().map(|s| format!("{name}.{s}")).collect(),
        _ => vec![name.trim_end_matches('.').to_string()],
    };
    let mut failed = false;
    for aaaa in [false, true] {
        for n in &names {
            match dns::query(world.api(), n) {
                Answer::A(ips) if !aaaa => {
                    // A forwarded answer is not authoritative.
                    if !n.ends_with(".cluster.local") {
                        r.stdout.push_str("Non-authoritative answer:\n");
                    }
                    for ip in ips {
                        r.stdout.push_str(&format!("Name:\t{n}\nAddress: {ip}\n"));
                    }
                    r.stdout.push('\n');
                }
                Answer::A(_) | Answer::NoData => r.stdout.push('\n'),
                Answer::NxDomain => {
                    failed = true;
                    r.stdout.push_str(&format!("** server can't find {n}: NXDOMAIN\n\n"));
                }
            }
        }
    }
    if failed {
        r.status = 1;
    }
    r
}

/// `ping [-c N] HOST`: BusyBox's ping (networking/ping.c) in BusyBox and
/// Alpine images, iputils' elsewhere. Pods and nodes answer ICMP echo; a
/// Service's ClusterIP does not (kube-proxy only DNATs its ports). The
/// round trips come from the data plane's seeded RNG; the whole run takes
/// one second per packet after the first. Without `-c` it sends 4
/// [approximation: real ping runs until interrupted].
pub fn ping(world: &mut World, client: &Client, args: &[String], userland: kubelet::rootfs::Userland) -> Ran {
    let busybox = matches!(userland, kubelet::rootfs::Userland::Busybox | kubelet::rootfs::Userland::Alpine);
    let mut r = Ran::default();
    let mut count: u32 = 4;
    let mut host = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "-c" => {
                i += 1;
                count = args.get(i).and_then(|v| v.parse().ok()).unwrap_or(4).clamp(1, 1000);
            }
            a if a.starts_with("-c") => count = a[2..].parse().unwrap_or(4).clamp(1, 1000),
            a if !a.starts_with('-') => host = Some(a.to_string()),
            _ => {}
        }
        i += 1;
    }
    let Some(host) = host else {
        r.stderr = if busybox { "BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: ping [OPTIONS] HOST\n".into() } else { "ping: usage error: Destination address required\n".into() };
        r.status = if busybox { 1 } else { 2 };
        return r;
    };
    let Some(ip) = client.resolve(world, &host) else {
        r.stderr = if busybox { format!("ping: bad address '{host}'\n") } else { format!("ping: {host}: Name or service not known\n") };
        r.status = if busybox { 1 } else { 2 };
        return r;
    };
    let replies = world.ping(&client.source, &ip, count as usize);
    r.delay_ms = (count as i64 - 1) * 1000 + if replies.is_none() { 1000 } else { 0 };
    let received = replies.as_ref().map_or(0, |(_, t)| t.len());
    let ms = |us: u32| format!("{}.{:03}", us / 1000, us % 1000);
    if busybox {
        r.stdout.push_str(&format!("PING {host} ({ip}): 56 data bytes\n"));
        if let Some((ttl, times)) = &replies {
            for (seq, t) in times.iter().enumerate() {
                r.stdout.push_str(&format!("64 bytes from {ip}: seq={seq} ttl={ttl} time={} ms\n", ms(*t)));
            }
        }
        r.stdout.push_str(&format!("\n--- {host} ping statistics ---\n{count} packets transmitted, {received} packets received, {}% packet loss\n", 100 - received * 100 / count as usize));
        if let Some((_, times)) = replies.as_ref().filter(|(_, t)| !t.is_empty()) {
            let (min, max) = (times.iter().min().copied().unwrap_or(0), times.iter().max().copied().unwrap_or(0));
            let avg = times.iter().map(|&t| t as u64).sum::<u64>() / times.len() as u64;
            r.stdout.push_str(&format!("round-trip min/avg/max = {}/{}/{} ms\n", ms(min), ms(avg as u32), ms(max)));
        }
    } else {
        // iputils ping.
        r.stdout.push_str(&format!("PING {host} ({ip}) 56(84) bytes of data.\n"));
        if let Some((ttl, times)) = &replies {
            for (seq, t) in times.iter().enumerate() {
                let shown = if host == ip { ip.clone() } else { format!("{host} ({ip})") };
                r.stdout.push_str(&format!("64 bytes from {shown}: icmp_seq={} ttl={ttl} time={} ms\n", seq + 1, ms(*t)));
            }
        }
        let total = (count as i64 - 1) * 1000 + 1;
        r.stdout.push_str(&format!("\n--- {host} ping statistics ---\n{count} packets transmitted, {received} received, {}% packet loss, time {total}ms\n", 100 - received * 100 / count as usize));
        if let Some((_, times)) = replies.as_ref().filter(|(_, t)| !t.is_empty()) {
            let (min, max) = (times.iter().min().copied().unwrap_or(0), times.iter().max().copied().unwrap_or(0));
            let avg = times.iter().map(|&t| t as u64).sum::<u64>() / times.len() as u64;
            // mdev: the standard deviation, as iputils computes it.
            let mean_sq = times.iter().map(|&t| (t as f64) * (t as f64)).sum::<f64>() / times.len() as f64;
            let mean = times.iter().map(|&t| t as f64).sum::<f64>() / times.len() as f64;
            let mdev = (mean_sq - mean * mean).max(0.0).sqrt() as u32;
            r.stdout.push_str(&format!("rtt min/avg/max/mdev = {}/{}/{}/{} ms\n", ms(min), ms(avg as u32), ms(max), ms(mdev)));
        }
    }
    if received == 0 {
        r.status = 1;
    }
    r
}
