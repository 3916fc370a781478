//! A scenario is everything needed to rebuild a session exactly: the
//! cluster profile, the seed, and the ordered log of what the learner did
//! with the simulated instant of each step. Determinism makes a replay
//! exact. A share link carries it compressed in the URL fragment.
//!
//! Links are untrusted input: every limit is checked and the whole
//! scenario validated before anything is applied, so a bad link starts a
//! clean cluster instead of a half-applied one.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

/// The scenario format this build writes and reads. Links name it; a link
/// from a newer format is refused with a message, never guessed at.
pub const FORMAT_VERSION: u32 = 1;
/// Bound on a link's fragment (characters after `#`).
pub const MAX_LINK_CHARS: usize = 256 * 1024;
/// Bound on the decompressed scenario (a zip bomb stops here).
pub const MAX_SCENARIO_BYTES: usize = 4 * 1024 * 1024;
/// Bound on log entries.
pub const MAX_ENTRIES: usize = 20_000;
/// Bound on simulated time a scenario covers: one day (a replay of it
/// takes well under a second).
pub const MAX_SPAN_NS: i64 = 86_400 * 1_000_000_000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub version: u32,
    pub profile: String,
    pub seed: u64,
    pub entries: Vec<Entry>,
    /// Nanoseconds of simulated time since boot the session had reached
    /// when it was saved.
    pub end_ns: i64,
}

/// One thing the learner did, `at_ns` nanoseconds of simulated time after
/// boot (exact: a command typed ahead starts the instant the one before
/// it ends).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Entry {
    /// A command line typed at the terminal (or run by a button).
    Run { at_ns: i64, line: String },
    /// Ctrl+C on the running command.
    Interrupt { at_ns: i64 },
    /// An editor tab saved into the shell's filesystem.
    Write { at_ns: i64, path: String, content: String },
}

impl Entry {
    pub fn at_ns(&self) -> i64 {
        match self {
            Entry::Run { at_ns, .. } | Entry::Interrupt { at_ns } | Entry::Write { at_ns, .. } => *at_ns,
        }
    }
}

/// Why a link could not be opened. The message is shown to the user.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkError(pub String);

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Scenario {
    pub fn new(profile: &str, seed: u64) -> Scenario {
        Scenario { version: FORMAT_VERSION, profile: profile.to_string(), seed, entries: vec![], end_ns: 0 }
    }

    /// The URL fragment (without `#`): `v1.` then the JSON scenario,
    /// deflated and base64url-encoded.
    pub fn to_fragment(&self) -> String {
        let json = serde_json::to_vec(self).expect("a scenario always serialises");
        let packed = miniz_oxide::deflate::compress_to_vec(&json, 9);
        format!("v{}.{}", self.version, URL_SAFE_NO_PAD.encode(packed))
    }

    /// Reads a fragment (with or without `#`), checking every limit.
    pub fn from_fragment(fragment: &str, known_profile: impl Fn(&str) -> bool) -> Result<Scenario, LinkError> {
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        if fragment.len() > MAX_LINK_CHARS {
            return Err(LinkError(format!("the link is too long ({} characters; the limit is {MAX_LINK_CHARS})", fragment.len())));
        }
        let Some((version, data)) = fragment.split_once('.') else {
            return Err(LinkError("the link is not a kubeplay scenario".into()));
        };
        let version: u32 = version.strip_prefix('v').and_then(|v| v.parse().ok()).ok_or_else(|| LinkError("the link is not a kubeplay scenario".into()))?;
        if version > FORMAT_VERSION {
            return Err(LinkError(format!("the link was made by a newer kubeplay (scenario format {version}; this one reads up to {FORMAT_VERSION})")));
        }
        let packed = URL_SAFE_NO_PAD.decode(data).map_err(|_| LinkError("the link is damaged (it is not valid base64url)".into()))?;
        let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_SCENARIO_BYTES).map_err(|e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => LinkError(format!("the link's scenario is larger than {} MiB", MAX_SCENARIO_BYTES / (1024 * 1024))),
            _ => LinkError("the link is damaged (its data does not decompress)".into()),
        })?;
        let scenario: Scenario = serde_json::from_slice(&json).map_err(|e| LinkError(format!("the link is damaged (bad scenario: {e})")))?;
        scenario.validate(known_profile)?;
        Ok(scenario)
    }

    /// Checks a scenario from outside before any of it is applied.
    pub fn validate(&self, known_profile: impl Fn(&str) -> bool) -> Result<(), LinkError> {
        if self.version > FORMAT_VERSION {
            return Err(LinkError(format!("the scenario was made by a newer kubeplay (format {}; this one reads up to {FORMAT_VERSION})", self.version)));
        }
        if !known_profile(&self.profile) {
            return Err(LinkError(format!("the scenario names an unknown cluster profile {:?}", self.profile)));
        }
        if self.entries.len() > MAX_ENTRIES {
            return Err(LinkError(format!("the scenario has too many steps ({}; the limit is {MAX_ENTRIES})", self.entries.len())));
        }
        let mut last = 0;
        for e in &self.entries {
            let at = e.at_ns();
            if at < last || at > MAX_SPAN_NS {
                return Err(LinkError("the scenario's steps are out of order".into()));
            }
            last = at;
            match e {
                Entry::Run { line, .. } if line.len() > 64 * 1024 || line.contains('\0') => return Err(LinkError("the scenario has an invalid command line".into())),
                Entry::Write { path, content, .. } if !path.starts_with('/') || path.len() > 4096 || content.len() > 3 * 1024 * 1024 => {
                    return Err(LinkError("the scenario has an invalid file".into()));
                }
                _ => {}
            }
        }
        if self.end_ns < last || self.end_ns > MAX_SPAN_NS {
            return Err(LinkError("the scenario's steps are out of order".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(p: &str) -> bool {
        p == "kubeadm"
    }

    #[test]
    fn round_trip_and_size() {
        let mut s = Scenario::new("kubeadm", 7);
        s.entries.push(Entry::Run { at_ns: 1_000_000_000, line: "kubectl run nginx --image=nginx".into() });
        s.entries.push(Entry::Interrupt { at_ns: 2_000_000_000 });
        s.end_ns = 20_000_000_000;
        let f = s.to_fragment();
        assert!(f.starts_with("v1."), "{f}");
        assert!(f.len() < 200, "{} chars: {f}", f.len());
        assert_eq!(Scenario::from_fragment(&format!("#{f}"), known), Ok(s));
    }

    #[test]
    fn hostile_links_are_refused_with_a_reason() {
        let bomb = {
            let zeros = vec![b' '; 64 * 1024 * 1024];
            format!("v1.{}", URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&zeros, 9)))
        };
        let pack = |json: &str| format!("v1.{}", URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9)));
        let cases = [
            ("", "the link is not a kubeplay scenario"),
            ("hello", "the link is not a kubeplay scenario"),
            ("v2.AAAA", "the link was made by a newer kubeplay (scenario format 2; this one reads up to 1)"),
            ("v1.@@@", "the link is damaged (it is not valid base64url)"),
            ("v1.AAAAAAAA", "the link is damaged (its data does not decompress)"),
            (bomb.as_str(), "the link's scenario is larger than 4 MiB"),
            (&pack("{}"), "the link is damaged (bad scenario: missing field `version` at line 1 column 2)"),
            (&pack(r#"{"version":1,"profile":"vms","seed":1,"entries":[],"end_ns":0}"#), "the scenario names an unknown cluster profile \"vms\""),
            (&pack(r#"{"version":1,"profile":"kubeadm","seed":1,"entries":[{"op":"interrupt","at_ns":5},{"op":"interrupt","at_ns":4}],"end_ns":9}"#), "the scenario's steps are out of order"),
            (&pack(r#"{"version":1,"profile":"kubeadm","seed":1,"entries":[{"op":"write","at_ns":5,"path":"x","content":""}],"end_ns":9}"#), "the scenario has an invalid file"),
        ];
        for (link, want) in cases {
            assert_eq!(Scenario::from_fragment(link, known), Err(LinkError(want.into())), "link {:.40}", link);
        }
        let long = "v1.".to_string() + &"A".repeat(MAX_LINK_CHARS);
        assert!(Scenario::from_fragment(&long, known).unwrap_err().0.starts_with("the link is too long"));
    }
}
