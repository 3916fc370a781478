//! The decoder against bodies real kubectl 1.37.1 sent (fixtures/README.md).

use super::*;
use expect_test::{Expect, expect};

fn msg(id: &str) -> &'static Message {
    schema().message(id).unwrap_or_else(|| panic!("no message {id}"))
}

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/proto/fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Decodes a fixture and compares its envelope and pretty JSON.
fn check(name: &str, expected: Expect) {
    let env = decode_envelope(&fixture(name)).expect("envelope");
    let message = message_for(&env.api_version, &env.kind).expect("a served kind");
    let value = decode_message(message, &env.raw).expect("decodes");
    let text = format!(
        "{} {} (contentEncoding {:?}, contentType {:?})\n{}",
        env.api_version,
        env.kind,
        env.content_encoding,
        env.content_type,
        serde_json::to_string_pretty(&value).expect("json")
    );
    expected.assert_eq(&text);
}

/// The schema reads, and every served kind has its message.
#[test]
fn schema_covers_the_served_kinds() {
    let schema = parse_schema(include_str!("schema.json")).expect("reads");
    assert_eq!(schema.messages.len(), 230);
    for info in apimachinery::kinds::KINDS {
        assert!(message_for(info.api_version, info.name).is_some(), "{}", info.name);
    }
    let container = msg("core.Container");
    let image = container.fields.iter().find(|f| f.json == "image").expect("image");
    assert_eq!((image.number, image.go.as_str(), image.flags), (2, "Image", OMITEMPTY));
}

#[test]
fn create_deployment() {
    // The same object `kubectl create deployment ... -o json --dry-run=client` prints.
    check(
        "create-deployment-web.bin",
        expect![[r#"
            apps/v1 Deployment (contentEncoding "", contentType "")
            {
              "metadata": {
                "labels": {
                  "app": "web"
                },
                "name": "web"
              },
              "spec": {
                "replicas": 3,
                "selector": {
                  "matchLabels": {
                    "app": "web"
                  }
                },
                "strategy": {},
                "template": {
                  "metadata": {
                    "labels": {
                      "app": "web"
                    }
                  },
                  "spec": {
                    "containers": [
                      {
                        "image": "nginx",
                        "name": "nginx",
                        "ports": [
                          {
                            "containerPort": 80
                          }
                        ],
                        "resources": {}
                      }
                    ]
                  }
                }
              },
              "status": {}
            }"#]],
    );
}

#[test]
fn create_deployment_two_images() {
    check("create-deployment-two-images.bin", expect![[r#"
        apps/v1 Deployment (contentEncoding "", contentType "")
        {
          "metadata": {
            "labels": {
              "app": "multi"
            },
            "name": "multi"
          },
          "spec": {
            "replicas": 1,
            "selector": {
              "matchLabels": {
                "app": "multi"
              }
            },
            "strategy": {},
            "template": {
              "metadata": {
                "labels": {
                  "app": "multi"
                }
              },
              "spec": {
                "containers": [
                  {
                    "image": "nginx",
                    "name": "nginx",
                    "resources": {}
                  },
                  {
                    "image": "redis:7",
                    "name": "redis",
                    "resources": {}
                  }
                ]
              }
            }
          },
          "status": {}
        }"#]]);
}

#[test]
fn create_namespace() {
    check("create-namespace.bin", expect![[r#"
        v1 Namespace (contentEncoding "", contentType "")
        {
          "metadata": {
            "name": "team-a"
          },
          "spec": {},
          "status": {}
        }"#]]);
}

#[test]
fn create_configmap() {
    check("create-configmap.bin", expect![[r#"
        v1 ConfigMap (contentEncoding "", contentType "")
        {
          "data": {
            "color": "blue",
            "size": "large"
          },
          "metadata": {
            "name": "app-config"
          }
        }"#]]);
}

#[test]
fn create_services() {
    check("create-service-clusterip.bin", expect![[r#"
        v1 Service (contentEncoding "", contentType "")
        {
          "metadata": {
            "labels": {
              "app": "web"
            },
            "name": "web"
          },
          "spec": {
            "ports": [
              {
                "name": "80-8080",
                "port": 80,
                "protocol": "TCP",
                "targetPort": 8080
              }
            ],
            "selector": {
              "app": "web"
            },
            "type": "ClusterIP"
          },
          "status": {
            "loadBalancer": {}
          }
        }"#]]);
    // The other service types: their specs only, one line each.
    let specs: Vec<String> = ["create-service-nodeport.bin", "create-service-externalname.bin", "create-service-headless.bin"]
        .iter()
        .map(|name| {
            let env = decode_envelope(&fixture(name)).expect("envelope");
            let value = decode_message(msg("core.Service"), &env.raw).expect("decodes");
            format!("{name}: {}", value["spec"])
        })
        .collect();
    expect![[r#"
        create-service-nodeport.bin: {"ports":[{"name":"80-80","nodePort":30080,"port":80,"protocol":"TCP","targetPort":80}],"selector":{"app":"np"},"type":"NodePort"}
        create-service-externalname.bin: {"externalName":"example.com","selector":{"app":"ext"},"type":"ExternalName"}
        create-service-headless.bin: {"clusterIP":"None","selector":{"app":"headless"},"type":"ClusterIP"}"#]].assert_eq(&specs.join("\n"));
}

#[test]
fn create_serviceaccount() {
    check("create-serviceaccount.bin", expect![[r#"
        v1 ServiceAccount (contentEncoding "", contentType "")
        {
          "metadata": {
            "name": "builder"
          }
        }"#]]);
}

#[test]
fn drain_delete_options() {
    check("drain-delete-options.bin", expect![[r#"
        v1 DeleteOptions (contentEncoding "", contentType "")
        {}"#]]);
}

#[test]
fn unserved_kind_has_no_schema() {
    let env = decode_envelope(&fixture("create-secret.bin")).expect("envelope");
    assert_eq!((env.api_version.as_str(), env.kind.as_str()), ("v1", "Secret"));
    assert!(message_for(&env.api_version, &env.kind).is_none());
}

/// Malformed bodies get the generated Unmarshal code's errors.
#[test]
fn malformed_bodies() {
    let body = fixture("create-deployment-web.bin");
    let errors: Vec<String> = [
        vec![],
        b"{\"kind\":\"Deployment\"}".to_vec(),
        MAGIC.to_vec(),
        body[..40].to_vec(),
        [MAGIC.as_slice(), &[0x08]].concat(),
        [MAGIC.as_slice(), &[0x00, 0x01]].concat(),
        [MAGIC.as_slice(), &[0x0c]].concat(),
        [MAGIC.as_slice(), &[0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]].concat(),
    ]
    .iter()
    .map(|b| decode_envelope(b).err().unwrap_or_else(|| "ok".into()))
    .collect();
    expect![[r#"
        [
            "empty data",
            "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]",
            "empty body",
            "unexpected EOF",
            "unexpected EOF",
            "proto: Unknown: illegal tag 0 (wire type 0)",
            "proto: Unknown: wiretype end group for non-group",
            "proto: integer overflow",
        ]
    "#]].assert_debug_eq(&errors);
    // The raw object: a string where DeploymentSpec.replicas (a varint) belongs.
    let spec = [0x12u8, 0x04, 0x0a, 0x02, b'h', b'i'];
    let wrong: Vec<String> = [&spec[..], &[0x12, 0x02, 0x08], &[0x1a, 0x03, 0x0a, 0x01]]
        .iter()
        .map(|raw| decode_message(msg("apps.Deployment"), raw).err().unwrap_or_else(|| "ok".into()))
        .collect();
    expect![[r#"
        [
            "proto: wrong wireType = 2 for field Replicas",
            "unexpected EOF",
            "unexpected EOF",
        ]
    "#]].assert_debug_eq(&wrong);
}

/// Go's zero values: present pointers are kept, omitempty zeros dropped,
/// structs kept; times, quantities and IntOrString as their JSON forms.
#[test]
fn zero_values_and_special_types() {
    // DeploymentSpec{replicas: 0 (pointer), minReadySeconds: 0, paused: false}
    let spec = [0x08u8, 0x00, 0x28, 0x00, 0x38, 0x00];
    let deployment = [&[0x12u8, spec.len() as u8][..], &spec].concat();
    let v = decode_message(msg("apps.Deployment"), &deployment).expect("decodes");
    assert_eq!(v, serde_json::json!({"spec": {"replicas": 0}}));
    // ObjectMeta{creationTimestamp: 2026-01-05T09:00:00Z (+ nanos, dropped)}
    let ts = [0x08u8, 0x90, 0xfb, 0xed, 0xca, 0x06, 0x10, 0x05];
    let meta = [&[0x42u8, ts.len() as u8][..], &ts].concat();
    let v = decode_message(msg("meta.ObjectMeta"), &meta).expect("decodes");
    assert_eq!(v, serde_json::json!({"creationTimestamp": "2026-01-05T09:00:00Z"}));
    // ServicePort{targetPort: "http" (a string IntOrString)}
    let tp = [0x08u8, 0x01, 0x1a, 0x04, b'h', b't', b't', b'p'];
    let port = [&[0x22u8, tp.len() as u8][..], &tp].concat();
    let v = decode_message(msg("core.ServicePort"), &port).expect("decodes");
    assert_eq!(v, serde_json::json!({"targetPort": "http"}));
    // ResourceRequirements{limits: {cpu: 500m}}
    let q = [0x0au8, 0x04, b'5', b'0', b'0', b'm'];
    let value = [&[0x12u8, q.len() as u8][..], &q].concat();
    let entry = [&[0x0au8, 0x03, b'c', b'p', b'u'][..], &value].concat();
    let req = [&[0x0au8, entry.len() as u8][..], &entry].concat();
    let v = decode_message(msg("core.ResourceRequirements"), &req).expect("decodes");
    assert_eq!(v, serde_json::json!({"limits": {"cpu": "500m"}}));
    // ConfigMap{binaryData: {k: [0, 1, 2]}}: base64 like encoding/json.
    let entry = [0x0au8, 0x01, b'k', 0x12, 0x03, 0x00, 0x01, 0x02];
    let cm = [&[0x1au8, entry.len() as u8][..], &entry].concat();
    let v = decode_message(msg("core.ConfigMap"), &cm).expect("decodes");
    assert_eq!(v, serde_json::json!({"binaryData": {"k": "AAEC"}}));
}
