//! Cluster profiles: the machines of the course's labs.
//!
//! * `kubeadm` (default): the course's Vagrant lab — control plane `m-k8s`
//!   (192.168.1.10) and workers `w1-k8s`..`w3-k8s` (192.168.1.101-103),
//!   kubeadm with Calico (pod network 172.16.0.0/16).
//! * `minikube`: one node `minikube` (docker driver, 192.168.49.2).
//! * `docker-desktop`: one node `docker-desktop` (192.168.65.3).

use controllers::loadbalancer::LoadBalancerProvider;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub struct NodeSpec {
    pub name: String,
    pub ip: String,
    pub control_plane: bool,
    pub cpu: String,
    pub memory: String,
    /// The node's pod address block (Calico IPAM block or podCIDR).
    pub pod_cidr: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cni {
    Calico,
    /// minikube / docker-desktop: no CNI pods of their own.
    Builtin,
}

#[derive(Clone, Debug)]
pub struct Profile {
    pub name: &'static str,
    pub nodes: Vec<NodeSpec>,
    pub os_image: &'static str,
    pub kernel_version: &'static str,
    pub container_runtime_version: &'static str,
    pub cni: Cni,
    pub coredns_replicas: i32,
    /// Control-plane nodes carry the NoSchedule taint (kubeadm); single-node
    /// clusters remove it.
    pub taint_control_plane: bool,
    /// kubeconfig names: cluster, user, context.
    pub cluster_name: &'static str,
    pub user_name: &'static str,
    pub context_name: &'static str,
    /// Who gives LoadBalancer Services an address (controllers::loadbalancer).
    pub load_balancer: controllers::loadbalancer::LoadBalancerProvider,
}

impl Profile {
    pub fn names() -> &'static [&'static str] {
        &["kubeadm", "minikube", "docker-desktop"]
    }

    pub fn by_name(name: &str) -> Option<Profile> {
        match name {
            "kubeadm" => Some(Profile::kubeadm(3)),
            "minikube" => Some(Profile::minikube()),
            "docker-desktop" => Some(Profile::docker_desktop()),
            // `kubeadm-N`: the lab with N workers (1..=99), for bigger demos.
            other => match other.strip_prefix("kubeadm-").and_then(|n| n.parse::<usize>().ok()) {
                Some(n) if (1..=99).contains(&n) && other == format!("kubeadm-{n}") => Some(Profile::kubeadm(n)),
                _ => None,
            },
        }
    }

    /// The course's lab, with `workers` workers (3 in the course; the
    /// benchmarks use 99 for a 100-node cluster).
    pub fn kubeadm(workers: usize) -> Profile {
        // Calico hands each node a /26 block of 172.16.0.0/16; these are the
        // blocks a freshly built lab typically shows.
        const BLOCKS: [&str; 4] = ["172.16.171.64/26", "172.16.221.128/26", "172.16.103.128/26", "172.16.132.0/26"];
        let mut nodes = vec![node("m-k8s", "192.168.1.10", true, "2", "3030888Ki", BLOCKS[0])];
        for i in 1..=workers {
            // Workers beyond the course's three (benchmarks) continue the pattern.
            let ip = if i <= 3 { format!("192.168.1.{}", 100 + i) } else { format!("192.168.{}.{}", 2 + i / 250, i % 250 + 1) };
            let pod_cidr = if i < BLOCKS.len() { BLOCKS[i].to_string() } else { format!("172.{}.{}.0/24", 17 + i / 256, i % 256) };
            nodes.push(node(&format!("w{i}-k8s"), &ip, false, "2", "2520208Ki", &pod_cidr));
        }
        Profile {
            name: "kubeadm",
            nodes,
            os_image: "Ubuntu 24.04.3 LTS",
            kernel_version: "6.8.0-87-generic",
            container_runtime_version: "containerd://2.1.4",
            cni: Cni::Calico,
            coredns_replicas: 2,
            taint_control_plane: true,
            cluster_name: "kubernetes",
            user_name: "kubernetes-admin",
            context_name: "kubernetes-admin@kubernetes",
            load_balancer: LoadBalancerProvider::MetalLb,
        }
    }

    pub fn minikube() -> Profile {
        Profile {
            name: "minikube",
            nodes: vec![node("minikube", "192.168.49.2", true, "2", "3912040Ki", "10.244.0.0/24")],
            os_image: "Debian GNU/Linux 12 (bookworm)",
            kernel_version: "6.8.0-87-generic",
            container_runtime_version: "docker://28.4.0",
            cni: Cni::Builtin,
            coredns_replicas: 1,
            taint_control_plane: false,
            cluster_name: "minikube",
            user_name: "minikube",
            context_name: "minikube",
            load_balancer: LoadBalancerProvider::MetalLb,
        }
    }

    pub fn docker_desktop() -> Profile {
        Profile {
            name: "docker-desktop",
            nodes: vec![node("docker-desktop", "192.168.65.3", true, "4", "8024112Ki", "10.1.0.0/24")],
            os_image: "Docker Desktop",
            kernel_version: "6.10.14-linuxkit",
            container_runtime_version: "docker://28.4.0",
            cni: Cni::Builtin,
            coredns_replicas: 2,
            taint_control_plane: false,
            cluster_name: "docker-desktop",
            user_name: "docker-desktop",
            context_name: "docker-desktop",
            load_balancer: LoadBalancerProvider::DockerDesktop,
        }
    }

    pub fn control_plane(&self) -> &NodeSpec {
        self.nodes.iter().find(|n| n.control_plane).expect("every profile has a control-plane node")
    }

    /// `https://192.168.1.10:6443` (minikube: 8443).
    pub fn server_url(&self) -> String {
        let port = if self.name == "minikube" { 8443 } else { 6443 };
        let host = if self.name == "docker-desktop" { "127.0.0.1".to_string() } else { self.control_plane().ip.clone() };
        format!("https://{host}:{port}")
    }

    pub fn node_labels(&self, node: &NodeSpec) -> BTreeMap<String, String> {
        let mut labels = BTreeMap::new();
        if node.control_plane {
            labels.insert("node-role.kubernetes.io/control-plane".into(), String::new());
            labels.insert("node.kubernetes.io/exclude-from-external-load-balancers".into(), String::new());
        }
        if self.name == "minikube" {
            labels.insert("minikube.k8s.io/name".into(), "minikube".into());
            labels.insert("minikube.k8s.io/primary".into(), "true".into());
        }
        labels
    }
}

fn node(name: &str, ip: &str, control_plane: bool, cpu: &str, memory: &str, pod_cidr: &str) -> NodeSpec {
    NodeSpec { name: name.into(), ip: ip.into(), control_plane, cpu: cpu.into(), memory: memory.into(), pod_cidr: pod_cidr.into() }
}
