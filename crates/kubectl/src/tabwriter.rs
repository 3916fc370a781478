//! Go's text/tabwriter as kubectl configures it (cli-runtime
//! printers/tabwriter.go over liggitt/tabwriter): minwidth 6, tabwidth 4,
//! padding 3, padchar ' ', RememberWidths. Cells are tab-terminated; the
//! text after the last tab of a line is not part of a column. Widths are
//! counted in runes, as Go's utf8.RuneCount does.

#[derive(Clone, Debug)]
pub struct TabWriter {
    pub min_width: usize,
    pub padding: usize,
    lines: Vec<Vec<String>>,
    remembered: Vec<usize>,
    out: String,
}

impl Default for TabWriter {
    fn default() -> Self {
        TabWriter::new(6, 3)
    }
}

impl TabWriter {
    pub fn new(min_width: usize, padding: usize) -> TabWriter {
        TabWriter { min_width, padding, lines: vec![], remembered: vec![], out: String::new() }
    }

    /// Writes text; complete lines are buffered until `flush`.
    pub fn write_line(&mut self, line: &str) {
        self.lines.push(line.split('\t').map(str::to_string).collect());
    }

    /// Writes one line given as cells (the same as joining them with tabs).
    pub fn write_cells(&mut self, cells: Vec<String>) {
        self.lines.push(cells);
    }

    /// Lays out the buffered lines (column blocks as Go's tabwriter forms
    /// them) and appends them to the output.
    pub fn flush(&mut self) {
        let lines = std::mem::take(&mut self.lines);
        self.format(&lines, 0, 0, lines.len());
        // `format` appends; lines are emitted in order by construction.
    }

    /// Clears remembered widths (SetRememberedWidths(nil)).
    pub fn reset_widths(&mut self) {
        self.remembered.clear();
    }

    pub fn take_output(&mut self) -> String {
        std::mem::take(&mut self.out)
    }

    /// Go tabwriter's recursive `format`: lines [line0, line1) with `col` as
    /// the current column; `widths` are the widths of columns left of `col`.
    fn format(&mut self, lines: &[Vec<String>], col: usize, line0: usize, line1: usize) {
        let mut widths: Vec<usize> = vec![];
        self.format_rec(lines, col, line0, line1, &mut widths);
    }

    fn format_rec(&mut self, lines: &[Vec<String>], col: usize, line0: usize, line1: usize, widths: &mut Vec<usize>) {
        let mut this = line0;
        let mut pos = line0;
        while pos < line1 {
            let cells = &lines[pos];
            // A line has a cell in column `col` if col < number of tab-terminated cells.
            if col + 1 < cells.len() {
                // Start of a column block: print the lines above it.
                self.write_lines(lines, widths, this, pos);
                this = pos;
                let mut width = self.min_width;
                let mut discardable = true;
                while pos < line1 {
                    let c = &lines[pos];
                    if col + 1 >= c.len() {
                        break;
                    }
                    let cell = &c[col];
                    let w = if cell.is_ascii() { cell.len() } else { cell.chars().count() } + self.padding;
                    if w > width {
                        width = w;
                    }
                    if w > 0 {
                        discardable = false;
                    }
                    pos += 1;
                }
                let _ = discardable;
                if let Some(r) = self.remembered.get(col) {
                    width = width.max(*r);
                }
                if self.remembered.len() <= col {
                    self.remembered.resize(col + 1, 0);
                }
                self.remembered[col] = width;
                widths.push(width);
                self.format_rec(lines, col + 1, this, pos, widths);
                widths.pop();
                this = pos;
            } else {
                pos += 1;
            }
        }
        self.write_lines(lines, widths, this, line1);
    }

    fn write_lines(&mut self, lines: &[Vec<String>], widths: &[usize], line0: usize, line1: usize) {
        let bytes: usize = lines[line0..line1].iter().map(|c| c.iter().map(String::len).sum::<usize>() + widths.iter().sum::<usize>() + 1).sum();
        self.out.reserve(bytes);
        for cells in &lines[line0..line1] {
            for (j, c) in cells.iter().enumerate() {
                if j + 1 < cells.len() {
                    // A tab-terminated cell: padded to its column's width.
                    self.out.push_str(c);
                    if let Some(&w) = widths.get(j) {
                        let n = if c.is_ascii() { c.len() } else { c.chars().count() };
                        self.out.extend(std::iter::repeat_n(' ', w.saturating_sub(n)));
                    }
                } else {
                    self.out.push_str(c);
                }
            }
            self.out.push('\n');
        }
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
