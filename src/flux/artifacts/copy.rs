//! The copy operations of one output artifact, run the way the source-watcher's builder runs them
//! (`internal/builder`, cp-like), into a staging map of the artifact: path → directory, or file
//! backed by the source file it was copied from. See [`super`] for the rules.

use crate::error::{Error, Result};
use crate::flux::kinds::{CopyOp, OutputArtifact};
use crate::kustomize::tree::Entry;
use crate::source::Span;
use crate::yaml::Node;
use std::collections::BTreeMap;

use super::glob::{self, BadPattern};
use super::select::{clean, dot, excluded, fs_glob, join, list, selection_root, stat};

/// What an alias reads.
pub enum Input<'a> {
    /// The source's files, as a tree rooted at the source's root.
    Tree(super::select::Src<'a>),
    /// A source fluxlint does not read (why).
    NotChecked(String),
}

/// The artifact's content, or why it cannot be known offline.
pub enum Staged {
    Tree(BTreeMap<String, Entry>),
    NotChecked(String),
}

/// Runs `artifact`'s copy operations in order; a later one overwrites what an earlier one wrote.
pub fn stage(artifact: &OutputArtifact, inputs: &BTreeMap<String, Input>) -> Result<Staged> {
    let mut out = Stage {
        entries: BTreeMap::new(),
        not_checked: None,
    };
    for op in &artifact.copy() {
        out.apply(op, inputs)?;
        if let Some(why) = out.not_checked.take() {
            return Ok(Staged::NotChecked(why));
        }
    }
    Ok(Staged::Tree(out.entries))
}

struct Stage {
    entries: BTreeMap<String, Entry>,
    not_checked: Option<String>,
}

/// One copy operation, parsed: where it reads, where it writes.
struct Op<'a, 'o> {
    src: super::select::Src<'a>,
    alias: &'o str,
    pattern: &'o str,
    dest: String,
    /// `to` ends with `/`: the destination is a directory.
    into_dir: bool,
    excludes: Vec<&'o str>,
    merge: bool,
    from: &'o Node,
    to: &'o Node,
}

impl Stage {
    fn apply(&mut self, op: &CopyOp, inputs: &BTreeMap<String, Input>) -> Result<()> {
        let Some((from, from_text)) = &op.from else {
            return Err(field_error(
                op.node.span(),
                "a copy operation without 'from'",
                "from",
            ));
        };
        let Some((to, to_text)) = &op.to else {
            return Err(field_error(
                op.node.span(),
                "a copy operation without 'to'",
                "to",
            ));
        };
        let Some((alias, pattern)) = from_text.strip_prefix('@').and_then(|s| s.split_once('/'))
        else {
            return Err(Error::at(
                "flux-artifact",
                from.span(),
                format!("copy source '{from_text}' is not of the form '@alias/pattern'"),
            )
            .with_label("not @alias/pattern")
            .with_help(
                "start 'from' with the alias of a source in spec.sources, e.g. '@repo/deploy/**'",
            ));
        };
        let Some(dest_text) = to_text.strip_prefix("@artifact/") else {
            return Err(Error::at(
                "flux-artifact",
                to.span(),
                format!("copy destination '{to_text}' does not start with '@artifact/'"),
            )
            .with_label("not @artifact/path")
            .with_help(
                "write the destination as '@artifact/<path>' (a trailing '/' for a directory)",
            ));
        };
        let dest = clean(dest_text).ok_or_else(|| {
            Error::at(
                "flux-artifact",
                to.span(),
                format!("copy destination '{to_text}' leaves the artifact"),
            )
            .with_label("leaves the artifact")
            .with_help("keep the destination below '@artifact/'")
        })?;
        let src = match inputs.get(alias) {
            Some(Input::Tree(l)) => *l,
            Some(Input::NotChecked(why)) => {
                self.not_checked = Some(why.clone());
                return Ok(());
            }
            None => {
                let known: Vec<&str> = inputs.keys().map(String::as_str).collect();
                let help = match crate::policy::did_you_mean(alias, known.iter().copied()) {
                    Some(s) => format!(
                        "did you mean '@{s}/…'? The aliases are: {}",
                        known.join(", ")
                    ),
                    None if known.is_empty() => "declare the source in spec.sources".to_string(),
                    None => format!(
                        "declare the source in spec.sources, or use one of: {}",
                        known.join(", ")
                    ),
                };
                return Err(Error::at(
                    "flux-artifact",
                    from.span(),
                    format!("copy source '{from_text}' names alias '{alias}', which spec.sources does not declare"),
                )
                .with_label("unknown alias")
                .with_help(help));
            }
        };
        let mut excludes = Vec::new();
        for (n, e) in &op.exclude {
            if glob::doublestar(e, ".").is_err() {
                return Err(Error::at(
                    "flux-artifact",
                    n.span(),
                    format!("invalid exclude pattern '{e}'"),
                )
                .with_label("malformed glob"));
            }
            excludes.push(e.as_str());
        }
        let merge = match op.strategy.as_ref().map(|(n, s)| (n, s.as_str())) {
            None | Some((_, "Overwrite")) => false,
            Some((_, "Merge")) => true,
            Some((_, "Extract")) => {
                self.not_checked = Some(format!(
                    "copy from '{from_text}' extracts tarballs (strategy Extract), which fluxlint does not unpack"
                ));
                return Ok(());
            }
            Some((n, other)) => {
                return Err(Error::at(
                    "flux-artifact",
                    n.span(),
                    format!("copy strategy '{other}' is not one of Overwrite, Merge, Extract"),
                )
                .with_label("unknown strategy"));
            }
        };
        let op = Op {
            src,
            alias,
            pattern,
            dest,
            into_dir: to_text.ends_with('/'),
            excludes,
            merge,
            from,
            to,
        };
        if pattern.contains(['*', '?', '[', ']']) {
            self.copy_glob(&op)
        } else {
            self.copy_single(&op)
        }
    }

    /// A glob: every match (files and directories), each to the destination directory; `dir/**`
    /// strips `dir/`, any other pattern keeps the whole matched path.
    fn copy_glob(&mut self, op: &Op) -> Result<()> {
        let matches = fs_glob(op.src, op.pattern).map_err(|BadPattern| {
            Error::at(
                "flux-artifact",
                op.from.span(),
                format!("invalid glob pattern '{}'", op.pattern),
            )
            .with_label("malformed glob")
        })?;
        if matches.is_empty() {
            return Err(Error::at(
                "flux-artifact",
                op.from.span(),
                format!(
                    "no files match pattern '{}' in source '{}'",
                    op.pattern, op.alias
                ),
            )
            .with_label("matches nothing")
            .with_help("the pattern is relative to the root of the source"));
        }
        let base = selection_root(op.pattern);
        let kept: Vec<String> = matches
            .into_iter()
            .filter(|m| m != "." && m != ".." && !excluded(m, &base, &op.excludes))
            .collect();
        if kept.is_empty() {
            return Err(Error::at(
                "flux-artifact",
                op.from.span(),
                format!(
                    "all files matching pattern '{}' in source '{}' were excluded",
                    op.pattern, op.alias
                ),
            )
            .with_label("everything excluded"));
        }
        for m in kept {
            let rel = op
                .pattern
                .strip_suffix("/**")
                .and_then(|dir| m.strip_prefix(&format!("{dir}/")))
                .unwrap_or(&m);
            let dest = self.dest_join(op, &op.dest, rel)?;
            self.copy_path(op, &m, &dest, &base)?;
        }
        Ok(())
    }

    /// A path: a directory goes below the destination under its own name (`cp -r`), a file to
    /// the destination (into it when it ends with `/` or is a directory already).
    fn copy_single(&mut self, op: &Op) -> Result<()> {
        let Some(path) = clean(op.pattern) else {
            return Err(Error::at(
                "flux-artifact",
                op.from.span(),
                format!(
                    "copy source '@{}/{}' leaves the source",
                    op.alias, op.pattern
                ),
            )
            .with_label("leaves the source"));
        };
        let Some((_, is_dir)) = stat(op.src, &path) else {
            return Err(Error::at(
                "flux-artifact",
                op.from.span(),
                format!("'{}' does not exist in source '{}'", dot(&path), op.alias),
            )
            .with_label("no such file or directory")
            .with_help("the path is relative to the root of the source"));
        };
        if is_dir {
            let name = path.rsplit('/').next().unwrap_or("");
            let dest = self.dest_join(op, &op.dest, name)?;
            return self.copy_path(op, &path, &dest, &path);
        }
        if excluded(&path, "", &op.excludes) {
            return Ok(());
        }
        let name = path.rsplit('/').next().unwrap_or(&path);
        let dest = if op.into_dir || matches!(self.entries.get(&op.dest), Some(Entry::Dir)) {
            self.dest_join(op, &op.dest, name)?
        } else {
            op.dest.clone()
        };
        self.copy_path(op, &path, &dest, "")
    }

    /// `copyFileWithRoots`: a directory recursively, a file (merged when asked and present).
    fn copy_path(&mut self, op: &Op, path: &str, dest: &str, base: &str) -> Result<()> {
        match stat(op.src, path) {
            Some((_, true)) => self.copy_dir(op, path, dest, base),
            _ if op.merge && self.entries.contains_key(dest) => {
                self.not_checked = Some(format!(
                    "copy from '@{}/{path}' merges into '{}' (strategy Merge), which fluxlint does not follow",
                    op.alias,
                    dot(dest)
                ));
                Ok(())
            }
            _ => self.copy_file(op, path, dest),
        }
    }

    /// `copyDirWithRoots`: a walk in lexical order; an excluded directory is skipped whole.
    fn copy_dir(&mut self, op: &Op, path: &str, dest: &str, base: &str) -> Result<()> {
        self.mkdir(op, dest)?;
        for e in list(op.src, path) {
            let child = if path.is_empty() {
                e.name.clone()
            } else {
                format!("{path}/{}", e.name)
            };
            if excluded(&child, base, &op.excludes) {
                continue;
            }
            let to = join(dest, &e.name);
            if e.is_dir {
                self.copy_dir(op, &child, &to, base)?;
            } else {
                self.copy_file(op, &child, &to)?;
            }
        }
        Ok(())
    }

    fn copy_file(&mut self, op: &Op, path: &str, dest: &str) -> Result<()> {
        let fail = |why: &str| {
            Error::at(
                "flux-artifact",
                op.from.span(),
                format!(
                    "cannot copy '{}' from source '{}' to '{}': {why}",
                    dot(path),
                    op.alias,
                    dot(dest)
                ),
            )
            .with_label("copied from here")
            .with_note("copied to here", op.to.span())
        };
        let file = op
            .src
            .loader
            .resolve(op.src.base, path, None, Span::NONE)
            .ok()
            .and_then(|p| op.src.loader.file_ref(&p))
            .ok_or_else(|| fail("not a readable file in the source"))?;
        if let Some((parent, _)) = dest.rsplit_once('/') {
            self.mkdir(op, parent)?;
        }
        match self.entries.get(dest) {
            Some(Entry::Dir) => Err(fail("the destination is a directory")),
            _ if dest.is_empty() => Err(fail("the destination is the artifact's root")),
            _ => {
                self.entries.insert(dest.to_string(), Entry::File(file));
                Ok(())
            }
        }
    }

    /// `mkdir -p`; a file in the way of a parent is an error (one at the path itself is not, as
    /// in the controller, whose files under it then fail).
    fn mkdir(&mut self, op: &Op, dir: &str) -> Result<()> {
        if dir.is_empty() {
            return Ok(());
        }
        let parts: Vec<&str> = dir.split('/').collect();
        for i in 1..=parts.len() {
            let p = parts[..i].join("/");
            match self.entries.get(&p) {
                Some(Entry::File(_)) if i < parts.len() => {
                    return Err(Error::at(
                        "flux-artifact",
                        op.to.span(),
                        format!("cannot create directory '{dir}' in the artifact: '{p}' is a file"),
                    )
                    .with_label("copied to here"));
                }
                Some(_) => {}
                None => {
                    self.entries.insert(p, Entry::Dir);
                }
            }
        }
        Ok(())
    }

    fn dest_join(&self, op: &Op, dest: &str, rel: &str) -> Result<String> {
        clean(&format!("{dest}/{rel}")).ok_or_else(|| {
            Error::at(
                "flux-artifact",
                op.to.span(),
                format!("copy destination '{dest}/{rel}' leaves the artifact"),
            )
            .with_label("leaves the artifact")
        })
    }
}

fn field_error(span: Span, what: &str, field: &str) -> Error {
    Error::at("flux-artifact", span, what.to_string())
        .with_label(format!("no '{field}'"))
        .with_help("every copy operation sets 'from' (@alias/pattern) and 'to' (@artifact/path)")
}

#[cfg(test)]
mod tests;
