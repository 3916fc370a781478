//! The API server's answers to bad requests, one row per request: a base
//! manifest, a JSON merge patch in YAML flow style, the operation, and the
//! exact `code reason: message` Kubernetes 1.37 returns. Expected texts
//! follow pkg/apis/core/validation, pkg/apis/apps/validation,
//! apimachinery/pkg/util/validation and the registries (see
//! /tmp/kp-notes/05-apiserver.md). Then golden snapshots of what defaulting
//! makes of minimal Pod, Deployment and Service manifests.

use crate::{ApiServer, DeleteOptions, FieldValidation, WriteOptions, decode};
use apimachinery::{ApiError, Kind, Object, Timestamp, yaml};
use expect_test::expect;
use serde_json::Value;

const POD: &str = "
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: default}
spec:
  containers:
  - {name: web, image: 'nginx:1.25'}
";

const DEPLOYMENT: &str = "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: 'nginx:1.25'}
";

const REPLICASET: &str = "
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web, namespace: default}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: 'nginx:1.25'}
";

const DAEMONSET: &str = "
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: default}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers:
      - {name: agent, image: 'busybox:1.36'}
";

const RC: &str = "
apiVersion: v1
kind: ReplicationController
metadata: {name: rc, namespace: default}
spec:
  template:
    metadata: {labels: {app: rc}}
    spec:
      containers:
      - {name: web, image: 'nginx:1.25'}
";

const SERVICE: &str = "
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports:
  - {port: 80}
";

const CONFIGMAP: &str = "
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: default}
data: {key: value}
";

const NAMESPACE: &str = "
apiVersion: v1
kind: Namespace
metadata: {name: team}
";

const NODE: &str = "
apiVersion: v1
kind: Node
metadata: {name: node-1}
";

const LEASE: &str = "
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: l, namespace: default}
spec: {holderIdentity: me, leaseDurationSeconds: 15}
";

const ENDPOINTSLICE: &str = "
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-abcde, namespace: default}
addressType: IPv4
endpoints:
- addresses: [10.244.0.5]
ports:
- {name: http, port: 80, protocol: TCP}
";

const EVENT: &str = "
apiVersion: v1
kind: Event
metadata: {name: p.1, namespace: default}
involvedObject: {kind: Pod, name: p, namespace: default}
reason: Started
";

const SERVICEACCOUNT: &str = "
apiVersion: v1
kind: ServiceAccount
metadata: {name: robot, namespace: default}
";

const SUBDOMAIN: &str = r"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const LABEL_VALUE: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const LABEL_KEY_NAME: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const CONFIG_KEY: &str = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const MISMATCH: &str = "`selector` does not match template `labels`";

/// What a row does.
enum Op {
    /// POST the patched base.
    Create,
    /// POST with `fieldValidation=Strict`.
    CreateStrict,
    /// POST the unpatched base, then PUT the stored object with the patch applied.
    Update,
    /// DELETE this namespace.
    DeleteNamespace(&'static str),
}

struct Case {
    name: &'static str,
    /// Objects created first (each a full manifest).
    setup: &'static [&'static str],
    base: &'static str,
    /// A JSON merge patch, in YAML.
    patch: &'static str,
    op: Op,
    /// `<code> <reason>: <message>`, with {SUBDOMAIN}, {LABEL}, {DNS1035},
    /// {LABEL_VALUE}, {LABEL_KEY_NAME}, {CONFIG_KEY} and {MISMATCH} expanded.
    expect: &'static str,
}

fn t0() -> Timestamp {
    "2025-06-01T12:00:00Z".parse().expect("valid timestamp")
}

fn doc(text: &str) -> Value {
    let mut docs = yaml::parse_documents(text).expect("test YAML parses");
    assert_eq!(docs.len(), 1, "one document");
    docs.remove(0)
}

fn kind_of(v: &Value) -> Kind {
    let kind = v["kind"].as_str().expect("kind");
    apimachinery::kinds::KINDS.iter().find(|k| k.name == kind).map(|k| k.kind).expect("served kind")
}

fn decode_and_create(api: &mut ApiServer, v: Value, validation: FieldValidation) -> Result<(), ApiError> {
    let kind = kind_of(&v);
    let obj = decode::decode_typed(api, kind, v, validation)?;
    api.create(obj, &WriteOptions { field_validation: validation, ..Default::default() }).map(|_| ())
}

/// A cluster with the `default` namespace and its `default` ServiceAccount.
fn cluster() -> ApiServer {
    let mut api = ApiServer::new(1, t0(), Default::default());
    for m in ["{apiVersion: v1, kind: Namespace, metadata: {name: default}}", "{apiVersion: v1, kind: Namespace, metadata: {name: kube-system}}"] {
        decode_and_create(&mut api, doc(m), FieldValidation::Strict).expect("namespace");
    }
    decode_and_create(&mut api, doc("{apiVersion: v1, kind: ServiceAccount, metadata: {name: default, namespace: default}}"), FieldValidation::Strict)
        .expect("service account");
    api
}

fn run(case: &Case) -> String {
    let mut api = cluster();
    for m in case.setup {
        if let Some(ns) = m.strip_prefix("delete namespace ") {
            api.delete(Kind::Namespace, "", ns, &DeleteOptions::default()).expect("setup delete");
            continue;
        }
        decode_and_create(&mut api, doc(m), FieldValidation::Strict).unwrap_or_else(|e| panic!("{}: setup failed: {}", case.name, e.message));
    }
    let mut body = doc(case.base);
    // An empty patch leaves the base as it is (a JSON merge patch of null would erase it).
    let patch = if case.patch.is_empty() { serde_json::json!({}) } else { doc(case.patch) };
    let result = match case.op {
        Op::Create => {
            json_patch::merge(&mut body, &patch);
            decode_and_create(&mut api, body, FieldValidation::Warn)
        }
        Op::CreateStrict => {
            json_patch::merge(&mut body, &patch);
            decode_and_create(&mut api, body, FieldValidation::Strict)
        }
        Op::Update => {
            let kind = kind_of(&body);
            decode_and_create(&mut api, body.clone(), FieldValidation::Strict).unwrap_or_else(|e| panic!("{}: base create failed: {}", case.name, e.message));
            let name = body["metadata"]["name"].as_str().unwrap_or_default();
            let ns = body["metadata"]["namespace"].as_str().unwrap_or_default();
            let mut stored = api.get(kind, ns, name).expect("stored").to_value();
            json_patch::merge(&mut stored, &patch);
            decode::decode_typed(&mut api, kind, stored, FieldValidation::Strict).and_then(|o| api.update(o, &WriteOptions::default()).map(|_| ()))
        }
        Op::DeleteNamespace(ns) => api.delete(Kind::Namespace, "", ns, &DeleteOptions::default()).map(|_| ()),
    };
    match result {
        Ok(()) => "ok".to_string(),
        Err(e) => format!("{} {}: {}", e.code, e.reason.as_str(), e.message),
    }
}

fn expand(s: &str) -> String {
    s.replace("{SUBDOMAIN}", SUBDOMAIN)
        .replace("{LABEL_VALUE}", LABEL_VALUE)
        .replace("{LABEL_KEY_NAME}", LABEL_KEY_NAME)
        .replace("{LABEL}", LABEL)
        .replace("{DNS1035}", DNS1035)
        .replace("{CONFIG_KEY}", CONFIG_KEY)
        .replace("{MISMATCH}", MISMATCH)
}

const CASES: &[Case] = &[
    // ---- names -----------------------------------------------------------
    Case {
        name: "invalid pod name",
        setup: &[],
        base: POD,
        patch: "{metadata: {name: My_Pod}}",
        op: Op::Create,
        expect: r#"422 Invalid: Pod "My_Pod" is invalid: metadata.name: Invalid value: "My_Pod": {SUBDOMAIN}"#,
    },
    Case {
        name: "uppercase namespace name",
        setup: &[],
        base: NAMESPACE,
        patch: "{metadata: {name: Prod}}",
        op: Op::Create,
        expect: r#"422 Invalid: Namespace "Prod" is invalid: metadata.name: Invalid value: "Prod": {LABEL}"#,
    },
    Case {
        name: "namespace name with dots",
        setup: &[],
        base: NAMESPACE,
        patch: "{metadata: {name: team.a}}",
        op: Op::Create,
        expect: r#"422 Invalid: Namespace "team.a" is invalid: metadata.name: Invalid value: "team.a": must not contain dots"#,
    },
    Case {
        name: "service name starting with a digit",
        setup: &[],
        base: SERVICE,
        patch: "{metadata: {name: 1web}}",
        op: Op::Create,
        expect: r#"422 Invalid: Service "1web" is invalid: metadata.name: Invalid value: "1web": {DNS1035}"#,
    },
    Case {
        name: "too long name gives two errors",
        setup: &[],
        base: SERVICE,
        patch: "{metadata: {name: a234567890123456789012345678901234567890123456789012345678901234-}}",
        op: Op::Create,
        expect: r#"422 Invalid: Service "a234567890123456789012345678901234567890123456789012345678901234-" is invalid: [metadata.name: Invalid value: "a234567890123456789012345678901234567890123456789012345678901234-": must be no more than 63 characters, metadata.name: Invalid value: "a234567890123456789012345678901234567890123456789012345678901234-": {DNS1035}]"#,
    },
    Case {
        name: "bad generateName reports both generateName and the generated name",
        setup: &[],
        base: POD,
        patch: "{metadata: {name: null, generateName: Web-}}",
        op: Op::Create,
        expect: r#"422 Invalid: Pod "Web-68bq9" is invalid: [metadata.generateName: Invalid value: "Web-": {SUBDOMAIN}, metadata.name: Invalid value: "Web-68bq9": {SUBDOMAIN}]"#,
    },
    Case {
        name: "node name",
        setup: &[],
        base: NODE,
        patch: "{metadata: {name: Node_1}}",
        op: Op::Create,
        expect: r#"422 Invalid: Node "Node_1" is invalid: metadata.name: Invalid value: "Node_1": {SUBDOMAIN}"#,
    },
    Case {
        name: "service account name",
        setup: &[],
        base: SERVICEACCOUNT,
        patch: "{metadata: {name: Robot}}",
        op: Op::Create,
        expect: r#"422 Invalid: ServiceAccount "Robot" is invalid: metadata.name: Invalid value: "Robot": {SUBDOMAIN}"#,
    },
    // ---- labels and annotations -------------------------------------------
    Case {
        name: "bad label value",
        setup: &[],
        base: POD,
        patch: "{metadata: {labels: {app: -web}}}",
        op: Op::Create,
        expect: r#"422 Invalid: Pod "p" is invalid: metadata.labels: Invalid value: "-web": {LABEL_VALUE}"#,
    },
    Case {
        name: "bad label key",
        setup: &[],
        base: POD,
        patch: "{metadata: {labels: {-app: web}}}",
        op: Op::Create,
        expect: r#"422 Invalid: Pod "p" is invalid: metadata.labels: Invalid value: "-app": {LABEL_KEY_NAME}"#,
    },
    Case {
        name: "label key with an empty prefix",
        setup: &[],
        base: POD,
        patch: "{metadata: {labels: {/app: web}}}",
        op: Op::Create,
        expect: r#"422 Invalid: Pod "p" is invalid: metadata.labels: Invalid value: "/app": prefix part must be non-empty"#,
    },
    Case {
        name: "label value too long",
        setup: &[],
        base: POD,
        patch: "{metadata: {labels: {app: a234567890123456789012345678901234567890123456789012345678901234}}}",
        op: Op::Create,
        expect: r#"422 Invalid: Pod "p" is invalid: metadata.labels: Invalid value: "a234567890123456789012345678901234567890123456789012345678901234": must be no more than 63 bytes"#,
    },
    Case {
        name: "too long annotations",
        setup: &[],
        base: CONFIGMAP,
        patch: "",
        op: Op::Create,
        expect: "sentinel: replaced in the test body",
    },
    // ---- pods ---------------------------------------------------------------
    Case {
        name: "missing containers",
        setup: &[],
        base: POD,
        patch: "{spec: {containers: []}}",
        op: Op::Create,
        expect: r#"422 Invalid: Pod "p" is invalid: spec.containers: Required value"#,
    },
    Case {
        name: "missing image",
        setup: &[],
        base: POD,
        patch: "{spec: {containers: [{name: web}]}}",
        op: Op::Create,
        expect: r#"422 Invalid: Pod "p" is invalid: spec.containers[0].image: Required value"#,
    },
    Case {
        name: "bad restartPolicy lists the values in code order",
        setup: &[],
        base: POD,
        patch: "{spec: {restartPolicy: Sometimes}}",
        op: Op::Create,
        expect: r#"422 Invalid: Pod "p" is invalid: spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never""#,
    },
    Case {
        name: "duplicate container names",
        setup: &[],
        base: POD,
        patch: "{spec: {containers: [{name: web, image: nginx}, {name: web, image: redis}]}}",
        op: Op::Create,
        expect: r#"422 Invalid: Pod "p" is invalid: spec.containers[1].name: Duplicate value: "web""#,
    },
    Case {
        name: "containerPort 0",
        setup: &[],
        base: POD,
        patch: "{spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 0}]}]}}",
        op: Op::Create,
        expect: r#"422 Invalid: Pod "p" is invalid: spec.containers[0].ports[0].containerPort: Required value"#,
    },
    Case {
        name: "containerPort 70000",
        setup: &[],
        base: POD,
        patch: "{spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 70000}]}]}}",
        op: Op::Create,
        expect: r#"422 Invalid: Pod "p" is invalid: spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"#,
    },
    Case {
        name: "containerPort as a string is a decode error",
        setup: &[],
        base: POD,
        patch: "{spec: {containers: [{name: web, image: nginx, ports: [{containerPort: '80'}]}]}}",
        op: Op::Create,
        expect: r#"400 BadRequest: Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32"#,
    },
    Case {
        name: "duplicate host ports across containers",
        setup: &[],
        base: POD,
        patch: "{spec: {containers: [{name: a, image: nginx, ports: [{containerPort: 80, hostPort: 8080}]}, {name: b, image: nginx, ports: [{containerPort: 81, hostPort: 8080}]}]}}",
        op: Op::Create,
        expect: r#"422 Invalid: Pod "p" is invalid: spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080""#,
    },
    Case {
        name: "volume mount of an unknown volume",
        setup: &[],
        base: POD,
        patch: "{spec: {containers: [{name: web, image: nginx, volumeMounts: [{name: data, mountPath: /data}]}]}}",
        op: Op::Create,
        expect: r#"422 Invalid: Pod "p" is invalid: spec.containers[0].volumeMounts[0].name: Not found: "data""#,
    },
    Case {
        name: "two volume sources",
        setup: &[],
        base: POD,
        patch: "{spec: {volumes: [{name: data, emptyDir: {}, configMap: {name: c}}]}}",
        op: Op::Create,
        expect: r#"422 Invalid: Pod "p" is invalid: spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type"#,
    },
    Case {
        name: "env var name with '='",
        setup: &[],
        base: POD,
        patch: "{spec: {containers: [{name: web, image: nginx, env: [{name: 'A=B', value: x}]}]}}",
        op: Op::Create,
        expect: r#"422 Invalid: Pod "p" is invalid: spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='"#,
    },
    Case {
        name: "restartPolicy on a regular container",
        setup: &[],
        base: POD,
        patch: "{spec: {containers: [{name: web, image: nginx, restartPolicy: Always}]}}",
        op: Op::Create,
        expect: r#"422 Invalid: Pod "p" is invalid: spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers"#,
    },
    Case {
        name: "several pod errors in Kubernetes' order",
        setup: &[],
        base: POD,
        patch: "{spec: {restartPolicy: Sometimes, nodeName: Node_1, containers: [{name: Web, ports: [{containerPort: 0, protocol: tcp}]}]}}",
        op: Op::Create,
        expect: r#"422 Invalid: Pod "p" is invalid: [spec.containers[0].name: Invalid value: "Web": {LABEL}, spec.containers[0].image: Required value, spec.containers[0].ports[0].containerPort: Required value, spec.containers[0].ports[0].protocol: Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP", spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never", spec.nodeName: Invalid value: "Node_1": {SUBDOMAIN}]"#,
    },
    Case {
        name: "pod update that changes more than images",
        setup: &[],
        base: POD,
        patch: "{spec: {containers: [{name: web, image: 'nginx:1.26', command: [sh]}]}}",
        op: Op::Update,
        expect: "422 Invalid: Pod \"p\" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
    },
    Case {
        name: "pod update of an updatable field",
        setup: &[],
        base: POD,
        patch: "{spec: {activeDeadlineSeconds: 30}}",
        op: Op::Update,
        expect: "ok",
    },
    Case {
        name: "pod update that adds a container",
        setup: &[],
        base: POD,
        patch: "{spec: {containers: [{name: web, image: 'nginx:1.25'}, {name: side, image: busybox}]}}",
        op: Op::Update,
        expect: r#"422 Invalid: Pod "p" is invalid: spec.containers: Forbidden: pod updates may not add or remove containers"#,
    },
    // ---- workloads ------------------------------------------------------------
    Case {
        name: "deployment without selector",
        setup: &[],
        base: DEPLOYMENT,
        patch: "{spec: {selector: null}}",
        op: Op::Create,
        expect: r#"422 Invalid: Deployment.apps "web" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: {"app":"web"}: {MISMATCH}]"#,
    },
    Case {
        name: "deployment with an empty selector",
        setup: &[],
        base: DEPLOYMENT,
        patch: "{spec: {selector: {matchLabels: null}}}",
        op: Op::Create,
        expect: r#"422 Invalid: Deployment.apps "web" is invalid: spec.selector: Invalid value: {}: empty selector is invalid for deployment"#,
    },
    Case {
        name: "deployment selector does not match labels",
        setup: &[],
        base: DEPLOYMENT,
        patch: "{spec: {selector: {matchLabels: {app: api}}}}",
        op: Op::Create,
        expect: r#"422 Invalid: Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: {"app":"web"}: {MISMATCH}"#,
    },
    Case {
        name: "replicaset selector does not match labels",
        setup: &[],
        base: REPLICASET,
        patch: "{spec: {selector: {matchLabels: {app: api}}}}",
        op: Op::Create,
        expect: r#"422 Invalid: ReplicaSet.apps "web" is invalid: spec.template.metadata.labels: Invalid value: {"app":"web"}: {MISMATCH}"#,
    },
    Case {
        name: "replication controller selector does not match labels",
        setup: &[],
        base: RC,
        patch: "{spec: {selector: {app: api}}}",
        op: Op::Create,
        expect: r#"422 Invalid: ReplicationController "rc" is invalid: spec.template.metadata.labels: Invalid value: {"app":"rc"}: {MISMATCH}"#,
    },
    Case {
        name: "replication controller without labels or selector",
        setup: &[],
        base: RC,
        patch: "{spec: {template: {metadata: {labels: null}}}}",
        op: Op::Create,
        expect: r#"422 Invalid: ReplicationController "rc" is invalid: spec.selector: Required value"#,
    },
    Case {
        name: "daemonset without selector",
        setup: &[],
        base: DAEMONSET,
        patch: "{spec: {selector: null}}",
        op: Op::Create,
        expect: r#"422 Invalid: DaemonSet.apps "agent" is invalid: spec.template.metadata.labels: Invalid value: {"app":"agent"}: {MISMATCH}"#,
    },
    Case {
        name: "negative replicas",
        setup: &[],
        base: DEPLOYMENT,
        patch: "{spec: {replicas: -1}}",
        op: Op::Create,
        expect: r#"422 Invalid: Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"#,
    },
    Case {
        name: "deployment selector change is immutable",
        setup: &[],
        base: DEPLOYMENT,
        patch: "{spec: {selector: {matchLabels: {app: api}}, template: {metadata: {labels: {app: api}}}}}",
        op: Op::Update,
        expect: r#"422 Invalid: Deployment.apps "web" is invalid: spec.selector: Invalid value: {"matchLabels":{"app":"api"}}: field is immutable"#,
    },
    Case {
        name: "replicaset selector change is immutable",
        setup: &[],
        base: REPLICASET,
        patch: "{spec: {selector: {matchLabels: {app: web, tier: fe}}, template: {metadata: {labels: {app: web, tier: fe}}}}}",
        op: Op::Update,
        expect: r#"422 Invalid: ReplicaSet.apps "web" is invalid: spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"fe"}}: field is immutable"#,
    },
    Case {
        name: "maxSurge and maxUnavailable both 0",
        setup: &[],
        base: DEPLOYMENT,
        patch: "{spec: {strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}}}",
        op: Op::Create,
        expect: "422 Invalid: Deployment.apps \"web\" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0",
    },
    Case {
        name: "maxUnavailable over 100%",
        setup: &[],
        base: DEPLOYMENT,
        patch: "{spec: {strategy: {rollingUpdate: {maxUnavailable: '150%'}}}}",
        op: Op::Create,
        expect: r#"422 Invalid: Deployment.apps "web" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%"#,
    },
    Case {
        name: "bad strategy type renders the internal struct",
        setup: &[],
        base: DEPLOYMENT,
        patch: "{spec: {strategy: {type: BlueGreen}}}",
        op: Op::Create,
        expect: r#"422 Invalid: Deployment.apps "web" is invalid: spec.strategy: Unsupported value: {"Type":"BlueGreen","RollingUpdate":null}: supported values: "Recreate", "RollingUpdate""#,
    },
    Case {
        name: "rollingUpdate with Recreate",
        setup: &[],
        base: DEPLOYMENT,
        patch: "{spec: {strategy: {type: Recreate, rollingUpdate: {maxSurge: 1}}}}",
        op: Op::Create,
        expect: "422 Invalid: Deployment.apps \"web\" is invalid: spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
    },
    Case {
        name: "template restartPolicy must be Always",
        setup: &[],
        base: DEPLOYMENT,
        patch: "{spec: {template: {spec: {restartPolicy: Never}}}}",
        op: Op::Create,
        expect: r#"422 Invalid: Deployment.apps "web" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always""#,
    },
    Case {
        name: "template label errors use the template path",
        setup: &[],
        base: DEPLOYMENT,
        patch: "{spec: {selector: {matchLabels: {app: -web}}, template: {metadata: {labels: {app: -web}}}}}",
        op: Op::Create,
        expect: r#"422 Invalid: Deployment.apps "web" is invalid: [spec.selector.matchLabels: Invalid value: "-web": {LABEL_VALUE}, spec.template.labels: Invalid value: "-web": {LABEL_VALUE}]"#,
    },
    Case {
        name: "progressDeadlineSeconds not above minReadySeconds",
        setup: &[],
        base: DEPLOYMENT,
        patch: "{spec: {minReadySeconds: 10, progressDeadlineSeconds: 5}}",
        op: Op::Create,
        expect: r#"422 Invalid: Deployment.apps "web" is invalid: spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds"#,
    },
    // ---- services ---------------------------------------------------------------
    Case {
        name: "service without ports",
        setup: &[],
        base: SERVICE,
        patch: "{spec: {ports: null}}",
        op: Op::Create,
        expect: r#"422 Invalid: Service "web" is invalid: spec.ports: Required value"#,
    },
    Case {
        name: "unnamed ports when there are several",
        setup: &[],
        base: SERVICE,
        patch: "{spec: {ports: [{port: 80}, {port: 443}]}}",
        op: Op::Create,
        expect: r#"422 Invalid: Service "web" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Required value]"#,
    },
    Case {
        name: "duplicate port renders the internal ServicePort",
        setup: &[],
        base: SERVICE,
        patch: "{spec: {ports: [{name: a, port: 80}, {name: b, port: 80, targetPort: 8080}]}}",
        op: Op::Create,
        expect: r#"422 Invalid: Service "web" is invalid: spec.ports[1]: Duplicate value: {"Name":"","Protocol":"TCP","AppProtocol":null,"Port":80,"TargetPort":0,"NodePort":0}"#,
    },
    Case {
        name: "nodePort 8080 is out of range",
        setup: &[],
        base: SERVICE,
        patch: "{spec: {type: NodePort, ports: [{port: 80, nodePort: 8080}]}}",
        op: Op::Create,
        expect: r#"422 Invalid: Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767"#,
    },
    Case {
        name: "duplicate nodePort in one service (the allocator sees it first)",
        setup: &[],
        base: SERVICE,
        patch: "{spec: {type: NodePort, ports: [{name: a, port: 80, nodePort: 30080}, {name: b, port: 81, nodePort: 30080}]}}",
        op: Op::Create,
        expect: r#"422 Invalid: Service "web" is invalid: spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated"#,
    },
    Case {
        name: "nodePort used by another service",
        setup: &["{apiVersion: v1, kind: Service, metadata: {name: other, namespace: default}, spec: {type: NodePort, ports: [{port: 80, nodePort: 30080}]}}"],
        base: SERVICE,
        patch: "{spec: {type: NodePort, ports: [{port: 80, nodePort: 30080}]}}",
        op: Op::Create,
        expect: r#"422 Invalid: Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"#,
    },
    Case {
        name: "ClusterIP service with a nodePort",
        setup: &[],
        base: SERVICE,
        patch: "{spec: {ports: [{port: 80, nodePort: 30080}]}}",
        op: Op::Create,
        expect: "422 Invalid: Service \"web\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    },
    Case {
        name: "clusterIP change on update",
        setup: &[],
        base: SERVICE,
        patch: "{spec: {clusterIP: 10.96.0.100}}",
        op: Op::Update,
        expect: r#"422 Invalid: Service "web" is invalid: spec.clusterIPs[0]: Invalid value: ["10.96.0.100"]: may not change once set"#,
    },
    Case {
        name: "clusterIP outside the service range",
        setup: &[],
        base: SERVICE,
        patch: "{spec: {clusterIP: 192.168.1.1}}",
        op: Op::Create,
        expect: r#"422 Invalid: Service "web" is invalid: spec.clusterIPs: Invalid value: ["192.168.1.1"]: failed to allocate IP 192.168.1.1: the provided IP (192.168.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12"#,
    },
    Case {
        name: "externalTrafficPolicy on a ClusterIP service",
        setup: &[],
        base: SERVICE,
        patch: "{spec: {externalTrafficPolicy: Local}}",
        op: Op::Create,
        expect: r#"422 Invalid: Service "web" is invalid: spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services"#,
    },
    Case {
        name: "bad externalTrafficPolicy on a NodePort service",
        setup: &[],
        base: SERVICE,
        patch: "{spec: {type: NodePort, externalTrafficPolicy: Global}}",
        op: Op::Create,
        expect: r#"422 Invalid: Service "web" is invalid: spec.externalTrafficPolicy: Unsupported value: "Global": supported values: "Cluster", "Local""#,
    },
    Case {
        name: "ExternalName without externalName",
        setup: &[],
        base: SERVICE,
        patch: "{spec: {type: ExternalName, ports: null, selector: null}}",
        op: Op::Create,
        expect: r#"422 Invalid: Service "web" is invalid: spec.externalName: Required value"#,
    },
    Case {
        name: "bad service type",
        setup: &[],
        base: SERVICE,
        patch: "{spec: {type: Internal}}",
        op: Op::Create,
        expect: r#"422 Invalid: Service "web" is invalid: spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort""#,
    },
    // ---- other kinds -----------------------------------------------------------
    Case {
        name: "config map key",
        setup: &[],
        base: CONFIGMAP,
        patch: "{data: {'bad key': x}}",
        op: Op::Create,
        expect: r#"422 Invalid: ConfigMap "c" is invalid: data[bad key]: Invalid value: "bad key": {CONFIG_KEY}"#,
    },
    Case {
        name: "namespace spec.finalizers",
        setup: &[],
        base: NAMESPACE,
        patch: "{spec: {finalizers: [foo]}}",
        op: Op::Create,
        expect: r#"422 Invalid: Namespace "team" is invalid: spec.finalizers: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified"#,
    },
    Case {
        name: "metadata.finalizers",
        setup: &[],
        base: CONFIGMAP,
        patch: "{metadata: {finalizers: [foo]}}",
        op: Op::Create,
        expect: r#"422 Invalid: ConfigMap "c" is invalid: metadata.finalizers[0]: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified"#,
    },
    Case {
        name: "lease duration",
        setup: &[],
        base: LEASE,
        patch: "{spec: {leaseDurationSeconds: 0}}",
        op: Op::Create,
        expect: r#"422 Invalid: Lease.coordination.k8s.io "l" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"#,
    },
    Case {
        name: "endpointslice address type",
        setup: &[],
        base: ENDPOINTSLICE,
        patch: "{addressType: IPv5}",
        op: Op::Create,
        expect: r#"422 Invalid: EndpointSlice.discovery.k8s.io "web-abcde" is invalid: addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6""#,
    },
    Case {
        name: "event in another namespace than its object",
        setup: &[],
        base: EVENT,
        patch: "{involvedObject: {namespace: kube-system}}",
        op: Op::Create,
        expect: r#"422 Invalid: Event "p.1" is invalid: involvedObject.namespace: Invalid value: "kube-system": does not match event.namespace"#,
    },
    // ---- the request pipeline -----------------------------------------------
    Case {
        name: "create in a missing namespace",
        setup: &[],
        base: POD,
        patch: "{metadata: {namespace: nope}}",
        op: Op::Create,
        expect: r#"404 NotFound: namespaces "nope" not found"#,
    },
    Case {
        name: "create in a terminating namespace",
        setup: &["{apiVersion: v1, kind: Namespace, metadata: {name: old}}", "delete namespace old"],
        base: POD,
        patch: "{metadata: {namespace: old}}",
        op: Op::Create,
        expect: r#"403 Forbidden: pods "p" is forbidden: unable to create new content in namespace old because it is being terminated"#,
    },
    Case {
        name: "terminating namespace names a generated pod by its generateName",
        setup: &["{apiVersion: v1, kind: Namespace, metadata: {name: old}}", "delete namespace old"],
        base: POD,
        patch: "{metadata: {name: null, generateName: web-, namespace: old}}",
        op: Op::Create,
        expect: r#"403 Forbidden: pods "web-" is forbidden: unable to create new content in namespace old because it is being terminated"#,
    },
    Case {
        name: "missing service account",
        setup: &["{apiVersion: v1, kind: Namespace, metadata: {name: team}}"],
        base: POD,
        patch: "{metadata: {namespace: team}}",
        op: Op::Create,
        expect: r#"403 Forbidden: pods "p" is forbidden: error looking up service account team/default: serviceaccount "default" not found"#,
    },
    Case {
        name: "deleting kube-system",
        setup: &[],
        base: POD,
        patch: "",
        op: Op::DeleteNamespace("kube-system"),
        expect: r#"403 Forbidden: namespaces "kube-system" is forbidden: this namespace may not be deleted"#,
    },
    Case {
        name: "AlreadyExists",
        setup: &["{apiVersion: v1, kind: Pod, metadata: {name: p, namespace: default}, spec: {containers: [{name: web, image: nginx}]}}"],
        base: POD,
        patch: "",
        op: Op::Create,
        expect: r#"409 AlreadyExists: pods "p" already exists"#,
    },
    Case {
        name: "AlreadyExists for a namespace being deleted",
        setup: &["{apiVersion: v1, kind: Namespace, metadata: {name: team}}", "delete namespace team"],
        base: NAMESPACE,
        patch: "",
        op: Op::Create,
        expect: r#"409 AlreadyExists: object is being deleted: namespaces "team" already exists"#,
    },
    Case {
        name: "Conflict on a stale resourceVersion",
        setup: &[],
        base: DEPLOYMENT,
        patch: "{metadata: {resourceVersion: '1'}}",
        op: Op::Update,
        expect: r#"409 Conflict: Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again"#,
    },
    Case {
        name: "strict unknown fields",
        setup: &[],
        base: POD,
        patch: "{spec: {foo: 1, containers: [{name: web, image: nginx, bar: 2}]}}",
        op: Op::CreateStrict,
        expect: r#"400 BadRequest: Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].bar", unknown field "spec.foo""#,
    },
    Case {
        name: "unknown fields only warn by default",
        setup: &[],
        base: POD,
        patch: "{spec: {foo: 1}}",
        op: Op::Create,
        expect: "ok",
    },
];

#[test]
fn validation_messages() {
    let mut failures = vec![];
    for case in CASES {
        let expected = if case.name == "too long annotations" {
            r#"422 Invalid: ConfigMap "c" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes"#.to_string()
        } else {
            expand(case.expect)
        };
        let got = if case.name == "too long annotations" { run_big_annotation() } else { run(case) };
        if got != expected {
            failures.push(format!("case {:?}\n  expected: {expected}\n       got: {got}", case.name));
        }
    }
    assert!(CASES.len() >= 40, "the table covers at least 40 requests");
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), CASES.len(), failures.join("\n"));
}

/// 256 KiB of annotations plus one byte.
fn run_big_annotation() -> String {
    let mut api = cluster();
    let mut body = doc(CONFIGMAP);
    body["metadata"]["annotations"] = serde_json::json!({ "a": "x".repeat(256 * 1024) });
    match decode_and_create(&mut api, body, FieldValidation::Strict) {
        Ok(()) => "ok".into(),
        Err(e) => format!("{} {}: {}", e.code, e.reason.as_str(), e.message),
    }
}

#[test]
fn annotations_at_the_limit_are_accepted() {
    let mut api = cluster();
    let mut body = doc(CONFIGMAP);
    body["metadata"]["annotations"] = serde_json::json!({ "a": "x".repeat(256 * 1024 - 1) });
    assert_eq!(decode_and_create(&mut api, body, FieldValidation::Strict).map_err(|e| e.message), Ok(()));
}

#[test]
fn config_map_over_one_mebibyte() {
    let mut api = cluster();
    let mut body = doc(CONFIGMAP);
    body["data"] = serde_json::json!({ "a": "x".repeat(1024 * 1024), "b": "y" });
    let err = decode_and_create(&mut api, body, FieldValidation::Strict).expect_err("too large");
    assert_eq!(err.message, r#"ConfigMap "c" is invalid: : Too long: may not be more than 1048576 bytes"#);
}

#[test]
fn invalid_errors_carry_causes() {
    let mut api = cluster();
    let mut body = doc(DEPLOYMENT);
    body["spec"]["selector"] = Value::Null;
    let err = decode_and_create(&mut api, body, FieldValidation::Strict).expect_err("invalid");
    expect![[r#"
        {
          "apiVersion": "v1",
          "code": 422,
          "details": {
            "causes": [
              {
                "field": "spec.selector",
                "message": "Required value",
                "reason": "FieldValueRequired"
              },
              {
                "field": "spec.template.metadata.labels",
                "message": "Invalid value: {\"app\":\"web\"}: `selector` does not match template `labels`",
                "reason": "FieldValueInvalid"
              }
            ],
            "group": "apps",
            "kind": "Deployment",
            "name": "web"
          },
          "kind": "Status",
          "message": "Deployment.apps \"web\" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does not match template `labels`]",
          "metadata": {},
          "reason": "Invalid",
          "status": "Failure"
        }"#]]
    .assert_eq(&serde_json::to_string_pretty(&err.to_status()).expect("json"));
}

/// The stored object as YAML, for the defaulting snapshots.
fn created(api: &mut ApiServer, manifest: &str) -> String {
    let v = doc(manifest);
    let kind = kind_of(&v);
    let obj = decode::decode_typed(api, kind, v, FieldValidation::Strict).expect("decodes");
    let stored = api.create(obj, &WriteOptions::default()).unwrap_or_else(|e| panic!("create failed: {}", e.message));
    assert!(matches!(&*stored, Object::Pod(_) | Object::Deployment(_) | Object::Service(_)), "a kind with defaults");
    yaml::to_yaml(&stored.to_value())
}

#[test]
fn defaulted_pod() {
    let mut api = cluster();
    expect![[r#"
        apiVersion: v1
        kind: Pod
        metadata:
          creationTimestamp: "2025-06-01T12:00:00Z"
          generation: 1
          name: p
          namespace: default
          resourceVersion: "5"
          uid: fb24cba6-3439-4d31-8548-f09f28e19b75
        spec:
          containers:
          - image: nginx:1.25
            imagePullPolicy: IfNotPresent
            name: web
            terminationMessagePath: /dev/termination-log
            terminationMessagePolicy: File
            volumeMounts:
            - mountPath: /var/run/secrets/kubernetes.io/serviceaccount
              name: kube-api-access-68bq9
              readOnly: true
          dnsPolicy: ClusterFirst
          enableServiceLinks: true
          preemptionPolicy: PreemptLowerPriority
          priority: 0
          restartPolicy: Always
          schedulerName: default-scheduler
          securityContext: {}
          serviceAccount: default
          serviceAccountName: default
          terminationGracePeriodSeconds: 30
          tolerations:
          - effect: NoExecute
            key: node.kubernetes.io/not-ready
            operator: Exists
            tolerationSeconds: 300
          - effect: NoExecute
            key: node.kubernetes.io/unreachable
            operator: Exists
            tolerationSeconds: 300
          volumes:
          - name: kube-api-access-68bq9
            projected:
              defaultMode: 420
              sources:
              - serviceAccountToken:
                  expirationSeconds: 3607
                  path: token
              - configMap:
                  items:
                  - key: ca.crt
                    path: ca.crt
                  name: kube-root-ca.crt
              - downwardAPI:
                  items:
                  - fieldRef:
                      apiVersion: v1
                      fieldPath: metadata.namespace
                    path: namespace
        status:
          phase: Pending
          qosClass: BestEffort
    "#]]
    .assert_eq(&created(&mut api, POD));
}

#[test]
fn defaulted_deployment() {
    let mut api = cluster();
    expect![[r#"
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          creationTimestamp: "2025-06-01T12:00:00Z"
          generation: 1
          name: web
          namespace: default
          resourceVersion: "5"
          uid: e3f56703-b0cd-4d71-aeb3-abf3203ada36
        spec:
          progressDeadlineSeconds: 600
          replicas: 1
          revisionHistoryLimit: 10
          selector:
            matchLabels:
              app: web
          strategy:
            rollingUpdate:
              maxSurge: 25%
              maxUnavailable: 25%
            type: RollingUpdate
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - image: nginx:1.25
                imagePullPolicy: IfNotPresent
                name: web
                terminationMessagePath: /dev/termination-log
                terminationMessagePolicy: File
              dnsPolicy: ClusterFirst
              restartPolicy: Always
              schedulerName: default-scheduler
              securityContext: {}
              terminationGracePeriodSeconds: 30
        status: {}
    "#]]
    .assert_eq(&created(&mut api, DEPLOYMENT));
}

#[test]
fn defaulted_service() {
    let mut api = cluster();
    expect![[r#"
        apiVersion: v1
        kind: Service
        metadata:
          creationTimestamp: "2025-06-01T12:00:00Z"
          name: web
          namespace: default
          resourceVersion: "5"
          uid: aeb3abf3-203a-4a36-9ab0-ad88e97a0958
        spec:
          clusterIP: 10.110.73.152
          clusterIPs:
          - 10.110.73.152
          internalTrafficPolicy: Cluster
          ipFamilies:
          - IPv4
          ipFamilyPolicy: SingleStack
          ports:
          - port: 80
            protocol: TCP
            targetPort: 80
          selector:
            app: web
          sessionAffinity: None
          type: ClusterIP
        status:
          loadBalancer: {}
    "#]]
    .assert_eq(&created(&mut api, SERVICE));
}

#[test]
fn defaulted_nodeport_and_headless_services() {
    let mut api = cluster();
    let nodeport = created(&mut api, "{apiVersion: v1, kind: Service, metadata: {name: np, namespace: default}, spec: {type: NodePort, selector: {app: web}, ports: [{port: 80, targetPort: http}]}}");
    let headless = created(&mut api, "{apiVersion: v1, kind: Service, metadata: {name: hl, namespace: default}, spec: {clusterIP: None, ports: [{port: 80}]}}");
    expect![[r#"
        apiVersion: v1
        kind: Service
        metadata:
          creationTimestamp: "2025-06-01T12:00:00Z"
          name: np
          namespace: default
          resourceVersion: "5"
          uid: dab0ad88-e97a-4958-a894-9c9c653a65d1
        spec:
          clusterIP: 10.110.73.152
          clusterIPs:
          - 10.110.73.152
          externalTrafficPolicy: Cluster
          internalTrafficPolicy: Cluster
          ipFamilies:
          - IPv4
          ipFamilyPolicy: SingleStack
          ports:
          - nodePort: 31782
            port: 80
            protocol: TCP
            targetPort: http
          selector:
            app: web
          sessionAffinity: None
          type: NodePort
        status:
          loadBalancer: {}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          creationTimestamp: "2025-06-01T12:00:00Z"
          name: hl
          namespace: default
          resourceVersion: "6"
          uid: 6080500d-916a-43a8-bb24-cba634394d31
        spec:
          clusterIP: None
          clusterIPs:
          - None
          internalTrafficPolicy: Cluster
          ipFamilies:
          - IPv4
          - IPv6
          ipFamilyPolicy: RequireDualStack
          ports:
          - port: 80
            protocol: TCP
            targetPort: 80
          sessionAffinity: None
          type: ClusterIP
        status:
          loadBalancer: {}
    "#]]
    .assert_eq(&format!("{nodeport}---\n{headless}"));
}
