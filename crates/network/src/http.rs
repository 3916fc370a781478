//! HTTP/1.1 messages as the simulated clients (curl, wget) and servers
//! exchange them: ordered headers, text bodies.

/// A request as the server receives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The request target: path and query (`/a?b=c`).
    pub target: String,
    /// Header lines in the order the client sent them (`Host` first).
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("/")
    }
    pub fn query(&self) -> &str {
        self.target.split_once('?').map(|(_, q)| q).unwrap_or("")
    }
    /// `GET / HTTP/1.1`.
    pub fn request_line(&self) -> String {
        format!("{} {} HTTP/1.1", self.method, self.target)
    }
}

/// A response: status line, headers in the server's order, body (empty for HEAD).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub reason: &'static str,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    /// `HTTP/1.1 200 OK`.
    pub fn status_line(&self) -> String {
        format!("HTTP/1.1 {} {}", self.status, self.reason)
    }
    /// The header block as sent, CRLF line ends, with the empty line.
    pub fn head_text(&self) -> String {
        let mut s = format!("{}\r\n", self.status_line());
        for (k, v) in &self.headers {
            s.push_str(&format!("{k}: {v}\r\n"));
        }
        s.push_str("\r\n");
        s
    }
}

pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Not Allowed",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Temporarily Unavailable",
        _ => "",
    }
}

/// RFC 7231 IMF-fixdate: `Mon, 05 Jan 2026 09:00:00 GMT`.
pub fn http_date(t: apimachinery::Timestamp) -> String {
    t.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// nginx `$time_local` in UTC: `05/Jan/2026:09:00:00 +0000`.
pub fn nginx_time_local(t: apimachinery::Timestamp) -> String {
    t.strftime("%d/%b/%Y:%H:%M:%S +0000").to_string()
}

pub struct Url {
    pub host: String,
    pub port: u16,
    /// Path and query, `/` when the URL has none.
    pub target: String,
    /// Whether the URL named its port (clients then send it in `Host`).
    pub explicit_port: bool,
}

/// An `http://` or `https://` URL as curl and wget read it (a bare
/// `host[:port][/path]` is http); None for another scheme or a bad port.
pub fn parse_url(raw: &str) -> Option<Url> {
    let (scheme, rest) = match raw.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("http".to_string(), raw),
    };
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let (authority, target) = match rest.find(['/', '?']) {
        Some(i) if rest[i..].starts_with('/') => (&rest[..i], rest[i..].to_string()),
        Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
        None => (rest, "/".to_string()),
    };
    let (host, port, explicit_port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().ok()?, true),
        None => (authority, default_port, false),
    };
    if host.is_empty() {
        return None;
    }
    Some(Url { host: host.to_string(), port, target, explicit_port })
}
