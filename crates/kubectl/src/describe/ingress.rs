//! Ingresses and IngressClasses (IngressDescriber.describeIngressV1,
//! describeBackendV1, describeIngressTLSV1, serviceBackendStringer and
//! IngressClassDescriber in pkg/describe/describe.go).

use super::events;
use super::prefix_writer::{LEVEL_0, LEVEL_1, LEVEL_2, PrefixWriter};
use super::service::format_endpoint_slices;
use super::{Settings, print_annotations_multiline, print_labels_multiline};
use apimachinery::k8s_openapi::api::core::v1::Service;
use apimachinery::k8s_openapi::api::discovery::v1::EndpointSlice;
use apimachinery::k8s_openapi::api::networking::v1::{Ingress, IngressBackend, IngressClass};
use apimachinery::selector::Selector;
use apimachinery::{Kind, Object};
use apiserver::ApiServer;

/// describeBackendV1: `svc:port (endpoints)`, or the error met looking
/// them up.
fn describe_backend(api: &ApiServer, ns: &str, backend: &IngressBackend) -> String {
    if let Some(svc) = &backend.service {
        let port = svc.port.clone().unwrap_or_default();
        let number = port.number.unwrap_or(0);
        let port_text = if number != 0 { number.to_string() } else { port.name.clone().unwrap_or_default() };
        let sb = format!("{}:{port_text}", svc.name);
        let slices: Vec<EndpointSlice> = match Selector::parse(&format!("kubernetes.io/service-name={}", svc.name)) {
            Ok(sel) => api.list(Kind::EndpointSlice, Some(ns), &sel, &[]).map(|l| l.items.iter().filter_map(|o| o.as_typed::<EndpointSlice>().cloned()).collect()).unwrap_or_default(),
            Err(_) => vec![],
        };
        let service = match api.get(Kind::Service, ns, &svc.name) {
            Ok(o) => o.as_typed::<Service>().cloned().unwrap_or_default(),
            Err(e) => return format!("{sb} (<error: {}>)", e.message),
        };
        let mut sp_name = String::new();
        for sp in service.spec.iter().flat_map(|s| s.ports.iter().flatten()) {
            let name = sp.name.clone().unwrap_or_default();
            if (number != 0 && number == sp.port) || (port.name.as_deref().is_some_and(|n| !n.is_empty()) && port.name.as_deref() == Some(name.as_str())) {
                sp_name = name;
            }
        }
        return format!("{sb} ({})", format_endpoint_slices(&slices, &sp_name));
    }
    if let Some(r) = &backend.resource {
        return format!("APIGroup: {}, Kind: {}, Name: {}", r.api_group.as_deref().unwrap_or("<none>"), r.kind, r.name);
    }
    String::new()
}

pub fn describe(api: &ApiServer, ing: &Ingress, settings: &Settings) -> String {
    let m = &ing.metadata;
    let ns = m.namespace.as_deref().unwrap_or("");
    let spec = ing.spec.clone().unwrap_or_default();
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", m.name.as_deref().unwrap_or("")));
    print_labels_multiline(&mut w, "Labels", m.labels.as_ref());
    w.write(LEVEL_0, &format!("Namespace:\t{ns}\n"));
    w.write(LEVEL_0, &format!("Address:\t{}\n", apiserver::printers::ingress_addresses(ing)));
    w.write(LEVEL_0, &format!("Ingress Class:\t{}\n", spec.ingress_class_name.as_deref().unwrap_or("<none>")));
    let default_backend = match &spec.default_backend {
        Some(b) => describe_backend(api, ns, b),
        None => "<default>".to_string(),
    };
    w.write(LEVEL_0, &format!("Default backend:\t{default_backend}\n"));
    if let Some(tls) = spec.tls.as_ref().filter(|t| !t.is_empty()) {
        w.write(LEVEL_0, "TLS:\n");
        for t in tls {
            let hosts = t.hosts.clone().unwrap_or_default().join(",");
            match t.secret_name.as_deref().filter(|s| !s.is_empty()) {
                None => w.write(LEVEL_1, &format!("SNI routes {hosts}\n")),
                Some(secret) => w.write(LEVEL_1, &format!("{secret} terminates {hosts}\n")),
            }
        }
    }
    w.write(LEVEL_0, "Rules:\n  Host\tPath\tBackends\n");
    w.write(LEVEL_1, "----\t----\t--------\n");
    let mut count = 0;
    for rule in spec.rules.iter().flatten() {
        let Some(http) = &rule.http else { continue };
        count += 1;
        let host = rule.host.as_deref().filter(|h| !h.is_empty()).unwrap_or("*");
        w.write(LEVEL_1, &format!("{host}\t\n"));
        for p in &http.paths {
            w.write(LEVEL_2, &format!("\t{} \t{}\n", p.path.as_deref().unwrap_or(""), describe_backend(api, ns, &p.backend)));
        }
    }
    if count == 0 {
        w.write(LEVEL_1, &format!("*\t*\t{default_backend}\n"));
    }
    print_annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    if settings.show_events {
        let found = events::search_object(api, &Object::Ingress(ing.clone()));
        events::describe(api, found, &mut w);
    }
    w.into_tabbed()
}

pub fn describe_class(api: &ApiServer, c: &IngressClass, settings: &Settings) -> String {
    let m = &c.metadata;
    let spec = c.spec.clone().unwrap_or_default();
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", m.name.as_deref().unwrap_or("")));
    print_labels_multiline(&mut w, "Labels", m.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    w.write(LEVEL_0, &format!("Controller:\t{}\n", spec.controller.as_deref().unwrap_or("")));
    if let Some(p) = &spec.parameters {
        w.write(LEVEL_0, "Parameters:\n");
        if let Some(g) = &p.api_group {
            w.write(LEVEL_1, &format!("APIGroup:\t{g}\n"));
        }
        w.write(LEVEL_1, &format!("Kind:\t{}\n", p.kind));
        w.write(LEVEL_1, &format!("Name:\t{}\n", p.name));
    }
    if settings.show_events {
        let found = events::search_object(api, &Object::IngressClass(c.clone()));
        events::describe(api, found, &mut w);
    }
    w.into_tabbed()
}
