/** Token kinds of the Flow DSL highlighter (the names double as CodeMirror token names). */
export type DslTokenKind =
  | "keyword"
  | "nodeKind"
  | "string"
  | "escape"
  | "template"
  | "number"
  | "arrow"
  | "outcome"
  | "comment"
  | "identifier"
  | "punctuation";

export const DSL_KEYWORDS: readonly string[] = ["flow", "description", "subflow", "retry", "label", "when"];
export const DSL_NODE_KINDS: readonly string[] = ["action", "ai", "agentic", "utility", "service"];

/** The part of CodeMirror's StringStream the tokenizer uses (so it runs without an editor). */
export interface TokenStream {
  pos: number;
  string: string;
  eol(): boolean;
  peek(): unknown;
  next(): unknown;
  match(pattern: RegExp, consume?: boolean): RegExpMatchArray | null | boolean;
  skipToEnd(): void;
  eatSpace(): boolean;
}

/** Inside a (single-line) string literal between tokens. */
export interface DslState {
  inString: boolean;
}

export function startState(): DslState {
  return { inString: false };
}

function stringPart(stream: TokenStream, state: DslState): DslTokenKind {
  if (stream.match(/^\\(?:u\{[0-9a-fA-F]+\}|.)/)) return "escape";
  if (stream.match(/^\{\{[^}]*\}\}/)) return "template";
  return plainString(stream, state);
}

/** Plain string text up to an escape, a template, the closing quote or the line end. */
function plainString(stream: TokenStream, state: DslState): DslTokenKind {
  for (;;) {
    const ch = stream.peek();
    if (ch === undefined) {
      // Strings end with their line: an unterminated one does not swallow the rest.
      state.inString = false;
      return "string";
    }
    if (ch === '"') {
      stream.next();
      state.inString = false;
      return "string";
    }
    if (ch === "\\" || stream.match(/^\{\{/, false)) return "string";
    stream.next();
  }
}

/** Reads one token from `stream`; null for whitespace. */
export function readToken(stream: TokenStream, state: DslState): DslTokenKind | null {
  if (state.inString) return stringPart(stream, state);
  if (stream.eatSpace()) return null;
  if (stream.match(/^(#|\/\/)/)) {
    stream.skipToEnd();
    return "comment";
  }
  if (stream.match(/^"/)) {
    state.inString = true;
    return plainString(stream, state);
  }
  if (stream.match(/^\{\{[^}]*\}\}/)) return "template";
  if (stream.match(/^-->/)) return "arrow";
  if (stream.match(/^\.(pass|fail|always)\b/)) return "outcome";
  // Versions (`v1.2.0`) read as numbers.
  if (stream.match(/^v\d+(\.\d+)*(-[0-9A-Za-z.]+)?\b/)) return "number";
  if (stream.match(/^-?\d+(\.\d+)?\b/)) return "number";
  // Ids may hold '-' but stop before '-->' (`a-->b` is an edge).
  const word = stream.match(/^[A-Za-z0-9_](?:[A-Za-z0-9_]|-(?!->))*/);
  if (word !== null && word !== false) {
    const text = word === true ? "" : word[0];
    if (DSL_KEYWORDS.includes(text)) return "keyword";
    if (DSL_NODE_KINDS.includes(text)) return "nodeKind";
    return "identifier";
  }
  stream.next();
  return "punctuation";
}

/** A TokenStream over one line (for tests and anything outside an editor). */
export class LineStream implements TokenStream {
  pos = 0;
  constructor(public string: string) {}
  eol(): boolean {
    return this.pos >= this.string.length;
  }
  peek(): string | undefined {
    return this.string.charAt(this.pos) || undefined;
  }
  next(): string | undefined {
    if (this.pos >= this.string.length) return undefined;
    const ch = this.string.charAt(this.pos);
    this.pos += 1;
    return ch;
  }
  match(pattern: RegExp, consume = true): RegExpMatchArray | null {
    const found = pattern.exec(this.string.slice(this.pos));
    if (found === null || found.index > 0) return null;
    if (consume) this.pos += found[0].length;
    return found;
  }
  skipToEnd(): void {
    this.pos = this.string.length;
  }
  eatSpace(): boolean {
    const start = this.pos;
    while (this.pos < this.string.length && /\s/.test(this.string.charAt(this.pos))) this.pos += 1;
    return this.pos > start;
  }
}

/** Splits text into highlighted tokens (whitespace left out). */
export function tokenize(text: string): { kind: DslTokenKind; text: string }[] {
  const state = startState();
  const out: { kind: DslTokenKind; text: string }[] = [];
  for (const line of text.split("\n")) {
    const stream = new LineStream(line);
    while (!stream.eol()) {
      const start = stream.pos;
      const kind = readToken(stream, state);
      if (stream.pos === start) stream.next();
      if (kind !== null) out.push({ kind, text: line.slice(start, stream.pos) });
    }
    state.inString = false;
  }
  return out;
}
