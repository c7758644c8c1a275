//! Merge keys and patch strategies of list fields, for strategic merge: kustomize's built-in
//! Kubernetes schema, extended by a kustomization's `openapi:` file. TODO(#2): fill in.

use std::sync::Arc;

use crate::error::Result;

use super::kustomization::Kustomization;
use super::loader::Loader;

#[derive(Debug, Default)]
pub struct Schema {}

impl Schema {
    /// The built-in schema.
    pub fn builtin() -> Arc<Schema> {
        Arc::new(Schema::default())
    }

    /// The schema that applies in `k`: its `openapi:` file when it has one, else `inherited`.
    pub fn for_kustomization(
        _loader: &Loader,
        _k: &Kustomization,
        inherited: &Arc<Schema>,
    ) -> Result<Arc<Schema>> {
        Ok(Arc::clone(inherited))
    }
}
