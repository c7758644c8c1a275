//! `images:` (and the legacy `imageTags:`, run after it) — kustomize's ImageTagTransformer.
//!
//! Each entry runs on its own, in order, over every resource except CustomResourceDefinitions:
//! first over every `containers` / `initContainers` list anywhere in the resource, then over the
//! `images` field specs. Both passes rewrite a matching image, so an entry that only appends a
//! `tagSuffix` appends it twice where both reach (as kustomize does).

use regex::Regex;

use crate::error::{Error, Result};
use crate::yaml::{Node, Origin, SetBy, Value};

use super::Ctx;
use super::fieldspec::FieldSpec;
use super::labels::fsslice::{self, CreateKind};
use super::labels::values;
use super::resource::ResMap;

const IMAGE_FIELDS: &[&str] = &["name", "newName", "newTag", "digest", "tagSuffix"];

/// One `images:` entry.
#[derive(Debug)]
pub struct ImageTag {
    pub name: String,
    pub new_name: String,
    pub new_tag: String,
    pub digest: String,
    pub tag_suffix: String,
    matcher: Regex,
    origin: Origin,
}

impl ImageTag {
    /// An entry from plain values (the ImageTagTransformer plugin's `imageTag`); `Err` when `name`
    /// is not a valid pattern.
    pub fn new(
        name: &str,
        new_name: &str,
        new_tag: &str,
        digest: &str,
        tag_suffix: &str,
        origin: Origin,
    ) -> std::result::Result<ImageTag, regex::Error> {
        let pattern = format!("^{name}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$");
        Ok(ImageTag {
            name: name.to_string(),
            new_name: new_name.to_string(),
            new_tag: new_tag.to_string(),
            digest: digest.to_string(),
            tag_suffix: tag_suffix.to_string(),
            matcher: Regex::new(&pattern)?,
            origin,
        })
    }

    fn parse(ctx: &Ctx, field: &str, n: &Node) -> Result<ImageTag> {
        values::check_keys(n, field, IMAGE_FIELDS)?;
        let s = |key: &str| -> Result<String> {
            match values::get(n, key) {
                Some(v) => values::string(ctx.loader, v, &format!("{field}.{key}")),
                None => Ok(String::new()),
            }
        };
        let name = s("name")?;
        // kustomize puts the name into a regular expression unescaped.
        let pattern = format!("^{name}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$");
        let matcher = Regex::new(&pattern).map_err(|e| {
            let span = values::get(n, "name").map(Node::span).unwrap_or(n.span());
            Error::at(
                "images",
                span,
                format!("image name '{name}' is not a valid pattern: {e}"),
            )
            .with_help("kustomize matches `name` as a regular expression (and crashes on this one)")
        })?;
        Ok(ImageTag {
            new_name: s("newName")?,
            new_tag: s("newTag")?,
            digest: s("digest")?,
            tag_suffix: s("tagSuffix")?,
            name,
            matcher,
            origin: Origin::new(n.span(), SetBy::Transformer),
        })
    }

    /// The rewritten reference, when `image` is one this entry matches.
    pub fn rewrite(&self, image: &str) -> Option<String> {
        if !self.matcher.is_match(image) {
            return None;
        }
        let (mut name, mut tag, mut digest) = split(image);
        if !self.new_name.is_empty() {
            name = self.new_name.clone();
        }
        match (self.new_tag.is_empty(), self.digest.is_empty()) {
            (false, false) => {
                tag = self.new_tag.clone();
                digest = self.digest.clone();
            }
            (false, true) => {
                tag = self.new_tag.clone();
                digest.clear();
            }
            (true, false) => {
                tag.clear();
                digest = self.digest.clone();
            }
            (true, true) if !self.tag_suffix.is_empty() => {
                tag.push_str(&self.tag_suffix);
                digest.clear();
            }
            (true, true) => {}
        }
        if !tag.is_empty() {
            name = format!("{name}:{tag}");
        }
        if !digest.is_empty() {
            name = format!("{name}@{digest}");
        }
        Some(name)
    }

    fn update(&self, node: &mut Node) -> Result<()> {
        let current = match &node.value {
            Value::Null => return Ok(()),
            Value::Seq(_) | Value::Map(_) => {
                return Err(Error::at(
                    "images",
                    node.span(),
                    format!(
                        "wrong node kind: expected an image reference, found a {}",
                        node.type_name()
                    ),
                ));
            }
            _ => node.scalar_string().unwrap_or_default(),
        };
        if let Some(new) = self.rewrite(&current)
            && (new != current || !matches!(node.value, Value::Str(_)))
        {
            let origin = self.origin.clone().overriding(&node.origin);
            *node = Node::str(new, origin);
        }
        Ok(())
    }
}

/// Splits `[host[:port]/]path[:tag][@digest]` into name, tag and digest (kustomize's `image.Split`).
pub fn split(image: &str) -> (String, String, String) {
    let slash = image.find('/').filter(|i| *i > 0).unwrap_or(0);
    let search = &image[slash..];
    let at = search.find('@');
    let colon = search.find(':');
    match (colon, at) {
        (None, None) => (image.to_string(), String::new(), String::new()),
        (c, Some(d)) if c.is_none_or(|c| d < c) => {
            let d = d + slash;
            (
                image[..d].to_string(),
                String::new(),
                image[d + 1..].to_string(),
            )
        }
        (Some(c), Some(d)) => {
            let (c, d) = (c + slash, d + slash);
            (
                image[..c].to_string(),
                image[c + 1..d].to_string(),
                image[d + 1..].to_string(),
            )
        }
        (Some(c), None) => {
            let c = c + slash;
            (
                image[..c].to_string(),
                image[c + 1..].to_string(),
                String::new(),
            )
        }
        (None, Some(_)) => (image.to_string(), String::new(), String::new()),
    }
}

pub fn apply(ctx: &Ctx, resmap: &mut ResMap) -> Result<()> {
    let mut entries = Vec::new();
    for field in ["images", "imageTags"] {
        for n in values::list(values::get(&ctx.k.root, field), field)? {
            entries.push(ImageTag::parse(ctx, field, n)?);
        }
    }
    for entry in &entries {
        transform(resmap, entry, &ctx.config.images)?;
    }
    Ok(())
}

/// Runs one entry over every resource: the containers walk, then `specs` (also the entry point of
/// the ImageTagTransformer plugin form).
pub fn transform(resmap: &mut ResMap, entry: &ImageTag, specs: &[FieldSpec]) -> Result<()> {
    for res in &mut resmap.resources {
        if res.kind() == "CustomResourceDefinition" {
            continue;
        }
        legacy_walk(&mut res.node, entry)?;
        for spec in specs {
            let mut set = |n: &mut Node| entry.update(n);
            fsslice::apply(res, spec, CreateKind::Nothing, &entry.origin, &mut set)?;
        }
    }
    Ok(())
}

/// Every `image` in an element of a `containers` or `initContainers` list, at any depth.
fn legacy_walk(node: &mut Node, entry: &ImageTag) -> Result<()> {
    match &mut node.value {
        Value::Map(m) => {
            for e in &mut m.entries {
                legacy_walk(&mut e.value, entry)?;
                if (e.key == "containers" || e.key == "initContainers")
                    && let Value::Seq(items) = &mut e.value.value
                {
                    for item in items {
                        if let Some(image) = item.get_mut("image") {
                            entry.update(image)?;
                        }
                    }
                }
            }
            Ok(())
        }
        Value::Seq(items) => {
            for item in items {
                legacy_walk(item, entry)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(a: &str, b: &str, c: &str) -> (String, String, String) {
        (a.into(), b.into(), c.into())
    }

    fn tag(name: &str, new_name: &str, new_tag: &str, digest: &str, suffix: &str) -> ImageTag {
        let pattern = format!("^{name}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$");
        ImageTag {
            name: name.into(),
            new_name: new_name.into(),
            new_tag: new_tag.into(),
            digest: digest.into(),
            tag_suffix: suffix.into(),
            matcher: Regex::new(&pattern).unwrap_or_else(|_| Regex::new("^$").unwrap()),
            origin: crate::yaml::Origin::none(),
        }
    }

    #[test]
    fn rewrites_like_kustomize() {
        let t = tag("nginx", "", "2", "", "");
        assert_eq!(t.rewrite("nginx@sha256:ab").as_deref(), Some("nginx:2"));
        assert_eq!(t.rewrite("docker.io/nginx:1"), None);
        assert_eq!(t.rewrite("nginx-exporter:1"), None);
        let t = tag("a/b", "c/d", "", "sha256:ff", "");
        assert_eq!(t.rewrite("a/b:1").as_deref(), Some("c/d@sha256:ff"));
        let t = tag("pg", "", "", "", "-alpine");
        assert_eq!(t.rewrite("pg:16").as_deref(), Some("pg:16-alpine"));
    }

    #[test]
    fn splits_like_kustomize() {
        assert_eq!(split("nginx"), s("nginx", "", ""));
        assert_eq!(split("nginx:1.0"), s("nginx", "1.0", ""));
        assert_eq!(split("nginx@sha256:abc"), s("nginx", "", "sha256:abc"));
        assert_eq!(split("nginx:1@sha256:abc"), s("nginx", "1", "sha256:abc"));
        assert_eq!(
            split("localhost:5000/nginx"),
            s("localhost:5000/nginx", "", "")
        );
        assert_eq!(
            split("localhost:5000/a/b:v1@sha256:x"),
            s("localhost:5000/a/b", "v1", "sha256:x")
        );
    }
}
