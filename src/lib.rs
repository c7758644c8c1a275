//! fluxlint: renders FluxCD multi-environment repositories and proves they keep their promises.

pub mod check;
pub mod cli;
pub mod diagnostic;
pub mod engine;
pub mod error;
pub mod flux;
pub mod kustomize;
pub mod policy;
pub mod report;
pub mod rules;
pub mod schema;
pub mod source;
pub mod suppress;
pub mod tools;
pub mod yaml;
