//! The server's fidelity options: `--fidelity KEY=VALUE` (repeatable, or
//! `EPAY_SANDBOX_FIDELITY="k=v,k=v"`) over `--fidelity-profile FILE` over the defaults.

use super::keys::{Overrides, Profile};
use super::profile::parse_assignment;
use std::path::{Path, PathBuf};

/// Options that pick the start-up fidelity profile (docs/fidelity.md, "Fidelity profiles").
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FidelityArgs {
    /// Set one fidelity key (`token.expires_in=number`); repeatable, or comma-separated in the
    /// environment. Wins over --fidelity-profile. Keys: GET /_sandbox/fidelity, docs/fidelity.md.
    #[arg(long = "fidelity", value_name = "KEY=VALUE", env = "EPAY_SANDBOX_FIDELITY",
          value_delimiter = ',', value_parser = checked_assignment)]
    pub assignments: Vec<String>,
    /// A JSON profile file (`{"token.expires_in": "number"}`), e.g. one written by `probe --out`.
    #[arg(
        long = "fidelity-profile",
        value_name = "FILE",
        env = "EPAY_SANDBOX_FIDELITY_PROFILE"
    )]
    pub profile_file: Option<PathBuf>,
}

impl FidelityArgs {
    /// The start-up profile: defaults, then the file, then the assignments.
    pub fn profile(&self) -> Result<Profile, String> {
        let from_file = match &self.profile_file {
            Some(path) => read_profile_file(path)?,
            None => Overrides::default(),
        };
        let assigned =
            Overrides::from_assignments(self.assignments.iter().map(String::as_str)).map_err(|e| e.to_string())?;
        Ok(Profile::default().with(&from_file.merged(&assigned)))
    }
}

/// Reads a profile document from a file.
pub fn read_profile_file(path: &Path) -> Result<Overrides, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let document: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    Overrides::from_json(&document).map_err(|e| format!("{}: {e}", path.display()))
}

/// Checks one `KEY=VALUE` at parse time, so `--fidelity bogus=1` stops with the valid keys.
fn checked_assignment(text: &str) -> Result<String, String> {
    let (key, value) = parse_assignment(text).map_err(|e| e.to_string())?;
    Overrides::default()
        .set(key, Some(value))
        .map(|_| text.trim().to_string())
        .map_err(|e| e.to_string())
}
