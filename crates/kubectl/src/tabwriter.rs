//! Go's text/tabwriter as kubectl configures it (cli-runtime
//! printers/tabwriter.go over liggitt/tabwriter): minwidth 6, tabwidth 4,
//! padding 3, padchar ' ', RememberWidths. Cells are tab-terminated; the
//! text after the last tab of a line is not part of a column. Widths are
//! counted in runes, as Go's utf8.RuneCount does.
//!
//! Buffered cells live in one flat text buffer (no String per cell): a
//! 10,000-row table is ~60,000 cells, and a cell's width is measured once,
//! when it is written.

#[derive(Clone, Debug)]
pub struct TabWriter {
    pub min_width: usize,
    pub padding: usize,
    /// The text of every buffered cell, back to back.
    text: String,
    /// Per buffered cell: where its text ends in `text`, and its width in runes.
    cells: Vec<CellSpan>,
    /// Per buffered line: where its cells end in `cells`.
    lines: Vec<usize>,
    remembered: Vec<usize>,
    out: String,
}

#[derive(Clone, Copy, Debug)]
struct CellSpan {
    end: usize,
    width: usize,
}

impl Default for TabWriter {
    fn default() -> Self {
        TabWriter::new(6, 3)
    }
}

/// Go's utf8.RuneCountInString.
fn rune_count(s: &str) -> usize {
    if s.is_ascii() { s.len() } else { s.chars().count() }
}

impl TabWriter {
    pub fn new(min_width: usize, padding: usize) -> TabWriter {
        TabWriter { min_width, padding, text: String::new(), cells: vec![], lines: vec![], remembered: vec![], out: String::new() }
    }

    /// Writes text; complete lines are buffered until `flush`.
    pub fn write_line(&mut self, line: &str) {
        for cell in line.split('\t') {
            self.push_cell(cell);
        }
        self.end_line();
    }

    /// Writes one line given as cells (the same as joining them with tabs).
    pub fn write_cells(&mut self, cells: Vec<String>) {
        for c in &cells {
            self.push_cell(c);
        }
        self.end_line();
    }

    /// Appends one cell to the current line.
    pub fn push_cell(&mut self, cell: &str) {
        self.text.push_str(cell);
        self.cells.push(CellSpan { end: self.text.len(), width: rune_count(cell) });
    }

    /// Appends one cell whose text `fill` writes into the given buffer (it
    /// must only append).
    pub fn push_cell_with(&mut self, fill: impl FnOnce(&mut String)) {
        let start = self.text.len();
        fill(&mut self.text);
        let width = rune_count(&self.text[start..]);
        self.cells.push(CellSpan { end: self.text.len(), width });
    }

    /// Ends the current line (its cells are those pushed since the last end).
    pub fn end_line(&mut self) {
        self.lines.push(self.cells.len());
    }

    /// Lays out the buffered lines (column blocks as Go's tabwriter forms
    /// them) and appends them to the output.
    pub fn flush(&mut self) {
        let mut out = std::mem::take(&mut self.out);
        self.flush_into(&mut out);
        self.out = out;
    }

    /// `flush`, appending the layout to `out` instead of the writer's own
    /// output buffer.
    pub fn flush_into(&mut self, out: &mut String) {
        let mut widths: Vec<usize> = vec![];
        let n = self.lines.len();
        let (min_width, padding) = (self.min_width, self.padding);
        let buf = Buffered { text: &self.text, cells: &self.cells, lines: &self.lines };
        out.reserve(buf.text.len() + n * 16);
        format_rec(&buf, min_width, padding, &mut self.remembered, out, 0, 0, n, &mut widths);
        self.text.clear();
        self.cells.clear();
        self.lines.clear();
    }

    /// Clears remembered widths (SetRememberedWidths(nil)).
    pub fn reset_widths(&mut self) {
        self.remembered.clear();
    }

    pub fn take_output(&mut self) -> String {
        std::mem::take(&mut self.out)
    }
}

/// The buffered lines, borrowed for layout.
struct Buffered<'a> {
    text: &'a str,
    cells: &'a [CellSpan],
    lines: &'a [usize],
}

impl Buffered<'_> {
    /// The cells of line `i`, as indices into `cells`.
    fn line(&self, i: usize) -> std::ops::Range<usize> {
        let start = if i == 0 { 0 } else { self.lines[i - 1] };
        start..self.lines[i]
    }
    fn cell_text(&self, c: usize) -> &str {
        let start = if c == 0 { 0 } else { self.cells[c - 1].end };
        &self.text[start..self.cells[c].end]
    }
}

/// Go tabwriter's recursive `format`: lines [line0, line1) with `col` as
/// the current column; `widths` are the widths of columns left of `col`.
#[allow(clippy::too_many_arguments)]
fn format_rec(
    buf: &Buffered,
    min_width: usize,
    padding: usize,
    remembered: &mut Vec<usize>,
    out: &mut String,
    col: usize,
    line0: usize,
    line1: usize,
    widths: &mut Vec<usize>,
) {
    let mut this = line0;
    let mut pos = line0;
    while pos < line1 {
        // A line has a cell in column `col` if col < number of tab-terminated cells.
        if col + 1 < buf.line(pos).len() {
            // Start of a column block: print the lines above it.
            write_lines(buf, widths, out, this, pos);
            this = pos;
            let mut width = min_width;
            while pos < line1 {
                let cells = buf.line(pos);
                if col + 1 >= cells.len() {
                    break;
                }
                let w = buf.cells[cells.start + col].width + padding;
                if w > width {
                    width = w;
                }
                pos += 1;
            }
            if let Some(r) = remembered.get(col) {
                width = width.max(*r);
            }
            if remembered.len() <= col {
                remembered.resize(col + 1, 0);
            }
            remembered[col] = width;
            widths.push(width);
            format_rec(buf, min_width, padding, remembered, out, col + 1, this, pos, widths);
            widths.pop();
            this = pos;
        } else {
            pos += 1;
        }
    }
    write_lines(buf, widths, out, this, line1);
}

const SPACES: &str = "                                                                ";

fn write_lines(buf: &Buffered, widths: &[usize], out: &mut String, line0: usize, line1: usize) {
    for i in line0..line1 {
        let cells = buf.line(i);
        let last = cells.end.saturating_sub(1);
        for c in cells.clone() {
            out.push_str(buf.cell_text(c));
            if c != last {
                // A tab-terminated cell: padded to its column's width.
                if let Some(&w) = widths.get(c - cells.start) {
                    let mut pad = w.saturating_sub(buf.cells[c].width);
                    while pad > 0 {
                        let n = pad.min(SPACES.len());
                        out.push_str(&SPACES[..n]);
                        pad -= n;
                    }
                }
            }
        }
        out.push('\n');
    }
}

/// Lays out a whole table at once (one flush).
pub fn layout(lines: &[String]) -> String {
    let mut tw = TabWriter::default();
    for l in lines {
        tw.write_line(l);
    }
    tw.flush();
    tw.take_output()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn kubectl_layout() {
        let out = layout(&["NAME\tREADY\tSTATUS\tRESTARTS\tAGE".into(), "nginx\t1/1\tRunning\t0\t5m".into()]);
        assert_eq!(out, "NAME    READY   STATUS    RESTARTS   AGE\nnginx   1/1     Running   0          5m\n");
        // Empty cells are padded; short columns are at least 6 wide.
        let out = layout(&["A\tB\tC".into(), "\tx\ty".into()]);
        assert_eq!(out, "A     B     C\n      x     y\n");
    }
}
