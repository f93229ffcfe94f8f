//! Command-line parsing, by hand (no parser crate: binary size matters).

use std::path::PathBuf;

/// Usage text.
pub(crate) const USAGE: &str = "\
bedrock-lite: call models on Amazon Bedrock without the AWS SDK

USAGE:
  bedrock-lite [GLOBAL OPTIONS] [bedrock-runtime] invoke-model --model-id ID --body BODY
               [--content-type T] [--accept T] OUTFILE
  bedrock-lite [GLOBAL OPTIONS] [bedrock-runtime] invoke-model-with-response-stream --model-id ID
               --body BODY [--content-type T] [--accept T] OUTFILE
  bedrock-lite [GLOBAL OPTIONS] [bedrock] list-foundation-models [--by-provider P]
               [--by-output-modality M] [--by-inference-type T] [--by-customization-type C]
               [--query EXPR] [--output json|text]
  bedrock-lite [GLOBAL OPTIONS] chat --model-id ID [--max-tokens N] PROMPT
  bedrock-lite demo

GLOBAL OPTIONS (as in the AWS CLI; also accepted after the command):
  --region R            region (else AWS_REGION, AWS_DEFAULT_REGION, the profile, us-east-1)
  --endpoint-url URL    endpoint for both Bedrock hosts
  --profile P           profile of ~/.aws/credentials and ~/.aws/config (else AWS_PROFILE)
  --record-cassettes D  write every exchange as a cassette into D (or BEDROCK_LITE_RECORD_DIR)
  --cli-binary-format F accepted for AWS CLI compatibility; bodies are always raw bytes
  -h, --help            this text;  --version  the version

BODY is literal text, file://PATH or fileb://PATH; it is sent byte for byte.
OUTFILE is a file path, or - or /dev/stdout for standard output.
invoke-model writes the response body to OUTFILE and prints {\"contentType\": …} on stdout.
invoke-model-with-response-stream writes each chunk's bytes plus a newline to OUTFILE as it
arrives, then prints {\"contentType\": …} on stdout.
Credentials: AWS_BEARER_TOKEN_BEDROCK, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY[/AWS_SESSION_TOKEN],
or the profile's keys.

EXIT STATUS: 0 success; 252 usage error; 254 the service or the stream reported an error;
255 any other failure (credentials, network, local files).
";

/// Global options.
#[derive(Debug, Default, Clone)]
pub(crate) struct Global {
    pub(crate) region: Option<String>,
    pub(crate) endpoint_url: Option<String>,
    pub(crate) profile: Option<String>,
    pub(crate) record_dir: Option<PathBuf>,
}

/// The invoke operations' arguments.
#[derive(Debug, Clone)]
pub(crate) struct Invoke {
    pub(crate) model_id: String,
    pub(crate) body: String,
    pub(crate) content_type: Option<String>,
    pub(crate) accept: Option<String>,
    pub(crate) outfile: String,
}

/// A parsed command line.
#[derive(Debug, Clone)]
pub(crate) enum Command {
    Help,
    Version,
    InvokeModel(Invoke),
    InvokeStream(Invoke),
    ListModels {
        by_provider: Option<String>,
        by_output_modality: Option<String>,
        by_inference_type: Option<String>,
        by_customization_type: Option<String>,
        query: Option<String>,
        output: String,
    },
    Chat {
        model_id: String,
        max_tokens: u32,
        prompt: String,
    },
    Demo,
}

/// Options that take a value.
const VALUED: &[&str] = &[
    "--region",
    "--endpoint-url",
    "--profile",
    "--record-cassettes",
    "--cli-binary-format",
    "--model-id",
    "--body",
    "--content-type",
    "--accept",
    "--by-provider",
    "--by-output-modality",
    "--by-inference-type",
    "--by-customization-type",
    "--query",
    "--output",
    "--max-tokens",
];

/// Parses the arguments (without the program name).
pub(crate) fn parse(args: &[String]) -> Result<(Global, Command), String> {
    let mut opts: Vec<(String, String)> = Vec::new();
    let mut positional: Vec<String> = Vec::new();
    let mut flags: Vec<String> = Vec::new();
    let mut it = args.iter();
    let mut only_positional = false;
    while let Some(a) = it.next() {
        if only_positional || !a.starts_with("--") && a != "-h" {
            positional.push(a.clone());
            continue;
        }
        if a == "--" {
            only_positional = true;
            continue;
        }
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (a.clone(), None),
        };
        if VALUED.contains(&name.as_str()) {
            let value = match inline {
                Some(v) => v,
                None => it
                    .next()
                    .cloned()
                    .ok_or_else(|| format!("option {name} needs a value"))?,
            };
            opts.push((name, value));
        } else if matches!(
            name.as_str(),
            "--help" | "-h" | "--version" | "--no-cli-pager" | "--no-paginate"
        ) {
            flags.push(name);
        } else {
            return Err(format!("unknown option {name}"));
        }
    }
    if flags.iter().any(|f| f == "--help" || f == "-h") {
        return Ok((Global::default(), Command::Help));
    }
    if flags.iter().any(|f| f == "--version") {
        return Ok((Global::default(), Command::Version));
    }
    let mut take = |name: &str| -> Option<String> {
        let i = opts.iter().rposition(|(n, _)| n == name)?;
        let v = opts.remove(i).1;
        opts.retain(|(n, _)| n != name);
        Some(v)
    };
    let global = Global {
        region: take("--region"),
        endpoint_url: take("--endpoint-url"),
        profile: take("--profile"),
        record_dir: take("--record-cassettes").map(PathBuf::from),
    };
    let _ = take("--cli-binary-format");
    let mut pos = positional.into_iter().peekable();
    if matches!(
        pos.peek().map(String::as_str),
        Some("bedrock-runtime" | "bedrock")
    ) {
        pos.next();
    }
    let Some(cmd) = pos.next() else {
        return Err("no command given (try --help)".into());
    };
    let rest: Vec<String> = pos.collect();
    let command = match cmd.as_str() {
        "invoke-model" | "invoke-model-with-response-stream" => {
            let [outfile] = <[String; 1]>::try_from(rest).map_err(|r| {
                if r.is_empty() {
                    "missing OUTFILE".to_owned()
                } else {
                    format!("unexpected arguments: {}", r[1..].join(" "))
                }
            })?;
            let inv = Invoke {
                model_id: take("--model-id").ok_or("--model-id is required")?,
                body: take("--body").ok_or("--body is required")?,
                content_type: take("--content-type"),
                accept: take("--accept"),
                outfile,
            };
            if cmd == "invoke-model" {
                Command::InvokeModel(inv)
            } else {
                Command::InvokeStream(inv)
            }
        }
        "list-foundation-models" => {
            if !rest.is_empty() {
                return Err(format!("unexpected arguments: {}", rest.join(" ")));
            }
            let output = take("--output").unwrap_or_else(|| "json".to_owned());
            if !matches!(output.as_str(), "json" | "text") {
                return Err(format!("--output must be json or text, not {output:?}"));
            }
            Command::ListModels {
                by_provider: take("--by-provider"),
                by_output_modality: take("--by-output-modality"),
                by_inference_type: take("--by-inference-type"),
                by_customization_type: take("--by-customization-type"),
                query: take("--query"),
                output,
            }
        }
        "chat" => {
            if rest.is_empty() {
                return Err("chat needs a PROMPT".into());
            }
            let max_tokens = match take("--max-tokens") {
                Some(v) => v
                    .parse()
                    .map_err(|_| format!("--max-tokens must be a positive number, not {v:?}"))?,
                None => 1024,
            };
            Command::Chat {
                model_id: take("--model-id").ok_or("--model-id is required")?,
                max_tokens,
                prompt: rest.join(" "),
            }
        }
        "demo" => Command::Demo,
        "help" => Command::Help,
        other => return Err(format!("unknown command {other:?} (try --help)")),
    };
    if let Some((name, _)) = opts.first() {
        return Err(format!("option {name} does not apply to {cmd}"));
    }
    Ok((global, command))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<(Global, Command), String> {
        parse(&args.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn aws_cli_forms() {
        let (g, c) = p(&[
            "--region",
            "us-west-2",
            "bedrock-runtime",
            "invoke-model",
            "--model-id",
            "anthropic.claude-v2",
            "--cli-binary-format",
            "raw-in-base64-out",
            "--body=hello",
            "/dev/stdout",
        ])
        .unwrap();
        assert_eq!(g.region.as_deref(), Some("us-west-2"));
        match c {
            Command::InvokeModel(i) => {
                assert_eq!(
                    (i.model_id.as_str(), i.body.as_str(), i.outfile.as_str()),
                    ("anthropic.claude-v2", "hello", "/dev/stdout")
                );
            }
            other => panic!("{other:?}"),
        }
        let (_, c) = p(&[
            "bedrock",
            "list-foundation-models",
            "--by-provider",
            "anthropic",
            "--query",
            "modelSummaries[*].modelId",
        ])
        .unwrap();
        assert!(
            matches!(c, Command::ListModels { by_provider: Some(ref p), query: Some(_), .. } if p == "anthropic")
        );
        // Global options after the command, as the AWS CLI allows.
        let (g, _) = p(&[
            "list-foundation-models",
            "--endpoint-url",
            "http://x",
            "--profile",
            "dev",
        ])
        .unwrap();
        assert_eq!(
            (g.endpoint_url.as_deref(), g.profile.as_deref()),
            (Some("http://x"), Some("dev"))
        );
    }

    #[test]
    fn usage_errors() {
        assert!(p(&[]).is_err());
        assert!(
            p(&["invoke-model", "--model-id", "m", "--body", "b"])
                .unwrap_err()
                .contains("OUTFILE")
        );
        assert!(
            p(&["invoke-model", "--body", "b", "out"])
                .unwrap_err()
                .contains("--model-id")
        );
        assert!(p(&["list-foundation-models", "--output", "yaml"]).is_err());
        assert!(
            p(&["list-foundation-models", "--model-id", "x"])
                .unwrap_err()
                .contains("does not apply")
        );
        assert!(p(&["frobnicate"]).is_err());
        assert!(p(&["--bogus", "demo"]).is_err());
        assert!(matches!(p(&["demo", "--help"]).unwrap().1, Command::Help));
    }
}
