//! networking.k8s.io/v1 Ingress and IngressClass: SetDefaults_IngressClass
//! (pkg/apis/networking/v1/defaults.go; Ingress has no v1 defaults — a
//! path without `pathType` is an error), the strategies
//! (pkg/registry/networking/ingress/strategy.go: status reset on create,
//! generation on spec change) and ValidateIngressCreate / ValidateIngressUpdate /
//! ValidateIngressClass (pkg/apis/networking/validation/validation.go).

use super::validation::{dns1035_label, dns1123_subdomain, port_name, port_num, str_value, validate_object_meta, validate_object_meta_update};
use apimachinery::field::{BadValue, FieldError};
use apimachinery::k8s_openapi::api::networking::v1::{IngressBackend, IngressClass, IngressSpec};
use apimachinery::k8s_openapi::api::networking::v1::Ingress;
use apimachinery::{Kind, names};

/// The legacy class annotation (annotationIngressClass).
pub const INGRESS_CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";
/// networking.AnnotationIsDefaultIngressClass.
pub const DEFAULT_CLASS_ANNOTATION: &str = "ingressclass.kubernetes.io/is-default-class";
const MAX_LEN_INGRESS_CLASS_CONTROLLER: usize = 250;
const SUPPORTED_PATH_TYPES: &[&str] = &["Exact", "ImplementationSpecific", "Prefix"];
const INVALID_PATH_SEQUENCES: &[&str] = &["//", "/./", "/../", "%2f", "%2F"];
const INVALID_PATH_SUFFIXES: &[&str] = &["/..", "/."];
const WILDCARD_MSG: &str = "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character";

/// SetDefaults_IngressClass: a parameters reference without a scope is
/// cluster-scoped.
pub fn default_ingress_class(c: &mut IngressClass) {
    if let Some(p) = c.spec.as_mut().and_then(|s| s.parameters.as_mut())
        && p.scope.is_none()
    {
        p.scope = Some("Cluster".into());
    }
}

/// ValidateIngressCreate.
pub fn validate_ingress_create(ing: &Ingress) -> Vec<FieldError> {
    let mut errs = validate_ingress(ing);
    let annotation = ing.metadata.annotations.as_ref().and_then(|a| a.get(INGRESS_CLASS_ANNOTATION));
    let class = ing.spec.as_ref().and_then(|s| s.ingress_class_name.as_ref());
    if let (Some(a), Some(c)) = (annotation, class)
        && a != c
    {
        errs.push(FieldError::invalid(format!("annotations.{INGRESS_CLASS_ANNOTATION}"), str_value(a), "must match `ingressClassName` when both are specified"));
    }
    errs
}

/// ValidateIngressUpdate. (The Allow* options that keep old invalid
/// values valid are not modelled: kubeplay never stored such values.)
pub fn validate_ingress_update(new: &Ingress, old: &Ingress) -> Vec<FieldError> {
    let mut errs = validate_object_meta_update(&new.metadata, &old.metadata);
    errs.extend(validate_ingress(new));
    errs
}

fn validate_ingress(ing: &Ingress) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&ing.metadata, Kind::Ingress);
    errs.extend(validate_ingress_spec(&ing.spec.clone().unwrap_or_default()));
    errs
}

/// IsWildcardDNS1123Subdomain.
fn wildcard_subdomain(host: &str) -> Vec<String> {
    let mut errs = vec![];
    if host.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    let ok = host.strip_prefix("*.").is_some_and(|rest| dns1123_subdomain(rest).is_empty());
    if !ok {
        errs.push(names::regex_error(WILDCARD_MSG, "\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", &["*.example.com"]));
    }
    errs
}

fn is_ipv4_or_v6(s: &str) -> bool {
    s.parse::<std::net::IpAddr>().is_ok()
}

/// ValidateIngressSpec.
fn validate_ingress_spec(spec: &IngressSpec) -> Vec<FieldError> {
    let mut errs = vec![];
    let rules = spec.rules.as_deref().unwrap_or_default();
    if rules.is_empty() && spec.default_backend.is_none() {
        let value = BadValue::Json(spec.rules.as_ref().map_or(serde_json::Value::Null, |r| serde_json::to_value(r).unwrap_or_default()));
        errs.push(FieldError::invalid("spec", value, "either `defaultBackend` or `rules` must be specified"));
    }
    if let Some(b) = &spec.default_backend {
        errs.extend(validate_backend(b, "spec.defaultBackend"));
    }
    for (i, rule) in rules.iter().enumerate() {
        let host = rule.host.as_deref().unwrap_or("");
        let path = format!("spec.rules[{i}]");
        if !host.is_empty() {
            if is_ipv4_or_v6(host) {
                errs.push(FieldError::invalid(format!("{path}.host"), str_value(host), "must be a DNS name, not an IP address"));
            }
            let problems = if host.contains('*') { wildcard_subdomain(host) } else { dns1123_subdomain(host) };
            errs.extend(problems.into_iter().map(|m| FieldError::invalid(format!("{path}.host"), str_value(host), m)));
        }
        let Some(http) = &rule.http else { continue };
        if http.paths.is_empty() {
            errs.push(FieldError::required(format!("{path}.http.paths"), ""));
        }
        for (j, p) in http.paths.iter().enumerate() {
            errs.extend(validate_http_path(p, &format!("{path}.http.paths[{j}]")));
        }
    }
    for (t, tls) in spec.tls.iter().flatten().enumerate() {
        for (i, host) in tls.hosts.iter().flatten().enumerate() {
            let problems = if host.contains('*') { wildcard_subdomain(host) } else { dns1123_subdomain(host) };
            errs.extend(problems.into_iter().map(|m| FieldError::invalid(format!("spec.tls[{t}].hosts[{i}]"), str_value(host), m)));
        }
        // validateTLSSecretName: a Secret name (DNS-1123 subdomain) when set.
        if let Some(secret) = tls.secret_name.as_deref().filter(|s| !s.is_empty()) {
            errs.extend(dns1123_subdomain(secret).into_iter().map(|m| FieldError::invalid(format!("spec.tls[{t}].secretName"), str_value(secret), m)));
        }
    }
    if let Some(class) = &spec.ingress_class_name {
        errs.extend(dns1123_subdomain(class).into_iter().map(|m| FieldError::invalid("spec.ingressClassName", str_value(class), m)));
    }
    errs
}

/// validateHTTPIngressPath. k8s-openapi reads a missing `pathType` as "".
fn validate_http_path(p: &apimachinery::k8s_openapi::api::networking::v1::HTTPIngressPath, path: &str) -> Vec<FieldError> {
    let mut errs = vec![];
    let value = p.path.as_deref().unwrap_or("");
    match p.path_type.as_str() {
        "" => return vec![FieldError::required(format!("{path}.pathType"), "pathType must be specified")],
        "Exact" | "Prefix" => {
            if !value.starts_with('/') {
                errs.push(FieldError::invalid(format!("{path}.path"), str_value(value), "must be an absolute path"));
            }
            if !value.is_empty() {
                for seq in INVALID_PATH_SEQUENCES.iter().filter(|s| value.contains(*s)) {
                    errs.push(FieldError::invalid(format!("{path}.path"), str_value(value), format!("must not contain '{seq}'")));
                }
                for suffix in INVALID_PATH_SUFFIXES.iter().filter(|s| value.ends_with(*s)) {
                    errs.push(FieldError::invalid(format!("{path}.path"), str_value(value), format!("cannot end with '{suffix}'")));
                }
            }
        }
        "ImplementationSpecific" => {
            if !value.is_empty() && !value.starts_with('/') {
                errs.push(FieldError::invalid(format!("{path}.path"), str_value(value), "must be an absolute path"));
            }
        }
        other => errs.push(FieldError::unsupported(format!("{path}.pathType"), str_value(other), SUPPORTED_PATH_TYPES)),
    }
    errs.extend(validate_backend(&p.backend, &format!("{path}.backend")));
    errs
}

/// validateIngressBackend (service backends; a resource backend only
/// needs its kind and name).
fn validate_backend(b: &IngressBackend, path: &str) -> Vec<FieldError> {
    let mut errs = vec![];
    match (&b.resource, &b.service) {
        (Some(_), Some(_)) => return vec![FieldError::invalid(path, str_value(""), "cannot set both resource and service backends")],
        (Some(r), None) => {
            if r.kind.is_empty() {
                errs.push(FieldError::required(format!("{path}.resource.kind"), ""));
            }
            if r.name.is_empty() {
                errs.push(FieldError::required(format!("{path}.resource.name"), ""));
            }
        }
        (None, Some(svc)) => {
            if svc.name.is_empty() {
                errs.push(FieldError::required(format!("{path}.service.name"), ""));
            } else {
                // ValidateServiceName (RelaxedServiceNameValidation is off).
                errs.extend(dns1035_label(&svc.name).into_iter().map(|m| FieldError::invalid(format!("{path}.service.name"), str_value(&svc.name), m)));
            }
            let port = svc.port.clone().unwrap_or_default();
            let name = port.name.as_deref().unwrap_or("");
            let number = port.number.unwrap_or(0);
            match (!name.is_empty(), number != 0) {
                (true, true) => errs.push(FieldError::invalid(path, str_value(""), "cannot set both port name & port number")),
                (true, false) => errs.extend(port_name(name).into_iter().map(|m| FieldError::invalid(format!("{path}.service.port.name"), str_value(name), m))),
                (false, true) => errs.extend(port_num(number.into()).into_iter().map(|m| FieldError::invalid(format!("{path}.service.port.number"), BadValue::Int(number.into()), m))),
                (false, false) => errs.push(FieldError::required(path, "port name or number is required")),
            }
        }
        (None, None) => errs.push(FieldError::invalid(path, str_value(""), "resource or service backend is required")),
    }
    errs
}

/// ValidateIngressClass.
pub fn validate_ingress_class(c: &IngressClass) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&c.metadata, Kind::IngressClass);
    let spec = c.spec.clone().unwrap_or_default();
    let controller = spec.controller.as_deref().unwrap_or("");
    if controller.is_empty() {
        errs.push(FieldError::required("spec.controller", ""));
    } else {
        if controller.len() > MAX_LEN_INGRESS_CLASS_CONTROLLER {
            errs.push(super::validation::too_long("spec.controller", MAX_LEN_INGRESS_CLASS_CONTROLLER));
        }
        // validation.IsDomainPrefixedPath.
        match controller.split_once('/') {
            Some((host, rest)) if !host.is_empty() && !rest.is_empty() => {
                errs.extend(dns1123_subdomain(host).into_iter().map(|m| FieldError::invalid("spec.controller", str_value(host), m)));
            }
            _ => errs.push(FieldError::invalid("spec.controller", str_value(controller), "must be a domain-prefixed path (such as \"acme.io/foo\")")),
        }
    }
    if let Some(p) = &spec.parameters {
        if p.kind.is_empty() {
            errs.push(FieldError::required("spec.parameters.kind", ""));
        }
        if p.name.is_empty() {
            errs.push(FieldError::required("spec.parameters.name", ""));
        }
    }
    errs
}

/// ValidateIngressClassUpdate: the controller is immutable.
pub fn validate_ingress_class_update(new: &IngressClass, old: &IngressClass) -> Vec<FieldError> {
    let mut errs = validate_object_meta_update(&new.metadata, &old.metadata);
    let controller = |c: &IngressClass| c.spec.as_ref().and_then(|s| s.controller.clone()).unwrap_or_default();
    if controller(new) != controller(old) {
        errs.push(FieldError::immutable("spec.controller", str_value(&controller(new))));
    }
    errs.extend(validate_ingress_class(new));
    errs
}

/// ingress-nginx's `--controller-class` (the upstream manifests' default).
pub const INGRESS_NGINX_CONTROLLER: &str = "k8s.io/ingress-nginx";
/// ingress-nginx's `--ingress-class` (the legacy annotation value it takes).
pub const INGRESS_NGINX_CLASS: &str = "nginx";

/// Whether ingress-nginx (store.go's class check, without
/// `--watch-ingress-without-class`) serves this Ingress: its
/// `ingressClassName` names an IngressClass of controller
/// `k8s.io/ingress-nginx`, or its legacy annotation says `nginx`.
pub fn served_by_ingress_nginx(api: &crate::ApiServer, ing: &Ingress) -> bool {
    if let Some(a) = ing.metadata.annotations.as_ref().and_then(|a| a.get(INGRESS_CLASS_ANNOTATION)) {
        return a == INGRESS_NGINX_CLASS;
    }
    let Some(class) = ing.spec.as_ref().and_then(|s| s.ingress_class_name.as_deref()) else {
        // minikube's addon runs the controller with
        // --watch-ingress-without-class=true.
        return api
            .get(Kind::Deployment, "ingress-nginx", "ingress-nginx-controller")
            .ok()
            .and_then(|o| o.as_typed::<apimachinery::k8s_openapi::api::apps::v1::Deployment>().cloned())
            .and_then(|d| d.spec.template.spec)
            .is_some_and(|s| s.containers.iter().flat_map(|c| c.args.iter().flatten()).any(|a| a == "--watch-ingress-without-class=true"));
    };
    api.get(Kind::IngressClass, "", class)
        .ok()
        .and_then(|o| o.as_typed::<IngressClass>().and_then(|c| c.spec.as_ref()?.controller.clone()))
        .is_some_and(|c| c == INGRESS_NGINX_CONTROLLER)
}
