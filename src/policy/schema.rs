//! Validating policy documents against `policies/schema.json` (compiled in, compiled once) and
//! turning schema errors into errors that point into the policy file: the JSON pointer of each
//! error is walked down the YAML node tree to the node's span.

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, Validator};
use serde_json::Value as J;

use crate::error::Error;
use crate::schema::locate::{self, Seg, a_type, locate, place, shown_value};
use crate::source::Span;
use crate::yaml::Node;

use super::did_you_mean;

/// The policy schema, as shipped.
pub const SCHEMA: &str = include_str!("../../policies/schema.json");

fn schema() -> &'static J {
    static S: OnceLock<J> = OnceLock::new();
    S.get_or_init(|| serde_json::from_str(SCHEMA).unwrap_or(J::Bool(true)))
}

fn validator() -> Option<&'static Validator> {
    static V: OnceLock<Option<Validator>> = OnceLock::new();
    V.get_or_init(|| jsonschema::validator_for(schema()).ok())
        .as_ref()
}

/// One schema violation, placed in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub span: Span,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
}

/// Checks one policy document; the problems come sorted by position.
pub fn validate(doc: &Node) -> Vec<Problem> {
    let Some(v) = validator() else {
        return vec![Problem {
            span: doc.span(),
            message: "the built-in policy schema does not compile".into(),
            label: String::new(),
            help: None,
        }];
    };
    let json = doc.to_json();
    let mut out: Vec<Problem> = v
        .iter_errors(&json)
        .flat_map(|e| problems(doc, &e))
        .collect();
    out.sort_by_key(|p| (p.span.start, p.span.end));
    out.dedup_by(|a, b| a.span == b.span && a.message == b.message);
    out
}

/// The first problem as an error, the others as labels on it.
pub fn to_error(problems: &[Problem]) -> Option<Error> {
    let (first, rest) = problems.split_first()?;
    let mut e = Error::at("policy", first.span, first.message.clone()).with_label(&first.label);
    if let Some(h) = &first.help {
        e = e.with_help(h.clone());
    }
    for p in rest.iter().take(20) {
        let text = match &p.help {
            Some(h) => format!("{} ({h})", p.message),
            None => p.message.clone(),
        };
        e = e.with_note(text, p.span);
    }
    Some(e)
}

/// The subschema of the policy schema for an instance path.
fn schema_at(segs: &[Seg]) -> Option<&'static J> {
    locate::schema_at(schema(), segs)
}

fn problems(doc: &Node, e: &ValidationError) -> Vec<Problem> {
    let segs = locate::segments(e);
    let shown = locate::dotted(&segs);
    let (node, key_span) = locate(doc, &segs);
    let at = place(node, key_span);
    let what = if shown.is_empty() {
        "the policy".to_string()
    } else {
        shown.clone()
    };
    let one = |message: String, label: &str, help: Option<String>| Problem {
        span: at,
        message,
        label: label.to_string(),
        help,
    };
    match e.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let allowed: Vec<&str> = schema_at(&segs)
                .and_then(|s| s.get("properties"))
                .and_then(J::as_object)
                .map(|p| p.keys().map(String::as_str).collect())
                .unwrap_or_default();
            unexpected
                .iter()
                .map(|k| {
                    let span = node
                        .as_map()
                        .and_then(|m| m.entry(k))
                        .map(|e| e.key_span)
                        .unwrap_or(at);
                    let help = match did_you_mean(k, allowed.iter().copied()) {
                        Some(s) => format!("did you mean \"{s}\"?"),
                        None => format!("allowed keys: {}", allowed.join(", ")),
                    };
                    Problem {
                        span,
                        message: format!("unknown key \"{k}\" in {what}"),
                        label: "unknown key".into(),
                        help: Some(help),
                    }
                })
                .collect()
        }
        ValidationErrorKind::Required { property } => {
            let p = property.as_str().unwrap_or_default();
            vec![one(
                format!("{what} is missing \"{p}\""),
                &format!("add \"{p}\" here"),
                None,
            )]
        }
        ValidationErrorKind::Type { .. } => {
            let expected = locate::expected_type(schema_at(&segs));
            vec![one(
                format!("{what} is {}, expected {expected}", a_type(node)),
                &format!("expected {expected}"),
                None,
            )]
        }
        ValidationErrorKind::Enum { options } => {
            let opts: Vec<&str> = options
                .as_array()
                .map(|a| a.iter().filter_map(J::as_str).collect())
                .unwrap_or_default();
            let v = shown_value(node);
            let help = node
                .as_str()
                .and_then(|s| did_you_mean(s, opts.iter().copied()))
                .map(|s| format!("did you mean \"{s}\"?"));
            let noun = if what == "spec.severity" {
                "unknown severity".to_string()
            } else {
                format!("{what} is")
            };
            vec![one(
                format!("{noun} {v}: expected one of {}", opts.join(", ")),
                "not allowed here",
                help,
            )]
        }
        ValidationErrorKind::Constant { expected_value } => vec![one(
            format!("{what} is {}, expected {expected_value}", shown_value(node)),
            &format!("expected {expected_value}"),
            None,
        )],
        ValidationErrorKind::Pattern { .. } if what == "metadata.name" => vec![one(
            format!(
                "policy name {} is not a kebab-case rule id",
                shown_value(node)
            ),
            "expected lowercase words joined by '-'",
            Some("name the rule like `replicas` or `resource-quota`".into()),
        )],
        ValidationErrorKind::Pattern { .. } if what.starts_with("spec.match.kinds") => vec![one(
            format!("kind {} is not a Kind or group/Kind", shown_value(node)),
            "expected a kind such as Deployment or apps/Deployment",
            None,
        )],
        ValidationErrorKind::Pattern { pattern } => vec![one(
            format!(
                "{what} is {}, which does not match {pattern}",
                shown_value(node)
            ),
            "does not match",
            None,
        )],
        ValidationErrorKind::MinItems { .. } => {
            vec![one(
                format!("{what} is empty"),
                "expected at least one item",
                None,
            )]
        }
        ValidationErrorKind::MinLength { .. } => {
            vec![one(format!("{what} is empty"), "expected some text", None)]
        }
        _ => vec![one(format!("{what}: {e}"), "here", None)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::{SetBy, parse_stream};

    fn check(text: &str) -> Vec<String> {
        let docs = parse_stream(text, FileId(0), SetBy::Resource).unwrap_or_default();
        validate(&docs[0].root)
            .into_iter()
            .map(|p| format!("{}: {}", p.span.start, p.message))
            .collect()
    }

    #[test]
    fn the_schema_compiles() {
        assert!(validator().is_some());
    }

    #[test]
    fn a_valid_policy_passes() {
        let ok = "apiVersion: fluxlint.dev/v1\nkind: Policy\nmetadata:\n  name: x\nspec:\n  builtin: replicas\n";
        assert_eq!(check(ok), Vec::<String>::new());
    }

    #[test]
    fn errors_point_at_nodes() {
        let bad = "apiVersion: fluxlint.dev/v1\nkind: Policy\nmetadata:\n  name: x\nspec:\n  sevrity: error\n  environments: dev\n";
        assert_eq!(
            check(bad),
            vec![
                "69: unknown key \"sevrity\" in spec".to_string(),
                "100: spec.environments is a string, expected a list".to_string()
            ]
        );
    }
}
