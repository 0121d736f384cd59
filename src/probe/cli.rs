//! `epay-sandbox probe`: runs the probe against a real ePay environment, prints the report and
//! writes the observed profile (`--out`).

use super::{run, ProbeTarget};
use std::path::PathBuf;
use std::time::Duration;

/// Options of `probe`.
#[allow(rustdoc::bare_urls)] // the field comments are --help text, where a URL is not a link
#[derive(Debug, Clone, clap::Args)]
pub struct ProbeArgs {
    /// The token endpoint (or its base URL), e.g. https://testoauth.homebank.kz/epay2/oauth2/token.
    #[arg(long)]
    pub oauth: String,
    /// The API base URL, e.g. https://testepay.homebank.kz/api.
    #[arg(long)]
    pub api: String,
    /// The merchant's client id.
    #[arg(long)]
    pub client_id: String,
    /// The merchant's client secret (never printed).
    #[arg(long, env = "EPAY_PROBE_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: String,
    /// A payment terminal (UUID) of the merchant.
    #[arg(long)]
    pub terminal: String,
    /// A P2P terminal of the merchant, to observe transfer answers (with --allow-payments).
    #[arg(long)]
    pub p2p_terminal: Option<String>,
    /// Pay 10 KZT with the bank's documented test cards (approved ones are cancelled).
    #[arg(long)]
    pub allow_payments: bool,
    /// Write the observed profile here (load it with --fidelity-profile).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Seconds any one request may take.
    #[arg(long, default_value_t = 20)]
    pub timeout_seconds: u64,
}

/// Runs `probe`; returns the exit code (0 probed, 1 could not probe or write).
pub async fn probe(args: &ProbeArgs) -> i32 {
    let target = ProbeTarget {
        p2p_terminal: args.p2p_terminal.clone(),
        allow_payments: args.allow_payments,
        timeout: Duration::from_secs(args.timeout_seconds.max(1)),
        ..ProbeTarget::new(
            &args.oauth,
            &args.api,
            &args.client_id,
            &args.client_secret,
            &args.terminal,
        )
    };
    let report = match run(&target).await {
        Ok(report) => report,
        Err(error) => {
            eprintln!("epay-sandbox probe: {error}");
            return 1;
        }
    };
    print!("{}", report.render());
    let Some(out) = &args.out else {
        return 0;
    };
    let text = serde_json::to_string_pretty(&report.profile()).unwrap_or_default();
    match std::fs::write(out, text + "\n") {
        Ok(()) => {
            println!(
                "wrote the observed profile to {} (load it with --fidelity-profile)",
                out.display()
            );
            0
        }
        Err(error) => {
            eprintln!("epay-sandbox probe: cannot write {}: {error}", out.display());
            1
        }
    }
}
