//! `namePrefix:` / `nameSuffix:` — kustomize's PrefixTransformer and SuffixTransformer.
//!
//! The affix goes on every field the `namePrefix`/`nameSuffix` field specs select (by default
//! `metadata/name` of everything) except on CustomResourceDefinitions, `apiregistration.k8s.io`
//! APIServices and Namespaces, whose names are fixed by the API. A resource renamed through
//! `metadata/name` remembers its previous id and the affix, which name references use later.

use crate::error::Result;
use crate::yaml::{Node, Origin, SetBy, Value};

use super::Ctx;
use super::fieldspec::{FieldSpec, walk};
use super::namespace::set_str;
use super::resource::{ResMap, Resource};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Affix {
    Prefix,
    Suffix,
}

pub fn apply(ctx: &Ctx, resmap: &mut ResMap) -> Result<()> {
    if let Some((prefix, span)) = ctx.k.string("namePrefix")?
        && !prefix.is_empty()
    {
        let origin = Origin::new(span, SetBy::Transformer);
        add_affix(
            resmap,
            Affix::Prefix,
            &prefix,
            &origin,
            &ctx.config.name_prefix,
        )?;
    }
    if let Some((suffix, span)) = ctx.k.string("nameSuffix")?
        && !suffix.is_empty()
    {
        let origin = Origin::new(span, SetBy::Transformer);
        add_affix(
            resmap,
            Affix::Suffix,
            &suffix,
            &origin,
            &ctx.config.name_suffix,
        )?;
    }
    Ok(())
}

/// Kinds whose names kustomize never changes.
pub fn skips_affix(r: &Resource) -> bool {
    let gvk = r.gvk();
    match gvk.kind.as_str() {
        "CustomResourceDefinition" | "Namespace" => true,
        "APIService" => gvk.group == "apiregistration.k8s.io",
        _ => false,
    }
}

pub fn add_affix(
    resmap: &mut ResMap,
    which: Affix,
    affix: &str,
    origin: &Origin,
    specs: &[FieldSpec],
) -> Result<()> {
    for r in &mut resmap.resources {
        if skips_affix(r) {
            continue;
        }
        let gvk = r.gvk();
        for fs in specs {
            if !fs.applies_to(&gvk) {
                continue;
            }
            if fs.path == ["metadata", "name"] {
                match which {
                    Affix::Prefix => r.name_prefixes.push(affix.to_string()),
                    Affix::Suffix => r.name_suffixes.push(affix.to_string()),
                }
                r.remember_id();
            }
            let mut set = |n: &mut Node| -> Result<()> {
                let old = match &n.value {
                    Value::Null | Value::Seq(_) | Value::Map(_) => String::new(),
                    _ => n.scalar_string().unwrap_or_default(),
                };
                let new = match which {
                    Affix::Prefix => format!("{affix}{old}"),
                    Affix::Suffix => format!("{old}{affix}"),
                };
                set_str(n, &new, origin);
                Ok(())
            };
            walk(&mut r.node, &fs.path, fs.create, origin, &mut set)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::fieldspec::TransformerConfig;
    use crate::source::{FileId, Span};
    use crate::yaml::parse_stream;

    fn resmap(text: &str) -> ResMap {
        let docs = parse_stream(text, FileId::NONE, SetBy::Resource).unwrap_or_default();
        ResMap {
            resources: docs
                .into_iter()
                .map(|d| Resource::new(d.root, Span::NONE))
                .collect(),
            ..ResMap::default()
        }
    }

    #[test]
    fn prefix_and_suffix_skip_fixed_names() {
        let mut m = resmap(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n---\napiVersion: example.com/v1\nkind: APIService\nmetadata:\n  name: api\n",
        );
        let cfg = TransformerConfig::defaults();
        let o = Origin::new(Span::NONE, SetBy::Transformer);
        add_affix(&mut m, Affix::Prefix, "p-", &o, &cfg.name_prefix).unwrap_or_default();
        add_affix(&mut m, Affix::Suffix, "-s", &o, &cfg.name_suffix).unwrap_or_default();
        let names: Vec<&str> = m.resources.iter().map(Resource::name).collect();
        assert_eq!(names, ["p-cm-s", "ns", "p-api-s"]);
        assert_eq!(m.resources[0].previous.len(), 2);
        assert_eq!(m.resources[0].name_prefixes, ["p-"]);
        assert!(m.resources[1].previous.is_empty());
    }
}
