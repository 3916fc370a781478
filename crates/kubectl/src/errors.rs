//! Error printing as kubectl's cmdutil.CheckErr does
//! (staging/src/k8s.io/kubectl/pkg/cmd/util/helpers.go).

use apimachinery::{ApiError, Reason};

#[derive(Clone, Debug)]
pub enum CmdError {
    /// A Status from the server.
    Api(ApiError),
    /// A Status about a `-f` source: `error when creating "f.yaml": ...`.
    Source { verb: &'static str, source: String, error: ApiError },
    /// A client-side error, printed with `error: `.
    Msg(String),
    /// Printed verbatim (already formatted, several lines).
    Raw(String),
    /// `error: the server doesn't have a resource type "x"`.
    NoResourceType(String),
    UnknownCommand(String),
    /// Several errors, one after another (an aggregate).
    Many(Vec<CmdError>),
}

impl From<ApiError> for CmdError {
    fn from(e: ApiError) -> Self {
        CmdError::Api(e)
    }
}

impl CmdError {
    pub fn msg(s: impl Into<String>) -> CmdError {
        CmdError::Msg(s.into())
    }

    /// What delete, expose and rollout say when given nothing to act on.
    pub fn no_resources() -> CmdError {
        CmdError::Raw(
            "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'".into(),
        )
    }

    /// What kubectl writes to stderr for this error.
    pub fn render(&self) -> String {
        match self {
            CmdError::Api(e) => render_api(e, None),
            CmdError::Source { verb, source, error } => render_api(error, Some((verb, source))),
            CmdError::Msg(m) => {
                let m = if m.starts_with("error: ") { m.clone() } else { format!("error: {m}") };
                with_newline(m)
            }
            CmdError::Raw(s) => with_newline(s.clone()),
            CmdError::NoResourceType(r) => format!("error: the server doesn't have a resource type \"{r}\"\n"),
            CmdError::UnknownCommand(c) => format!("error: unknown command \"{c}\" for \"kubectl\"\n"),
            CmdError::Many(list) => list.iter().map(|e| e.render()).collect(),
        }
    }
}

fn with_newline(mut s: String) -> String {
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

fn render_api(e: &ApiError, source: Option<(&&'static str, &String)>) -> String {
    if e.reason == Reason::Invalid {
        if let Some(d) = &e.details {
            let head = format!("The {} \"{}\" is invalid", d.kind, d.name);
            let mut causes: Vec<String> = vec![];
            for c in &d.causes {
                let s = format!("{}: {}", c.path, c.body());
                if !causes.contains(&s) {
                    causes.push(s);
                }
            }
            return match causes.len() {
                0 => format!("{head}\n"),
                1 => format!("{head}: {}\n", causes[0]),
                _ => {
                    let mut s = format!("{head}: \n");
                    for c in causes {
                        s.push_str(&format!("* {c}\n"));
                    }
                    s
                }
            };
        }
        return format!("The request is invalid: {}\n", e.message);
    }
    let message = match source {
        Some((verb, src)) => format!("error when {verb} \"{src}\": {}", e.message),
        None => e.message.clone(),
    };
    format!("Error from server ({}): {}\n", e.reason.as_str(), message)
}
