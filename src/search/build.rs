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

use super::search_index::{CORE_PREFIX, Doc, encode};
use super::search_text::{identifier_words_into, words_into};
use crate::ir::{Api, Method, Tool};

/// A field of an operation: its weight, how strongly its length is normalized (BM25's `b`), and
/// whether it is one of the short fields that say what the operation is (name, summary, path,
/// resource, action, tags), which are the only ones synonyms match: a synonym found in a long
/// description is more often noise than meaning.
#[derive(Clone, Copy)]
struct Field {
    weight: f64,
    b: f64,
    core: bool,
}

const fn field(weight: f64, b: f64, core: bool) -> Field {
    Field { weight, b, core }
}

const NAME: Field = field(2.0, 0.5, true);
const SUMMARY: Field = field(3.0, 0.5, true);
const PATH: Field = field(1.5, 0.5, true);
/// The resource the operation acts on: the path's last literal segment.
const RESOURCE: Field = field(1.5, 0.0, true);
const ACTION: Field = field(1.5, 0.0, true);
const TAGS: Field = field(1.0, 0.3, true);
const DESCRIPTION: Field = field(0.5, 0.75, false);
const PARAMETERS: Field = field(0.2, 0.75, false);
const FIELDS: [Field; 8] = [
    NAME,
    SUMMARY,
    PATH,
    RESOURCE,
    ACTION,
    TAGS,
    DESCRIPTION,
    PARAMETERS,
];

/// BM25's term-frequency saturation.
const K1: f64 = 1.2;

/// A summary longer than this is a description without a first sentence.
const MAX_SUMMARY_WORDS: usize = 40;

/// Words of a description beyond this many add little but size.
const MAX_DESCRIPTION_WORDS: usize = 200;

/// Deprecated operations still match, a little lower than their replacements.
const DEPRECATED_FACTOR: f64 = 0.8;

/// How much each literal path segment lowers an operation: when a query does not say otherwise,
/// the shallower operation is the likelier one (`/repos/{o}/{r}/branches` over
/// `/repos/{o}/{r}/branches/{b}/protection/restrictions/teams`).
const DEPTH_PENALTY: f64 = 0.1;

/// The index of `api`'s tools, as the text of `src/search_index.tsv`.
pub fn index_text(api: &Api, header: &str) -> String {
    let (docs, terms) = index(api);
    encode(header, &docs, &terms)
}

/// The documents of `api`'s tools, in tool order.
pub fn documents(api: &Api) -> Vec<Doc> {
    api.listed()
        .map(|tool| Doc {
            name: tool.name.clone(),
            tags: tool.tags.clone(),
        })
        .collect()
}

/// The index of `api`'s tools: the documents, and each word's weights (hundredths) by operation,
/// sorted by word and operation. A word's weight over the short fields alone is stored under
/// the word with [`CORE_PREFIX`], for synonyms.
#[allow(clippy::type_complexity)]
pub fn index(api: &Api) -> (Vec<Doc>, Vec<(String, Vec<(u32, u32)>)>) {
    let fields: Vec<[Vec<String>; 8]> = api.listed().map(fields_of).collect();
    let count = fields.len().max(1) as f64;
    let mut average = [0f64; 8];
    for doc in &fields {
        for (slot, words) in average.iter_mut().zip(doc) {
            *slot += words.len() as f64 / count;
        }
    }
    // Term frequency per field, then BM25F's length-normalized, weighted sum: over all fields,
    // and over the core fields alone.
    let mut weighted: Vec<HashMap<&str, (f64, f64)>> = Vec::with_capacity(fields.len());
    let mut document_frequency: HashMap<&str, usize> = HashMap::new();
    for doc in &fields {
        let mut sums: HashMap<&str, (f64, f64)> = HashMap::new();
        for (field, (words, avg)) in FIELDS.iter().zip(doc.iter().zip(average)) {
            let norm = 1.0 - field.b + field.b * words.len() as f64 / avg.max(1.0);
            for word in words {
                let entry = sums.entry(word.as_str()).or_default();
                entry.0 += field.weight / norm;
                if field.core {
                    entry.1 += field.weight / norm;
                }
            }
        }
        for word in sums.keys() {
            *document_frequency.entry(word).or_default() += 1;
        }
        weighted.push(sums);
    }
    let saturated = |tf: f64| tf * (K1 + 1.0) / (tf + K1);
    let mut terms: BTreeMap<String, Vec<(u32, u32)>> = BTreeMap::new();
    for (doc, (sums, tool)) in weighted.iter().zip(api.listed()).enumerate() {
        let depth = tool
            .path
            .split('/')
            .filter(|segment| !segment.is_empty() && !segment.starts_with('{'))
            .count() as f64;
        let deprecated = if tool.deprecated {
            DEPRECATED_FACTOR
        } else {
            1.0
        };
        let factor = deprecated / (1.0 + DEPTH_PENALTY * depth);
        for (&word, &(tf, core)) in sums {
            let df = document_frequency[word] as f64;
            // `libm`'s logarithm is the same on every platform; the standard library's may
            // differ in the last bit, which could flip a rounded weight and so the file.
            let idf = libm::log(1.0 + (count - df + 0.5) / (df + 0.5));
            let mut add = |term: String, tf: f64| {
                let hundredths = (factor * idf * saturated(tf) * 100.0).round() as u32;
                if hundredths > 0 {
                    terms
                        .entry(term)
                        .or_default()
                        .push((doc as u32, hundredths));
                }
            };
            add(word.to_owned(), tf);
            if core > 0.0 {
                add(format!("{CORE_PREFIX}{word}"), core);
            }
        }
    }
    let terms = terms
        .into_iter()
        .map(|(word, mut postings)| {
            postings.sort_unstable();
            (word, postings)
        })
        .collect();
    (documents(api), terms)
}

/// The words of each field of `tool`, in [`FIELDS`] order.
fn fields_of(tool: &Tool) -> [Vec<String>; 8] {
    let mut name = Vec::new();
    identifier_words_into(&tool.name, &mut name);
    if let Some(id) = &tool.operation_id
        && id != &tool.name
    {
        identifier_words_into(id, &mut name);
    }
    // Operations without a summary (Google's discovery-made specs have none) are summed up by
    // their description's first sentence, so they are not judged on long prose alone.
    let (summary_text, rest) = match &tool.title {
        Some(title) => (
            title.as_str(),
            tool.description
                .strip_prefix(title.as_str())
                .unwrap_or(&tool.description),
        ),
        None => split_first_sentence(&tool.description),
    };
    let mut summary = Vec::new();
    words_into(summary_text, &mut summary);
    summary.truncate(MAX_SUMMARY_WORDS);
    let mut path = Vec::new();
    let mut parameters = Vec::new();
    for segment in tool.path.split('/') {
        if segment.starts_with('{') {
            identifier_words_into(segment, &mut parameters);
        } else {
            identifier_words_into(segment, &mut path);
        }
    }
    let mut resource = Vec::new();
    if let Some(last) = tool
        .path
        .split('/')
        .rev()
        .find(|s| !s.is_empty() && !s.starts_with('{'))
    {
        identifier_words_into(last, &mut resource);
    }
    let mut action = Vec::new();
    words_into(action_of(tool.method, &tool.path), &mut action);
    let mut tags = Vec::new();
    for tag in &tool.tags {
        words_into(tag, &mut tags);
    }
    let mut description = Vec::new();
    words_into(rest, &mut description);
    description.truncate(MAX_DESCRIPTION_WORDS);
    for param in &tool.params {
        identifier_words_into(&param.wire_name, &mut parameters);
        if let Some(text) = &param.description {
            words_into(text, &mut parameters);
        }
    }
    if let Some(body) = &tool.body
        && let Some(properties) = body.schema.get("properties").and_then(|p| p.as_object())
    {
        for name in properties.keys() {
            identifier_words_into(name, &mut parameters);
        }
    }
    parameters.truncate(MAX_DESCRIPTION_WORDS);
    [
        name,
        summary,
        path,
        resource,
        action,
        tags,
        description,
        parameters,
    ]
}

/// `text`'s first sentence (or first line), and the rest, without leading white space.
fn split_first_sentence(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    let end = text
        .char_indices()
        .find(|&(at, c)| {
            c == '\n'
                || (matches!(c, '.' | '!' | '?')
                    && text[at + c.len_utf8()..].starts_with(|n: char| n.is_whitespace()))
        })
        .map_or(text.len(), |(at, c)| at + c.len_utf8());
    (&text[..end], &text[end..])
}

/// The action an operation's method implies. REST paths end in a collection (a plural noun:
/// `/pets`, `/instances`), an item (`/pets/{petId}`) or, in RPC-style APIs, a custom method
/// (`/instances/{instance}/start`, `/setMachineType`): a GET of a collection lists, any other
/// GET reads one thing; a POST to a collection creates, a POST to a custom method does what its
/// name says (already in the path's words).
fn action_of(method: Method, path: &str) -> &'static str {
    let last = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let collection = !last.starts_with('{') && last.ends_with('s') && !last.ends_with("ss");
    match method {
        Method::Get | Method::Head if collection || last.is_empty() => "list",
        Method::Get | Method::Head => "get",
        Method::Post if collection || last.is_empty() => "create",
        Method::Post => "",
        Method::Put => "update replace",
        Method::Patch => "update",
        Method::Delete => "delete",
        Method::Options | Method::Trace => "",
    }
}
