//! Scenario tests: an API server, one kubelet, a tiny event loop that
//! delivers watch events and advances the clock to the kubelet's next wake.
//! Each scenario prints a timeline (events as kubectl describe shows them,
//! and pod status changes as kubectl get would) compared with a snapshot.

use super::*;
use apimachinery::k8s_openapi::api::core::v1::{Event, Namespace, ServiceAccount};
use apimachinery::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use apiserver::{ApiConfig, DeleteOptions, WriteOptions};
use expect_test::{Expect, expect};
use serde_json::json;

fn t0() -> Timestamp {
    "2026-03-01T10:00:00Z".parse().unwrap()
}

fn config(name: &str, static_pods: Vec<Pod>) -> NodeConfig {
    NodeConfig {
        name: name.into(),
        internal_ip: "192.168.56.11".into(),
        labels: BTreeMap::from([("node-role.kubernetes.io/worker".to_string(), String::new())]),
        taints: vec![],
        cpu: "2".into(),
        memory: "4005356Ki".into(),
        ephemeral_storage: "61202244Ki".into(),
        pods: "110".into(),
        os_image: "Ubuntu 24.04.3 LTS".into(),
        kernel_version: "6.8.0-79-generic".into(),
        container_runtime_version: "containerd://2.1.4".into(),
        architecture: "amd64".into(),
        pod_cidr: "10.244.1.0/24".into(),
        static_pods,
    }
}

struct Harness {
    api: ApiServer,
    kubelet: Kubelet,
    seen: u64,
    log: Vec<String>,
    /// Only pods with these names are traced.
    trace_pods: Vec<String>,
    last_pod_line: BTreeMap<String, String>,
}

fn pod_line(p: &Pod) -> String {
    let st = p.status.clone().unwrap_or_default();
    let cs = st.container_statuses.clone().unwrap_or_default();
    let ready = cs.iter().filter(|c| c.ready).count();
    let restarts: i32 = cs.iter().map(|c| c.restart_count).sum();
    let mut status = st.phase.clone().unwrap_or_default();
    let init = st.init_container_statuses.clone().unwrap_or_default();
    if let Some((i, c)) = init.iter().enumerate().find(|(_, c)| c.state.as_ref().is_none_or(|s| s.terminated.as_ref().is_none_or(|t| t.exit_code != 0))) {
        let s = c.state.clone().unwrap_or_default();
        status = match (s.waiting.and_then(|w| w.reason), s.terminated.and_then(|t| t.reason)) {
            (Some(r), _) if r != "PodInitializing" => format!("Init:{r}"),
            (_, Some(r)) => format!("Init:{r}"),
            _ => format!("Init:{i}/{}", init.len()),
        };
    } else {
        for c in &cs {
            let s = c.state.clone().unwrap_or_default();
            if let Some(r) = s.waiting.and_then(|w| w.reason) {
                status = r;
            } else if let Some(r) = s.terminated.and_then(|t| t.reason) {
                status = r;
            }
        }
    }
    if p.metadata.deletion_timestamp.is_some() {
        status = "Terminating".into();
    }
    format!("{}/{} {status} restarts={restarts} ip={}", ready, cs.len(), st.pod_ip.unwrap_or_else(|| "<none>".into()))
}

impl Harness {
    fn new(seed: u64, static_pods: Vec<Pod>) -> Harness {
        let mut api = ApiServer::new(seed, t0(), ApiConfig::default());
        for ns in ["default", "kube-system", "kube-node-lease"] {
            let o = Object::Namespace(Namespace { metadata: ObjectMeta { name: Some(ns.into()), ..Default::default() }, ..Default::default() });
            api.create(o, &WriteOptions::default()).unwrap();
        }
        let sa = Object::ServiceAccount(ServiceAccount {
            metadata: ObjectMeta { name: Some("default".into()), namespace: Some("default".into()), ..Default::default() },
            ..Default::default()
        });
        api.create(sa, &WriteOptions::default()).unwrap();
        let seen = api.store().revision();
        Harness { api, kubelet: Kubelet::new(config("w1", static_pods), seed), seen, log: vec![], trace_pods: vec![], last_pod_line: BTreeMap::new() }
    }

    fn at(&self) -> String {
        let d = self.api.now().duration_since(t0());
        format!("t+{}", apimachinery::duration::go_string(SignedDuration::from_millis(d.as_millis() as i64)))
    }

    fn deliver(&mut self) {
        let events: Vec<WatchEvent> = self.api.events_since(self.seen).unwrap().cloned().collect();
        self.seen = self.api.store().revision();
        for e in events {
            self.kubelet.observe(&e);
            match &*e.object {
                Object::Event(ev) if e.event_type != EventType::Deleted => self.trace_event(ev),
                Object::Pod(p) if self.trace_pods.contains(&e.key.name) => {
                    let line = if e.event_type == EventType::Deleted { "deleted".to_string() } else { pod_line(p) };
                    if self.last_pod_line.get(&e.key.name) != Some(&line) {
                        self.log.push(format!("{} pod/{} {line}", self.at(), e.key.name));
                        self.last_pod_line.insert(e.key.name.clone(), line);
                    }
                }
                _ => {}
            }
        }
    }

    fn trace_event(&mut self, ev: &Event) {
        let name = ev.involved_object.name.clone().unwrap_or_default();
        if ev.involved_object.kind.as_deref() == Some("Pod") && !self.trace_pods.contains(&name) {
            return;
        }
        let mut msg = ev.message.clone().unwrap_or_default();
        if let Some(fp) = &ev.involved_object.field_path {
            msg = format!("{fp}: {msg}");
        }
        let count = ev.count.unwrap_or(1);
        let times = if count > 1 { format!(" (x{count})") } else { String::new() };
        let from = ev.source.as_ref().and_then(|s| s.component.clone()).unwrap_or_default();
        self.log.push(format!("{} {} {}{times} {from} {}/{}: {msg}", self.at(), ev.type_.clone().unwrap_or_default(), ev.reason.clone().unwrap_or_default(), ev.involved_object.kind.clone().unwrap_or_default(), name));
    }

    fn settle(&mut self) {
        self.deliver();
        for _ in 0..1000 {
            let did = self.kubelet.run(&mut self.api);
            self.deliver();
            if !did {
                return;
            }
        }
        panic!("kubelet did not settle");
    }

    /// Runs the loop up to `secs` after t0.
    fn run_until(&mut self, secs: f64) {
        let until = t0() + SignedDuration::from_millis((secs * 1000.0) as i64);
        self.settle();
        for _ in 0..1_000_000 {
            match self.kubelet.next_wake() {
                Some(w) if w <= until => {
                    if w > self.api.now() {
                        self.api.set_now(w);
                    }
                    self.settle();
                }
                _ => break,
            }
        }
        if until > self.api.now() {
            self.api.set_now(until);
        }
        self.settle();
    }

    fn create_pod(&mut self, v: serde_json::Value) {
        let mut v = v;
        v["apiVersion"] = json!("v1");
        v["kind"] = json!("Pod");
        v["metadata"]["namespace"] = json!("default");
        v["spec"]["nodeName"] = json!("w1");
        let name = v["metadata"]["name"].as_str().unwrap().to_string();
        self.trace_pods.push(name);
        let o = Object::from_value(Kind::Pod, v).unwrap();
        self.api.create(o, &WriteOptions::default()).unwrap();
        self.settle();
    }

    fn delete_pod(&mut self, name: &str) {
        self.log.push(format!("{} kubectl delete pod {name}", self.at()));
        self.api.delete(Kind::Pod, "default", name, &DeleteOptions::default()).unwrap();
        self.settle();
    }

    fn pod(&self, ns: &str, name: &str) -> Option<Pod> {
        self.api.get(Kind::Pod, ns, name).ok().and_then(|o| o.as_typed::<Pod>().cloned())
    }

    fn check(&self, expect: Expect) {
        expect.assert_eq(&self.log.join("\n"));
    }
}

fn pod(name: &str, image: &str) -> serde_json::Value {
    json!({"metadata": {"name": name}, "spec": {"containers": [{"name": name, "image": image}]}})
}

#[test]
fn node_registration_events_and_status() {
    let mut h = Harness::new(1, vec![]);
    h.run_until(5.0);
    h.check(expect![[r#"
        t+0s Normal Starting kubelet Node/w1: Starting kubelet.
        t+0s Normal NodeHasSufficientMemory kubelet Node/w1: Node w1 status is now: NodeHasSufficientMemory
        t+0s Normal NodeHasNoDiskPressure kubelet Node/w1: Node w1 status is now: NodeHasNoDiskPressure
        t+0s Normal NodeHasSufficientPID kubelet Node/w1: Node w1 status is now: NodeHasSufficientPID
        t+0s Normal NodeAllocatableEnforced kubelet Node/w1: Updated Node Allocatable limit across pods
        t+1.246s Normal NodeReady kubelet Node/w1: Node w1 status is now: NodeReady"#]]);
    let node = h.api.get(Kind::Node, "", "w1").unwrap();
    let mut v = node.to_value();
    v["metadata"]["resourceVersion"] = json!("<rv>");
    expect![[r#"
        apiVersion: v1
        kind: Node
        metadata:
          annotations:
            kubeadm.alpha.kubernetes.io/cri-socket: unix:///var/run/containerd/containerd.sock
            volumes.kubernetes.io/controller-managed-attach-detach: "true"
          creationTimestamp: "2026-03-01T10:00:00Z"
          labels:
            beta.kubernetes.io/arch: amd64
            beta.kubernetes.io/os: linux
            kubernetes.io/arch: amd64
            kubernetes.io/hostname: w1
            kubernetes.io/os: linux
            node-role.kubernetes.io/worker: ""
          name: w1
          resourceVersion: <rv>
          uid: 6080500d-916a-43a8-bb24-cba634394d31
        spec:
          podCIDR: 10.244.1.0/24
          podCIDRs:
          - 10.244.1.0/24
        status:
          addresses:
          - address: 192.168.56.11
            type: InternalIP
          - address: w1
            type: Hostname
          allocatable:
            cpu: "2"
            ephemeral-storage: "56403988071"
            hugepages-1Gi: "0"
            hugepages-2Mi: "0"
            memory: 3902956Ki
            pods: "110"
          capacity:
            cpu: "2"
            ephemeral-storage: 61202244Ki
            hugepages-1Gi: "0"
            hugepages-2Mi: "0"
            memory: 4005356Ki
            pods: "110"
          conditions:
          - lastHeartbeatTime: "2026-03-01T10:00:01Z"
            lastTransitionTime: "2026-03-01T10:00:00Z"
            message: kubelet has sufficient memory available
            reason: KubeletHasSufficientMemory
            status: "False"
            type: MemoryPressure
          - lastHeartbeatTime: "2026-03-01T10:00:01Z"
            lastTransitionTime: "2026-03-01T10:00:00Z"
            message: kubelet has no disk pressure
            reason: KubeletHasNoDiskPressure
            status: "False"
            type: DiskPressure
          - lastHeartbeatTime: "2026-03-01T10:00:01Z"
            lastTransitionTime: "2026-03-01T10:00:00Z"
            message: kubelet has sufficient PID available
            reason: KubeletHasSufficientPID
            status: "False"
            type: PIDPressure
          - lastHeartbeatTime: "2026-03-01T10:00:01Z"
            lastTransitionTime: "2026-03-01T10:00:01Z"
            message: kubelet is posting ready status
            reason: KubeletReady
            status: "True"
            type: Ready
          daemonEndpoints:
            kubeletEndpoint:
              Port: 10250
          features:
            supplementalGroupsPolicy: true
          images:
          - names:
            - registry.k8s.io/pause@sha256:6a4f4734050c29ffa4b5b3a1b74c80a2dccc1d978a2641b74ea2ea1f8b2b4584
            - registry.k8s.io/pause:3.10.2
            sizeBytes: 316861
          nodeInfo:
            architecture: amd64
            bootID: b749add7-731e-4933-8740-0e3cd820fabe
            containerRuntimeVersion: containerd://2.1.4
            kernelVersion: 6.8.0-79-generic
            kubeProxyVersion: ""
            kubeletVersion: v1.37.1
            machineID: 7a04af28f7adca6a9d12ad46b26bf427
            operatingSystem: linux
            osImage: Ubuntu 24.04.3 LTS
            systemUUID: 796a287e-f0f6-465f-91d1-542955543340
          runtimeHandlers:
          - features:
              recursiveReadOnlyMounts: true
              userNamespaces: true
            name: ""
          - features:
              recursiveReadOnlyMounts: true
              userNamespaces: true
            name: runc
    "#]].assert_eq(&apimachinery::yaml::to_yaml(&v));
    let lease = h.api.get(Kind::Lease, "kube-node-lease", "w1").unwrap();
    expect![[r#"
        apiVersion: coordination.k8s.io/v1
        kind: Lease
        metadata:
          creationTimestamp: "2026-03-01T10:00:00Z"
          name: w1
          namespace: kube-node-lease
          ownerReferences:
          - apiVersion: v1
            kind: Node
            name: w1
            uid: 6080500d-916a-43a8-bb24-cba634394d31
          resourceVersion: "12"
          uid: 903e1206-ddef-465d-b281-78de501a8dc1
        spec:
          holderIdentity: w1
          leaseDurationSeconds: 40
          renewTime: "2026-03-01T10:00:00.000000Z"
    "#]].assert_eq(&apimachinery::yaml::to_yaml(&lease.to_value()));
}

#[test]
fn nginx_starts_running() {
    let mut h = Harness::new(1, vec![]);
    h.run_until(2.0);
    h.create_pod(pod("web", "nginx"));
    h.run_until(30.0);
    h.create_pod(pod("web2", "nginx:1.27-alpine"));
    h.run_until(60.0);
    h.create_pod(json!({"metadata": {"name": "web3"}, "spec": {"containers": [{"name": "web3", "image": "nginx", "imagePullPolicy": "IfNotPresent"}]}}));
    h.run_until(90.0);
    h.check(expect![[r#"
        t+0s Normal Starting kubelet Node/w1: Starting kubelet.
        t+0s Normal NodeHasSufficientMemory kubelet Node/w1: Node w1 status is now: NodeHasSufficientMemory
        t+0s Normal NodeHasNoDiskPressure kubelet Node/w1: Node w1 status is now: NodeHasNoDiskPressure
        t+0s Normal NodeHasSufficientPID kubelet Node/w1: Node w1 status is now: NodeHasSufficientPID
        t+0s Normal NodeAllocatableEnforced kubelet Node/w1: Updated Node Allocatable limit across pods
        t+1.246s Normal NodeReady kubelet Node/w1: Node w1 status is now: NodeReady
        t+2s pod/web 0/0 Pending restarts=0 ip=<none>
        t+2s pod/web 0/1 ContainerCreating restarts=0 ip=<none>
        t+2.533s Normal Pulling kubelet Pod/web: spec.containers{web}: Pulling image "nginx"
        t+6.117s Normal Pulled kubelet Pod/web: spec.containers{web}: Successfully pulled image "nginx" in 3.584s (3.584s including waiting). Image size: 72195292 bytes.
        t+6.235s Normal Created kubelet Pod/web: spec.containers{web}: Container created
        t+6.337s Normal Started kubelet Pod/web: spec.containers{web}: Container started
        t+6.337s pod/web 1/1 Running restarts=0 ip=10.244.1.2
        t+30s pod/web2 0/0 Pending restarts=0 ip=<none>
        t+30s pod/web2 0/1 ContainerCreating restarts=0 ip=<none>
        t+30.492s Normal Pulling kubelet Pod/web2: spec.containers{web2}: Pulling image "nginx:1.27-alpine"
        t+32.237s Normal Pulled kubelet Pod/web2: spec.containers{web2}: Successfully pulled image "nginx:1.27-alpine" in 1.745s (1.745s including waiting). Image size: 20436992 bytes.
        t+32.335s Normal Created kubelet Pod/web2: spec.containers{web2}: Container created
        t+32.403s Normal Started kubelet Pod/web2: spec.containers{web2}: Container started
        t+32.403s pod/web2 1/1 Running restarts=0 ip=10.244.1.3
        t+1m0s pod/web3 0/0 Pending restarts=0 ip=<none>
        t+1m0s pod/web3 0/1 ContainerCreating restarts=0 ip=<none>
        t+1m0.333s Normal Pulled kubelet Pod/web3: spec.containers{web3}: Container image "nginx" already present on machine and can be accessed by the pod
        t+1m0.402s Normal Created kubelet Pod/web3: spec.containers{web3}: Container created
        t+1m0.48s Normal Started kubelet Pod/web3: spec.containers{web3}: Container started
        t+1m0.48s pod/web3 1/1 Running restarts=0 ip=10.244.1.4"#]]);
    let p = h.pod("default", "web").unwrap();
    expect![[r#"
        conditions:
        - lastTransitionTime: "2026-03-01T10:00:06Z"
          observedGeneration: 1
          status: "True"
          type: PodReadyToStartContainers
        - lastTransitionTime: "2026-03-01T10:00:02Z"
          observedGeneration: 1
          status: "True"
          type: Initialized
        - lastTransitionTime: "2026-03-01T10:00:06Z"
          observedGeneration: 1
          status: "True"
          type: Ready
        - lastTransitionTime: "2026-03-01T10:00:06Z"
          observedGeneration: 1
          status: "True"
          type: ContainersReady
        - lastTransitionTime: "2026-03-01T10:00:02Z"
          observedGeneration: 1
          status: "True"
          type: PodScheduled
        containerStatuses:
        - containerID: containerd://837f683be8d7973fab4f82dd5eb5e2f648dc200d64023f0ed0774bfc007117e4
          image: docker.io/library/nginx:latest
          imageID: docker.io/library/nginx@sha256:681d7b9a37f2e8760c8d7c82d49a0dc4bc54a4739637d9fe2f2da1205f7027c0
          lastState: {}
          name: web
          ready: true
          restartCount: 0
          started: true
          state:
            running:
              startedAt: "2026-03-01T10:00:06Z"
          user:
            linux:
              gid: 0
              supplementalGroups:
              - 0
              uid: 0
          volumeMounts:
          - mountPath: /var/run/secrets/kubernetes.io/serviceaccount
            name: kube-api-access-d9xx9
            readOnly: true
            recursiveReadOnly: Disabled
        hostIP: 192.168.56.11
        hostIPs:
        - ip: 192.168.56.11
        observedGeneration: 1
        phase: Running
        podIP: 10.244.1.2
        podIPs:
        - ip: 10.244.1.2
        qosClass: BestEffort
        startTime: "2026-03-01T10:00:02Z"
    "#]].assert_eq(&apimachinery::yaml::to_yaml(&serde_json::to_value(p.status).unwrap()));
    expect![[r#"
        /docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration
        /docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/
        /docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh
        10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf
        10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf
        /docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh
        /docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh
        /docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh
        /docker-entrypoint.sh: Configuration complete; ready for start up
        2026/03/01 10:00:06 [notice] 1#1: using the "epoll" event method
        2026/03/01 10:00:06 [notice] 1#1: nginx/1.29.1
        2026/03/01 10:00:06 [notice] 1#1: built by gcc 14.2.0 (Debian 14.2.0-19) 
        2026/03/01 10:00:06 [notice] 1#1: OS: Linux 6.8.0-79-generic
        2026/03/01 10:00:06 [notice] 1#1: getrlimit(RLIMIT_NOFILE): 1048576:1048576
        2026/03/01 10:00:06 [notice] 1#1: start worker processes
        2026/03/01 10:00:06 [notice] 1#1: start worker process 29"#]].assert_eq(&h.kubelet.container_log("default", "web", "web").join("\n"));
    assert_eq!(h.kubelet.pod_ip("default", "web2").as_deref(), Some("10.244.1.3"));
    // The node reports the pulled images at its next status tick.
    let node = h.api.get(Kind::Node, "", "w1").unwrap();
    let images: Vec<String> = node.as_typed::<apimachinery::k8s_openapi::api::core::v1::Node>().unwrap().status.as_ref().unwrap().images.iter().flatten().map(|i| format!("{:?} {}", i.names.clone().unwrap_or_default(), i.size_bytes.unwrap_or(0))).collect();
    expect![[r#"
        ["docker.io/library/nginx@sha256:681d7b9a37f2e8760c8d7c82d49a0dc4bc54a4739637d9fe2f2da1205f7027c0", "docker.io/library/nginx:latest"] 72195292
        ["docker.io/library/nginx@sha256:527bef24ddb6ecd197d7991b62e0f7fa5450fab80b93942db77acbc6aea87568", "docker.io/library/nginx:1.27-alpine"] 20436992
        ["registry.k8s.io/pause@sha256:6a4f4734050c29ffa4b5b3a1b74c80a2dccc1d978a2641b74ea2ea1f8b2b4584", "registry.k8s.io/pause:3.10.2"] 316861"#]].assert_eq(&images.join("\n"));
}

#[test]
fn unknown_image_backs_off() {
    let mut h = Harness::new(1, vec![]);
    h.run_until(2.0);
    h.create_pod(pod("typo", "ngnix"));
    h.create_pod(pod("tag", "nginx:nonexistent-tag"));
    h.run_until(200.0);
    h.check(expect![[r#"
        t+0s Normal Starting kubelet Node/w1: Starting kubelet.
        t+0s Normal NodeHasSufficientMemory kubelet Node/w1: Node w1 status is now: NodeHasSufficientMemory
        t+0s Normal NodeHasNoDiskPressure kubelet Node/w1: Node w1 status is now: NodeHasNoDiskPressure
        t+0s Normal NodeHasSufficientPID kubelet Node/w1: Node w1 status is now: NodeHasSufficientPID
        t+0s Normal NodeAllocatableEnforced kubelet Node/w1: Updated Node Allocatable limit across pods
        t+1.246s Normal NodeReady kubelet Node/w1: Node w1 status is now: NodeReady
        t+2s pod/typo 0/0 Pending restarts=0 ip=<none>
        t+2s pod/typo 0/1 ContainerCreating restarts=0 ip=<none>
        t+2s pod/tag 0/0 Pending restarts=0 ip=<none>
        t+2s pod/tag 0/1 ContainerCreating restarts=0 ip=<none>
        t+2.497s Normal Pulling kubelet Pod/tag: spec.containers{tag}: Pulling image "nginx:nonexistent-tag"
        t+2.533s Normal Pulling kubelet Pod/typo: spec.containers{typo}: Pulling image "ngnix"
        t+3.995s Warning Failed kubelet Pod/tag: spec.containers{tag}: Failed to pull image "nginx:nonexistent-tag": failed to pull and unpack image "docker.io/library/nginx:nonexistent-tag": failed to resolve reference "docker.io/library/nginx:nonexistent-tag": docker.io/library/nginx:nonexistent-tag: not found
        t+3.995s Warning Failed kubelet Pod/tag: spec.containers{tag}: Error: ErrImagePull
        t+3.995s pod/tag 0/1 ErrImagePull restarts=0 ip=10.244.1.2
        t+4s Normal BackOff kubelet Pod/tag: spec.containers{tag}: Back-off pulling image "nginx:nonexistent-tag"
        t+4s Warning Failed kubelet Pod/tag: spec.containers{tag}: Error: ImagePullBackOff
        t+4s pod/tag 0/1 ImagePullBackOff restarts=0 ip=10.244.1.2
        t+4.762s Warning Failed kubelet Pod/typo: spec.containers{typo}: Failed to pull image "ngnix": failed to pull and unpack image "docker.io/library/ngnix:latest": failed to resolve reference "docker.io/library/ngnix:latest": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed
        t+4.762s Warning Failed kubelet Pod/typo: spec.containers{typo}: Error: ErrImagePull
        t+4.762s pod/typo 0/1 ErrImagePull restarts=0 ip=10.244.1.3
        t+5s Normal BackOff kubelet Pod/typo: spec.containers{typo}: Back-off pulling image "ngnix"
        t+5s Warning Failed kubelet Pod/typo: spec.containers{typo}: Error: ImagePullBackOff
        t+5s pod/typo 0/1 ImagePullBackOff restarts=0 ip=10.244.1.3
        t+18.095s Normal Pulling (x2) kubelet Pod/typo: spec.containers{typo}: Pulling image "ngnix"
        t+18.161s Normal Pulling (x2) kubelet Pod/tag: spec.containers{tag}: Pulling image "nginx:nonexistent-tag"
        t+19.323s Warning Failed (x2) kubelet Pod/typo: spec.containers{typo}: Failed to pull image "ngnix": failed to pull and unpack image "docker.io/library/ngnix:latest": failed to resolve reference "docker.io/library/ngnix:latest": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed
        t+19.323s Warning Failed (x2) kubelet Pod/typo: spec.containers{typo}: Error: ErrImagePull
        t+19.323s pod/typo 0/1 ErrImagePull restarts=0 ip=10.244.1.3
        t+20.711s Warning Failed (x2) kubelet Pod/tag: spec.containers{tag}: Failed to pull image "nginx:nonexistent-tag": failed to pull and unpack image "docker.io/library/nginx:nonexistent-tag": failed to resolve reference "docker.io/library/nginx:nonexistent-tag": docker.io/library/nginx:nonexistent-tag: not found
        t+20.711s Warning Failed (x2) kubelet Pod/tag: spec.containers{tag}: Error: ErrImagePull
        t+20.711s pod/tag 0/1 ErrImagePull restarts=0 ip=10.244.1.2
        t+32.102s Normal BackOff (x2) kubelet Pod/tag: spec.containers{tag}: Back-off pulling image "nginx:nonexistent-tag"
        t+32.102s Warning Failed (x2) kubelet Pod/tag: spec.containers{tag}: Error: ImagePullBackOff
        t+32.102s pod/tag 0/1 ImagePullBackOff restarts=0 ip=10.244.1.2
        t+32.2s Normal BackOff (x2) kubelet Pod/typo: spec.containers{typo}: Back-off pulling image "ngnix"
        t+32.2s Warning Failed (x2) kubelet Pod/typo: spec.containers{typo}: Error: ImagePullBackOff
        t+32.2s pod/typo 0/1 ImagePullBackOff restarts=0 ip=10.244.1.3
        t+42.353s Normal Pulling (x3) kubelet Pod/typo: spec.containers{typo}: Pulling image "ngnix"
        t+43.799s Warning Failed (x3) kubelet Pod/typo: spec.containers{typo}: Failed to pull image "ngnix": failed to pull and unpack image "docker.io/library/ngnix:latest": failed to resolve reference "docker.io/library/ngnix:latest": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed
        t+43.799s Warning Failed (x3) kubelet Pod/typo: spec.containers{typo}: Error: ErrImagePull
        t+43.799s pod/typo 0/1 ErrImagePull restarts=0 ip=10.244.1.3
        t+45.728s Normal Pulling (x3) kubelet Pod/tag: spec.containers{tag}: Pulling image "nginx:nonexistent-tag"
        t+47.177s Warning Failed (x3) kubelet Pod/tag: spec.containers{tag}: Failed to pull image "nginx:nonexistent-tag": failed to pull and unpack image "docker.io/library/nginx:nonexistent-tag": failed to resolve reference "docker.io/library/nginx:nonexistent-tag": docker.io/library/nginx:nonexistent-tag: not found
        t+47.177s Warning Failed (x3) kubelet Pod/tag: spec.containers{tag}: Error: ErrImagePull
        t+47.177s pod/tag 0/1 ErrImagePull restarts=0 ip=10.244.1.2
        t+56.31s Normal BackOff (x3) kubelet Pod/typo: spec.containers{typo}: Back-off pulling image "ngnix"
        t+56.31s Warning Failed (x3) kubelet Pod/typo: spec.containers{typo}: Error: ImagePullBackOff
        t+56.31s pod/typo 0/1 ImagePullBackOff restarts=0 ip=10.244.1.3
        t+59.982s Normal BackOff (x3) kubelet Pod/tag: spec.containers{tag}: Back-off pulling image "nginx:nonexistent-tag"
        t+59.982s Warning Failed (x3) kubelet Pod/tag: spec.containers{tag}: Error: ImagePullBackOff
        t+59.982s pod/tag 0/1 ImagePullBackOff restarts=0 ip=10.244.1.2
        t+1m7.326s Normal BackOff (x4) kubelet Pod/typo: spec.containers{typo}: Back-off pulling image "ngnix"
        t+1m7.326s Warning Failed (x4) kubelet Pod/typo: spec.containers{typo}: Error: ImagePullBackOff
        t+1m12.044s Normal BackOff (x4) kubelet Pod/tag: spec.containers{tag}: Back-off pulling image "nginx:nonexistent-tag"
        t+1m12.044s Warning Failed (x4) kubelet Pod/tag: spec.containers{tag}: Error: ImagePullBackOff
        t+1m19.853s Normal BackOff (x5) kubelet Pod/typo: spec.containers{typo}: Back-off pulling image "ngnix"
        t+1m19.853s Warning Failed (x5) kubelet Pod/typo: spec.containers{typo}: Error: ImagePullBackOff
        t+1m24.606s Normal BackOff (x5) kubelet Pod/tag: spec.containers{tag}: Back-off pulling image "nginx:nonexistent-tag"
        t+1m24.606s Warning Failed (x5) kubelet Pod/tag: spec.containers{tag}: Error: ImagePullBackOff
        t+1m32.97s Normal Pulling (x4) kubelet Pod/typo: spec.containers{typo}: Pulling image "ngnix"
        t+1m34.116s Warning Failed (x4) kubelet Pod/typo: spec.containers{typo}: Failed to pull image "ngnix": failed to pull and unpack image "docker.io/library/ngnix:latest": failed to resolve reference "docker.io/library/ngnix:latest": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed
        t+1m34.116s Warning Failed (x4) kubelet Pod/typo: spec.containers{typo}: Error: ErrImagePull
        t+1m34.116s pod/typo 0/1 ErrImagePull restarts=0 ip=10.244.1.3
        t+1m38.276s Normal Pulling (x4) kubelet Pod/tag: spec.containers{tag}: Pulling image "nginx:nonexistent-tag"
        t+1m39.698s Warning Failed (x4) kubelet Pod/tag: spec.containers{tag}: Failed to pull image "nginx:nonexistent-tag": failed to pull and unpack image "docker.io/library/nginx:nonexistent-tag": failed to resolve reference "docker.io/library/nginx:nonexistent-tag": docker.io/library/nginx:nonexistent-tag: not found
        t+1m39.698s Warning Failed (x4) kubelet Pod/tag: spec.containers{tag}: Error: ErrImagePull
        t+1m39.698s pod/tag 0/1 ErrImagePull restarts=0 ip=10.244.1.2
        t+1m46.464s Normal BackOff (x6) kubelet Pod/typo: spec.containers{typo}: Back-off pulling image "ngnix"
        t+1m46.464s Warning Failed (x6) kubelet Pod/typo: spec.containers{typo}: Error: ImagePullBackOff
        t+1m46.464s pod/typo 0/1 ImagePullBackOff restarts=0 ip=10.244.1.3
        t+1m50.974s Normal BackOff (x6) kubelet Pod/tag: spec.containers{tag}: Back-off pulling image "nginx:nonexistent-tag"
        t+1m50.974s Warning Failed (x6) kubelet Pod/tag: spec.containers{tag}: Error: ImagePullBackOff
        t+1m50.974s pod/tag 0/1 ImagePullBackOff restarts=0 ip=10.244.1.2
        t+1m58.664s Normal BackOff (x7) kubelet Pod/typo: spec.containers{typo}: Back-off pulling image "ngnix"
        t+1m58.664s Warning Failed (x7) kubelet Pod/typo: spec.containers{typo}: Error: ImagePullBackOff
        t+2m1.772s Normal BackOff (x7) kubelet Pod/tag: spec.containers{tag}: Back-off pulling image "nginx:nonexistent-tag"
        t+2m1.772s Warning Failed (x7) kubelet Pod/tag: spec.containers{tag}: Error: ImagePullBackOff
        t+2m11.565s Normal BackOff (x8) kubelet Pod/typo: spec.containers{typo}: Back-off pulling image "ngnix"
        t+2m11.565s Warning Failed (x8) kubelet Pod/typo: spec.containers{typo}: Error: ImagePullBackOff
        t+2m15.587s Normal BackOff (x8) kubelet Pod/tag: spec.containers{tag}: Back-off pulling image "nginx:nonexistent-tag"
        t+2m15.587s Warning Failed (x8) kubelet Pod/tag: spec.containers{tag}: Error: ImagePullBackOff
        t+2m26.401s Normal BackOff (x9) kubelet Pod/typo: spec.containers{typo}: Back-off pulling image "ngnix"
        t+2m26.401s Warning Failed (x9) kubelet Pod/typo: spec.containers{typo}: Error: ImagePullBackOff
        t+2m29.764s Normal BackOff (x9) kubelet Pod/tag: spec.containers{tag}: Back-off pulling image "nginx:nonexistent-tag"
        t+2m29.764s Warning Failed (x9) kubelet Pod/tag: spec.containers{tag}: Error: ImagePullBackOff
        t+2m38.467s Normal BackOff (x10) kubelet Pod/typo: spec.containers{typo}: Back-off pulling image "ngnix"
        t+2m38.467s Warning Failed (x10) kubelet Pod/typo: spec.containers{typo}: Error: ImagePullBackOff
        t+2m43.646s Normal BackOff (x10) kubelet Pod/tag: spec.containers{tag}: Back-off pulling image "nginx:nonexistent-tag"
        t+2m43.646s Warning Failed (x10) kubelet Pod/tag: spec.containers{tag}: Error: ImagePullBackOff
        t+2m49.26s Normal BackOff (x11) kubelet Pod/typo: spec.containers{typo}: Back-off pulling image "ngnix"
        t+2m49.26s Warning Failed (x11) kubelet Pod/typo: spec.containers{typo}: Error: ImagePullBackOff
        t+2m54.286s Normal BackOff (x11) kubelet Pod/tag: spec.containers{tag}: Back-off pulling image "nginx:nonexistent-tag"
        t+2m54.286s Warning Failed (x11) kubelet Pod/tag: spec.containers{tag}: Error: ImagePullBackOff
        t+3m0.687s Normal Pulling (x5) kubelet Pod/typo: spec.containers{typo}: Pulling image "ngnix"
        t+3m2.109s Warning Failed (x5) kubelet Pod/typo: spec.containers{typo}: Failed to pull image "ngnix": failed to pull and unpack image "docker.io/library/ngnix:latest": failed to resolve reference "docker.io/library/ngnix:latest": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed
        t+3m2.109s Warning Failed (x5) kubelet Pod/typo: spec.containers{typo}: Error: ErrImagePull
        t+3m2.109s pod/typo 0/1 ErrImagePull restarts=0 ip=10.244.1.3
        t+3m9.216s Normal Pulling (x5) kubelet Pod/tag: spec.containers{tag}: Pulling image "nginx:nonexistent-tag"
        t+3m9.891s Warning Failed (x5) kubelet Pod/tag: spec.containers{tag}: Failed to pull image "nginx:nonexistent-tag": failed to pull and unpack image "docker.io/library/nginx:nonexistent-tag": failed to resolve reference "docker.io/library/nginx:nonexistent-tag": docker.io/library/nginx:nonexistent-tag: not found
        t+3m9.891s Warning Failed (x5) kubelet Pod/tag: spec.containers{tag}: Error: ErrImagePull
        t+3m9.891s pod/tag 0/1 ErrImagePull restarts=0 ip=10.244.1.2
        t+3m13.502s Normal BackOff (x12) kubelet Pod/typo: spec.containers{typo}: Back-off pulling image "ngnix"
        t+3m13.502s Warning Failed (x12) kubelet Pod/typo: spec.containers{typo}: Error: ImagePullBackOff
        t+3m13.502s pod/typo 0/1 ImagePullBackOff restarts=0 ip=10.244.1.3"#]]);
}

#[test]
fn failing_command_crash_loops() {
    let mut h = Harness::new(1, vec![]);
    h.run_until(2.0);
    h.create_pod(json!({"metadata": {"name": "crash"}, "spec": {"containers": [{"name": "app", "image": "busybox:1.36", "command": ["sh", "-c", "echo starting; sleep 2; exit 1"]}]}}));
    h.run_until(400.0);
    h.check(expect![[r#"
        t+0s Normal Starting kubelet Node/w1: Starting kubelet.
        t+0s Normal NodeHasSufficientMemory kubelet Node/w1: Node w1 status is now: NodeHasSufficientMemory
        t+0s Normal NodeHasNoDiskPressure kubelet Node/w1: Node w1 status is now: NodeHasNoDiskPressure
        t+0s Normal NodeHasSufficientPID kubelet Node/w1: Node w1 status is now: NodeHasSufficientPID
        t+0s Normal NodeAllocatableEnforced kubelet Node/w1: Updated Node Allocatable limit across pods
        t+1.246s Normal NodeReady kubelet Node/w1: Node w1 status is now: NodeReady
        t+2s pod/crash 0/0 Pending restarts=0 ip=<none>
        t+2s pod/crash 0/1 ContainerCreating restarts=0 ip=<none>
        t+2.533s Normal Pulling kubelet Pod/crash: spec.containers{app}: Pulling image "busybox:1.36"
        t+3.315s Normal Pulled kubelet Pod/crash: spec.containers{app}: Successfully pulled image "busybox:1.36" in 782ms (782ms including waiting). Image size: 2128202 bytes.
        t+3.433s Normal Created kubelet Pod/crash: spec.containers{app}: Container created
        t+3.535s Normal Started kubelet Pod/crash: spec.containers{app}: Container started
        t+3.535s pod/crash 1/1 Running restarts=0 ip=10.244.1.2
        t+6s pod/crash 0/1 Error restarts=0 ip=10.244.1.2
        t+6s Normal Pulled kubelet Pod/crash: spec.containers{app}: Container image "busybox:1.36" already present on machine and can be accessed by the pod
        t+6.033s Normal Created (x2) kubelet Pod/crash: spec.containers{app}: Container created
        t+6.151s Normal Started (x2) kubelet Pod/crash: spec.containers{app}: Container started
        t+6.151s pod/crash 1/1 Running restarts=1 ip=10.244.1.2
        t+9s pod/crash 0/1 Error restarts=1 ip=10.244.1.2
        t+9s Warning BackOff kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+9s pod/crash 0/1 CrashLoopBackOff restarts=1 ip=10.244.1.2
        t+19.15s Normal Pulled (x2) kubelet Pod/crash: spec.containers{app}: Container image "busybox:1.36" already present on machine and can be accessed by the pod
        t+19.269s Normal Created (x3) kubelet Pod/crash: spec.containers{app}: Container created
        t+19.372s Normal Started (x3) kubelet Pod/crash: spec.containers{app}: Container started
        t+19.372s pod/crash 1/1 Running restarts=2 ip=10.244.1.2
        t+22s pod/crash 0/1 Error restarts=2 ip=10.244.1.2
        t+22s Warning BackOff (x2) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+22s pod/crash 0/1 CrashLoopBackOff restarts=2 ip=10.244.1.2
        t+35.345s Warning BackOff (x3) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+49.514s Normal Pulled (x3) kubelet Pod/crash: spec.containers{app}: Container image "busybox:1.36" already present on machine and can be accessed by the pod
        t+49.577s Normal Created (x4) kubelet Pod/crash: spec.containers{app}: Container created
        t+49.669s Normal Started (x4) kubelet Pod/crash: spec.containers{app}: Container started
        t+49.669s pod/crash 1/1 Running restarts=3 ip=10.244.1.2
        t+52s pod/crash 0/1 Error restarts=3 ip=10.244.1.2
        t+52s Warning BackOff (x4) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+52s pod/crash 0/1 CrashLoopBackOff restarts=3 ip=10.244.1.2
        t+1m5.67s Warning BackOff (x5) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+1m15.698s Warning BackOff (x6) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+1m29.827s Warning BackOff (x7) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+1m40.937s Normal Pulled (x4) kubelet Pod/crash: spec.containers{app}: Container image "busybox:1.36" already present on machine and can be accessed by the pod
        t+1m40.973s Normal Created (x5) kubelet Pod/crash: spec.containers{app}: Container created
        t+1m41.084s Normal Started (x5) kubelet Pod/crash: spec.containers{app}: Container started
        t+1m41.084s pod/crash 1/1 Running restarts=4 ip=10.244.1.2
        t+1m44s pod/crash 0/1 Error restarts=4 ip=10.244.1.2
        t+1m44s Warning BackOff (x8) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+1m44s pod/crash 0/1 CrashLoopBackOff restarts=4 ip=10.244.1.2
        t+1m58.81s Warning BackOff (x9) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+2m11.342s Warning BackOff (x10) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+2m25.104s Warning BackOff (x11) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+2m35.897s Warning BackOff (x12) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+2m46.537s Warning BackOff (x13) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+3m0.842s Warning BackOff (x14) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+3m15.504s Normal Pulled (x5) kubelet Pod/crash: spec.containers{app}: Container image "busybox:1.36" already present on machine and can be accessed by the pod
        t+3m15.603s Normal Created (x6) kubelet Pod/crash: spec.containers{app}: Container created
        t+3m15.671s Normal Started (x6) kubelet Pod/crash: spec.containers{app}: Container started
        t+3m15.671s pod/crash 1/1 Running restarts=5 ip=10.244.1.2
        t+3m18s pod/crash 0/1 Error restarts=5 ip=10.244.1.2
        t+3m18s Warning BackOff (x15) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+3m18s pod/crash 0/1 CrashLoopBackOff restarts=5 ip=10.244.1.2
        t+3m32.534s Warning BackOff (x16) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+3m45.508s Warning BackOff (x17) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+3m57.059s Warning BackOff (x18) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+4m10.927s Warning BackOff (x19) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+4m25.096s Warning BackOff (x20) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+4m38.003s Warning BackOff (x21) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+4m48.221s Warning BackOff (x22) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+4m58.368s Warning BackOff (x23) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+5m10.944s Warning BackOff (x24) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+5m23.89s Warning BackOff (x25) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+5m38.466s Warning BackOff (x26) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+5m52.166s Warning BackOff (x27) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+6m3.05s Normal Pulled (x6) kubelet Pod/crash: spec.containers{app}: Container image "busybox:1.36" already present on machine and can be accessed by the pod
        t+6m3.098s Normal Created (x7) kubelet Pod/crash: spec.containers{app}: Container created
        t+6m3.187s Normal Started (x7) kubelet Pod/crash: spec.containers{app}: Container started
        t+6m3.187s pod/crash 1/1 Running restarts=6 ip=10.244.1.2
        t+6m6s pod/crash 0/1 Error restarts=6 ip=10.244.1.2
        t+6m6s Warning BackOff (x28) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+6m6s pod/crash 0/1 CrashLoopBackOff restarts=6 ip=10.244.1.2
        t+6m16.481s Warning BackOff (x29) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+6m30.048s Warning BackOff (x30) kubelet Pod/crash: spec.containers{app}: Back-off restarting failed container app in pod crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)"#]]);
    let p = h.pod("default", "crash").unwrap();
    let cs = &p.status.unwrap().container_statuses.unwrap()[0];
    expect![[r#"
        containerID: containerd://8224ec0a16cfb6d17d705274afdeaf4e16253f67ba03e548233ccc4876084751
        image: docker.io/library/busybox:1.36
        imageID: docker.io/library/busybox@sha256:2df04e537139f13d89da25d5659c1e8394b0ea48e89b4b2ffcf731eba3fe3080
        lastState:
          terminated:
            containerID: containerd://8224ec0a16cfb6d17d705274afdeaf4e16253f67ba03e548233ccc4876084751
            exitCode: 1
            finishedAt: "2026-03-01T10:06:05Z"
            reason: Error
            startedAt: "2026-03-01T10:06:03Z"
        name: app
        ready: false
        restartCount: 6
        started: false
        state:
          waiting:
            message: back-off 5m0s restarting failed container=app pod=crash_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
            reason: CrashLoopBackOff
        user:
          linux:
            gid: 0
            supplementalGroups:
            - 0
            uid: 0
        volumeMounts:
        - mountPath: /var/run/secrets/kubernetes.io/serviceaccount
          name: kube-api-access-d9xx9
          readOnly: true
          recursiveReadOnly: Disabled
    "#]].assert_eq(&apimachinery::yaml::to_yaml(&serde_json::to_value(cs).unwrap()));
    assert_eq!(h.kubelet.container_log_previous("default", "crash", "app"), vec!["starting".to_string()]);
}

#[test]
fn jobs_complete_and_init_containers_run_in_order() {
    let mut h = Harness::new(1, vec![]);
    h.run_until(2.0);
    h.create_pod(json!({"metadata": {"name": "once"}, "spec": {"restartPolicy": "Never", "containers": [{"name": "hello", "image": "busybox", "imagePullPolicy": "IfNotPresent", "command": ["sh", "-c", "echo hello; sleep 3"]}]}}));
    h.create_pod(json!({"metadata": {"name": "init"}, "spec": {
        "initContainers": [{"name": "wait", "image": "busybox:1.36", "command": ["sleep", "4"]}, {"name": "setup", "image": "alpine", "command": ["sh", "-c", "echo ok"]}],
        "containers": [{"name": "app", "image": "redis"}]}}));
    h.create_pod(json!({"metadata": {"name": "ready"}, "spec": {"containers": [{"name": "app", "image": "nginx:1.27", "readinessProbe": {"httpGet": {"path": "/", "port": 80}, "initialDelaySeconds": 15, "periodSeconds": 5}}]}}));
    h.run_until(60.0);
    h.check(expect![[r#"
        t+0s Normal Starting kubelet Node/w1: Starting kubelet.
        t+0s Normal NodeHasSufficientMemory kubelet Node/w1: Node w1 status is now: NodeHasSufficientMemory
        t+0s Normal NodeHasNoDiskPressure kubelet Node/w1: Node w1 status is now: NodeHasNoDiskPressure
        t+0s Normal NodeHasSufficientPID kubelet Node/w1: Node w1 status is now: NodeHasSufficientPID
        t+0s Normal NodeAllocatableEnforced kubelet Node/w1: Updated Node Allocatable limit across pods
        t+1.246s Normal NodeReady kubelet Node/w1: Node w1 status is now: NodeReady
        t+2s pod/once 0/0 Pending restarts=0 ip=<none>
        t+2s pod/once 0/1 ContainerCreating restarts=0 ip=<none>
        t+2s pod/init 0/0 Pending restarts=0 ip=<none>
        t+2s pod/init 0/1 Init:0/2 restarts=0 ip=<none>
        t+2s pod/ready 0/0 Pending restarts=0 ip=<none>
        t+2s pod/ready 0/1 ContainerCreating restarts=0 ip=<none>
        t+2.497s Normal Pulling kubelet Pod/init: spec.initContainers{wait}: Pulling image "busybox:1.36"
        t+2.533s Normal Pulling kubelet Pod/once: spec.containers{hello}: Pulling image "busybox"
        t+2.898s Normal Pulling kubelet Pod/ready: spec.containers{app}: Pulling image "nginx:1.27"
        t+3.349s Normal Pulled kubelet Pod/init: spec.initContainers{wait}: Successfully pulled image "busybox:1.36" in 852ms (852ms including waiting). Image size: 2128202 bytes.
        t+3.437s Normal Created kubelet Pod/init: spec.initContainers{wait}: Container created
        t+3.539s Normal Started kubelet Pod/init: spec.initContainers{wait}: Container started
        t+3.539s pod/init 0/1 Init:0/2 restarts=0 ip=10.244.1.2
        t+4.133s Normal Pulled kubelet Pod/once: spec.containers{hello}: Successfully pulled image "busybox" in 784ms (1.6s including waiting). Image size: 2156913 bytes.
        t+4.241s Normal Created kubelet Pod/once: spec.containers{hello}: Container created
        t+4.39s Normal Started kubelet Pod/once: spec.containers{hello}: Container started
        t+4.39s pod/once 1/1 Running restarts=0 ip=10.244.1.3
        t+7.39s pod/once 0/1 Completed restarts=0 ip=10.244.1.3
        t+7.726s Normal Pulled kubelet Pod/ready: spec.containers{app}: Successfully pulled image "nginx:1.27" in 3.593s (4.828s including waiting). Image size: 69698007 bytes.
        t+7.835s Normal Created kubelet Pod/ready: spec.containers{app}: Container created
        t+7.977s Normal Started kubelet Pod/ready: spec.containers{app}: Container started
        t+7.977s pod/ready 0/1 Running restarts=0 ip=10.244.1.4
        t+8s pod/init 0/1 Init:1/2 restarts=0 ip=10.244.1.2
        t+8s Normal Pulling kubelet Pod/init: spec.initContainers{setup}: Pulling image "alpine"
        t+8.799s Normal Pulled kubelet Pod/init: spec.initContainers{setup}: Successfully pulled image "alpine" in 799ms (799ms including waiting). Image size: 3653068 bytes.
        t+8.856s Normal Created kubelet Pod/init: spec.initContainers{setup}: Container created
        t+8.999s Normal Started kubelet Pod/init: spec.initContainers{setup}: Container started
        t+10s pod/init 0/1 PodInitializing restarts=0 ip=10.244.1.2
        t+10s Normal Pulling kubelet Pod/init: spec.containers{app}: Pulling image "redis"
        t+12.717s Normal Pulled kubelet Pod/init: spec.containers{app}: Successfully pulled image "redis" in 2.717s (2.717s including waiting). Image size: 45637582 bytes.
        t+12.833s Normal Created kubelet Pod/init: spec.containers{app}: Container created
        t+12.969s Normal Started kubelet Pod/init: spec.containers{app}: Container started
        t+12.969s pod/init 1/1 Running restarts=0 ip=10.244.1.2
        t+27s pod/ready 1/1 Running restarts=0 ip=10.244.1.4"#]]);
    let p = h.pod("default", "ready").unwrap();
    let conds: Vec<String> = p.status.unwrap().conditions.unwrap().iter().map(|c| format!("{} {} {:?}", c.type_, c.status, c.last_transition_time.as_ref().map(|t| t.0.to_string()))).collect();
    expect![[r#"
        PodReadyToStartContainers True Some("2026-03-01T10:00:07Z")
        Initialized True Some("2026-03-01T10:00:02Z")
        Ready True Some("2026-03-01T10:00:27Z")
        ContainersReady True Some("2026-03-01T10:00:27Z")
        PodScheduled True Some("2026-03-01T10:00:02Z")"#]].assert_eq(&conds.join("\n"));
}

#[test]
fn graceful_deletion_removes_the_pod() {
    let mut h = Harness::new(1, vec![]);
    h.run_until(2.0);
    h.create_pod(pod("web", "nginx"));
    h.create_pod(json!({"metadata": {"name": "sleeper"}, "spec": {"containers": [{"name": "sleeper", "image": "busybox", "command": ["sleep", "3600"]}]}}));
    h.run_until(20.0);
    h.delete_pod("web");
    h.delete_pod("sleeper");
    h.run_until(60.0);
    h.check(expect![[r#"
        t+0s Normal Starting kubelet Node/w1: Starting kubelet.
        t+0s Normal NodeHasSufficientMemory kubelet Node/w1: Node w1 status is now: NodeHasSufficientMemory
        t+0s Normal NodeHasNoDiskPressure kubelet Node/w1: Node w1 status is now: NodeHasNoDiskPressure
        t+0s Normal NodeHasSufficientPID kubelet Node/w1: Node w1 status is now: NodeHasSufficientPID
        t+0s Normal NodeAllocatableEnforced kubelet Node/w1: Updated Node Allocatable limit across pods
        t+1.246s Normal NodeReady kubelet Node/w1: Node w1 status is now: NodeReady
        t+2s pod/web 0/0 Pending restarts=0 ip=<none>
        t+2s pod/web 0/1 ContainerCreating restarts=0 ip=<none>
        t+2s pod/sleeper 0/0 Pending restarts=0 ip=<none>
        t+2s pod/sleeper 0/1 ContainerCreating restarts=0 ip=<none>
        t+2.497s Normal Pulling kubelet Pod/sleeper: spec.containers{sleeper}: Pulling image "busybox"
        t+2.533s Normal Pulling kubelet Pod/web: spec.containers{web}: Pulling image "nginx"
        t+3.381s Normal Pulled kubelet Pod/sleeper: spec.containers{sleeper}: Successfully pulled image "busybox" in 884ms (884ms including waiting). Image size: 2156913 bytes.
        t+3.439s Normal Created kubelet Pod/sleeper: spec.containers{sleeper}: Container created
        t+3.5s Normal Started kubelet Pod/sleeper: spec.containers{sleeper}: Container started
        t+3.5s pod/sleeper 1/1 Running restarts=0 ip=10.244.1.2
        t+7.035s Normal Pulled kubelet Pod/web: spec.containers{web}: Successfully pulled image "nginx" in 3.654s (4.502s including waiting). Image size: 72195292 bytes.
        t+7.137s Normal Created kubelet Pod/web: spec.containers{web}: Container created
        t+7.251s Normal Started kubelet Pod/web: spec.containers{web}: Container started
        t+7.251s pod/web 1/1 Running restarts=0 ip=10.244.1.3
        t+20s kubectl delete pod web
        t+20s pod/web 1/1 Terminating restarts=0 ip=10.244.1.3
        t+20s Normal Killing kubelet Pod/web: spec.containers{web}: Stopping container web
        t+20s kubectl delete pod sleeper
        t+20s pod/sleeper 1/1 Terminating restarts=0 ip=10.244.1.2
        t+20s Normal Killing kubelet Pod/sleeper: spec.containers{sleeper}: Stopping container sleeper
        t+20.178s pod/web 0/1 Terminating restarts=0 ip=10.244.1.3
        t+20.178s pod/web deleted
        t+50s pod/sleeper 0/1 Terminating restarts=0 ip=10.244.1.2
        t+50s pod/sleeper deleted"#]]);
    assert!(h.pod("default", "web").is_none());
    assert!(h.pod("default", "sleeper").is_none());
    assert!(h.kubelet.pod_views().is_empty());
}

fn static_etcd() -> Pod {
    let v = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "etcd", "namespace": "kube-system", "labels": {"component": "etcd", "tier": "control-plane"}},
        "spec": {"hostNetwork": true, "priorityClassName": "system-node-critical", "containers": [{"name": "etcd", "image": "registry.k8s.io/etcd:3.6.5-0", "command": ["etcd", "--data-dir=/var/lib/etcd"]}]}});
    serde_json::from_value(v).unwrap()
}

#[test]
fn static_pods_are_mirrored_and_come_back() {
    let mut h = Harness::new(1, vec![static_etcd()]);
    h.trace_pods.push("etcd-w1".into());
    h.run_until(10.0);
    let mirror = h.pod("kube-system", "etcd-w1").unwrap();
    let mut v = serde_json::to_value(&mirror.metadata).unwrap();
    v["resourceVersion"] = json!("<rv>");
    expect![[r#"
        annotations:
          kubernetes.io/config.hash: 0b6588ff0e32c8902056c29bbfb60486
          kubernetes.io/config.mirror: 0b6588ff0e32c8902056c29bbfb60486
          kubernetes.io/config.seen: "2026-03-01T10:00:00Z"
          kubernetes.io/config.source: file
        creationTimestamp: "2026-03-01T10:00:00Z"
        generation: 1
        labels:
          component: etcd
          tier: control-plane
        name: etcd-w1
        namespace: kube-system
        ownerReferences:
        - apiVersion: v1
          controller: true
          kind: Node
          name: w1
          uid: 6080500d-916a-43a8-bb24-cba634394d31
        resourceVersion: <rv>
        uid: da2167d7-9ced-44cb-ade9-9dbb9eff4873
    "#]].assert_eq(&apimachinery::yaml::to_yaml(&v));
    h.log.push(format!("{} kubectl delete pod -n kube-system etcd-w1", h.at()));
    h.api.delete(Kind::Pod, "kube-system", "etcd-w1", &DeleteOptions::default()).unwrap();
    h.run_until(20.0);
    h.check(expect![[r#"
        t+0s Normal Starting kubelet Node/w1: Starting kubelet.
        t+0s Normal NodeHasSufficientMemory kubelet Node/w1: Node w1 status is now: NodeHasSufficientMemory
        t+0s Normal NodeHasNoDiskPressure kubelet Node/w1: Node w1 status is now: NodeHasNoDiskPressure
        t+0s Normal NodeHasSufficientPID kubelet Node/w1: Node w1 status is now: NodeHasSufficientPID
        t+0s Normal NodeAllocatableEnforced kubelet Node/w1: Updated Node Allocatable limit across pods
        t+0s pod/etcd-w1 0/0 Pending restarts=0 ip=<none>
        t+0s pod/etcd-w1 0/1 ContainerCreating restarts=0 ip=<none>
        t+533ms Normal Pulled kubelet Pod/etcd-w1: spec.containers{etcd}: Container image "registry.k8s.io/etcd:3.6.5-0" already present on machine and can be accessed by the pod
        t+580ms Normal Created kubelet Pod/etcd-w1: spec.containers{etcd}: Container created
        t+648ms Normal Started kubelet Pod/etcd-w1: spec.containers{etcd}: Container started
        t+648ms pod/etcd-w1 1/1 Running restarts=0 ip=192.168.56.11
        t+1.246s Normal NodeReady kubelet Node/w1: Node w1 status is now: NodeReady
        t+10s kubectl delete pod -n kube-system etcd-w1
        t+10s pod/etcd-w1 1/1 Terminating restarts=0 ip=192.168.56.11
        t+10s pod/etcd-w1 deleted
        t+10s pod/etcd-w1 0/0 Pending restarts=0 ip=<none>
        t+10s pod/etcd-w1 1/1 Running restarts=0 ip=192.168.56.11"#]]);
    let again = h.pod("kube-system", "etcd-w1").unwrap();
    assert_ne!(again.metadata.uid, mirror.metadata.uid);
    assert_eq!(again.status.unwrap().pod_ip.as_deref(), Some("192.168.56.11"));
}

#[test]
fn idle_hour_costs_few_writes() {
    let mut h = Harness::new(1, vec![]);
    h.run_until(10.0);
    let before = h.api.store().revision();
    h.run_until(3610.0);
    let writes = h.api.store().revision() - before;
    let lease = h.api.get(Kind::Lease, "kube-node-lease", "w1").unwrap();
    let renew = lease.as_typed::<apimachinery::k8s_openapi::api::coordination::v1::Lease>().unwrap().spec.as_ref().unwrap().renew_time.clone().unwrap();
    // ~10.2 s lease renewals (346 an hour) and a status report every 5 minutes (12).
    expect!["writes=365 last renew=2026-03-01T11:00:02.817Z"].assert_eq(&format!("writes={writes} last renew={}", renew.0));
}

#[test]
fn stopped_kubelet_does_nothing_until_started() {
    let mut h = Harness::new(1, vec![]);
    h.run_until(2.0);
    h.kubelet.set_running(false);
    h.create_pod(pod("web", "nginx"));
    h.run_until(60.0);
    assert_eq!(h.kubelet.next_wake(), None);
    h.kubelet.set_running(true);
    h.run_until(70.0);
    h.check(expect![[r#"
        t+0s Normal Starting kubelet Node/w1: Starting kubelet.
        t+0s Normal NodeHasSufficientMemory kubelet Node/w1: Node w1 status is now: NodeHasSufficientMemory
        t+0s Normal NodeHasNoDiskPressure kubelet Node/w1: Node w1 status is now: NodeHasNoDiskPressure
        t+0s Normal NodeHasSufficientPID kubelet Node/w1: Node w1 status is now: NodeHasSufficientPID
        t+0s Normal NodeAllocatableEnforced kubelet Node/w1: Updated Node Allocatable limit across pods
        t+1.246s Normal NodeReady kubelet Node/w1: Node w1 status is now: NodeReady
        t+2s pod/web 0/0 Pending restarts=0 ip=<none>
        t+1m0s Normal Starting (x2) kubelet Node/w1: Starting kubelet.
        t+1m0s Normal NodeAllocatableEnforced (x2) kubelet Node/w1: Updated Node Allocatable limit across pods
        t+1m0s pod/web 0/1 ContainerCreating restarts=0 ip=<none>
        t+1m0.898s Normal Pulling kubelet Pod/web: spec.containers{web}: Pulling image "nginx"
        t+1m4.552s Normal Pulled kubelet Pod/web: spec.containers{web}: Successfully pulled image "nginx" in 3.654s (3.654s including waiting). Image size: 72195292 bytes.
        t+1m4.61s Normal Created kubelet Pod/web: spec.containers{web}: Container created
        t+1m4.671s Normal Started kubelet Pod/web: spec.containers{web}: Container started
        t+1m4.671s pod/web 1/1 Running restarts=0 ip=10.244.1.2"#]]);
}

/// Same seed, same inputs: the same bytes in the store.
#[test]
fn deterministic() {
    let run = || {
        let mut h = Harness::new(7, vec![static_etcd()]);
        h.run_until(2.0);
        h.create_pod(pod("web", "nginx"));
        h.create_pod(pod("bad", "ngnix"));
        h.create_pod(json!({"metadata": {"name": "crash"}, "spec": {"containers": [{"name": "app", "image": "busybox", "command": ["false"]}]}}));
        h.run_until(300.0);
        h.delete_pod("web");
        h.run_until(400.0);
        let dump: Vec<serde_json::Value> = h.api.store().all().map(|o| o.to_value()).collect();
        (serde_json::to_string(&dump).unwrap(), h.log.join("\n"))
    };
    let a = run();
    let b = run();
    assert_eq!(a.1, b.1);
    assert!(a.0 == b.0, "store differs between two runs with the same seed");
}

/// A network where every server answers 500.
struct Flaky;

impl probes::PodNetwork for Flaky {
    fn opaque(&self, _: &str) -> bool {
        false
    }
    fn http_get(&self, _: &probes::ProbeTarget, _: u16, _: &str, _: &[(String, String)]) -> probes::HttpAnswer {
        probes::HttpAnswer { outcome: probes::HttpOutcome::Status(500), logs: vec![] }
    }
    fn tcp_open(&self, _: &probes::ProbeTarget, _: u16) -> bool {
        false
    }
}

#[test]
fn failing_liveness_probe_restarts_the_container() {
    let mut h = Harness::new(1, vec![]);
    h.kubelet.set_probe_oracle(Box::new(Flaky));
    h.run_until(2.0);
    h.create_pod(json!({"metadata": {"name": "live"}, "spec": {"containers": [{"name": "flaky", "image": "nginx",
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": 80}, "periodSeconds": 5, "failureThreshold": 2}}]}}));
    h.run_until(40.0);
    h.check(expect![[r#"
        t+0s Normal Starting kubelet Node/w1: Starting kubelet.
        t+0s Normal NodeHasSufficientMemory kubelet Node/w1: Node w1 status is now: NodeHasSufficientMemory
        t+0s Normal NodeHasNoDiskPressure kubelet Node/w1: Node w1 status is now: NodeHasNoDiskPressure
        t+0s Normal NodeHasSufficientPID kubelet Node/w1: Node w1 status is now: NodeHasSufficientPID
        t+0s Normal NodeAllocatableEnforced kubelet Node/w1: Updated Node Allocatable limit across pods
        t+1.246s Normal NodeReady kubelet Node/w1: Node w1 status is now: NodeReady
        t+2s pod/live 0/0 Pending restarts=0 ip=<none>
        t+2s pod/live 0/1 ContainerCreating restarts=0 ip=<none>
        t+2.533s Normal Pulling kubelet Pod/live: spec.containers{flaky}: Pulling image "nginx"
        t+6.117s Normal Pulled kubelet Pod/live: spec.containers{flaky}: Successfully pulled image "nginx" in 3.584s (3.584s including waiting). Image size: 72195292 bytes.
        t+6.235s Normal Created kubelet Pod/live: spec.containers{flaky}: Container created
        t+6.337s Normal Started kubelet Pod/live: spec.containers{flaky}: Container started
        t+6.337s pod/live 1/1 Running restarts=0 ip=10.244.1.2
        t+7s Warning Unhealthy kubelet Pod/live: spec.containers{flaky}: Liveness probe failed: HTTP probe failed with statuscode: 500
        t+12s Warning Unhealthy (x2) kubelet Pod/live: spec.containers{flaky}: Liveness probe failed: HTTP probe failed with statuscode: 500
        t+12s Normal Killing kubelet Pod/live: spec.containers{flaky}: Container flaky failed liveness probe, will be restarted
        t+13s pod/live 0/1 Completed restarts=0 ip=10.244.1.2
        t+13s Normal Pulling (x2) kubelet Pod/live: spec.containers{flaky}: Pulling image "nginx"
        t+13.728s Normal Pulled kubelet Pod/live: spec.containers{flaky}: Successfully pulled image "nginx" in 728ms (728ms including waiting). Image size: 72195292 bytes.
        t+13.832s Normal Created (x2) kubelet Pod/live: spec.containers{flaky}: Container created
        t+13.894s Normal Started (x2) kubelet Pod/live: spec.containers{flaky}: Container started
        t+13.894s pod/live 1/1 Running restarts=1 ip=10.244.1.2
        t+17s Warning Unhealthy (x3) kubelet Pod/live: spec.containers{flaky}: Liveness probe failed: HTTP probe failed with statuscode: 500
        t+22s Warning Unhealthy (x4) kubelet Pod/live: spec.containers{flaky}: Liveness probe failed: HTTP probe failed with statuscode: 500
        t+22s Normal Killing (x2) kubelet Pod/live: spec.containers{flaky}: Container flaky failed liveness probe, will be restarted
        t+23s pod/live 0/1 Completed restarts=1 ip=10.244.1.2
        t+23s Warning BackOff kubelet Pod/live: spec.containers{flaky}: Back-off restarting failed container flaky in pod live_default(731f2eb3-452a-4784-8662-eb8e383b77ff)
        t+23s pod/live 0/1 CrashLoopBackOff restarts=1 ip=10.244.1.2
        t+33.906s Normal Pulling (x3) kubelet Pod/live: spec.containers{flaky}: Pulling image "nginx"
        t+34.339s Normal Pulled kubelet Pod/live: spec.containers{flaky}: Successfully pulled image "nginx" in 433ms (433ms including waiting). Image size: 72195292 bytes.
        t+34.381s Normal Created (x3) kubelet Pod/live: spec.containers{flaky}: Container created
        t+34.526s Normal Started (x3) kubelet Pod/live: spec.containers{flaky}: Container started
        t+34.526s pod/live 1/1 Running restarts=2 ip=10.244.1.2
        t+37s Warning Unhealthy (x5) kubelet Pod/live: spec.containers{flaky}: Liveness probe failed: HTTP probe failed with statuscode: 500"#]]);
}
