//! A Kubernetes or Flux release as users write it: `1.30`, `v2.6.1`. What an API server serves
//! changes with the minor release only, so versions compare by (major, minor); the patch is kept
//! to be shown as written.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: Option<u64>,
}

impl Version {
    /// `major.minor`, for tables.
    pub const fn new(major: u64, minor: u64) -> Version {
        Version {
            major,
            minor,
            patch: None,
        }
    }

    /// `1.30`, `v1.30`, `2.6.1`, `v2.6.1-rc.1` (a pre-release or build suffix of the patch is
    /// ignored). Not `2`, `2.x` or a range: see [`Version::newest_in_range`].
    pub fn parse(text: &str) -> Option<Version> {
        let t = text.trim();
        let t = t.strip_prefix('v').unwrap_or(t);
        let mut parts = t.splitn(3, '.');
        let major = number(parts.next()?)?;
        let minor = number(parts.next()?)?;
        let patch = match parts.next() {
            None => None,
            Some(p) => {
                let digits = p.split(['-', '+']).next().unwrap_or("");
                Some(number(digits)?)
            }
        };
        Some(Version {
            major,
            minor,
            patch,
        })
    }

    /// The newest minor of `major`, up to `newest`, that a version or semver range allows (`2.x`,
    /// `2.5.x`, `~2.5`, `>=2.3 <2.6`, `*`): the release the Flux Operator installs for it. `None`
    /// when the text is neither, or allows none of them.
    pub fn newest_in_range(text: &str, newest: Version) -> Option<Version> {
        if let Some(v) = Version::parse(text) {
            return Some(v);
        }
        let t = text.trim();
        let t = t.strip_prefix('v').unwrap_or(t);
        // Masterminds/semver (the operator's) separates comparators with spaces; the semver
        // crate wants commas
        let mut req = String::new();
        for (i, part) in t.split_whitespace().enumerate() {
            let joins = i > 0 && !req.ends_with(',') && !part.starts_with(',');
            if joins {
                req.push(',');
            }
            req.push_str(part);
        }
        let req = semver::VersionReq::parse(&req).ok()?;
        (0..=newest.minor).rev().find_map(|minor| {
            let allowed = (0..100)
                .any(|patch| req.matches(&semver::Version::new(newest.major, minor, patch)));
            allowed.then_some(Version::new(newest.major, minor))
        })
    }

    fn key(&self) -> (u64, u64) {
        (self.major, self.minor)
    }
}

fn number(s: &str) -> Option<u64> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<std::cmp::Ordering> {
        Some(self.key().cmp(&other.key()))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.patch {
            Some(p) => write!(f, "{}.{}.{p}", self.major, self.minor),
            None => write!(f, "{}.{}", self.major, self.minor),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_users_write() {
        assert_eq!(Version::parse("1.30"), Some(Version::new(1, 30)));
        assert_eq!(
            Version::parse("v2.6.1").map(|v| v.to_string()),
            Some("2.6.1".into())
        );
        assert_eq!(Version::parse("2.7.0-rc.1").map(|v| v.patch), Some(Some(0)));
        for bad in ["", "2", "2.x", "1.3a", "v", "1..2", "-1.2"] {
            assert_eq!(Version::parse(bad), None, "{bad}");
        }
        assert!(Version::new(1, 30) > Version::new(1, 4));
        assert!(Version::parse("2.6.9") < Version::parse("2.7"));
        assert!(Version::parse("2.6.1") >= Version::parse("2.6"));
    }

    #[test]
    fn ranges_take_the_newest_minor_they_allow() {
        let newest = Version::new(2, 9);
        let r = |t: &str| Version::newest_in_range(t, newest).map(|v| v.to_string());
        assert_eq!(r("2.x").as_deref(), Some("2.9"));
        assert_eq!(r("*").as_deref(), Some("2.9"));
        assert_eq!(r("2.5.x").as_deref(), Some("2.5"));
        assert_eq!(r("~2.4.0").as_deref(), Some("2.4"));
        assert_eq!(r(">=2.3 <2.6").as_deref(), Some("2.5"));
        assert_eq!(r("2.6.2").as_deref(), Some("2.6.2"));
        assert_eq!(r("latest"), None);
        assert_eq!(r("3.x"), None);
    }
}
