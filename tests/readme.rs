//! The README's shell snippets, run as a reader would run them: every ```` ```sh test ```` block
//! is run with bash against the sandbox binary on a free port (its `http://127.0.0.1:8080`
//! replaced by the real address), must exit 0 and must print what its `# →` lines claim. A
//! shell block that is not run must say so (```` ```sh untested ````), and the Rust example must
//! be `tests/embedding.rs` word for word.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const README: &str = include_str!("../README.md");
const RECIPES: &str = include_str!("../docs/recipes.md");
const DOCUMENTED_URL: &str = "http://127.0.0.1:8080";

/// A fenced code block: its info string and its text.
struct Block {
    info: String,
    text: String,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let mut found = Vec::new();
    let mut current: Option<Block> = None;
    for line in markdown.lines() {
        match (current.take(), line.strip_prefix("```")) {
            (None, Some(info)) => {
                current = Some(Block {
                    info: info.trim().to_string(),
                    text: String::new(),
                })
            }
            (Some(block), Some(_)) => found.push(block),
            (Some(mut block), None) => {
                block.text.push_str(line);
                block.text.push('\n');
                current = Some(block);
            }
            (None, None) => {}
        }
    }
    found
}

/// The sandbox binary on a free port; killed on drop.
struct Sandbox {
    child: Child,
    url: String,
}

impl Sandbox {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_epay-sandbox"))
            .args(["--addr", "127.0.0.1:0", "--log-level", "warn"])
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
        let url = line
            .split("listening on ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_default()
            .to_string();
        assert!(url.starts_with("http://"), "no address line: {line}");
        Sandbox { child, url }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// What a `# → …` line claims: the `"key": value` pairs it shows (values written `…` are
/// elided), or, without any, the text itself.
fn claims(line: &str) -> Vec<String> {
    let mut pairs = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find('"') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('"') else { break };
        let key = &after[..end];
        let tail = &after[end + 1..];
        let Some(value_text) = tail.strip_prefix(": ") else {
            rest = tail;
            continue;
        };
        let value: String = if let Some(quoted) = value_text.strip_prefix('"') {
            quoted
                .find('"')
                .map(|e| format!("\"{}\"", &quoted[..e]))
                .unwrap_or_default()
        } else {
            value_text
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
                .collect()
        };
        if !value.is_empty() && !value.contains('…') {
            pairs.push(format!("\"{key}\":{value}"));
        }
        rest = &value_text[value.len().min(value_text.len())..];
    }
    if pairs.is_empty() {
        pairs.push(line.trim().to_string());
    }
    pairs
}

fn run_block(sandbox: &Sandbox, block: &Block, dir: &Path) {
    let script = block.text.replace(DOCUMENTED_URL, &sandbox.url);
    let output = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(dir)
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "README block failed:\n{}\nstdout: {stdout}\nstderr: {}",
        block.text,
        String::from_utf8_lossy(&output.stderr)
    );
    for line in block.text.lines().filter_map(|l| l.trim().strip_prefix("# → ")) {
        for claim in claims(line) {
            assert!(stdout.contains(&claim), "README claims {claim} but got:\n{stdout}");
        }
    }
    if block.text.contains("openssl base64") {
        let cryptogram = stdout.lines().last().unwrap_or_default();
        assert_eq!(cryptogram.len(), 684, "an RSA-4096 cryptogram: {stdout}");
        let key = epay_sandbox::crypto::SandboxCrypto::embedded().expect("key");
        let card = key.decrypt_cryptogram(cryptogram).expect("the sandbox decrypts it");
        assert_eq!(card.hpan, "4405639704015096");
    }
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("epay-sandbox-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn every_tested_shell_block_runs_and_prints_what_it_claims() {
    let all = blocks(README);
    let shell: Vec<&Block> = all.iter().filter(|b| b.info.starts_with("sh")).collect();
    let first = shell.first().map(|b| b.text.as_str()).unwrap_or_default();
    let commands: Vec<&str> = first.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert_eq!(commands, ["cargo", "./scripts/test.sh"], "Quick start: {first}");
    for block in &shell {
        assert!(
            block.info == "sh test" || block.info == "sh untested",
            "a shell block must be marked `sh test` or `sh untested`: {}",
            block.text
        );
    }
    let tested: Vec<&&Block> = shell.iter().filter(|b| b.info == "sh test").collect();
    assert!(
        tested.len() >= 2,
        "the walk-through and the openssl one-liner are tested"
    );
    let sandbox = Sandbox::start();
    let dir = temp_dir("readme");
    for block in tested {
        if block.text.contains("openssl") && !have("openssl") {
            eprintln!("openssl is not installed: the one-liner is not checked");
            continue;
        }
        run_block(&sandbox, block, &dir);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_rust_example_is_the_embedding_test() {
    let rust: Vec<Block> = blocks(README).into_iter().filter(|b| b.info == "rust").collect();
    assert_eq!(rust.len(), 1);
    assert_eq!(rust[0].text, include_str!("embedding.rs"));
}

#[test]
fn the_recipes_for_python_and_node_work() {
    let sandbox = Sandbox::start();
    let dir = temp_dir("recipes");
    let mut ran = 0;
    for block in blocks(RECIPES) {
        let (tool, file) = match block.info.as_str() {
            "python test" => ("python3", "recipe.py"),
            "js test" => ("node", "recipe.mjs"),
            _ => continue,
        };
        if !have(tool) {
            eprintln!("{tool} is not installed: its recipe is not checked");
            continue;
        }
        std::fs::write(dir.join(file), &block.text).expect("write recipe");
        let output = Command::new(tool)
            .arg(file)
            .env("EPAY_SANDBOX_URL", &sandbox.url)
            .current_dir(&dir)
            .output()
            .expect("runs");
        assert!(
            output.status.success(),
            "{file} failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        ran += 1;
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(ran > 0 || !have("python3"), "no recipe ran");
}

#[test]
fn claims_read_the_readme_notation() {
    let line =
        r#"{"id": "…", "invoiceID": "000000101", "secure3D": null, "transaction": {…, "statusName": "AUTH", …}}"#;
    assert_eq!(
        claims(line),
        [
            r#""invoiceID":"000000101""#,
            r#""secure3D":null"#,
            r#""statusName":"AUTH""#
        ]
    );
    assert_eq!(claims("REFUND"), ["REFUND"]);
}
