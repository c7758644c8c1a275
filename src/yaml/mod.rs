//! The one YAML layer: span-keeping nodes, parsing, emitting.

pub mod emit;
pub mod node;
pub mod parse;

pub use node::{Entry, Map, Node, Origin, SetBy, Value};
pub use parse::{Document, YamlError, parse_stream};
