import { describe, expect, it } from "vitest";
import { tokenize } from "./dsl-tokens";

const kinds = (text: string) => tokenize(text).map((t) => [t.kind, t.text]);

describe("DSL tokenizer", () => {
  it("reads keywords, node kinds, identifiers and numbers", () => {
    expect(kinds('flow "Build" 1.2')).toEqual([
      ["keyword", "flow"],
      ["string", '"Build"'],
      ["number", "1.2"],
    ]);
    expect(kinds("action build-step retry 3")).toEqual([
      ["nodeKind", "action"],
      ["identifier", "build-step"],
      ["keyword", "retry"],
      ["number", "3"],
    ]);
    for (const word of ["description", "subflow", "label", "when"]) expect(kinds(word)).toEqual([["keyword", word]]);
    for (const word of ["ai", "agentic", "utility", "service"]) expect(kinds(word)).toEqual([["nodeKind", word]]);
  });

  it("reads arrows and outcomes", () => {
    expect(kinds("a.pass --> b")).toEqual([
      ["identifier", "a"],
      ["outcome", ".pass"],
      ["arrow", "-->"],
      ["identifier", "b"],
    ]);
    expect(kinds("a.fail-->b")).toEqual([
      ["identifier", "a"],
      ["outcome", ".fail"],
      ["arrow", "-->"],
      ["identifier", "b"],
    ]);
  });

  it("splits strings into text, escapes and templates", () => {
    expect(kinds('"say \\"hi\\" {{input.name}}!"')).toEqual([
      ["string", '"say '],
      ["escape", '\\"'],
      ["string", "hi"],
      ["escape", '\\"'],
      ["string", " "],
      ["template", "{{input.name}}"],
      ["string", '!"'],
    ]);
    expect(kinds("when {{a.code}} == 0")).toEqual([
      ["keyword", "when"],
      ["template", "{{a.code}}"],
      ["punctuation", "="],
      ["punctuation", "="],
      ["number", "0"],
    ]);
  });

  it("reads the core's reference syntax", () => {
    expect(kinds('flow "JCL Pipeline" v1.0.0')).toEqual([
      ["keyword", "flow"],
      ["string", '"JCL Pipeline"'],
      ["number", "v1.0.0"],
    ]);
    expect(kinds('validate-jcl[ai: "Validate"] {')).toEqual([
      ["identifier", "validate-jcl"],
      ["punctuation", "["],
      ["nodeKind", "ai"],
      ["punctuation", ":"],
      ["string", '"Validate"'],
      ["punctuation", "]"],
      ["punctuation", "{"],
    ]);
    expect(kinds("validate-jcl.pass-->2nd-step")).toEqual([
      ["identifier", "validate-jcl"],
      ["outcome", ".pass"],
      ["arrow", "-->"],
      ["identifier", "2nd-step"],
    ]);
    expect(kinds('modelId: "m"   // local')).toEqual([
      ["identifier", "modelId"],
      ["punctuation", ":"],
      ["string", '"m"'],
      ["comment", "// local"],
    ]);
  });

  it("reads both comment styles and ends unterminated strings at the line end", () => {
    expect(kinds("# note\n// other")).toEqual([
      ["comment", "# note"],
      ["comment", "// other"],
    ]);
    expect(kinds('label "open\nflow')).toEqual([
      ["keyword", "label"],
      ["string", '"open'],
      ["keyword", "flow"],
    ]);
    expect(kinds("{ }")).toEqual([
      ["punctuation", "{"],
      ["punctuation", "}"],
    ]);
  });
});
