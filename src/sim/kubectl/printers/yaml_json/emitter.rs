//! A YAML emitter that writes JSON values exactly as go-yaml v2 (behind `sigs.k8s.io/yaml`) does
//! for `kubectl get -o yaml`: block style, two-space indent, sequences flush with their parent key,
//! `{}`/`[]` for empty collections, quoting only when needed, `|`/`|-`/`|+` literals, and plain or
//! quoted scalars folded past column 80.
//!
//! It mirrors the libyaml state the Go code keeps (`column`, `indent`, `whitespace`, `indention`)
//! so spacing decisions fall out the same way instead of being approximated.

use crate::sim::sort::StableSort;
use serde_json::Value;

use super::analysis::analyze;
use super::floats::{go_float_g, go_json_float};
use super::scalars::{needs_quotes_to_stay_string, yaml_key_cmp};

pub(super) const BEST_INDENT: i32 = 2;
pub(super) const BEST_WIDTH: usize = 80;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

#[derive(Clone, Copy, Default)]
pub(super) struct Ctx {
    pub(super) root: bool,
    pub(super) mapping: bool,
    pub(super) simple_key: bool,
}

/// Emitter state, named after libyaml's fields.
pub(super) struct Emitter {
    pub(super) out: String,
    pub(super) column: usize,
    pub(super) indent: i32,
    pub(super) indents: Vec<i32>,
    pub(super) whitespace: bool,
    pub(super) indention: bool,
    pub(super) open_ended: bool,
    pub(super) flow_level: usize,
    pub(super) ctx: Ctx,
}

/// Serializes one document (`yaml.Marshal`), ending with a newline.
pub fn emit_document(v: &Value) -> String {
    let mut e = Emitter {
        out: String::new(),
        column: 0,
        indent: -1,
        indents: Vec::new(),
        whitespace: true,
        indention: true,
        open_ended: false,
        flow_level: 0,
        ctx: Ctx::default(),
    };
    e.node(v, Ctx { root: true, ..Ctx::default() });
    e.write_indent();
    if e.open_ended {
        e.write_indicator("...", true, false, false);
        e.write_indent();
    }
    e.out
}

/// The text and requested style of a JSON scalar, as go-yaml's encoder picks them.
fn scalar_of(v: &Value) -> (String, Style) {
    match v {
        Value::Null => ("null".into(), Style::Plain),
        Value::Bool(b) => (b.to_string(), Style::Plain),
        Value::Number(n) => (number_text(n), Style::Plain),
        Value::String(s) => (s.clone(), string_style(s)),
        other => (other.to_string(), Style::Double),
    }
}

/// A number as it comes out of kubectl's JSON-then-YAML round trip: int64s stay integers; other
/// numbers were float64s, printed by `encoding/json`, re-read by go-yaml (maybe as an integer again)
/// and printed with `FormatFloat(f, 'g', -1, 64)`.
fn number_text(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    let Some(f) = n.as_f64() else { return n.to_string() };
    let json = go_json_float(f);
    if json.parse::<i64>().is_ok() || json.parse::<u64>().is_ok() { json } else { go_float_g(f) }
}

/// `encoder.stringv`: literal for multi-line text, plain unless it would read back as another type.
fn string_style(s: &str) -> Style {
    if s.contains('\n') {
        Style::Literal
    } else if needs_quotes_to_stay_string(s) {
        Style::Double
    } else {
        Style::Plain
    }
}

impl Emitter {
    pub(super) fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    pub(super) fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    pub(super) fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    pub(super) fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    pub(super) fn write_indicator(&mut self, indicator: &str, need_ws: bool, is_ws: bool, is_indention: bool) {
        if need_ws && !self.whitespace {
            self.put(' ');
        }
        for c in indicator.chars() {
            self.put(c);
        }
        self.whitespace = is_ws;
        self.indention = self.indention && is_indention;
        self.open_ended = false;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn node(&mut self, v: &Value, ctx: Ctx) {
        self.ctx = ctx;
        match v {
            Value::Object(m) if !m.is_empty() && self.flow_level == 0 => self.block_mapping(m),
            Value::Array(a) if !a.is_empty() && self.flow_level == 0 => self.block_sequence(a),
            Value::Object(_) => self.empty_flow("{", "}"),
            Value::Array(_) => self.empty_flow("[", "]"),
            scalar => {
                let (text, style) = scalar_of(scalar);
                self.scalar(&text, style);
            }
        }
    }

    fn empty_flow(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.increase_indent(true, false);
        self.flow_level += 1;
        self.flow_level -= 1;
        self.pop_indent();
        self.write_indicator(close, false, false, false);
    }

    fn block_sequence(&mut self, items: &[Value]) {
        let indentless = self.ctx.mapping && !self.indention;
        self.increase_indent(false, indentless);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, Ctx::default());
        }
        self.pop_indent();
    }

    fn block_mapping(&mut self, map: &serde_json::Map<String, Value>) {
        self.increase_indent(false, false);
        let mut keys: Vec<&String> = map.keys().collect();
        keys.stable_sort_by(|a, b| yaml_key_cmp(a, b));
        for key in keys {
            self.write_indent();
            let simple = !analyze(key).multiline && key.len() <= 128;
            let key_style = string_style(key);
            if simple {
                self.ctx = Ctx { mapping: true, simple_key: true, ..Ctx::default() };
                self.scalar(key, key_style);
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.ctx = Ctx { mapping: true, ..Ctx::default() };
                self.scalar(key, key_style);
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(&map[key.as_str()], Ctx { mapping: true, ..Ctx::default() });
        }
        self.pop_indent();
    }

    /// `yaml_emitter_emit_scalar`: choose the style, then write it one indent level deeper.
    fn scalar(&mut self, value: &str, requested: Style) {
        let a = analyze(value);
        let mut style = requested;
        if self.ctx.simple_key && a.multiline {
            style = Style::Double;
        }
        if style == Style::Plain {
            let plain_ok = if self.flow_level > 0 { a.flow_plain_allowed } else { a.block_plain_allowed };
            if !plain_ok || (value.is_empty() && (self.flow_level > 0 || self.ctx.simple_key)) {
                style = Style::Single;
            }
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block_allowed || self.flow_level > 0 || self.ctx.simple_key) {
            style = Style::Double;
        }
        self.increase_indent(true, false);
        let allow_breaks = !self.ctx.simple_key;
        match style {
            Style::Plain => self.write_plain(value, allow_breaks),
            Style::Single => self.write_single(value, allow_breaks),
            Style::Double => self.write_double(value, allow_breaks),
            Style::Literal => self.write_literal(value),
        }
        self.pop_indent();
    }
}
