//! Small text helpers of the JSONPath parser: the slice and comparison patterns client-go matches
//! with regular expressions, Go's `%#U`, and quoted-string unquoting.

/// `^(-?[\d]*)(:-?[\d]*)?(:-?[\d]*)?$`, returning the three groups (empty when absent).
pub fn slice_groups(text: &str) -> Option<[String; 3]> {
    let b = text.as_bytes();
    let mut i = 0;
    let take_num = |i: &mut usize| {
        let start = *i;
        if b.get(*i) == Some(&b'-') {
            *i += 1;
        }
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        start
    };
    let s0 = take_num(&mut i);
    let g0 = text[s0..i].to_string();
    let mut groups = [g0, String::new(), String::new()];
    for g in groups.iter_mut().skip(1) {
        if b.get(i) == Some(&b':') {
            let start = i;
            i += 1;
            take_num(&mut i);
            *g = text[start..i].to_string();
        }
    }
    (i == b.len()).then_some(groups)
}

/// `^([^!<>=]+)([!<>=]+)(.+?)$`.
pub fn split_comparison(text: &str) -> Option<(&str, &str, &str)> {
    let is_op = |c: char| matches!(c, '!' | '<' | '>' | '=');
    let op_start = text.find(is_op)?;
    if op_start == 0 {
        return None;
    }
    let op_len = text[op_start..].find(|c: char| !is_op(c)).unwrap_or(text.len() - op_start);
    let right = &text[op_start + op_len..];
    if right.is_empty() {
        return None;
    }
    Some((&text[..op_start], &text[op_start..op_start + op_len], right))
}

/// Go's `%#U`: `U+0023 '#'`.
pub fn go_unicode_verb(r: char) -> String {
    if r.is_control() { format!("U+{:04X}", r as u32) } else { format!("U+{:04X} '{r}'", r as u32) }
}

/// `UnquoteExtend`: `strconv.Unquote` that also accepts single-quoted strings.
pub fn unquote_extend(s: &str) -> Result<String, &'static str> {
    const SYNTAX: &str = "invalid syntax";
    let quote = s.chars().next().ok_or(SYNTAX)?;
    if s.len() < 2 || !s.ends_with(quote) || !matches!(quote, '"' | '\'') {
        return Err(SYNTAX);
    }
    let body = &s[1..s.len() - 1];
    let mut out = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c == quote {
            return Err(SYNTAX);
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next().ok_or(SYNTAX)?;
        let hex = |chars: &mut std::iter::Peekable<std::str::Chars>, n: usize| -> Result<u32, &'static str> {
            let mut v = 0;
            for _ in 0..n {
                v = v * 16 + chars.next().and_then(|c| c.to_digit(16)).ok_or(SYNTAX)?;
            }
            Ok(v)
        };
        match e {
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '\\' => out.push('\\'),
            '\'' | '"' if e == quote => out.push(e),
            'x' => out.push(char::from_u32(hex(&mut chars, 2)?).ok_or(SYNTAX)?),
            'u' => out.push(char::from_u32(hex(&mut chars, 4)?).ok_or(SYNTAX)?),
            'U' => out.push(char::from_u32(hex(&mut chars, 8)?).ok_or(SYNTAX)?),
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    v = v * 8 + chars.next().and_then(|c| c.to_digit(8)).ok_or(SYNTAX)?;
                }
                if v > 255 {
                    return Err(SYNTAX);
                }
                out.push(char::from_u32(v).ok_or(SYNTAX)?);
            }
            _ => return Err(SYNTAX),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_split_on_operators() {
        assert_eq!(split_comparison("@.a==\"b\""), Some(("@.a", "==", "\"b\"")));
        assert_eq!(split_comparison("@.a"), None);
        assert_eq!(split_comparison("=="), None);
        assert_eq!(unquote_extend("'it\\'s'"), Ok("it's".into()));
        assert_eq!(unquote_extend("\"\\u00e9\\t\""), Ok("é\t".into()));
    }

    #[test]
    fn slices_and_verbs() {
        assert_eq!(slice_groups("1:-2:3"), Some(["1".to_string(), ":-2".to_string(), ":3".to_string()]));
        assert_eq!(slice_groups(":"), Some([String::new(), ":".to_string(), String::new()]));
        assert_eq!(slice_groups("a"), None);
        assert_eq!(go_unicode_verb('#'), "U+0023 '#'");
        assert_eq!(go_unicode_verb('\u{7}'), "U+0007");
        assert_eq!(unquote_extend("\"a\"b\""), Err("invalid syntax"));
    }
}
