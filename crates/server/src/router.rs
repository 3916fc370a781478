//! Request routing as k8s.io/apiserver/pkg/endpoints/request/requestinfo.go
//! does it: a resource path becomes (verb, group, version, resource,
//! namespace, name, subresource); everything else is a non-resource path
//! (`/version`, `/healthz`, discovery, OpenAPI).

use crate::http::{Method, Request};
use apimachinery::{Kind, kinds::KINDS};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    Get,
    List,
    Watch,
    Create,
    Update,
    Patch,
    Delete,
    DeleteCollection,
}

/// A request for an API resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestInfo {
    pub verb: Verb,
    pub group: String,
    pub version: String,
    pub resource: String,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub subresource: Option<String>,
}

impl RequestInfo {
    /// The served kind for this group, version and resource, if any.
    pub fn kind(&self) -> Option<Kind> {
        KINDS.iter().find(|k| k.group == self.group && k.version == self.version && k.plural == self.resource).map(|k| k.kind)
    }
}

/// What a path names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// `/api`, `/apis`: the list of versions or groups.
    DiscoveryRoot { legacy: bool },
    /// `/api/v1`, `/apis/apps/v1`: an APIResourceList.
    DiscoveryGroupVersion { group: String, version: String },
    /// `/apis/apps`: an APIGroup.
    DiscoveryGroup { group: String },
    Resource(RequestInfo),
    NonResource(String),
}

/// Parts of the path after a group version that name namespace
/// subresources rather than a resource in the namespace.
const NAMESPACE_SUBRESOURCES: &[&str] = &["status", "finalize"];

pub fn route(req: &Request) -> Route {
    let parts: Vec<&str> = req.path.trim_matches('/').split('/').filter(|p| !p.is_empty()).collect();
    let (group, version, rest) = match parts.as_slice() {
        ["api"] => return Route::DiscoveryRoot { legacy: true },
        ["apis"] => return Route::DiscoveryRoot { legacy: false },
        ["api", v, rest @ ..] => (String::new(), v.to_string(), rest),
        ["apis", g] => return Route::DiscoveryGroup { group: g.to_string() },
        ["apis", g, v, rest @ ..] => (g.to_string(), v.to_string(), rest),
        _ => return Route::NonResource(req.path.clone()),
    };
    if rest.is_empty() {
        return Route::DiscoveryGroupVersion { group, version };
    }
    let mut rest: Vec<&str> = rest.to_vec();
    // The deprecated `/watch/` prefix turns a list into a watch.
    let mut watch_prefix = false;
    if rest.first() == Some(&"watch") {
        watch_prefix = true;
        rest.remove(0);
    }
    let mut namespace = None;
    if rest.first() == Some(&"namespaces") && rest.len() > 1 {
        namespace = Some(rest[1].to_string());
        if rest.len() > 2 && !NAMESPACE_SUBRESOURCES.contains(&rest[2]) {
            rest.drain(0..2);
        }
    }
    let resource = rest.first().map(|s| s.to_string()).unwrap_or_default();
    let name = rest.get(1).map(|s| s.to_string());
    let subresource = rest.get(2).map(|s| s.to_string());
    // `/api/v1/namespaces/default` names the namespace object itself.
    let namespace = if resource == "namespaces" { None } else { namespace };
    let watch = watch_prefix || req.flag("watch");
    let verb = match req.method {
        Method::Get | Method::Head if name.is_some() && !watch => Verb::Get,
        Method::Get | Method::Head if watch => Verb::Watch,
        Method::Get | Method::Head => Verb::List,
        Method::Post => Verb::Create,
        Method::Put => Verb::Update,
        Method::Patch => Verb::Patch,
        Method::Delete if name.is_some() => Verb::Delete,
        Method::Delete => Verb::DeleteCollection,
        Method::Other => Verb::Get,
    };
    Route::Resource(RequestInfo { verb, group, version, resource, namespace, name, subresource })
}
