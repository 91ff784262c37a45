import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { lintGutter, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import { Annotation, EditorState } from "@codemirror/state";
import { EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from "@codemirror/view";
import { useEffect, useRef } from "react";
import { flowDslSupport } from "./dsl-language";
import { problemRange, type DslProblem } from "./dsl-sync";

/** Marks changes that came from `value` (not typed), so they are not echoed back. */
const external = Annotation.define<boolean>();

export interface DslEditorProps {
  value: string;
  problem: DslProblem | null;
  onChange: (text: string) => void;
}

/** CodeMirror 6 over the Flow DSL; a parse problem becomes a lint mark on its line. */
export function DslEditor({ value, problem, onChange }: DslEditorProps) {
  const host = useRef<HTMLDivElement | null>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  useEffect(() => {
    onChangeRef.current = onChange;
  });

  useEffect(() => {
    const parent = host.current;
    if (parent === null) return;
    const editor = new EditorView({
      parent,
      state: EditorState.create({
        doc: "",
        extensions: [
          lineNumbers(),
          highlightActiveLine(),
          highlightActiveLineGutter(),
          history(),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          lintGutter(),
          flowDslSupport(),
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({ "aria-label": "Flow DSL source" }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged && !update.transactions.some((tr) => tr.annotation(external) === true)) {
              onChangeRef.current(update.state.doc.toString());
            }
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
  }, []);

  // Text from outside (serialisation after entering the view, undo): replace the document.
  useEffect(() => {
    const editor = view.current;
    if (editor === null) return;
    const current = editor.state.doc.toString();
    if (current !== value) editor.dispatch({ changes: { from: 0, to: current.length, insert: value }, annotations: external.of(true) });
  }, [value]);

  useEffect(() => {
    const editor = view.current;
    if (editor === null) return;
    const text = editor.state.doc.toString();
    const range = problem === null ? null : problemRange(text, problem);
    const diagnostics: Diagnostic[] =
      problem === null || range === null ? [] : [{ from: range.from, to: range.to, severity: "error", message: problem.message, source: "Flow DSL" }];
    editor.dispatch(setDiagnostics(editor.state, diagnostics));
  }, [problem, value]);

  return <div ref={host} className="fe-dsl-editor" data-testid="dsl-editor" />;
}

export default DslEditor;
