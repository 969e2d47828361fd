//! The errors that cross module boundaries: a bad tool argument ([`ArgError`], made by request
//! building, validation, hooks and file reads alike) and why the server cannot start
//! ([`StartError`], made by configuration, logging and the transports). They live in a leaf module
//! so that every layer can name them without importing the layer that usually makes them.

/// A bad argument, reported to the model as a tool error naming the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgError {
    /// The argument's name in the tool's input schema (a JSON pointer below it when nested).
    pub field: String,
    pub message: String,
}

impl ArgError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        ArgError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ArgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            write!(f, "invalid arguments: {}", self.message)
        } else {
            write!(f, "invalid argument `{}`: {}", self.field, self.message)
        }
    }
}

impl std::error::Error for ArgError {}

/// Why `serve` cannot start, with the process exit code to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartError {
    /// 2 for usage errors, 1 for everything else.
    pub code: u8,
    pub message: String,
}

impl StartError {
    pub fn usage(message: impl Into<String>) -> Self {
        StartError {
            code: 2,
            message: message.into(),
        }
    }

    pub fn runtime(message: impl Into<String>) -> Self {
        StartError {
            code: 1,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StartError {}
