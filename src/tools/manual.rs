//! `fluxlint completions <shell>` (clap_complete) and `fluxlint man` (clap_mangen): generated at
//! run time from the same clap definitions as the parser, so they never drift from the binary.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, EXIT_OK, EXIT_USAGE, ManArgs};

pub fn completions(args: &CompletionsArgs, stdout: &mut dyn Write) -> ExitCode {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "fluxlint", stdout);
    ExitCode::from(EXIT_OK)
}

pub fn man(args: &ManArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> ExitCode {
    let cmd = Cli::command();
    let result = match &args.dir {
        Some(dir) => std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(cmd, dir)),
        None => clap_mangen::Man::new(cmd).render(stdout),
    };
    match result {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(e) => {
            let _ = writeln!(stderr, "error: cannot write the man page: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}
