//! The Flux Kustomizations of an environment.

use crate::flux::Environment;
use crate::flux::kinds::FluxKustomization;

use super::{InEnv, KUSTOMIZE_GROUP, Obj, objects};

/// A Flux Kustomization (kustomize.toolkit.fluxcd.io) of an environment.
pub type Kustomization<'a> = InEnv<'a, FluxKustomization<'a>>;

/// Every Flux Kustomization in the environment (v1 and v1beta2), each once.
pub fn kustomizations(env: &Environment) -> Vec<Kustomization<'_>> {
    objects(env, KUSTOMIZE_GROUP, &["Kustomization"])
        .into_iter()
        .map(|o| InEnv::new(o, FluxKustomization))
        .collect()
}

pub fn find_kustomization<'a>(
    env: &'a Environment,
    name: &str,
    namespace: &str,
) -> Option<Kustomization<'a>> {
    kustomizations(env)
        .into_iter()
        .find(|k| k.0.is_named(name, namespace))
}

/// The Flux Kustomization that applies the environment's cluster directory (Flux's own sync).
pub fn cluster_sync(env: &Environment) -> Option<Kustomization<'_>> {
    env.units
        .iter()
        .filter(|u| u.dir.as_deref() == Some(env.cluster_dir.as_path()))
        .find_map(|u| u.object)
        .map(|i| {
            let applied = &env.objects[i];
            InEnv::new(Obj { env, applied }, FluxKustomization)
        })
}
