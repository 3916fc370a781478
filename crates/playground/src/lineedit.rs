//! The terminal's line editor: what readline does for bash. It turns the
//! bytes xterm.js sends for keys into edits of the current line and the
//! escape sequences that redraw it, measuring text in display columns so
//! wide (Korean) characters line up.

use unicode_width::UnicodeWidthChar;

/// Bound on one input line, in characters.
pub const MAX_LINE_CHARS: usize = 64 * 1024;

/// What a key asks of the playground beyond editing the line.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Enter: this line is submitted.
    Submit(String),
    /// Ctrl+C.
    Interrupt,
    /// Ctrl+L.
    ClearScreen,
    /// Tab: complete the word before the cursor (the second Tab in a row
    /// lists the candidates).
    Complete { again: bool },
    /// Ctrl+D on an empty line.
    EndOfInput,
}

#[derive(Clone, Debug, Default)]
pub struct LineEditor {
    chars: Vec<char>,
    cursor: usize,
    /// Position in history while browsing with ↑/↓ (None: the new line).
    browsing: Option<usize>,
    /// The line being typed before browsing started.
    draft: Vec<char>,
    last_was_tab: bool,
    /// Rows the cursor is below the prompt's first row (for redraws).
    cursor_row: usize,
}

fn width(chars: &[char]) -> usize {
    chars.iter().map(|c| c.width().unwrap_or(0)).sum()
}

/// Display width of text that may contain ANSI escapes (the prompt).
pub fn display_width(s: &str) -> usize {
    let mut w = 0;
    let mut esc = false;
    for c in s.chars() {
        if esc {
            if c.is_ascii_alphabetic() {
                esc = false;
            }
            continue;
        }
        if c == '\x1b' {
            esc = true;
            continue;
        }
        w += c.width().unwrap_or(0);
    }
    w
}

impl LineEditor {
    pub fn line(&self) -> String {
        self.chars.iter().collect()
    }

    pub fn cursor_chars(&self) -> usize {
        self.cursor
    }

    /// The text before the cursor.
    pub fn before_cursor(&self) -> String {
        self.chars[..self.cursor].iter().collect()
    }

    /// Replaces the text before the cursor's word with `text` (completion).
    pub fn insert(&mut self, text: &str) {
        for c in text.chars() {
            if self.chars.len() >= MAX_LINE_CHARS {
                break;
            }
            self.chars.insert(self.cursor, c);
            self.cursor += 1;
        }
    }

    /// Forgets the line (after submit or Ctrl+C); the next prompt starts
    /// at row 0.
    pub fn reset(&mut self) {
        self.chars.clear();
        self.cursor = 0;
        self.browsing = None;
        self.draft.clear();
        self.cursor_row = 0;
        self.last_was_tab = false;
    }

    /// The prompt starts a fresh row (after a screen clear or a listing).
    pub fn reset_rows(&mut self) {
        self.cursor_row = 0;
    }

    /// Feeds the bytes of one xterm `onData` event. Edits happen in place;
    /// actions come back in order, each with the line text as it was.
    pub fn feed(&mut self, data: &str, history: &[String]) -> Vec<Action> {
        let mut actions = vec![];
        let mut rest = data;
        while let Some(c) = rest.chars().next() {
            let mut len = c.len_utf8();
            let tab = c == '\t';
            match c {
                '\r' | '\n' => {
                    // A pasted "\r\n" is one Enter.
                    if c == '\r' && rest[1..].starts_with('\n') {
                        len += 1;
                    }
                    actions.push(Action::Submit(self.line()));
                    self.reset();
                }
                '\x7f' | '\x08' => {
                    if self.cursor > 0 {
                        self.cursor -= 1;
                        self.chars.remove(self.cursor);
                    }
                }
                '\x03' => {
                    actions.push(Action::Interrupt);
                    self.reset();
                }
                '\x0c' => actions.push(Action::ClearScreen),
                '\x04' => {
                    if self.chars.is_empty() {
                        actions.push(Action::EndOfInput);
                    } else if self.cursor < self.chars.len() {
                        self.chars.remove(self.cursor);
                    }
                }
                '\t' => actions.push(Action::Complete { again: self.last_was_tab }),
                '\x01' => self.cursor = 0,
                '\x05' => self.cursor = self.chars.len(),
                '\x02' => self.cursor = self.cursor.saturating_sub(1),
                '\x06' => self.cursor = (self.cursor + 1).min(self.chars.len()),
                '\x15' => {
                    self.chars.drain(..self.cursor);
                    self.cursor = 0;
                }
                '\x0b' => self.chars.truncate(self.cursor),
                '\x17' => {
                    let mut start = self.cursor;
                    while start > 0 && self.chars[start - 1] == ' ' {
                        start -= 1;
                    }
                    while start > 0 && self.chars[start - 1] != ' ' {
                        start -= 1;
                    }
                    self.chars.drain(start..self.cursor);
                    self.cursor = start;
                }
                '\x1b' => {
                    let (key, n) = escape(rest);
                    len = n;
                    match key {
                        Key::Up => self.history_step(history, true),
                        Key::Down => self.history_step(history, false),
                        Key::Left => self.cursor = self.cursor.saturating_sub(1),
                        Key::Right => self.cursor = (self.cursor + 1).min(self.chars.len()),
                        Key::Home => self.cursor = 0,
                        Key::End => self.cursor = self.chars.len(),
                        Key::Delete => {
                            if self.cursor < self.chars.len() {
                                self.chars.remove(self.cursor);
                            }
                        }
                        Key::WordLeft => {
                            while self.cursor > 0 && self.chars[self.cursor - 1] == ' ' {
                                self.cursor -= 1;
                            }
                            while self.cursor > 0 && self.chars[self.cursor - 1] != ' ' {
                                self.cursor -= 1;
                            }
                        }
                        Key::WordRight => {
                            while self.cursor < self.chars.len() && self.chars[self.cursor] == ' ' {
                                self.cursor += 1;
                            }
                            while self.cursor < self.chars.len() && self.chars[self.cursor] != ' ' {
                                self.cursor += 1;
                            }
                        }
                        Key::Other => {}
                    }
                }
                c if (c as u32) < 0x20 => {}
                c => self.insert(&c.to_string()),
            }
            self.last_was_tab = tab;
            rest = &rest[len.min(rest.len())..];
        }
        actions
    }

    fn history_step(&mut self, history: &[String], older: bool) {
        if history.is_empty() {
            return;
        }
        let next = match (self.browsing, older) {
            (None, true) => {
                self.draft = self.chars.clone();
                Some(history.len() - 1)
            }
            (None, false) => return,
            (Some(i), true) => Some(i.saturating_sub(1)),
            (Some(i), false) if i + 1 < history.len() => Some(i + 1),
            (Some(_), false) => None,
        };
        self.browsing = next;
        self.chars = match next {
            Some(i) => history[i].chars().collect(),
            None => std::mem::take(&mut self.draft),
        };
        self.cursor = self.chars.len();
    }

    /// Escape sequences that redraw prompt + line on a terminal `cols`
    /// wide, leaving the cursor where the editor's cursor is.
    pub fn redraw(&mut self, prompt: &str, cols: usize) -> String {
        let cols = cols.max(1);
        let mut out = String::new();
        if self.cursor_row > 0 {
            out.push_str(&format!("\x1b[{}A", self.cursor_row));
        }
        out.push_str("\r\x1b[J");
        out.push_str(prompt);
        out.push_str(&self.line());
        let pw = display_width(prompt);
        let total = pw + width(&self.chars);
        let mut end_row = total / cols;
        if total > 0 && total % cols == 0 {
            // The terminal holds the cursor at the last column until the
            // next character; move it to the next row as the editor thinks.
            out.push_str("\r\n");
        } else if total % cols == 0 {
            end_row = 0;
        }
        let at = pw + width(&self.chars[..self.cursor]);
        let (row, col) = (at / cols, at % cols);
        if end_row > row {
            out.push_str(&format!("\x1b[{}A", end_row - row));
        }
        out.push('\r');
        if col > 0 {
            out.push_str(&format!("\x1b[{col}C"));
        }
        self.cursor_row = row;
        out
    }
}

enum Key {
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    Delete,
    WordLeft,
    WordRight,
    Other,
}

/// Reads one escape sequence at the start of `s`: the key and its length.
fn escape(s: &str) -> (Key, usize) {
    let b = s.as_bytes();
    if b.len() < 2 {
        return (Key::Other, b.len());
    }
    if b[1] != b'[' && b[1] != b'O' {
        return match b[1] {
            b'b' => (Key::WordLeft, 2),
            b'f' => (Key::WordRight, 2),
            _ => (Key::Other, 2),
        };
    }
    // CSI: parameters then one final byte in @..~.
    let mut i = 2;
    while i < b.len() && !(0x40..=0x7e).contains(&b[i]) {
        i += 1;
    }
    if i >= b.len() {
        return (Key::Other, b.len());
    }
    let params = &s[2..i];
    let key = match (b[i], params) {
        (b'A', _) => Key::Up,
        (b'B', _) => Key::Down,
        (b'C', "1;5") | (b'C', "1;3") => Key::WordRight,
        (b'D', "1;5") | (b'D', "1;3") => Key::WordLeft,
        (b'C', _) => Key::Right,
        (b'D', _) => Key::Left,
        (b'H', _) => Key::Home,
        (b'F', _) => Key::End,
        (b'~', "1") | (b'~', "7") => Key::Home,
        (b'~', "4") | (b'~', "8") => Key::End,
        (b'~', "3") => Key::Delete,
        _ => Key::Other,
    };
    (key, i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing_keys() {
        let mut e = LineEditor::default();
        let hist = vec!["kubectl get pods".to_string(), "kubectl get nodes".to_string()];
        assert_eq!(e.feed("kubectl get po", &hist), vec![]);
        e.feed("\x1b[D\x1b[D\x7f", &hist); // left, left, backspace
        assert_eq!(e.line(), "kubectl getpo");
        e.feed("\x01X\x05Y", &hist);
        assert_eq!(e.line(), "Xkubectl getpoY");
        e.feed("\x17", &hist);
        assert_eq!(e.line(), "Xkubectl ");
        e.feed("\x1b[A", &hist);
        assert_eq!(e.line(), "kubectl get nodes");
        e.feed("\x1b[A\x1b[A", &hist);
        assert_eq!(e.line(), "kubectl get pods");
        e.feed("\x1b[B\x1b[B", &hist);
        assert_eq!(e.line(), "Xkubectl ", "↓ past the newest entry restores the draft");
        e.feed("\x15한글", &hist);
        assert_eq!(e.feed("\r", &hist), vec![Action::Submit("한글".into())]);
        assert_eq!(e.feed("\t\t\x03", &hist), vec![Action::Complete { again: false }, Action::Complete { again: true }, Action::Interrupt]);
    }

    #[test]
    fn pasted_lines_submit_each() {
        let mut e = LineEditor::default();
        let acts = e.feed("echo a\r\necho b\rec", &[]);
        assert_eq!(acts, vec![Action::Submit("echo a".into()), Action::Submit("echo b".into())]);
        assert_eq!(e.line(), "ec");
    }

    #[test]
    fn redraw_counts_wide_characters_and_wraps() {
        let mut e = LineEditor::default();
        e.feed("한글", &[]);
        // prompt "$ " (2) + 4 columns: cursor at column 6.
        assert_eq!(e.redraw("$ ", 80), "\r\x1b[J$ 한글\r\x1b[6C");
        e.feed("abcd", &[]);
        // 2 + 4 + 4 = 10 columns on a 5-wide terminal: two full rows.
        assert_eq!(e.redraw("$ ", 5), "\r\x1b[J$ 한글abcd\r\n\r");
        e.feed("\x01", &[]);
        assert_eq!(e.redraw("$ ", 5), "\x1b[2A\r\x1b[J$ 한글abcd\r\n\x1b[2A\r\x1b[2C");
    }
}
