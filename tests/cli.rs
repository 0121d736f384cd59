//! The binary's command line, run as a user runs it: start-up errors, the address line on
//! stdout and the `cryptogram` subcommand's checks.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_epay-sandbox");
const TERMINAL: &str = "67e34d63-102f-4bd1-898e-370781d0074d";

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_missing_fixtures_directory_is_an_error_naming_it() {
    let output = run(&["--addr", "127.0.0.1:0", "--fixtures", "/nonexistent/fixtures"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("/nonexistent/fixtures does not exist"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_incomplete_fixtures_directory_names_the_missing_files() {
    let dir = std::env::temp_dir().join(format!("epay-sandbox-cli-fixtures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    std::fs::copy(source.join("cards.json"), dir.join("cards.json")).expect("copy");
    let output = run(&["--addr", "127.0.0.1:0", "--fixtures", dir.to_str().unwrap_or_default()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.contains("lacks merchants.json, reason_codes.json, result_codes.json"),
        "{text}"
    );
}

#[test]
fn an_invalid_log_level_is_refused() {
    let output = run(&["--addr", "127.0.0.1:0", "--log-level", "loud"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("'loud' is not a log level"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_listening_line_is_on_stdout_at_any_log_level() {
    let mut child = Command::new(BIN)
        .args(["--addr", "localhost:0", "--log-level", "error"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let line = BufReader::new(stdout)
        .lines()
        .next()
        .and_then(Result::ok)
        .unwrap_or_default();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.starts_with("ePay sandbox listening on http://127.0.0.1:"),
        "{line}"
    );
    assert!(line.contains("(public URL http://127.0.0.1:"), "{line}");
}

#[test]
fn cryptogram_validates_its_input() {
    let refused = [
        (
            ["--pan", "4405639704015096", "--exp", "13/25", "--cvc", "815"],
            "expDate",
        ),
        (["--pan", "4405639704015096", "--exp", "0125", "--cvc", "81"], "cvc"),
        (["--pan", "4405639704015097", "--exp", "0125", "--cvc", "815"], "Luhn"),
        (["--pan", "4405x39704015096", "--exp", "0125", "--cvc", "815"], "digits"),
    ];
    for (args, what) in refused {
        let output = run(&[&["cryptogram", "--terminal", TERMINAL], &args[..]].concat());
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains(what), "{args:?}: {}", stderr(&output));
        assert!(!stderr(&output).contains("4405639704015096"), "a PAN in an error");
    }
    let output = run(&[
        "cryptogram",
        "--pan",
        "4405 6397 0401 5096",
        "--exp",
        "01/25",
        "--cvc",
        "815",
        "--terminal",
        TERMINAL,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim().len(), 684);
}

#[test]
fn subcommand_help_lists_only_its_own_flags() {
    let output = run(&["cryptogram", "--help"]);
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("--pan"), "{help}");
    assert!(
        !help.contains("--addr") && !help.contains("--callback-attempts"),
        "{help}"
    );
}

#[test]
fn openapi_prints_the_served_document() {
    let output = run(&["openapi"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(doc, epay_sandbox::http::openapi::document());
    assert!(
        doc["paths"]["/api/payment/cryptopay"]["post"].is_object(),
        "{}",
        doc["paths"]
    );
}

#[test]
fn an_unknown_fidelity_key_or_value_is_refused_with_the_valid_ones() {
    let output = run(&["--fidelity", "bogus=1"]);
    assert!(!output.status.success());
    let error = stderr(&output);
    assert!(
        error.contains("unknown fidelity key 'bogus'") && error.contains("token.expires_in"),
        "{error}"
    );
    let output = run(&["serve", "--fidelity", "token.expires_in=float"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("valid values: string, number"),
        "{}",
        stderr(&output)
    );
    let output = run(&["--fidelity", "token.expires_in"]);
    assert!(stderr(&output).contains("is not KEY=VALUE"), "{}", stderr(&output));
}

#[test]
fn a_bad_fidelity_profile_file_stops_the_server() {
    let path = std::env::temp_dir().join(format!("epay-fidelity-{}.json", std::process::id()));
    std::fs::write(&path, r#"{"status.not_found_http": "404"}"#).expect("write");
    let output = run(&[
        "--addr",
        "127.0.0.1:0",
        "--fidelity-profile",
        path.to_str().unwrap_or_default(),
    ]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("valid values: 200, 400"),
        "{}",
        stderr(&output)
    );
}
