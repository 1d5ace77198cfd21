//! The Python peers: a virtual environment with numpy, numba, scipy,
//! numexpr and joblib (made on first use), and `peers/peers.py`, which
//! times the same cases on the same sizes and writes rows in the same
//! terms.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cases::{Setup, Spec};
use crate::measure::{Role, Row};

/// The packages the peers import.
const PACKAGES: [&str; 6] = [
    "numpy",
    "numba",
    "scipy",
    "numexpr",
    "joblib",
    "threadpoolctl",
];

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("peers/peers.py")
}

/// `target/peers-venv` of the workspace.
fn venv() -> PathBuf {
    let bench = Path::new(env!("CARGO_MANIFEST_DIR"));
    bench.parent().unwrap_or(bench).join("target/peers-venv")
}

fn venv_python() -> PathBuf {
    venv().join("bin/python")
}

fn imports_ok(python: &Path) -> bool {
    let probe = format!("import {}", PACKAGES.join(", "));
    Command::new(python)
        .args(["-c", &probe])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The virtual environment's Python, made and filled on first use.
fn ensure_venv() -> Result<PathBuf, String> {
    let python = venv_python();
    if imports_ok(&python) {
        return Ok(python);
    }
    let system = std::env::var("NDPAR_PYTHON").unwrap_or_else(|_| "python3".into());
    eprintln!(
        "peers: creating {} with {} (about a minute) ...",
        venv().display(),
        PACKAGES.join(", ")
    );
    let made = Command::new(&system)
        .args(["-m", "venv"])
        .arg(venv())
        .status()
        .map_err(|e| {
            format!("no Python found ({system}: {e}); install Python 3 or set NDPAR_PYTHON")
        })?;
    if !made.success() {
        return Err(format!(
            "`{system} -m venv` failed; is the venv module installed?"
        ));
    }
    let pip = Command::new(&python)
        .args(["-m", "pip", "install", "--quiet"])
        .args(PACKAGES)
        .status()
        .map_err(|e| format!("pip: {e}"))?;
    if !pip.success() || !imports_ok(&python) {
        return Err(format!(
            "installing {} from PyPI failed",
            PACKAGES.join(", ")
        ));
    }
    Ok(python)
}

/// Runs the peers on `cases` (id and spec) and returns their rows, keyed by
/// case id; an error says why Python or the script could not run.
pub fn run(
    setup: &Setup,
    cases: &[(&'static str, Spec)],
    out: &Path,
) -> Result<Vec<(String, Row)>, String> {
    let python = ensure_venv()?;
    let threads: Vec<String> = setup.threads.iter().map(|t| t.to_string()).collect();
    let specs: Vec<String> = cases
        .iter()
        .map(|(id, spec)| format!("\"{id}\": {}", spec.to_json()))
        .collect();
    let json = format!(
        "{{\"threads\": [{}], \"rounds\": {}, \"cases\": {{{}}}}}",
        threads.join(", "),
        setup.rounds,
        specs.join(", ")
    );
    let (spec_path, csv_path) = (out.join("peers-spec.json"), out.join("peers.csv"));
    std::fs::write(&spec_path, json).map_err(|e| format!("{}: {e}", spec_path.display()))?;
    // Some machines set these for old OpenBLAS builds; they slow a current
    // numpy's BLAS, so the peers run without them.
    let status = Command::new(&python)
        .arg(script())
        .arg(&spec_path)
        .arg(&csv_path)
        .env_remove("OPENBLAS_CORETYPE")
        .env_remove("OPENBLAS_L2_SIZE")
        .status()
        .map_err(|e| format!("{}: {e}", python.display()))?;
    if !status.success() {
        return Err(format!("{} exited with {status}", script().display()));
    }
    let text =
        std::fs::read_to_string(&csv_path).map_err(|e| format!("{}: {e}", csv_path.display()))?;
    parse(&text)
}

/// Rows of `case,variant,role,threads,median_ms,min_ms,max_ms` (no quoted
/// fields: the script's names hold no commas).
fn parse(text: &str) -> Result<Vec<(String, Row)>, String> {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.trim_end().split(',').collect();
            let bad = || format!("peers.csv: bad row {line:?}");
            if f.len() != 7 {
                return Err(bad());
            }
            let ms = |i: usize| f[i].parse::<f64>().map(|v| v / 1e3).map_err(|_| bad());
            let row = Row {
                variant: f[1].to_string(),
                role: Role::parse(f[2]).ok_or_else(bad)?,
                threads: f[3].parse().map_err(|_| bad())?,
                seconds: ms(4)?,
                low: ms(5)?,
                high: ms(6)?,
            };
            Ok((f[0].to_string(), row))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_scripts_rows() {
        let rows = parse(
            "case,variant,role,threads,median_ms,min_ms,max_ms\nsum,numpy a.sum(),peer,1,9.5000,9.1,12.0\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, "sum");
        assert_eq!(rows[0].1.variant, "numpy a.sum()");
        assert_eq!(rows[0].1.role, Role::Peer);
        assert!((rows[0].1.seconds - 0.0095).abs() < 1e-12);
        assert!((rows[0].1.low - 0.0091).abs() < 1e-12);
        assert!((rows[0].1.high - 0.012).abs() < 1e-12);
        assert!(parse("h\nsum,x,peer,one,1.0,1.0,1.0\n").is_err());
        assert!(parse("h\nsum,x,nobody,1,1.0,1.0,1.0\n").is_err());
        assert!(parse("h\nsum,x,peer,1,1.0\n").is_err());
    }
}
