//! `env-vars`: TODO(#3).

use crate::diagnostic::Diagnostic;

use super::{Builtin, Ctx, Scope};

pub const BUILTIN: Builtin = Builtin {
    name: "env-vars",
    scope: Scope::Env,
    run: check,
};

fn check(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}
