//! A JMESPath evaluator over `serde_json::Value`, for `--query` as in the AWS CLI.
//!
//! Supported: identifiers (plain and quoted), sub-expressions, index and slice, list and object
//! wildcard projections, flatten, filter projections with comparators, `&&`, `||`, `!`,
//! parentheses, raw strings, JSON literals, `@`, pipes, multi-select lists and hashes, and the
//! built-in functions listed in [`call`].

use std::cmp::Ordering;

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Quoted(String),
    Literal(Value),
    Number(i64),
    Dot,
    Star,
    Flatten,
    Filter,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    LParen,
    RParen,
    Comma,
    Colon,
    Pipe,
    Or,
    And,
    Not,
    Amp,
    At,
    Cmp(CmpOp),
    Eof,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone)]
enum Ast {
    Identity,
    Field(String),
    Sub(Box<Ast>, Box<Ast>),
    Index(i64),
    Slice(Option<i64>, Option<i64>, Option<i64>),
    ListProj(Box<Ast>, Box<Ast>),
    ValueProj(Box<Ast>, Box<Ast>),
    FilterProj(Box<Ast>, Box<Ast>, Box<Ast>),
    Flatten(Box<Ast>),
    MultiList(Vec<Ast>),
    MultiHash(Vec<(String, Ast)>),
    Literal(Value),
    Pipe(Box<Ast>, Box<Ast>),
    Or(Box<Ast>, Box<Ast>),
    And(Box<Ast>, Box<Ast>),
    Not(Box<Ast>),
    Cmp(CmpOp, Box<Ast>, Box<Ast>),
    Func(String, Vec<Ast>),
    ExpRef(Box<Ast>),
}

/// A parsed expression.
#[derive(Debug, Clone)]
pub(crate) struct Query(Ast);

impl Query {
    /// Parses an expression.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let toks = lex(text)?;
        let mut p = Parser { toks, pos: 0 };
        let ast = p.expr(0)?;
        if p.peek() != &Tok::Eof {
            return Err(format!("unexpected token {:?} in query", p.peek()));
        }
        Ok(Self(ast))
    }

    /// Evaluates against `data`.
    pub(crate) fn search(&self, data: &Value) -> Result<Value, String> {
        eval(&self.0, data)
    }
}

fn lex(s: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    let err = |what: &str, at: usize| Err(format!("invalid query at character {at}: {what}"));
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '.' => {
                out.push(Tok::Dot);
                i += 1;
            }
            '*' => {
                out.push(Tok::Star);
                i += 1;
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            ':' => {
                out.push(Tok::Colon);
                i += 1;
            }
            ']' => {
                out.push(Tok::RBracket);
                i += 1;
            }
            '{' => {
                out.push(Tok::LBrace);
                i += 1;
            }
            '}' => {
                out.push(Tok::RBrace);
                i += 1;
            }
            '(' => {
                out.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1;
            }
            '@' => {
                out.push(Tok::At);
                i += 1;
            }
            '[' => {
                if chars.get(i + 1) == Some(&']') {
                    out.push(Tok::Flatten);
                    i += 2;
                } else if chars.get(i + 1) == Some(&'?') {
                    out.push(Tok::Filter);
                    i += 2;
                } else {
                    out.push(Tok::LBracket);
                    i += 1;
                }
            }
            '|' => {
                if chars.get(i + 1) == Some(&'|') {
                    out.push(Tok::Or);
                    i += 2;
                } else {
                    out.push(Tok::Pipe);
                    i += 1;
                }
            }
            '&' => {
                if chars.get(i + 1) == Some(&'&') {
                    out.push(Tok::And);
                    i += 2;
                } else {
                    out.push(Tok::Amp);
                    i += 1;
                }
            }
            '!' => {
                if chars.get(i + 1) == Some(&'=') {
                    out.push(Tok::Cmp(CmpOp::Ne));
                    i += 2;
                } else {
                    out.push(Tok::Not);
                    i += 1;
                }
            }
            '=' => {
                if chars.get(i + 1) == Some(&'=') {
                    out.push(Tok::Cmp(CmpOp::Eq));
                    i += 2;
                } else {
                    return err("'=' (use '==')", i);
                }
            }
            '<' | '>' => {
                let eq = chars.get(i + 1) == Some(&'=');
                out.push(Tok::Cmp(match (c, eq) {
                    ('<', false) => CmpOp::Lt,
                    ('<', true) => CmpOp::Le,
                    ('>', false) => CmpOp::Gt,
                    _ => CmpOp::Ge,
                }));
                i += if eq { 2 } else { 1 };
            }
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return err("unterminated raw string", i),
                        Some('\\') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&ch) => {
                            s.push(ch);
                            i += 1;
                        }
                    }
                }
                out.push(Tok::Literal(Value::String(s)));
            }
            '`' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return err("unterminated literal", i),
                        Some('\\') if chars.get(i + 1) == Some(&'`') => {
                            s.push('`');
                            i += 2;
                        }
                        Some('`') => {
                            i += 1;
                            break;
                        }
                        Some(&ch) => {
                            s.push(ch);
                            i += 1;
                        }
                    }
                }
                let v = serde_json::from_str(s.trim())
                    .map_err(|e| format!("invalid JSON literal `{s}`: {e}"))?;
                out.push(Tok::Literal(v));
            }
            '"' => {
                let start = i;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if i >= chars.len() {
                    return err("unterminated quoted identifier", start);
                }
                let raw: String = chars[start..=i].iter().collect();
                i += 1;
                let v: String = serde_json::from_str(&raw)
                    .map_err(|e| format!("invalid quoted identifier {raw}: {e}"))?;
                out.push(Tok::Quoted(v));
            }
            '-' | '0'..='9' => {
                let start = i;
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                out.push(Tok::Number(
                    text.parse().map_err(|_| format!("invalid number {text}"))?,
                ));
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push(Tok::Ident(chars[start..i].iter().collect()));
            }
            other => return err(&format!("unexpected character {other:?}"), i),
        }
    }
    out.push(Tok::Eof);
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

fn bp(t: &Tok) -> u8 {
    match t {
        Tok::Pipe => 1,
        Tok::Or => 2,
        Tok::And => 3,
        Tok::Cmp(_) => 5,
        Tok::Flatten => 9,
        Tok::Star => 20,
        Tok::Filter => 21,
        Tok::Dot => 40,
        Tok::Not => 45,
        Tok::LBrace => 50,
        Tok::LBracket => 55,
        Tok::LParen => 60,
        _ => 0,
    }
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.toks.get(self.pos).unwrap_or(&Tok::Eof)
    }
    fn peek2(&self) -> &Tok {
        self.toks.get(self.pos + 1).unwrap_or(&Tok::Eof)
    }
    fn next(&mut self) -> Tok {
        let t = self.peek().clone();
        self.pos += 1;
        t
    }
    fn expect(&mut self, t: &Tok) -> Result<(), String> {
        let got = self.next();
        if &got == t {
            Ok(())
        } else {
            Err(format!("expected {t:?}, found {got:?}"))
        }
    }

    fn expr(&mut self, rbp: u8) -> Result<Ast, String> {
        let t = self.next();
        let mut left = self.nud(t)?;
        while rbp < bp(self.peek()) {
            let t = self.next();
            left = self.led(left, t)?;
        }
        Ok(left)
    }

    fn nud(&mut self, t: Tok) -> Result<Ast, String> {
        Ok(match t {
            Tok::Ident(name) => {
                if self.peek() == &Tok::LParen {
                    self.next();
                    self.call(name)?
                } else {
                    Ast::Field(name)
                }
            }
            Tok::Quoted(name) => Ast::Field(name),
            Tok::Literal(v) => Ast::Literal(v),
            Tok::At => Ast::Identity,
            Tok::Star => Ast::ValueProj(Box::new(Ast::Identity), Box::new(self.proj_rhs(20)?)),
            Tok::Filter => self.filter(Ast::Identity)?,
            Tok::Flatten => Ast::ListProj(
                Box::new(Ast::Flatten(Box::new(Ast::Identity))),
                Box::new(self.proj_rhs(9)?),
            ),
            Tok::LBracket => match self.peek() {
                Tok::Number(_) | Tok::Colon => self.index(Ast::Identity)?,
                Tok::Star if self.peek2() == &Tok::RBracket => {
                    self.next();
                    self.next();
                    Ast::ListProj(Box::new(Ast::Identity), Box::new(self.proj_rhs(20)?))
                }
                _ => self.multi_list()?,
            },
            Tok::LBrace => self.multi_hash()?,
            Tok::Not => Ast::Not(Box::new(self.expr(45)?)),
            Tok::LParen => {
                let e = self.expr(0)?;
                self.expect(&Tok::RParen)?;
                e
            }
            Tok::Amp => Ast::ExpRef(Box::new(self.expr(0)?)),
            other => return Err(format!("unexpected token {other:?} in query")),
        })
    }

    fn led(&mut self, left: Ast, t: Tok) -> Result<Ast, String> {
        Ok(match t {
            Tok::Dot => {
                if self.peek() == &Tok::Star {
                    self.next();
                    Ast::ValueProj(Box::new(left), Box::new(self.proj_rhs(20)?))
                } else {
                    Ast::Sub(Box::new(left), Box::new(self.dot_rhs()?))
                }
            }
            Tok::LBracket => match self.peek() {
                Tok::Number(_) | Tok::Colon => self.index(left)?,
                Tok::Star => {
                    self.next();
                    self.expect(&Tok::RBracket)?;
                    Ast::ListProj(Box::new(left), Box::new(self.proj_rhs(20)?))
                }
                other => return Err(format!("unexpected {other:?} after '['")),
            },
            Tok::Flatten => Ast::ListProj(
                Box::new(Ast::Flatten(Box::new(left))),
                Box::new(self.proj_rhs(9)?),
            ),
            Tok::Filter => self.filter(left)?,
            Tok::Pipe => Ast::Pipe(Box::new(left), Box::new(self.expr(1)?)),
            Tok::Or => Ast::Or(Box::new(left), Box::new(self.expr(2)?)),
            Tok::And => Ast::And(Box::new(left), Box::new(self.expr(3)?)),
            Tok::Cmp(op) => Ast::Cmp(op, Box::new(left), Box::new(self.expr(5)?)),
            other => return Err(format!("unexpected token {other:?} in query")),
        })
    }

    fn dot_rhs(&mut self) -> Result<Ast, String> {
        match self.next() {
            Tok::Ident(name) => {
                if self.peek() == &Tok::LParen {
                    self.next();
                    self.call(name)
                } else {
                    Ok(Ast::Field(name))
                }
            }
            Tok::Quoted(name) => Ok(Ast::Field(name)),
            Tok::LBracket => self.multi_list(),
            Tok::LBrace => self.multi_hash(),
            other => Err(format!("unexpected {other:?} after '.'")),
        }
    }

    fn proj_rhs(&mut self, rbp: u8) -> Result<Ast, String> {
        match self.peek() {
            Tok::Dot => {
                self.next();
                self.dot_rhs()
            }
            Tok::LBracket | Tok::Filter | Tok::Flatten => self.expr(rbp),
            t if bp(t) < 10 => Ok(Ast::Identity),
            other => Err(format!("unexpected {other:?} after a projection")),
        }
    }

    fn filter(&mut self, left: Ast) -> Result<Ast, String> {
        let cond = self.expr(0)?;
        self.expect(&Tok::RBracket)?;
        let rhs = self.proj_rhs(21)?;
        Ok(Ast::FilterProj(
            Box::new(left),
            Box::new(cond),
            Box::new(rhs),
        ))
    }

    fn index(&mut self, left: Ast) -> Result<Ast, String> {
        let mut parts = [None, None, None];
        let mut n = 0;
        loop {
            match self.next() {
                Tok::Number(v) => parts[n] = Some(v),
                Tok::Colon if n < 2 => n += 1,
                Tok::RBracket => break,
                other => return Err(format!("unexpected {other:?} in index")),
            }
        }
        if n == 0 {
            let idx = parts[0].ok_or("empty index")?;
            return Ok(Ast::Sub(Box::new(left), Box::new(Ast::Index(idx))));
        }
        if parts[2] == Some(0) {
            return Err("slice step cannot be 0".into());
        }
        let slice = Ast::Slice(parts[0], parts[1], parts[2]);
        Ok(Ast::ListProj(
            Box::new(Ast::Sub(Box::new(left), Box::new(slice))),
            Box::new(self.proj_rhs(20)?),
        ))
    }

    fn multi_list(&mut self) -> Result<Ast, String> {
        let mut items = Vec::new();
        loop {
            items.push(self.expr(0)?);
            match self.next() {
                Tok::Comma => {}
                Tok::RBracket => break,
                other => return Err(format!("unexpected {other:?} in multi-select list")),
            }
        }
        Ok(Ast::MultiList(items))
    }

    fn multi_hash(&mut self) -> Result<Ast, String> {
        let mut items = Vec::new();
        loop {
            let key = match self.next() {
                Tok::Ident(k) | Tok::Quoted(k) => k,
                other => {
                    return Err(format!(
                        "expected a key in multi-select hash, found {other:?}"
                    ));
                }
            };
            self.expect(&Tok::Colon)?;
            items.push((key, self.expr(0)?));
            match self.next() {
                Tok::Comma => {}
                Tok::RBrace => break,
                other => return Err(format!("unexpected {other:?} in multi-select hash")),
            }
        }
        Ok(Ast::MultiHash(items))
    }

    fn call(&mut self, name: String) -> Result<Ast, String> {
        let mut args = Vec::new();
        if self.peek() == &Tok::RParen {
            self.next();
        } else {
            loop {
                args.push(self.expr(0)?);
                match self.next() {
                    Tok::Comma => {}
                    Tok::RParen => break,
                    other => return Err(format!("unexpected {other:?} in arguments of {name}()")),
                }
            }
        }
        Ok(Ast::Func(name, args))
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

fn project(items: Vec<Value>, rhs: &Ast) -> Result<Value, String> {
    let mut out = Vec::with_capacity(items.len());
    for item in &items {
        let v = eval(rhs, item)?;
        if !v.is_null() {
            out.push(v);
        }
    }
    Ok(Value::Array(out))
}

fn slice(arr: &[Value], start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> Vec<Value> {
    let len = arr.len() as i64;
    let step = step.unwrap_or(1);
    let clamp = |v: i64, lo: i64, hi: i64| v.max(lo).min(hi);
    let norm = |v: i64| if v < 0 { v + len } else { v };
    let (lo, hi) = if step > 0 { (0, len) } else { (-1, len - 1) };
    let start = start.map_or(if step > 0 { 0 } else { len - 1 }, |s| {
        clamp(norm(s), lo, hi)
    });
    let stop = stop.map_or(if step > 0 { len } else { -1 }, |s| clamp(norm(s), lo, hi));
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        if let Some(v) = usize::try_from(i).ok().and_then(|i| arr.get(i)) {
            out.push(v.clone());
        }
        i += step;
    }
    out
}

fn eval(ast: &Ast, data: &Value) -> Result<Value, String> {
    Ok(match ast {
        Ast::Identity => data.clone(),
        Ast::Field(name) => data.get(name).cloned().unwrap_or(Value::Null),
        Ast::Sub(l, r) => {
            let v = eval(l, data)?;
            if v.is_null() {
                Value::Null
            } else {
                eval(r, &v)?
            }
        }
        Ast::Index(i) => match data {
            Value::Array(a) => {
                let idx = if *i < 0 { a.len() as i64 + i } else { *i };
                usize::try_from(idx)
                    .ok()
                    .and_then(|i| a.get(i))
                    .cloned()
                    .unwrap_or(Value::Null)
            }
            _ => Value::Null,
        },
        Ast::Slice(s, e, st) => match data {
            Value::Array(a) => Value::Array(slice(a, *s, *e, *st)),
            _ => Value::Null,
        },
        Ast::ListProj(l, r) => match eval(l, data)? {
            Value::Array(a) => project(a, r)?,
            _ => Value::Null,
        },
        Ast::ValueProj(l, r) => match eval(l, data)? {
            Value::Object(o) => project(o.into_iter().map(|(_, v)| v).collect(), r)?,
            _ => Value::Null,
        },
        Ast::FilterProj(l, cond, r) => match eval(l, data)? {
            Value::Array(a) => {
                let mut kept = Vec::new();
                for item in a {
                    if truthy(&eval(cond, &item)?) {
                        kept.push(item);
                    }
                }
                project(kept, r)?
            }
            _ => Value::Null,
        },
        Ast::Flatten(inner) => match eval(inner, data)? {
            Value::Array(a) => {
                let mut out = Vec::new();
                for v in a {
                    match v {
                        Value::Array(inner) => out.extend(inner),
                        other => out.push(other),
                    }
                }
                Value::Array(out)
            }
            _ => Value::Null,
        },
        Ast::MultiList(items) => {
            if data.is_null() {
                return Ok(Value::Null);
            }
            Value::Array(
                items
                    .iter()
                    .map(|i| eval(i, data))
                    .collect::<Result<_, _>>()?,
            )
        }
        Ast::MultiHash(items) => {
            if data.is_null() {
                return Ok(Value::Null);
            }
            let mut m = Map::new();
            for (k, e) in items {
                m.insert(k.clone(), eval(e, data)?);
            }
            Value::Object(m)
        }
        Ast::Literal(v) => v.clone(),
        Ast::Pipe(l, r) => eval(r, &eval(l, data)?)?,
        Ast::Or(l, r) => {
            let v = eval(l, data)?;
            if truthy(&v) { v } else { eval(r, data)? }
        }
        Ast::And(l, r) => {
            let v = eval(l, data)?;
            if truthy(&v) { eval(r, data)? } else { v }
        }
        Ast::Not(e) => Value::Bool(!truthy(&eval(e, data)?)),
        Ast::Cmp(op, l, r) => compare(*op, &eval(l, data)?, &eval(r, data)?),
        Ast::Func(name, args) => call(name, args, data)?,
        Ast::ExpRef(_) => return Err("an &expression can only be a function argument".into()),
    })
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn compare(op: CmpOp, a: &Value, b: &Value) -> Value {
    match op {
        CmpOp::Eq => Value::Bool(equal(a, b)),
        CmpOp::Ne => Value::Bool(!equal(a, b)),
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => Value::Bool(match op {
                CmpOp::Lt => x < y,
                CmpOp::Le => x <= y,
                CmpOp::Gt => x > y,
                _ => x >= y,
            }),
            _ => Value::Null,
        },
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn order(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

fn sortable(items: &[Value], f: &str) -> Result<(), String> {
    let all_num = items.iter().all(Value::is_number);
    let all_str = items.iter().all(Value::is_string);
    if all_num || all_str {
        Ok(())
    } else {
        Err(format!("{f}() needs all numbers or all strings"))
    }
}

fn num(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Value::from(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

/// Built-in functions: abs, avg, ceil, contains, ends_with, floor, join, keys, length, map, max,
/// max_by, merge, min, min_by, not_null, reverse, sort, sort_by, starts_with, sum, to_array,
/// to_number, to_string, type, values.
fn call(name: &str, args: &[Ast], data: &Value) -> Result<Value, String> {
    let arity = |n: usize| {
        if args.len() == n {
            Ok(())
        } else {
            Err(format!(
                "{name}() takes {n} argument(s), got {}",
                args.len()
            ))
        }
    };
    let expref = |i: usize| match args.get(i) {
        Some(Ast::ExpRef(e)) => Ok(e.as_ref()),
        _ => Err(format!(
            "argument {} of {name}() must be an &expression",
            i + 1
        )),
    };
    let arg = |i: usize| args.get(i).map_or(Ok(Value::Null), |a| eval(a, data));
    let array = |v: Value| match v {
        Value::Array(a) => Ok(a),
        other => Err(format!(
            "{name}() expects an array, got {}",
            type_name(&other)
        )),
    };
    Ok(match name {
        "length" => {
            arity(1)?;
            match arg(0)? {
                Value::String(s) => Value::from(s.chars().count()),
                Value::Array(a) => Value::from(a.len()),
                Value::Object(o) => Value::from(o.len()),
                other => return Err(format!("length() of {}", type_name(&other))),
            }
        }
        "contains" => {
            arity(2)?;
            let needle = arg(1)?;
            match arg(0)? {
                Value::Array(a) => Value::Bool(a.iter().any(|v| equal(v, &needle))),
                Value::String(s) => Value::Bool(needle.as_str().is_some_and(|n| s.contains(n))),
                other => return Err(format!("contains() of {}", type_name(&other))),
            }
        }
        "starts_with" | "ends_with" => {
            arity(2)?;
            match (arg(0)?, arg(1)?) {
                (Value::String(s), Value::String(p)) => Value::Bool(if name == "starts_with" {
                    s.starts_with(&p)
                } else {
                    s.ends_with(&p)
                }),
                _ => return Err(format!("{name}() takes two strings")),
            }
        }
        "keys" | "values" => {
            arity(1)?;
            match arg(0)? {
                Value::Object(o) => Value::Array(if name == "keys" {
                    o.keys().cloned().map(Value::String).collect()
                } else {
                    o.values().cloned().collect()
                }),
                other => return Err(format!("{name}() of {}", type_name(&other))),
            }
        }
        "join" => {
            arity(2)?;
            let sep = arg(0)?;
            let sep = sep.as_str().ok_or("join() separator must be a string")?;
            let parts = array(arg(1)?)?;
            let strs: Option<Vec<&str>> = parts.iter().map(Value::as_str).collect();
            Value::String(strs.ok_or("join() needs an array of strings")?.join(sep))
        }
        "to_string" => {
            arity(1)?;
            match arg(0)? {
                Value::String(s) => Value::String(s),
                other => Value::String(other.to_string()),
            }
        }
        "to_number" => {
            arity(1)?;
            match arg(0)? {
                Value::Number(n) => Value::Number(n),
                Value::String(s) => s.trim().parse::<f64>().map_or(Value::Null, num),
                _ => Value::Null,
            }
        }
        "to_array" => {
            arity(1)?;
            match arg(0)? {
                Value::Array(a) => Value::Array(a),
                other => Value::Array(vec![other]),
            }
        }
        "type" => {
            arity(1)?;
            Value::String(type_name(&arg(0)?).to_owned())
        }
        "not_null" => {
            for i in 0..args.len() {
                let v = arg(i)?;
                if !v.is_null() {
                    return Ok(v);
                }
            }
            Value::Null
        }
        "reverse" => {
            arity(1)?;
            match arg(0)? {
                Value::Array(mut a) => {
                    a.reverse();
                    Value::Array(a)
                }
                Value::String(s) => Value::String(s.chars().rev().collect()),
                other => return Err(format!("reverse() of {}", type_name(&other))),
            }
        }
        "sort" => {
            arity(1)?;
            let mut a = array(arg(0)?)?;
            sortable(&a, name)?;
            a.sort_by(order);
            Value::Array(a)
        }
        "max" | "min" => {
            arity(1)?;
            let a = array(arg(0)?)?;
            sortable(&a, name)?;
            let pick = if name == "max" {
                a.into_iter().max_by(order)
            } else {
                a.into_iter().min_by(order)
            };
            pick.unwrap_or(Value::Null)
        }
        "sort_by" | "max_by" | "min_by" => {
            arity(2)?;
            let a = array(arg(0)?)?;
            let key = expref(1)?;
            let mut keyed = Vec::with_capacity(a.len());
            for item in a {
                keyed.push((eval(key, &item)?, item));
            }
            let keys: Vec<Value> = keyed.iter().map(|(k, _)| k.clone()).collect();
            sortable(&keys, name)?;
            match name {
                "sort_by" => {
                    keyed.sort_by(|x, y| order(&x.0, &y.0));
                    Value::Array(keyed.into_iter().map(|(_, v)| v).collect())
                }
                "max_by" => keyed
                    .into_iter()
                    .max_by(|x, y| order(&x.0, &y.0))
                    .map_or(Value::Null, |(_, v)| v),
                _ => keyed
                    .into_iter()
                    .min_by(|x, y| order(&x.0, &y.0))
                    .map_or(Value::Null, |(_, v)| v),
            }
        }
        "map" => {
            arity(2)?;
            let key = expref(0)?;
            let a = array(arg(1)?)?;
            Value::Array(a.iter().map(|v| eval(key, v)).collect::<Result<_, _>>()?)
        }
        "sum" | "avg" => {
            arity(1)?;
            let a = array(arg(0)?)?;
            let nums: Option<Vec<f64>> = a.iter().map(Value::as_f64).collect();
            let nums = nums.ok_or(format!("{name}() needs an array of numbers"))?;
            let total: f64 = nums.iter().sum();
            if name == "sum" {
                num(total)
            } else if nums.is_empty() {
                Value::Null
            } else {
                num(total / nums.len() as f64)
            }
        }
        "abs" | "ceil" | "floor" => {
            arity(1)?;
            let v = arg(0)?.as_f64().ok_or(format!("{name}() needs a number"))?;
            num(match name {
                "abs" => v.abs(),
                "ceil" => v.ceil(),
                _ => v.floor(),
            })
        }
        "merge" => {
            let mut m = Map::new();
            for i in 0..args.len() {
                match arg(i)? {
                    Value::Object(o) => m.extend(o),
                    other => return Err(format!("merge() of {}", type_name(&other))),
                }
            }
            Value::Object(m)
        }
        other => return Err(format!("unknown function {other}()")),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn q(expr: &str, data: &Value) -> Value {
        Query::parse(expr)
            .unwrap_or_else(|e| panic!("{expr}: {e}"))
            .search(data)
            .unwrap_or_else(|e| panic!("{expr}: {e}"))
    }

    fn models() -> Value {
        json!({"modelSummaries": [
            {"modelId": "anthropic.claude-v2", "providerName": "Anthropic", "outputModalities": ["TEXT"], "n": 3},
            {"modelId": "amazon.titan-image", "providerName": "Amazon", "outputModalities": ["IMAGE"], "n": 1},
            {"modelId": "anthropic.claude-3", "providerName": "Anthropic", "outputModalities": ["TEXT"], "n": 2, "extra": null}
        ]})
    }

    #[test]
    fn aws_cli_examples() {
        let d = models();
        assert_eq!(
            q("modelSummaries[*].modelId", &d),
            json!([
                "anthropic.claude-v2",
                "amazon.titan-image",
                "anthropic.claude-3"
            ])
        );
        assert_eq!(
            q("modelSummaries[?providerName=='Anthropic'].modelId", &d),
            json!(["anthropic.claude-v2", "anthropic.claude-3"])
        );
        assert_eq!(q("length(modelSummaries)", &d), json!(3));
        assert_eq!(
            q("modelSummaries[0].modelId", &d),
            json!("anthropic.claude-v2")
        );
        assert_eq!(q("modelSummaries[-1].n", &d), json!(2));
        assert_eq!(
            q("modelSummaries[].outputModalities[]", &d),
            json!(["TEXT", "IMAGE", "TEXT"])
        );
        assert_eq!(q("modelSummaries[*].extra", &d), json!([]));
        assert_eq!(q("sort_by(modelSummaries, &n)[*].n", &d), json!([1, 2, 3]));
        assert_eq!(
            q("max_by(modelSummaries, &n).modelId", &d),
            json!("anthropic.claude-v2")
        );
        assert_eq!(
            q(
                "modelSummaries[?n > `1` && contains(modelId, 'claude')] | length(@)",
                &d
            ),
            json!(2)
        );
        assert_eq!(
            q(
                "modelSummaries[?starts_with(modelId, 'amazon')].modelId | [0]",
                &d
            ),
            json!("amazon.titan-image")
        );
        assert_eq!(
            q("modelSummaries[0].{id: modelId, p: providerName}", &d),
            json!({"id": "anthropic.claude-v2", "p": "Anthropic"})
        );
        assert_eq!(
            q("modelSummaries[:2].[modelId, n]", &d),
            json!([["anthropic.claude-v2", 3], ["amazon.titan-image", 1]])
        );
        assert_eq!(
            q("join(', ', sort(modelSummaries[*].providerName))", &d),
            json!("Amazon, Anthropic, Anthropic")
        );
        assert_eq!(
            q("modelSummaries[?!contains(modelId, 'claude')].modelId", &d),
            json!(["amazon.titan-image"])
        );
        assert_eq!(q("missing || `\"fallback\"`", &d), json!("fallback"));
        assert_eq!(q("modelSummaries[::-1] | [0].n", &d), json!(2));
        assert_eq!(q("*.length(@)", &d), json!([3]));
        // A slice is a projection: the index applies to each element.
        assert_eq!(q("modelSummaries[::-1][0]", &d), json!([]));
        assert_eq!(
            q("\"modelSummaries\"[1].\"modelId\"", &d),
            json!("amazon.titan-image")
        );
        assert_eq!(q("sum(modelSummaries[*].n)", &d), json!(6));
        assert_eq!(q("type(modelSummaries)", &d), json!("array"));
        assert_eq!(q("keys(modelSummaries[0]) | length(@)", &d), json!(4));
    }

    #[test]
    fn errors_are_reported() {
        for bad in [
            "modelSummaries[",
            "a ==",
            "foo(",
            "[?a",
            "a.=",
            "`{bad`",
            "'open",
            "a[1:2:0]",
        ] {
            assert!(Query::parse(bad).is_err(), "{bad} should not parse");
        }
        let d = models();
        assert!(Query::parse("nosuch(@)").unwrap().search(&d).is_err());
        assert!(Query::parse("length(`1`)").unwrap().search(&d).is_err());
    }
}
