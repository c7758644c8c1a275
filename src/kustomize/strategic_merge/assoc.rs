//! Lists merged element by element (`x-kubernetes-patch-strategy: merge`), reproducing kyaml's walk
//! (walk/associative_sequence.go with `ListIncreaseDirection: Prepend`, and yaml's ElementSetter /
//! ElementMatcher). The odd corners are kept on purpose: kubectl shows them, and parity is the goal.
//!
//! Elements are matched by the *text* of their key fields. With several keys (ports: `containerPort`,
//! `protocol`) a key counts once any element sets it, and an element missing it matches only the
//! elements that have that field at all.

use std::collections::HashSet;

use crate::error::{Error, Result};
use crate::yaml::{Node, Value};

use super::super::schema::Sch;
use super::{FieldPath, Walked, Walker};

pub(super) fn walk(
    w: &Walker<'_>,
    dest: Option<Node>,
    origin: Option<&Node>,
    aliased: bool,
    sch: Option<Sch<'_>>,
    path: FieldPath<'_>,
) -> Result<Walked> {
    let (list, from_dest, aliased) = match dest.filter(|d| !d.is_null()) {
        None => match origin {
            Some(o) => (o.clone(), false, true),
            None => return Ok((None, false)),
        },
        Some(d) => {
            if origin.is_some_and(Node::is_null) {
                return Ok((None, false));
            }
            (d, true, aliased)
        }
    };
    let Node {
        value,
        origin: list_origin,
    } = list;
    let Value::Seq(items) = value else {
        return Ok((None, false));
    };
    let patch: Option<&[Node]> = if aliased {
        None
    } else {
        origin.and_then(Node::as_seq).map(Vec::as_slice)
    };
    let keys = sch.map(|s| s.strategy_and_keys().1).unwrap_or_default();
    let mut m = ListMerge {
        w,
        dest: items,
        patch,
        aliased,
        elem_sch: sch.and_then(|s| s.elements()),
        path,
    };
    let values = m.element_values(&keys);
    let merged = if !values.is_empty() || !keys.is_empty() {
        m.set_elements(values, &keys)?
    } else {
        let prims = m.primitive_values();
        m.set_elements(prims, &[String::new()])?
    };
    Ok((Some(Node::new(Value::Seq(merged), list_origin)), from_dest))
}

struct ListMerge<'a, 'w, 's> {
    w: &'a Walker<'w>,
    dest: Vec<Node>,
    /// `None` with `aliased`: the patch side is `dest` itself.
    patch: Option<&'a [Node]>,
    aliased: bool,
    elem_sch: Option<Sch<'s>>,
    path: FieldPath<'a>,
}

impl ListMerge<'_, '_, '_> {
    /// The sources in kyaml's prepend order: patch first, then the resource.
    fn sources(&self) -> [&[Node]; 2] {
        let patch = if self.aliased {
            self.dest.as_slice()
        } else {
            self.patch.unwrap_or_default()
        };
        [patch, self.dest.as_slice()]
    }

    /// Every distinct combination of key values, in first-seen order.
    fn element_values(&self, keys: &[String]) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = Vec::new();
        for src in self.sources() {
            for e in src {
                let vals: Vec<String> = keys.iter().map(|k| key_value(e, k)).collect();
                if vals.is_empty() || out.contains(&vals) {
                    continue;
                }
                out.push(vals);
            }
        }
        out
    }

    /// A list of scalars (finalizers): each distinct value.
    fn primitive_values(&self) -> Vec<Vec<String>> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for src in self.sources() {
            for e in src {
                let v = raw(e);
                if seen.insert(v.clone()) {
                    out.push(vec![v]);
                }
            }
        }
        out
    }

    fn set_elements(
        &mut self,
        mut values_list: Vec<Vec<String>>,
        keys: &[String],
    ) -> Result<Vec<Node>> {
        if keys.len() > 1 {
            merge_values(&mut values_list);
        }
        let mut items: Vec<Node> = Vec::new();
        let mut valid_keys: Vec<String> = keys.to_vec();
        for values in values_list.clone() {
            if values.is_empty() {
                continue;
            }
            let valid_values;
            (valid_keys, valid_values) = validate_keys(&values_list, &values, keys);
            let (k2, v2) = validate_keys(
                std::slice::from_ref(&valid_values),
                &valid_values,
                &valid_keys,
            );
            let di = element_list(&self.dest, &k2, &v2);
            let de = di.map(|i| self.dest[i].clone());
            // merge keys identify the element: the patch repeats them, it does not set them
            let key_fields: Vec<(String, Node)> = de
                .as_ref()
                .map(|d| {
                    k2.iter()
                        .filter_map(|k| d.get(k).map(|n| (k.clone(), n.clone())))
                        .collect()
                })
                .unwrap_or_default();
            let pe = if self.aliased {
                de.clone()
            } else {
                self.patch
                    .and_then(|p| element_list(p, &k2, &v2).map(|i| p[i].clone()))
            };
            let (mut val, in_place) =
                self.w
                    .walk(de, pe.as_ref(), self.aliased, self.elem_sch, self.path)?;
            if let Some(v) = val.as_mut() {
                for (k, old) in &key_fields {
                    if let Some(n) = v.get_mut(k)
                        && n.same_value(old)
                    {
                        n.origin = old.origin.clone();
                    }
                }
            }
            if in_place && let (Some(i), Some(v)) = (di, &val) {
                self.dest[i] = v.clone();
            }
            let empty = val
                .as_ref()
                .is_none_or(|v| v.is_null() || v.as_map().is_some_and(|m| m.is_empty()));
            if empty {
                element_setter(&mut self.dest, None, &valid_keys, &valid_values)?;
                continue;
            }
            if let Some(v) = val.as_mut() {
                ensure_keys(v, &valid_keys, &valid_values);
            }
            element_setter(&mut items, val, &valid_keys, &valid_values)?;
        }
        if values_list.is_empty() {
            return Ok(std::mem::take(&mut self.dest));
        }
        append_list_node(&mut items, &self.dest, &valid_keys)?;
        Ok(items)
    }
}

/// kyaml sets a merge key the merged element lacks (it cannot, in practice, but keep the rule).
fn ensure_keys(v: &mut Node, keys: &[String], values: &[String]) {
    let origin = v.origin.clone();
    let Some(m) = v.as_map_mut() else { return };
    for (k, val) in keys.iter().zip(values) {
        if !k.is_empty() && !val.is_empty() && m.get(k).is_none() {
            m.insert(k.clone(), origin.span, plain_scalar(val, &origin));
        }
    }
}

fn plain_scalar(text: &str, origin: &crate::yaml::Origin) -> Node {
    let value = if let Ok(i) = text.parse::<i64>() {
        Value::Int(i)
    } else if text == "true" || text == "false" {
        Value::Bool(text == "true")
    } else {
        Value::Str(text.to_string())
    };
    Node::new(value, origin.clone())
}

/// The text of a scalar as kyaml compares it; empty for anything else.
fn raw(n: &Node) -> String {
    match n.value {
        Value::Map(_) | Value::Seq(_) | Value::Null => String::new(),
        _ => n.scalar_string().unwrap_or_default(),
    }
}

/// An element's value for a merge key: empty when missing, null or a collection.
fn key_value(e: &Node, key: &str) -> String {
    e.get(key).map(raw).unwrap_or_default()
}

/// Values that differ only where one side is empty name the same element (a port with and without
/// `protocol`): both take the fuller combination.
fn merge_values(list: &mut [Vec<String>]) {
    for i in 0..list.len() {
        // as Go's range: the outer value is read once, the inner one afresh
        let first = list[i].clone();
        for j in 0..list.len() {
            if let Some(m) = matched(&first, &list[j]) {
                list[i] = m.clone();
                list[j] = m;
            }
        }
    }
}

fn matched(a: &[String], b: &[String]) -> Option<Vec<String>> {
    if a.len() != b.len() {
        return None;
    }
    let mut common = false;
    let mut out = Vec::with_capacity(a.len());
    for (x, y) in a.iter().zip(b) {
        if x == y {
            common = true;
            out.push(x.clone());
        } else if !x.is_empty() && !y.is_empty() {
            return None;
        } else if !x.is_empty() {
            out.push(x.clone());
        } else {
            out.push(y.clone());
        }
    }
    common.then_some(out)
}

/// The keys some element sets, with this element's values for them.
fn validate_keys(
    values_list: &[Vec<String>],
    values: &[String],
    keys: &[String],
) -> (Vec<String>, Vec<String>) {
    let mut valid: HashSet<&str> = HashSet::new();
    for vals in values_list {
        for (i, v) in vals.iter().enumerate() {
            if !v.is_empty()
                && let Some(k) = keys.get(i)
            {
                valid.insert(k);
            }
        }
    }
    if valid.is_empty() {
        return (keys.to_vec(), values.to_vec());
    }
    let vk = keys.iter().filter(|k| valid.contains(k.as_str())).cloned();
    let vv = values
        .iter()
        .enumerate()
        .filter(|(i, v)| !v.is_empty() || keys.get(*i).is_some_and(|k| valid.contains(k.as_str())));
    (vk.collect(), vv.map(|(_, v)| v.clone()).collect())
}

/// The first element whose key fields read exactly `values` (kyaml's ElementMatcher).
fn element_list(list: &[Node], keys: &[String], values: &[String]) -> Option<usize> {
    let first_key = keys.first().map(String::as_str).unwrap_or("");
    let first_value = values.first().map(String::as_str).unwrap_or("");
    if first_key.is_empty() {
        return list.iter().position(|e| raw(e) == first_value);
    }
    if keys.len() != values.len() {
        return None;
    }
    list.iter().position(|e| {
        e.as_map().is_some_and(|m| {
            keys.iter()
                .zip(values)
                .all(|(k, v)| m.get(k).is_some_and(|f| raw(f) == *v))
        })
    })
}

/// Whether `elem` matches one key: an empty value only asks for the field to exist.
fn field_match(elem: &Node, key: &str, value: &str) -> Result<bool> {
    if elem.is_null() {
        return Ok(false);
    }
    if key.is_empty() {
        if matches!(elem.value, Value::Map(_) | Value::Seq(_)) {
            return Err(wrong_element(elem, "a scalar"));
        }
        return Ok(raw(elem) == value);
    }
    let Some(m) = elem.as_map() else {
        return Err(wrong_element(elem, "a map"));
    };
    Ok(m.get(key)
        .is_some_and(|f| value.is_empty() || raw(f) == value))
}

fn wrong_element(elem: &Node, expected: &str) -> Error {
    Error::at(
        "patch-type",
        elem.span(),
        format!(
            "wrong node kind: expected {expected} in a merged list but found a {}",
            elem.type_name()
        ),
    )
    .with_label("this element")
}

/// kyaml's ElementSetter: replaces the elements matching `keys`/`values` with `element` (appending it
/// when none matches), or removes them when `element` is `None`. Null and empty elements go too.
fn element_setter(
    list: &mut Vec<Node>,
    element: Option<Node>,
    keys: &[String],
    values: &[String],
) -> Result<()> {
    let blank = [String::new()];
    let keys = if keys.is_empty() { &blank[..] } else { keys };
    let mapping_setter = !keys[0].is_empty() && values.first().is_some_and(|v| !v.is_empty());
    let mut out = Vec::with_capacity(list.len() + 1);
    let mut found_any = false;
    // where copies of `element` go: placeholders, filled at the end so the last one takes
    // `element` itself (usually the only one) rather than a deep copy
    let mut slots = Vec::new();
    for elem in std::mem::take(list) {
        if elem.is_null() || elem.as_map().is_some_and(|m| m.is_empty()) {
            continue;
        }
        if elem.as_map().is_none() && mapping_setter {
            out.push(elem);
            continue;
        }
        let mut last = false;
        let mut found = true;
        for (j, key) in keys.iter().enumerate() {
            if let Some(v) = values.get(j) {
                last = field_match(&elem, key, v)?;
            }
            if !last {
                found = false;
                break;
            }
        }
        if !found {
            if !values.is_empty() {
                out.push(elem);
            }
            continue;
        }
        found_any = true;
        if let Some(e) = &element {
            slots.push(out.len());
            out.push(Node::null(e.origin.clone()));
        }
    }
    *list = out;
    match (element, slots.split_last()) {
        (Some(e), Some((&last, rest))) => {
            for &k in rest {
                list[k] = e.clone();
            }
            list[last] = e;
        }
        (Some(e), None) if !e.is_null() && !found_any => list.push(e),
        _ => {}
    }
    Ok(())
}

/// Puts the resource's elements (merged in place) into the patch-ordered list: each replaces its
/// match, or is appended; with several keys it is moved to the end.
fn append_list_node(dst: &mut Vec<Node>, src: &[Node], keys: &[String]) -> Result<()> {
    let primitive = keys.first().is_none_or(|k| k.is_empty());
    for elem in src {
        if primitive {
            element_setter(dst, Some(elem.clone()), &[String::new()], &[raw(elem)])?;
            continue;
        }
        let mut v = Vec::new();
        for key in keys {
            if elem.is_null() {
                dst.push(elem.clone());
                continue;
            }
            let Some(m) = elem.as_map() else {
                return Err(wrong_element(elem, "a map"));
            };
            match m.get(key) {
                Some(f) => v.push(raw(f)),
                None => dst.push(elem.clone()),
            }
        }
        if keys.len() > 1 {
            element_setter(dst, None, keys, &v)?;
        }
        element_setter(dst, Some(elem.clone()), keys, &v)?;
    }
    Ok(())
}
