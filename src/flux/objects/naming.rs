//! Environment names in other names: which environment a namespace, a secret or a directory is
//! named for.

use std::sync::OnceLock;

use crate::policy::Globs;
use crate::yaml::Node;

use super::super::Repo;

/// An environment's names: its name, its aliases (from `fluxlint.yaml`) and the aliases a policy
/// adds (`aliases: {production: [prod]}`), lower-cased.
#[derive(Clone, Debug)]
pub struct EnvNames {
    pub env: String,
    pub names: Vec<String>,
    /// `clusters/<name>` (repo-relative).
    pub cluster_display: String,
    /// Whether a word in a namespace or secret name can stand for this environment: it has a
    /// role (or declared names). A cluster called `network` or `main` without a role is not
    /// what a namespace `network` is named for.
    pub by_words: bool,
    /// The directory patterns [`EnvNames::owns_path`] was last given, and those patterns with each
    /// name filled in (filled in once, not per path).
    pub dir_globs: OnceLock<(Vec<String>, Globs)>,
}

impl EnvNames {
    /// Every environment of the repository, with the aliases in `extra` (a map env → list).
    pub fn all(repo: &Repo, extra: Option<&Node>) -> Vec<EnvNames> {
        repo.environments
            .iter()
            .map(|e| {
                let mut names = vec![e.name.to_lowercase()];
                names.extend(e.aliases.iter().map(|a| a.to_lowercase()));
                // `production` stands for an environment called `prd`
                names.extend(e.role.map(|r| r.as_str().to_string()));
                if let Some(list) = extra
                    .and_then(|m| m.get(&e.name))
                    .and_then(|l| super::str_list(Some(l)))
                {
                    names.extend(list.iter().map(|a| a.to_lowercase()));
                }
                names.dedup();
                EnvNames {
                    env: e.name.clone(),
                    names,
                    cluster_display: e.cluster_display.clone(),
                    by_words: e.role.is_some() || !e.aliases.is_empty(),
                    dir_globs: OnceLock::new(),
                }
            })
            .collect()
    }

    /// Does `text` carry one of these names as a whole word? Words are split on anything that is
    /// not a letter or a digit, so `prod-shop` and `shop.prod` name `prod`, `preprod` does not.
    pub fn named_in(&self, text: &str) -> bool {
        // this runs for every namespace and kubeConfig name, per environment pair: ASCII text (the
        // usual case) is matched word by word in place (ASCII lower-casing both sides and comparing
        // is comparing ignoring ASCII case), anything else through lower-cased copies
        if text.is_ascii() && self.names.iter().all(|n| n.is_ascii()) {
            let have: Vec<&str> = raw_words(text).collect();
            return self.names.iter().any(|n| {
                let want: Vec<&str> = raw_words(n).collect();
                !want.is_empty()
                    && have
                        .windows(want.len())
                        .any(|w| w.iter().zip(&want).all(|(h, n)| h.eq_ignore_ascii_case(n)))
            });
        }
        let have = words(text);
        self.names.iter().any(|n| {
            let want = words(n);
            !want.is_empty() && have.windows(want.len()).any(|w| w == want.as_slice())
        })
    }

    /// Does the repo-relative `path` lie in this environment's directories: its cluster directory,
    /// or a directory matching one of `patterns` (globs where `{env}` stands for a name)?
    pub fn owns_path(&self, path: &str, patterns: &[String]) -> bool {
        // this runs for every entry of every kustomization, per environment: the globs are filled
        // in once, the prefixes grown in one buffer
        let fill = || {
            Globs::new(
                patterns
                    .iter()
                    .flat_map(|p| self.names.iter().map(move |name| p.replace("{env}", name))),
            )
        };
        let cached = self.dir_globs.get_or_init(|| (patterns.to_vec(), fill()));
        let other;
        let globs = if cached.0 == patterns {
            &cached.1
        } else {
            other = fill();
            &other
        };
        let mut prefix = String::with_capacity(path.len());
        path.split('/').filter(|s| !s.is_empty()).any(|seg| {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(seg);
            prefix == self.cluster_display || globs.any_match(&prefix)
        })
    }
}

/// The environment (other than `own`) that `text` is named for: it carries that environment's
/// name or alias as a word and none of `own`'s.
pub fn named_for<'e>(text: &str, own: &EnvNames, all: &'e [EnvNames]) -> Option<&'e EnvNames> {
    if own.named_in(text) {
        return None;
    }
    all.iter()
        .filter(|o| o.env != own.env && o.by_words)
        .find(|o| o.named_in(text))
}

fn words(s: &str) -> Vec<String> {
    raw_words(s).map(str::to_lowercase).collect()
}

fn raw_words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Joins a relative reference onto a repo-relative directory, resolving `.` and `..`; `None` when
/// it leaves the repository or is a URL.
pub fn normalize_rel(dir: &str, entry: &str) -> Option<String> {
    if entry.contains("://") || entry.starts_with("github.com/") || entry.starts_with('/') {
        return None;
    }
    let mut out: Vec<&str> = Vec::new();
    for seg in dir.split('/').chain(entry.split('/')) {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            s => out.push(s),
        }
    }
    Some(out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str, aliases: &[&str]) -> EnvNames {
        let mut names = vec![name.to_string()];
        names.extend(aliases.iter().map(|a| a.to_string()));
        EnvNames {
            env: name.into(),
            names,
            cluster_display: format!("clusters/{name}"),
            by_words: true,
            dir_globs: OnceLock::new(),
        }
    }

    #[test]
    fn names_are_whole_words() {
        let all = [env("dev", &[]), env("production", &["prod"])];
        assert_eq!(
            named_for("prod-shop", &all[0], &all).map(|e| e.env.as_str()),
            Some("production")
        );
        assert!(named_for("preprod", &all[0], &all).is_none());
        assert!(named_for("dev-to-prod", &all[0], &all).is_none());
        assert_eq!(
            named_for("shop-dev", &all[1], &all).map(|e| e.env.as_str()),
            Some("dev")
        );
    }

    #[test]
    fn directories() {
        let p = env("production", &["prod"]);
        let pats = vec!["*/overlays/{env}".to_string()];
        assert!(p.owns_path("apps/overlays/prod/web.yaml", &pats));
        assert!(p.owns_path("clusters/production", &pats));
        assert!(!p.owns_path("apps/base", &pats));
        assert_eq!(
            normalize_rel("apps/overlays/dev", "../../base"),
            Some("apps/base".into())
        );
        assert_eq!(normalize_rel("apps", "../../x"), None);
    }
}
