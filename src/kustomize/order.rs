//! TODO(#2): legacy and fifo ordering.

use crate::error::Result;

use super::kustomization::Kustomization;
use super::resource::ResMap;

pub fn sort(_k: &Kustomization, _resmap: &mut ResMap) -> Result<()> {
    Ok(())
}
