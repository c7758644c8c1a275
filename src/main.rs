use std::process::ExitCode;

// Rendering builds and drops millions of small nodes; mimalloc is markedly faster at that than glibc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    fluxlint::cli::run(std::env::args_os(), &mut stdout.lock(), &mut stderr.lock())
}
