//! Flux Operator ResourceSets (`fluxcd.controlplane.io/v1`): the operator renders the resources
//! templates (`spec.resources`, `spec.resourcesTemplate`, or those of `spec.steps`) once per input
//! set and applies what they produce — Flux Kustomizations, HelmReleases, sources, workloads.
//!
//! When the inputs are written in the repository (`spec.inputs`, no `spec.inputsFrom`) and the
//! templates only fill in values ([`template`]), fluxlint renders them the same way: the produced
//! objects join the unit that applied the ResourceSet, their nodes keep the spans of the template
//! lines (a finding points at the template), and the Flux Kustomizations among them are followed
//! like any other. Otherwise the ResourceSet is said once, at info, as not checked.
//!
//! This runs after `postBuild` substitution: `${VAR}`s are filled in before the operator sees the
//! ResourceSet.

pub mod template;

use serde_json::Value as Json;

use crate::kustomize::resource::Resource;
use crate::source::{SourceMap, Span};
use crate::yaml::{Node, Origin, SetBy, Value};

use super::EnvNote;
use super::kinds::namespace_of;
use template::Fail;

pub const GROUP: &str = "fluxcd.controlplane.io";
pub const KIND: &str = "ResourceSet";
const DISABLED_KEY: &str = "fluxcd.controlplane.io/reconcile";
/// ResourceSets producing ResourceSets are followed this deep.
const MAX_DEPTH: usize = 4;

/// What fluxlint did with one ResourceSet of an environment.
#[derive(Clone, Debug)]
pub struct Seen {
    /// The unit that applied it.
    pub unit: usize,
    pub namespace: String,
    pub name: String,
    /// Its `metadata.name` (or document).
    pub span: Span,
    /// How many objects it produced.
    pub produced: usize,
    /// Why it was not expanded (`None`: expanded).
    pub not_checked: Option<String>,
    /// `spec.dependsOn` as (kind, namespace, name): the operator creates nothing it produces
    /// before these are ready, so what it produces is ordered after them.
    pub depends_on: Vec<(String, String, String)>,
    /// What it produced, as (kind, namespace, name).
    pub members: Vec<(String, String, String)>,
}

/// Is this a Flux Operator ResourceSet?
pub fn is_resource_set(r: &Resource) -> bool {
    r.kind() == KIND && r.gvk().group == GROUP
}

/// Expands the ResourceSets among `objects` (applied by `unit`): each is followed by what it
/// produces. What could not be expanded is recorded in `seen` and said once in `notes`.
pub fn expand_all(
    objects: Vec<Resource>,
    unit: usize,
    sources: &SourceMap,
    seen: &mut Vec<Seen>,
    notes: &mut Vec<EnvNote>,
) -> Vec<Resource> {
    if !objects.iter().any(is_resource_set) {
        return objects;
    }
    let mut out = Vec::with_capacity(objects.len());
    // (object, depth), in order: produced objects are expanded in turn
    let mut stack: Vec<(Resource, usize)> = objects.into_iter().rev().map(|r| (r, 0)).collect();
    while let Some((r, depth)) = stack.pop() {
        if !is_resource_set(&r) {
            out.push(r);
            continue;
        }
        // the name as written in the ResourceSet's own file (postBuild may have set it elsewhere)
        let name_span = r
            .node
            .get_path(&["metadata", "name"])
            .map(Node::span)
            .filter(|s| s.file == r.doc_span.file)
            .unwrap_or(r.doc_span);
        let id = format!("{}/{}", namespace_of(&r), r.name());
        let result = if depth >= MAX_DEPTH {
            Err(format!("ResourceSets nested more than {MAX_DEPTH} deep"))
        } else {
            expand(&r, sources)
        };
        let (produced, not_checked) = match result {
            Ok(p) => (p, None),
            Err(why) => (Vec::new(), Some(why)),
        };
        seen.push(Seen {
            unit,
            namespace: namespace_of(&r).to_string(),
            name: r.name().to_string(),
            span: name_span,
            produced: produced.len(),
            not_checked: not_checked.clone(),
            depends_on: gates(&r),
            members: produced
                .iter()
                .map(|p| {
                    (
                        p.kind().to_string(),
                        namespace_of(p).to_string(),
                        p.name().to_string(),
                    )
                })
                .collect(),
        });
        if let Some(why) = not_checked {
            let message =
                format!("ResourceSet {id}: resources produced at run time from {why}; not checked");
            if !notes.iter().any(|n| n.message == message) {
                notes.push(EnvNote {
                    span: name_span,
                    message,
                    help: None,
                });
            }
        }
        out.push(r);
        stack.extend(produced.into_iter().rev().map(|p| (p, depth + 1)));
    }
    out
}

/// `spec.dependsOn` of a ResourceSet: `{apiVersion, kind, name, namespace}` entries (the namespace
/// defaults to the ResourceSet's).
fn gates(rs: &Resource) -> Vec<(String, String, String)> {
    let Some(list) = rs
        .node
        .get_path(&["spec", "dependsOn"])
        .and_then(Node::as_seq)
    else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|d| {
            let kind = d.get("kind")?.as_str()?;
            let name = d.get("name")?.as_str()?;
            let ns = d
                .get("namespace")
                .and_then(Node::as_str)
                .unwrap_or(namespace_of(rs));
            Some((kind.to_string(), ns.to_string(), name.to_string()))
        })
        .collect()
}

/// The objects a ResourceSet produces, or why they are not known before run time.
pub fn expand(rs: &Resource, sources: &SourceMap) -> Result<Vec<Resource>, String> {
    let Some(spec) = rs.node.get("spec") else {
        return Ok(Vec::new());
    };
    if let Some(from) = spec.get("inputsFrom").and_then(Node::as_seq)
        && !from.is_empty()
    {
        let names: Vec<String> = from
            .iter()
            .map(|f| match f.get("name").and_then(Node::as_str) {
                Some(n) => n.to_string(),
                None => "a label selector".into(),
            })
            .collect();
        return Err(format!(
            "the inputs of ResourceSetInputProvider {}",
            names.join(", ")
        ));
    }
    if let Some(s) = spec.str_at(&["inputStrategy", "name"])
        && s != "Flatten"
    {
        return Err(format!("inputs combined by inputStrategy {s}"));
    }
    let inputs = inputs(rs, spec)?;
    let mut json: Vec<&Node> = Vec::new();
    let mut texts: Vec<&Node> = Vec::new();
    let holders: Vec<&Node> = match spec.get("steps").and_then(Node::as_seq) {
        Some(steps) if !steps.is_empty() => steps.iter().collect(),
        _ => vec![spec],
    };
    for holder in holders {
        if let Some(items) = holder.get("resources").and_then(Node::as_seq) {
            json.extend(items.iter());
        }
        if let Some(t) = holder.get("resourcesTemplate").filter(|t| !t.is_null()) {
            texts.push(t);
        }
    }
    let unsupported = |f: Fail| match f {
        Fail::Unsupported(what) => {
            format!("templates using {what}, which fluxlint does not render")
        }
        Fail::Error(e) => format!("templates that do not render ({e})"),
    };
    for t in &json {
        check_node(t).map_err(unsupported)?;
    }
    let mut docs: Vec<Node> = Vec::new();
    for t in &texts {
        let Some(text) = t.as_str() else {
            return Err("a resourcesTemplate that is not a string".into());
        };
        template::check(text).map_err(unsupported)?;
        docs.extend(template_docs(t, text, sources)?);
    }
    let sets: Vec<Option<&Json>> = if inputs.is_empty() {
        vec![None]
    } else {
        inputs.iter().map(Some).collect()
    };
    let dedup = !inputs.is_empty();
    let mut out: Vec<Resource> = Vec::new();
    let add = |r: Resource, out: &mut Vec<Resource>| {
        if r.node.str_at(&["metadata", "annotations", DISABLED_KEY]) == Some("disabled") {
            return;
        }
        let key = |r: &Resource| {
            (
                r.group().to_string(),
                r.kind().to_string(),
                r.namespace().to_string(),
                r.name().to_string(),
            )
        };
        if dedup && out.iter().any(|o| key(o) == key(&r)) {
            return;
        }
        out.push(r);
    };
    for t in &json {
        for set in &sets {
            let r = produce(t, *set, sources, false).map_err(unsupported)?;
            add(r, &mut out);
        }
    }
    for set in &sets {
        for d in &docs {
            let r = produce(d, *set, sources, true).map_err(unsupported)?;
            add(r, &mut out);
        }
    }
    if let Some(cm) = spec.get("commonMetadata") {
        for r in &mut out {
            common_metadata(r, cm);
        }
    }
    Ok(out)
}

/// The input sets of `spec.inputs`, each with its `provider` (this ResourceSet).
fn inputs(rs: &Resource, spec: &Node) -> Result<Vec<Json>, String> {
    let Some(items) = spec.get("inputs").and_then(Node::as_seq) else {
        return Ok(Vec::new());
    };
    let provider = serde_json::json!({
        "apiVersion": rs.api_version(),
        "kind": KIND,
        "name": rs.name(),
        "namespace": namespace_of(rs),
    });
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match template::as_go_inputs(item.to_json()) {
            Json::Object(mut m) => {
                m.insert("provider".into(), provider.clone());
                Ok(Json::Object(m))
            }
            _ => Err(format!("spec.inputs[{i}], which is not a map")),
        })
        .collect()
}

/// Refuses a JSON template holding syntax that is not rendered.
fn check_node(n: &Node) -> Result<(), Fail> {
    match &n.value {
        Value::Str(s) => template::check(s),
        Value::Seq(items) => items.iter().try_for_each(check_node),
        Value::Map(m) => m.entries.iter().try_for_each(|e| {
            template::check(&e.key)?;
            check_node(&e.value)
        }),
        _ => Ok(()),
    }
}

/// One object from one template and one input set.
fn produce(
    t: &Node,
    input: Option<&Json>,
    sources: &SourceMap,
    as_written: bool,
) -> Result<Resource, Fail> {
    let mut node = t.clone();
    fill(&mut node, input, sources, as_written)?;
    if node.as_map().is_none() || node.str_at(&["kind"]).is_none() {
        return Err(Fail::Error(
            "a template that is not a Kubernetes object".into(),
        ));
    }
    Ok(Resource::new(node, t.span()))
}

/// Renders every key and string value holding an action. A value the operator's YAML text shows
/// plain is read back as the scalar it now is (`replicas: << inputs.n | int >>` is a number);
/// `as_written`: the template is YAML text (resourcesTemplate), so that is how it was written,
/// else how `sigs.k8s.io/yaml` prints the JSON template.
fn fill(
    n: &mut Node,
    input: Option<&Json>,
    sources: &SourceMap,
    as_written: bool,
) -> Result<(), Fail> {
    match &mut n.value {
        Value::Seq(items) => {
            for i in items {
                fill(i, input, sources, as_written)?;
            }
        }
        Value::Map(m) => {
            for e in &mut m.entries {
                if template::has_action(&e.key) {
                    e.key = template::render(&e.key, input)?;
                }
                fill(&mut e.value, input, sources, as_written)?;
            }
        }
        Value::Str(s) if template::has_action(s) => {
            let text = template::render(s, input)?;
            let plain = if as_written {
                !s.contains('\n') && written_plain(n.origin.span, sources)
            } else {
                !s.contains('\n') && crate::yaml::emit::quote_str(s) == *s
            };
            let origin = n.origin.clone();
            *n = if plain {
                super::substitute::reread(&text, &origin).map_err(Fail::Error)?
            } else {
                Node::str(text, origin.clone())
            };
            n.origin = origin;
        }
        _ => {}
    }
    Ok(())
}

/// Was the scalar at `span` written plain (not quoted, not a block scalar)?
fn written_plain(span: Span, sources: &SourceMap) -> bool {
    let Some(f) = sources.get(span.file) else {
        return true;
    };
    !matches!(
        f.text.as_bytes().get(span.start as usize),
        Some(b'"' | b'\'' | b'|' | b'>')
    )
}

/// The documents of a `resourcesTemplate`, parsed before rendering so that every node keeps its
/// span in the ResourceSet's file: each document is parsed from a copy of the file in which
/// everything else is blanked out. When the text is not the file's literal block (postBuild
/// changed it, a folded scalar), the documents point at the `resourcesTemplate` value.
fn template_docs(t: &Node, text: &str, sources: &SourceMap) -> Result<Vec<Node>, String> {
    let parse_error = |e: crate::yaml::YamlError| {
        format!(
            "a resourcesTemplate that is not YAML before rendering ({})",
            e.message
        )
    };
    if let Some(docs) = in_place(t, text, sources) {
        return docs.map_err(parse_error);
    }
    let docs = crate::yaml::parse_stream(text, crate::source::FileId::NONE, SetBy::Resource)
        .map_err(parse_error)?;
    Ok(docs
        .into_iter()
        .filter(|d| !d.root.is_null())
        .map(|mut d| {
            d.root.set_origin_deep(&t.origin);
            d.root
        })
        .collect())
}

/// [`template_docs`] from the file itself, when the block's lines are the text.
fn in_place(
    t: &Node,
    text: &str,
    sources: &SourceMap,
) -> Option<Result<Vec<Node>, crate::yaml::YamlError>> {
    let span = t.origin.span;
    let file = sources.get(span.file)?;
    let all = file.text.as_bytes();
    let (start, end) = (span.start as usize, (span.end as usize).min(all.len()));
    // a literal block: its span starts on the line after the `|` header
    let body = all[..start].iter().rposition(|&b| b == b'\n')? + 1;
    let header = file.text[..body.saturating_sub(1)].rsplit('\n').next()?;
    let indicator = header.trim_end().rsplit(' ').next()?;
    if !indicator.starts_with('|') {
        return None;
    }
    let lines: Vec<(usize, usize)> = line_ranges(all, body, end);
    let indent = lines
        .iter()
        .filter(|(a, b)| all[*a..*b].iter().any(|c| !c.is_ascii_whitespace()))
        .map(|(a, b)| all[*a..*b].iter().take_while(|&&c| c == b' ').count())
        .min()?;
    let dedented: String = lines
        .iter()
        .map(|&(a, b)| {
            let l = &file.text[a..b];
            format!("{}\n", l.get(indent..).unwrap_or("").trim_end_matches('\r'))
        })
        .collect();
    if dedented.trim_end() != text.trim_end() {
        return None;
    }
    // documents split at `---` lines
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut from = body;
    for &(a, b) in &lines {
        let l = file.text[a..b].trim();
        if l == "---" || l.starts_with("--- ") {
            cuts.push((from, a));
            from = b;
        }
    }
    cuts.push((from, end));
    let mut out = Vec::new();
    for (a, b) in cuts {
        let blanked: Vec<u8> = all
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                if (a..b).contains(&i) || c == b'\n' {
                    c
                } else {
                    b' '
                }
            })
            .collect();
        // blanking whole bytes keeps the text UTF-8 (multi-byte characters become spaces)
        let Ok(blanked) = String::from_utf8(blanked) else {
            return None;
        };
        match crate::yaml::parse_stream(&blanked, span.file, SetBy::Resource) {
            Ok(docs) => out.extend(docs.into_iter().map(|d| d.root).filter(|n| !n.is_null())),
            Err(e) => return Some(Err(e)),
        }
    }
    Some(Ok(out))
}

/// (start, end) of every line in `all[from..to]`, without the newline.
fn line_ranges(all: &[u8], from: usize, to: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut a = from;
    while a < to {
        let b = all[a..to]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(to, |i| a + i);
        out.push((a, b));
        a = b + 1;
    }
    out
}

/// `spec.commonMetadata`: labels and annotations set on every produced object.
fn common_metadata(r: &mut Resource, cm: &Node) {
    for field in ["labels", "annotations"] {
        let Some(m) = cm.get(field).and_then(Node::as_map) else {
            continue;
        };
        let origin = Origin::new(cm.span(), SetBy::Transformer);
        let Some(meta) = r.node.ensure_map("metadata", &origin) else {
            continue;
        };
        let Some(target) = meta.ensure_map(field, &origin) else {
            continue;
        };
        if let Some(tm) = target.as_map_mut() {
            for e in &m.entries {
                tm.insert(e.key.clone(), e.key_span, e.value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests;
