//! `transformers:` / `generators:` / `validators:` entries (kustomize's builtin plugins),
//! `crds:`, `buildMetadata:`, and what fluxlint refuses.
//!
//! Plugin configs run after the kustomization's own generators and transformers, in the order
//! kustomize loads them (inline configs first, then files and directories). Only builtin plugins
//! (`apiVersion: builtin`) run: anything else is refused with its location, as kubectl refuses it.

pub mod build_meta;
pub mod builtin;
pub mod crds;
pub mod decode;
pub mod load;

use crate::error::{Error, Result};
use crate::yaml::Node;

use super::Ctx;
use super::fieldspec::TransformerConfig;
use super::kustomization::Kustomization;
use super::resource::ResMap;
pub use build_meta::{BuildMeta, ConfiguredBy};
use builtin::Role;
use load::PluginConfig;

/// Fields that need a program fluxlint does not run.
pub fn reject_unsupported(k: &Kustomization) -> Result<()> {
    for field in ["helmCharts", "helmChartInflationGenerator", "helmGlobals"] {
        if k.field(field).is_some()
            && let Some(e) = k.entry(field)
        {
            return Err(Error::at(
                "unsupported",
                e.key_span,
                format!("`{field}` is not supported: fluxlint does not run Helm"),
            )
            .with_label("unsupported")
            .with_help(
                "render the chart into plain manifests, or check it with a HelmRelease instead",
            ));
        }
    }
    Ok(())
}

/// Field specs declared by a `crds:` file (one parsed document).
pub fn config_from_crd(doc: &Node) -> Result<TransformerConfig> {
    crds::config_from_crd(doc)
}

fn configured_by(meta: &BuildMeta, pc: &PluginConfig) -> ConfiguredBy {
    let s = |path: &[&str]| pc.node.str_at(path).unwrap_or("").to_string();
    ConfiguredBy {
        configured_in: meta.rel(&pc.file),
        api_version: s(&["apiVersion"]),
        kind: s(&["kind"]),
        name: s(&["metadata", "name"]),
        namespace: s(&["metadata", "namespace"]),
    }
}

/// `generators:` — after the kustomization's own generators.
pub fn run_generators(ctx: &Ctx, meta: Option<&BuildMeta>, resmap: &mut ResMap) -> Result<()> {
    if let Some(meta) = meta {
        let kust = meta.rel(&ctx.k.path);
        for r in &mut resmap.resources {
            if r.generated.is_some() {
                let by = ConfiguredBy::builtin(kust.clone(), &format!("{}Generator", r.kind()));
                meta.annotate_generated(&by, r);
            }
        }
    }
    let configs = load::load(ctx.loader, ctx.k, "generators")?;
    for pc in &configs {
        builtin::check(pc, Role::Generator)?;
    }
    for pc in &configs {
        let before = resmap.resources.len();
        builtin::generate(ctx, pc, resmap)?;
        if let Some(meta) = meta {
            let by = configured_by(meta, pc);
            for r in &mut resmap.resources[before..] {
                meta.annotate_generated(&by, r);
            }
        }
    }
    Ok(())
}

/// `transformers:` then `validators:` — after the kustomization's own transformers.
pub fn run_transformers(ctx: &Ctx, meta: Option<&BuildMeta>, resmap: &mut ResMap) -> Result<()> {
    let transformers = load::load(ctx.loader, ctx.k, "transformers")?;
    for pc in &transformers {
        builtin::check(pc, Role::Transformer)?;
    }
    let validators = load::load(ctx.loader, ctx.k, "validators")?;
    for pc in &validators {
        builtin::check(pc, Role::Validator)?;
    }
    if let Some(meta) = meta {
        let kust = meta.rel(&ctx.k.path);
        for kind in build_meta::builtin_transformers(ctx.k) {
            meta.record_transformer(&ConfiguredBy::builtin(kust.clone(), kind), resmap);
        }
    }
    for pc in &transformers {
        builtin::transform(ctx, pc, resmap)?;
        if let Some(meta) = meta {
            meta.record_transformer(&configured_by(meta, pc), resmap);
        }
    }
    for pc in &validators {
        let mut copy = resmap.clone();
        builtin::transform(ctx, pc, &mut copy)?;
        let changed: Option<Option<crate::source::Span>> =
            if resmap.resources.len() != copy.resources.len() {
                Some(None)
            } else {
                resmap
                    .resources
                    .iter()
                    .zip(&copy.resources)
                    .find(|(a, b)| !a.node.same_value(&b.node))
                    .map(|(a, _)| Some(a.doc_span))
            };
        if let Some(which) = changed {
            let mut err = Error::at(
                "validator",
                pc.doc_span,
                "validator shouldn't modify the resource map",
            )
            .with_label("this validator changes resources")
            .with_help(
                "a validator may only check resources; list transformers under `transformers:`",
            );
            if let Some(span) = which {
                err = err.with_note("for instance this one", span);
            }
            return Err(err);
        }
    }
    Ok(())
}
