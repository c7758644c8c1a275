//! Strategic merge patch. TODO(#2): merge keys, directives; this is a plain recursive merge.

use crate::error::Result;
use crate::yaml::{Node, Value};

use super::resource::Gvk;
use super::schema::Schema;

/// Merges `patch` into `target` (a whole resource), the way kustomize's strategic merge does.
/// Values taken from the patch keep the patch's origins and remember what they overrode.
pub fn merge(target: &mut Node, patch: &Node, _gvk: &Gvk, _schema: &Schema) -> Result<()> {
    merge_node(target, patch);
    Ok(())
}

fn merge_node(target: &mut Node, patch: &Node) {
    match (&mut target.value, &patch.value) {
        (Value::Map(t), Value::Map(p)) => {
            for e in &p.entries {
                if e.value.is_null() {
                    t.remove(&e.key);
                    continue;
                }
                match t.get_mut(&e.key) {
                    Some(existing) => merge_node(existing, &e.value),
                    None => t.insert(e.key.clone(), e.key_span, e.value.clone()),
                }
            }
        }
        _ => {
            let old = target.origin.clone();
            *target = patch.clone();
            target.origin = patch.origin.clone().overriding(&old);
        }
    }
}
