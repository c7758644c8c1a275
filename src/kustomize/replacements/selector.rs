//! Resource selection for replacements: kustomize's `ResId.IsSelectedBy` (empty fields match
//! anything, namespaces compared as effective namespaces) and Kubernetes label selectors.

use crate::kustomize::resource::{Gvk, ResId, Resource, is_cluster_scoped_kind};

/// A `group/version/kind/name/namespace` selector.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IdSelector {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

impl IdSelector {
    pub fn is_empty(&self) -> bool {
        self.group.is_empty()
            && self.version.is_empty()
            && self.kind.is_empty()
            && self.name.is_empty()
            && self.namespace.is_empty()
    }

    pub fn selects(&self, id: &ResId) -> bool {
        (self.name.is_empty() || self.name == id.name)
            && (self.namespace.is_empty() || self.effective_namespace() == id.effective_namespace())
            && id.gvk.matches(&self.group, &self.version, &self.kind)
    }

    /// Does any id the resource had (current or before renames) match?
    pub fn selects_resource(&self, r: &Resource) -> bool {
        r.all_ids().iter().any(|id| self.selects(id))
    }

    fn effective_namespace(&self) -> &str {
        if is_cluster_scoped_kind(&self.kind) {
            ""
        } else {
            &self.namespace
        }
    }
}

/// kustomize's `ResId.String()` for a selector: `Kind.version.group/name.namespace`.
impl std::fmt::Display for IdSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let or = |s: &str, d: &'static str| {
            if s.is_empty() {
                d.to_string()
            } else {
                s.to_string()
            }
        };
        let gvk = Gvk {
            group: self.group.clone(),
            version: self.version.clone(),
            kind: self.kind.clone(),
        };
        write!(
            f,
            "{}.{}.{}/{}.{}",
            or(&gvk.kind, "[noKind]"),
            or(&gvk.version, "[noVer]"),
            or(&gvk.group, "[noGrp]"),
            or(&self.name, "[noName]"),
            or(&self.namespace, "[noNs]")
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Op {
    Exists,
    NotExists,
    In(Vec<String>),
    NotIn(Vec<String>),
    Gt(i64),
    Lt(i64),
}

/// A parsed label (or annotation) selector: every requirement must hold.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabelSelector {
    reqs: Vec<(String, Op)>,
}

impl LabelSelector {
    /// Parses `a=b,c!=d,e in (f,g),!h,i` as Kubernetes' `labels.Parse` does.
    pub fn parse(s: &str) -> Result<LabelSelector, String> {
        let mut reqs = Vec::new();
        for part in split_top(s) {
            let part = part.trim();
            if part.is_empty() {
                if s.trim().is_empty() {
                    continue;
                }
                return Err(format!("invalid selector \"{s}\": empty requirement"));
            }
            reqs.push(parse_req(part).map_err(|e| format!("invalid selector \"{s}\": {e}"))?);
        }
        Ok(LabelSelector { reqs })
    }

    pub fn matches(&self, labels: &[(&str, String)]) -> bool {
        let get = |k: &str| {
            labels
                .iter()
                .find(|(l, _)| *l == k)
                .map(|(_, v)| v.as_str())
        };
        self.reqs.iter().all(|(key, op)| match op {
            Op::Exists => get(key).is_some(),
            Op::NotExists => get(key).is_none(),
            Op::In(vals) => get(key).is_some_and(|v| vals.iter().any(|x| x == v)),
            Op::NotIn(vals) => get(key).is_none_or(|v| !vals.iter().any(|x| x == v)),
            Op::Gt(n) => get(key)
                .and_then(|v| v.parse::<i64>().ok())
                .is_some_and(|v| v > *n),
            Op::Lt(n) => get(key)
                .and_then(|v| v.parse::<i64>().ok())
                .is_some_and(|v| v < *n),
        })
    }
}

/// Splits on commas outside parentheses.
fn split_top(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 316
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

fn valid_value(v: &str) -> bool {
    v.len() <= 63
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn parse_req(part: &str) -> Result<(String, Op), String> {
    if let Some(k) = part.strip_prefix('!') {
        let k = k.trim();
        return if valid_key(k) {
            Ok((k.to_string(), Op::NotExists))
        } else {
            Err(format!("invalid label key \"{k}\""))
        };
    }
    for (sym, neg) in [("!=", true), ("==", false), ("=", false)] {
        if let Some((k, v)) = part.split_once(sym) {
            let (k, v) = (k.trim(), v.trim());
            if !valid_key(k) || !valid_value(v) {
                return Err(format!("invalid requirement \"{part}\""));
            }
            let vals = vec![v.to_string()];
            return Ok((
                k.to_string(),
                if neg { Op::NotIn(vals) } else { Op::In(vals) },
            ));
        }
    }
    for (sym, gt) in [(">", true), ("<", false)] {
        if let Some((k, v)) = part.split_once(sym) {
            let k = k.trim();
            let n: i64 = v
                .trim()
                .parse()
                .map_err(|_| format!("invalid integer value \"{}\"", v.trim()))?;
            return Ok((k.to_string(), if gt { Op::Gt(n) } else { Op::Lt(n) }));
        }
    }
    let words: Vec<&str> = part.splitn(2, char::is_whitespace).collect();
    if let [key, rest] = words.as_slice() {
        let rest = rest.trim();
        let (neg, list) = if let Some(l) = rest.strip_prefix("notin") {
            (true, l)
        } else if let Some(l) = rest.strip_prefix("in") {
            (false, l)
        } else {
            return Err(format!("unknown operator in \"{part}\""));
        };
        let list = list.trim();
        let Some(inner) = list.strip_prefix('(').and_then(|l| l.strip_suffix(')')) else {
            return Err(format!("expected a parenthesized list in \"{part}\""));
        };
        let vals: Vec<String> = inner
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect();
        if vals.iter().any(|v| !valid_value(v)) || !valid_key(key) {
            return Err(format!("invalid requirement \"{part}\""));
        }
        return Ok((
            key.to_string(),
            if neg { Op::NotIn(vals) } else { Op::In(vals) },
        ));
    }
    if valid_key(part) {
        Ok((part.to_string(), Op::Exists))
    } else {
        Err(format!("invalid label key \"{part}\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
    }

    #[test]
    fn label_selectors() {
        let l = labels(&[("app", "web"), ("tier", "front")]);
        for (sel, want) in [
            ("app=web", true),
            ("app==web,tier", true),
            ("app!=web", false),
            ("tier in (front, back)", true),
            ("tier notin (front)", false),
            ("!env", true),
            ("env", false),
            ("env!=prod", true),
            ("", true),
        ] {
            assert_eq!(
                LabelSelector::parse(sel).unwrap().matches(&l),
                want,
                "{sel}"
            );
        }
        assert!(LabelSelector::parse("a in b").is_err());
    }

    #[test]
    fn id_selector_display() {
        let s = IdSelector {
            kind: "Secret".into(),
            ..Default::default()
        };
        assert_eq!(s.to_string(), "Secret.[noVer].[noGrp]/[noName].[noNs]");
    }
}
