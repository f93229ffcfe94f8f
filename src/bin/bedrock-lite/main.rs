//! `bedrock-lite`: the AWS CLI's Bedrock commands, plus `chat` and `demo`, without the AWS SDK.

mod args;
mod commands;
mod query;

use std::io::Write as _;
use std::process::ExitCode;

use args::Command;

/// Exit status of a usage error (as the AWS CLI).
const EXIT_USAGE: u8 = 252;
/// Exit status when the service or the stream reported an error (as the AWS CLI).
const EXIT_SERVICE: u8 = 254;
/// Exit status of any other failure.
const EXIT_OTHER: u8 = 255;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let (global, command) = match args::parse(&argv) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("bedrock-lite: error: {e}\n\n{}", args::USAGE);
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match command {
        Command::Help => {
            print!("{}", args::USAGE);
            return ExitCode::SUCCESS;
        }
        Command::Version => {
            println!("bedrock-lite {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bedrock-lite: error: cannot start the runtime: {e}");
            return ExitCode::from(EXIT_OTHER);
        }
    };
    match runtime.block_on(commands::run(global, command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let _ = std::io::stdout().flush();
            if failure.broken_pipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("{}", failure.message);
            ExitCode::from(if failure.service {
                EXIT_SERVICE
            } else {
                EXIT_OTHER
            })
        }
    }
}
