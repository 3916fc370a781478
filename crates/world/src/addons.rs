//! Add-ons a learner installs after boot, built in because kubeplay cannot
//! download: ingress-nginx as the course installs it on the kubeadm lab
//! (`kubectl apply -f https://raw.githubusercontent.com/kubernetes/
//! ingress-nginx/controller-v1.x/deploy/static/provider/baremetal/deploy.yaml`)
//! and as `minikube addons enable ingress` installs it. Only the objects of
//! kinds kubeplay serves are kept: no RBAC, no admission Jobs and webhook
//! configuration (and so no webhook certificate volume).

/// ingress-nginx v1.15.1's baremetal deploy.yaml (the served kinds).
pub const INGRESS_NGINX_BAREMETAL: &str = include_str!("addons/ingress-nginx-baremetal.yaml");
/// minikube's ingress addon (ingress-deploy.yaml.tmpl rendered for the
/// docker runtime; the served kinds).
pub const INGRESS_NGINX_MINIKUBE: &str = include_str!("addons/ingress-nginx-minikube.yaml");
/// The controller image both use.
pub const INGRESS_NGINX_CONTROLLER_IMAGE: &str = "registry.k8s.io/ingress-nginx/controller:v1.15.1";
/// The admission Jobs' image (listed by `minikube addons enable ingress`).
pub const KUBE_WEBHOOK_CERTGEN_IMAGE: &str = "registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.9";

/// The built-in text behind a manifest URL `kubectl apply -f` may be given:
/// ingress-nginx's baremetal deploy.yaml at any ref.
pub fn builtin_manifest(url: &str) -> Option<&'static str> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let path = rest.strip_prefix("raw.githubusercontent.com/kubernetes/ingress-nginx/")?;
    let (_git_ref, file) = path.split_once('/')?;
    (file == "deploy/static/provider/baremetal/deploy.yaml").then_some(INGRESS_NGINX_BAREMETAL)
}

#[cfg(test)]
mod tests {
    use apimachinery::{Kind, Object};

    /// Every document of the built-in manifests decodes as a served kind.
    #[test]
    fn builtin_manifests_decode() {
        for (text, n) in [(super::INGRESS_NGINX_BAREMETAL, 8), (super::INGRESS_NGINX_MINIKUBE, 10)] {
            let docs = apimachinery::yaml::parse_documents(text).expect("valid YAML");
            let mut kinds = vec![];
            for d in docs {
                let kind = Kind::from_api_version_kind(d["apiVersion"].as_str().unwrap_or(""), d["kind"].as_str().unwrap_or("")).expect("a served kind");
                Object::from_value(kind, d).expect("decodes");
                kinds.push(kind);
            }
            assert_eq!(kinds.len(), n);
        }
        assert!(super::builtin_manifest("https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.12.0/deploy/static/provider/baremetal/deploy.yaml").is_some());
        assert!(super::builtin_manifest("https://raw.githubusercontent.com/kubernetes/ingress-nginx/main/deploy/static/provider/cloud/deploy.yaml").is_none());
    }
}
