import { HighlightStyle, StreamLanguage, syntaxHighlighting, type StringStream } from "@codemirror/language";
import type { Extension } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { tags } from "@lezer/highlight";
import { readToken, startState, type DslState } from "./dsl-tokens";

/** The Flow DSL as a CodeMirror stream language (the tokenizer itself lives in dsl-tokens). */
export const flowDsl = StreamLanguage.define<DslState>({
  name: "flow-dsl",
  startState,
  copyState: (state) => ({ ...state }),
  token: (stream: StringStream, state) => readToken(stream, state),
  blankLine: (state) => {
    state.inString = false;
  },
  languageData: { commentTokens: { line: "#" } },
  tokenTable: {
    keyword: tags.keyword,
    nodeKind: tags.typeName,
    string: tags.string,
    escape: tags.escape,
    template: tags.special(tags.string),
    number: tags.number,
    arrow: tags.operator,
    outcome: tags.labelName,
    comment: tags.lineComment,
    identifier: tags.variableName,
    punctuation: tags.punctuation,
  },
});

const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: "var(--primary)", fontWeight: "600" },
  { tag: tags.typeName, color: "color-mix(in srgb, var(--primary) 55%, var(--foreground))", fontStyle: "italic" },
  { tag: tags.string, color: "var(--success)" },
  { tag: tags.escape, color: "color-mix(in srgb, var(--success) 60%, var(--foreground))", fontWeight: "600" },
  { tag: tags.special(tags.string), color: "var(--secondary)", fontWeight: "600" },
  { tag: tags.number, color: "color-mix(in srgb, #b45309 75%, var(--foreground))" },
  { tag: tags.operator, color: "var(--foreground)", fontWeight: "700" },
  { tag: tags.labelName, color: "var(--danger)" },
  { tag: tags.lineComment, color: "var(--muted)", fontStyle: "italic" },
  { tag: tags.punctuation, color: "var(--muted)" },
]);

/** Editor chrome from the app's CSS variables, so light and dark themes follow the app. */
const theme = EditorView.theme({
  "&": { color: "var(--foreground)", backgroundColor: "var(--background)", height: "100%", fontSize: "0.9rem" },
  ".cm-content": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace", caretColor: "var(--foreground)" },
  ".cm-gutters": { backgroundColor: "var(--surface)", color: "var(--muted)", borderRight: "1px solid var(--border)" },
  ".cm-activeLine": { backgroundColor: "color-mix(in srgb, var(--primary) 6%, transparent)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--surface-strong)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": { backgroundColor: "var(--accent-soft)" },
  "&.cm-focused": { outline: "none" },
  ".cm-cursor": { borderLeftColor: "var(--foreground)" },
  ".cm-tooltip": { backgroundColor: "var(--surface)", color: "var(--foreground)", border: "1px solid var(--border)" },
});

export function flowDslSupport(): Extension {
  return [flowDsl, syntaxHighlighting(highlight), theme];
}
