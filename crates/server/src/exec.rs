//! `pods/exec` over WebSocket, the protocol kubectl ≥ 1.30 and client
//! libraries speak (k8s.io/apimachinery/pkg/util/httpstream/wsstream,
//! `v5.channel.k8s.io` and `v4.channel.k8s.io`): after the RFC 6455
//! handshake every binary message starts with its channel — 0 stdin,
//! 1 stdout, 2 stderr, 3 the result as a metav1.Status, 4 resize, and in
//! v5 255 for a client closing a stream.
//!
//! The command runs to its end in the simulated container first (kubeplay's
//! containers answer at once; stdin is empty), then the server upgrades the
//! connection and writes its output, its status and a close frame.

use crate::http::Request;
use crate::router::RequestInfo;
use apimachinery::{ApiError, Kind, Object};
use kubectl::exec::ExecRequest;
use serde_json::{Value, json};
use std::io::{Read, Write};
use world::World;

/// The subprotocols served, most preferred first.
pub const PROTOCOLS: &[&str] = &["v5.channel.k8s.io", "v4.channel.k8s.io"];
/// RFC 6455's GUID for Sec-WebSocket-Accept.
const WEBSOCKET_GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/// Client frames read while waiting for its close frame (a bound).
const MAX_CLIENT_FRAMES: usize = 64;
/// Largest client frame read while waiting for the close (a bound).
const MAX_CLIENT_FRAME: u64 = 1 << 20;

/// An accepted exec: what to run and the handshake's answers.
#[derive(Debug)]
pub struct ExecSpec {
    pub request: ExecRequest,
    pub protocol: &'static str,
    pub accept: String,
}

/// Sec-WebSocket-Accept: base64(SHA-1(key + GUID)).
pub fn accept_key(key: &str) -> String {
    let digest = sha1_smol::Sha1::from(format!("{}{WEBSOCKET_GUID}", key.trim())).digest().bytes();
    base64_std(&digest)
}

fn base64_std(data: &[u8]) -> String {
    crate::http::base64_std_encode(data)
}

/// Checks an exec request as the API server does before it proxies to the
/// kubelet (registry/core/pod/strategy.go ExecLocation, PodExecOptions
/// validation) and picks the subprotocol.
pub fn accept(world: &World, info: &RequestInfo, req: &Request) -> Result<ExecSpec, ApiError> {
    let ns = info.namespace.clone().unwrap_or_default();
    let name = info.name.clone().unwrap_or_default();
    let obj = world.api().get(Kind::Pod, &ns, &name)?;
    let Object::Pod(pod) = obj.as_ref() else { return Err(ApiError::internal("not a pod")) };
    let container = crate::handlers::pod_container(pod, req.param("container"))?;
    let command: Vec<String> = req.params("command").into_iter().map(str::to_string).collect();
    if command.is_empty() {
        return Err(ApiError::bad_request("you must specify at least one command for the container"));
    }
    let node = pod.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
    if node.is_empty() {
        return Err(ApiError::bad_request(format!("pod {name} does not have a host assigned")));
    }
    if req.websocket_key.is_empty() {
        return Err(ApiError::bad_request("Upgrade request required"));
    }
    let offered: Vec<&str> = req.websocket_protocols.split(',').map(str::trim).collect();
    let Some(protocol) = PROTOCOLS.iter().find(|p| offered.contains(p)) else {
        return Err(ApiError::bad_request(format!("unable to upgrade: unsupported protocol: {:?}; supported: {}", req.websocket_protocols, PROTOCOLS.join(", "))));
    };
    let request = ExecRequest { namespace: ns, pod: name, container, node, command, stdin: req.flag("stdin"), tty: req.flag("tty") };
    Ok(ExecSpec { request, protocol, accept: accept_key(&req.websocket_key) })
}

/// The result a kubelet reports on channel 3 (remotecommand's
/// v4 error writer): Success, a NonZeroExitCode with the code as an
/// ExitCode cause (kubectl exits with it), or the runtime's error.
pub fn status(command: &[String], result: &Result<i32, String>) -> Value {
    match result {
        Ok(0) => json!({"metadata": {}, "status": "Success"}),
        Ok(code) => json!({
            "metadata": {}, "status": "Failure",
            "message": format!("command terminated with non-zero exit code: error executing command [{}], exit code {code}", command.join(" ")),
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]}
        }),
        Err(message) => json!({"metadata": {}, "status": "Failure", "message": message, "reason": "InternalError", "code": 500}),
    }
}

/// One server frame: FIN, the opcode, no mask.
fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0x80 | opcode];
    match payload.len() {
        n if n < 126 => out.push(n as u8),
        n if n <= 0xffff => {
            out.push(126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(payload);
    out
}

/// A binary message on a channel.
fn channel_frame(channel: u8, data: &[u8]) -> Vec<u8> {
    frame(0x2, &[&[channel], data].concat())
}

/// The frames of a finished exec: stdout, stderr, the status, the close.
pub fn frames(stdout: &str, stderr: &str, status: &Value) -> Vec<u8> {
    let mut out = vec![];
    if !stdout.is_empty() {
        out.extend(channel_frame(1, stdout.as_bytes()));
    }
    if !stderr.is_empty() {
        out.extend(channel_frame(2, stderr.as_bytes()));
    }
    out.extend(channel_frame(3, status.to_string().as_bytes()));
    // Close, 1000 (normal closure).
    out.extend(frame(0x8, &1000u16.to_be_bytes()));
    out
}

/// Upgrades the connection, writes the frames, and waits (bounded) for the
/// client's close frame before the connection is dropped.
pub fn serve(rq: tiny_http::Request, spec: &ExecSpec, frames: Vec<u8>) {
    let mut response = tiny_http::Response::empty(101);
    // tiny_http adds Upgrade and Connection itself.
    for (k, v) in [("Sec-WebSocket-Accept", spec.accept.as_str()), ("Sec-WebSocket-Protocol", spec.protocol)] {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            response.add_header(h);
        }
    }
    let mut stream = rq.upgrade("websocket", response);
    if stream.write_all(&frames).and_then(|_| stream.flush()).is_err() {
        return;
    }
    let _ = std::thread::Builder::new().name("kubeplay-exec".into()).spawn(move || {
        let mut head = [0u8; 2];
        for _ in 0..MAX_CLIENT_FRAMES {
            if stream.read_exact(&mut head).is_err() {
                return;
            }
            let opcode = head[0] & 0x0f;
            let masked = head[1] & 0x80 != 0;
            let mut len = (head[1] & 0x7f) as u64;
            if len == 126 {
                let mut b = [0u8; 2];
                if stream.read_exact(&mut b).is_err() {
                    return;
                }
                len = u16::from_be_bytes(b) as u64;
            } else if len == 127 {
                let mut b = [0u8; 8];
                if stream.read_exact(&mut b).is_err() {
                    return;
                }
                len = u64::from_be_bytes(b);
            }
            if len > MAX_CLIENT_FRAME {
                return;
            }
            let mut rest = vec![0u8; len as usize + if masked { 4 } else { 0 }];
            if stream.read_exact(&mut rest).is_err() || opcode == 0x8 {
                return;
            }
        }
    });
}
