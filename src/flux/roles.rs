//! Environment roles: what an environment is for (dev, staging or production), whatever it is
//! called. Every rule that treats environments differently asks for the role, so `prod`,
//! `prd`, `live` or `eu-production` get production's rules without configuration.
//!
//! The default mapping reads the environment's name (and aliases) word by word: words are split on
//! anything that is not a letter or a digit, trailing digits are dropped (`prod2` is `prod`), and a
//! word is looked up in [`DEFAULT_NAMES`]. `nonprod` or `preprod-db` are not production: whole
//! words only. The first role found, in the order production, staging, dev, wins; a name with
//! none has no role, and the `structure` rule says so once. `fluxlint.yaml` sets roles by
//! environment (`role:`) or by name glob (`roles:`).

use std::fmt;

/// What an environment is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Dev,
    Staging,
    Production,
}

/// The words that name each role by default.
pub const DEFAULT_NAMES: &[(Role, &[&str])] = &[
    (Role::Production, &["production", "prod", "prd", "live"]),
    (
        Role::Staging,
        &["staging", "stage", "stg", "preprod", "uat"],
    ),
    (Role::Dev, &["dev", "development", "develop"]),
];

impl Role {
    pub const ALL: [Role; 3] = [Role::Dev, Role::Staging, Role::Production];

    /// The role's name, as policies key their per-environment tables (`byEnvironment: {dev: …}`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Dev => "dev",
            Role::Staging => "staging",
            Role::Production => "production",
        }
    }

    /// A role by its name or one of its default words (`prod` → production).
    pub fn parse(s: &str) -> Option<Role> {
        let s = s.to_ascii_lowercase();
        DEFAULT_NAMES
            .iter()
            .find(|(_, words)| words.contains(&s.as_str()))
            .map(|(r, _)| *r)
    }

    /// The role an environment's names give it by default, if any.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<Role> {
        let names: Vec<&str> = names.into_iter().collect();
        DEFAULT_NAMES.iter().map(|(r, _)| *r).find(|r| {
            names.iter().any(|n| {
                words(n).any(|w| {
                    DEFAULT_NAMES
                        .iter()
                        .any(|(role, list)| role == r && list.contains(&w.as_str()))
                })
            })
        })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an environment's role came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleFrom {
    /// Read from its name by the default mapping.
    Name,
    /// Set in `fluxlint.yaml`.
    Config,
    /// No role.
    None,
}

/// Lower-cased words of a name with trailing digits dropped (`eu-Prod2` → `eu`, `prod`).
fn words(name: &str) -> impl Iterator<Item = String> + '_ {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.trim_end_matches(|c: char| c.is_ascii_digit())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_names_map_to_roles() {
        for (name, want) in [
            ("production", Some(Role::Production)),
            ("prod", Some(Role::Production)),
            ("prd", Some(Role::Production)),
            ("live", Some(Role::Production)),
            ("prod2", Some(Role::Production)),
            ("eu-prod", Some(Role::Production)),
            ("Production_US", Some(Role::Production)),
            ("stg", Some(Role::Staging)),
            ("stage", Some(Role::Staging)),
            ("staging", Some(Role::Staging)),
            ("dev", Some(Role::Dev)),
            ("development", Some(Role::Dev)),
            ("dev-01", Some(Role::Dev)),
            ("nonprod", None),
            ("productive", None),
            ("cluster-00", None),
            ("main", None),
            ("gcp", None),
            ("test", None),
        ] {
            assert_eq!(Role::from_names([name]), want, "{name}");
        }
    }

    #[test]
    fn aliases_count_and_production_wins() {
        assert_eq!(Role::from_names(["blue", "prod"]), Some(Role::Production));
        assert_eq!(
            Role::from_names(["dev-prod-mirror"]),
            Some(Role::Production)
        );
    }

    #[test]
    fn parses_role_names() {
        assert_eq!(Role::parse("Production"), Some(Role::Production));
        assert_eq!(Role::parse("prod"), Some(Role::Production));
        assert_eq!(Role::parse("qa"), None);
    }
}
