//! ArtifactGenerator (`source.extensions.fluxcd.io`, Flux's source-watcher): the sources it reads
//! (each under an alias) and the ExternalArtifacts it produces, each a list of copy operations.
//! The semantics of the copy live in [`crate::flux::artifacts`]; this is the typed view.

use crate::kustomize::resource::Resource;
use crate::yaml::Node;

use super::{ObjectRef, namespace_of, spec};

pub const SOURCE_EXTENSIONS_GROUP: &str = "source.extensions.fluxcd.io";

/// An ArtifactGenerator (any version).
#[derive(Clone, Copy, Debug)]
pub struct ArtifactGenerator<'a>(pub &'a Resource);

/// `spec.sources[]`: a Flux source under an alias.
#[derive(Clone, Debug)]
pub struct GeneratorSource<'a> {
    pub alias: String,
    /// The entry (where a finding about the alias or the source points).
    pub node: &'a Node,
    pub alias_node: Option<&'a Node>,
    /// The source (kind as written, empty when unset; namespace defaulting to the generator's).
    pub reference: ObjectRef<'a>,
}

/// `spec.artifacts[]`: an ExternalArtifact, named in the generator's namespace.
#[derive(Clone, Debug)]
pub struct OutputArtifact<'a> {
    pub name: String,
    pub node: &'a Node,
    pub name_node: &'a Node,
    /// `revision` (`@alias`), when set.
    pub revision: Option<&'a Node>,
}

/// One entry of `copy`.
#[derive(Clone, Debug)]
pub struct CopyOp<'a> {
    pub node: &'a Node,
    /// `from` (`@alias/pattern`), the node and its text.
    pub from: Option<(&'a Node, String)>,
    /// `to` (`@artifact/path`).
    pub to: Option<(&'a Node, String)>,
    pub exclude: Vec<(&'a Node, String)>,
    /// `strategy` as written (`Overwrite` when unset).
    pub strategy: Option<(&'a Node, String)>,
}

impl<'a> ArtifactGenerator<'a> {
    pub fn new(r: &'a Resource) -> Option<ArtifactGenerator<'a>> {
        is_artifact_generator(r).then_some(ArtifactGenerator(r))
    }
    pub fn name(&self) -> &'a str {
        self.0.name()
    }
    pub fn namespace(&self) -> &'a str {
        namespace_of(self.0)
    }
    /// `spec.pathPattern`: artifacts named from directory captures (not followed by fluxlint).
    pub fn path_pattern(&self) -> Option<&'a Node> {
        spec(self.0, "pathPattern").filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
    }
    pub fn sources(&self) -> Vec<GeneratorSource<'a>> {
        items(spec(self.0, "sources"))
            .iter()
            .map(|n| GeneratorSource {
                alias: text(n.get("alias")).unwrap_or_default(),
                node: n,
                alias_node: n.get("alias"),
                reference: ObjectRef::read(n, "", self.0),
            })
            .collect()
    }
    pub fn artifacts(&self) -> Vec<OutputArtifact<'a>> {
        items(spec(self.0, "artifacts"))
            .iter()
            .map(|n| OutputArtifact {
                name: text(n.get("name")).unwrap_or_default(),
                node: n,
                name_node: n.get("name").unwrap_or(n),
                revision: n.get("revision").filter(|r| !r.is_null()),
            })
            .collect()
    }
}

impl<'a> OutputArtifact<'a> {
    /// `copy`, in order.
    pub fn copy(&self) -> Vec<CopyOp<'a>> {
        items(self.node.get("copy"))
            .iter()
            .map(|c| CopyOp {
                node: c,
                from: field(c, "from"),
                to: field(c, "to"),
                exclude: items(c.get("exclude"))
                    .iter()
                    .filter_map(|e| Some((e, e.scalar_string()?)))
                    .collect(),
                strategy: field(c, "strategy"),
            })
            .collect()
    }
}

/// Is this an ArtifactGenerator (source.extensions.fluxcd.io, any version)?
pub fn is_artifact_generator(r: &Resource) -> bool {
    r.kind() == "ArtifactGenerator" && r.gvk().group == SOURCE_EXTENSIONS_GROUP
}

fn items(n: Option<&Node>) -> &[Node] {
    n.and_then(Node::as_seq).map(Vec::as_slice).unwrap_or(&[])
}

fn text(n: Option<&Node>) -> Option<String> {
    n.and_then(Node::scalar_string)
}

fn field<'a>(n: &'a Node, key: &str) -> Option<(&'a Node, String)> {
    let v = n.get(key)?;
    Some((v, v.scalar_string()?))
}
