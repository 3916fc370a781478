//! The cluster diagram: control plane, nodes with their pods coloured by
//! status, Services with their endpoints, and the path each write takes.
//! Drawn in SVG from the playground's view model; every moving dot is one
//! change in the store (see `playground::view::pulses_since`).

use crate::i18n::{Lang, T, t};
use playground::view::{Actor, ClusterView, PodView, Pulse};
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::prelude::*;

/// An object the user can click for its details.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectRef {
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
}

#[derive(Properties, PartialEq)]
pub struct DiagramProps {
    pub view: Rc<ClusterView>,
    /// Recent pulses with the real time (ms) they started.
    pub pulses: Rc<Vec<(f64, u64, Pulse)>>,
    pub selected: Option<ObjectRef>,
    pub lang: Lang,
    pub on_select: Callback<ObjectRef>,
}

const WIDTH: f64 = 820.0;
const ACTOR_Y: f64 = 40.0;
const NODES_Y: f64 = 120.0;
/// Pods drawn with their names up to this many per node; beyond, as dots.
const NAMED_PODS: usize = 16;

struct Layout {
    node_x: Vec<f64>,
    node_w: f64,
}

fn layout(view: &ClusterView) -> Layout {
    let n = view.nodes.len().max(1) as f64;
    let gap = 12.0;
    let node_w = ((WIDTH - gap) / n - gap).max(60.0);
    Layout { node_x: (0..view.nodes.len()).map(|i| gap + i as f64 * (node_w + gap)).collect(), node_w }
}

/// Where pods and Service rows are drawn, for request paths and the
/// Service → endpoint lines: `namespace/name` → the left middle of its box.
#[derive(Default)]
struct Places {
    pods: BTreeMap<String, (f64, f64)>,
    services: BTreeMap<String, (f64, f64)>,
}

fn actor_point(a: &Actor, view: &ClusterView, l: &Layout, places: &Places) -> (f64, f64) {
    match a {
        Actor::Pod(key) => places.pods.get(key).copied().unwrap_or((WIDTH / 2.0, NODES_Y)),
        Actor::Service(key) => places.services.get(key).copied().unwrap_or((12.0, NODES_Y)),
        Actor::Kubectl => (75.0, ACTOR_Y),
        Actor::ApiServer => (240.0, ACTOR_Y),
        Actor::Etcd => (400.0, ACTOR_Y),
        Actor::Scheduler => (565.0, ACTOR_Y),
        Actor::ControllerManager => (730.0, ACTOR_Y),
        Actor::Kubelet(node) => match view.nodes.iter().position(|n| &n.name == node) {
            Some(i) => (l.node_x[i] + l.node_w / 2.0, NODES_Y + 12.0),
            None => (WIDTH / 2.0, NODES_Y),
        },
    }
}

/// Pod dots per row in a node box too full for names.
fn dots_per_row(node_w: f64) -> usize {
    ((node_w - 16.0) / 12.0).floor().max(1.0) as usize
}

fn node_height(pods: usize, node_w: f64) -> f64 {
    if pods <= NAMED_PODS { 40.0 + pods as f64 * 22.0 } else { 40.0 + pods.div_ceil(dots_per_row(node_w)) as f64 * 12.0 + 8.0 }
}

/// Where the `j`th of `count` pods of node `i` is drawn: its box's top-left
/// corner, and whether it is named (a bar) or a dot.
fn pod_slot(l: &Layout, i: usize, j: usize, count: usize) -> (f64, f64, bool) {
    let x = l.node_x[i] + 8.0;
    if count <= NAMED_PODS {
        (x, NODES_Y + 36.0 + j as f64 * 22.0, true)
    } else {
        let per_row = dots_per_row(l.node_w);
        (x + (j % per_row) as f64 * 12.0, NODES_Y + 36.0 + (j / per_row) as f64 * 12.0, false)
    }
}

#[function_component(Diagram)]
pub fn diagram(p: &DiagramProps) -> Html {
    let view = &p.view;
    let l = layout(view);
    let tallest = view.nodes.iter().map(|n| node_height(n.pods.len(), l.node_w)).fold(60.0, f64::max);
    let services_y = NODES_Y + tallest + 30.0;
    let dots_per_row = ((WIDTH - 24.0) / 12.0) as usize;
    let unscheduled_h = if view.unscheduled.is_empty() { 0.0 } else { 30.0 + view.unscheduled.len().div_ceil(dots_per_row) as f64 * 12.0 };
    let shown_services: Vec<_> = view.services.iter().filter(|s| s.namespace != "kube-system").collect();
    let service_y = |i: usize| services_y + 20.0 + i as f64 * 20.0 + unscheduled_h;
    let height = service_y(shown_services.len()) + 20.0;
    let is_selected = |kind: &str, ns: &str, name: &str| p.selected.as_ref().is_some_and(|s| s.kind == kind && s.namespace == ns && s.name == name);

    let mut places = Places::default();
    for (i, n) in view.nodes.iter().enumerate() {
        for (j, pod) in n.pods.iter().enumerate() {
            let (x, y, named) = pod_slot(&l, i, j, n.pods.len());
            places.pods.insert(format!("{}/{}", pod.namespace, pod.name), (x, y + if named { 9.0 } else { 5.0 }));
        }
    }
    for (i, s) in shown_services.iter().enumerate() {
        places.services.insert(format!("{}/{}", s.namespace, s.name), (8.0, service_y(i) - 4.0));
    }

    let actors = [
        (Actor::Kubectl, "kubectl"),
        (Actor::ApiServer, "kube-apiserver"),
        (Actor::Etcd, "etcd"),
        (Actor::Scheduler, "kube-scheduler"),
        (Actor::ControllerManager, "controller-manager"),
    ];
    let actor_boxes: Html = actors
        .iter()
        .map(|(a, label)| {
            let (x, y) = actor_point(a, view, &l, &places);
            let class = if *a == Actor::Kubectl { "actor user" } else { "actor" };
            html! {
                <g class={class}>
                    <rect x={(x - 70.0).to_string()} y={(y - 16.0).to_string()} width="140" height="32" rx="6" />
                    <text x={x.to_string()} y={(y + 5.0).to_string()} text-anchor="middle">{ *label }</text>
                </g>
            }
        })
        .collect();

    let pod_el = |pod: &PodView, x: f64, y: f64, w: f64, named: bool| -> Html {
        let r = ObjectRef { kind: "pod", namespace: pod.namespace.clone(), name: pod.name.clone() };
        let onclick = {
            let cb = p.on_select.clone();
            let r = r.clone();
            Callback::from(move |_: MouseEvent| cb.emit(r.clone()))
        };
        let mut class = format!("pod {}", pod.class.css());
        if pod.system {
            class.push_str(" system");
        }
        if is_selected("pod", &pod.namespace, &pod.name) {
            class.push_str(" selected");
        }
        let tip = format!("{}/{}  {}  {}  {}", pod.namespace, pod.name, pod.ready, pod.status, pod.ip);
        if named {
            let label: String = if pod.name.chars().count() > 26 { pod.name.chars().take(25).chain(['…']).collect() } else { pod.name.clone() };
            html! {
                <g class={class} {onclick} data-pod={pod.name.clone()} data-status={pod.status.clone()}>
                    <title>{ tip }</title>
                    <rect x={x.to_string()} y={y.to_string()} width={w.to_string()} height="18" rx="4" />
                    <text x={(x + 6.0).to_string()} y={(y + 13.0).to_string()}>{ label }</text>
                </g>
            }
        } else {
            html! {
                <g class={class} {onclick} data-pod={pod.name.clone()} data-status={pod.status.clone()}>
                    <title>{ tip }</title>
                    <rect x={x.to_string()} y={y.to_string()} width="10" height="10" rx="2" />
                </g>
            }
        }
    };

    let nodes: Html = view
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let x = l.node_x[i];
            let h = node_height(n.pods.len(), l.node_w);
            let r = ObjectRef { kind: "node", namespace: String::new(), name: n.name.clone() };
            let onclick = {
                let cb = p.on_select.clone();
                Callback::from(move |_: MouseEvent| cb.emit(r.clone()))
            };
            let mut class = String::from("node");
            if !n.ready {
                class.push_str(" notready");
            }
            if n.status.contains("SchedulingDisabled") {
                class.push_str(" cordoned");
            }
            if is_selected("node", "", &n.name) {
                class.push_str(" selected");
            }
            let pods: Html = n
                .pods
                .iter()
                .enumerate()
                .map(|(j, pod)| {
                    let (px, py, named) = pod_slot(&l, i, j, n.pods.len());
                    pod_el(pod, px, py, if named { l.node_w - 16.0 } else { 10.0 }, named)
                })
                .collect();
            html! {
                <g data-node={n.name.clone()}>
                    <g class={class} {onclick}>
                        <title>{ format!("{}  {}  {}", n.name, n.status, n.internal_ip) }</title>
                        <rect x={x.to_string()} y={NODES_Y.to_string()} width={l.node_w.to_string()} height={h.to_string()} rx="8" />
                        <text class="node-name" x={(x + 8.0).to_string()} y={(NODES_Y + 18.0).to_string()}>{ n.name.clone() }</text>
                        <text class="node-status" x={(x + l.node_w - 8.0).to_string()} y={(NODES_Y + 18.0).to_string()} text-anchor="end">{ n.status.clone() }</text>
                    </g>
                    { pods }
                </g>
            }
        })
        .collect();

    let unscheduled: Html = if view.unscheduled.is_empty() {
        html! {}
    } else {
        let y = services_y - 6.0;
        let items: Html = view
            .unscheduled
            .iter()
            .enumerate()
            .map(|(j, pod)| pod_el(pod, 12.0 + (j % dots_per_row) as f64 * 12.0, y + 8.0 + (j / dots_per_row) as f64 * 12.0, 10.0, false))
            .collect();
        html! {
            <g class="unscheduled">
                <text class="section" x="12" y={y.to_string()}>{ format!("{} ({})", t(p.lang, T::Unscheduled), view.unscheduled.len()) }</text>
                { items }
            </g>
        }
    };

    // Each Service's endpoints: a line from its row to every pod behind it.
    let places_ref = &places;
    let links: Html = shown_services
        .iter()
        .flat_map(|s| {
            let key = format!("{}/{}", s.namespace, s.name);
            let from = places_ref.services.get(&key).copied();
            let class = if is_selected("service", &s.namespace, &s.name) { "svc-link selected" } else { "svc-link" };
            s.endpoints.iter().filter_map(move |e| {
                let (x1, y1) = from?;
                let (x2, y2) = *places_ref.pods.get(e)?;
                Some(html! { <line class={class} x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} data-endpoint={e.clone()} /> })
            })
        })
        .collect();

    let services: Html = shown_services
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let y = service_y(i);
            let r = ObjectRef { kind: "service", namespace: s.namespace.clone(), name: s.name.clone() };
            let onclick = {
                let cb = p.on_select.clone();
                Callback::from(move |_: MouseEvent| cb.emit(r.clone()))
            };
            let class = if is_selected("service", &s.namespace, &s.name) { "service selected" } else { "service" };
            html! {
                <g class={class} {onclick} data-service={s.name.clone()}>
                    <text x="12" y={y.to_string()}>{ format!("svc/{}  {}  {}  {}  → {} endpoints", s.name, s.type_, s.cluster_ip, s.ports, s.endpoints.len()) }</text>
                </g>
            }
        })
        .collect();

    let pulses: Html = p
        .pulses
        .iter()
        .map(|(_, id, pulse)| {
            let (x1, y1) = actor_point(&pulse.from, view, &l, &places);
            let (x2, y2) = actor_point(&pulse.to, view, &l, &places);
            let style = format!("--dx: {}px; --dy: {}px; animation-delay: {}ms", x2 - x1, y2 - y1, pulse.hop as u32 * 600);
            html! {
                <circle key={id.to_string()} class="pulse" cx={x1.to_string()} cy={y1.to_string()} r="5" {style}>
                    <title>{ pulse.label.clone() }</title>
                </circle>
            }
        })
        .collect();

    html! {
        <svg class="diagram" viewBox={format!("0 0 {WIDTH} {height}")} preserveAspectRatio="xMidYMin meet" role="img" aria-label={t(p.lang, T::Diagram)}>
            <rect class="cp-frame" x="160" y="8" width="655" height="64" rx="10" />
            <text class="cp-label" x="170" y="86">{ t(p.lang, T::ControlPlane) }</text>
            { actor_boxes }
            { nodes }
            { unscheduled }
            { links }
            <text class="section" x="12" y={(services_y + unscheduled_h + 4.0).to_string()}>{ t(p.lang, T::Services) }</text>
            { services }
            { pulses }
        </svg>
    }
}
