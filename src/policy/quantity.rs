//! Kubernetes quantities (`500m`, `1Gi`, `2`, `1e3`, `-0.5`, `.5Ki`), the one parser fluxlint uses
//! for resource limits, requests, quota sums and policy `min`/`max`.
//!
//! A value is held as an integer count of nano-units (`i128`), so comparisons and sums are exact for
//! every quantity Kubernetes itself can hold (it keeps nano precision and rounds finer values up,
//! and so do we). The range is ±1.7·10²⁰ units: more than a hundred exbibytes; arithmetic past it
//! saturates ([`Quantity::checked_add`] and [`Quantity::checked_mul`] report it instead).

use std::cmp::Ordering;
use std::fmt;

use crate::yaml::{Node, Value};

const NANO: i128 = 1_000_000_000;

/// How a quantity was written; sums keep the left operand's, as Kubernetes does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// `Ki`, `Mi`, `Gi`…
    BinarySi,
    /// `n`, `u`, `m`, none, `k`, `M`, `G`…
    DecimalSi,
    /// `1e3`, `5E-3`.
    DecimalExponent,
}

/// A Kubernetes quantity, compared by value.
#[derive(Clone, Copy, Debug)]
pub struct Quantity {
    nanos: i128,
    format: Format,
}

/// Why a string is not a quantity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuantityError {
    pub input: String,
    pub reason: &'static str,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\" is not a quantity: {}", self.input, self.reason)
    }
}

impl std::error::Error for QuantityError {}

/// The value of a quantity or plain number in base units (cores, bytes), as a float. Prefer
/// [`Quantity::parse`]: this is for ratios and display only.
pub fn parse(s: &str) -> Option<f64> {
    Quantity::parse(s).ok().map(|q| q.as_f64())
}

impl Quantity {
    pub const ZERO: Quantity = Quantity {
        nanos: 0,
        format: Format::DecimalSi,
    };

    /// Parses `<sign>?<digits>(.<digits>)?<suffix>?` with a binary SI suffix (`Ki`…`Ei`), a decimal SI
    /// suffix (`n u m k M G T P E`) or a decimal exponent (`e3`, `E-2`).
    pub fn parse(s: &str) -> Result<Quantity, QuantityError> {
        let err = |reason| QuantityError {
            input: s.to_string(),
            reason,
        };
        let b = s.as_bytes();
        let mut i = 0;
        let negative = match b.first() {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let int_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let int_digits = &s[int_start..i];
        let mut frac_digits = "";
        if i < b.len() && b[i] == b'.' {
            i += 1;
            let f = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            frac_digits = &s[f..i];
        }
        if int_digits.is_empty() && frac_digits.is_empty() {
            return Err(err(if s.is_empty() {
                "it is empty"
            } else {
                "expected a number such as 500m, 1.5, 2Gi or 1e3"
            }));
        }
        let suffix = &s[i..];
        let (format, exp10, pow1024): (Format, i32, u32) = match suffix {
            "" => (Format::DecimalSi, 0, 0),
            "n" => (Format::DecimalSi, -9, 0),
            "u" => (Format::DecimalSi, -6, 0),
            "m" => (Format::DecimalSi, -3, 0),
            "k" => (Format::DecimalSi, 3, 0),
            "M" => (Format::DecimalSi, 6, 0),
            "G" => (Format::DecimalSi, 9, 0),
            "T" => (Format::DecimalSi, 12, 0),
            "P" => (Format::DecimalSi, 15, 0),
            "E" => (Format::DecimalSi, 18, 0),
            "Ki" => (Format::BinarySi, 0, 1),
            "Mi" => (Format::BinarySi, 0, 2),
            "Gi" => (Format::BinarySi, 0, 3),
            "Ti" => (Format::BinarySi, 0, 4),
            "Pi" => (Format::BinarySi, 0, 5),
            "Ei" => (Format::BinarySi, 0, 6),
            _ => match suffix.strip_prefix(['e', 'E']) {
                Some(e) => (
                    Format::DecimalExponent,
                    parse_exponent(e).ok_or_else(|| {
                        err("the exponent must be a whole number such as e3 or e-2")
                    })?,
                    0,
                ),
                None => {
                    return Err(err(
                        "unknown suffix: expected one of n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent",
                    ));
                }
            },
        };
        // value = digits × 10^scale × 1024^pow1024, in nano-units; trailing fraction zeros change
        // nothing and would only cost precision
        let frac_digits = frac_digits.trim_end_matches('0');
        let digits = format!("{int_digits}{frac_digits}");
        let digits = digits.trim_start_matches('0');
        let scale = i64::from(exp10) - frac_digits.len() as i64 + 9;
        let too_large = || err("it is too large");
        let mut round_up = false;
        let mut v: i128 = 0;
        // with no binary factor, digits below one nano-unit only decide the rounding
        let dropped = if pow1024 == 0 && scale < 0 {
            usize::try_from(-scale)
                .unwrap_or(usize::MAX)
                .min(digits.len())
        } else {
            0
        };
        let (kept, rest) = digits.split_at(digits.len() - dropped);
        round_up |= rest.bytes().any(|c| c != b'0');
        for c in kept.bytes() {
            v = v
                .checked_mul(10)
                .and_then(|m| m.checked_add(i128::from(c - b'0')))
                .ok_or_else(too_large)?;
        }
        for _ in 0..pow1024 {
            v = v.checked_mul(1024).ok_or_else(too_large)?;
        }
        let scale = scale + dropped as i64;
        if scale > 0 && v != 0 {
            let p = pow10(scale).ok_or_else(too_large)?;
            v = v.checked_mul(p).ok_or_else(too_large)?;
        } else if scale < 0 {
            // binary suffixes with fractional digits: divide, rounding up like Kubernetes
            match pow10(-scale) {
                Some(p) => {
                    round_up |= v % p != 0;
                    v /= p;
                }
                None => {
                    round_up |= v != 0;
                    v = 0;
                }
            }
        }
        if round_up {
            v += 1;
        }
        Ok(Quantity {
            nanos: if negative { -v } else { v },
            format,
        })
    }

    /// A quantity from a YAML value: an integer, a float, or a string quantity.
    pub fn from_node(n: &Node) -> Result<Quantity, QuantityError> {
        match &n.value {
            Value::Int(i) => Ok(Quantity::from_int(*i)),
            Value::Float(f) if f.is_finite() => {
                Quantity::parse(&crate::yaml::emit::format_float(*f))
            }
            Value::Str(s) => Quantity::parse(s),
            _ => Err(QuantityError {
                input: n
                    .scalar_string()
                    .unwrap_or_else(|| n.type_name().to_string()),
                reason: "expected a number or a string such as 500m or 1Gi",
            }),
        }
    }

    pub fn from_int(i: i64) -> Quantity {
        Quantity {
            nanos: i128::from(i) * NANO,
            format: Format::DecimalSi,
        }
    }

    /// The value in nano-units (10⁻⁹ of a core, a byte…).
    pub fn nanos(&self) -> i128 {
        self.nanos
    }

    /// The value in milli-units, rounded up (Kubernetes' `MilliValue`).
    pub fn millis(&self) -> i128 {
        ceil_div(self.nanos, 1_000_000)
    }

    /// The value in whole units, rounded up (Kubernetes' `Value`).
    pub fn units(&self) -> i128 {
        ceil_div(self.nanos, NANO)
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn as_f64(&self) -> f64 {
        self.nanos as f64 / NANO as f64
    }

    pub fn is_zero(&self) -> bool {
        self.nanos == 0
    }

    pub fn checked_add(self, other: Quantity) -> Option<Quantity> {
        Some(Quantity {
            nanos: self.nanos.checked_add(other.nanos)?,
            format: self.format,
        })
    }

    pub fn checked_sub(self, other: Quantity) -> Option<Quantity> {
        Some(Quantity {
            nanos: self.nanos.checked_sub(other.nanos)?,
            format: self.format,
        })
    }

    /// This quantity times a count (replicas × a container's request).
    pub fn checked_mul(self, n: i64) -> Option<Quantity> {
        Some(Quantity {
            nanos: self.nanos.checked_mul(i128::from(n))?,
            format: self.format,
        })
    }

    /// Saturating sum.
    pub fn saturating_add(self, other: Quantity) -> Quantity {
        Quantity {
            nanos: self.nanos.saturating_add(other.nanos),
            format: self.format,
        }
    }

    /// Saturating product with a count.
    pub fn saturating_mul(self, n: i64) -> Quantity {
        Quantity {
            nanos: self.nanos.saturating_mul(i128::from(n)),
            format: self.format,
        }
    }

    /// The sum of quantities (zero for none), in the first one's format.
    pub fn sum<I: IntoIterator<Item = Quantity>>(items: I) -> Quantity {
        let mut it = items.into_iter();
        let Some(first) = it.next() else {
            return Quantity::ZERO;
        };
        it.fold(first, Quantity::saturating_add)
    }
}

fn parse_exponent(e: &str) -> Option<i32> {
    let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    // far beyond any representable value: the caller reports "too large", or rounds to 1n
    let v: i64 = digits.parse().unwrap_or(i64::MAX).min(1000);
    let v = v as i32;
    Some(if e.starts_with('-') { -v } else { v })
}

fn pow10(n: i64) -> Option<i128> {
    10i128.checked_pow(u32::try_from(n).ok()?)
}

fn ceil_div(a: i128, b: i128) -> i128 {
    let q = a / b;
    if a % b != 0 && a > 0 { q + 1 } else { q }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Quantity) -> bool {
        self.nanos == other.nanos
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Quantity) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Quantity) -> Ordering {
        self.nanos.cmp(&other.nanos)
    }
}

impl std::hash::Hash for Quantity {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.nanos.hash(state);
    }
}

impl std::ops::Add for Quantity {
    type Output = Quantity;
    fn add(self, other: Quantity) -> Quantity {
        self.saturating_add(other)
    }
}

impl std::ops::Mul<i64> for Quantity {
    type Output = Quantity;
    fn mul(self, n: i64) -> Quantity {
        self.saturating_mul(n)
    }
}

impl std::iter::Sum for Quantity {
    fn sum<I: Iterator<Item = Quantity>>(iter: I) -> Quantity {
        Quantity::sum(iter)
    }
}

impl std::str::FromStr for Quantity {
    type Err = QuantityError;
    fn from_str(s: &str) -> Result<Quantity, QuantityError> {
        Quantity::parse(s)
    }
}

/// The shortest exact form in the quantity's format: `1500m`, `2Gi`, `3`, `1e3` (as `1k`).
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.nanos < 0 { "-" } else { "" };
        let n = self.nanos.unsigned_abs();
        if n == 0 {
            return f.write_str("0");
        }
        if self.format == Format::BinarySi && n.is_multiple_of(NANO as u128) {
            let units = n / NANO as u128;
            for (suffix, pow) in [
                ("Ei", 6),
                ("Pi", 5),
                ("Ti", 4),
                ("Gi", 3),
                ("Mi", 2),
                ("Ki", 1),
            ] {
                let m = 1024u128.pow(pow);
                if units.is_multiple_of(m) {
                    return write!(f, "{sign}{}{suffix}", units / m);
                }
            }
            return write!(f, "{sign}{units}");
        }
        // decimal: the largest suffix that keeps the value whole (nano-units are always whole)
        let suffixes = [
            ("E", 27),
            ("P", 24),
            ("T", 21),
            ("G", 18),
            ("M", 15),
            ("k", 12),
            ("", 9),
            ("m", 6),
            ("u", 3),
            ("n", 0),
        ];
        for (suffix, pow) in suffixes {
            let m = 10u128.pow(pow);
            if n.is_multiple_of(m) {
                return write!(f, "{sign}{}{suffix}", n / m);
            }
        }
        write!(f, "{sign}{n}n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn nanos(s: &str) -> i128 {
        q(s).nanos()
    }

    #[test]
    fn decimal_and_binary_suffixes() {
        assert_eq!(nanos("500m"), 500_000_000);
        assert_eq!(nanos("1"), NANO);
        assert_eq!(nanos("2k"), 2000 * NANO);
        assert_eq!(nanos("1Ki"), 1024 * NANO);
        assert_eq!(nanos("1Gi"), (1 << 30) * NANO);
        assert_eq!(nanos("1Ei"), (1i128 << 60) * NANO);
        assert_eq!(nanos("3E"), 3 * 10i128.pow(18) * NANO);
        assert_eq!(nanos("1n"), 1);
        assert_eq!(nanos("7u"), 7000);
        assert_eq!(nanos("0"), 0);
        assert_eq!(nanos("000100m"), 100_000_000);
    }

    #[test]
    fn exponents_signs_and_fractions() {
        assert_eq!(q("1e3"), q("1k"));
        assert_eq!(q("1E3"), q("1000"));
        assert_eq!(q("5e-3"), q("5m"));
        assert_eq!(q("1e+2"), q("100"));
        assert_eq!(q("0.5"), q("500m"));
        assert_eq!(q(".5"), q("500m"));
        assert_eq!(q("5."), q("5"));
        assert_eq!(q("1.5Gi"), q("1536Mi"));
        assert_eq!(q("0.1"), q("100m"));
        assert_eq!(nanos("-1.5"), -1_500_000_000);
        assert_eq!(q("+2"), q("2"));
        assert_eq!(q("0.1") + q("0.2"), q("300m"));
    }

    #[test]
    fn finer_than_nano_rounds_up() {
        assert_eq!(nanos("0.1n"), 1);
        assert_eq!(nanos("1e-20"), 1);
        assert_eq!(nanos("1.0000000001"), NANO + 1);
        assert_eq!(nanos("0.5Ki"), 512 * NANO);
        assert_eq!(nanos("1.000000000000Ki"), 1024 * NANO);
        assert_eq!(nanos("0.0000000001Ki"), 103);
    }

    #[test]
    fn comparisons_by_value() {
        assert!(q("500m") < q("1"));
        assert!(q("1Gi") > q("1G"));
        assert!(q("1000Mi") < q("1Gi"));
        assert!(q("1024Mi") == q("1Gi"));
        assert!(q("-1") < q("0"));
        assert_eq!(q("100m").millis(), 100);
        assert_eq!(q("1500m").units(), 2);
    }

    #[test]
    fn invalid_quantities() {
        for s in [
            "", "abc", "1.2.3", "1x", "1gi", "1KiB", "e3", "1e", "1e1.5", ".", "-", "1 Gi", " 1",
            "1ee3", "++1", "Mi",
        ] {
            assert!(Quantity::parse(s).is_err(), "{s:?} parsed");
        }
        assert!(Quantity::parse("1e400").is_err());
        assert!(Quantity::parse("99999999999999999999999999999999999Ei").is_err());
    }

    #[test]
    fn arithmetic_for_quota_sums() {
        let req = q("250m");
        assert_eq!(req * 3, q("750m"));
        assert_eq!(req.saturating_mul(3), q("750m"));
        assert_eq!(Quantity::sum([q("1Gi"), q("512Mi")]), q("1.5Gi"));
        assert_eq!(Quantity::sum([]), Quantity::ZERO);
        assert_eq!(q("1").checked_mul(i64::MAX).map(|x| x > q("1")), Some(true));
        assert!(q("100Ei").checked_mul(i64::MAX).is_none());
        assert_eq!(q("2").checked_sub(q("500m")), Some(q("1500m")));
    }

    #[test]
    fn display_is_exact_and_short() {
        assert_eq!(q("1500m").to_string(), "1500m");
        assert_eq!((q("1Gi") + q("1Gi")).to_string(), "2Gi");
        assert_eq!((q("1Gi") + q("1")).to_string(), "1073741825");
        assert_eq!(q("1e3").to_string(), "1k");
        assert_eq!(q("0").to_string(), "0");
        assert_eq!(q("-500m").to_string(), "-500m");
        assert_eq!(q("1.5Gi").to_string(), "1536Mi");
    }

    #[test]
    fn from_yaml_values() {
        let o = crate::yaml::Origin::none();
        let n = |v| Node::new(v, o.clone());
        assert_eq!(Quantity::from_node(&n(Value::Int(3))), Ok(q("3")));
        assert_eq!(Quantity::from_node(&n(Value::Float(0.1))), Ok(q("100m")));
        assert_eq!(
            Quantity::from_node(&n(Value::Str("2Gi".into()))),
            Ok(q("2Gi"))
        );
        assert!(Quantity::from_node(&n(Value::Bool(true))).is_err());
    }
}
