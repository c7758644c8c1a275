//! JSON 6902 patches, applied to node trees. TODO(#2)

use crate::error::{Error, Result};
use crate::yaml::Node;

/// Applies the operations of a JSON patch document (a list of `{op, path, value, from}` maps).
pub fn apply(_target: &mut Node, ops: &Node) -> Result<()> {
    Err(Error::at(
        "json-patch",
        ops.span(),
        "JSON 6902 patches are not implemented yet",
    ))
}
