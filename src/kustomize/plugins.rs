//! `transformers:` / `generators:` entries (built-in plugin configs) and what fluxlint refuses.

use crate::error::{Error, Result};
use crate::yaml::Node;

use super::Ctx;
use super::fieldspec::TransformerConfig;
use super::kustomization::Kustomization;
use super::resource::ResMap;

/// Fields that need a program fluxlint does not run.
pub fn reject_unsupported(k: &Kustomization) -> Result<()> {
    for field in [
        "helmCharts",
        "helmChartInflationGenerator",
        "helmGlobals",
        "validators",
    ] {
        if let Some(n) = k.root.get(field)
            && let Some(e) = k.root.as_map().and_then(|m| m.entry(field))
        {
            let _ = n;
            return Err(Error::at(
                "unsupported",
                e.key_span,
                format!("`{field}` is not supported: fluxlint does not run Helm or plugins"),
            )
            .with_label("unsupported")
            .with_help(
                "render the chart into plain manifests, or check it with a HelmRelease instead",
            ));
        }
    }
    Ok(())
}

/// Name references declared by CRD files (`crds:`). TODO(#2)
pub fn config_from_crd(_crd: &Node) -> TransformerConfig {
    TransformerConfig::default()
}

pub fn run_generators(_ctx: &Ctx, _resmap: &mut ResMap) -> Result<()> {
    Ok(())
}

pub fn run_transformers(_ctx: &Ctx, _resmap: &mut ResMap) -> Result<()> {
    Ok(())
}
