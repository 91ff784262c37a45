import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { parseMarkdown } from "./markdown";
import { Markdown } from "./Markdown";

const NOTE = "Do the thing.\n\n---\n\n#### [Note added by user]\n\nPlease also check `x < y`.";

describe("parseMarkdown", () => {
  it("splits a description with a user note into paragraph, rule, heading, paragraph", () => {
    expect(parseMarkdown(NOTE)).toEqual([
      { kind: "paragraph", inlines: [{ kind: "text", text: "Do the thing." }] },
      { kind: "rule" },
      { kind: "heading", level: 4, inlines: [{ kind: "text", text: "[Note added by user]" }] },
      {
        kind: "paragraph",
        inlines: [
          { kind: "text", text: "Please also check " },
          { kind: "code", text: "x < y" },
          { kind: "text", text: "." },
        ],
      },
    ]);
  });

  it("reads lists, fenced code and bold", () => {
    expect(parseMarkdown("- one\n- **two**\n\n1. first\n2. second\n\n```\nlet a = 1;\n\n# not a heading\n```")).toEqual([
      {
        kind: "list",
        ordered: false,
        items: [[{ kind: "text", text: "one" }], [{ kind: "strong", text: "two" }]],
      },
      { kind: "list", ordered: true, items: [[{ kind: "text", text: "first" }], [{ kind: "text", text: "second" }]] },
      { kind: "code", text: "let a = 1;\n\n# not a heading" },
    ]);
  });

  it("keeps an unterminated fence's text", () => {
    expect(parseMarkdown("```\nopen")).toEqual([{ kind: "code", text: "open" }]);
  });
});

describe("Markdown", () => {
  it("renders the subset as elements", () => {
    const html = renderToStaticMarkup(<Markdown text={NOTE} />);
    expect(html).toBe(
      '<div class="markdown"><p>Do the thing.</p><hr/><h4>[Note added by user]</h4><p>Please also check <code>x &lt; y</code>.</p></div>',
    );
  });

  it("never lets the text become HTML", () => {
    const hostile = '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n`<b>`\n\n```\n</pre><script>x</script>\n```';
    const html = renderToStaticMarkup(<Markdown text={hostile} />);
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&lt;img src=x onerror=");
    expect(html).toContain("<code>&lt;b&gt;</code>");
    expect(html).toContain("<pre><code>&lt;/pre&gt;&lt;script&gt;x&lt;/script&gt;</code></pre>");
  });
});
