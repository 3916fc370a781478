//! The kinds kubeplay serves. Each is a real `k8s-openapi` type; `Object`
//! is the closed sum of them that the store holds. The table of `KindInfo`
//! is what discovery (`kubectl api-resources`) and argument resolution
//! (`kubectl get po`) read, as kube-apiserver's discovery documents are.

use k8s_openapi::Resource;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{
    ConfigMap, Endpoints, Event, Namespace, Node, Pod, ReplicationController, Service, ServiceAccount,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{Ingress, IngressClass};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;

/// Static facts about one kind, as discovery reports them.
#[derive(Debug)]
pub struct KindInfo {
    pub kind: Kind,
    pub name: &'static str,
    /// Plural resource name, e.g. `pods`.
    pub plural: &'static str,
    pub singular: &'static str,
    pub short_names: &'static [&'static str],
    pub group: &'static str,
    pub version: &'static str,
    pub api_version: &'static str,
    pub namespaced: bool,
    /// Categories, e.g. `all` for the kinds `kubectl get all` lists.
    pub categories: &'static [&'static str],
}

impl KindInfo {
    /// `pods` or `deployments.apps`: how kubectl and API errors name a resource.
    pub fn qualified_plural(&self) -> String {
        if self.group.is_empty() { self.plural.to_string() } else { format!("{}.{}", self.plural, self.group) }
    }
    /// `pod` or `deployment.apps`: the prefix of `kubectl` object references.
    pub fn qualified_singular(&self) -> String {
        if self.group.is_empty() { self.singular.to_string() } else { format!("{}.{}", self.singular, self.group) }
    }
}

macro_rules! define_kinds {
    ($( $variant:ident : $ty:ty { singular: $singular:literal, short: [$($short:literal),*], namespaced: $ns:literal, categories: [$($cat:literal),*] } )*) => {
        /// Every kind the cluster serves, in a fixed order (the store's key order).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Kind { $($variant),* }

        /// One stored object of any served kind.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Object { $($variant($ty)),* }

        pub static KINDS: &[KindInfo] = &[
            $(KindInfo {
                kind: Kind::$variant,
                name: <$ty as Resource>::KIND,
                plural: <$ty as Resource>::URL_PATH_SEGMENT,
                singular: $singular,
                short_names: &[$($short),*],
                group: <$ty as Resource>::GROUP,
                version: <$ty as Resource>::VERSION,
                api_version: <$ty as Resource>::API_VERSION,
                namespaced: $ns,
                categories: &[$($cat),*],
            }),*
        ];

        impl Object {
            pub fn kind(&self) -> Kind {
                match self { $(Object::$variant(_) => Kind::$variant),* }
            }
            pub fn meta(&self) -> &ObjectMeta {
                match self { $(Object::$variant(o) => &o.metadata),* }
            }
            pub fn meta_mut(&mut self) -> &mut ObjectMeta {
                match self { $(Object::$variant(o) => &mut o.metadata),* }
            }
            /// The object as JSON (`apiVersion` and `kind` included), keys sorted.
            pub fn to_value(&self) -> Value {
                let result = match self { $(Object::$variant(o) => serde_json::to_value(o)),* };
                result.expect("k8s-openapi types always serialise to JSON")
            }
            /// The object's JSON written straight to `out` in k8s-openapi's
            /// field order (`apiVersion` and `kind` first), without a `Value`
            /// tree (the server's responses; the browser build never calls it).
            pub fn write_json<W: std::io::Write>(&self, out: W) -> serde_json::Result<()> {
                match self { $(Object::$variant(o) => serde_json::to_writer(out, o)),* }
            }
            /// Decodes JSON into the typed object of `kind`; the error names the
            /// field path as the API server's decoder does.
            pub fn from_value(kind: Kind, value: Value) -> Result<Object, String> {
                match kind {
                    $(Kind::$variant => crate::typed::decode::<$ty>(&value).map(Object::$variant)),*
                }
            }
        }
        $(
            impl From<$ty> for Object {
                fn from(o: $ty) -> Object { Object::$variant(o) }
            }
            impl TypedObject for $ty {
                const KIND: Kind = Kind::$variant;
                fn from_object(o: &Object) -> Option<&Self> {
                    match o { Object::$variant(x) => Some(x), _ => None }
                }
                fn into_object(self) -> Object { Object::$variant(self) }
            }
        )*
    };
}

/// Links a `k8s-openapi` type to its `Kind`, so components can read typed objects.
pub trait TypedObject: Clone + Sized {
    const KIND: Kind;
    fn from_object(o: &Object) -> Option<&Self>;
    fn into_object(self) -> Object;
}

define_kinds! {
    Namespace: Namespace { singular: "namespace", short: ["ns"], namespaced: false, categories: [] }
    Node: Node { singular: "node", short: ["no"], namespaced: false, categories: [] }
    Pod: Pod { singular: "pod", short: ["po"], namespaced: true, categories: ["all"] }
    ReplicationController: ReplicationController { singular: "replicationcontroller", short: ["rc"], namespaced: true, categories: ["all"] }
    Service: Service { singular: "service", short: ["svc"], namespaced: true, categories: ["all"] }
    Endpoints: Endpoints { singular: "endpoints", short: ["ep"], namespaced: true, categories: [] }
    Event: Event { singular: "event", short: ["ev"], namespaced: true, categories: [] }
    ServiceAccount: ServiceAccount { singular: "serviceaccount", short: ["sa"], namespaced: true, categories: [] }
    ConfigMap: ConfigMap { singular: "configmap", short: ["cm"], namespaced: true, categories: [] }
    DaemonSet: DaemonSet { singular: "daemonset", short: ["ds"], namespaced: true, categories: ["all"] }
    Deployment: Deployment { singular: "deployment", short: ["deploy"], namespaced: true, categories: ["all"] }
    ReplicaSet: ReplicaSet { singular: "replicaset", short: ["rs"], namespaced: true, categories: ["all"] }
    EndpointSlice: EndpointSlice { singular: "endpointslice", short: [], namespaced: true, categories: [] }
    Lease: Lease { singular: "lease", short: [], namespaced: true, categories: [] }
    Ingress: Ingress { singular: "ingress", short: ["ing"], namespaced: true, categories: [] }
    IngressClass: IngressClass { singular: "ingressclass", short: [], namespaced: false, categories: [] }
}

impl Kind {
    pub fn info(self) -> &'static KindInfo {
        &KINDS[self as usize]
    }
    pub fn all() -> impl Iterator<Item = Kind> {
        KINDS.iter().map(|k| k.kind)
    }
    /// Finds a kind by `apiVersion` and `kind`, as a decoder does for a manifest.
    pub fn from_api_version_kind(api_version: &str, kind: &str) -> Option<Kind> {
        KINDS.iter().find(|k| k.api_version == api_version && k.name == kind).map(|k| k.kind)
    }
    /// Resolves what a user typed (`po`, `pods`, `pod`, `Pod`, `deployments.apps`,
    /// `deploy.apps`) to a kind, as kubectl's RESTMapper does.
    pub fn resolve(arg: &str) -> Option<Kind> {
        let lower = arg.to_ascii_lowercase();
        let (name, group) = match lower.split_once('.') {
            Some((n, g)) => (n.to_string(), Some(g.to_string())),
            None => (lower.clone(), None),
        };
        KINDS
            .iter()
            .find(|k| {
                // `deployments.apps` and `deployments.v1.apps` name the group too.
                let group_ok = match &group {
                    None => true,
                    Some(g) => *g == k.group || *g == format!("{}.{}", k.version, k.group) || (k.group.is_empty() && *g == k.version),
                };
                group_ok
                    && (name == k.plural
                        || name == k.singular
                        || name == k.name.to_ascii_lowercase()
                        || k.short_names.contains(&name.as_str()))
            })
            .map(|k| k.kind)
    }
}

impl Object {
    pub fn info(&self) -> &'static KindInfo {
        self.kind().info()
    }
    pub fn name(&self) -> &str {
        self.meta().name.as_deref().unwrap_or("")
    }
    pub fn namespace(&self) -> &str {
        self.meta().namespace.as_deref().unwrap_or("")
    }
    pub fn as_typed<T: TypedObject>(&self) -> Option<&T> {
        T::from_object(self)
    }
}
