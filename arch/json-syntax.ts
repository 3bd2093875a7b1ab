// Locates the first syntax error in a JSON text, with a message that does not depend on the
// JavaScript engine's wording (JSON.parse messages and positions differ between Node versions).
// Only called after JSON.parse has failed, so it needs no values, just the grammar (RFC 8259).

/** Where a JSON text first goes wrong: a 0-based offset and the reason. */
export interface JsonSyntaxError {
  readonly offset: number;
  readonly reason: string;
}

/** 1-based line and column of a 0-based offset. */
export function lineColumn(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - before.lastIndexOf('\n') };
}

/** Thrown inside the scanner only, to unwind to findJsonSyntaxError. */
class Stop {
  readonly offset: number;
  readonly reason: string;
  constructor(offset: number, reason: string) {
    this.offset = offset;
    this.reason = reason;
  }
}

/** The first syntax error of `text`, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const s = { text, at: 0 };
  try {
    skipSpace(s);
    parseValue(s);
    skipSpace(s);
    if (s.at < text.length) fail(s, 'unexpected text after the JSON value');
    return undefined;
  } catch (e) {
    if (e instanceof Stop) return { offset: e.offset, reason: e.reason };
    throw e;
  }
}

interface Scan {
  readonly text: string;
  at: number;
}

function fail(s: Scan, reason: string): never {
  throw new Stop(s.at, reason);
}

function found(s: Scan): string {
  const ch = s.text[s.at];
  return ch === undefined ? 'end of file' : `'${ch === '\n' ? '\\n' : ch}'`;
}

function skipSpace(s: Scan): void {
  while (s.at < s.text.length && ' \t\n\r'.includes(s.text[s.at] as string)) s.at++;
}

function parseValue(s: Scan): void {
  const ch = s.text[s.at];
  if (ch === '{') return parseContainer(s, '}', true);
  if (ch === '[') return parseContainer(s, ']', false);
  if (ch === '"') return parseString(s);
  if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return parseNumber(s);
  for (const word of ['true', 'false', 'null']) {
    if (s.text.startsWith(word, s.at)) {
      s.at += word.length;
      return;
    }
  }
  if (ch === '/') fail(s, 'comments are not allowed in JSON');
  if (ch !== undefined && /[a-zA-Z]/.test(ch)) fail(s, 'expected a value (strings need double quotes; literals are true, false and null)');
  if (ch === undefined) fail(s, 'unexpected end of file');
  fail(s, `expected a value, found ${found(s)}`);
}

function parseContainer(s: Scan, close: '}' | ']', isObject: boolean): void {
  s.at++;
  skipSpace(s);
  if (s.text[s.at] === close) {
    s.at++;
    return;
  }
  for (;;) {
    if (isObject) parseMember(s);
    else parseValue(s);
    skipSpace(s);
    const ch = s.text[s.at];
    if (ch === close) {
      s.at++;
      return;
    }
    const after = isObject ? 'a property value' : 'an array item';
    if (ch !== ',') fail(s, `expected ',' or '${close}' after ${after}, found ${found(s)}`);
    s.at++;
    skipSpace(s);
    if (s.text[s.at] === close) fail(s, `trailing comma before '${close}'`);
  }
}

function parseMember(s: Scan): void {
  if (s.text[s.at] === '/') fail(s, 'comments are not allowed in JSON');
  if (s.text[s.at] !== '"') fail(s, `expected a double-quoted property name, found ${found(s)}`);
  parseString(s);
  skipSpace(s);
  if (s.text[s.at] !== ':') fail(s, `expected ':' after a property name, found ${found(s)}`);
  s.at++;
  skipSpace(s);
  parseValue(s);
}

function parseString(s: Scan): void {
  const start = s.at;
  s.at++;
  for (;;) {
    const ch = s.text[s.at];
    if (ch === undefined) throw new Stop(start, 'unterminated string');
    if (ch === '"') {
      s.at++;
      return;
    }
    if (ch < ' ') fail(s, ch === '\n' ? 'unterminated string (line break inside a string)' : 'control character in a string');
    if (ch === '\\') {
      const esc = s.text[s.at + 1] ?? '';
      if ('"\\/bfnrt'.includes(esc) && esc !== '') s.at += 2;
      else if (esc === 'u' && /^[0-9a-fA-F]{4}$/.test(s.text.slice(s.at + 2, s.at + 6))) s.at += 6;
      else fail(s, `invalid escape '\\${esc}'`);
    } else s.at++;
  }
}

function parseNumber(s: Scan): void {
  const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(s.text.slice(s.at, s.at + 400));
  if (m === null) fail(s, 'invalid number');
  s.at += m[0].length;
}
