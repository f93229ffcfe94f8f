//! `fake-bedrock`: serves the built-in cassettes (and optionally a directory of more) on
//! `127.0.0.1`, printing `http://127.0.0.1:PORT` as the first line of stdout. Runs until killed
//! (or, with `--stdin`, until stdin closes).

use std::io::{Read, Write};
use std::process::ExitCode;

use bedrock_lite::fake::FakeBedrock;

const USAGE: &str =
    "usage: fake-bedrock [--port N] [--cassette-dir DIR] [--no-builtin] [--no-auth] [--stdin]

Serves a fake Amazon Bedrock on 127.0.0.1 and prints its URL on the first line of stdout.
Accepts the demo key pair AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY and the bearer
token bedrock-api-key-demo. Runs until killed; with --stdin, until stdin closes.";

fn main() -> ExitCode {
    let mut port: u16 = 0;
    let mut dirs = Vec::new();
    let mut builtin = true;
    let mut auth = true;
    let mut until_stdin_closes = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => match args.next().and_then(|p| p.parse().ok()) {
                Some(p) => port = p,
                None => return usage_error("--port needs a number"),
            },
            "--cassette-dir" => match args.next() {
                Some(d) => dirs.push(d),
                None => return usage_error("--cassette-dir needs a directory"),
            },
            "--no-builtin" => builtin = false,
            "--no-auth" => auth = false,
            "--stdin" => until_stdin_closes = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => return usage_error(&format!("unknown argument {other:?}")),
        }
    }

    let mut builder = FakeBedrock::builder().port(port).require_auth(auth);
    if builtin {
        builder = builder.builtin_cassettes();
    }
    for dir in &dirs {
        builder = match builder.cassette_dir(dir) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("fake-bedrock: cannot load cassettes from {dir}: {e}");
                return ExitCode::FAILURE;
            }
        };
    }
    let server = match builder.start() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("fake-bedrock: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{}", server.endpoint_url())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    drop(stdout);

    if !until_stdin_closes {
        loop {
            std::thread::park();
        }
    }
    let mut sink = [0u8; 256];
    let mut stdin = std::io::stdin().lock();
    while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
    server.shutdown();
    ExitCode::SUCCESS
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("fake-bedrock: {message}\n\n{USAGE}");
    ExitCode::from(2)
}
