//! `docs/PROMOTION.md` of a new repository, written from its plan and the active policies: the
//! tag conventions of the source-ref policy, the step-by-step promotion along the environments,
//! what to validate at each step, approvals, monitoring (the Alerts), rollback and emergency
//! rollback.

use std::fmt::Write;

use super::Active;
use super::scaffold::{Follow, Plan, convention_for};

pub fn document(plan: &Plan, active: &Active) -> String {
    let mut s = String::new();
    let names: Vec<&str> = plan.envs.iter().map(|e| e.name.as_str()).collect();
    let _ = writeln!(s, "# Promotion\n");
    let _ = writeln!(
        s,
        "This repository describes {} environments, promoted in this order: {}. Each has its own \
         cluster directory (`clusters/<env>/`), and an overlay per layer (`apps/overlays/<env>/`, \
         `infrastructure/overlays/<env>/`) over a shared `base/`. A change reaches an environment \
         only through Git: a merge to `main` for an environment that tracks a branch, a release tag \
         for the others. `fluxlint check` proves the rules below on every change, before anything \
         reaches a cluster.\n",
        names.len(),
        names
            .iter()
            .map(|n| format!("**{n}**"))
            .collect::<Vec<_>>()
            .join(" → ")
    );
    let _ = writeln!(
        s,
        "| environment | follows | polls every | replicas per app | CPU / memory limit per container |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|");
    for e in &plan.envs {
        let follows = match &e.follow {
            Follow::Branch(b) => format!("branch `{b}`"),
            Follow::Tag(t) => format!("tag `{t}` (now)"),
        };
        let _ = writeln!(
            s,
            "| {} | {follows} | {} | {} | {} / {} |",
            e.name,
            e.interval,
            e.replicas,
            super::scaffold::cpu(e.tier.lim_cpu).trim_matches('"'),
            super::scaffold::mem(e.tier.lim_mem)
        );
    }
    tags(&mut s, plan);
    steps(&mut s, plan);
    approvals(&mut s, plan);
    monitoring(&mut s, plan);
    rollback(&mut s, plan);
    rules(&mut s, active);
    s
}

fn tags(s: &mut String, plan: &Plan) {
    let convs = &plan.conventions;
    let _ = writeln!(s, "\n## Tag conventions\n");
    let _ = writeln!(
        s,
        "From the `source-ref` policy (`fluxlint explain source-ref`{}):\n",
        if plan.source_ref_policy.is_some() {
            "; this repository's own copy is `policies/source-ref.yaml`"
        } else {
            ""
        }
    );
    for e in &plan.envs {
        let line = match convention_for(convs, &e.name) {
            Some(c) => match c.branch() {
                Some(b) => format!("tracks the branch `{b}`; no tag promotes it."),
                None => {
                    let rule = match (c.semver(), c.prerelease()) {
                        (true, true) => {
                            "; the version is a semantic version, and pre-releases such as `-rc.1` are allowed"
                        }
                        (true, false) => {
                            "; the version is a semantic version, and pre-releases are refused"
                        }
                        (false, _) => "",
                    };
                    format!(
                        "moves only to a tag matching `{}`{rule}. Example: `{}`.",
                        c.shown(),
                        c.example("1.4.0").unwrap_or_default()
                    )
                }
            },
            None => match &e.follow {
                Follow::Branch(b) => format!("tracks the branch `{b}` (no policy constrains it)."),
                Follow::Tag(t) => format!(
                    "pins a tag such as `{t}` (the source-ref policy sets no convention for it)."
                ),
            },
        };
        let _ = writeln!(s, "- **{}** {line}", e.name);
    }
    let _ = writeln!(
        s,
        "\nA branch, a semver range (`ref.semver`), a commit or a tag of another environment's \
         pattern is refused where a tag is required. Tags are never moved or reused: a fix is a new \
         version. `fluxlint tag <tag>` says which environment a tag promotes, and refuses one that \
         promotes none; install it as a pre-push hook:\n"
    );
    let _ = writeln!(s, "```sh\n{}```", HOOK);
}

/// The git pre-push hook that runs `fluxlint tag` on every pushed tag.
pub const HOOK: &str = r#"#!/bin/sh
# .git/hooks/pre-push (chmod +x): refuse to push a tag that promotes no environment
zero=0000000000000000000000000000000000000000
while read -r local_ref local_sha remote_ref remote_sha; do
  case "$remote_ref" in
    refs/tags/*)
      [ "$local_sha" = "$zero" ] && continue   # deleting a tag
      fluxlint tag "${remote_ref#refs/tags/}" || exit 1
      ;;
  esac
done
"#;

fn steps(s: &mut String, plan: &Plan) {
    let _ = writeln!(s, "\n## Promoting a change, step by step\n");
    for (i, e) in plan.envs.iter().enumerate() {
        let env = &e.name;
        let prev = i.checked_sub(1).map(|p| plan.envs[p].name.as_str());
        let _ = writeln!(s, "### {}. {env}\n", i + 1);
        match &e.follow {
            Follow::Branch(b) => {
                let _ = writeln!(
                    s,
                    "1. Change the base or the `{env}` overlay on a feature branch and open a pull request \
                     against `{b}`.\n\
                     2. Validate: `fluxlint check` (every environment; CI runs it too) and \
                     `fluxlint build apps/overlays/{env}` to read what will be applied.\n\
                     3. Merge after review. Flux polls `{b}` every {} and applies the change; \
                     resources removed from Git are pruned.\n\
                     4. Verify: `flux get kustomizations --context {env}` shows the new revision \
                     `{b}@sha1:…` as ready, and the notification arrives.",
                    e.interval
                );
            }
            Follow::Tag(first) => {
                if let Some(p) = prev {
                    let _ = writeln!(s, "Promote only what has run cleanly in **{p}**.\n");
                }
                let next = first.replacen("0.1.0", "0.2.0", 1);
                let _ = writeln!(
                    s,
                    "\
                     1. On a branch, set `spec.ref.tag` in `clusters/{env}/flux-system/gotk-sync.yaml` to the \
                     new tag (the next version: `{first}` → `{next}`), together with any `{env}` \
                     overlay change.\n\
                     2. Validate: `fluxlint check clusters/{env}` (the environment and everything it \
                     applies), `fluxlint tag <new-tag>`, and review what changes since the running tag: \
                     `git diff <running-tag> -- apps infrastructure clusters/{env}`.\n\
                     3. Open a pull request; it needs the approvals below; merge it.\n\
                     4. Tag the merge commit and push the tag: \
                     `git tag -a <new-tag> -m \"promote to {env}\" <merge-commit> && git push origin <new-tag>`.\n\
                     5. Point the cluster at the tag: \
                     `git checkout <new-tag> && kubectl --context {env} apply -f clusters/{env}/flux-system/gotk-sync.yaml`, \
                     then `flux reconcile kustomization flux-system --with-source --context {env}`. From \
                     now on the cluster reads the tagged tree, which names the same tag.\n\
                     6. Verify: `flux get sources git --context {env}` shows `<new-tag>@sha1:…`, \
                     `flux get kustomizations --context {env}` shows every Kustomization ready, and the \
                     deployment notification arrives."
                );
            }
        }
        let _ = writeln!(s);
    }
}

fn approvals(s: &mut String, plan: &Plan) {
    let tagged: Vec<&str> = plan
        .envs
        .iter()
        .filter(|e| matches!(e.follow, Follow::Tag(_)))
        .map(|e| e.name.as_str())
        .collect();
    let _ = writeln!(s, "## Approvals\n");
    let _ = writeln!(
        s,
        "- Every change goes through a pull request with at least one review, and CI must pass \
         `fluxlint check`.\n\
         - A change to `clusters/<env>/` of {} needs a review by the release managers (list them \
         in CODEOWNERS for those paths); {last} additionally needs a second reviewer.\n\
         - Only release managers may create tags matching the release patterns: protect them with \
         a tag ruleset on the Git host. The pushed tag is the approval record: who, when, which \
         commit.\n\
         - Never promote to an environment something that did not run in the one before it.",
        tagged
            .iter()
            .map(|e| format!("**{e}**"))
            .collect::<Vec<_>>()
            .join(", "),
        last = plan.envs.last().map_or("production", |e| e.name.as_str())
    );
}

fn monitoring(s: &mut String, plan: &Plan) {
    let _ = writeln!(s, "\n## Monitoring\n");
    let _ = writeln!(
        s,
        "Each cluster directory has `notifications.yaml`: a Slack Provider and an Alert \
         `deployments` that sends `{}` events of {} to the channel `deploys-<env>` \
         ({}). Create the `slack-webhook` Secret in `flux-system` on each cluster. After every \
         promotion, watch:\n",
        plan.alert_severity,
        plan.alert_kinds
            .iter()
            .map(|k| format!("every {k}"))
            .collect::<Vec<_>>()
            .join(" and "),
        plan.envs
            .iter()
            .map(|e| format!("`deploys-{}`", e.name))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        s,
        "- the channel: a `ReconciliationSucceeded` message names the new revision; any error \
         event means the promotion is not done;\n\
         - `flux get kustomizations --context <env>` and `flux events --context <env>`;\n\
         - `kubectl --context <env> -n {} rollout status deployment/<app>` for each of {};\n\
         - the application's own dashboards and error rates for at least one polling interval.",
        plan.namespace,
        plan.apps
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

fn rollback(s: &mut String, plan: &Plan) {
    let last = plan.envs.last().map_or("production", |e| e.name.as_str());
    let _ = writeln!(s, "\n## Rollback\n");
    let _ = writeln!(
        s,
        "A rollback is a promotion to an older tag: nothing is force-pushed and no tag is moved.\n\n\
         1. Find the last good tag: `git tag --list --sort=-version:refname` (for example the \
         previous `{last}` tag).\n\
         2. Point the cluster at it: `git checkout <good-tag> && kubectl --context {last} apply -f \
         clusters/{last}/flux-system/gotk-sync.yaml`, then `flux reconcile kustomization \
         flux-system --with-source --context {last}`. The old tree names its own tag, so Flux \
         stays there.\n\
         3. Record it in Git: a pull request that sets `spec.ref.tag` back to `<good-tag>` in \
         `clusters/{last}/flux-system/gotk-sync.yaml` (`fluxlint check clusters/{last}` accepts an \
         older tag).\n\
         4. Fix forward on `main`, and promote the fix with a new version through every \
         environment.\n\
         \n\
         For an environment that tracks a branch, revert the commit on the branch \
         (`git revert <commit>`); Flux applies the revert at the next poll."
    );
    let _ = writeln!(s, "\n## Emergency rollback\n");
    let _ = writeln!(
        s,
        "When the service is down and even a reconcile is too slow:\n\n\
         1. Stop Flux from re-applying the broken state: `flux suspend kustomization apps --context {last}`.\n\
         2. Roll the workloads back to their previous ReplicaSet: `kubectl --context {last} -n {} rollout undo deployment/<app>`.\n\
         3. Announce it in `deploys-{last}`; the cluster now differs from Git on purpose.\n\
         4. Do the rollback above (steps 2–3) to a good tag, then `flux resume kustomization apps --context {last}`; \
         Flux takes over again from the good tag.\n\
         5. Write down what happened and why, and add a policy or a test so that `fluxlint check` \
         catches it next time.",
        plan.namespace
    );
}

fn rules(s: &mut String, active: &Active) {
    let _ = writeln!(s, "\n## What `fluxlint check` enforces\n");
    let _ = writeln!(s, "| rule | severity | promise |\n|---|---|---|");
    for p in &active.policies {
        let _ = writeln!(s, "| `{}` | {} | {} |", p.id, p.severity, p.summary);
    }
    let _ = writeln!(
        s,
        "\n`fluxlint explain <rule>` shows what a rule checks and how to fix a finding; the rules' \
         thresholds live in `policies/` (the defaults when it is absent)."
    );
}
