//! `x-kubernetes-validations` of CustomResourceDefinitions: CEL rules evaluated on the value
//! they are attached to (`self`), as a custom JSON Schema keyword.
//!
//! What cannot be judged offline is left alone, never reported: transition rules (`oldSelf`
//! needs the object in the cluster), rules that do not compile here, and rules whose evaluation
//! fails (a Kubernetes CEL library function the interpreter lacks, such as `quantity()` or
//! `isURL()`): only a rule that evaluates to `false` is a finding.

use jsonschema::{Keyword, ValidationError};
use serde_json::{Map, Value as J};

struct Rule {
    program: cel::Program,
    message: String,
}

pub struct Validations {
    rules: Vec<Rule>,
}

/// The keyword's name in converted schemas.
pub const KEYWORD: &str = "x-kubernetes-validations";

/// Whether a rule is one fluxlint evaluates (a transition rule is not).
pub fn evaluable(rule: &str) -> bool {
    !rule.contains("oldSelf")
}

/// The keyword factory: compiles the rules of one schema node.
pub fn factory<'a>(
    _parent: &'a Map<String, J>,
    value: &'a J,
    _path: jsonschema::paths::Location,
) -> Result<Box<dyn for<'i> Keyword<'i>>, ValidationError<'a>> {
    let mut rules = Vec::new();
    for r in value.as_array().into_iter().flatten() {
        let Some(text) = r.get("rule").and_then(J::as_str) else {
            continue;
        };
        if !evaluable(text) {
            continue;
        }
        let compiled = std::panic::catch_unwind(|| cel::Program::compile(text));
        let Ok(Ok(program)) = compiled else {
            continue;
        };
        let message = r
            .get("message")
            .and_then(J::as_str)
            .map(String::from)
            .unwrap_or_else(|| format!("failed rule: {text}"));
        rules.push(Rule { program, message });
    }
    Ok(Box::new(Validations { rules }))
}

impl Validations {
    /// The message of the first rule `instance` fails.
    fn failing(&self, instance: &J) -> Option<&str> {
        if self.rules.is_empty() {
            return None;
        }
        let value = cel::to_value(instance).ok()?;
        self.rules.iter().find_map(|r| {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut ctx = cel::Context::default();
                ctx.add_variable_from_value("self", value.clone());
                r.program.execute(&ctx)
            }));
            match outcome {
                Ok(Ok(cel::Value::Bool(false))) => Some(r.message.as_str()),
                _ => None,
            }
        })
    }
}

impl<'i> Keyword<'i> for Validations {
    fn validate(&self, instance: &'i J) -> Result<(), ValidationError<'i>> {
        match self.failing(instance) {
            Some(m) => Err(ValidationError::custom(m.to_string())),
            None => Ok(()),
        }
    }

    fn is_valid(&self, instance: &'i J) -> bool {
        self.failing(instance).is_none()
    }
}
