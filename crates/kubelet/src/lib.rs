//! The simulated kubelet and container runtime of one node (stub: to be filled in).

use apimachinery::Timestamp;
use apimachinery::k8s_openapi::api::core::v1::{Pod, Taint};
use apiserver::ApiServer;
use client::Component;
use std::collections::BTreeMap;
use store::WatchEvent;

/// What a node is: the machine, its OS, and how kubeadm/minikube set it up.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    pub name: String,
    pub internal_ip: String,
    /// Labels beyond the kubelet's own (`kubernetes.io/hostname`, arch, os).
    pub labels: BTreeMap<String, String>,
    pub taints: Vec<Taint>,
    /// e.g. "2", "4"
    pub cpu: String,
    /// e.g. "4005356Ki"
    pub memory: String,
    pub ephemeral_storage: String,
    pub pods: String,
    pub os_image: String,
    pub kernel_version: String,
    pub container_runtime_version: String,
    pub architecture: String,
    /// e.g. "172.16.1.0/24"; pod IPs of this node come from it.
    pub pod_cidr: String,
    /// Static pod manifests (/etc/kubernetes/manifests): run by this kubelet,
    /// mirrored into the API as `<name>-<node>`.
    pub static_pods: Vec<Pod>,
}

pub struct Kubelet {
    pub config: NodeConfig,
}

impl Kubelet {
    pub fn new(config: NodeConfig, _seed: u64) -> Kubelet {
        Kubelet { config }
    }
}

impl Component for Kubelet {
    fn name(&self) -> String {
        format!("kubelet/{}", self.config.name)
    }
    fn observe(&mut self, _event: &WatchEvent) {}
    fn run(&mut self, _api: &mut ApiServer) -> bool {
        false
    }
    fn next_wake(&self) -> Option<Timestamp> {
        None
    }
}
