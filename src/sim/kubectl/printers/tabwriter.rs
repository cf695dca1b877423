//! Elastic tabstops exactly as Go's `text/tabwriter` lays them out.
//!
//! kubectl prints tables through `tabwriter.NewWriter(out, 6, 4, 3, ' ', ...)` and `describe` through
//! `Init(buf, 0, 8, 2, ' ', 0)`. Go aligns a column only across a *block* of consecutive lines that
//! all have a cell in that column, and never pads the last cell of a line; a line without tabs ends
//! every block. That is why `describe` output shifts its alignment after each `Labels:` section, and
//! reproducing it needs the real algorithm rather than "pad every column to its widest cell".
//!
//! ```text
//! "a\tbb\tc\n"      cells: [a] [bb] (c)     (c) is the trailing cell: never padded
//! "aaa\tb\n"        cells: [aaa] (b)
//! "x\n"             a one-cell line ends the column blocks above it
//! ```

/// One tab-terminated cell (the trailing text of a line is a cell too, but is never padded).
#[derive(Debug, Clone, Default)]
struct Cell {
    text: String,
    /// Width in runes, as Go's `utf8.RuneCount`.
    width: usize,
}

/// A buffering writer; call [`TabWriter::flush`] to get the aligned text.
#[derive(Debug, Clone)]
pub struct TabWriter {
    minwidth: usize,
    padding: usize,
    lines: Vec<Vec<Cell>>,
    cell: String,
    out: String,
}

impl TabWriter {
    /// `minwidth` is the smallest column (text plus padding); `padding` is added to the widest cell.
    pub fn new(minwidth: usize, padding: usize) -> Self {
        TabWriter { minwidth, padding, lines: vec![Vec::new()], cell: String::new(), out: String::new() }
    }

    /// The writer kubectl's table printer uses (`GetNewTabWriter`: minwidth 6, padding 3).
    pub fn for_tables() -> Self {
        TabWriter::new(6, 3)
    }

    /// The writer `kubectl describe` uses (`tabbedString`: minwidth 0, padding 2).
    pub fn for_describe() -> Self {
        TabWriter::new(0, 2)
    }

    /// Buffers text; `\t` ends a cell and `\n` ends a line.
    pub fn write(&mut self, text: &str) {
        for ch in text.chars() {
            match ch {
                '\t' => self.terminate_cell(),
                '\n' => {
                    self.terminate_cell();
                    self.lines.push(Vec::new());
                }
                c => self.cell.push(c),
            }
        }
    }

    fn terminate_cell(&mut self) {
        let text = std::mem::take(&mut self.cell);
        let width = text.chars().count();
        self.current_line().push(Cell { text, width });
    }

    fn current_line(&mut self) -> &mut Vec<Cell> {
        if self.lines.is_empty() {
            self.lines.push(Vec::new());
        }
        let last = self.lines.len() - 1;
        &mut self.lines[last]
    }

    /// Lays out everything buffered so far (column widths start afresh afterwards, like Go's Flush).
    pub fn flush(&mut self) {
        if !self.cell.is_empty() {
            self.terminate_cell();
        }
        let mut widths = Vec::new();
        let n = self.lines.len();
        let mut out = std::mem::take(&mut self.out);
        self.format(&mut widths, 0, n, &mut out);
        self.out = out;
        self.lines = vec![Vec::new()];
    }

    /// Flushes and returns all the text written.
    pub fn finish(mut self) -> String {
        self.flush();
        self.out
    }

    /// Go's `format`: find blocks of lines sharing `column`, fix its width, recurse to the right.
    fn format(&self, widths: &mut Vec<usize>, line0: usize, line1: usize, out: &mut String) {
        let column = widths.len();
        let mut start = line0;
        let mut this = line0;
        while this < line1 {
            if column + 1 >= self.lines[this].len() {
                this += 1;
                continue;
            }
            // The line has a cell in this column: lines before it are complete.
            self.write_lines(widths, start, this, out);
            start = this;
            let mut width = self.minwidth;
            while this < line1 && column + 1 < self.lines[this].len() {
                width = width.max(self.lines[this][column].width + self.padding);
                this += 1;
            }
            widths.push(width);
            self.format(widths, start, this, out);
            widths.pop();
            start = this;
        }
        self.write_lines(widths, start, line1, out);
    }

    fn write_lines(&self, widths: &[usize], line0: usize, line1: usize, out: &mut String) {
        for i in line0..line1 {
            for (j, cell) in self.lines[i].iter().enumerate() {
                out.push_str(&cell.text);
                if let Some(w) = widths.get(j) {
                    out.extend(std::iter::repeat_n(' ', w.saturating_sub(cell.width)));
                }
            }
            // The last buffered line is the unterminated remainder: no newline after it.
            if i + 1 != self.lines.len() {
                out.push('\n');
            }
        }
    }
}

/// Aligns `text` in one go with the table settings.
pub fn align_table(text: &str) -> String {
    let mut w = TabWriter::for_tables();
    w.write(text);
    w.finish()
}

/// Aligns rows of cells as kubectl's table printer does (`kubectl api-resources`, custom tables).
pub fn align(rows: &[Vec<String>]) -> String {
    let mut w = TabWriter::for_tables();
    for row in rows {
        w.write(&row.join("\t"));
        w.write("\n");
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn align_rows() {
        let rows = vec![vec!["NAME".to_string(), "SHORTNAMES".into()], vec!["pods".into(), "po".into()]];
        assert_eq!(align(&rows), "NAME   SHORTNAMES\npods   po\n");
        assert_eq!(align(&[]), "");
    }

    #[test]
    fn table_columns_pad_to_widest_plus_three() {
        let got = align_table("NAME\tREADY\tAGE\nweb-1\t1/1\t5m\nx\t0/1\t10d\n");
        assert_eq!(got, "NAME    READY   AGE\nweb-1   1/1     5m\nx       0/1     10d\n");
    }

    #[test]
    fn minimum_width_applies_to_narrow_columns() {
        // "IP" + padding 3 = 5 < minwidth 6.
        assert_eq!(align_table("IP\tN\na\tb\n"), "IP    N\na     b\n");
    }

    #[test]
    fn last_cell_is_never_padded_and_unicode_counts_runes() {
        let got = align_table("é\tlong-last-cell\nabcd\tx\n");
        assert_eq!(got, "é      long-last-cell\nabcd   x\n");
    }

    #[test]
    fn one_cell_lines_break_column_blocks() {
        let mut w = TabWriter::for_describe();
        w.write("Name:\tweb\nLabels:\tapp=web\n\tx=y\nAnnotations:\t<none>\nStatus\n  a\tb\n  long-key\tc\n");
        let got = w.finish();
        assert_eq!(
            got,
            "Name:         web\nLabels:       app=web\n              x=y\nAnnotations:  <none>\nStatus\n  a         b\n  long-key  c\n"
        );
    }

    #[test]
    fn blocks_follow_go_for_ragged_lines() {
        // The second column only spans the lines that have a third cell.
        let mut w = TabWriter::for_describe();
        w.write("a\tb\tc\naaaa\tbbbbbb\nz\ty\tw\n");
        assert_eq!(w.finish(), "a     b  c\naaaa  bbbbbb\nz     y  w\n");
    }

    #[test]
    fn flush_starts_new_widths_and_keeps_unterminated_text() {
        let mut w = TabWriter::for_describe();
        w.write("very-long-key:\tv\n");
        w.flush();
        w.write("k:\tv\ntail");
        assert_eq!(w.finish(), "very-long-key:  v\nk:  v\ntail");
    }

    #[test]
    fn empty_input_is_empty() {
        assert_eq!(align_table(""), "");
        assert_eq!(align_table("\n"), "\n");
    }
}
