//! `kubectl describe` (staging/src/k8s.io/kubectl/pkg/describe/describe.go).
//! To be filled in: one describer per kind.

use crate::args::Args;
use crate::errors::CmdError;
use crate::{Ctx, Output};
use apimachinery::k8s_openapi::api::core::v1::PodTemplateSpec;

pub fn run(_ctx: &mut Ctx, _args: &Args, rest: &[String], _out: &mut Output) -> Result<(), CmdError> {
    if rest.is_empty() {
        return Err(CmdError::msg("You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources."));
    }
    Err(CmdError::msg("describe is not implemented yet"))
}

/// DescribePodTemplate, as `rollout history --revision=N` prints it.
pub fn pod_template(_t: &PodTemplateSpec) -> String {
    String::new()
}
