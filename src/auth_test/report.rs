//! What `mcpwright auth test` saw, one step per line: ✓ or ✗, what it saw and, on ✗, what to
//! fix. The same steps print as text for people and as JSON (`--format json`) for bots; neither
//! ever holds a token, only what was read from one.

use serde::Serialize;
use serde_json::{Value, json};

/// One step of the flow.
#[derive(Clone, Debug, Serialize)]
pub struct Step {
    /// A stable identifier (`challenge`, `resource-metadata`, …): bots key on it.
    pub step: &'static str,
    pub ok: bool,
    /// What the step saw, in one sentence.
    pub saw: String,
    /// On ✗, what to change (at the server, the authorization server or the command line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// Every step, in the order they ran.
#[derive(Debug, Default)]
pub struct Report {
    pub url: String,
    pub steps: Vec<Step>,
}

impl Report {
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            steps: Vec::new(),
        }
    }

    pub fn pass(&mut self, step: &'static str, saw: impl Into<String>) {
        self.steps.push(Step {
            step,
            ok: true,
            saw: saw.into(),
            fix: None,
        });
    }

    pub fn fail(&mut self, step: &'static str, saw: impl Into<String>, fix: impl Into<String>) {
        self.steps.push(Step {
            step,
            ok: false,
            saw: saw.into(),
            fix: Some(fix.into()),
        });
    }

    /// Exit code 0 only when this holds: every step ran passed, and at least one ran.
    pub fn passed(&self) -> bool {
        !self.steps.is_empty() && self.steps.iter().all(|step| step.ok)
    }

    pub fn failed(&self) -> usize {
        self.steps.iter().filter(|step| !step.ok).count()
    }

    /// One line per step, a `fix:` line under each ✗, and a summary.
    pub fn to_text(&self) -> String {
        let mut out = format!("mcpwright auth test {}\n", self.url);
        for step in &self.steps {
            let mark = if step.ok { '✓' } else { '✗' };
            out.push_str(&format!("{mark} {}: {}\n", step.step, step.saw));
            if let Some(fix) = &step.fix {
                out.push_str(&format!("    fix: {fix}\n"));
            }
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }

    fn summary(&self) -> String {
        if self.passed() {
            format!("passed: all {} steps", self.steps.len())
        } else {
            format!(
                "failed: {} of {} steps",
                self.failed().max(1),
                self.steps.len()
            )
        }
    }

    /// `{"url", "passed", "summary", "steps": [{"step", "ok", "saw", "fix"?}]}`.
    pub fn to_json(&self) -> Value {
        json!({
            "url": self.url,
            "passed": self.passed(),
            "summary": self.summary(),
            "steps": self.steps,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_step_fails_the_report_and_prints_its_fix() {
        let mut report = Report::new("http://127.0.0.1:1/mcp");
        report.pass("challenge", "401 with a Bearer challenge");
        report.fail(
            "token",
            "audience https://x",
            "set the audience to https://y",
        );
        assert!(!report.passed());
        let text = report.to_text();
        assert!(text.contains("✓ challenge: 401 with a Bearer challenge\n"));
        assert!(
            text.contains("✗ token: audience https://x\n    fix: set the audience to https://y\n")
        );
        assert!(text.ends_with("failed: 1 of 2 steps\n"));
        let json = report.to_json();
        assert_eq!(json["passed"], false);
        assert_eq!(json["steps"][0]["step"], "challenge");
        assert!(json["steps"][0].get("fix").is_none());
        assert_eq!(json["steps"][1]["fix"], "set the audience to https://y");
    }

    #[test]
    fn no_step_is_no_pass() {
        assert!(!Report::new("u").passed());
    }
}
