//! The one YAML layer: span-keeping nodes, parsing, emitting.

pub mod emit;
pub mod kubectl;
pub mod node;
pub mod parse;
pub mod scalar;

pub use node::{Entry, Map, Node, Origin, SetBy, Value};
pub use parse::{Document, YamlError, parse_stream};
