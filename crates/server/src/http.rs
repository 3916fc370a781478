//! The HTTP edge, independent of the HTTP library: a parsed request, a
//! reply, query-string decoding, and the media types kube-apiserver
//! negotiates (k8s.io/apiserver/pkg/endpoints/handlers/negotiation).

use apimachinery::ApiError;
use serde_json::Value;

/// kube-apiserver's request body limit (`--max-request-body-bytes`, 3 MiB).
pub const MAX_REQUEST_BODY_BYTES: usize = apiserver::MAX_REQUEST_BODY_BYTES;
/// Longest request target (path and query) accepted.
pub const MAX_URL_BYTES: usize = 64 * 1024;
/// Most query parameters one request may carry.
pub const MAX_QUERY_PARAMS: usize = 256;

/// The aggregated discovery media types (apidiscovery.k8s.io).
pub const DISCOVERY_V2: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
pub const DISCOVERY_V2BETA1: &str = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";
pub const JSON: &str = "application/json";
pub const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
    Other,
}

/// One request, as the router sees it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: Method,
    /// The path, percent-decoded.
    pub path: String,
    /// Query parameters in order, percent-decoded.
    pub query: Vec<(String, String)>,
    pub accept: String,
    pub content_type: String,
    pub body: Vec<u8>,
    /// A WebSocket upgrade's `Sec-WebSocket-Key` ("" when not upgrading).
    pub websocket_key: String,
    /// The subprotocols the client offers (`Sec-WebSocket-Protocol`).
    pub websocket_protocols: String,
}

impl Request {
    /// A request from a method, a request target (`/api/v1/pods?limit=1`) and headers.
    pub fn new(method: Method, target: &str, accept: &str, content_type: &str, body: Vec<u8>) -> Request {
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p, q),
            None => (target, ""),
        };
        Request {
            method,
            path: percent_decode(path, false),
            query: parse_query(query),
            accept: accept.to_string(),
            content_type: content_type.to_string(),
            body,
            websocket_key: String::new(),
            websocket_protocols: String::new(),
        }
    }
    /// Every value of a query parameter, in order (`command=ls&command=-l`).
    pub fn params(&self, name: &str) -> Vec<&str> {
        self.query.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }
    /// The first value of a query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    /// A boolean parameter (`watch=true`, `watch=1`), as strconv.ParseBool reads it.
    pub fn flag(&self, name: &str) -> bool {
        matches!(self.param(name), Some("true" | "1" | "t" | "T" | "TRUE" | "True"))
    }
    /// Whether the client asked for a meta.k8s.io Table.
    pub fn wants_table(&self) -> bool {
        self.accept.split(',').any(|m| {
            let params: Vec<&str> = m.split(';').map(str::trim).collect();
            params.contains(&"as=Table") && params.contains(&"g=meta.k8s.io")
        })
    }
    /// Which aggregated discovery version the client accepts, if any (v2 preferred).
    pub fn wants_aggregated_discovery(&self) -> Option<&'static str> {
        let offered: Vec<String> = self.accept.split(',').map(|m| m.split(';').map(str::trim).collect::<Vec<_>>().join(";")).collect();
        let has = |version: &str| {
            offered.iter().any(|m| {
                let p: Vec<&str> = m.split(';').collect();
                p.contains(&"as=APIGroupDiscoveryList") && p.contains(&"g=apidiscovery.k8s.io") && p.contains(&version)
            })
        };
        if has("v=v2") {
            Some(DISCOVERY_V2)
        } else if has("v=v2beta1") {
            Some(DISCOVERY_V2BETA1)
        } else {
            None
        }
    }
    /// The body's media type without parameters (`application/json`).
    pub fn media_type(&self) -> &str {
        self.content_type.split(';').next().unwrap_or("").trim()
    }
}

/// What the handler answers.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// `Warning: 299 - "<text>"` headers (RFC 7234 warn-code 299, as
    /// k8s.io/apiserver/pkg/endpoints/filters/warning.go writes them).
    pub warnings: Vec<String>,
}

impl Reply {
    pub fn json(status: u16, value: &Value) -> Reply {
        Reply::json_as(status, JSON, value)
    }
    pub fn json_as(status: u16, content_type: &'static str, value: &Value) -> Reply {
        let body = serde_json::to_vec(value).unwrap_or_default();
        Reply { status, content_type, body, warnings: vec![] }
    }
    /// A JSON body already encoded.
    pub fn json_bytes(status: u16, body: Vec<u8>) -> Reply {
        Reply { status, content_type: JSON, body, warnings: vec![] }
    }
    /// An API error as a `Status` object, with its code as the HTTP status.
    pub fn error(e: &ApiError) -> Reply {
        Reply::json(e.code, &e.to_status())
    }
    /// Go's http.NotFound, which kube-apiserver's NotFoundHandler answers
    /// for paths no handler serves.
    pub fn not_found_page() -> Reply {
        Reply { status: 404, content_type: "text/plain; charset=utf-8", body: b"404 page not found\n".to_vec(), warnings: vec![] }
    }
    pub fn text(status: u16, text: &str) -> Reply {
        Reply { status, content_type: "text/plain; charset=utf-8", body: text.as_bytes().to_vec(), warnings: vec![] }
    }
    /// The header value for one warning: `299 - "<text>"` with `"` and `\` escaped.
    pub fn warning_header(text: &str) -> String {
        let escaped: String = text.chars().flat_map(|c| if c == '"' || c == '\\' { vec!['\\', c] } else { vec![c] }).collect();
        format!("299 - \"{escaped}\"")
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decoding (`%3D` → `=`); in a query, `+` is a space. Invalid
/// escapes are kept as they are, as Go's url.ParseQuery would reject the
/// pair — the selector parser then reports it.
pub fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .take(MAX_QUERY_PARAMS)
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k, true), percent_decode(v, true)),
            None => (percent_decode(p, true), String::new()),
        })
        .collect()
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64_STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// URL-safe base64 without padding (Go's base64.RawURLEncoding), as
/// apiserver/pkg/storage/continue.go encodes list continue tokens.
pub fn base64_encode(data: &[u8]) -> String {
    encode_base64(data, B64, false)
}

/// Go's base64.StdEncoding (with padding), as encoding/json writes []byte.
pub fn base64_std_encode(data: &[u8]) -> String {
    encode_base64(data, B64_STD, true)
}

fn encode_base64(data: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(alphabet[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in s.bytes() {
        if c == b'=' {
            break;
        }
        // Both alphabets are read; kube's tokens use the URL-safe one.
        let v = match c {
            b'+' => 62,
            b'/' => 63,
            _ => B64.iter().position(|&x| x == c)? as u32,
        };
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}
