//! The ServiceAccount controller (pkg/controller/serviceaccount/
//! serviceaccounts_controller.go): a `default` ServiceAccount in every
//! active namespace, re-created when deleted. And the root-CA publisher
//! (pkg/controller/certificates/rootcacertpublisher/publisher.go): the
//! ConfigMap `kube-root-ca.crt` with the cluster CA in every namespace,
//! restored when edited or deleted.

use crate::util::{get_typed, is_not_found, opts};
use crate::{Controller, Queue};
use apimachinery::k8s_openapi::api::core::v1::{ConfigMap, Namespace, ServiceAccount};
use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use apimachinery::{ApiError, Kind, Object, ObjectKey, Reason};
use apiserver::ApiServer;
use std::collections::BTreeMap;
use store::{EventType, WatchEvent};

pub const DEFAULT_SERVICE_ACCOUNT: &str = "default";
pub const ROOT_CA_CONFIGMAP: &str = "kube-root-ca.crt";
pub const ROOT_CA_KEY: &str = "ca.crt";
pub const DESCRIPTION_ANNOTATION: &str = "kubernetes.io/description";
pub const DESCRIPTION: &str = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

fn active(ns: &Namespace) -> bool {
    ns.metadata.deletion_timestamp.is_none() && ns.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Terminating")
}

fn namespace_key(ns: &str) -> ObjectKey {
    ObjectKey::new(Kind::Namespace, "", ns)
}

#[derive(Default)]
pub struct ServiceAccountController {}

impl Controller for ServiceAccountController {
    fn name(&self) -> &'static str {
        "serviceaccount"
    }

    fn observe(&mut self, event: &WatchEvent, queue: &mut Queue) {
        match event.key.kind {
            Kind::Namespace if event.event_type != EventType::Deleted => queue.add(event.key.clone()),
            Kind::ServiceAccount if event.event_type == EventType::Deleted && event.key.name == DEFAULT_SERVICE_ACCOUNT => {
                queue.add(namespace_key(&event.key.namespace));
            }
            _ => {}
        }
    }

    fn sync(&mut self, api: &mut ApiServer, key: &ObjectKey, _queue: &mut Queue) -> Result<(), ApiError> {
        let Some(ns) = get_typed::<Namespace>(api, "", &key.name)? else { return Ok(()) };
        if !active(&ns) {
            return Ok(());
        }
        if get_typed::<ServiceAccount>(api, &key.name, DEFAULT_SERVICE_ACCOUNT)?.is_some() {
            return Ok(());
        }
        let sa = ServiceAccount {
            metadata: ObjectMeta { name: Some(DEFAULT_SERVICE_ACCOUNT.into()), namespace: Some(key.name.clone()), ..Default::default() },
            ..Default::default()
        };
        match api.create(Object::ServiceAccount(sa), &opts()) {
            Ok(_) => Ok(()),
            Err(e) if e.reason == Reason::AlreadyExists || crate::util::is_namespace_terminating(&e) || is_not_found(&e) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// The cluster CA in PEM form. A real cluster's is a kubeadm-generated
/// certificate; kubeplay's is fixed, deterministic text of the same shape
/// (base64 of a fixed byte stream), not a parseable certificate.
pub fn root_ca_pem() -> String {
    const BODY_BYTES: usize = 789;
    let mut bytes = Vec::with_capacity(BODY_BYTES);
    // The DER prefix of a kubeadm CA (SEQUENCE of ~780 bytes, version 3).
    bytes.extend_from_slice(&[0x30, 0x82, 0x03, 0x11, 0x30, 0x82, 0x01, 0xf9, 0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x08]);
    let mut x: u64 = 0x6b75_6265_706c_6179; // "kubeplay"
    while bytes.len() < BODY_BYTES {
        // xorshift64: fixed, platform-independent filler.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.push((x >> 24) as u8);
    }
    let b64 = base64(&bytes);
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(chunk).unwrap_or(""));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        out.push(A[(n >> 18) as usize & 63] as char);
        out.push(A[(n >> 12) as usize & 63] as char);
        out.push(if c.len() > 1 { A[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if c.len() > 2 { A[n as usize & 63] as char } else { '=' });
    }
    out
}

#[derive(Default)]
pub struct RootCaPublisher {}

impl Controller for RootCaPublisher {
    fn name(&self) -> &'static str {
        "root-ca-cert-publisher"
    }

    fn observe(&mut self, event: &WatchEvent, queue: &mut Queue) {
        match event.key.kind {
            Kind::Namespace if event.event_type != EventType::Deleted => queue.add(event.key.clone()),
            Kind::ConfigMap if event.key.name == ROOT_CA_CONFIGMAP => queue.add(namespace_key(&event.key.namespace)),
            _ => {}
        }
    }

    fn sync(&mut self, api: &mut ApiServer, key: &ObjectKey, _queue: &mut Queue) -> Result<(), ApiError> {
        let Some(ns) = get_typed::<Namespace>(api, "", &key.name)? else { return Ok(()) };
        if !active(&ns) {
            return Ok(());
        }
        let data: BTreeMap<String, String> = [(ROOT_CA_KEY.to_string(), root_ca_pem())].into();
        let annotations: BTreeMap<String, String> = [(DESCRIPTION_ANNOTATION.to_string(), DESCRIPTION.to_string())].into();
        let result = match get_typed::<ConfigMap>(api, &key.name, ROOT_CA_CONFIGMAP)? {
            None => {
                let cm = ConfigMap {
                    metadata: ObjectMeta { name: Some(ROOT_CA_CONFIGMAP.into()), namespace: Some(key.name.clone()), annotations: Some(annotations), ..Default::default() },
                    data: Some(data),
                    ..Default::default()
                };
                api.create(Object::ConfigMap(cm), &opts()).map(|_| ())
            }
            Some(cm) => {
                let ann = cm.metadata.annotations.clone().unwrap_or_default();
                if cm.data.as_ref() == Some(&data) && ann.get(DESCRIPTION_ANNOTATION).map(String::as_str) == Some(DESCRIPTION) {
                    return Ok(());
                }
                // Restore the data and the description; other annotations stay.
                let mut fixed = cm.clone();
                fixed.data = Some(data);
                fixed.binary_data = None;
                fixed.metadata.annotations.get_or_insert_with(Default::default).insert(DESCRIPTION_ANNOTATION.into(), DESCRIPTION.into());
                fixed.metadata.resource_version = None;
                api.update(Object::ConfigMap(fixed), &opts()).map(|_| ())
            }
        };
        match result {
            Err(e) if e.reason == Reason::AlreadyExists || crate::util::is_namespace_terminating(&e) || is_not_found(&e) => Ok(()),
            r => r,
        }
    }
}
