//! `kubectl get` (staging/src/k8s.io/kubectl/pkg/cmd/get/get.go and
//! cli-runtime's table printer): server tables decorated client-side, the
//! generic `-o` formats, and `-w` streaming.

use crate::args::Args;
use crate::builder::{self, Target};
use crate::errors::CmdError;
use crate::tabwriter::TabWriter;
use crate::{Ctx, Outcome, Output};
use apimachinery::selector::{FieldRequirement, Selector, parse_field_selector};
use apimachinery::{Kind, Object, meta, yaml};
use apiserver::printers;
use apiserver::table::Cell;
use std::fmt::Write as _;
use serde_json::{Value, json};
use std::sync::Arc;
use store::EventType;

/// The output format asked for with `-o`.
#[derive(Clone, Debug, PartialEq)]
pub enum Format {
    Table { wide: bool },
    Yaml,
    Json,
    Name,
    JsonPath(String),
    /// `-o custom-columns=HEADER:.path,...`: (header, JSONPath template).
    CustomColumns(Vec<(String, String)>),
}

/// cli-runtime customcolumn.go NewCustomColumnsPrinterFromSpec: each
/// column is `HEADER:<relaxed JSONPath>` (`.a.b` means `{.a.b}`).
fn parse_custom_columns(spec: &str) -> Result<Format, CmdError> {
    if spec.is_empty() {
        return Err(CmdError::msg("custom-columns format specified but no custom columns given"));
    }
    let mut columns = vec![];
    for part in spec.split(',') {
        let Some((header, path)) = part.split_once(':').filter(|(h, p)| !h.is_empty() && !p.is_empty()) else {
            return Err(CmdError::msg(format!("unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>")));
        };
        let template = if path.starts_with('{') { path.to_string() } else { format!("{{{path}}}") };
        columns.push((header.to_string(), template));
    }
    Ok(Format::CustomColumns(columns))
}

/// One custom-columns row: each column's values joined with ",", or
/// `<none>` when the path finds nothing.
fn custom_columns_row(columns: &[(String, String)], v: &Value) -> Vec<String> {
    columns
        .iter()
        .map(|(_, template)| match crate::jsonpath::evaluate(template, v) {
            Ok(text) if !text.is_empty() => text.split(' ').collect::<Vec<_>>().join(","),
            _ => "<none>".to_string(),
        })
        .collect()
}

pub fn parse_format(o: Option<&str>) -> Result<Format, CmdError> {
    Ok(match o.unwrap_or("") {
        "" => Format::Table { wide: false },
        "wide" => Format::Table { wide: true },
        "yaml" => Format::Yaml,
        "json" => Format::Json,
        "name" => Format::Name,
        s if s.starts_with("jsonpath=") => Format::JsonPath(s["jsonpath=".len()..].to_string()),
        s if s.starts_with("jsonpath-as-json=") => Format::JsonPath(s["jsonpath-as-json=".len()..].to_string()),
        s if s.starts_with("custom-columns=") => parse_custom_columns(&s["custom-columns=".len()..])?,
        other => {
            return Err(CmdError::msg(format!(
                "unable to match a printer suitable for the output format \"{other}\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,kyaml,name,template,templatefile,wide,yaml"
            )));
        }
    })
}

/// Prints one JSON document in a generic format (`-o yaml|json|jsonpath`).
pub fn print_value(format: &str, v: &Value, out: &mut Output) -> Result<(), CmdError> {
    match parse_format(Some(format))? {
        Format::Yaml => out.out(&yaml::to_yaml(v)),
        Format::Json => out.outln(&yaml::to_json_pretty(v)),
        Format::JsonPath(p) => out.out(&crate::jsonpath::evaluate(&p, v).map_err(CmdError::msg)?),
        _ => out.out(&yaml::to_yaml(v)),
    }
    Ok(())
}

/// An object as `kubectl get -o yaml|json` shows it: managedFields dropped.
pub fn object_value(o: &Object) -> Value {
    let mut v = o.to_value();
    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("managedFields");
    }
    v
}

pub fn list_value(items: Vec<Value>) -> Value {
    json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}})
}

struct Query {
    namespace: Option<String>,
    labels: Selector,
    fields: Vec<FieldRequirement>,
    /// kubectl sends selectors to the server unparsed; a bad one comes back
    /// as the server's BadRequest for each listed type (this is its text).
    selector_error: Option<String>,
}

fn query(ctx: &Ctx, args: &Args) -> Query {
    let mut selector_error = None;
    let labels = match args.get("selector").map(Selector::parse) {
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            selector_error = Some(e);
            Selector::everything()
        }
        None => Selector::everything(),
    };
    let fields = match args.get("field-selector").map(parse_field_selector) {
        Some(Ok(f)) => f,
        Some(Err(e)) => {
            selector_error.get_or_insert(e);
            vec![]
        }
        None => vec![],
    };
    let namespace = if args.flag("all-namespaces") { None } else { Some(ctx.namespace(args)) };
    Query { namespace, labels, fields, selector_error }
}

/// cli-runtime resource/visitor.go (Selector.Visit): a list's BadRequest
/// names the resource and both selectors.
fn selector_list_error(kind: Kind, args: &Args, why: &str) -> CmdError {
    let info = kind.info();
    let gvr = format!("{}/{}, Resource={}", info.group, info.version, info.plural);
    CmdError::Api(apimachinery::ApiError::bad_request(format!(
        "Unable to find {gvr:?} that match label selector {:?}, field selector {:?}: {why}",
        args.get("selector").unwrap_or(""),
        args.get("field-selector").unwrap_or("")
    )))
}

/// One resource type's worth of results.
struct Group {
    kind: Kind,
    objects: Vec<Arc<Object>>,
}

pub fn run(ctx: &mut Ctx, args: &Args, rest: &[String], mut out: Output) -> Outcome {
    match run_inner(ctx, args, rest, &mut out) {
        Ok(Some(stream)) => Outcome::Waiting(out, Box::new(stream)),
        Ok(None) => Outcome::Done(out),
        Err(e) => {
            out.fail(&e);
            Outcome::Done(out)
        }
    }
}

fn run_inner(ctx: &mut Ctx, args: &Args, rest: &[String], out: &mut Output) -> Result<Option<WatchStream>, CmdError> {
    let format = parse_format(args.get("output"))?;
    let filenames = args.all("filename");
    if rest.is_empty() && filenames.is_empty() {
        return Err(CmdError::Raw(
            "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples".into(),
        ));
    }
    let q = query(ctx, args);
    let mut targets = builder::targets(rest)?;
    if !filenames.is_empty() {
        for m in builder::read_manifests(ctx, &filenames, args.flag("recursive"))? {
            let kind = builder::manifest_kind(&m)?;
            let name = m.value.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("").to_string();
            targets.push(Target::Named(kind, name));
        }
    }
    let single_named = targets.len() == 1 && matches!(targets[0], Target::Named(..)) && filenames.is_empty();
    let api = ctx.world.api();
    let mut groups: Vec<Group> = vec![];
    let mut errors: Vec<CmdError> = vec![];
    for t in &targets {
        let kind = t.kind();
        let ns_for_named = q.namespace.clone().unwrap_or_else(|| ctx.config.namespace());
        let objects = match t {
            Target::All(k) => match &q.selector_error {
                Some(why) => Err(selector_list_error(*k, args, why)),
                None => api.list(*k, q.namespace.as_deref(), &q.labels, &q.fields).map(|l| l.items).map_err(CmdError::Api),
            },
            Target::Named(k, name) => api.get(*k, &ns_for_named, name).map(|o| vec![o]).map_err(CmdError::Api),
        };
        match objects {
            Ok(objs) => match groups.last_mut() {
                // Several names of one type share a table.
                Some(g) if g.kind == kind && matches!(t, Target::Named(..)) => g.objects.extend(objs),
                _ => groups.push(Group { kind, objects: objs }),
            },
            Err(e) => errors.push(e),
        }
    }
    let watching = args.flag("watch") || args.flag("watch-only");
    match &format {
        Format::Table { wide } => {
            let distinct_kinds = {
                let mut ks: Vec<Kind> = groups.iter().map(|g| g.kind).collect();
                ks.dedup();
                ks.len()
            };
            let with_kind = (targets.len() >= 2 && distinct_kinds >= 2) || args.flag("show-kind");
            let deco = Decorations::from_args(args, q.namespace.is_none());
            let mut tw = TabWriter::default();
            let mut printed_any = false;
            let mut separator_armed = false;
            for g in &groups {
                if g.objects.is_empty() || args.flag("watch-only") {
                    if printed_any && !args.flag("no-headers") {
                        separator_armed = true;
                    }
                    continue;
                }
                tw.reset_widths();
                deco.write(&mut tw, g.kind, &g.objects, api.now(), *wide, with_kind, !args.flag("no-headers"), None);
                if printed_any && !args.flag("no-headers") || separator_armed {
                    out.out("\n");
                    separator_armed = false;
                }
                tw.flush_into(&mut out.stdout);
                printed_any = true;
            }
            if !printed_any && errors.is_empty() && !watching && !args.flag("ignore-not-found") {
                let all_namespaced = groups.iter().all(|g| g.kind.info().namespaced) && !groups.is_empty();
                match (&q.namespace, all_namespaced) {
                    (Some(ns), true) => out.errln(&format!("No resources found in {ns} namespace.")),
                    _ => out.errln("No resources found"),
                }
            }
        }
        Format::Name => {
            for g in &groups {
                for o in &g.objects {
                    out.outln(&crate::object_ref(g.kind, o.name()));
                }
            }
        }
        Format::CustomColumns(columns) => {
            let mut tw = TabWriter::default();
            let objects: Vec<&Arc<Object>> = groups.iter().flat_map(|g| g.objects.iter()).collect();
            if !objects.is_empty() && !args.flag("no-headers") {
                tw.write_cells(columns.iter().map(|(h, _)| h.clone()).collect());
            }
            for o in objects {
                tw.write_cells(custom_columns_row(columns, &object_value(o)));
            }
            tw.flush_into(&mut out.stdout);
        }
        Format::Yaml | Format::Json | Format::JsonPath(_) => {
            let objects: Vec<&Arc<Object>> = groups.iter().flat_map(|g| g.objects.iter()).collect();
            if !(errors.is_empty() && objects.is_empty() && single_named) && !(single_named && !errors.is_empty()) {
                let v = if single_named && objects.len() == 1 {
                    object_value(objects[0])
                } else {
                    list_value(objects.iter().map(|o| object_value(o)).collect())
                };
                match &format {
                    Format::Yaml => out.out(&yaml::to_yaml(&v)),
                    Format::Json => out.outln(&yaml::to_json_pretty(&v)),
                    Format::JsonPath(p) => out.out(&crate::jsonpath::evaluate(p, &v).map_err(CmdError::msg)?),
                    _ => {}
                }
            }
        }
    }
    let had_errors = !errors.is_empty();
    if had_errors {
        let ignore = args.flag("ignore-not-found");
        let errors: Vec<CmdError> = errors.into_iter().filter(|e| !(ignore && matches!(e, CmdError::Api(a) if a.code == 404))).collect();
        if !errors.is_empty() {
            out.fail(&CmdError::Many(errors));
        }
    }
    if watching && !had_errors {
        let kind = targets.first().map(Target::kind).unwrap_or(Kind::Pod);
        let name = match targets.first() {
            Some(Target::Named(_, n)) => Some(n.clone()),
            _ => None,
        };
        let mut stream = WatchStream {
            kind,
            name,
            namespace: q.namespace.clone(),
            labels: q.labels.clone(),
            fields: q.fields.clone(),
            since: ctx.world.api().store().revision(),
            format,
            deco: Decorations::from_args(args, q.namespace.is_none()),
            tw: TabWriter::default(),
            printed_header: out.stdout.contains('\n') && !args.flag("watch-only"),
            output_events: args.flag("output-watch-events"),
        };
        // The initial table's widths are remembered by the watch's tabwriter.
        if stream.printed_header {
            let g = groups.first();
            if let Some(g) = g {
                let wide = matches!(stream.format, Format::Table { wide: true });
                stream.deco.write(&mut stream.tw, g.kind, &g.objects, ctx.world.api().now(), wide, false, true, None);
                stream.tw.flush_into(&mut String::new());
            }
        }
        return Ok(Some(stream));
    }
    Ok(None)
}

/// Client-side table decorations: NAMESPACE, kind prefix, -L, LABELS.
#[derive(Clone, Debug)]
pub struct Decorations {
    all_namespaces: bool,
    label_columns: Vec<String>,
    show_labels: bool,
}

impl Decorations {
    fn from_args(args: &Args, all_namespaces: bool) -> Decorations {
        Decorations { all_namespaces, label_columns: args.list("label-columns"), show_labels: args.flag("show-labels") }
    }

    /// Writes the header (when asked) and rows of the server's table of
    /// `objects` (printers::print_table) into `tw`. Each row's cells are
    /// built, written and dropped before the next row's, so a 10,000-row
    /// table is never held in memory twice. `event` is the EVENT column of
    /// `--output-watch-events` (the header's cell reads `EVENT`).
    #[allow(clippy::too_many_arguments)]
    fn write(
        &self,
        tw: &mut TabWriter,
        kind: Kind,
        objects: &[Arc<Object>],
        now: apimachinery::Timestamp,
        wide: bool,
        with_kind: bool,
        header: bool,
        event: Option<&str>,
    ) {
        let columns = printers::columns(kind);
        let with_ns = self.all_namespaces && kind.info().namespaced;
        let visible: Vec<usize> = columns.iter().enumerate().filter(|(_, c)| wide || c.priority == 0).map(|(i, _)| i).collect();
        if header && !objects.is_empty() {
            if event.is_some() {
                tw.push_cell("EVENT");
            }
            if with_ns {
                tw.push_cell("NAMESPACE");
            }
            for &i in &visible {
                tw.push_cell(&columns[i].name.to_uppercase());
            }
            for l in &self.label_columns {
                tw.push_cell(&l.rsplit('/').next().unwrap_or(l).to_uppercase());
            }
            if self.show_labels {
                tw.push_cell("LABELS");
            }
            tw.end_line();
        }
        let name_col = columns.iter().position(|c| c.format == "name" && c.type_ == "string");
        for object in objects {
            debug_assert_eq!(object.kind(), kind, "every object of a table is of its kind");
            let cells = printers::cells(object, now);
            if let Some(ev) = event {
                tw.push_cell(ev);
            }
            if with_ns {
                tw.push_cell(object.namespace());
            }
            for &i in &visible {
                match cells.get(i) {
                    Some(Cell::Str(s)) if !(with_kind && Some(i) == name_col) => push_sanitized(tw, s),
                    Some(Cell::Int(n)) if !(with_kind && Some(i) == name_col) => tw.push_cell_with(|b| {
                        let _ = write!(b, "{n}");
                    }),
                    cell => {
                        let text = cell.map(Cell::text).unwrap_or_default();
                        let text = if with_kind && Some(i) == name_col { crate::object_ref(kind, &text) } else { text };
                        push_sanitized(tw, &text);
                    }
                }
            }
            if !self.label_columns.is_empty() || self.show_labels {
                let labels = meta::labels(object.meta());
                for l in &self.label_columns {
                    tw.push_cell(labels.get(l).map_or("", String::as_str));
                }
                if self.show_labels {
                    tw.push_cell(&format_labels(labels));
                }
            }
            tw.end_line();
        }
    }
}

/// labels.FormatLabels: `k=v,k2=v2` sorted, or `<none>`.
pub fn format_labels(labels: &std::collections::BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return "<none>".into();
    }
    labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
}

/// Writes a cell as the table printer does: cut at its first line break,
/// ESC escaped (most cells have neither and are copied as they are).
fn push_sanitized(tw: &mut TabWriter, s: &str) {
    if s.bytes().any(|b| matches!(b, b'\n' | b'\r' | b'\x0c' | b'\x1b')) {
        tw.push_cell(&sanitize(s.to_string()));
    } else {
        tw.push_cell(s);
    }
}

/// The table printer cuts a cell at its first line break and escapes ESC.
fn sanitize(s: String) -> String {
    let cut = s.find(['\n', '\r', '\x0c']);
    let mut t = match cut {
        Some(i) => format!("{}...", &s[..i]),
        None => s,
    };
    if t.contains('\x1b') {
        t = t.replace('\x1b', "^[");
    }
    t
}

/// A `kubectl get -w` in progress.
pub struct WatchStream {
    kind: Kind,
    name: Option<String>,
    namespace: Option<String>,
    labels: Selector,
    fields: Vec<FieldRequirement>,
    since: u64,
    format: Format,
    deco: Decorations,
    tw: TabWriter,
    printed_header: bool,
    output_events: bool,
}

/// `get -w` runs until interrupted; the shell decides when a script's
/// watch has gone quiet.
impl crate::Waiting for WatchStream {
    fn poll(&mut self, world: &world::World, out: &mut Output) -> bool {
        let (text, _) = self.pump(world);
        out.stdout.push_str(&text);
        false
    }
    fn deadline(&self) -> Option<apimachinery::Timestamp> {
        None
    }
    fn until_interrupted(&self) -> bool {
        true
    }
}

impl WatchStream {
    /// Prints what happened since the last call. Returns the new text and
    /// whether any event matched.
    pub fn pump(&mut self, world: &world::World) -> (String, bool) {
        let api = world.api();
        let mut fields = self.fields.clone();
        if let Some(n) = &self.name {
            fields.push(FieldRequirement { field: "metadata.name".into(), equals: true, value: n.clone() });
        }
        let events = match api.watch_events(self.kind, self.namespace.as_deref(), &self.labels, &fields, self.since) {
            Ok(e) => e,
            Err(e) => return (crate::errors::CmdError::Api(e).render(), false),
        };
        self.since = api.store().revision();
        let mut text = String::new();
        let any = !events.is_empty();
        for (t, obj) in events {
            match &self.format {
                Format::Table { wide } => {
                    let ev = self.output_events.then(|| format!("{:<8}", t.as_str()));
                    self.deco.write(&mut self.tw, self.kind, std::slice::from_ref(&obj), api.now(), *wide, false, !self.printed_header, ev.as_deref());
                    self.printed_header = true;
                    self.tw.flush_into(&mut text);
                }
                Format::Name => text.push_str(&format!("{}\n", crate::object_ref(self.kind, obj.name()))),
                Format::Yaml => {
                    if self.printed_header {
                        text.push_str("---\n");
                    }
                    self.printed_header = true;
                    text.push_str(&yaml::to_yaml(&object_value(&obj)));
                }
                Format::Json => {
                    text.push_str(&yaml::to_json_pretty(&object_value(&obj)));
                    text.push('\n');
                }
                Format::JsonPath(p) => {
                    if let Ok(s) = crate::jsonpath::evaluate(p, &object_value(&obj)) {
                        text.push_str(&s);
                    }
                }
                Format::CustomColumns(columns) => {
                    if !self.printed_header {
                        self.tw.write_cells(columns.iter().map(|(h, _)| h.clone()).collect());
                        self.printed_header = true;
                    }
                    self.tw.write_cells(custom_columns_row(columns, &object_value(&obj)));
                    self.tw.flush_into(&mut text);
                }
            }
            let _ = EventType::Added;
        }
        (text, any)
    }
}

#[cfg(test)]
mod tests;
