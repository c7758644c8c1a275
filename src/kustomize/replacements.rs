//! TODO(#2): not implemented yet.

use crate::error::Result;

use super::Ctx;
use super::resource::ResMap;

pub fn apply(_ctx: &Ctx, _resmap: &mut ResMap) -> Result<()> {
    Ok(())
}
