//! The shell's files: an in-memory tree (the browser's editor tabs are
//! these files; the native CLI can seed it from a directory).

use std::collections::BTreeMap;

/// Bound on one file and on the whole filesystem, to keep hostile input cheap.
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
pub const MAX_TOTAL_BYTES: usize = 64 * 1024 * 1024;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Vfs {
    files: BTreeMap<String, String>,
    dirs: std::collections::BTreeSet<String>,
}

/// Joins `path` onto `cwd` and removes `.`/`..` segments.
pub fn normalize(cwd: &str, path: &str) -> String {
    let joined = if path.starts_with('/') { path.to_string() } else { format!("{cwd}/{path}") };
    let mut parts: Vec<&str> = vec![];
    for p in joined.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

impl Vfs {
    pub fn new() -> Vfs {
        let mut v = Vfs::default();
        for d in ["/", "/root", "/tmp", "/etc"] {
            v.dirs.insert(d.to_string());
        }
        v
    }
    /// Every file, path → content.
    pub fn files(&self) -> &BTreeMap<String, String> {
        &self.files
    }
    pub fn read(&self, path: &str) -> Option<&String> {
        self.files.get(path)
    }
    pub fn is_dir(&self, path: &str) -> bool {
        self.dirs.contains(path)
    }
    fn total(&self) -> usize {
        self.files.values().map(String::len).sum()
    }
    pub fn write(&mut self, path: &str, content: String) -> Result<(), String> {
        if self.dirs.contains(path) {
            return Err(format!("{path}: Is a directory"));
        }
        let parent = path.rsplit_once('/').map(|(p, _)| if p.is_empty() { "/" } else { p }).unwrap_or("/");
        if !self.dirs.contains(parent) {
            return Err(format!("{path}: No such file or directory"));
        }
        if content.len() > MAX_FILE_BYTES || self.total() + content.len() > MAX_TOTAL_BYTES {
            return Err(format!("{path}: File too large"));
        }
        self.files.insert(path.to_string(), content);
        Ok(())
    }
    pub fn append(&mut self, path: &str, content: &str) -> Result<(), String> {
        let mut cur = self.files.get(path).cloned().unwrap_or_default();
        cur.push_str(content);
        self.write(path, cur)
    }
    pub fn remove(&mut self, path: &str) -> bool {
        self.files.remove(path).is_some()
    }
    pub fn mkdir(&mut self, path: &str) {
        let mut cur = String::new();
        for part in path.split('/').filter(|p| !p.is_empty()) {
            cur.push('/');
            cur.push_str(part);
            self.dirs.insert(cur.clone());
        }
    }
    /// Direct children of a directory (full paths), sorted.
    pub fn list(&self, dir: &str) -> Option<Vec<String>> {
        if !self.dirs.contains(dir) {
            return None;
        }
        let prefix = if dir == "/" { "/".to_string() } else { format!("{dir}/") };
        let mut out: Vec<String> = self
            .files
            .keys()
            .chain(self.dirs.iter())
            .filter(|p| p.starts_with(&prefix) && p.len() > prefix.len() && !p[prefix.len()..].contains('/'))
            .cloned()
            .collect();
        apimachinery::sort::sort(&mut out);
        out.dedup();
        Some(out)
    }
}
