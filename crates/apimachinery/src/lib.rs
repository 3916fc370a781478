//! Kubernetes API machinery shared by every kubeplay component: the kinds the
//! cluster serves (as real `k8s-openapi` types), object metadata helpers,
//! `Status` errors with Kubernetes' own messages, field-error lists, label and
//! field selectors, resource quantities, human-readable durations and the
//! YAML/JSON codecs. Like k8s.io/apimachinery, it knows no component.

pub mod duration;
pub mod errors;
pub mod field;
pub mod fields;
pub mod kinds;
pub mod meta;
pub mod names;
pub mod quantity;
pub mod rng;
pub mod selector;
pub mod sort;
pub mod typed;
pub mod yaml;

pub use errors::{ApiError, Reason};
pub use kinds::{Kind, KindInfo, Object};
pub use meta::ObjectKey;

/// Re-exported so that every crate uses the one pinned Kubernetes version.
pub use k8s_openapi;
pub use k8s_openapi::jiff::{SignedDuration, Timestamp};

/// The Kubernetes version kubeplay simulates (server, kubelets, kubectl).
pub const KUBERNETES_VERSION: &str = "v1.37.1";
pub const KUBERNETES_MINOR: &str = "37";
