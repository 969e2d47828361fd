//! BM25F over each operation's fields, computed once at generation time: the index holds each
//! word's final weight per operation, so the server only adds weights up.
//!
//! Fields and why they weigh what they do: the summary and the tool name say what an operation
//! does in few words, so a match there counts most; the path's literal segments name the resource
//! (`/repos/{owner}/{repo}/pulls/{pull_number}`); the action the method implies (`list` for a
//! GET of a collection, `get` for a GET of one item, `create`, `update`, `delete`) separates
//! siblings that share every noun; tags place the operation in its area; the description and the
//! parameters add words a user may use but also much else, so they count least and their length
//! is normalized most.

use std::collections::{BTreeMap, HashMap};

use super::search_index::{Doc, encode};
use super::search_text::words_into;
use crate::ir::{Api, Method, Tool};

/// A field of an operation: its weight, and how strongly its length is normalized (BM25's `b`).
#[derive(Clone, Copy)]
struct Field {
    weight: f64,
    b: f64,
}

const NAME: Field = Field {
    weight: 2.0,
    b: 0.5,
};
const SUMMARY: Field = Field {
    weight: 3.0,
    b: 0.5,
};
const PATH: Field = Field {
    weight: 1.5,
    b: 0.5,
};
const ACTION: Field = Field {
    weight: 1.5,
    b: 0.0,
};
const TAGS: Field = Field {
    weight: 1.0,
    b: 0.3,
};
const DESCRIPTION: Field = Field {
    weight: 1.0,
    b: 0.75,
};
const PARAMETERS: Field = Field {
    weight: 0.4,
    b: 0.75,
};
const FIELDS: [Field; 7] = [NAME, SUMMARY, PATH, ACTION, TAGS, DESCRIPTION, PARAMETERS];

/// BM25's term-frequency saturation.
const K1: f64 = 1.2;

/// Words of a description beyond this many add little but size.
const MAX_DESCRIPTION_WORDS: usize = 200;

/// Deprecated operations still match, a little lower than their replacements.
const DEPRECATED_FACTOR: f64 = 0.8;

/// The index of `api`'s tools, as the text of `src/search_index.tsv`.
pub fn index_text(api: &Api, header: &str) -> String {
    let (docs, terms) = index(api);
    encode(header, &docs, &terms)
}

/// The documents of `api`'s tools, in tool order.
pub fn documents(api: &Api) -> Vec<Doc> {
    api.tools
        .iter()
        .map(|tool| Doc {
            name: tool.name.clone(),
            tags: tool.tags.clone(),
        })
        .collect()
}

/// The index of `api`'s tools: the documents, and each word's weights (hundredths) by operation,
/// sorted by word and operation.
#[allow(clippy::type_complexity)]
pub fn index(api: &Api) -> (Vec<Doc>, Vec<(String, Vec<(u32, u32)>)>) {
    let fields: Vec<[Vec<String>; 7]> = api.tools.iter().map(fields_of).collect();
    let count = fields.len().max(1) as f64;
    let mut average = [0f64; 7];
    for doc in &fields {
        for (slot, words) in average.iter_mut().zip(doc) {
            *slot += words.len() as f64 / count;
        }
    }
    // Term frequency per field, then BM25F's length-normalized, weighted sum.
    let mut weighted: Vec<HashMap<&str, f64>> = Vec::with_capacity(fields.len());
    let mut document_frequency: HashMap<&str, usize> = HashMap::new();
    for doc in &fields {
        let mut sums: HashMap<&str, f64> = HashMap::new();
        for (field, (words, avg)) in FIELDS.iter().zip(doc.iter().zip(average)) {
            if words.is_empty() {
                continue;
            }
            let norm = 1.0 - field.b + field.b * words.len() as f64 / avg.max(1.0);
            for word in words {
                *sums.entry(word.as_str()).or_default() += field.weight / norm;
            }
        }
        for word in sums.keys() {
            *document_frequency.entry(word).or_default() += 1;
        }
        weighted.push(sums);
    }
    let mut terms: BTreeMap<&str, Vec<(u32, u32)>> = BTreeMap::new();
    for (doc, (sums, tool)) in weighted.iter().zip(&api.tools).enumerate() {
        let factor = if tool.deprecated {
            DEPRECATED_FACTOR
        } else {
            1.0
        };
        for (&word, &tf) in sums {
            let df = document_frequency[word] as f64;
            let idf = (1.0 + (count - df + 0.5) / (df + 0.5)).ln();
            let weight = factor * idf * tf * (K1 + 1.0) / (tf + K1);
            let hundredths = (weight * 100.0).round() as u32;
            if hundredths > 0 {
                terms
                    .entry(word)
                    .or_default()
                    .push((doc as u32, hundredths));
            }
        }
    }
    let terms = terms
        .into_iter()
        .map(|(word, mut postings)| {
            postings.sort_unstable();
            (word.to_owned(), postings)
        })
        .collect();
    (documents(api), terms)
}

/// The words of each field of `tool`, in [`FIELDS`] order.
fn fields_of(tool: &Tool) -> [Vec<String>; 7] {
    let mut name = Vec::new();
    words_into(&tool.name, &mut name);
    if let Some(id) = &tool.operation_id
        && id != &tool.name
    {
        words_into(id, &mut name);
    }
    let mut summary = Vec::new();
    if let Some(title) = &tool.title {
        words_into(title, &mut summary);
    }
    let mut path = Vec::new();
    let mut parameters = Vec::new();
    for segment in tool.path.split('/') {
        if segment.starts_with('{') {
            words_into(segment, &mut parameters);
        } else {
            words_into(segment, &mut path);
        }
    }
    let mut action = Vec::new();
    words_into(action_of(tool.method, &tool.path), &mut action);
    let mut tags = Vec::new();
    for tag in &tool.tags {
        words_into(tag, &mut tags);
    }
    let mut description = Vec::new();
    let text = match &tool.title {
        Some(title) => tool
            .description
            .strip_prefix(title.as_str())
            .unwrap_or(&tool.description),
        None => &tool.description,
    };
    words_into(text, &mut description);
    description.truncate(MAX_DESCRIPTION_WORDS);
    for param in &tool.params {
        words_into(&param.wire_name, &mut parameters);
        if let Some(text) = &param.description {
            words_into(text, &mut parameters);
        }
    }
    if let Some(body) = &tool.body
        && let Some(properties) = body.schema.get("properties").and_then(|p| p.as_object())
    {
        for name in properties.keys() {
            words_into(name, &mut parameters);
        }
    }
    parameters.truncate(MAX_DESCRIPTION_WORDS);
    [name, summary, path, action, tags, description, parameters]
}

/// The action an operation's method implies: a GET of a path that ends in a parameter reads one
/// item, any other GET lists or reads a collection.
fn action_of(method: Method, path: &str) -> &'static str {
    let one_item = path.trim_end_matches('/').ends_with('}');
    match method {
        Method::Get | Method::Head if one_item => "get",
        Method::Get | Method::Head => "list",
        Method::Post => "create",
        Method::Put => "update replace",
        Method::Patch => "update",
        Method::Delete => "delete",
        Method::Options | Method::Trace => "",
    }
}
