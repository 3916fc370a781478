//! The network's answers to the kubelet's httpGet and tcpSocket probes: the
//! kubelet dials the pod's address from its node, and whatever listens on
//! the port in the pod's network namespace answers (servers.rs). The
//! request is the one pkg/probe/http/request.go builds: GET, `Host:
//! <podIP>:<port>`, `User-Agent: kube-probe/1.37`, `Accept: */*`, the
//! probe's own headers, and Go's transport adding `Accept-Encoding: gzip`
//! and `Connection: close` (keep-alives are off).

use crate::http::Request;
use crate::servers;
use kubelet::probes::{HttpAnswer, HttpOutcome, PROBE_USER_AGENT, PodNetwork, ProbeTarget};

/// The prober's view of the data plane. Stateless: what answers depends
/// only on the pod's running containers.
pub struct ProbeAnswers;

/// The probe's request as it goes on the wire: Host and User-Agent first
/// (net/http writes them before the header map), then the rest in sorted
/// key order (Header.Write).
pub fn probe_request(pod_ip: &str, port: u16, path: &str, custom: &[(String, String)]) -> Request {
    let mut rest: Vec<(String, String)> = vec![];
    let mut host = format!("{pod_ip}:{port}");
    let mut user_agent = PROBE_USER_AGENT.to_string();
    let mut accept = Some("*/*".to_string());
    for (k, v) in custom {
        match servers::canonical_header(k).as_str() {
            "Host" => host = v.clone(),
            "User-Agent" => user_agent = v.clone(),
            // An empty Accept removes it (request.go).
            "Accept" => accept = Some(v.clone()).filter(|v| !v.is_empty()),
            c => rest.push((c.to_string(), v.clone())),
        }
    }
    if let Some(a) = accept {
        rest.push(("Accept".into(), a));
    }
    rest.push(("Accept-Encoding".into(), "gzip".into()));
    rest.push(("Connection".into(), "close".into()));
    apimachinery::sort::sort_by(&mut rest, |a, b| a.0.cmp(&b.0));
    let mut headers = vec![("Host".to_string(), host), ("User-Agent".to_string(), user_agent)];
    headers.extend(rest);
    Request { method: "GET".into(), target: path.to_string(), headers, body: String::new() }
}

impl PodNetwork for ProbeAnswers {
    fn opaque(&self, image: &str) -> bool {
        kubelet::images::parse(image).is_ok_and(|r| servers::opaque(&r))
    }

    fn http_get(&self, t: &ProbeTarget, port: u16, path: &str, headers: &[(String, String)]) -> HttpAnswer {
        for (name, p) in &t.containers {
            let Ok(r) = kubelet::images::parse(p.image) else { continue };
            if let Some(server) = servers::server_at(&r, p.env, port) {
                let request = probe_request(t.pod_ip, port, path, headers);
                let hostname = p.env.iter().find(|(k, _)| k == "HOSTNAME").map(|(_, v)| v.as_str()).unwrap_or("");
                let ctx = servers::ServeCtx { hostname, client_ip: t.client_ip, client_port: t.client_port, now: t.now, files: &p.files, env: p.env, connection: t.connection };
                let served = servers::serve(server, &ctx, &request);
                return HttpAnswer { outcome: HttpOutcome::Status(served.response.status), logs: served.log.into_iter().map(|l| (name.to_string(), l)).collect() };
            }
            if servers::tcp_ports_of(&r).contains(&port) {
                // A server of another protocol takes the connection and
                // never sends an HTTP response.
                return HttpAnswer { outcome: HttpOutcome::Timeout, logs: vec![] };
            }
        }
        if t.containers.iter().any(|(_, p)| self.opaque(p.image)) {
            return HttpAnswer { outcome: HttpOutcome::Status(200), logs: vec![] };
        }
        HttpAnswer { outcome: HttpOutcome::Refused, logs: vec![] }
    }

    fn tcp_open(&self, t: &ProbeTarget, port: u16) -> bool {
        t.containers.iter().any(|(_, p)| {
            kubelet::images::parse(p.image).is_ok_and(|r| servers::server_at(&r, p.env, port).is_some() || servers::tcp_ports_of(&r).contains(&port) || servers::opaque(&r))
        })
    }
}
