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
