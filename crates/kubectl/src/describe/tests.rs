//! Golden tests: a real simulated cluster, objects created through kubectl,
//! time advanced, then `kubectl describe` compared byte for byte with what
//! kubectl 1.37 prints (layouts checked against describe_test.go and the
//! rendered examples in the research notes).

use crate::config::KubeConfig;
use crate::{Ctx, NoFiles, Output, run_line};
use apimachinery::k8s_openapi::api::core::v1::PodTemplateSpec;
use apimachinery::{Kind, Object, SignedDuration};
use apiserver::WriteOptions;
use expect_test::{Expect, expect};
use world::{ClusterProfile, World};

struct Cluster {
    world: World,
    config: KubeConfig,
}

impl Cluster {
    fn new() -> Cluster {
        let profile = ClusterProfile::kubeadm(3);
        let config = KubeConfig::for_profile(&profile);
        Cluster { world: World::new(profile, 1), config }
    }

    fn kubectl(&mut self, line: &str) -> Output {
        let mut ctx = Ctx { world: &mut self.world, config: &mut self.config, files: &NoFiles, stdin: None };
        let out = run_line(&mut ctx, line).output().clone();
        self.world.settle();
        out
    }

    /// Runs a command that must succeed.
    fn ok(&mut self, line: &str) {
        let out = self.kubectl(line);
        assert_eq!(out.code, 0, "{line}: {}", out.stderr);
    }

    fn advance(&mut self, secs: i64) {
        self.world.advance(SignedDuration::from_secs(secs));
    }

    /// stdout, then stderr and the exit code when there are any.
    fn check(&mut self, line: &str, expect: Expect) {
        let out = self.kubectl(line);
        let mut text = out.stdout.clone();
        if !out.stderr.is_empty() {
            text.push_str("--- stderr\n");
            text.push_str(&out.stderr);
        }
        if out.code != 0 {
            text.push_str(&format!("--- exit {}\n", out.code));
        }
        expect.assert_eq(&text);
    }
}

fn pod_value(name: &str, spec: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"}, "spec": spec})
}

/// Stores an object through the API server (as a client would), bypassing kubectl.
fn create(c: &mut Cluster, kind: Kind, v: serde_json::Value) -> Object {
    let obj = Object::from_value(kind, v).expect("test objects decode");
    (*c.world.api_mut().create(obj, &WriteOptions::default()).expect("test objects are valid")).clone()
}

#[test]
fn deployment_replica_set_pod_and_service() {
    let mut c = Cluster::new();
    c.ok("create deployment nginx --image=nginx:1.25 --replicas=2 --port=80");
    c.ok("expose deployment nginx --port=80");
    c.advance(60);
    c.check("describe deployment nginx", expect![[r#"
        Name:                   nginx
        Namespace:              default
        CreationTimestamp:      Mon, 05 Jan 2026 09:00:00 +0000
        Labels:                 app=nginx
        Annotations:            deployment.kubernetes.io/revision: 1
        Selector:               app=nginx
        Replicas:               2 desired | 2 updated | 2 total | 2 available | 0 unavailable
        StrategyType:           RollingUpdate
        MinReadySeconds:        0
        RollingUpdateStrategy:  25% max unavailable, 25% max surge
        Pod Template:
          Labels:  app=nginx
          Containers:
           nginx:
            Image:         nginx:1.25
            Port:          80/TCP
            Host Port:     0/TCP
            Environment:   <none>
            Mounts:        <none>
          Volumes:         <none>
          Node-Selectors:  <none>
          Tolerations:     <none>
        Conditions:
          Type           Status  Reason
          ----           ------  ------
          Available      True    MinimumReplicasAvailable
          Progressing    True    NewReplicaSetAvailable
        OldReplicaSets:  <none>
        NewReplicaSet:   nginx-6c45fbff4c (2/2 replicas created)
        Events:
          Type    Reason             Age   From                   Message
          ----    ------             ----  ----                   -------
          Normal  ScalingReplicaSet  60s   deployment-controller  Scaled up replica set nginx-6c45fbff4c from 0 to 2
    "#]]);
    c.check("describe rs", expect![[r#"
        Name:           nginx-6c45fbff4c
        Namespace:      default
        Selector:       app=nginx,pod-template-hash=6c45fbff4c
        Labels:         app=nginx
                        pod-template-hash=6c45fbff4c
        Annotations:    deployment.kubernetes.io/desired-replicas: 2
                        deployment.kubernetes.io/max-replicas: 3
                        deployment.kubernetes.io/revision: 1
        Controlled By:  Deployment/nginx
        Replicas:       2 current / 2 desired
        Pods Status:    2 Running / 0 Waiting / 0 Succeeded / 0 Failed
        Pod Template:
          Labels:  app=nginx
                   pod-template-hash=6c45fbff4c
          Containers:
           nginx:
            Image:         nginx:1.25
            Port:          80/TCP
            Host Port:     0/TCP
            Environment:   <none>
            Mounts:        <none>
          Volumes:         <none>
          Node-Selectors:  <none>
          Tolerations:     <none>
        Events:
          Type    Reason            Age   From                   Message
          ----    ------            ----  ----                   -------
          Normal  SuccessfulCreate  60s   replicaset-controller  Created pod: nginx-6c45fbff4c-95vnq
          Normal  SuccessfulCreate  60s   replicaset-controller  Created pod: nginx-6c45fbff4c-wb6rn
    "#]]);
    c.check("describe svc nginx", expect![[r#"
        Name:                     nginx
        Namespace:                default
        Labels:                   app=nginx
        Annotations:              <none>
        Selector:                 app=nginx
        Type:                     ClusterIP
        IP Family Policy:         SingleStack
        IP Families:              IPv4
        IP:                       10.110.46.211
        IPs:                      10.110.46.211
        Port:                     <unset>  80/TCP
        TargetPort:               80/TCP
        Endpoints:                172.16.132.2:80,172.16.221.130:80
        Session Affinity:         None
        Internal Traffic Policy:  Cluster
        Events:                   <none>
    "#]]);
}

#[test]
fn single_pod_shows_events_with_field_paths() {
    let mut c = Cluster::new();
    c.ok("run web --image=nginx:1.25 --port=80");
    c.advance(30);
    c.check("describe pod web", expect![[r#"
        Name:             web
        Namespace:        default
        Priority:         0
        Service Account:  default
        Node:             w3-k8s/192.168.1.103
        Start Time:       Mon, 05 Jan 2026 09:00:00 +0000
        Labels:           run=web
        Annotations:      <none>
        Status:           Running
        IP:               172.16.132.2
        IPs:
          IP:  172.16.132.2
        Containers:
          web:
            Container ID:   containerd://884e42dfcac84d9e1ec3126dda69da82ecd619ac1a28e33f90deb2cbdbbfa9bb
            Image:          nginx:1.25
            Image ID:       docker.io/library/nginx@sha256:f25fada53d7b66bd3e6dda885ff1fa51d4c1f31db211e3ca26c3de3a24bf4418
            Port:           80/TCP
            Host Port:      0/TCP
            State:          Running
              Started:      Mon, 05 Jan 2026 09:00:04 +0000
            Ready:          True
            Restart Count:  0
            Environment:    <none>
            Mounts:
              /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-fhm27 (ro)
        Conditions:
          Type                        Status
          PodReadyToStartContainers   True 
          Initialized                 True 
          Ready                       True 
          ContainersReady             True 
          PodScheduled                True 
        Volumes:
          kube-api-access-fhm27:
            Type:                    Projected (a volume that contains injected data from multiple sources)
            TokenExpirationSeconds:  3607
            ConfigMapName:           kube-root-ca.crt
            Optional:                false
            DownwardAPI:             true
        QoS Class:                   BestEffort
        Node-Selectors:              <none>
        Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
                                     node.kubernetes.io/unreachable:NoExecute op=Exists for 300s
        Events:
          Type    Reason     Age   From               Message
          ----    ------     ----  ----               -------
          Normal  Scheduled  30s   default-scheduler  Successfully assigned default/web to w3-k8s
          Normal  Pulling    30s   kubelet            spec.containers{web}: Pulling image "nginx:1.25"
          Normal  Pulled     26s   kubelet            spec.containers{web}: Successfully pulled image "nginx:1.25" in 3.949s (3.949s including waiting). Image size: 74957732 bytes.
          Normal  Created    26s   kubelet            spec.containers{web}: Container created
          Normal  Started    26s   kubelet            spec.containers{web}: Container started
    "#]]);
    // The same pod named as TYPE/NAME.
    let again = c.kubectl("describe pod/web");
    assert_eq!(again.stdout, c.kubectl("describe pod web").stdout);
}

#[test]
fn several_objects_hide_events_and_prefix_matching() {
    let mut c = Cluster::new();
    c.ok("create deployment nginx --image=nginx:1.25 --replicas=2");
    c.advance(30);
    // Two pods: two blank lines between them, no Events sections.
    let out = c.kubectl("describe pods -l app=nginx");
    assert_eq!(out.stdout.matches("\n\n\nName:").count(), 1, "{}", out.stdout);
    assert!(!out.stdout.contains("Events:"), "{}", out.stdout);
    // `describe pod nginx`: no pod of that name, so every pod whose name
    // starts with it, each followed by a blank line, events off.
    let out = c.kubectl("describe pod nginx");
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout.matches("Name:             nginx-").count(), 2);
    assert!(out.stdout.ends_with("op=Exists for 300s\n\n"), "{}", out.stdout);
    assert!(!out.stdout.contains("Events:"));
}

#[test]
fn errors() {
    let mut c = Cluster::new();
    c.check("describe", expect![[r#"
        --- stderr
        error: You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.
        --- exit 1
    "#]]);
    c.check("describe pod nope", expect![[r#"
        --- stderr
        Error from server (NotFound): pods "nope" not found
        --- exit 1
    "#]]);
    c.check("describe pod/nope", expect![[r#"
        --- stderr
        Error from server (NotFound): pods "nope" not found
        --- exit 1
    "#]]);
    c.check("describe pods nope1 nope2", expect![[r#"
        --- stderr
        Error from server (NotFound): pods "nope1" not found
        Error from server (NotFound): pods "nope2" not found
        --- exit 1
    "#]]);
    c.check("describe pods -l app=none", expect![[r#"
        --- stderr
        No resources found in default namespace.
    "#]]);
    c.check("describe pods -A -l app=none", expect![[r#"
        --- stderr
        No resources found
    "#]]);
    c.check("describe bogus", expect![[r#"
        --- stderr
        error: the server doesn't have a resource type "bogus"
        --- exit 1
    "#]]);
    c.check("describe pod x -l app=web", expect![[r#"
        --- stderr
        error: name cannot be provided when a selector is specified
        --- exit 1
    "#]]);
}

#[test]
fn namespace_and_control_plane_node() {
    let mut c = Cluster::new();
    c.check("describe namespace kube-system", expect![[r#"
        Name:         kube-system
        Labels:       kubernetes.io/metadata.name=kube-system
        Annotations:  <none>
        Status:       Active

        No resource quota.

        No LimitRange resource.
    "#]]);
    c.check("describe node m-k8s", expect![[r#"
        Name:               m-k8s
        Roles:              control-plane
        Labels:             beta.kubernetes.io/arch=amd64
                            beta.kubernetes.io/os=linux
                            kubernetes.io/arch=amd64
                            kubernetes.io/hostname=m-k8s
                            kubernetes.io/os=linux
                            node-role.kubernetes.io/control-plane=
                            node.kubernetes.io/exclude-from-external-load-balancers=
        Annotations:        kubeadm.alpha.kubernetes.io/cri-socket: unix:///var/run/containerd/containerd.sock
                            volumes.kubernetes.io/controller-managed-attach-detach: true
        CreationTimestamp:  Mon, 05 Jan 2026 08:55:00 +0000
        Taints:             node-role.kubernetes.io/control-plane:NoSchedule
        Unschedulable:      false
        Lease:
          HolderIdentity:  m-k8s
          AcquireTime:     <unset>
          RenewTime:       Mon, 05 Jan 2026 08:59:56 +0000
        Conditions:
          Type             Status  LastHeartbeatTime                 LastTransitionTime                Reason                       Message
          ----             ------  -----------------                 ------------------                ------                       -------
          MemoryPressure   False   Mon, 05 Jan 2026 08:55:20 +0000   Mon, 05 Jan 2026 08:55:00 +0000   KubeletHasSufficientMemory   kubelet has sufficient memory available
          DiskPressure     False   Mon, 05 Jan 2026 08:55:20 +0000   Mon, 05 Jan 2026 08:55:00 +0000   KubeletHasNoDiskPressure     kubelet has no disk pressure
          PIDPressure      False   Mon, 05 Jan 2026 08:55:20 +0000   Mon, 05 Jan 2026 08:55:00 +0000   KubeletHasSufficientPID      kubelet has sufficient PID available
          Ready            True    Mon, 05 Jan 2026 08:55:20 +0000   Mon, 05 Jan 2026 08:55:01 +0000   KubeletReady                 kubelet is posting ready status
        Addresses:
          InternalIP:  192.168.1.10
          Hostname:    m-k8s
        Capacity:
          cpu:                2
          ephemeral-storage:  61202244Ki
          hugepages-1Gi:      0
          hugepages-2Mi:      0
          memory:             3030888Ki
          pods:               110
        Allocatable:
          cpu:                2
          ephemeral-storage:  56403988071
          hugepages-1Gi:      0
          hugepages-2Mi:      0
          memory:             2928488Ki
          pods:               110
        System Info:
          Machine ID:                 c4302f3b5bded1afe850be9bd5b59f91
          System UUID:                6bdf84c7-fedc-4467-bc97-817a719f1e98
          Boot ID:                    f3e403f2-63bf-4e22-b842-9469005cb86f
          Kernel Version:             6.8.0-87-generic
          OS Image:                   Ubuntu 24.04.3 LTS
          Operating System:           linux
          Architecture:               amd64
          Container Runtime Version:  containerd://2.1.4
          Kubelet Version:            v1.37.1
        PodCIDR:                      172.16.171.64/26
        PodCIDRs:                     172.16.171.64/26
        Non-terminated Pods:          (9 in total)
          Namespace                   Name                                        CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age
          ---------                   ----                                        ------------  ----------  ---------------  -------------  ---
          kube-system                 calico-kube-controllers-7fddf4df88-g6ndn    0 (0%)        0 (0%)      0 (0%)           0 (0%)         5m
          kube-system                 calico-node-vjm69                           250m (12%)    0 (0%)      0 (0%)           0 (0%)         5m
          kube-system                 coredns-66dd5cb997-pswrp                    100m (5%)     0 (0%)      70Mi (2%)        170Mi (5%)     5m
          kube-system                 coredns-66dd5cb997-swmcm                    100m (5%)     0 (0%)      70Mi (2%)        170Mi (5%)     5m
          kube-system                 etcd-m-k8s                                  100m (5%)     0 (0%)      0 (0%)           0 (0%)         5m
          kube-system                 kube-apiserver-m-k8s                        250m (12%)    0 (0%)      0 (0%)           0 (0%)         5m
          kube-system                 kube-controller-manager-m-k8s               200m (10%)    0 (0%)      0 (0%)           0 (0%)         5m
          kube-system                 kube-proxy-jc878                            0 (0%)        0 (0%)      0 (0%)           0 (0%)         5m
          kube-system                 kube-scheduler-m-k8s                        100m (5%)     0 (0%)      0 (0%)           0 (0%)         5m
        Allocated resources:
          (Total limits may be over 100 percent, i.e., overcommitted.)
          Resource           Requests     Limits
          --------           --------     ------
          cpu                1100m (55%)  0 (0%)
          memory             140Mi (4%)   340Mi (11%)
          ephemeral-storage  0 (0%)       0 (0%)
          hugepages-1Gi      0 (0%)       0 (0%)
          hugepages-2Mi      0 (0%)       0 (0%)
        Events:
          Type    Reason                   Age    From             Message
          ----    ------                   ----   ----             -------
          Normal  RegisteredNode           5m     node-controller  Node m-k8s event: Registered Node m-k8s in Controller
          Normal  Starting                 5m     kubelet          Starting kubelet.
          Normal  NodeHasSufficientMemory  5m     kubelet          Node m-k8s status is now: NodeHasSufficientMemory
          Normal  NodeHasNoDiskPressure    5m     kubelet          Node m-k8s status is now: NodeHasNoDiskPressure
          Normal  NodeHasSufficientPID     5m     kubelet          Node m-k8s status is now: NodeHasSufficientPID
          Normal  NodeAllocatableEnforced  5m     kubelet          Updated Node Allocatable limit across pods
          Normal  NodeReady                4m59s  kubelet          Node m-k8s status is now: NodeReady
    "#]]);
}

#[test]
fn rolled_out_deployment_lists_old_replica_sets() {
    let mut c = Cluster::new();
    c.ok("create deployment web --image=nginx:1.25 --replicas=1");
    c.advance(30);
    c.ok("set image deployment/web nginx=nginx:1.26");
    c.advance(60);
    c.check("describe deploy web", expect![[r#"
        Name:                   web
        Namespace:              default
        CreationTimestamp:      Mon, 05 Jan 2026 09:00:00 +0000
        Labels:                 app=web
        Annotations:            deployment.kubernetes.io/revision: 2
        Selector:               app=web
        Replicas:               1 desired | 1 updated | 1 total | 1 available | 0 unavailable
        StrategyType:           RollingUpdate
        MinReadySeconds:        0
        RollingUpdateStrategy:  25% max unavailable, 25% max surge
        Pod Template:
          Labels:  app=web
          Containers:
           nginx:
            Image:         nginx:1.26
            Port:          <none>
            Host Port:     <none>
            Environment:   <none>
            Mounts:        <none>
          Volumes:         <none>
          Node-Selectors:  <none>
          Tolerations:     <none>
        Conditions:
          Type           Status  Reason
          ----           ------  ------
          Available      True    MinimumReplicasAvailable
          Progressing    True    NewReplicaSetAvailable
        OldReplicaSets:  web-68bf9f694d (0/0 replicas created)
        NewReplicaSet:   web-865f4cf4d9 (1/1 replicas created)
        Events:
          Type    Reason             Age   From                   Message
          ----    ------             ----  ----                   -------
          Normal  ScalingReplicaSet  90s   deployment-controller  Scaled up replica set web-68bf9f694d from 0 to 1
          Normal  ScalingReplicaSet  60s   deployment-controller  Scaled up replica set web-865f4cf4d9 from 0 to 1
          Normal  ScalingReplicaSet  56s   deployment-controller  Scaled down replica set web-68bf9f694d from 1 to 0
    "#]]);
}

#[test]
fn node_port_service() {
    let mut c = Cluster::new();
    c.ok("create service nodeport web --tcp=80:8080 --node-port=30080");
    c.check("describe service web", expect![[r#"
        Name:                     web
        Namespace:                default
        Labels:                   app=web
        Annotations:              <none>
        Selector:                 app=web
        Type:                     NodePort
        IP Family Policy:         SingleStack
        IP Families:              IPv4
        IP:                       10.99.211.105
        IPs:                      10.99.211.105
        Port:                     80-8080  80/TCP
        TargetPort:               8080/TCP
        NodePort:                 80-8080  30080/TCP
        Endpoints:                
        Session Affinity:         None
        External Traffic Policy:  Cluster
        Internal Traffic Policy:  Cluster
        Events:                   <none>
    "#]]);
}

#[test]
fn hand_built_pod_with_full_status() {
    let mut c = Cluster::new();
    let spec = serde_json::json!({
        "nodeName": "w2-k8s",
        "priorityClassName": "",
        "initContainers": [{"name": "init", "image": "busybox:1.36", "command": ["sh", "-c", "echo hi\nexit 0"]}],
        "containers": [{
            "name": "app",
            "image": "example/app:2",
            "args": ["--listen", ":8080"],
            "ports": [{"containerPort": 8080, "name": "http"}, {"containerPort": 9090, "hostPort": 19090}],
            "resources": {"requests": {"cpu": "0.25", "memory": "64Mi"}, "limits": {"cpu": "1", "memory": "1024Mi"}},
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
            "readinessProbe": {"tcpSocket": {"port": "http"}, "initialDelaySeconds": 5},
            "startupProbe": {"exec": {"command": ["cat", "/tmp/ready"]}},
            "envFrom": [{"configMapRef": {"name": "cfg"}}, {"secretRef": {"name": "sec", "optional": true}, "prefix": "S_"}],
            "env": [
                {"name": "PLAIN", "value": "one\ntwo"},
                {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
                {"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}},
                {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "requests.memory", "divisor": "1Mi"}}},
                {"name": "PASS", "valueFrom": {"secretKeyRef": {"name": "sec", "key": "password"}}},
                {"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "mode", "optional": true}}}
            ],
            "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "cfg", "mountPath": "/etc/app", "readOnly": true, "subPath": "app.conf"}]
        }],
        "volumes": [
            {"name": "data", "emptyDir": {"sizeLimit": "1Gi"}},
            {"name": "cfg", "configMap": {"name": "cfg"}},
            {"name": "host", "hostPath": {"path": "/var/log", "type": "Directory"}},
            {"name": "sec", "secret": {"secretName": "sec"}},
            {"name": "claim", "persistentVolumeClaim": {"claimName": "data-0"}}
        ],
        "nodeSelector": {"disktype": "ssd", "kubernetes.io/os": "linux"},
        "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "app", "effect": "NoSchedule"}, {"operator": "Exists"}],
        "readinessGates": [{"conditionType": "example.com/gate"}]
    });
    let pod = create(&mut c, Kind::Pod, pod_value("full", spec));
    let Object::Pod(mut pod) = pod else { unreachable!() };
    let status = serde_json::json!({
        "phase": "Running",
        "hostIP": "192.168.1.102",
        "podIP": "172.16.1.9",
        "podIPs": [{"ip": "172.16.1.9"}, {"ip": "fd00::9"}],
        "startTime": "2026-01-05T09:00:00Z",
        "qosClass": "Burstable",
        "conditions": [
            {"type": "Initialized", "status": "True", "lastTransitionTime": "2026-01-05T09:00:02Z"},
            {"type": "Ready", "status": "False", "lastTransitionTime": "2026-01-05T09:00:02Z"},
            {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2026-01-05T09:00:00Z"}
        ],
        "initContainerStatuses": [{
            "name": "init", "image": "docker.io/library/busybox:1.36", "imageID": "docker.io/library/busybox@sha256:abc", "containerID": "containerd://i1",
            "ready": true, "restartCount": 0,
            "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": "2026-01-05T09:00:01Z", "finishedAt": "2026-01-05T09:00:01Z"}}
        }],
        "containerStatuses": [{
            "name": "app", "image": "docker.io/example/app:2", "imageID": "docker.io/example/app@sha256:def", "containerID": "containerd://c2",
            "ready": false, "restartCount": 3,
            "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off"}},
            "lastState": {"terminated": {"exitCode": 137, "signal": 9, "reason": "Error", "message": "killed", "startedAt": "2026-01-05T09:01:00Z", "finishedAt": "2026-01-05T09:01:30Z"}}
        }]
    });
    pod.status = Some(serde_json::from_value(status).expect("status decodes"));
    c.world.api_mut().update_status(Object::Pod(pod)).expect("status update");
    c.check("describe pod full", expect![[r#"
        Name:             full
        Namespace:        default
        Priority:         0
        Service Account:  default
        Node:             w2-k8s/192.168.1.102
        Start Time:       Mon, 05 Jan 2026 09:00:00 +0000
        Labels:           <none>
        Annotations:      <none>
        Status:           Running
        IP:               172.16.1.9
        IPs:
          IP:  172.16.1.9
          IP:  fd00::9
        Init Containers:
          init:
            Container ID:  containerd://i1
            Image:         busybox:1.36
            Image ID:      docker.io/library/busybox@sha256:abc
            Port:          <none>
            Host Port:     <none>
            Command:
              sh
              -c
              echo hi
              exit 0
            State:          Terminated
              Reason:       Completed
              Exit Code:    0
              Started:      Mon, 05 Jan 2026 09:00:01 +0000
              Finished:     Mon, 05 Jan 2026 09:00:01 +0000
            Ready:          True
            Restart Count:  0
            Environment:    <none>
            Mounts:
              /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-fhm27 (ro)
        Containers:
          app:
            Container ID:  containerd://c2
            Image:         example/app:2
            Image ID:      docker.io/example/app@sha256:def
            Ports:         8080/TCP (http), 9090/TCP
            Host Ports:    0/TCP (http), 19090/TCP
            Args:
              --listen
              :8080
            State:          Waiting
              Reason:       CrashLoopBackOff
            Last State:     Terminated
              Reason:       Error
              Message:      killed
              Exit Code:    137
              Signal:       9
              Started:      Mon, 05 Jan 2026 09:01:00 +0000
              Finished:     Mon, 05 Jan 2026 09:01:30 +0000
            Ready:          False
            Restart Count:  3
            Limits:
              cpu:     1
              memory:  1Gi
            Requests:
              cpu:      250m
              memory:   64Mi
            Liveness:   http-get http://:8080/healthz delay=0s timeout=1s period=10s successThreshold=1 failureThreshold=3
            Readiness:  tcp-socket :http delay=5s timeout=1s period=10s successThreshold=1 failureThreshold=3
            Startup:    exec [cat /tmp/ready] delay=0s timeout=1s period=10s successThreshold=1 failureThreshold=3
            Environment Variables from:
              cfg  ConfigMap                Optional: false
              sec  Secret with prefix 'S_'  Optional: true
            Environment:
              PLAIN:  one
                      two
              POD:    full (v1:metadata.name)
              NODE:    (v1:spec.nodeName)
              CPU:    1 (limits.cpu)
              MEM:    64 (requests.memory)
              PASS:   <set to the key 'password' in secret 'sec'>  Optional: false
              MODE:   <set to the key 'mode' of config map 'cfg'>  Optional: true
            Mounts:
              /data from data (rw)
              /etc/app from cfg (ro,path="app.conf")
              /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-fhm27 (ro)
        Readiness Gates:
          Type               Status
          example.com/gate   <none> 
        Conditions:
          Type           Status
          Initialized    True 
          Ready          False 
          PodScheduled   True 
        Volumes:
          data:
            Type:       EmptyDir (a temporary directory that shares a pod's lifetime)
            Medium:     
            SizeLimit:  1Gi
          cfg:
            Type:      ConfigMap (a volume populated by a ConfigMap)
            Name:      cfg
            Optional:  false
          host:
            Type:          HostPath (bare host directory volume)
            Path:          /var/log
            HostPathType:  Directory
          sec:
            Type:        Secret (a volume populated by a Secret)
            SecretName:  sec
            Optional:    false
          claim:
            Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)
            ClaimName:  data-0
            ReadOnly:   false
          kube-api-access-fhm27:
            Type:                    Projected (a volume that contains injected data from multiple sources)
            TokenExpirationSeconds:  3607
            ConfigMapName:           kube-root-ca.crt
            Optional:                false
            DownwardAPI:             true
        QoS Class:                   Burstable
        Node-Selectors:              disktype=ssd
                                     kubernetes.io/os=linux
        Tolerations:                 op=Exists
                                     dedicated=app:NoSchedule
        Events:                      <none>
    "#]]);
}

#[test]
fn pod_template_for_rollout_history_keeps_tabs() {
    let t: PodTemplateSpec = serde_json::from_value(serde_json::json!({
        "metadata": {"labels": {"app": "web", "pod-template-hash": "abc"}},
        "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25", "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}
    }))
    .expect("template decodes");
    expect![[r#"
        Pod Template:
          Labels:	app=web
        	pod-template-hash=abc
          Containers:
           nginx:
            Image:	nginx:1.25
            Port:	80/TCP
            Host Port:	0/TCP
            Environment:	<none>
            Mounts:	<none>
          Volumes:	<none>
          Node-Selectors:	<none>
          Tolerations:	<none>
    "#]].assert_eq(&super::pod_template(&t));
}

#[test]
fn counted_series_and_field_path_events() {
    use apiserver::events::{NewApi, Reporter};
    let mut c = Cluster::new();
    c.ok("create service clusterip web --tcp=80:8080");
    let svc = (*c.world.api().get(Kind::Service, "default", "web").expect("service exists")).clone();
    let controller = Reporter::controller("service-controller");
    let new_api = Reporter {
        component: "example-controller".into(),
        host: None,
        new_api: Some(NewApi { reporting_instance: "example-1".into(), action: "Sync".into() }),
    };
    c.world.api_mut().record_event(&svc, None, "Warning", "SyncFailed", "  could not sync\n", &controller);
    c.world.api_mut().record_event(&svc, None, "Normal", "Synced", "synced", &new_api);
    c.advance(120);
    c.world.api_mut().record_event(&svc, None, "Warning", "SyncFailed", "  could not sync\n", &controller);
    c.world.api_mut().record_event(&svc, None, "Normal", "Synced", "synced", &new_api);
    c.world.api_mut().record_event(&svc, Some("spec.ports{80-8080}"), "Normal", "Checked", "port ok", &controller);
    c.advance(30);
    c.check("describe svc web", expect![[r#"
        Name:                     web
        Namespace:                default
        Labels:                   app=web
        Annotations:              <none>
        Selector:                 app=web
        Type:                     ClusterIP
        IP Family Policy:         SingleStack
        IP Families:              IPv4
        IP:                       10.99.211.105
        IPs:                      10.99.211.105
        Port:                     80-8080  80/TCP
        TargetPort:               8080/TCP
        Endpoints:                
        Session Affinity:         None
        Internal Traffic Policy:  Cluster
        Events:
          Type     Reason      Age                  From                Message
          ----     ------      ----                 ----                -------
          Normal   Synced      30s (x2 over 2m30s)  example-controller  synced
          Warning  SyncFailed  30s (x2 over 2m30s)  service-controller  could not sync
          Normal   Checked     30s                  service-controller  spec.ports{80-8080}: port ok
    "#]]);
}

#[test]
fn other_kinds() {
    let mut c = Cluster::new();
    c.ok("create deployment nginx --image=nginx:1.25 --replicas=1 --port=80");
    c.ok("expose deployment nginx --port=80");
    c.advance(30);
    c.check("describe endpoints nginx", expect![[r#"
        Name:         nginx
        Namespace:    default
        Labels:       app=nginx
        Annotations:  endpoints.kubernetes.io/last-change-trigger-time: 2026-01-05T09:00:04Z
        Subsets:
          Addresses:          172.16.132.2
          NotReadyAddresses:  <none>
          Ports:
            Name     Port  Protocol
            ----     ----  --------
            <unset>  80    TCP

        Events:  <none>
    "#]]);
    c.check("describe endpointslices -l kubernetes.io/service-name=nginx", expect![[r#"
        Name:         nginx-q249c
        Namespace:    default
        Labels:       app=nginx
                      endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io
                      kubernetes.io/service-name=nginx
        Annotations:  endpoints.kubernetes.io/last-change-trigger-time: 2026-01-05T09:00:04Z
        AddressType:  IPv4
        Ports:
          Name     Port  Protocol
          ----     ----  --------
          <unset>  80    TCP
        Endpoints:
          - Addresses:  172.16.132.2
            Conditions:
              Ready:    true
            Hostname:   <unset>
            TargetRef:  Pod/nginx-6c45fbff4c-95vnq
            NodeName:   w3-k8s
            Zone:       <unset>
        Events:         <none>
    "#]]);
    c.check("describe ds kube-proxy -n kube-system", expect![[r#"
        Name:           kube-proxy
        Namespace:      kube-system
        Selector:       k8s-app=kube-proxy
        Node-Selector:  kubernetes.io/os=linux
        Labels:         k8s-app=kube-proxy
        Annotations:    <none>
        Desired Number of Nodes Scheduled: 4
        Current Number of Nodes Scheduled: 4
        Number of Nodes Scheduled with Up-to-date Pods: 4
        Number of Nodes Scheduled with Available Pods: 4
        Number of Nodes Misscheduled: 0
        Pods Status:  4 Running / 0 Waiting / 0 Succeeded / 0 Failed
        Pod Template:
          Labels:           k8s-app=kube-proxy
          Service Account:  kube-proxy
          Containers:
           kube-proxy:
            Image:      registry.k8s.io/kube-proxy:v1.37.1
            Port:       <none>
            Host Port:  <none>
            Command:
              /usr/local/bin/kube-proxy
              --config=/var/lib/kube-proxy/config.conf
              --hostname-override=$(NODE_NAME)
            Environment:        <none>
            Mounts:             <none>
          Volumes:              <none>
          Priority Class Name:  system-node-critical
          Node-Selectors:       kubernetes.io/os=linux
          Tolerations:          op=Exists
        Events:
          Type    Reason            Age    From                  Message
          ----    ------            ----   ----                  -------
          Normal  SuccessfulCreate  5m30s  daemonset-controller  Created pod: kube-proxy-jc878
          Normal  SuccessfulCreate  5m30s  daemonset-controller  Created pod: kube-proxy-bhxg8
          Normal  SuccessfulCreate  5m30s  daemonset-controller  Created pod: kube-proxy-knx8n
          Normal  SuccessfulCreate  5m30s  daemonset-controller  Created pod: kube-proxy-8rq5g
    "#]]);
    c.check("describe sa default", expect![[r#"
        Name:                default
        Namespace:           default
        Labels:              <none>
        Annotations:         <none>
        Image pull secrets:  <none>
        Events:              <none>
    "#]]);
    c.check("describe lease w1-k8s -n kube-node-lease", expect![[r#"
        Name:         w1-k8s
        Namespace:    kube-node-lease
        Labels:       <none>
        Annotations:  <none>
        API Version:  coordination.k8s.io/v1
        Kind:         Lease
        Metadata:
          Creation Timestamp:  2026-01-05T08:55:00Z
          Owner References:
            API Version:     v1
            Kind:            Node
            Name:            w1-k8s
            UID:             35305127-3379-43cb-81ac-f0fb2d960883
          Resource Version:  478
          UID:               968a74f7-2ba7-45be-a659-fcddfaf52b64
        Spec:
          Holder Identity:         w1-k8s
          Lease Duration Seconds:  40
          Renew Time:              2026-01-05T09:00:26.397000Z
        Events:                    <none>
    "#]]);
    create(
        &mut c,
        Kind::ConfigMap,
        serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default"}, "data": {"mode": "fast", "app.conf": "a=1\nb=2\n"}}),
    );
    c.check("describe cm cfg", expect![[r#"
        Name:         cfg
        Namespace:    default
        Labels:       <none>
        Annotations:  <none>

        Data
        ====
        app.conf:
        ----
        a=1
        b=2


        mode:
        ----
        fast


        BinaryData
        ====

        Events:  <none>
    "#]]);
    create(
        &mut c,
        Kind::ReplicationController,
        serde_json::json!({"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "legacy", "namespace": "default"},
            "spec": {"replicas": 1, "selector": {"app": "legacy"},
                "template": {"metadata": {"labels": {"app": "legacy"}}, "spec": {"containers": [{"name": "c", "image": "busybox:1.36", "command": ["sleep", "3600"]}]}}}}),
    );
    c.advance(30);
    c.check("describe rc legacy", expect![[r#"
        Name:         legacy
        Namespace:    default
        Selector:     app=legacy
        Labels:       app=legacy
        Annotations:  <none>
        Replicas:     1 current / 1 desired
        Pods Status:  1 Running / 0 Waiting / 0 Succeeded / 0 Failed
        Pod Template:
          Labels:  app=legacy
          Containers:
           c:
            Image:      busybox:1.36
            Port:       <none>
            Host Port:  <none>
            Command:
              sleep
              3600
            Environment:   <none>
            Mounts:        <none>
          Volumes:         <none>
          Node-Selectors:  <none>
          Tolerations:     <none>
        Events:
          Type    Reason            Age   From                    Message
          ----    ------            ----  ----                    -------
          Normal  SuccessfulCreate  30s   replication-controller  Created pod: legacy-6dl4g
    "#]]);
}

#[test]
fn terminating_pod_and_unschedulable_pod() {
    let mut c = Cluster::new();
    c.ok("run web --image=nginx:1.25");
    c.advance(30);
    // The kubelet takes a moment to stop the container; describe in between.
    let mut ctx = Ctx { world: &mut c.world, config: &mut c.config, files: &NoFiles, stdin: None };
    let deleted = run_line(&mut ctx, "delete pod web --wait=false").output().clone();
    assert_eq!(deleted.code, 0, "{}", deleted.stderr);
    let out = c.kubectl("describe pod web");
    let status: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with("Status:") || l.starts_with("Termination Grace Period:")).collect();
    assert_eq!(status, ["Status:                    Terminating (lasts <invalid>)", "Termination Grace Period:  30s"]);
    // A pod no node can take: scheduler events, no node, Pending.
    create(&mut c, Kind::Pod, pod_value("big", serde_json::json!({"containers": [{"name": "big", "image": "nginx:1.25"}], "nodeSelector": {"disktype": "none"}})));
    c.advance(5);
    c.check("describe pod big", expect![[r#"
        Name:             big
        Namespace:        default
        Priority:         0
        Service Account:  default
        Node:             <none>
        Labels:           <none>
        Annotations:      <none>
        Status:           Pending
        IP:               
        IPs:              <none>
        Containers:
          big:
            Image:        nginx:1.25
            Port:         <none>
            Host Port:    <none>
            Environment:  <none>
            Mounts:
              /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-cwb6r (ro)
        Conditions:
          Type           Status
          PodScheduled   False 
        Volumes:
          kube-api-access-cwb6r:
            Type:                    Projected (a volume that contains injected data from multiple sources)
            TokenExpirationSeconds:  3607
            ConfigMapName:           kube-root-ca.crt
            Optional:                false
            DownwardAPI:             true
        QoS Class:                   BestEffort
        Node-Selectors:              disktype=none
        Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
                                     node.kubernetes.io/unreachable:NoExecute op=Exists for 300s
        Events:
          Type     Reason            Age   From               Message
          ----     ------            ----  ----               -------
          Warning  FailedScheduling  5s    default-scheduler  0/4 nodes are available: 1 node(s) had untolerated taint(s), 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.
    "#]]);
}
