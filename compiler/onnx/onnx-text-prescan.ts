// Reads plain number lists in tensor bodies (`{1, -2.5, 3e-4}`) ahead of the grammar. Ohm costs
// about 10 µs per input character here, so a 50,000-value initializer would take seconds; one
// regular expression takes milliseconds. The bodies read here are cut out (the grammar sees `{}`)
// and the `ast` operation takes their values from here, by the offset of the `{`; `toOriginal`
// maps offsets in the cut text back to the source, so every line:col stays right. Bodies with
// anything else in them (comments, strings, nan/inf, mistakes) are left to the grammar, so this
// changes speed, never meaning.
import type { TextLiteral } from './onnx-text-ast.js';

const NUMBER = String.raw`-?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?`;
/** A string (skipped), a comment (skipped) or a tensor body of plain numbers (group 1). */
const TOKENS = new RegExp(
  String.raw`"(?:\\[\s\S]|[^"\\])*"|#[^\n]*|\{(\s*${NUMBER}(?:\s*,\s*${NUMBER})*\s*)\}`,
  'g',
);
const NUMBERS = new RegExp(NUMBER, 'g');

/** Tensor bodies read ahead, and where the cut text's offsets sit in the source. */
export interface Prescan {
  /** The text the grammar matches: plain-number bodies removed. */
  readonly text: string;
  /** Values of each removed body, by the offset of its `{` in the cut text. */
  readonly values: ReadonlyMap<number, readonly TextLiteral[]>;
  /** Maps an offset in `text` to the offset in the source. */
  readonly toOriginal: (offset: number) => number;
}

/** A number literal as written: an int unless it has a point or an exponent (or is nan/inf). */
export function numberLiteral(text: string, offset: number): TextLiteral {
  const lower = text.toLowerCase();
  const sign = lower.startsWith('-') ? -1 : 1;
  if (lower.includes('nan')) return { kind: 'float', value: NaN, at: offset };
  if (lower.includes('inf')) return { kind: 'float', value: sign * Infinity, at: offset };
  const kind = /[.e]/.test(lower) ? 'float' : 'int';
  return { kind, value: Number(text), at: offset };
}

/** Cuts plain-number tensor bodies out of `text` (nothing is cut when `isEnabled` is false). */
export function prescanTensorData(text: string, isEnabled = true): Prescan {
  const values = new Map<number, readonly TextLiteral[]>();
  const pieces: string[] = [];
  const cutAt: number[] = []; // offsets in the cut text where a body was removed …
  const shiftAfter: number[] = []; // … and the total characters removed up to there
  let copied = 0;
  for (const m of isEnabled ? text.matchAll(TOKENS) : []) {
    const body = m[1];
    if (body === undefined) continue;
    const bodyStart = m.index + 1;
    const removed = shiftAfter.at(-1) ?? 0;
    values.set(
      m.index - removed,
      Array.from(body.matchAll(NUMBERS), (n) => numberLiteral(n[0], bodyStart + n.index)),
    );
    pieces.push(text.slice(copied, bodyStart));
    copied = bodyStart + body.length;
    cutAt.push(bodyStart - removed);
    shiftAfter.push(removed + body.length);
  }
  pieces.push(text.slice(copied));
  const toOriginal = (offset: number): number => {
    let lo = 0;
    let hi = cutAt.length; // the number of cuts at or before `offset`, by binary search
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cutAt[mid]! <= offset) lo = mid + 1;
      else hi = mid;
    }
    return offset + (lo === 0 ? 0 : shiftAfter[lo - 1]!);
  };
  return { text: pieces.join(''), values, toOriginal };
}
