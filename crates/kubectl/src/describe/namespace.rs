//! Namespaces (describeNamespace in pkg/describe/describe.go). kubeplay
//! serves neither ResourceQuotas nor LimitRanges, so both lists are empty, as
//! on a cluster where none were created; a namespace has no Events section.

use super::prefix_writer::{LEVEL_0, LEVEL_1, PrefixWriter};
use super::{print_annotations_multiline, print_labels_multiline, rfc1123z};
use apimachinery::k8s_openapi::api::core::v1::Namespace;

pub fn describe(ns: &Namespace) -> String {
    let m = &ns.metadata;
    let status = ns.status.clone().unwrap_or_default();
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", m.name.as_deref().unwrap_or("")));
    print_labels_multiline(&mut w, "Labels", m.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    w.write(LEVEL_0, &format!("Status:\t{}\n", status.phase.as_deref().unwrap_or("")));
    if let Some(conditions) = status.conditions.as_deref().filter(|c| !c.is_empty()) {
        w.write(LEVEL_0, "Conditions:\n");
        w.write(LEVEL_1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n");
        w.write(LEVEL_1, "----\t------\t------------------\t------\t-------\n");
        for c in conditions {
            w.write(
                LEVEL_1,
                &format!(
                    "{}\t{}\t{}\t{}\t{}\n",
                    c.type_,
                    c.status,
                    rfc1123z(c.last_transition_time.as_ref()),
                    c.reason.as_deref().unwrap_or(""),
                    c.message.as_deref().unwrap_or("")
                ),
            );
        }
    }
    w.write(LEVEL_0, "\n");
    w.write(LEVEL_0, "No resource quota.\n");
    w.write(LEVEL_0, "\n");
    w.write(LEVEL_0, "No LimitRange resource.\n");
    w.into_tabbed()
}
