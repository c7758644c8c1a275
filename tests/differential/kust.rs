//! The generator's state and one kustomization directory being written.

use crate::model::{Model, Tree};
use crate::rng::Rng;
use crate::yaml::Y;

pub struct Gen {
    pub rng: Rng,
    pub model: Model,
    pub tree: Tree,
    /// Whether this seed already received its deliberate mistake (at most one per seed).
    pub broken: bool,
    /// Whether this seed may receive one (a few percent of seeds do).
    pub may_break: bool,
    pub counter: usize,
}

impl Gen {
    /// A number not handed out before, for file and variable names.
    pub fn next_id(&mut self) -> usize {
        self.counter += 1;
        self.counter
    }

    /// A deliberate mistake, now and then: kubectl must fail, and so must fluxlint.
    pub fn break_now(&mut self, percent: u32) -> bool {
        if self.may_break && !self.broken && self.rng.chance(percent) {
            self.broken = true;
            true
        } else {
            false
        }
    }

    /// Block lists indented under their key, or not: both styles appear in real repositories.
    pub fn indent_style(&mut self) -> bool {
        self.rng.chance(30)
    }
}

/// One kustomization (or component) directory: its fields in order and the files beside it.
pub struct Kust {
    pub dir: String,
    pub fields: Y,
    pub component: bool,
}

impl Kust {
    pub fn new(dir: &str, component: bool) -> Kust {
        let fields = if component {
            crate::ymap! {
                "apiVersion" => "kustomize.config.k8s.io/v1alpha1",
                "kind" => "Component",
            }
        } else {
            Y::Map(Vec::new())
        };
        Kust {
            dir: dir.to_string(),
            fields,
            component,
        }
    }

    /// Appends to a list field, creating it.
    pub fn push(&mut self, field: &str, item: impl Into<Y>) {
        if self.fields.get_mut(field).is_none() {
            self.fields.set(field, Y::List(Vec::new()));
        }
        if let Some(list) = self.fields.get_mut(field) {
            list.push(item);
        }
    }

    pub fn set(&mut self, field: &str, value: impl Into<Y>) {
        self.fields.set(field, value);
    }

    pub fn has(&self, field: &str) -> bool {
        self.fields.get(field).is_some()
    }

    pub fn fields_len(&self) -> usize {
        match &self.fields {
            Y::Map(m) => m.len(),
            _ => 0,
        }
    }

    /// Writes `kustomization.yaml` (or one of its other accepted names).
    pub fn finish(self, g: &mut Gen) {
        let name = match g.rng.below(20) {
            0 => "kustomization.yml",
            1 => "Kustomization",
            _ => "kustomization.yaml",
        };
        let mut fields = self.fields;
        if !self.component && g.rng.chance(40) {
            // the header is optional for kustomizations; put it first as people do
            if let Y::Map(m) = &mut fields {
                m.insert(0, ("kind".into(), "Kustomization".into()));
                m.insert(
                    0,
                    (
                        "apiVersion".into(),
                        "kustomize.config.k8s.io/v1beta1".into(),
                    ),
                );
            }
        }
        let il = g.indent_style();
        g.tree
            .add_yaml(format!("{}/{name}", self.dir), &[fields], il);
    }
}
