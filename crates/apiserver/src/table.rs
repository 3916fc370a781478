//! meta.k8s.io/v1 Table: what server-side printing returns. kubectl only
//! lays it out (tabwriter, NAMESPACE/LABELS columns); every cell is the
//! server's (pkg/printers/internalversion).

use apimachinery::Object;
use serde_json::{Value, json};
use std::borrow::Cow;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: &'static str,
    /// `string`, `integer`, `date`, ...
    pub type_: &'static str,
    /// `name` for the NAME column, else empty.
    pub format: &'static str,
    /// 0: always shown; 1: only with `-o wide`.
    pub priority: i32,
    pub description: &'static str,
}

impl Column {
    pub const fn new(name: &'static str, type_: &'static str, priority: i32) -> Column {
        Column { name, type_, format: "", priority, description: "" }
    }
    pub const fn name_column() -> Column {
        Column { name: "Name", type_: "string", format: "name", priority: 0, description: "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names" }
    }
}

/// One table cell: a string or an integer, as the Table's JSON carries them.
/// Strings are `Cow` so the many constant cells (`<none>`, `Running`, `0`)
/// cost no allocation when a list of thousands of objects is printed.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Str(Cow<'static, str>),
    Int(i64),
}

impl Cell {
    /// A constant string cell; allocates nothing.
    pub const fn literal(s: &'static str) -> Cell {
        Cell::Str(Cow::Borrowed(s))
    }
    /// The cell as kubectl prints it (`fmt.Sprint` for integers).
    pub fn text(&self) -> String {
        match self {
            Cell::Str(s) => s.to_string(),
            Cell::Int(i) => i.to_string(),
        }
    }
    /// The string of a string cell; `None` for an integer cell.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Cell::Str(s) => Some(s),
            Cell::Int(_) => None,
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Str(Cow::Owned(s))
    }
}
impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Str(Cow::Owned(s.to_string()))
    }
}
impl From<Cow<'static, str>> for Cell {
    fn from(s: Cow<'static, str>) -> Cell {
        Cell::Str(s)
    }
}
impl From<i64> for Cell {
    fn from(i: i64) -> Cell {
        Cell::Int(i)
    }
}
impl From<i32> for Cell {
    fn from(i: i32) -> Cell {
        Cell::Int(i as i64)
    }
}

#[derive(Clone, Debug)]
pub struct Row {
    pub cells: Vec<Cell>,
    pub object: Arc<Object>,
}

#[derive(Clone, Debug, Default)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub resource_version: String,
}

impl Table {
    /// The Table as JSON, as the REST API sends it (`includeObject=Metadata`
    /// is the default; the row object is a PartialObjectMetadata).
    pub fn to_value(&self) -> Value {
        let columns: Vec<Value> = self
            .columns
            .iter()
            .map(|c| json!({"name": c.name, "type": c.type_, "format": c.format, "description": c.description, "priority": c.priority}))
            .collect();
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|r| {
                let cells: Vec<Value> = r.cells.iter().map(|c| match c { Cell::Str(s) => json!(s), Cell::Int(i) => json!(i) }).collect();
                let meta = serde_json::to_value(r.object.meta()).unwrap_or(Value::Null);
                json!({"cells": cells, "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta}})
            })
            .collect();
        json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": self.resource_version}, "columnDefinitions": columns, "rows": rows})
    }
}
