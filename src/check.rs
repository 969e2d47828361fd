//! `mcpwright check`: whether the committed crate is what the spec generates now, and if not,
//! what changed for MCP clients (the contract diff) and which files differ.

use std::path::Path;

use serde_json::{Value, json};

use crate::contract::{self, Contract, ContractDiff};
use crate::error::Result;
use crate::write::{existing_files, is_generated};
use crate::{Options, render};

/// One file that differs between the committed crate and a fresh generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileChange {
    Added(String),
    Modified(String),
    /// Only the `@generated` header differs (it carries the spec's hash).
    HeaderOnly(String),
    Removed(String),
}

/// The outcome of a check.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// How the tools changed, from the committed lock file to the fresh generation.
    pub contract: ContractDiff,
    /// Whether the committed crate had a lock file to compare with.
    pub lock_found: bool,
    pub files: Vec<FileChange>,
}

impl CheckReport {
    /// Whether the committed crate is current.
    pub fn is_current(&self) -> bool {
        self.files.is_empty()
    }

    pub fn to_json(&self) -> Value {
        let files: Vec<Value> = self
            .files
            .iter()
            .map(|change| match change {
                FileChange::Added(path) => json!({"path": path, "change": "added"}),
                FileChange::Modified(path) => json!({"path": path, "change": "modified"}),
                FileChange::HeaderOnly(path) => json!({"path": path, "change": "header"}),
                FileChange::Removed(path) => json!({"path": path, "change": "removed"}),
            })
            .collect();
        json!({
            "current": self.is_current(),
            "lockFound": self.lock_found,
            "contract": self.contract.to_json(),
            "files": files,
        })
    }

    pub fn to_text(&self, out: &Path) -> String {
        if self.is_current() {
            return format!("{} is current\n", out.display());
        }
        let mut text = format!(
            "{} is stale: regenerate with `mcpwright generate`\n",
            out.display()
        );
        if !self.lock_found {
            text.push_str(&format!(
                "(no {} to compare the tools with: every tool counts as added)\n",
                contract::LOCK_FILE
            ));
        }
        if self.contract.is_empty() {
            text.push_str("\nThe MCP contract is unchanged.\n");
        } else {
            let verdict = if self.contract.is_breaking() {
                "with breaking changes"
            } else {
                "compatibly"
            };
            text.push_str(&format!(
                "\nThe MCP contract changed {verdict}:\n{}",
                self.contract.to_text()
            ));
        }
        text.push_str("\nFiles:\n");
        let mut header_only = 0;
        for change in &self.files {
            let line = match change {
                FileChange::Added(path) => format!("  added     {path}"),
                FileChange::Modified(path) => format!("  modified  {path}"),
                FileChange::Removed(path) => format!("  removed   {path}"),
                FileChange::HeaderOnly(_) => {
                    header_only += 1;
                    continue;
                }
            };
            text.push_str(&line);
            text.push('\n');
        }
        if header_only > 0 {
            text.push_str(&format!(
                "  and {header_only} files whose @generated header (the spec's hash) changed\n"
            ));
        }
        text
    }
}

/// Regenerates the crate for `spec` in memory and compares it with `out`, writing nothing.
pub fn check(spec: &Path, out: &Path, options: &Options) -> Result<CheckReport> {
    let (_, fresh) = render(spec, out, options)?;
    let committed = existing_files(out)?;
    let mut files = Vec::new();
    for (path, contents) in &fresh.files {
        if !committed.contains(path) {
            files.push(FileChange::Added(path.clone()));
        } else {
            let old = std::fs::read_to_string(out.join(path)).unwrap_or_default();
            if old != *contents {
                if without_header(&old) == without_header(contents) {
                    files.push(FileChange::HeaderOnly(path.clone()));
                } else {
                    files.push(FileChange::Modified(path.clone()));
                }
            }
        }
    }
    for path in &committed {
        if !fresh.files.contains_key(path)
            && !fresh.user_files.contains_key(path)
            && is_generated(&out.join(path))
        {
            files.push(FileChange::Removed(path.clone()));
        }
    }
    // The lock files point into the schema files beside them: the committed crate's for the
    // old contract, the fresh generation's for the new.
    let old = Contract::read(out);
    let new = fresh.files.get(contract::LOCK_FILE).and_then(|text| {
        Contract::parse_with(text, |path| fresh.files.get(path).map(String::as_str))
    });
    let lock_found = old.is_some();
    let contract = contract::diff(&old.unwrap_or_default(), &new.unwrap_or_default());
    Ok(CheckReport {
        contract,
        lock_found,
        files,
    })
}

/// A generated file's text after its `@generated` header line.
fn without_header(text: &str) -> &str {
    match text.split_once('\n') {
        Some((first, rest)) if first.contains(crate::emit::GENERATED_MARKER) => rest,
        _ => text,
    }
}
