//! `fluxlint.yaml`: an optional file at the repository root that declares what fluxlint cannot find
//! by itself: the environments, their roles, and the sources that are this repository.
//!
//! ```yaml
//! environments:                 # optional: replaces discovery
//!   - name: production          # required: the name used in findings and `--env`
//!     path: clusters/prod       # the cluster directory, relative to the root (default clusters/<name>)
//!     aliases: [prod]           # other names `--env` accepts
//!     role: production          # dev | staging | production (default: read from the names)
//!   - name: dev
//! roles:                        # optional: roles of discovered environments, by name glob
//!   production: [main, "live-*"]
//! sources:                      # optional: sources that are this repository
//!   - name: flux-system         # name or namespace/name of the GitRepository/OCIRepository/Bucket
//!     kind: OCIRepository       # optional: only this kind
//!     root: kubernetes          # optional: the sub-tree the artifact is built from (default: the root)
//! kubernetesVersion: "1.30"     # optional: the Kubernetes the clusters run (default: the newest known)
//! fluxVersion: "2.6"            # optional: the Flux they run (default: read from the render, else the newest)
//! ```
//!
//! Without `environments:` the environments are found as Flux finds them ([`super::clusters`]).
//! Every mistake is an error pointing into the file (exit 2): a typo must not silently check
//! nothing.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::source::{SourceMap, Span};
use crate::yaml::{Node, SetBy, Value, parse_stream};

use super::roles::Role;
use super::version::Version;

pub const FILE_NAME: &str = "fluxlint.yaml";

const TOP_FIELDS: &[&str] = &[
    "environments",
    "roles",
    "sources",
    "kubernetesVersion",
    "fluxVersion",
];
const ENV_FIELDS: &[&str] = &["name", "path", "aliases", "role"];
const SOURCE_FIELDS: &[&str] = &["name", "kind", "root"];

/// What `fluxlint.yaml` says.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The environments it declares (`None`: discover them).
    pub environments: Option<Vec<EnvDecl>>,
    /// Roles for discovered environments: (role, name globs).
    pub roles: Vec<(Role, Vec<String>)>,
    /// Sources that are this repository.
    pub sources: Vec<RepoSource>,
    /// The Kubernetes and Flux versions the clusters run, when declared.
    pub versions: Versions,
}

/// `kubernetesVersion` and `fluxVersion`: what the clusters run, with where it was declared.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Versions {
    pub kubernetes: Option<(Version, Span)>,
    pub flux: Option<(Version, Span)>,
}

/// An environment as `fluxlint.yaml` declares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvDecl {
    pub name: String,
    pub aliases: Vec<String>,
    /// Canonical cluster directory.
    pub cluster_dir: PathBuf,
    pub role: Option<Role>,
}

/// A source that is this repository, as `fluxlint.yaml` declares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoSource {
    /// `name` or `namespace/name`.
    pub key: String,
    pub kind: Option<String>,
    /// Canonical directory its paths are relative to.
    pub root: PathBuf,
    pub span: Span,
}

impl RepoSource {
    /// Does this entry name the source (kind, namespace, name)?
    pub fn names(&self, kind: &str, namespace: &str, name: &str) -> bool {
        let ns = if namespace.is_empty() {
            "default"
        } else {
            namespace
        };
        self.kind.as_deref().is_none_or(|k| k == kind)
            && (self.key == name || self.key == format!("{ns}/{name}"))
    }
}

/// The environments `fluxlint.yaml` declares; `None` when there is no file or it declares none
/// (`environments:` absent), so discovery applies.
pub fn load(root: &Path, sources: &SourceMap) -> Result<Option<Vec<EnvDecl>>> {
    Ok(load_config(root, sources)?.environments)
}

/// Everything `fluxlint.yaml` says (the default when there is no file).
pub fn load_config(root: &Path, sources: &SourceMap) -> Result<Config> {
    let path = root.join(FILE_NAME);
    if !path.is_file() {
        return Ok(Config::default());
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::new("config", format!("cannot read {}: {e}", path.display())))?;
    let file = sources.add(FILE_NAME.to_string(), &path, Arc::from(text.as_str()));
    let docs = parse_stream(&text, file, SetBy::Resource)
        .map_err(|e| Error::at("config", e.span, e.message).with_label("here"))?;
    let Some(doc) = docs.into_iter().next() else {
        return Ok(Config::default());
    };
    parse(root, &doc.root, &text)
}

fn parse(root: &Path, doc: &Node, text: &str) -> Result<Config> {
    let m = match &doc.value {
        Value::Null => return Ok(Config::default()),
        Value::Map(m) => m,
        _ => return Err(wrong_type(doc, "fluxlint.yaml", "a mapping")),
    };
    for e in &m.entries {
        if !TOP_FIELDS.contains(&e.key.as_str()) {
            return Err(unknown(&e.key, e.key_span, "fluxlint.yaml", TOP_FIELDS));
        }
    }
    Ok(Config {
        environments: match m.get("environments").filter(|n| !n.is_null()) {
            None => None,
            Some(list) => Some(parse_envs(root, list)?),
        },
        roles: match m.get("roles").filter(|n| !n.is_null()) {
            None => Vec::new(),
            Some(n) => parse_roles(n)?,
        },
        sources: match m.get("sources").filter(|n| !n.is_null()) {
            None => Vec::new(),
            Some(n) => parse_sources(root, n)?,
        },
        versions: Versions {
            kubernetes: parse_version(m.get("kubernetesVersion"), text, "kubernetesVersion", 1)?,
            flux: parse_version(m.get("fluxVersion"), text, "fluxVersion", 2)?,
        },
    })
}

/// `kubernetesVersion: "1.30"` / `fluxVersion: "2.6"` (a `v` prefix and a patch are accepted;
/// an unquoted `1.30` is read as written, not as the number 1.3).
fn parse_version(
    n: Option<&Node>,
    text: &str,
    field: &str,
    major: u64,
) -> Result<Option<(Version, Span)>> {
    let Some(n) = n.filter(|n| !n.is_null()) else {
        return Ok(None);
    };
    let example = if major == 1 { "1.30" } else { "2.6" };
    let written = match &n.value {
        Value::Str(s) => s.clone(),
        Value::Int(_) | Value::Float(_) => {
            let span = n.span();
            text.get(span.start as usize..span.end as usize)
                .map(str::to_string)
                .or_else(|| n.scalar_string())
                .unwrap_or_default()
        }
        _ => {
            return Err(wrong_type(
                n,
                field,
                &format!("a version such as \"{example}\""),
            ));
        }
    };
    match Version::parse(&written) {
        // Flux 0.x: the releases before Flux 2.0
        Some(v) if v.major == major || (major == 2 && v.major == 0) => Ok(Some((v, n.span()))),
        Some(_) => Err(Error::at(
            "config",
            n.span(),
            format!("`{field}` is '{written}', expected a {major}.x version"),
        )
        .with_label("wrong major version")
        .with_help(format!(
            "write the version the clusters run, e.g. `{field}: \"{example}\"`"
        ))),
        None => Err(Error::at(
            "config",
            n.span(),
            format!("`{field}` is '{written}', which is not a version"),
        )
        .with_label("not a version")
        .with_help(format!("write major.minor, e.g. `{field}: \"{example}\"`"))),
    }
}

fn parse_envs(root: &Path, list: &Node) -> Result<Vec<EnvDecl>> {
    let Some(items) = list.as_seq() else {
        return Err(wrong_type(list, "environments", "a list"));
    };
    if items.is_empty() {
        return Err(Error::at("config", list.span(), "`environments` is empty")
            .with_label("no environment")
            .with_help(
                "declare at least one environment, or remove `environments` to let fluxlint find them",
            ));
    }
    let mut out: Vec<EnvDecl> = Vec::new();
    // every name and alias, with where it was declared, to refuse ambiguity
    let mut names: Vec<(String, Span)> = Vec::new();
    for item in items {
        let spec = parse_env(root, item)?;
        let name_span = item.get("name").map_or(item.span(), Node::span);
        let alias_spans: Vec<Span> = item
            .get("aliases")
            .and_then(Node::as_seq)
            .map(|s| s.iter().map(Node::span).collect())
            .unwrap_or_default();
        let all = std::iter::once((spec.name.clone(), name_span)).chain(
            spec.aliases
                .iter()
                .cloned()
                .zip(alias_spans.iter().copied()),
        );
        for (n, span) in all {
            if let Some((_, first)) = names.iter().find(|(m, _)| *m == n) {
                return Err(Error::at(
                    "config",
                    span,
                    format!("environment name or alias '{n}' is declared twice"),
                )
                .with_label("again here")
                .with_note("first declared here", *first)
                .with_help("every environment name and alias must be unique"));
            }
            names.push((n, span));
        }
        out.push(spec);
    }
    Ok(out)
}

fn parse_env(root: &Path, item: &Node) -> Result<EnvDecl> {
    let Some(m) = item.as_map() else {
        return Err(wrong_type(item, "an environment", "a mapping with `name`"));
    };
    for e in &m.entries {
        if !ENV_FIELDS.contains(&e.key.as_str()) {
            return Err(unknown(&e.key, e.key_span, "an environment", ENV_FIELDS));
        }
    }
    let Some(name_node) = m.get("name") else {
        return Err(
            Error::at("config", item.span(), "an environment needs a `name`")
                .with_label("no name")
                .with_help("add `name: <env>`"),
        );
    };
    let name = checked_name(name_node, "name")?;
    let mut aliases = Vec::new();
    if let Some(a) = m.get("aliases").filter(|n| !n.is_null()) {
        let Some(list) = a.as_seq() else {
            return Err(wrong_type(a, "aliases", "a list of names"));
        };
        for n in list {
            aliases.push(checked_name(n, "aliases")?);
        }
    }
    let role = match m.get("role").filter(|n| !n.is_null()) {
        None => None,
        Some(r) => Some(parse_role(r)?),
    };
    let (rel, span) = match m.get("path").filter(|n| !n.is_null()) {
        None => (format!("clusters/{name}"), name_node.span()),
        Some(p) => match p.as_str() {
            Some(s) => (s.to_string(), p.span()),
            None => return Err(wrong_type(p, "path", "a directory relative to the root")),
        },
    };
    let cluster_dir = inside_dir(
        root,
        &rel,
        span,
        &format!("cluster directory '{rel}' of environment '{name}'"),
    )
    .map_err(|e| e.with_help("set `path` to the directory Flux syncs for this environment"))?;
    Ok(EnvDecl {
        name,
        aliases,
        cluster_dir,
        role,
    })
}

/// A repo-relative directory that must exist inside the repository.
fn inside_dir(root: &Path, rel: &str, span: Span, what: &str) -> Result<PathBuf> {
    let escapes = Path::new(rel).components().any(|c| {
        matches!(
            c,
            Component::ParentDir | Component::RootDir | Component::Prefix(_)
        )
    });
    if escapes || rel.trim().is_empty() {
        return Err(Error::at(
            "config",
            span,
            format!("{what} must be a directory inside the repository"),
        )
        .with_label("not inside the repository")
        .with_help("write the path relative to the directory that holds fluxlint.yaml"));
    }
    let dir = root.join(rel.trim_start_matches("./"));
    match dir.canonicalize() {
        Ok(d) if d.is_dir() && d.starts_with(root) => Ok(d),
        _ => Err(Error::at("config", span, format!("{what} does not exist"))
            .with_label("no such directory")),
    }
}

fn parse_role(n: &Node) -> Result<Role> {
    let s = n.as_str().unwrap_or("");
    match s {
        "dev" | "staging" | "production" => Role::parse(s).ok_or_else(|| bad_role(n, s)),
        _ => Err(bad_role(n, s)),
    }
}

fn bad_role(n: &Node, s: &str) -> Error {
    let hint = Role::parse(s)
        .map(|r| format!("did you mean `{r}`?"))
        .unwrap_or_else(|| "a role is one of dev, staging, production".into());
    Error::at("config", n.span(), format!("'{s}' is not a role"))
        .with_label("unknown role")
        .with_help(hint)
}

/// `roles: {production: [glob, …], …}`.
fn parse_roles(n: &Node) -> Result<Vec<(Role, Vec<String>)>> {
    let Some(m) = n.as_map() else {
        return Err(wrong_type(
            n,
            "roles",
            "a mapping of role to environment names",
        ));
    };
    let mut out = Vec::new();
    for e in &m.entries {
        let key = Node::str(
            e.key.clone(),
            crate::yaml::Origin::new(e.key_span, SetBy::Resource),
        );
        let role = parse_role(&key)?;
        let globs: Vec<String> = match &e.value.value {
            Value::Str(s) => vec![s.clone()],
            Value::Seq(items) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| wrong_type(i, "roles", "a list of environment names"))
                })
                .collect::<Result<_>>()?,
            _ => return Err(wrong_type(&e.value, "roles", "a list of environment names")),
        };
        out.push((role, globs));
    }
    Ok(out)
}

/// `sources: [{name, kind?, root?}]`.
fn parse_sources(root: &Path, n: &Node) -> Result<Vec<RepoSource>> {
    let Some(items) = n.as_seq() else {
        return Err(wrong_type(n, "sources", "a list"));
    };
    let mut out = Vec::new();
    for item in items {
        let Some(m) = item.as_map() else {
            return Err(wrong_type(item, "a source", "a mapping with `name`"));
        };
        for e in &m.entries {
            if !SOURCE_FIELDS.contains(&e.key.as_str()) {
                return Err(unknown(&e.key, e.key_span, "a source", SOURCE_FIELDS));
            }
        }
        let Some(name) = m
            .get("name")
            .and_then(Node::as_str)
            .filter(|s| !s.is_empty())
        else {
            return Err(Error::at("config", item.span(), "a source needs a `name`")
                .with_label("no name")
                .with_help("add `name: <source>` (or `namespace/name`)"));
        };
        let kind = match m.get("kind").filter(|k| !k.is_null()) {
            None => None,
            Some(k) => match k.as_str() {
                Some(s @ ("GitRepository" | "OCIRepository" | "Bucket")) => Some(s.to_string()),
                _ => {
                    return Err(Error::at(
                        "config",
                        k.span(),
                        "`kind` must be GitRepository, OCIRepository or Bucket",
                    )
                    .with_label("unknown source kind"));
                }
            },
        };
        let src_root = match m.get("root").filter(|r| !r.is_null()) {
            None => root.to_path_buf(),
            Some(r) => match r.as_str() {
                Some(".") | Some("./") | Some("") => root.to_path_buf(),
                Some(s) => inside_dir(root, s, r.span(), &format!("root '{s}' of source '{name}'"))
                    .map_err(|e| {
                        e.with_help("set `root` to the directory the artifact is built from")
                    })?,
                None => return Err(wrong_type(r, "root", "a directory relative to the root")),
            },
        };
        out.push(RepoSource {
            key: name.to_string(),
            kind,
            root: src_root,
            span: item.span(),
        });
    }
    Ok(out)
}

/// Names appear in findings and on the command line: letters, digits, `-`, `_`, `.`.
fn checked_name(n: &Node, field: &str) -> Result<String> {
    let Some(s) = n.as_str() else {
        return Err(wrong_type(n, field, "a string"));
    };
    let ok = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        return Err(Error::at(
            "config",
            n.span(),
            format!("'{s}' is not a valid environment name"),
        )
        .with_label("invalid name")
        .with_help("use letters, digits, '-', '_' and '.' only"));
    }
    Ok(s.to_string())
}

fn wrong_type(n: &Node, what: &str, expected: &str) -> Error {
    Error::at(
        "config",
        n.span(),
        format!("`{what}` must be {expected}, found a {}", n.type_name()),
    )
    .with_label("wrong type")
}

fn unknown(key: &str, span: Span, what: &str, known: &[&str]) -> Error {
    let hint = known
        .iter()
        .find(|k| similar(k, key))
        .map(|k| format!("did you mean `{k}`?"))
        .unwrap_or_else(|| format!("known fields: {}", known.join(", ")));
    Error::at("config", span, format!("unknown field '{key}' in {what}"))
        .with_label("unknown field")
        .with_help(hint)
}

/// Close enough to be a typo: same letters ignoring case, or one edit apart.
fn similar(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (
        a.to_ascii_lowercase().chars().collect(),
        b.to_ascii_lowercase().chars().collect(),
    );
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()] <= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(files: &[&str]) -> tempdir::Dir {
        let d = tempdir::Dir::new();
        for f in files {
            std::fs::create_dir_all(d.path().join(f)).expect("mkdir");
        }
        d
    }

    fn run(d: &tempdir::Dir, text: &str) -> Result<Option<Vec<EnvDecl>>> {
        std::fs::write(d.path().join(FILE_NAME), text).expect("write");
        let root = d.path().canonicalize().expect("root");
        load(&root, &SourceMap::new())
    }

    #[test]
    fn declares_environments_with_aliases_and_paths() {
        let d = repo(&["clusters/prod", "clusters/dev"]);
        let envs = run(
            &d,
            "environments:\n  - name: production\n    path: clusters/prod\n    aliases: [prod]\n  - name: dev\n",
        )
        .expect("ok")
        .expect("some");
        assert_eq!(envs.len(), 2);
        assert_eq!(envs[0].name, "production");
        assert_eq!(envs[0].aliases, vec!["prod".to_string()]);
        assert!(envs[0].cluster_dir.ends_with("clusters/prod"));
        assert!(envs[1].cluster_dir.ends_with("clusters/dev"));
    }

    #[test]
    fn refuses_mistakes() {
        let d = repo(&["clusters/dev"]);
        for (text, want) in [
            ("environment: []\n", "unknown field 'environment'"),
            ("environments: {}\n", "must be a list"),
            ("environments: []\n", "is empty"),
            ("environments:\n  - path: clusters/dev\n", "needs a `name`"),
            (
                "environments:\n  - name: dev\n    alias: [d]\n",
                "unknown field 'alias'",
            ),
            ("environments:\n  - name: staging\n", "does not exist"),
            (
                "environments:\n  - name: dev\n    path: ../x\n",
                "inside the repository",
            ),
            (
                "environments:\n  - name: dev\n  - name: dev\n",
                "declared twice",
            ),
            (
                "environments:\n  - name: dev\n    aliases: [dev]\n",
                "declared twice",
            ),
            (
                "environments:\n  - name: 'a b'\n",
                "not a valid environment name",
            ),
            (
                "environments:\n  - name: dev\n    aliases: d\n",
                "must be a list",
            ),
        ] {
            let e = run(&d, text).expect_err(text);
            assert!(e.message.contains(want), "{text}: {}", e.message);
            assert!(e.span.is_some(), "{text}: no span");
        }
    }

    #[test]
    fn reads_target_versions_as_written() {
        let d = repo(&["clusters/dev"]);
        std::fs::write(
            d.path().join(FILE_NAME),
            "kubernetesVersion: 1.30\nfluxVersion: \"v2.6.1\"\n",
        )
        .expect("write");
        let root = d.path().canonicalize().expect("root");
        let c = load_config(&root, &SourceMap::new()).expect("ok");
        let k = c.versions.kubernetes.map(|(v, _)| v.to_string());
        let f = c.versions.flux.map(|(v, _)| v.to_string());
        assert_eq!(k.as_deref(), Some("1.30"));
        assert_eq!(f.as_deref(), Some("2.6.1"));
        for (text, want) in [
            ("kubernetesVersion: \"2.6\"\n", "expected a 1.x version"),
            ("fluxVersion: latest\n", "is not a version"),
            ("fluxVersion: 2\n", "is not a version"),
            ("fluxVersion: [2.6]\n", "must be a version"),
            ("fluxversion: \"2.6\"\n", "did you mean `fluxVersion`?"),
        ] {
            std::fs::write(d.path().join(FILE_NAME), text).expect("write");
            let e = load_config(&root, &SourceMap::new()).expect_err(text);
            let all = format!("{} {:?}", e.message, e.help);
            assert!(all.contains(want), "{text}: {all}");
            assert!(e.span.is_some(), "{text}: no span");
        }
    }

    #[test]
    fn absent_environments_means_the_clusters_layout() {
        let d = repo(&["clusters/dev"]);
        assert!(run(&d, "# nothing yet\n").expect("ok").is_none());
    }

    /// A throwaway directory (no dependency for it).
    mod tempdir {
        use std::path::{Path, PathBuf};
        use std::sync::atomic::{AtomicUsize, Ordering};

        static N: AtomicUsize = AtomicUsize::new(0);

        pub struct Dir(PathBuf);
        impl Dir {
            pub fn new() -> Dir {
                let p = std::env::temp_dir().join(format!(
                    "fluxlint-config-{}-{}",
                    std::process::id(),
                    N.fetch_add(1, Ordering::SeqCst)
                ));
                let _ = std::fs::remove_dir_all(&p);
                std::fs::create_dir_all(&p).expect("mkdir");
                Dir(p)
            }
            pub fn path(&self) -> &Path {
                &self.0
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }
}
