//! TODO(#2): name references.

use crate::error::Result;

use super::fieldspec::TransformerConfig;
use super::resource::ResMap;

pub fn fix(_resmap: &mut ResMap, _config: &TransformerConfig) -> Result<()> {
    Ok(())
}
