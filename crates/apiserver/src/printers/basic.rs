//! Namespace, ServiceAccount, ConfigMap and Lease: the short tables of
//! printers.go (printNamespace, printServiceAccount, printConfigMap,
//! printLease).

use super::{AGE_COLUMN, NAME_COLUMN, age, column, descriptions as doc, int, text};
use crate::table::{Cell, Column};
use apimachinery::Timestamp;
use apimachinery::k8s_openapi::api::coordination::v1::Lease;
use apimachinery::k8s_openapi::api::core::v1::{ConfigMap, Namespace, ServiceAccount};

pub(super) static NAMESPACE_COLUMNS: &[Column] =
    &[NAME_COLUMN, column("Status", "string", 0, "The status of the namespace"), AGE_COLUMN];

/// STATUS is `status.phase`. Go defaults an empty phase to `Active`
/// (SetDefaults_NamespaceStatus) when it decodes the stored object.
pub(super) fn namespace_cells(ns: &Namespace, now: Timestamp) -> Vec<Cell> {
    let phase = ns.status.as_ref().and_then(|s| s.phase.as_deref()).filter(|p| !p.is_empty()).unwrap_or("Active");
    vec![text(ns.metadata.name.as_deref().unwrap_or("")), text(phase), Cell::from(age(now, ns.metadata.creation_timestamp.as_ref()))]
}

// The SECRETS column is typed "string" although its cells are integers;
// that is how printers.go declares it.
pub(super) static SERVICE_ACCOUNT_COLUMNS: &[Column] = &[NAME_COLUMN, column("Secrets", "string", 0, doc::SA_SECRETS), AGE_COLUMN];

pub(super) fn service_account_cells(sa: &ServiceAccount, now: Timestamp) -> Vec<Cell> {
    let secrets = sa.secrets.as_ref().map_or(0, Vec::len) as i64;
    vec![text(sa.metadata.name.as_deref().unwrap_or("")), int(secrets), Cell::from(age(now, sa.metadata.creation_timestamp.as_ref()))]
}

pub(super) static CONFIG_MAP_COLUMNS: &[Column] = &[NAME_COLUMN, column("Data", "string", 0, doc::CM_DATA), AGE_COLUMN];

/// DATA counts `data` and `binaryData` keys together.
pub(super) fn config_map_cells(cm: &ConfigMap, now: Timestamp) -> Vec<Cell> {
    let data = cm.data.as_ref().map_or(0, |d| d.len()) + cm.binary_data.as_ref().map_or(0, |d| d.len());
    vec![text(cm.metadata.name.as_deref().unwrap_or("")), int(data as i64), Cell::from(age(now, cm.metadata.creation_timestamp.as_ref()))]
}

pub(super) static LEASE_COLUMNS: &[Column] =
    &[NAME_COLUMN, column("Holder", "string", 0, doc::LEASE_SPEC_HOLDER_IDENTITY), AGE_COLUMN];

/// HOLDER is `spec.holderIdentity`, empty when unset (no `<none>`).
pub(super) fn lease_cells(lease: &Lease, now: Timestamp) -> Vec<Cell> {
    let holder = lease.spec.as_ref().and_then(|s| s.holder_identity.as_deref()).unwrap_or("");
    vec![text(lease.metadata.name.as_deref().unwrap_or("")), text(holder), Cell::from(age(now, lease.metadata.creation_timestamp.as_ref()))]
}
