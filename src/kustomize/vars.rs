//! TODO(#2): legacy vars.

use crate::error::Result;

use super::fieldspec::TransformerConfig;
use super::kustomization::Kustomization;
use super::resource::ResMap;

#[derive(Clone, Debug, PartialEq)]
pub struct Var {
    pub name: String,
}

pub fn parse(_k: &Kustomization) -> Result<Vec<Var>> {
    Ok(Vec::new())
}

pub fn resolve(_resmap: &mut ResMap, _vars: &[Var], _config: &TransformerConfig) -> Result<()> {
    Ok(())
}
