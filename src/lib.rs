//! fluxlint: renders FluxCD multi-environment repositories and proves they keep their promises.

pub mod cli;
pub mod error;
pub mod kustomize;
pub mod source;
pub mod yaml;
