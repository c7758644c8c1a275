//! A serde `Deserializer` that records the shape a type asks for instead of reading data.
//!
//! The Flux crates (kopium-generated from Flux's CRDs) carry every field, rename, required field
//! and string enum in their `Deserialize` impls but no JSON Schema. Driving those impls with this
//! recorder yields the shape of each kind, which [`to_schema`] turns into a strict JSON Schema.

use serde::de::{self, DeserializeSeed, Expected, IntoDeserializer, Visitor};
use serde_json::{Map, Value, json};
use std::fmt;

/// A string that every string-parsing type of the crates accepts (Time parses it as RFC 3339).
const DUMMY: &str = "1970-01-01T00:00:00Z";
/// Flux's duration fields, and the pattern their CRDs give them.
const DURATIONS: &[&str] = &["interval", "timeout", "retryInterval"];
const FLUX_DURATION: &str = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$";
/// Deeper than any real kind: a recursive type becomes "anything" there.
const MAX_DEPTH: usize = 48;

/// Types of k8s-openapi met inside a Flux kind, by the name they deserialize under, and the
/// Kubernetes definition that describes them.
const REFS: &[(&str, &str)] = &[
    (
        "ObjectMeta",
        "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
    ),
    (
        "Condition",
        "io.k8s.apimachinery.pkg.apis.meta.v1.Condition",
    ),
    ("Time", "io.k8s.apimachinery.pkg.apis.meta.v1.Time"),
    (
        "MicroTime",
        "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime",
    ),
    ("Quantity", "io.k8s.apimachinery.pkg.api.resource.Quantity"),
    (
        "IntOrString",
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
    ),
];

#[derive(Debug, Clone)]
pub enum Shape {
    Bool,
    Int32,
    Int,
    Number,
    String,
    Any,
    Enum(Vec<&'static str>),
    Optional(Box<Shape>),
    Seq(Box<Shape>),
    Map(Box<Shape>),
    Struct(Vec<(&'static str, Shape)>),
    Ref(&'static str),
}

#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Error {}
impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// The shape `T` deserializes.
pub fn shape_of<'de, T: de::Deserialize<'de>>() -> Result<Shape, Error> {
    let mut out = None;
    T::deserialize(Rec {
        out: &mut out,
        depth: 0,
    })?;
    out.ok_or_else(|| Error("nothing recorded".into()))
}

fn reference(name: &str) -> Option<&'static str> {
    REFS.iter().find(|(n, _)| *n == name).map(|(_, d)| *d)
}

struct Rec<'a> {
    out: &'a mut Option<Shape>,
    depth: usize,
}

impl Rec<'_> {
    fn set(&mut self, s: Shape) {
        *self.out = Some(s);
    }
    /// Records the shape a seed deserializes, one level down.
    fn child<'de, S: DeserializeSeed<'de>>(&self, seed: S) -> Result<(S::Value, Shape), Error> {
        let mut out = None;
        let v = seed.deserialize(Rec {
            out: &mut out,
            depth: self.depth + 1,
        })?;
        Ok((v, out.unwrap_or(Shape::Any)))
    }
}

macro_rules! prim {
    ($($m:ident => $shape:expr, $visit:ident($v:expr);)*) => {$(
        fn $m<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Error> {
            self.set($shape);
            visitor.$visit($v)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Rec<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Error> {
        // serde_json::Value and friends, or IntOrString (which says so when asked what it expects)
        let expects = format!("{}", &visitor as &dyn Expected);
        self.set(match reference(&expects) {
            Some(d) => Shape::Ref(d),
            None => Shape::Any,
        });
        visitor.visit_str(DUMMY)
    }

    prim! {
        deserialize_bool => Shape::Bool, visit_bool(false);
        deserialize_i8 => Shape::Int32, visit_i8(0);
        deserialize_i16 => Shape::Int32, visit_i16(0);
        deserialize_i32 => Shape::Int32, visit_i32(0);
        deserialize_i64 => Shape::Int, visit_i64(0);
        deserialize_u8 => Shape::Int32, visit_u8(0);
        deserialize_u16 => Shape::Int32, visit_u16(0);
        deserialize_u32 => Shape::Int, visit_u32(0);
        deserialize_u64 => Shape::Int, visit_u64(0);
        deserialize_f32 => Shape::Number, visit_f32(0.0);
        deserialize_f64 => Shape::Number, visit_f64(0.0);
        deserialize_char => Shape::String, visit_char('x');
        deserialize_str => Shape::String, visit_str(DUMMY);
        deserialize_string => Shape::String, visit_str(DUMMY);
        deserialize_bytes => Shape::String, visit_str(DUMMY);
        deserialize_byte_buf => Shape::String, visit_str(DUMMY);
        deserialize_identifier => Shape::String, visit_str(DUMMY);
    }

    fn deserialize_unit<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Error> {
        self.set(Shape::Any);
        visitor.visit_unit()
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Error> {
        let mut inner = None;
        let v = visitor.visit_some(Rec {
            out: &mut inner,
            depth: self.depth,
        })?;
        self.set(Shape::Optional(Box::new(inner.unwrap_or(Shape::Any))));
        Ok(v)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        mut self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        if let Some(d) = reference(name) {
            self.set(Shape::Ref(d));
            return visitor.visit_newtype_struct(DUMMY.into_deserializer());
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Error> {
        if self.depth > MAX_DEPTH {
            self.set(Shape::Any);
            return visitor.visit_seq(Seq { rec: None });
        }
        let mut item = None;
        let v = visitor.visit_seq(Seq {
            rec: Some((&mut item, self.depth)),
        })?;
        self.set(Shape::Seq(Box::new(item.unwrap_or(Shape::Any))));
        Ok(v)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Error> {
        if self.depth > MAX_DEPTH {
            self.set(Shape::Any);
            return visitor.visit_map(Fields {
                keys: Vec::new(),
                at: 0,
                depth: self.depth,
                shapes: Vec::new(),
            });
        }
        let mut fields = Fields {
            keys: vec!["key"],
            at: 0,
            depth: self.depth,
            shapes: Vec::new(),
        };
        let v = visitor.visit_map(&mut fields)?;
        let value = fields.shapes.pop().map(|(_, s)| s).unwrap_or(Shape::Any);
        self.set(Shape::Map(Box::new(value)));
        Ok(v)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        mut self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if self.depth > MAX_DEPTH {
            self.set(Shape::Any);
            return Err(Error("too deep".into()));
        }
        let mut acc = Fields {
            keys: fields.to_vec(),
            at: 0,
            depth: self.depth,
            shapes: Vec::new(),
        };
        let v = visitor.visit_map(&mut acc)?;
        // a Kubernetes type is recorded (its fields may be required) and then referred to
        self.set(match reference(name) {
            Some(d) => Shape::Ref(d),
            None => Shape::Struct(acc.shapes),
        });
        Ok(v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        mut self,
        _: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.set(Shape::Enum(variants.to_vec()));
        let first = variants.first().copied().unwrap_or("");
        visitor.visit_enum(UnitVariant(first))
    }
}

struct Seq<'a> {
    rec: Option<(&'a mut Option<Shape>, usize)>,
}

impl<'de> de::SeqAccess<'de> for Seq<'_> {
    type Error = Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some((out, depth)) = self.rec.take() else {
            return Ok(None);
        };
        let v = seed.deserialize(Rec {
            out,
            depth: depth + 1,
        })?;
        Ok(Some(v))
    }
}

struct Fields {
    keys: Vec<&'static str>,
    at: usize,
    depth: usize,
    shapes: Vec<(&'static str, Shape)>,
}

impl<'de> de::MapAccess<'de> for Fields {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(key) = self.keys.get(self.at) else {
            return Ok(None);
        };
        seed.deserialize((*key).into_deserializer()).map(Some)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let key = self.keys[self.at];
        self.at += 1;
        let rec = Rec {
            out: &mut None,
            depth: self.depth,
        };
        let (v, shape) = rec.child(seed)?;
        self.shapes.push((key, shape));
        Ok(v)
    }
}

struct UnitVariant(&'static str);

impl<'de> de::EnumAccess<'de> for UnitVariant {
    type Error = Error;
    type Variant = Self;
    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let v = seed.deserialize(self.0.into_deserializer())?;
        Ok((v, self))
    }
}

impl<'de> de::VariantAccess<'de> for UnitVariant {
    type Error = Error;
    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _: T) -> Result<T::Value, Error> {
        Err(Error("newtype variant".into()))
    }
    fn tuple_variant<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, Error> {
        Err(Error("tuple variant".into()))
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Error> {
        Err(Error("struct variant".into()))
    }
}

/// A strict JSON Schema (draft 7) for a shape: structs are closed, non-optional fields required,
/// Kubernetes types referenced by definition name.
pub fn to_schema(shape: &Shape) -> Value {
    match shape {
        Shape::Bool => json!({"type": "boolean"}),
        Shape::Int32 => json!({"type": "integer", "format": "int32"}),
        Shape::Int => json!({"type": "integer"}),
        Shape::Number => json!({"type": "number"}),
        Shape::String => json!({"type": "string"}),
        Shape::Any => json!({}),
        Shape::Enum(vs) => json!({"type": "string", "enum": vs}),
        Shape::Optional(inner) => to_schema(inner),
        Shape::Seq(item) => json!({"type": "array", "items": to_schema(item)}),
        Shape::Map(value) => json!({"type": "object", "additionalProperties": to_schema(value)}),
        Shape::Ref(d) => json!({"$ref": format!("#/definitions/{d}")}),
        Shape::Struct(fields) => {
            let mut props = Map::new();
            let mut required = Vec::new();
            for (name, s) in fields {
                let mut field = to_schema(s);
                if DURATIONS.contains(name)
                    && field.get("type") == Some(&json!("string"))
                    && let Some(o) = field.as_object_mut()
                {
                    o.insert("pattern".into(), json!(FLUX_DURATION));
                }
                props.insert((*name).to_string(), field);
                if !matches!(s, Shape::Optional(_)) {
                    required.push(Value::String((*name).to_string()));
                }
            }
            let mut o = Map::new();
            o.insert("type".into(), json!("object"));
            o.insert("properties".into(), Value::Object(props));
            if !required.is_empty() {
                o.insert("required".into(), Value::Array(required));
            }
            o.insert("additionalProperties".into(), json!(false));
            Value::Object(o)
        }
    }
}
