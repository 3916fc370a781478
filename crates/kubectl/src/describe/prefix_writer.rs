//! The describe output machinery: kubectl's `PrefixWriter`
//! (staging/src/k8s.io/kubectl/pkg/describe/describe.go) and the Go
//! `text/tabwriter` that `tabbedString` wraps around it.
//!
//! `tabbedString` configures the tabwriter with minwidth 0, tabwidth 8,
//! padding 2, padchar ' ' and no flags. That is the plain Go tabwriter,
//! not the `RememberWidths` fork `kubectl get` uses (crate::tabwriter), so
//! a column block's width depends only on the cells of that block. Hence
//! this local writer rather than `crate::tabwriter::TabWriter`, whose
//! remembered widths would leak from one block into the next.

/// Two spaces per level (LEVEL_0 … LEVEL_4).
pub const LEVEL_0: usize = 0;
pub const LEVEL_1: usize = 1;
pub const LEVEL_2: usize = 2;
pub const LEVEL_3: usize = 3;

/// Collects describe text. `write` puts the level's indentation before the
/// (already formatted) text, as `prefixWriter.Write` does; the indentation
/// is added once, at the start, even when the text holds several lines.
#[derive(Default)]
pub struct PrefixWriter {
    text: String,
}

impl PrefixWriter {
    pub fn new() -> PrefixWriter {
        PrefixWriter::default()
    }

    pub fn write(&mut self, level: usize, text: &str) {
        for _ in 0..level {
            self.text.push_str("  ");
        }
        push_escaped(&mut self.text, text);
    }

    /// `WriteLine`: the text and a newline, no indentation.
    pub fn write_line(&mut self, text: &str) {
        push_escaped(&mut self.text, text);
        self.text.push('\n');
    }

    /// The raw text (tabs not expanded), as a PrefixWriter over a plain
    /// buffer produces it (`rollout history --revision`).
    pub fn into_raw(self) -> String {
        self.text
    }

    /// The text laid out by the describe tabwriter (`tabbedString`).
    pub fn into_tabbed(self) -> String {
        tabbed(&self.text)
    }
}

/// cli-runtime printers.WriteEscaped: ESC and CR would let an object's
/// fields drive the user's terminal, so they are shown as `^[` and `\r`.
fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\x1b' => out.push_str("^["),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// Go's text/tabwriter with minwidth 0, padding 2, padchar ' ', flags 0.
///
/// Lines are split into cells at tabs; a cell followed by a tab belongs to
/// a column, the text after a line's last tab does not. A column block is a
/// run of consecutive lines that all have a cell in that column; its width
/// is the widest cell (in runes) plus the padding, and every cell of the
/// block is padded to it. Blocks of column j+1 are found inside each block
/// of column j (tabwriter.go `format`).
pub fn tabbed(text: &str) -> String {
    let mut lines: Vec<Vec<&str>> = text.split('\n').map(|l| l.split('\t').collect()).collect();
    // The text after the final newline is an unterminated last line; an empty
    // one means the text ended with a newline and there is no such line.
    let ends_with_newline = lines.last().is_some_and(|l| l.len() == 1 && l[0].is_empty());
    if ends_with_newline {
        lines.pop();
    }
    let mut out = String::with_capacity(text.len() * 2);
    let mut widths = vec![];
    format_block(&lines, 0, 0, lines.len(), &mut widths, &mut out);
    if !ends_with_newline && out.ends_with('\n') {
        out.pop();
    }
    out
}

const PADDING: usize = 2;

fn format_block(lines: &[Vec<&str>], column: usize, line0: usize, line1: usize, widths: &mut Vec<usize>, out: &mut String) {
    let mut printed_to = line0;
    let mut pos = line0;
    while pos < line1 {
        // Does this line have a tab-terminated cell in `column`?
        if column + 1 >= lines[pos].len() {
            pos += 1;
            continue;
        }
        write_lines(lines, widths, printed_to, pos, out);
        let block_start = pos;
        let mut width = 0;
        while pos < line1 && column + 1 < lines[pos].len() {
            width = width.max(lines[pos][column].chars().count() + PADDING);
            pos += 1;
        }
        widths.push(width);
        format_block(lines, column + 1, block_start, pos, widths, out);
        widths.pop();
        printed_to = pos;
    }
    write_lines(lines, widths, printed_to, line1, out);
}

fn write_lines(lines: &[Vec<&str>], widths: &[usize], line0: usize, line1: usize, out: &mut String) {
    for cells in &lines[line0..line1] {
        for (j, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            // Only tab-terminated cells are padded, never a line's last cell.
            if let Some(w) = widths.get(j).filter(|_| j + 1 < cells.len()) {
                for _ in cell.chars().count()..*w {
                    out.push(' ');
                }
            }
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_tabwriter_blocks() {
        // A line without a tab ends the block; the next block is sized alone.
        let got = tabbed("Name:\tx\nLabels:\ta=b\n\tc=d\nIPs:\n  IP:\t1.2.3.4\nControlled By:\tRS/x\n");
        assert_eq!(got, "Name:    x\nLabels:  a=b\n         c=d\nIPs:\n  IP:           1.2.3.4\nControlled By:  RS/x\n");
        // Trailing tab: the empty last cell still pads the column.
        assert_eq!(tabbed("Status:\t\nIP:\tx\n"), "Status:  \nIP:      x\n");
        // Nested columns only align inside their parent block.
        assert_eq!(tabbed("a\tb\tc\nlonger\tb\nx\n"), "a       b  c\nlonger  b\nx\n");
        // Rune widths, not bytes.
        assert_eq!(tabbed("é\tx\nab\ty\n"), "é   x\nab  y\n");
        // Escaping.
        let mut w = PrefixWriter::new();
        w.write(LEVEL_1, "a\x1b[31m\r\n");
        assert_eq!(w.into_raw(), "  a^[[31m\\r\n");
    }
}
