/* A small KQL engine for the Log Analytics emulator: a tokeniser, a recursive-descent parser and an
 * evaluator for the subset AKS JIT sends (lib/activity/kql.ts: countsQuery, listedQuery) and a little
 * more: where/filter, extend, project (with renames), summarize (count, countif, sum, min, max,
 * dcount) by columns, order/sort by (desc by default, as in KQL), take/limit, count, top N by;
 * expressions with and/or/not(), == != =~ !~ < <= > >=, in/!in/in~, between (a .. b), startswith,
 * endswith, contains, has (case-insensitive, and their _cs forms), + - * / %, dynamic member and
 * index access, datetime(...) and timespan literals, now(), ago(), tostring/toint/tolong/todouble/
 * tobool/tolower/toupper/strlen/isempty/isnotempty/isnull/isnotnull/iff.
 * Query language reference: https://learn.microsoft.com/kusto/query/
 *
 * Errors are Log Analytics' (https://learn.microsoft.com/azure/azure-monitor/logs/api/errors):
 * a query that does not parse is a SyntaxError with the line and position, a name that resolves to
 * nothing a SemanticError; both come back as 400 BadArgumentError (routes.ts).
 *
 * Efficiency: the leading `where` operators are split into conjuncts before anything runs. A conjunct
 * over the User column only is evaluated once per distinct user the table holds (the store indexes
 * rows per user), and comparisons of TimeGenerated with constants narrow the time range the store
 * reads; so one user's rows are found without touching the rest of the table. */

export type KqlType = "string" | "int" | "long" | "real" | "bool" | "datetime" | "timespan" | "dynamic";

/** A timespan value (ms). Datetimes are Dates; dynamic values plain JSON values. */
export class Timespan {
  constructor(readonly ms: number) {}
}

export type Value = string | number | boolean | null | Date | Timespan | object;
export type Row = Record<string, Value>;
export interface Column {
  name: string;
  type: KqlType;
}

/** A query that did not parse (SyntaxError) or names what does not exist (SemanticError). */
export class KqlError extends Error {
  constructor(
    readonly kind: "SyntaxError" | "SemanticError",
    message: string,
    readonly detail: { code: string; line?: number; pos?: number; token?: string },
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------- tokens

type TokenKind = "ident" | "number" | "string" | "timespan" | "datetime" | "punct" | "eof";
interface Token {
  kind: TokenKind;
  text: string;
  value?: Value;
  at: number;
}

const PUNCT = [
  "..",
  "==",
  "!=",
  "=~",
  "!~",
  "<=",
  ">=",
  "|",
  "(",
  ")",
  "[",
  "]",
  ",",
  ".",
  "=",
  "<",
  ">",
  "+",
  "-",
  "*",
  "/",
  "%",
  "!",
];
const TIMESPAN_UNITS: Record<string, number> = {
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  ms: 1,
  milli: 1,
  millis: 1,
  millisecond: 1,
  milliseconds: 1,
};

function lineAndPos(text: string, at: number) {
  const before = text.slice(0, at).split("\n");
  return { line: before.length, pos: (before.at(-1) ?? "").length };
}

function syntaxError(text: string, at: number, token: string): KqlError {
  const { line, pos } = lineAndPos(text, at);
  return new KqlError("SyntaxError", "A recognition error occurred in the query.", {
    code: "SYN0002",
    line,
    pos,
    token,
  });
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i += 1;
      continue;
    }
    const at = i;
    if (c === '"' || c === "'") {
      let value = "";
      i += 1;
      while (i < text.length && text[i] !== c) {
        if (text[i] === "\\") {
          const next = text[i + 1];
          if (next === undefined) break;
          value += next === "n" ? "\n" : next === "t" ? "\t" : next === "r" ? "\r" : next;
          i += 2;
        } else {
          value += text[i];
          i += 1;
        }
      }
      if (text[i] !== c) throw syntaxError(text, at, text.slice(at, at + 20));
      i += 1;
      tokens.push({ kind: "string", text: text.slice(at, i), value, at });
      continue;
    }
    if (/[0-9]/.test(c)) {
      while (i < text.length && /[0-9]/.test(text[i]!)) i += 1;
      if (text[i] === "." && /[0-9]/.test(text[i + 1] ?? "")) {
        i += 1;
        while (i < text.length && /[0-9]/.test(text[i]!)) i += 1;
      }
      const number = Number(text.slice(at, i));
      const unit = /^[A-Za-z]+/.exec(text.slice(i))?.[0];
      if (unit) {
        const factor = TIMESPAN_UNITS[unit.toLowerCase()];
        if (factor === undefined) throw syntaxError(text, at, text.slice(at, i + unit.length));
        i += unit.length;
        tokens.push({ kind: "timespan", text: text.slice(at, i), value: new Timespan(number * factor), at });
      } else {
        tokens.push({ kind: "number", text: text.slice(at, i), value: number, at });
      }
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      while (i < text.length && /[A-Za-z0-9_$]/.test(text[i]!)) i += 1;
      if (text.slice(at, i) === "in" && text[i] === "~") i += 1; // in~
      const word = text.slice(at, i);
      // datetime(...) literal: its text is read raw, as Kusto does (2026-12-05T10:00:00Z is no expression)
      if (word === "datetime" && /^\s*\(/.test(text.slice(i))) {
        const open = text.indexOf("(", i);
        const close = text.indexOf(")", open);
        if (close < 0) throw syntaxError(text, at, word);
        const raw = text.slice(open + 1, close).trim();
        const date = raw === "" || raw === "null" ? null : new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(raw) ? raw : `${raw}Z`);
        if (date && Number.isNaN(date.getTime())) throw syntaxError(text, open + 1, raw);
        i = close + 1;
        tokens.push({ kind: "datetime", text: text.slice(at, i), value: date, at });
        continue;
      }
      tokens.push({ kind: "ident", text: word, at });
      continue;
    }
    const punct = PUNCT.find((p) => text.startsWith(p, i));
    if (!punct) throw syntaxError(text, at, c);
    i += punct.length;
    tokens.push({ kind: "punct", text: punct, at });
  }
  tokens.push({ kind: "eof", text: "<EOF>", at: text.length });
  return tokens;
}

// ---------------------------------------------------------------- syntax tree

export type Expr =
  | { k: "lit"; value: Value; type: KqlType; at: number }
  | { k: "col"; name: string; at: number }
  | { k: "member"; obj: Expr; name: string; at: number }
  | { k: "index"; obj: Expr; index: Expr; at: number }
  | { k: "call"; fn: string; args: Expr[]; at: number }
  | { k: "unary"; op: "-"; e: Expr; at: number }
  | { k: "bin"; op: string; l: Expr; r: Expr; at: number }
  | { k: "in"; e: Expr; list: Expr[]; negate: boolean; ci: boolean; at: number }
  | { k: "between"; e: Expr; lo: Expr; hi: Expr; negate: boolean; at: number };

export interface Assignment {
  name?: string;
  e: Expr;
}

export type Operator =
  | { op: "where"; e: Expr; at: number }
  | { op: "extend"; items: Assignment[]; at: number }
  | { op: "project"; items: Assignment[]; at: number }
  | { op: "summarize"; aggs: Assignment[]; by: Assignment[]; at: number }
  | { op: "order"; keys: Array<{ e: Expr; desc: boolean }>; at: number }
  | { op: "take"; n: number; at: number }
  | { op: "count"; at: number }
  | { op: "top"; n: number; key: { e: Expr; desc: boolean }; at: number };

export interface Query {
  table: string;
  tableAt: number;
  ops: Operator[];
}

const STRING_OPS = new Set([
  "startswith",
  "!startswith",
  "startswith_cs",
  "!startswith_cs",
  "endswith",
  "!endswith",
  "endswith_cs",
  "!endswith_cs",
  "contains",
  "!contains",
  "contains_cs",
  "!contains_cs",
  "has",
  "!has",
  "has_cs",
  "!has_cs",
]);

class Parser {
  private i = 0;
  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  private peek(offset = 0) {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }
  private next() {
    const t = this.peek();
    this.i += 1;
    return t;
  }
  private fail(token = this.peek()): never {
    throw syntaxError(this.text, token.at, token.text);
  }
  private isPunct(text: string, offset = 0) {
    const t = this.peek(offset);
    return t.kind === "punct" && t.text === text;
  }
  private isWord(word: string, offset = 0) {
    const t = this.peek(offset);
    return t.kind === "ident" && t.text === word;
  }
  private expectPunct(text: string) {
    if (!this.isPunct(text)) this.fail();
    return this.next();
  }
  private expectWord(word: string) {
    if (!this.isWord(word)) this.fail();
    return this.next();
  }
  private ident() {
    const t = this.peek();
    if (t.kind !== "ident") this.fail();
    return this.next().text;
  }

  query(): Query {
    const first = this.peek();
    const table = this.ident();
    const ops: Operator[] = [];
    while (this.isPunct("|")) {
      this.next();
      ops.push(this.operator());
    }
    if (this.peek().kind !== "eof") this.fail();
    return { table, tableAt: first.at, ops };
  }

  private operator(): Operator {
    const t = this.peek();
    if (t.kind !== "ident") this.fail();
    const at = t.at;
    switch (t.text) {
      case "where":
      case "filter":
        this.next();
        return { op: "where", e: this.expr(), at };
      case "extend":
        this.next();
        return { op: "extend", items: this.assignments(), at };
      case "project":
        this.next();
        return { op: "project", items: this.assignments(), at };
      case "summarize": {
        this.next();
        const aggs = this.isWord("by") ? [] : this.assignments();
        let by: Assignment[] = [];
        if (this.isWord("by")) {
          this.next();
          by = this.assignments();
        }
        return { op: "summarize", aggs, by, at };
      }
      case "order":
      case "sort": {
        this.next();
        this.expectWord("by");
        const keys = [this.sortKey()];
        while (this.isPunct(",")) {
          this.next();
          keys.push(this.sortKey());
        }
        return { op: "order", keys, at };
      }
      case "take":
      case "limit": {
        this.next();
        return { op: "take", n: this.count(), at };
      }
      case "count":
        this.next();
        return { op: "count", at };
      case "top": {
        this.next();
        const n = this.count();
        this.expectWord("by");
        return { op: "top", n, key: this.sortKey(), at };
      }
      default:
        return this.fail();
    }
  }

  private count() {
    const t = this.peek();
    if (t.kind !== "number" || !Number.isInteger(t.value)) this.fail();
    this.next();
    return t.value as number;
  }

  private sortKey() {
    const e = this.expr();
    let desc = true; // KQL sorts descending unless told
    if (this.isWord("asc") || this.isWord("desc")) desc = this.next().text === "desc";
    if (this.isWord("nulls")) {
      this.next();
      if (!this.isWord("first") && !this.isWord("last")) this.fail();
      this.next();
    }
    return { e, desc };
  }

  private assignments(): Assignment[] {
    const items = [this.assignment()];
    while (this.isPunct(",")) {
      this.next();
      items.push(this.assignment());
    }
    return items;
  }

  private assignment(): Assignment {
    if (this.peek().kind === "ident" && this.isPunct("=", 1)) {
      const name = this.ident();
      this.next();
      return { name, e: this.expr() };
    }
    return { e: this.expr() };
  }

  expr(): Expr {
    return this.or();
  }

  private or(): Expr {
    let l = this.and();
    while (this.isWord("or")) {
      const at = this.next().at;
      l = { k: "bin", op: "or", l, r: this.and(), at };
    }
    return l;
  }

  private and(): Expr {
    let l = this.comparison();
    while (this.isWord("and")) {
      const at = this.next().at;
      l = { k: "bin", op: "and", l, r: this.comparison(), at };
    }
    return l;
  }

  private comparison(): Expr {
    const l = this.additive();
    const t = this.peek();
    const at = t.at;
    if (t.kind === "punct" && ["==", "!=", "=~", "!~", "<", "<=", ">", ">="].includes(t.text)) {
      this.next();
      return { k: "bin", op: t.text, l, r: this.additive(), at };
    }
    // !in, !in~, !startswith, !between ...: a "!" glued to the word
    let negate = false;
    if (t.kind === "punct" && t.text === "!" && this.peek(1).kind === "ident" && this.peek(1).at === t.at + 1) {
      negate = true;
      this.next();
    }
    const w = this.peek();
    if (w.kind !== "ident") {
      if (negate) this.fail(w);
      return l;
    }
    const word = w.text;
    if (word === "in" || word === "in~") {
      this.next();
      const ci = word === "in~";
      this.expectPunct("(");
      const list = [this.expr()];
      while (this.isPunct(",")) {
        this.next();
        list.push(this.expr());
      }
      this.expectPunct(")");
      return { k: "in", e: l, list, negate, ci, at };
    }
    if (word === "between") {
      this.next();
      this.expectPunct("(");
      const lo = this.additive();
      this.expectPunct("..");
      const hi = this.additive();
      this.expectPunct(")");
      return { k: "between", e: l, lo, hi, negate, at };
    }
    const op = `${negate ? "!" : ""}${word}`;
    if (STRING_OPS.has(op)) {
      this.next();
      return { k: "bin", op, l, r: this.additive(), at };
    }
    if (negate) this.fail(w);
    return l;
  }

  private additive(): Expr {
    let l = this.multiplicative();
    while (this.isPunct("+") || this.isPunct("-")) {
      const t = this.next();
      l = { k: "bin", op: t.text, l, r: this.multiplicative(), at: t.at };
    }
    return l;
  }

  private multiplicative(): Expr {
    let l = this.unary();
    while (this.isPunct("*") || this.isPunct("/") || this.isPunct("%")) {
      const t = this.next();
      l = { k: "bin", op: t.text, l, r: this.unary(), at: t.at };
    }
    return l;
  }

  private unary(): Expr {
    if (this.isPunct("-")) {
      const at = this.next().at;
      return { k: "unary", op: "-", e: this.unary(), at };
    }
    return this.postfix();
  }

  private postfix(): Expr {
    let e = this.primary();
    for (;;) {
      if (this.isPunct(".")) {
        const at = this.next().at;
        const t = this.peek();
        if (t.kind !== "ident") this.fail();
        e = { k: "member", obj: e, name: this.next().text, at };
      } else if (this.isPunct("[")) {
        const at = this.next().at;
        const index = this.expr();
        this.expectPunct("]");
        e = { k: "index", obj: e, index, at };
      } else {
        return e;
      }
    }
  }

  private primary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case "string":
        this.next();
        return { k: "lit", value: t.value as string, type: "string", at: t.at };
      case "number": {
        this.next();
        const n = t.value as number;
        return { k: "lit", value: n, type: Number.isInteger(n) && !t.text.includes(".") ? "long" : "real", at: t.at };
      }
      case "timespan":
        this.next();
        return { k: "lit", value: t.value as Timespan, type: "timespan", at: t.at };
      case "datetime":
        this.next();
        return { k: "lit", value: t.value as Date | null, type: "datetime", at: t.at };
      case "punct":
        if (t.text === "(") {
          this.next();
          const e = this.expr();
          this.expectPunct(")");
          return e;
        }
        return this.fail();
      case "ident": {
        this.next();
        if (t.text === "true" || t.text === "false")
          return { k: "lit", value: t.text === "true", type: "bool", at: t.at };
        if (this.isPunct("(")) {
          this.next();
          const args: Expr[] = [];
          if (!this.isPunct(")")) {
            args.push(this.expr());
            while (this.isPunct(",")) {
              this.next();
              args.push(this.expr());
            }
          }
          this.expectPunct(")");
          return { k: "call", fn: t.text, args, at: t.at };
        }
        return { k: "col", name: t.text, at: t.at };
      }
      default:
        return this.fail();
    }
  }
}

export function parseQuery(text: string): Query {
  return new Parser(text, tokenize(text)).query();
}

// ---------------------------------------------------------------- evaluation

type Compiled = { type: KqlType; eval: (row: Row) => Value };

const AGGREGATES = new Set(["count", "countif", "sum", "min", "max", "dcount"]);

function semanticError(message: string): KqlError {
  return new KqlError("SemanticError", message, { code: "SEM0100" });
}

const isNumberType = (t: KqlType) => t === "int" || t === "long" || t === "real";

function toDate(v: Value): Date | null {
  if (v instanceof Date) return v;
  if (typeof v === "string") {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

/** tostring(): a dynamic string is its text, other dynamic values their JSON, null "". */
export function kqlToString(v: Value): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Timespan) return String(v.ms);
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function toNumber(v: Value, integer: boolean): number | null {
  let n: number;
  if (typeof v === "number") n = v;
  else if (typeof v === "boolean") n = v ? 1 : 0;
  else if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) n = Number(v);
  else return null;
  return integer ? Math.trunc(n) : n;
}

function compareValues(a: Value, b: Value): number | null {
  if (a === null || b === null || a === undefined || b === undefined) return null;
  if (a instanceof Date || b instanceof Date) {
    const x = toDate(a);
    const y = toDate(b);
    return x && y ? x.getTime() - y.getTime() : null;
  }
  if (a instanceof Timespan && b instanceof Timespan) return a.ms - b.ms;
  if (typeof a === "number" || typeof b === "number") {
    const x = toNumber(a, false);
    const y = toNumber(b, false);
    return x === null || y === null ? null : x - y;
  }
  const x = kqlToString(a);
  const y = kqlToString(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function equals(a: Value, b: Value, ci: boolean) {
  if (a === null || b === null) return false;
  if (typeof a === "string" || typeof b === "string") {
    const x = kqlToString(a);
    const y = kqlToString(b);
    return ci ? x.toLowerCase() === y.toLowerCase() : x === y;
  }
  return compareValues(a, b) === 0;
}

function stringOp(op: string, a: Value, b: Value): boolean {
  const negate = op.startsWith("!");
  const base = negate ? op.slice(1) : op;
  const cs = base.endsWith("_cs");
  let x = kqlToString(a);
  let y = kqlToString(b);
  if (!cs) {
    x = x.toLowerCase();
    y = y.toLowerCase();
  }
  let result: boolean;
  if (base.startsWith("startswith")) result = x.startsWith(y);
  else if (base.startsWith("endswith")) result = x.endsWith(y);
  else if (base.startsWith("has"))
    result = x.split(/[^a-z0-9_]+/i).includes(y) || (y.length > 0 && x.includes(y) && !/[a-z0-9]/i.test(y));
  else result = x.includes(y);
  return negate ? !result : result;
}

function typeName(e: Expr): string {
  switch (e.k) {
    case "col":
      return e.name;
    case "member":
      return e.name;
    case "index":
      return typeName(e.obj);
    case "call":
      return e.args[0] ? typeName(e.args[0]) : e.fn;
    default:
      return "";
  }
}

/** The column a `summarize ... by`/extend/project item without a name gets. */
function defaultName(e: Expr, fallback: string) {
  if (e.k === "col") return e.name;
  if (e.k === "call" && AGGREGATES.has(e.fn))
    return `${e.fn}_${e.args[0] ? typeName(e.args[0]) : ""}`.replace(/_$/, "_");
  const name = typeName(e);
  return name || fallback;
}

export interface CompileContext {
  now: Date;
  operator: string;
}

export function compileExpr(e: Expr, schema: readonly Column[], cx: CompileContext): Compiled {
  switch (e.k) {
    case "lit":
      return { type: e.type, eval: () => e.value };
    case "col": {
      const column = schema.find((c) => c.name === e.name);
      if (!column)
        throw semanticError(`'${cx.operator}' operator: Failed to resolve scalar expression named '${e.name}'`);
      const name = column.name;
      return { type: column.type, eval: (row) => row[name] ?? null };
    }
    case "member": {
      const obj = compileExpr(e.obj, schema, cx);
      if (obj.type !== "dynamic") throw semanticError(`The expression before '.${e.name}' is not of type dynamic.`);
      const name = e.name;
      return {
        type: "dynamic",
        eval: (row) => {
          const v = obj.eval(row);
          return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date)
            ? ((v as Record<string, Value>)[name] ?? null)
            : null;
        },
      };
    }
    case "index": {
      const obj = compileExpr(e.obj, schema, cx);
      const index = compileExpr(e.index, schema, cx);
      if (obj.type !== "dynamic") throw semanticError("Indexing is only supported on dynamic values.");
      return {
        type: "dynamic",
        eval: (row) => {
          const v = obj.eval(row);
          const i = index.eval(row);
          if (Array.isArray(v) && typeof i === "number") return (v[i < 0 ? v.length + i : i] as Value) ?? null;
          if (v !== null && typeof v === "object" && typeof i === "string")
            return ((v as Record<string, Value>)[i] as Value) ?? null;
          return null;
        },
      };
    }
    case "unary": {
      const inner = compileExpr(e.e, schema, cx);
      return {
        type: inner.type,
        eval: (row) => {
          const v = inner.eval(row);
          if (v instanceof Timespan) return new Timespan(-v.ms);
          return typeof v === "number" ? -v : null;
        },
      };
    }
    case "in": {
      const target = compileExpr(e.e, schema, cx);
      const list = e.list.map((item) => compileExpr(item, schema, cx));
      const constant = e.list.every((item) => item.k === "lit");
      const set = constant
        ? new Set(list.map((c) => (e.ci ? kqlToString(c.eval({})).toLowerCase() : kqlToString(c.eval({})))))
        : null;
      return {
        type: "bool",
        eval: (row) => {
          const v = target.eval(row);
          if (v === null) return e.negate;
          let found: boolean;
          if (set) {
            const s = kqlToString(v);
            found = set.has(e.ci ? s.toLowerCase() : s);
          } else {
            found = list.some((c) => equals(v, c.eval(row), e.ci));
          }
          return e.negate ? !found : found;
        },
      };
    }
    case "between": {
      const target = compileExpr(e.e, schema, cx);
      const lo = compileExpr(e.lo, schema, cx);
      const hi = compileExpr(e.hi, schema, cx);
      return {
        type: "bool",
        eval: (row) => {
          const v = target.eval(row);
          const a = compareValues(v, lo.eval(row));
          const b = compareValues(v, hi.eval(row));
          if (a === null || b === null) return false;
          const inside = a >= 0 && b <= 0;
          return e.negate ? !inside : inside;
        },
      };
    }
    case "bin":
      return compileBinary(e, schema, cx);
    case "call":
      return compileCall(e, schema, cx);
  }
}

function compileBinary(e: Extract<Expr, { k: "bin" }>, schema: readonly Column[], cx: CompileContext): Compiled {
  const l = compileExpr(e.l, schema, cx);
  const r = compileExpr(e.r, schema, cx);
  const op = e.op;
  if (op === "and") return { type: "bool", eval: (row) => l.eval(row) === true && r.eval(row) === true };
  if (op === "or") return { type: "bool", eval: (row) => l.eval(row) === true || r.eval(row) === true };
  // The hot comparisons of the app's queries, typed: strings with strings, datetimes with datetimes.
  if (l.type === "string" && r.type === "string" && (op === "==" || op === "=~")) {
    const ci = op === "=~";
    return {
      type: "bool",
      eval: (row) => {
        const a = l.eval(row);
        const b = r.eval(row);
        if (typeof a !== "string" || typeof b !== "string") return false;
        return ci ? a.length === b.length && a.toLowerCase() === b.toLowerCase() : a === b;
      },
    };
  }
  if (l.type === "datetime" && r.type === "datetime" && (op === "<" || op === "<=" || op === ">" || op === ">=")) {
    return {
      type: "bool",
      eval: (row) => {
        const a = l.eval(row);
        const b = r.eval(row);
        if (!(a instanceof Date) || !(b instanceof Date)) return false;
        const d = a.getTime() - b.getTime();
        return op === "<" ? d < 0 : op === "<=" ? d <= 0 : op === ">" ? d > 0 : d >= 0;
      },
    };
  }
  if (op === "==" || op === "!=" || op === "=~" || op === "!~") {
    const ci = op === "=~" || op === "!~";
    const negate = op.startsWith("!");
    return {
      type: "bool",
      eval: (row) => {
        const a = l.eval(row);
        const b = r.eval(row);
        if (a === null || b === null) return false;
        return equals(a, b, ci) !== negate;
      },
    };
  }
  if (op === "<" || op === "<=" || op === ">" || op === ">=") {
    return {
      type: "bool",
      eval: (row) => {
        const c = compareValues(l.eval(row), r.eval(row));
        if (c === null) return false;
        return op === "<" ? c < 0 : op === "<=" ? c <= 0 : op === ">" ? c > 0 : c >= 0;
      },
    };
  }
  if (STRING_OPS.has(op)) return { type: "bool", eval: (row) => stringOp(op, l.eval(row), r.eval(row)) };
  // arithmetic: datetime ± timespan, numbers
  let type: KqlType = "real";
  if (l.type === "datetime" && r.type === "timespan") type = "datetime";
  else if (l.type === "datetime" && r.type === "datetime" && op === "-") type = "timespan";
  else if (l.type === "timespan" && r.type === "timespan") type = "timespan";
  else if (isNumberType(l.type) && isNumberType(r.type))
    type = l.type === "real" || r.type === "real" ? "real" : "long";
  else if (l.type !== "dynamic" && r.type !== "dynamic") {
    throw semanticError(`Operator '${op}' cannot be applied to operands of types ${l.type} and ${r.type}.`);
  }
  return {
    type,
    eval: (row) => {
      const a = l.eval(row);
      const b = r.eval(row);
      if (a === null || b === null) return null;
      if (a instanceof Date && b instanceof Timespan) return new Date(a.getTime() + (op === "-" ? -b.ms : b.ms));
      if (a instanceof Date && b instanceof Date) return new Timespan(a.getTime() - b.getTime());
      if (a instanceof Timespan && b instanceof Timespan) return new Timespan(op === "-" ? a.ms - b.ms : a.ms + b.ms);
      const x = toNumber(a, false);
      const y = toNumber(b, false);
      if (x === null || y === null) return null;
      const integer = type !== "real";
      switch (op) {
        case "+":
          return x + y;
        case "-":
          return x - y;
        case "*":
          return x * y;
        case "/":
          return y === 0 ? null : integer ? Math.trunc(x / y) : x / y;
        default:
          return y === 0 ? null : x % y;
      }
    },
  };
}

function arity(e: Extract<Expr, { k: "call" }>, n: number) {
  if (e.args.length !== n) {
    throw semanticError(`Function '${e.fn}': expected ${n} argument(s), got ${e.args.length}.`);
  }
}

function compileCall(e: Extract<Expr, { k: "call" }>, schema: readonly Column[], cx: CompileContext): Compiled {
  if (AGGREGATES.has(e.fn)) {
    throw semanticError(`Function '${e.fn}' can only be used within the context of a summarize aggregation.`);
  }
  const args = e.args.map((a) => compileExpr(a, schema, cx));
  const a0 = args[0];
  const one = (type: KqlType, f: (v: Value) => Value): Compiled => {
    arity(e, 1);
    return { type, eval: (row) => f(a0!.eval(row)) };
  };
  switch (e.fn) {
    case "tostring":
      return one("string", kqlToString);
    case "toint":
      return one("int", (v) => toNumber(v, true));
    case "tolong":
      return one("long", (v) => toNumber(v, true));
    case "todouble":
    case "toreal":
      return one("real", (v) => toNumber(v, false));
    case "tobool":
      return one("bool", (v) =>
        typeof v === "boolean"
          ? v
          : v === "true"
            ? true
            : v === "false"
              ? false
              : typeof v === "number"
                ? v !== 0
                : null,
      );
    case "todatetime":
      return one("datetime", toDate);
    case "not":
      return one("bool", (v) => (v === true ? false : v === false ? true : null));
    case "tolower":
      return one("string", (v) => kqlToString(v).toLowerCase());
    case "toupper":
      return one("string", (v) => kqlToString(v).toUpperCase());
    case "strlen":
      return one("long", (v) => kqlToString(v).length);
    case "isempty":
      return one("bool", (v) => v === null || v === "");
    case "isnotempty":
      return one("bool", (v) => !(v === null || v === ""));
    case "isnull":
      return one("bool", (v) => v === null);
    case "isnotnull":
      return one("bool", (v) => v !== null);
    case "array_length":
      return one("long", (v) => (Array.isArray(v) ? v.length : null));
    case "now": {
      arity(e, 0);
      const now = cx.now;
      return { type: "datetime", eval: () => now };
    }
    case "ago": {
      arity(e, 1);
      if (a0!.type !== "timespan") throw semanticError("Function 'ago': argument must be a timespan.");
      const now = cx.now.getTime();
      return {
        type: "datetime",
        eval: (row) => {
          const v = a0!.eval(row);
          return v instanceof Timespan ? new Date(now - v.ms) : null;
        },
      };
    }
    case "iff":
    case "iif": {
      arity(e, 3);
      const [c, t, f] = args as [Compiled, Compiled, Compiled];
      return { type: t.type, eval: (row) => (c.eval(row) === true ? t.eval(row) : f.eval(row)) };
    }
    default:
      throw semanticError(`'${cx.operator}' operator: Failed to resolve scalar expression named '${e.fn}'`);
  }
}

// ---------------------------------------------------------------- pipeline

/** What the store offers the engine: its schema, its users and a narrowed scan. */
export interface TableSource {
  schema: readonly Column[];
  /** the distinct User values, each with the key the scan takes */
  users(): Iterable<{ key: number; user: Value }>;
  /**
   * Rows with TimeGenerated in [fromMs, toMs), of these users only when given; returns rows scanned.
   * Each row handed to `visit` is the query's own: the engine writes extended columns into it.
   */
  scan(range: { fromMs: number; toMs: number; users?: readonly number[] }, visit: (row: Row) => void): number;
}

export interface QueryResult {
  columns: Column[];
  rows: Row[];
  /** rows the source read (after index narrowing) */
  scanned: number;
}

function refs(e: Expr, into = new Set<string>()): Set<string> {
  switch (e.k) {
    case "col":
      into.add(e.name);
      break;
    case "member":
      refs(e.obj, into);
      break;
    case "index":
      refs(e.obj, into);
      refs(e.index, into);
      break;
    case "call":
      e.args.forEach((a) => refs(a, into));
      break;
    case "unary":
      refs(e.e, into);
      break;
    case "bin":
      refs(e.l, into);
      refs(e.r, into);
      break;
    case "in":
      refs(e.e, into);
      e.list.forEach((a) => refs(a, into));
      break;
    case "between":
      refs(e.e, into);
      refs(e.lo, into);
      refs(e.hi, into);
      break;
  }
  return into;
}

function conjuncts(e: Expr): Expr[] {
  return e.k === "bin" && e.op === "and" ? [...conjuncts(e.l), ...conjuncts(e.r)] : [e];
}

/** Narrows [from, to) by a conjunct that compares TimeGenerated with a constant. */
function narrowTime(e: Expr, range: { fromMs: number; toMs: number }, cx: CompileContext) {
  const constant = (x: Expr) => (refs(x).size === 0 ? toDate(compileExpr(x, [], cx).eval({})) : null);
  const isTime = (x: Expr) => x.k === "col" && x.name === "TimeGenerated";
  if (e.k === "between" && !e.negate && isTime(e.e)) {
    const lo = constant(e.lo);
    const hi = constant(e.hi);
    if (lo) range.fromMs = Math.max(range.fromMs, lo.getTime());
    if (hi) range.toMs = Math.min(range.toMs, hi.getTime() + 1);
    return;
  }
  if (e.k !== "bin" || !["<", "<=", ">", ">=", "=="].includes(e.op)) return;
  let op = e.op;
  let other: Expr;
  if (isTime(e.l)) other = e.r;
  else if (isTime(e.r)) {
    other = e.l;
    op = { "<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==" }[op]!;
  } else return;
  const at = constant(other);
  if (!at) return;
  const t = at.getTime();
  if (op === ">=" || op === "==") range.fromMs = Math.max(range.fromMs, t);
  if (op === ">") range.fromMs = Math.max(range.fromMs, t + 1);
  if (op === "<") range.toMs = Math.min(range.toMs, t);
  if (op === "<=" || op === "==") range.toMs = Math.min(range.toMs, t + 1);
}

/** Runs a parsed query over a source: index narrowing first, then the operators in order. */
export function runQuery(
  query: Query,
  source: TableSource,
  options: { now: Date; timespan?: { fromMs: number; toMs: number } },
): QueryResult {
  let schema: Column[] = [...source.schema];
  const cx = (operator: string): CompileContext => ({ now: options.now, operator });
  // 1. The leading where operators: conjuncts the index answers.
  const range = { fromMs: options.timespan?.fromMs ?? -8.64e15, toMs: options.timespan?.toMs ?? 8.64e15 };
  const rowPredicates: Array<(row: Row) => boolean> = [];
  let userKeys: number[] | undefined;
  let first = 0;
  for (; first < query.ops.length; first += 1) {
    const op = query.ops[first]!;
    if (op.op !== "where") break;
    for (const conjunct of conjuncts(op.e)) {
      const compiled = compileExpr(conjunct, schema, cx("where"));
      const names = refs(conjunct);
      if (names.size === 1 && names.has("User")) {
        const keys: number[] = [];
        for (const { key, user } of source.users()) if (compiled.eval({ User: user }) === true) keys.push(key);
        userKeys = userKeys ? userKeys.filter((k) => keys.includes(k)) : keys;
        continue;
      }
      narrowTime(conjunct, range, cx("where"));
      rowPredicates.push((row) => compiled.eval(row) === true);
    }
  }
  let rows: Row[] = [];
  const scanned = source.scan({ ...range, users: userKeys }, (row) => {
    if (rowPredicates.every((p) => p(row))) rows.push(row);
  });
  // 2. The rest, in order.
  for (const op of query.ops.slice(first)) {
    switch (op.op) {
      case "where": {
        const c = compileExpr(op.e, schema, cx("where"));
        rows = rows.filter((row) => c.eval(row) === true);
        break;
      }
      case "extend": {
        const items = op.items.map((item, i) => ({
          name: item.name ?? defaultName(item.e, `Column${i + 1}`),
          c: compileExpr(item.e, schema, cx("extend")),
        }));
        // In place: every row is the query's own (TableSource.scan hands out rows nobody else holds).
        for (const row of rows) {
          const values = items.map(({ c }) => c.eval(row));
          items.forEach(({ name }, i) => (row[name] = values[i] ?? null));
        }
        for (const { name, c } of items) {
          schema = schema.filter((col) => col.name !== name);
          schema.push({ name, type: c.type });
        }
        break;
      }
      case "project": {
        const items = op.items.map((item, i) => ({
          name: item.name ?? defaultName(item.e, `Column${i + 1}`),
          c: compileExpr(item.e, schema, cx("project")),
        }));
        rows = rows.map((row) => Object.fromEntries(items.map(({ name, c }) => [name, c.eval(row)])));
        schema = items.map(({ name, c }) => ({ name, type: c.type }));
        break;
      }
      case "summarize": {
        const result = summarize(op, rows, schema, cx("summarize"));
        rows = result.rows;
        schema = result.schema;
        break;
      }
      case "order": {
        const keys = op.keys.map((k) => ({ c: compileExpr(k.e, schema, cx("order")), desc: k.desc }));
        rows = sortRows(rows, keys);
        break;
      }
      case "top": {
        const c = compileExpr(op.key.e, schema, cx("top"));
        rows = sortRows(rows, [{ c, desc: op.key.desc }]).slice(0, op.n);
        break;
      }
      case "take":
        rows = rows.slice(0, op.n);
        break;
      case "count":
        rows = [{ Count: rows.length }];
        schema = [{ name: "Count", type: "long" }];
        break;
    }
  }
  return { columns: schema, rows, scanned };
}

function sortRows(rows: Row[], keys: Array<{ c: Compiled; desc: boolean }>) {
  return [...rows].sort((a, b) => {
    for (const { c, desc } of keys) {
      const x = c.eval(a);
      const y = c.eval(b);
      // nulls last when descending, first when ascending (KQL's defaults)
      if (x === null || y === null) {
        if (x === y) continue;
        return (x === null ? -1 : 1) * (desc ? -1 : 1);
      }
      const d = compareValues(x, y) ?? 0;
      if (d !== 0) return desc ? -d : d;
    }
    return 0;
  });
}

/** A value's part of a group key: its type and text (cheaper than JSON per row). */
function groupKeyPart(v: Value): string {
  if (v === null || v === undefined) return "\u0000";
  if (v instanceof Date) return `d${v.getTime()}`;
  if (v instanceof Timespan) return `t${v.ms}`;
  return `${typeof v}:${kqlToString(v)}`;
}

function summarize(
  op: Extract<Operator, { op: "summarize" }>,
  rows: Row[],
  schema: Column[],
  cx: CompileContext,
): { rows: Row[]; schema: Column[] } {
  const by = op.by.map((item, i) => ({
    name: item.name ?? defaultName(item.e, `Column${i + 1}`),
    c: compileExpr(item.e, schema, cx),
  }));
  const aggs = op.aggs.map((item, i) => {
    const e = item.e;
    if (e.k !== "call" || !AGGREGATES.has(e.fn)) {
      throw semanticError("Summarize: the expression is not an aggregation function.");
    }
    const arg = e.args[0] ? compileExpr(e.args[0], schema, cx) : undefined;
    if (e.fn !== "count" && !arg) throw semanticError(`Function '${e.fn}': expected 1 argument(s), got 0.`);
    const type: KqlType =
      e.fn === "count" || e.fn === "countif" || e.fn === "dcount"
        ? "long"
        : e.fn === "sum"
          ? arg!.type === "real"
            ? "real"
            : "long"
          : arg!.type;
    const name = item.name ?? (e.fn === "count" ? "count_" : `${e.fn}_${e.args[0] ? typeName(e.args[0]) : i}`);
    return { name, fn: e.fn, arg, type };
  });
  const groups = new Map<string, { key: Value[]; states: Array<{ n: number; v: Value; seen?: Set<string> }> }>();
  for (const row of rows) {
    const key = by.map(({ c }) => c.eval(row));
    const id = key.map(groupKeyPart).join("\u0001");
    let group = groups.get(id);
    if (!group) {
      group = { key, states: aggs.map(() => ({ n: 0, v: null })) };
      groups.set(id, group);
    }
    aggs.forEach((agg, i) => {
      const s = group!.states[i]!;
      const v = agg.arg?.eval(row) ?? null;
      switch (agg.fn) {
        case "count":
          s.n += 1;
          break;
        case "countif":
          if (v === true) s.n += 1;
          break;
        case "sum":
          s.n += toNumber(v, false) ?? 0;
          break;
        case "dcount":
          (s.seen ??= new Set()).add(kqlToString(v));
          s.n = s.seen.size;
          break;
        case "min":
        case "max": {
          if (v === null) break;
          const d = s.v === null ? null : compareValues(v, s.v);
          if (d === null || (agg.fn === "min" ? d < 0 : d > 0)) s.v = v;
          break;
        }
      }
    });
  }
  // With no `by`, an empty input still gives one row (count() = 0).
  if (by.length === 0 && groups.size === 0) groups.set("[]", { key: [], states: aggs.map(() => ({ n: 0, v: null })) });
  const out: Row[] = [];
  for (const group of groups.values()) {
    const row: Row = {};
    by.forEach(({ name }, i) => (row[name] = group.key[i] ?? null));
    aggs.forEach((agg, i) => {
      const s = group.states[i]!;
      row[agg.name] = agg.fn === "min" || agg.fn === "max" ? s.v : s.n;
    });
    out.push(row);
  }
  return {
    rows: out,
    schema: [...by.map(({ name, c }) => ({ name, type: c.type })), ...aggs.map(({ name, type }) => ({ name, type }))],
  };
}

/** A value as Log Analytics writes it in `rows`: datetimes ISO, dynamic values as JSON text. */
export function serialiseValue(v: Value, type: KqlType): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case "datetime":
      return v instanceof Date ? v.toISOString() : null;
    case "dynamic":
      return typeof v === "string" ? v : JSON.stringify(v);
    case "timespan": {
      if (!(v instanceof Timespan)) return null;
      const sign = v.ms < 0 ? "-" : "";
      const ms = Math.abs(v.ms);
      const pad = (n: number, w = 2) => String(n).padStart(w, "0");
      const days = Math.floor(ms / 86_400_000);
      const rest = ms % 86_400_000;
      const time = `${pad(Math.floor(rest / 3_600_000))}:${pad(Math.floor((rest % 3_600_000) / 60_000))}:${pad(Math.floor((rest % 60_000) / 1000))}`;
      const fraction = rest % 1000 ? `.${pad(rest % 1000, 3)}0000` : "";
      return `${sign}${days ? `${days}.` : ""}${time}${fraction}`;
    }
    case "string":
      return kqlToString(v);
    default:
      return v;
  }
}
