//! The field tree of each served kind, read from the API types themselves:
//! a probing deserializer asks a type to decode and records what it asks
//! for (a struct and its field names, a list, a map, a scalar). The editor
//! completes field names from it (`kubeplay fields` writes it as JSON at
//! build time; the wasm never calls this, so it costs the page nothing).

use crate::Kind;
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value, json};
use std::cell::RefCell;
use std::rc::Rc;

/// What a type asked the deserializer for.
#[derive(Clone, Debug, PartialEq)]
enum Shape {
    Struct(Vec<&'static str>),
    List,
    Map,
    Scalar(&'static str),
}

#[derive(Debug)]
struct Found;
impl std::fmt::Display for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("probe")
    }
}
impl std::error::Error for Found {}
impl de::Error for Found {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Found
    }
}

/// One step down: into a struct field, a list element, a map value.
#[derive(Clone, Debug)]
enum Step {
    Field(&'static str),
    Element,
    Value,
}

struct Probe {
    path: Rc<Vec<Step>>,
    depth: usize,
    found: Rc<RefCell<Option<Shape>>>,
}

impl Probe {
    fn at_end(&self) -> bool {
        self.depth == self.path.len()
    }
    fn record(self, shape: Shape) -> Result<(), Found> {
        *self.found.borrow_mut() = Some(shape);
        Err(Found)
    }
    fn deeper(&self) -> Probe {
        Probe { path: self.path.clone(), depth: self.depth + 1, found: self.found.clone() }
    }
}

macro_rules! scalars {
    ($($method:ident => $name:literal),* $(,)?) => {
        $(fn $method<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Found> {
            self.record(Shape::Scalar($name)).map(|_| unreachable!())
        })*
    };
}

impl<'de> Deserializer<'de> for Probe {
    type Error = Found;
    scalars! {
        deserialize_any => "any", deserialize_bool => "boolean", deserialize_i8 => "integer", deserialize_i16 => "integer",
        deserialize_i32 => "integer", deserialize_i64 => "integer", deserialize_u8 => "integer", deserialize_u16 => "integer",
        deserialize_u32 => "integer", deserialize_u64 => "integer", deserialize_f32 => "number", deserialize_f64 => "number",
        deserialize_char => "string", deserialize_str => "string", deserialize_string => "string", deserialize_bytes => "string",
        deserialize_byte_buf => "string", deserialize_unit => "null", deserialize_identifier => "string", deserialize_ignored_any => "any",
    }
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Found> {
        v.visit_some(self)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, v: V) -> Result<V::Value, Found> {
        v.visit_newtype_struct(self)
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, _: V) -> Result<V::Value, Found> {
        self.record(Shape::Scalar("null")).map(|_| unreachable!())
    }
    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Found> {
        if self.at_end() {
            return self.record(Shape::List).map(|_| unreachable!());
        }
        v.visit_seq(OneElement(Some(self.deeper())))
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, v: V) -> Result<V::Value, Found> {
        self.deserialize_seq(v)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(self, _: &'static str, _: usize, v: V) -> Result<V::Value, Found> {
        self.deserialize_seq(v)
    }
    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Found> {
        if self.at_end() {
            return self.record(Shape::Map).map(|_| unreachable!());
        }
        v.visit_map(OneEntry { key: Some("key"), value: Some(self.deeper()) })
    }
    fn deserialize_struct<V: Visitor<'de>>(self, _: &'static str, fields: &'static [&'static str], v: V) -> Result<V::Value, Found> {
        if self.at_end() {
            return self.record(Shape::Struct(fields.to_vec())).map(|_| unreachable!());
        }
        let Step::Field(name) = self.path[self.depth] else { return Err(Found) };
        v.visit_map(OneEntry { key: Some(name), value: Some(self.deeper()) })
    }
    fn deserialize_enum<V: Visitor<'de>>(self, _: &'static str, _: &'static [&'static str], _: V) -> Result<V::Value, Found> {
        self.record(Shape::Scalar("string")).map(|_| unreachable!())
    }
}

struct OneElement(Option<Probe>);
impl<'de> SeqAccess<'de> for OneElement {
    type Error = Found;
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Found> {
        match self.0.take() {
            Some(p) => seed.deserialize(p).map(Some),
            None => Ok(None),
        }
    }
}

struct OneEntry {
    key: Option<&'static str>,
    value: Option<Probe>,
}
impl<'de> MapAccess<'de> for OneEntry {
    type Error = Found;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Found> {
        match self.key.take() {
            Some(k) => seed.deserialize(k.into_deserializer()).map(Some),
            None => Ok(None),
        }
    }
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Found> {
        match self.value.take() {
            Some(p) => seed.deserialize(p),
            None => Err(Found),
        }
    }
}

fn shape_of<T: de::DeserializeOwned>(path: &[Step]) -> Option<Shape> {
    let found = Rc::new(RefCell::new(None));
    let probe = Probe { path: Rc::new(path.to_vec()), depth: 0, found: found.clone() };
    let _ = T::deserialize(probe);
    found.borrow_mut().take()
}

/// Bound on nesting (the API types are finite trees, this is a guard).
const MAX_DEPTH: usize = 16;

fn tree<T: de::DeserializeOwned>(path: &mut Vec<Step>) -> Value {
    match shape_of::<T>(path) {
        _ if path.len() > MAX_DEPTH => json!("any"),
        Some(Shape::Struct(fields)) => {
            let mut m = Map::new();
            for f in fields {
                path.push(Step::Field(f));
                m.insert(f.to_string(), tree::<T>(path));
                path.pop();
            }
            Value::Object(m)
        }
        Some(Shape::List) => {
            path.push(Step::Element);
            let item = tree::<T>(path);
            path.pop();
            json!([item])
        }
        Some(Shape::Map) => {
            path.push(Step::Value);
            let value = tree::<T>(path);
            path.pop();
            json!({ "*": value })
        }
        Some(Shape::Scalar(s)) => json!(s),
        None => json!("any"),
    }
}

/// `{ "apps/v1/Deployment": { "apiVersion": "string", "spec": { "replicas":
/// "integer", "template": {...} }, ... }, ... }`: objects are structs (a
/// `"*"` key: a map with free keys), one-element arrays are lists.
pub fn field_trees() -> Value {
    macro_rules! one {
        ($m:ident, $kind:expr, $ty:ty) => {{
            let info = $kind.info();
            $m.insert(format!("{}/{}", info.api_version, info.name), tree::<$ty>(&mut vec![]));
        }};
    }
    use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet};
    use k8s_openapi::api::coordination::v1::Lease;
    use k8s_openapi::api::core::v1::{ConfigMap, Endpoints, Event, Namespace, Node, Pod, ReplicationController, Service, ServiceAccount};
    use k8s_openapi::api::discovery::v1::EndpointSlice;
    use k8s_openapi::api::networking::v1::{Ingress, IngressClass};
    let mut m = Map::new();
    one!(m, Kind::Namespace, Namespace);
    one!(m, Kind::Node, Node);
    one!(m, Kind::Pod, Pod);
    one!(m, Kind::ReplicationController, ReplicationController);
    one!(m, Kind::Service, Service);
    one!(m, Kind::Endpoints, Endpoints);
    one!(m, Kind::Event, Event);
    one!(m, Kind::ServiceAccount, ServiceAccount);
    one!(m, Kind::ConfigMap, ConfigMap);
    one!(m, Kind::DaemonSet, DaemonSet);
    one!(m, Kind::Deployment, Deployment);
    one!(m, Kind::ReplicaSet, ReplicaSet);
    one!(m, Kind::EndpointSlice, EndpointSlice);
    one!(m, Kind::Lease, Lease);
    one!(m, Kind::Ingress, Ingress);
    one!(m, Kind::IngressClass, IngressClass);
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_fields() {
        let t = field_trees();
        let d = &t["apps/v1/Deployment"];
        assert_eq!(d["spec"]["replicas"], json!("integer"));
        assert_eq!(d["metadata"]["labels"], json!({"*": "string"}));
        let c = &d["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(c["image"], json!("string"));
        assert_eq!(c["ports"][0]["containerPort"], json!("integer"));
        assert_eq!(c["resources"]["limits"]["*"], json!("any"), "a Quantity is a string or a number");
        assert!(t.as_object().unwrap().len() == Kind::all().count());
    }
}
