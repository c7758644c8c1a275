//! configMapGenerator, secretGenerator and generatorOptions, with literal, file and env-file sources.

use crate::kust::{Gen, Kust};
use crate::model::Generated;
use crate::yaml::Y;
use crate::ymap;

#[derive(Clone, Copy, PartialEq)]
pub enum Behavior {
    Create,
    Merge,
    Replace,
}

const LITERAL_KEYS: &[&str] = &[
    "LOG_LEVEL",
    "MODE",
    "REGION",
    "FEATURE_X",
    "TIMEOUT",
    "color",
];
const LITERAL_VALUES: &[&str] = &[
    "debug",
    "blue",
    "30s",
    "true",
    "8080",
    "with space",
    "a=b=c",
    "\"quoted value\"",
    "'single'",
    "",
];
const FILES: &[(&str, &str)] = &[
    ("app.properties", "server.port=8080\nserver.host=0.0.0.0\n"),
    ("config.json", "{\"debug\": false, \"workers\": 4}\n"),
    ("nginx.conf", "server {\n  listen 80;\n}\n"),
    ("motd.txt", "welcome"),
];
const ENV_KEYS: &[&str] = &["DB_HOST", "DB_PORT", "CACHE_TTL", "QUEUE"];

/// One generator entry, for ConfigMaps (`secret == false`) or Secrets.
pub fn generator(g: &mut Gen, k: &mut Kust, secret: bool, behavior: Behavior) {
    let kind = if secret { "Secret" } else { "ConfigMap" };
    // merging needs a generator from a lower level: the same kustomization may not name one twice
    let existing: Vec<Generated> = g
        .model
        .generated
        .iter()
        .filter(|x| x.kind == kind && x.dir != k.dir)
        .cloned()
        .collect();
    let (name, behavior) = match behavior {
        Behavior::Create => (
            g.model
                .fresh(if secret { "app-secret" } else { "app-config" }),
            Behavior::Create,
        ),
        _ if g.break_now(15) => ("no-such-generator".to_string(), behavior),
        _ if existing.is_empty() => (
            g.model
                .fresh(if secret { "app-secret" } else { "app-config" }),
            Behavior::Create,
        ),
        b => (g.rng.pick(&existing).name.clone(), b),
    };
    let mut entry = ymap! { "name" => name.clone() };
    match behavior {
        Behavior::Merge => entry.set("behavior", "merge"),
        Behavior::Replace => entry.set("behavior", "replace"),
        Behavior::Create if g.rng.chance(15) => entry.set("behavior", "create"),
        Behavior::Create => {}
    }
    if secret && g.rng.chance(50) && behavior == Behavior::Create {
        entry.set("type", "Opaque");
    }
    let mut keys = Vec::new();
    let tag = name.replace('-', "_");
    if g.rng.chance(70) {
        entry.set("literals", literals(g, &mut keys));
    }
    if g.rng.chance(40) {
        entry.set("files", files(g, k, &tag, &mut keys));
    }
    if g.rng.chance(35) || keys.is_empty() {
        entry.set("envs", envs(g, k, &tag, &mut keys));
    }
    if g.rng.chance(35) {
        entry.set("options", options(g));
    }
    k.push(
        if secret {
            "secretGenerator"
        } else {
            "configMapGenerator"
        },
        entry,
    );
    register(g, &k.dir, kind, &name, keys, behavior);
}

fn literals(g: &mut Gen, keys: &mut Vec<String>) -> Y {
    let mut out = Vec::new();
    for _ in 0..g.rng.range(1, 3) {
        let key = *g.rng.pick(LITERAL_KEYS);
        if keys.iter().any(|k| k == key) {
            continue;
        }
        keys.push(key.to_string());
        out.push(format!("{key}={}", g.rng.pick(LITERAL_VALUES)));
    }
    out.into()
}

fn files(g: &mut Gen, k: &Kust, tag: &str, keys: &mut Vec<String>) -> Y {
    let mut out = Vec::new();
    for _ in 0..g.rng.range(1, 2) {
        let (file, text) = *g.rng.pick(FILES);
        let base = format!("{tag}-{file}");
        let rel = if g.rng.chance(50) {
            format!("files/{base}")
        } else {
            base.clone()
        };
        // the key defaults to the file's base name; `key=path` renames it
        let custom = g.rng.chance(40);
        let key = if custom { file.to_string() } else { base };
        if keys.contains(&key) {
            continue;
        }
        g.tree.add(format!("{}/{rel}", k.dir), text.to_string());
        out.push(if custom { format!("{key}={rel}") } else { rel });
        keys.push(key);
    }
    out.into()
}

fn envs(g: &mut Gen, k: &Kust, tag: &str, keys: &mut Vec<String>) -> Y {
    let rel = format!("{tag}.env");
    let mut text = String::new();
    if g.rng.chance(40) {
        text.push_str("# generated settings\n\n");
    }
    for key in ENV_KEYS {
        if g.rng.chance(60) && !keys.iter().any(|k| k == key) {
            text.push_str(&format!(
                "{key}={}\n",
                g.rng.pick(&["db.internal", "5432", "60", "jobs", "x y"])
            ));
            keys.push(key.to_string());
        }
    }
    if !keys.iter().any(|k| k == "ENV_FILE") {
        text.push_str("ENV_FILE=yes\n");
        keys.push("ENV_FILE".into());
    }
    g.tree.add(format!("{}/{rel}", k.dir), text);
    vec![rel].into()
}

fn options(g: &mut Gen) -> Y {
    let mut o = Y::Map(Vec::new());
    if g.rng.chance(30) {
        o.set("disableNameSuffixHash", true);
    }
    if g.rng.chance(50) {
        o.set("labels", ymap! { "generated-by" => "kustomize" });
    }
    if g.rng.chance(50) {
        o.set("annotations", ymap! { "note" => "generated" });
    }
    o
}

/// Kustomization-wide `generatorOptions`.
pub fn generator_options(g: &mut Gen, k: &mut Kust) {
    let mut o = options(g);
    if o.is_empty_collection() {
        o.set("disableNameSuffixHash", g.rng.chance(50));
    }
    k.set("generatorOptions", o);
}

fn register(
    g: &mut Gen,
    dir: &str,
    kind: &'static str,
    name: &str,
    keys: Vec<String>,
    behavior: Behavior,
) {
    let list = if kind == "Secret" {
        &mut g.model.secrets
    } else {
        &mut g.model.config_maps
    };
    match list.iter_mut().find(|(n, _)| n == name) {
        Some((_, old)) if behavior == Behavior::Merge => {
            for k in keys {
                if !old.contains(&k) {
                    old.push(k);
                }
            }
        }
        Some((_, old)) => *old = keys,
        None => list.push((name.to_string(), keys)),
    }
    if !g
        .model
        .generated
        .iter()
        .any(|x| x.kind == kind && x.name == name)
    {
        g.model.generated.push(Generated {
            kind,
            name: name.to_string(),
            dir: dir.to_string(),
        });
        g.model.add(kind, "v1", name);
    }
}
