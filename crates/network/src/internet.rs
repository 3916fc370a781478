//! The world outside the cluster, as far as the course reaches it: a few
//! public web sites a lesson fetches (the init-container task of the
//! Kubernetes docs downloads http://info.cern.ch). CoreDNS forwards their
//! names upstream (non-authoritative answers); traffic to them leaves
//! through the node (SNAT to its address). Any other outside name does not
//! resolve, and any other outside address does not answer.

use crate::http::{Request, Response, http_date, reason};
use apimachinery::Timestamp;

/// A public site: its name, address and pages (path → HTML).
struct Site {
    name: &'static str,
    address: &'static str,
    server: &'static str,
    /// Last-Modified (RFC 3339) and ETag of its pages.
    last_modified: &'static str,
    etag: &'static str,
    pages: &'static [(&'static str, &'static str)],
}

/// http://info.cern.ch/ as Apache serves it (646 bytes; headers as
/// captured in public transcripts: `Server: Apache`, `Last-Modified: Wed,
/// 05 Feb 2014 16:00:31 GMT`, `ETag: "286-4f1aadb3105c0"`).
const INFO_CERN_CH: &str = "<html><head></head><body><header>
<title>http://info.cern.ch</title>
</header>

<h1>http://info.cern.ch - home of the first website</h1>
<p>From here you can:</p>
<ul>
<li><a href=\"http://info.cern.ch/hypertext/WWW/TheProject.html\">Browse the first website</a></li>
<li><a href=\"http://line-mode.cern.ch/www/hypertext/WWW/TheProject.html\">Browse the first website using the line-mode browser simulator</a></li>
<li><a href=\"http://home.web.cern.ch/topics/birth-web\">Learn about the birth of the web</a></li>
<li><a href=\"http://home.web.cern.ch/about\">Learn about CERN, the physics laboratory where the web was born</a></li>
</ul>
</body></html>
";

static SITES: &[Site] = &[Site {
    name: "info.cern.ch",
    address: "188.184.67.127",
    server: "Apache",
    last_modified: "2014-02-05T16:00:31Z",
    etag: "\"286-4f1aadb3105c0\"",
    pages: &[("/", INFO_CERN_CH), ("/index.html", INFO_CERN_CH)],
}];

/// The upstream resolvers' answer for a name outside the cluster domain.
pub fn resolve(name: &str) -> Option<&'static str> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    SITES.iter().find(|s| s.name == name).map(|s| s.address)
}

/// Whether an address is a public site kubeplay knows.
pub fn is_site(ip: &str) -> bool {
    SITES.iter().any(|s| s.address == ip)
}

/// A site's answer on port 80; None if it does not listen there.
pub fn serve(ip: &str, port: u16, req: &Request, now: Timestamp) -> Option<Response> {
    let site = SITES.iter().find(|s| s.address == ip)?;
    if port != 80 {
        return None;
    }
    let date = http_date(now);
    let head = req.method == "HEAD";
    Some(match site.pages.iter().find(|(p, _)| *p == req.path()) {
        Some((_, body)) => {
            let modified: Timestamp = site.last_modified.parse().expect("valid constant");
            Response {
                status: 200,
                reason: reason(200),
                headers: vec![
                    ("Date".into(), date),
                    ("Server".into(), site.server.into()),
                    ("Last-Modified".into(), http_date(modified)),
                    ("ETag".into(), site.etag.into()),
                    ("Accept-Ranges".into(), "bytes".into()),
                    ("Content-Length".into(), body.len().to_string()),
                    ("Content-Type".into(), "text/html".into()),
                ],
                body: if head { String::new() } else { body.to_string() },
            }
        }
        None => {
            // Apache's 404 page (httpd modules/http/http_protocol.c).
            let body = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n".to_string();
            Response {
                status: 404,
                reason: reason(404),
                headers: vec![("Date".into(), date), ("Server".into(), site.server.into()), ("Content-Length".into(), body.len().to_string()), ("Content-Type".into(), "text/html; charset=iso-8859-1".into())],
                body: if head { String::new() } else { body },
            }
        }
    })
}
