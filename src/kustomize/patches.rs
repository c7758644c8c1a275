//! TODO(#2): patches, patchesStrategicMerge, patchesJson6902.

use crate::error::Result;

use super::Ctx;
use super::resource::ResMap;

pub fn apply_strategic_merge_field(_ctx: &Ctx, _resmap: &mut ResMap) -> Result<()> {
    Ok(())
}
pub fn apply_patches_field(_ctx: &Ctx, _resmap: &mut ResMap) -> Result<()> {
    Ok(())
}
pub fn apply_json6902_field(_ctx: &Ctx, _resmap: &mut ResMap) -> Result<()> {
    Ok(())
}
