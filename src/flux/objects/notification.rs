//! Notification Alerts and Providers of an environment.

use crate::flux::Environment;
use crate::flux::kinds;

use super::{InEnv, NOTIFICATION_GROUP, Obj, objects};

/// A notification Alert of an environment.
pub type Alert<'a> = InEnv<'a, kinds::Alert<'a>>;

pub fn alerts(env: &Environment) -> Vec<Alert<'_>> {
    objects(env, NOTIFICATION_GROUP, &["Alert"])
        .into_iter()
        .map(|o| InEnv::new(o, kinds::Alert))
        .collect()
}

/// The Provider a reference names.
pub fn find_provider<'a>(env: &'a Environment, name: &str, namespace: &str) -> Option<Obj<'a>> {
    objects(env, NOTIFICATION_GROUP, &["Provider"])
        .into_iter()
        .find(|p| p.is_named(name, namespace))
}
