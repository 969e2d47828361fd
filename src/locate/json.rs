//! Positions in a JSON text without a full parse: a scanner that walks only the branches leading
//! to wanted pointers and skips everything else byte by byte. A spec is usually JSON, and a YAML
//! parse of a 13 MB JSON spec (which the generic walk needs) takes the better part of a second.

use std::collections::{BTreeMap, HashSet};

use crate::error::pointer_token;

/// The 1-based line and column of each wanted pointer's value; `None` when the text is not
/// well-formed JSON (the caller then falls back to the YAML walk, which reports what it can).
pub fn positions(
    text: &str,
    wanted: &HashSet<String>,
    prefixes: &HashSet<String>,
) -> Option<BTreeMap<String, (usize, usize)>> {
    let mut scan = Scan {
        bytes: text.as_bytes(),
        at: 0,
        wanted,
        prefixes,
        found: BTreeMap::new(),
    };
    let mut path = String::new();
    if wanted.contains("") {
        scan.space();
        scan.found.insert(String::new(), scan.at);
    }
    scan.value(&mut path, true)?;
    Some(line_columns(text, scan.found))
}

struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
    wanted: &'a HashSet<String>,
    prefixes: &'a HashSet<String>,
    /// Byte offsets of the wanted values found.
    found: BTreeMap<String, usize>,
}

/// How deep the scanner follows nesting (serde_json's own limit).
const MAX_DEPTH: usize = 128;

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.space();
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// Reads the value at the cursor; `enter` walks into it (its path leads somewhere wanted),
    /// else it is skipped.
    fn value(&mut self, path: &mut String, enter: bool) -> Option<()> {
        self.space();
        match self.peek()? {
            b'{' | b'[' if !enter => self.skip_nested(),
            b'{' => self.object(path),
            b'[' => self.array(path),
            b'"' => self.string().map(drop),
            _ => {
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    self.at += 1;
                }
                Some(())
            }
        }
    }

    fn object(&mut self, path: &mut String) -> Option<()> {
        self.at += 1;
        self.space();
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(());
        }
        loop {
            self.space();
            let key = self.string()?;
            self.eat(b':')?;
            self.child(path, &pointer_token(&key))?;
            self.space();
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, path: &mut String) -> Option<()> {
        self.at += 1;
        self.space();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(());
        }
        for index in 0usize.. {
            self.child(path, &index.to_string())?;
            self.space();
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
        None
    }

    /// One member or element, under `token`.
    fn child(&mut self, path: &mut String, token: &str) -> Option<()> {
        let parent = path.len();
        path.push('/');
        path.push_str(token);
        self.space();
        if self.wanted.contains(path.as_str()) {
            self.found.entry(path.clone()).or_insert(self.at);
        }
        let enter = self.prefixes.contains(path.as_str());
        let result = self.value(path, enter);
        path.truncate(parent);
        result
    }

    /// A string at the cursor, unescaped.
    fn string(&mut self) -> Option<String> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.at;
        self.at += 1;
        let mut escaped = false;
        loop {
            match self.peek()? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    self.at += 2;
                }
                _ => self.at += 1,
            }
        }
        self.at += 1;
        let raw = std::str::from_utf8(&self.bytes[start..self.at]).ok()?;
        if escaped {
            serde_json::from_str(raw).ok()
        } else {
            Some(raw[1..raw.len() - 1].to_owned())
        }
    }

    /// Skips an object or array whole, strings and all.
    fn skip_nested(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            match self.peek()? {
                b'{' | b'[' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return None;
                    }
                    self.at += 1;
                }
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    self.at += 1;
                    if depth == 0 {
                        return Some(());
                    }
                }
                b'"' => loop {
                    self.at += 1;
                    match self.peek()? {
                        b'"' => {
                            self.at += 1;
                            break;
                        }
                        b'\\' => self.at += 1,
                        _ => {}
                    }
                },
                _ => self.at += 1,
            }
        }
    }
}

/// Byte offsets as 1-based lines and (character) columns, in one pass over the text.
fn line_columns(text: &str, found: BTreeMap<String, usize>) -> BTreeMap<String, (usize, usize)> {
    let mut offsets: Vec<usize> = found.values().copied().collect();
    offsets.sort_unstable();
    offsets.dedup();
    let mut at = HashSet::new();
    let mut positions = Vec::with_capacity(offsets.len());
    let (mut line, mut line_start, mut scanned) = (1, 0, 0);
    for offset in offsets {
        let offset = offset.min(text.len());
        for (i, byte) in text.as_bytes()[scanned..offset].iter().enumerate() {
            if *byte == b'\n' {
                line += 1;
                line_start = scanned + i + 1;
            }
        }
        scanned = offset;
        let column = text
            .get(line_start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        positions.push((offset, (line, column)));
        at.insert(offset);
    }
    let by_offset: std::collections::HashMap<usize, (usize, usize)> =
        positions.into_iter().collect();
    found
        .into_iter()
        .filter_map(|(pointer, offset)| Some((pointer, *by_offset.get(&offset.min(text.len()))?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str, pointers: &[&str]) -> Option<BTreeMap<String, (usize, usize)>> {
        let wanted: HashSet<String> = pointers.iter().map(|p| (*p).to_owned()).collect();
        positions(text, &wanted, &super::super::prefixes(pointers))
    }

    #[test]
    fn finds_values_through_objects_arrays_and_escapes() {
        let text = "{\n  \"a\": {\"b~c\": [1, {\"x\": \"é\\\"\"}, {\"y\": true}]},\n  \"s\": \"{[\\\"\"\n}";
        let found = find(text, &["/a/b~0c/2/y", "/s", "/a/b~0c/1/x", "/missing"]).unwrap();
        assert_eq!(found["/a/b~0c/2/y"], (2, 40));
        assert_eq!(found["/a/b~0c/1/x"], (2, 26));
        assert_eq!(found["/s"], (3, 8));
        assert!(!found.contains_key("/missing"));
    }

    #[test]
    fn agrees_with_the_yaml_walk() {
        let text = "{\"paths\": {\"/p/{id}\": {\"get\": {\"responses\": {\"200\": {\"description\": \"ok\"}}}}},\n \"info\": {\"title\": \"t\"}}";
        let pointers = ["/paths/~1p~1{id}/get/responses/200", "/info/title"];
        let fast = find(text, &pointers).unwrap();
        let wanted: Vec<String> = pointers.iter().map(|p| (*p).to_owned()).collect();
        // The generic walk, on the same text read as YAML.
        let yaml = format!("# comment\n{text}");
        let slow = super::super::positions(&yaml, &wanted);
        for pointer in pointers {
            let (line, column) = fast[pointer];
            assert_eq!(slow[pointer], (line + 1, column), "{pointer}");
        }
    }

    #[test]
    fn broken_json_gives_up() {
        assert!(find("{\"a\": [1, 2}", &["/a/1"]).is_none());
        assert!(find("{\"a\": \"unterminated", &["/a"]).is_none());
    }
}
