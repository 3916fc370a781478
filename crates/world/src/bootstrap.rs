//! What `kubeadm init` / `minikube start` leave in a new cluster: the
//! system namespaces, the `kubernetes` and `kube-dns` Services, CoreDNS,
//! kube-proxy, the CNI, service accounts, and the control plane's static
//! pod manifests (run by the control-plane kubelet as mirror pods).

use crate::profiles::{Cni, Profile};
use apimachinery::k8s_openapi::api::core::v1::Pod;
use apimachinery::{KUBERNETES_VERSION, Kind, Object};
use serde_json::{Value, json};

pub const ETCD_IMAGE: &str = "registry.k8s.io/etcd:3.7.0-0";
pub const COREDNS_IMAGE: &str = "registry.k8s.io/coredns/coredns:v1.14.6";
pub const CALICO_VERSION: &str = "v3.32.2";

fn obj(kind: Kind, v: Value) -> Object {
    Object::from_value(kind, v).unwrap_or_else(|e| panic!("bootstrap object of kind {kind:?} is malformed: {e}"))
}

/// The system namespaces kube-apiserver creates itself.
pub fn namespaces() -> Vec<Object> {
    ["default", "kube-node-lease", "kube-public", "kube-system"]
        .iter()
        .map(|n| obj(Kind::Namespace, json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}})))
        .collect()
}

/// Objects created once the API server is up, in the order kubeadm applies them.
pub fn addons(profile: &Profile) -> Vec<Object> {
    let mut out = vec![];
    // The apiserver's own Service (bootstrap controller).
    out.push(obj(Kind::Service, json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"clusterIP": "10.96.0.1", "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}], "sessionAffinity": "None", "type": "ClusterIP"}
    })));
    for sa in ["coredns", "kube-proxy"] {
        out.push(service_account("kube-system", sa));
    }
    if profile.cni == Cni::Calico {
        for sa in ["calico-node", "calico-kube-controllers", "calico-cni-plugin"] {
            out.push(service_account("kube-system", sa));
        }
    }
    out.push(obj(Kind::Service, json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kube-dns", "namespace": "kube-system",
            "labels": {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"},
            "annotations": {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"}},
        "spec": {"clusterIP": "10.96.0.10", "selector": {"k8s-app": "kube-dns"}, "type": "ClusterIP",
            "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53}, {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53}, {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}]}
    })));
    out.push(obj(Kind::Deployment, json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "coredns", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}},
        "spec": {
            "replicas": profile.coredns_replicas,
            "selector": {"matchLabels": {"k8s-app": "kube-dns"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
            "template": {
                "metadata": {"labels": {"k8s-app": "kube-dns"}},
                "spec": {
                    "priorityClassName": "system-cluster-critical",
                    "serviceAccountName": "coredns",
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}, {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}],
                    "dnsPolicy": "Default",
                    "containers": [{
                        "name": "coredns", "image": COREDNS_IMAGE, "imagePullPolicy": "IfNotPresent",
                        "args": ["-conf", "/etc/coredns/Corefile"],
                        "resources": {"limits": {"memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}},
                        "ports": [{"containerPort": 53, "name": "dns", "protocol": "UDP"}, {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"}, {"containerPort": 9153, "name": "metrics", "protocol": "TCP"}],
                        "livenessProbe": {"httpGet": {"path": "/health", "port": 8080, "scheme": "HTTP"}, "initialDelaySeconds": 60, "timeoutSeconds": 5, "successThreshold": 1, "failureThreshold": 5},
                        "readinessProbe": {"httpGet": {"path": "/ready", "port": 8181, "scheme": "HTTP"}}
                    }]
                }
            }
        }
    })));
    out.push(daemon_set(
        "kube-proxy",
        json!({"k8s-app": "kube-proxy"}),
        json!({
            "priorityClassName": "system-node-critical",
            "serviceAccountName": "kube-proxy",
            "hostNetwork": true,
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "tolerations": [{"operator": "Exists"}],
            "containers": [{"name": "kube-proxy", "image": format!("registry.k8s.io/kube-proxy:{KUBERNETES_VERSION}"), "imagePullPolicy": "IfNotPresent",
                "command": ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"],
                "securityContext": {"privileged": true}}]
        }),
    ));
    if profile.cni == Cni::Calico {
        out.push(daemon_set(
            "calico-node",
            json!({"k8s-app": "calico-node"}),
            json!({
                "priorityClassName": "system-node-critical",
                "serviceAccountName": "calico-node",
                "hostNetwork": true,
                "nodeSelector": {"kubernetes.io/os": "linux"},
                "tolerations": [{"effect": "NoSchedule", "operator": "Exists"}, {"key": "CriticalAddonsOnly", "operator": "Exists"}, {"effect": "NoExecute", "operator": "Exists"}],
                "terminationGracePeriodSeconds": 0,
                "initContainers": [
                    {"name": "upgrade-ipam", "image": format!("quay.io/calico/cni:{CALICO_VERSION}"), "imagePullPolicy": "IfNotPresent", "command": ["/opt/cni/bin/calico-ipam", "-upgrade"]},
                    {"name": "install-cni", "image": format!("quay.io/calico/cni:{CALICO_VERSION}"), "imagePullPolicy": "IfNotPresent", "command": ["/opt/cni/bin/install"]},
                    {"name": "mount-bpffs", "image": format!("quay.io/calico/node:{CALICO_VERSION}"), "imagePullPolicy": "IfNotPresent", "command": ["calico-node", "-init", "-best-effort"]}
                ],
                "containers": [{"name": "calico-node", "image": format!("quay.io/calico/node:{CALICO_VERSION}"), "imagePullPolicy": "IfNotPresent",
                    "resources": {"requests": {"cpu": "250m"}}}]
            }),
        ));
        out.push(obj(Kind::Deployment, json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "calico-kube-controllers", "namespace": "kube-system", "labels": {"k8s-app": "calico-kube-controllers"}},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"k8s-app": "calico-kube-controllers"}},
                "strategy": {"type": "Recreate"},
                "template": {
                    "metadata": {"labels": {"k8s-app": "calico-kube-controllers"}, "name": "calico-kube-controllers", "namespace": "kube-system"},
                    "spec": {
                        "priorityClassName": "system-cluster-critical",
                        "serviceAccountName": "calico-kube-controllers",
                        "nodeSelector": {"kubernetes.io/os": "linux"},
                        "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}, {"key": "node-role.kubernetes.io/master", "effect": "NoSchedule"}, {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}],
                        "containers": [{"name": "calico-kube-controllers", "image": format!("quay.io/calico/kube-controllers:{CALICO_VERSION}"), "imagePullPolicy": "IfNotPresent"}]
                    }
                }
            }
        })));
    }
    out
}

fn service_account(ns: &str, name: &str) -> Object {
    obj(Kind::ServiceAccount, json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": ns}}))
}

fn daemon_set(name: &str, labels: Value, pod_spec: Value) -> Object {
    obj(Kind::DaemonSet, json!({
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": name, "namespace": "kube-system", "labels": labels},
        "spec": {"selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": pod_spec}}
    }))
}

/// The control plane's static pod manifests (/etc/kubernetes/manifests).
pub fn static_pods(profile: &Profile) -> Vec<Pod> {
    let ip = profile.control_plane().ip.clone();
    let port = if profile.name == "minikube" { 8443 } else { 6443 };
    let manifest = |name: &str, image: String, cpu: &str, command: Vec<String>, extra_annotations: Value| -> Pod {
        let mut annotations = json!({});
        if let (Value::Object(a), Value::Object(b)) = (&mut annotations, extra_annotations) {
            a.extend(b);
        }
        let v = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "kube-system", "labels": {"component": name, "tier": "control-plane"}, "annotations": annotations},
            "spec": {
                "hostNetwork": true,
                "priorityClassName": "system-node-critical",
                "priority": 2000001000,
                "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
                "containers": [{"name": name, "image": image, "imagePullPolicy": "IfNotPresent", "command": command,
                    "resources": {"requests": {"cpu": cpu}}}]
            }
        });
        match obj(Kind::Pod, v) {
            Object::Pod(p) => p,
            _ => unreachable!("decoded as a Pod"),
        }
    };
    vec![
        manifest(
            "etcd",
            ETCD_IMAGE.to_string(),
            "100m",
            vec!["etcd".into(), format!("--advertise-client-urls=https://{ip}:2379"), "--data-dir=/var/lib/etcd".into()],
            json!({"kubeadm.kubernetes.io/etcd.advertise-client-urls": format!("https://{ip}:2379")}),
        ),
        manifest(
            "kube-apiserver",
            format!("registry.k8s.io/kube-apiserver:{KUBERNETES_VERSION}"),
            "250m",
            vec!["kube-apiserver".into(), format!("--advertise-address={ip}"), "--service-cluster-ip-range=10.96.0.0/12".into()],
            json!({"kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": format!("{ip}:{port}")}),
        ),
        manifest(
            "kube-controller-manager",
            format!("registry.k8s.io/kube-controller-manager:{KUBERNETES_VERSION}"),
            "200m",
            vec!["kube-controller-manager".into(), "--leader-elect=true".into()],
            json!({}),
        ),
        manifest(
            "kube-scheduler",
            format!("registry.k8s.io/kube-scheduler:{KUBERNETES_VERSION}"),
            "100m",
            vec!["kube-scheduler".into(), "--leader-elect=true".into()],
            json!({}),
        ),
    ]
}
