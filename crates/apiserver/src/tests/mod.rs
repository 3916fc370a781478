//! Data-driven tests of the request pipeline: validation messages and
//! defaulting, checked against Kubernetes' own texts.

mod validation;
