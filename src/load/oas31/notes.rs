//! The conversion's warnings, collapsed per kind of loss.

use crate::error::{Diagnostic, Location};

/// Warnings, collapsed per kind: one place of each kind and how many places there were.
pub(super) struct Notes {
    file: String,
    /// In the order the kinds were first seen.
    grouped: Vec<Group>,
    single: Vec<Diagnostic>,
}

/// One kind of loss, seen `count` times; `pointer` is the place it was first seen.
pub(super) struct Group {
    kind: String,
    message: String,
    hint: String,
    pointer: String,
    count: usize,
}

impl Notes {
    pub(super) fn new(file: &str) -> Self {
        Notes {
            file: file.to_owned(),
            grouped: Vec::new(),
            single: Vec::new(),
        }
    }

    /// Records one occurrence of a kind of loss; the message is taken from the first occurrence.
    pub(super) fn group(
        &mut self,
        kind: &str,
        pointer: &str,
        message: impl FnOnce() -> String,
        hint: &str,
    ) {
        if let Some(group) = self.grouped.iter_mut().find(|group| group.kind == kind) {
            group.count += 1;
        } else {
            self.grouped.push(Group {
                kind: kind.to_owned(),
                message: message(),
                hint: hint.to_owned(),
                pointer: pointer.to_owned(),
                count: 1,
            });
        }
    }

    /// Records a warning of its own.
    pub(super) fn warn(&mut self, pointer: &str, message: impl Into<String>, hint: &str) {
        self.single
            .push(Diagnostic::new(Location::new(&self.file, pointer), message).hint(hint));
    }

    pub(super) fn finish(self) -> Vec<Diagnostic> {
        let file = self.file;
        let grouped = self.grouped.into_iter().map(|group| {
            let message = match group.count {
                1 => group.message,
                n => format!("{} ({n} places, like this one)", group.message),
            };
            Diagnostic::new(Location::new(&file, group.pointer), message).hint(group.hint)
        });
        self.single.into_iter().chain(grouped).collect()
    }
}
