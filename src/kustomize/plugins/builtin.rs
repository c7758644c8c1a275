//! Running kustomize's builtin plugins from their configs (`apiVersion: builtin`).
//!
//! A builtin plugin's config carries its field specs explicitly: none of kustomize's default
//! specs apply unless the config lists them (a LabelTransformer without `fieldSpecs` sets nothing).

mod patch;
mod value_add;

use crate::error::{Error, Result};
use crate::yaml::{Map, Node, Origin, SetBy, Value};

use super::super::Ctx;
use super::super::generators::{self, GenKind};
use super::super::images::{self, ImageTag};
use super::super::labels;
use super::super::name_affix::{self, Affix};
use super::super::namespace::{self, Subjects};
use super::super::resource::ResMap;
use super::super::{hash, replicas};
use super::decode::Cfg;
use super::load::PluginConfig;

/// What a config is listed as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Generator,
    Transformer,
    Validator,
}

impl Role {
    fn field(self) -> &'static str {
        match self {
            Role::Generator => "generators",
            Role::Transformer => "transformers",
            Role::Validator => "validators",
        }
    }
}

const TRANSFORMERS: &[&str] = &[
    "AnnotationsTransformer",
    "HashTransformer",
    "ImageTagTransformer",
    "LabelTransformer",
    "NamespaceTransformer",
    "PatchJson6902Transformer",
    "PatchStrategicMergeTransformer",
    "PatchTransformer",
    "PrefixSuffixTransformer",
    "PrefixTransformer",
    "SuffixTransformer",
    "ReplacementTransformer",
    "ReplicaCountTransformer",
    "ValueAddTransformer",
];
const GENERATORS: &[&str] = &[
    "ConfigMapGenerator",
    "SecretGenerator",
    "HelmChartInflationGenerator",
    "IAMPolicyGenerator",
];

/// Refuses what is not a builtin plugin of the right role, before anything runs.
pub fn check(cfg: &PluginConfig, role: Role) -> Result<()> {
    let api_version = cfg.node.str_at(&["apiVersion"]).unwrap_or("");
    let kind = cfg.node.str_at(&["kind"]).unwrap_or("");
    let span = cfg.node.get("kind").map(Node::span).unwrap_or(cfg.doc_span);
    if api_version != "builtin" {
        let function = cfg
            .node
            .get_path(&["metadata", "annotations"])
            .and_then(Node::as_map)
            .is_some_and(|m| {
                m.contains_key("config.kubernetes.io/function")
                    || m.contains_key("config.k8s.io/function")
            });
        let what = if function {
            "a KRM function (exec or container)"
        } else {
            "an external (exec or Go) plugin"
        };
        return Err(Error::at(
            "external-plugin",
            cfg.doc_span,
            format!("external plugins disabled; unable to load external plugin '{kind}'"),
        )
        .with_label(format!("{what}, listed under `{}`", role.field()))
        .with_help(
            "kubectl kustomize runs only builtin plugins (`apiVersion: builtin`); render the plugin's output into plain manifests and list those under `resources:`",
        ));
    }
    let is_transformer = TRANSFORMERS.contains(&kind);
    let is_generator = GENERATORS.contains(&kind);
    if !is_transformer && !is_generator {
        return Err(Error::at(
            "plugin",
            span,
            format!("unable to load builtin {kind}.builtin.[noGrp]"),
        )
        .with_label("not a builtin plugin kind")
        .with_help(format!(
            "builtin kinds: {}, {}",
            TRANSFORMERS.join(", "),
            GENERATORS.join(", ")
        )));
    }
    let wrong = match role {
        Role::Generator if !is_generator => Some("not a generator"),
        Role::Transformer | Role::Validator if !is_transformer => Some("not a transformer"),
        _ => None,
    };
    if let Some(msg) = wrong {
        return Err(Error::at(
            "plugin",
            span,
            format!("plugin {kind}/{} {msg}", name_of(&cfg.node)),
        )
        .with_label(format!("listed under `{}`", role.field())));
    }
    Ok(())
}

fn name_of(n: &Node) -> &str {
    n.str_at(&["metadata", "name"]).unwrap_or("")
}

fn unsupported(cfg: &Cfg, kind: &str, why: &str) -> Error {
    Error::at(
        "unsupported",
        cfg.node
            .get("kind")
            .map(Node::span)
            .unwrap_or(cfg.node.span()),
        format!("builtin plugin {kind} is not supported yet: {why}"),
    )
    .with_label("not supported")
}

/// Runs a generator config, absorbing what it makes into `resmap`.
pub fn generate(ctx: &Ctx, pc: &PluginConfig, resmap: &mut ResMap) -> Result<()> {
    let cfg = Cfg::new(&pc.node);
    let kind = pc.node.str_at(&["kind"]).unwrap_or("");
    let gen_kind = match kind {
        "ConfigMapGenerator" => GenKind::ConfigMap,
        "SecretGenerator" => GenKind::Secret,
        "HelmChartInflationGenerator" => {
            return Err(unsupported(
                &cfg,
                kind,
                "fluxlint does not run Helm (kubectl needs --enable-helm too)",
            ));
        }
        _ => return Err(unsupported(&cfg, kind, "it needs cloud credentials")),
    };
    let entry = generator_entry(&cfg, gen_kind);
    generators::run_entry(ctx, gen_kind, &entry, resmap)
}

/// The generator arguments of a ConfigMapGenerator / SecretGenerator config, as a
/// `configMapGenerator` entry: known keys only, `name`/`namespace` falling back to `metadata`.
fn generator_entry(cfg: &Cfg, kind: GenKind) -> Node {
    let keys = kind.known_fields();
    let mut m = Map::new();
    let Some(src) = cfg.node.as_map() else {
        return Node::map(cfg.node.origin.clone());
    };
    for &key in keys {
        if let Some(e) = src
            .entries
            .iter()
            .rev()
            .find(|e| e.key.eq_ignore_ascii_case(key) && !e.value.is_null())
        {
            m.insert(key, e.key_span, e.value.clone());
        }
    }
    let meta = cfg.get("metadata");
    for key in ["name", "namespace"] {
        let empty = m.get(key).is_none_or(|v| v.as_str() == Some(""));
        if empty && let Some(v) = meta.and_then(|md| labels::values::get(md, key)) {
            m.insert(key, v.span(), v.clone());
        }
    }
    Node::new(Value::Map(m), cfg.node.origin.clone())
}

/// Runs a transformer config over `resmap`.
pub fn transform(ctx: &Ctx, pc: &PluginConfig, resmap: &mut ResMap) -> Result<()> {
    let cfg = Cfg::new(&pc.node);
    let kind = pc.node.str_at(&["kind"]).unwrap_or("");
    let origin = Origin::new(pc.doc_span, SetBy::Transformer);
    let require_specs = |cfg: &Cfg| -> Result<Vec<_>> {
        cfg.field_specs()?.ok_or_else(|| {
            Error::at(
                "plugin-config",
                cfg.node.span(),
                format!(
                    "plugin {} fails configuration: fieldSpecs is not expected to be nil",
                    cfg.label
                ),
            )
            .with_label("no `fieldSpecs`")
            .with_help("list the fields to rename, e.g. `fieldSpecs: [{path: metadata/name}]`")
        })
    };
    match kind {
        "PrefixSuffixTransformer" | "PrefixTransformer" | "SuffixTransformer" => {
            let prefix = match kind {
                "SuffixTransformer" => None,
                _ => Some(cfg.string("prefix")?),
            };
            let suffix = match kind {
                "PrefixTransformer" => None,
                _ => Some(cfg.string("suffix")?),
            };
            let specs = require_specs(&cfg)?;
            if let Some(p) = prefix {
                name_affix::add_affix(resmap, Affix::Prefix, &p, &origin, &specs)?;
            }
            if let Some(s) = suffix {
                name_affix::add_affix(resmap, Affix::Suffix, &s, &origin, &specs)?;
            }
            Ok(())
        }
        "NamespaceTransformer" => {
            let meta = cfg.get("metadata");
            let ns_node = meta.and_then(|m| labels::values::get(m, "namespace"));
            let ns = cfg.string_of(ns_node, "metadata.namespace")?;
            let unset_only = cfg.boolean("unsetOnly")?;
            let subjects = match cfg.get("setRoleBindingSubjects") {
                None => Subjects::DefaultOnly,
                Some(n) => match cfg.string_of(Some(n), "setRoleBindingSubjects")?.as_str() {
                    "" | "defaultOnly" => Subjects::DefaultOnly,
                    "allServiceAccounts" => Subjects::AllServiceAccounts,
                    "none" => Subjects::None,
                    other => {
                        return Err(cfg.error(
                            n,
                            "setRoleBindingSubjects",
                            &format!(
                                "invalid value \"{other}\": must be one of \"defaultOnly\", \"none\" or \"allServiceAccounts\""
                            ),
                        ));
                    }
                },
            };
            let specs = cfg.field_specs()?.unwrap_or_default();
            if ns.is_empty() {
                return Ok(());
            }
            let origin = Origin::new(ns_node.map_or(pc.doc_span, Node::span), SetBy::Transformer);
            let opts = namespace::Options {
                subjects,
                unset_only,
            };
            namespace::transform(resmap, &ns, &origin, &specs, opts)
        }
        "LabelTransformer" | "AnnotationsTransformer" => {
            let key = if kind == "LabelTransformer" {
                "labels"
            } else {
                "annotations"
            };
            let pairs = cfg.string_map(key)?;
            let specs = cfg.field_specs()?.unwrap_or_default();
            labels::set_pairs(resmap, &pairs, &specs)
        }
        "ImageTagTransformer" => {
            let specs = cfg.field_specs()?.unwrap_or_default();
            let it = cfg.object("imageTag")?;
            let s = |k: &str| {
                let n = it.and_then(|it| labels::values::get(it, k));
                cfg.string_of(n, &format!("imageTag.{k}"))
            };
            let name = s("name")?;
            let origin = Origin::new(it.map_or(pc.doc_span, Node::span), SetBy::Transformer);
            let entry = ImageTag::new(
                &name,
                &s("newName")?,
                &s("newTag")?,
                &s("digest")?,
                &s("tagSuffix")?,
                origin,
            )
            .map_err(|e| {
                Error::at(
                    "plugin-config",
                    it.map_or(pc.doc_span, Node::span),
                    format!("image name '{name}' is not a valid pattern: {e}"),
                )
            })?;
            images::transform(resmap, &entry, &specs)
        }
        "ReplicaCountTransformer" => {
            let specs = cfg.field_specs()?.unwrap_or_default();
            let r = cfg.object("replica")?;
            let get = |k: &str| r.and_then(|r| labels::values::get(r, k));
            let name = cfg.string_of(get("name"), "replica.name")?;
            let count = cfg.int_of(get("count"), "replica.count")?;
            let span = get("count").or(r).map_or(pc.doc_span, Node::span);
            let origin = Origin::new(span, SetBy::Transformer);
            let name_span = get("name").or(r).map_or(pc.doc_span, Node::span);
            replicas::transform(resmap, &name, count, &origin, &specs, name_span)
        }
        "HashTransformer" => hash::add_hashes(resmap),
        "PatchTransformer" => patch::patch_transformer(ctx, pc, &cfg, resmap),
        "PatchJson6902Transformer" => patch::json6902_transformer(ctx, pc, &cfg, resmap),
        "PatchStrategicMergeTransformer" => patch::smp_transformer(ctx, pc, &cfg, resmap),
        "ReplacementTransformer" => patch::replacement_transformer(ctx, pc, &cfg, resmap),
        "ValueAddTransformer" => value_add::transform(ctx, pc, &cfg, resmap),
        _ => Err(unsupported(&cfg, kind, "fluxlint does not implement it")),
    }
}
