// strictViolation: what the Go library refuses in a JSON text that
// JSON.parse accepts (I-JSON, RFC 7493): an object with a key twice
// (JSON.parse keeps the last value) and a \u escape of a lone UTF-16
// surrogate (JSON.parse puts it into the string). It scans the text once,
// after JSON.parse has accepted it.
import type { Violation } from './parse.js';

interface Frame {
  obj: boolean;
  keys: Set<string> | null; // the keys of an object seen so far
  key: string; // the current key of an object
  index: number; // the current index of an array
  expectKey: boolean;
}

function escapeToken(t: string): string {
  return t.replaceAll('~', '~0').replaceAll('/', '~1');
}

function pointer(stack: Frame[]): string {
  let p = '';
  for (const f of stack) p += '/' + (f.obj ? escapeToken(f.key) : String(f.index));
  return p;
}

function hex4(text: string, at: number): number {
  return Number.parseInt(text.slice(at, at + 4), 16);
}

const QUOTE = 34;
const BACKSLASH = 92;

/** The first violation of I-JSON in a text JSON.parse accepted, or undefined. */
export function strictViolation(text: string): Violation | undefined {
  const stack: Frame[] = [];
  const n = text.length;
  let i = 0;
  // nextBackslash is the position of the first backslash at or after the
  // string being scanned (n when none): found once, not per string.
  let nextBackslash = -1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // The string's end: the next quote that no backslash escapes.
      let j = text.indexOf('"', i + 1);
      if (nextBackslash <= i) {
        nextBackslash = text.indexOf('\\', i + 1);
        if (nextBackslash === -1) nextBackslash = n;
      }
      const escaped = nextBackslash < j;
      if (escaped) {
        for (j = i + 1; ; j++) {
          const d = text.charCodeAt(j);
          if (d === QUOTE) break;
          if (d !== BACKSLASH) continue;
          if (text.charCodeAt(j + 1) !== 117 /* u */) {
            j++;
            continue;
          }
          const u = hex4(text, j + 2);
          if (u >= 0xd800 && u <= 0xdbff && text.charCodeAt(j + 6) === BACKSLASH && text.charCodeAt(j + 7) === 117) {
            const low = hex4(text, j + 8);
            if (low >= 0xdc00 && low <= 0xdfff) {
              j += 11;
              continue;
            }
          }
          if (u >= 0xd800 && u <= 0xdfff) {
            return { instancePath: pointer(stack), keyword: 'json', message: `string holds a lone UTF-16 surrogate \\u${text.slice(j + 2, j + 6).toLowerCase()}, which no valid string can` };
          }
          j += 5;
        }
      }
      const top = stack.length > 0 ? stack[stack.length - 1] : undefined;
      if (top !== undefined && top.obj && top.expectKey) {
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        top.keys ??= new Set();
        top.key = key;
        if (top.keys.has(key)) {
          return { instancePath: pointer(stack), keyword: 'json', message: `duplicate key ${JSON.stringify(key)} in an object` };
        }
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j + 1;
      continue;
    }
    switch (c) {
      case 123: // {
        stack.push({ obj: true, keys: null, key: '', index: 0, expectKey: true });
        break;
      case 91: // [
        stack.push({ obj: false, keys: null, key: '', index: 0, expectKey: false });
        break;
      case 125: // }
      case 93: // ]
        stack.pop();
        break;
      case 44: {
        // ,
        const top = stack[stack.length - 1];
        if (top.obj) top.expectKey = true;
        else top.index++;
        break;
      }
    }
    i++;
  }
  return undefined;
}
