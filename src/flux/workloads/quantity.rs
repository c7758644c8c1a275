//! Kubernetes quantities as exact integers (billionths of the base unit), so that sums and
//! products of `100m` × 3 compare exactly. A thin wrapper over [`crate::policy::quantity`]: when
//! that parser becomes exact, only [`Quantity::parse`] changes.

use std::ops::{Add, Mul};

use crate::yaml::Node;

const NANO: i128 = 1_000_000_000;

/// A quantity in billionths of its base unit (cores, bytes, pods).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity(pub i128);

impl Quantity {
    pub const ZERO: Quantity = Quantity(0);

    /// `500m`, `1Gi`, `2`, `1e3`.
    pub fn parse(s: &str) -> Option<Quantity> {
        let v = crate::policy::quantity::parse(s)?;
        if !v.is_finite() {
            return None;
        }
        Some(Quantity((v * NANO as f64).round() as i128))
    }

    /// A scalar node (`cpu: 1` is an integer, `cpu: "1"` a string: both mean one core).
    pub fn of(n: &Node) -> Option<Quantity> {
        Quantity::parse(&n.scalar_string()?)
    }

    pub fn from_count(n: i64) -> Quantity {
        Quantity(n as i128 * NANO)
    }
}

impl Add for Quantity {
    type Output = Quantity;
    fn add(self, o: Quantity) -> Quantity {
        Quantity(self.0.saturating_add(o.0))
    }
}

impl Mul<i64> for Quantity {
    type Output = Quantity;
    fn mul(self, n: i64) -> Quantity {
        Quantity(self.0.saturating_mul(n as i128))
    }
}

impl std::iter::Sum for Quantity {
    fn sum<I: Iterator<Item = Quantity>>(it: I) -> Quantity {
        it.fold(Quantity::ZERO, Add::add)
    }
}

/// A quantity written the way a person would for this resource name: cores (`1500m`, `2`) for
/// `*cpu`, bytes with the largest exact suffix (`1536Mi`, `2Gi`) for memory and storage, plain
/// numbers for counts (`pods`).
pub fn format_quantity(resource: &str, q: Quantity) -> String {
    let v = q.0;
    if resource.ends_with("cpu") {
        if v % NANO == 0 {
            return (v / NANO).to_string();
        }
        if v % 1_000_000 == 0 {
            return format!("{}m", v / 1_000_000);
        }
        return format!("{v}n");
    }
    if v % NANO != 0 {
        return format!("{v}n");
    }
    let n = v / NANO;
    if !(resource.contains("memory") || resource.contains("storage")) {
        return n.to_string();
    }
    let suffixes: [(&str, i128); 8] = [
        ("Ei", 1 << 60),
        ("Pi", 1 << 50),
        ("Ti", 1 << 40),
        ("Gi", 1 << 30),
        ("Mi", 1 << 20),
        ("G", 1_000_000_000),
        ("M", 1_000_000),
        ("Ki", 1 << 10),
    ];
    for (suf, mul) in suffixes {
        if n != 0 && n % mul == 0 {
            return format!("{}{suf}", n / mul);
        }
    }
    n.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap_or_default()
    }

    #[test]
    fn sums_are_exact() {
        assert_eq!(q("100m") * 3 + q("700m"), q("1"));
        assert_eq!(q("512Mi") * 3, q("1536Mi"));
        assert!(q("1Gi") > q("1G"));
    }

    #[test]
    fn formats_like_a_person() {
        assert_eq!(format_quantity("requests.cpu", q("1500m")), "1500m");
        assert_eq!(format_quantity("limits.cpu", q("2000m")), "2");
        assert_eq!(format_quantity("limits.memory", q("1536Mi")), "1536Mi");
        assert_eq!(format_quantity("requests.memory", q("2Gi")), "2Gi");
        assert_eq!(format_quantity("memory", q("1G")), "1G");
        assert_eq!(format_quantity("pods", q("12")), "12");
    }
}
