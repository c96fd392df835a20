// Reading one JSON or YAML document from a file for the offline commands (`review`, `plan`):
// every problem becomes one line that names the file, never a stack trace or an internal error.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { assertSafeDocument } from '../admission/review.js';

/** The first line of an error's message. */
export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n')[0] ?? text).replace(/:\s*$/, '');
}

/** As deep as the webhook accepts a request body (assertSafeDocument). */
const MAX_DEPTH = 512;

/** The deepest nesting of JSON/YAML flow brackets in `text`, outside quoted strings. */
function bracketDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote !== undefined) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '{') deepest = Math.max(deepest, ++depth);
    else if (ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
  }
  return deepest;
}

/** Reads and parses `path`; `what` names the file in messages ("shoot file", "review file"…). */
export function readDocumentFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${what} ${path}: ${firstLine(err)}`, { cause: err });
  }
  // A document nested thousands of levels deep would exhaust the parser's stack: refuse it first.
  if (bracketDepth(text) > MAX_DEPTH) {
    throw new Error(`${what} ${path}: the document nests deeper than ${MAX_DEPTH} levels`);
  }
  let document: unknown;
  try {
    document = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    const reason = /call stack/i.test(firstLine(err)) ? `it nests too deeply` : firstLine(err);
    throw new Error(`${what} ${path} is not valid JSON or YAML: ${reason}`, { cause: err });
  }
  try {
    assertSafeDocument(document);
  } catch (err) {
    throw new Error(`${what} ${path}: ${firstLine(err)}`, { cause: err });
  }
  return document;
}
