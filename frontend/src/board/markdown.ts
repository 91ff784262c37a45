// A tiny Markdown subset for task descriptions: paragraphs, ATX headings, `---` rules, fenced
// code blocks, bullet and numbered lists, and inline code spans / **bold**. It produces plain
// data; the React side renders it as elements, so input text is never interpreted as HTML.

export type Inline = { kind: "text"; text: string } | { kind: "code"; text: string } | { kind: "strong"; text: string };

export type Block =
  | { kind: "heading"; level: number; inlines: Inline[] }
  | { kind: "rule" }
  | { kind: "code"; text: string }
  | { kind: "list"; ordered: boolean; items: Inline[][] }
  | { kind: "paragraph"; inlines: Inline[] };

const HEADING = /^(#{1,6})\s+(.*)$/;
const RULE = /^\s{0,3}(?:-{3,}|\*{3,}|_{3,})\s*$/;
const FENCE = /^\s{0,3}(```|~~~)/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d{1,9}[.)]\s+(.*)$/;

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  const pattern = /`([^`]+)`|\*\*([^*]+)\*\*/g;
  let last = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (match.index > last) out.push({ kind: "text", text: text.slice(last, match.index) });
    if (match[1] !== undefined) out.push({ kind: "code", text: match[1] });
    else if (match[2] !== undefined) out.push({ kind: "strong", text: match[2] });
    last = match.index + match[0].length;
  }
  if (last < text.length) out.push({ kind: "text", text: text.slice(last) });
  return out;
}

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  // Held in an object: the helpers below reset it, which plain `let` narrowing cannot see.
  const open: { list: { ordered: boolean; items: string[] } | null } = { list: null };

  const endParagraph = () => {
    if (paragraph.length > 0) blocks.push({ kind: "paragraph", inlines: parseInline(paragraph.join("\n")) });
    paragraph = [];
  };
  const endList = () => {
    if (open.list !== null) blocks.push({ kind: "list", ordered: open.list.ordered, items: open.list.items.map(parseInline) });
    open.list = null;
  };
  const endAll = () => {
    endParagraph();
    endList();
  };

  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? "";
    const fence = FENCE.exec(line);
    if (fence !== null) {
      endAll();
      const marker = fence[1] ?? "```";
      const body: string[] = [];
      i += 1;
      while (i < lines.length && !(lines[i] ?? "").trimStart().startsWith(marker)) {
        body.push(lines[i] ?? "");
        i += 1;
      }
      blocks.push({ kind: "code", text: body.join("\n") });
      continue;
    }
    if (line.trim() === "") {
      endAll();
      continue;
    }
    if (RULE.test(line)) {
      endAll();
      blocks.push({ kind: "rule" });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading !== null) {
      endAll();
      blocks.push({ kind: "heading", level: (heading[1] ?? "#").length, inlines: parseInline((heading[2] ?? "").trim()) });
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = bullet === null ? NUMBERED.exec(line) : null;
    const item = bullet ?? numbered;
    if (item !== null) {
      endParagraph();
      const ordered = numbered !== null;
      if (open.list?.ordered !== ordered) {
        endList();
        open.list = { ordered, items: [] };
      }
      open.list.items.push(item[1] ?? "");
      continue;
    }
    if (open.list !== null && /^\s+\S/.test(line)) {
      // A continuation line of the last list item.
      const items = open.list.items;
      items[items.length - 1] = `${items[items.length - 1] ?? ""} ${line.trim()}`;
      continue;
    }
    endList();
    paragraph.push(line);
  }
  endAll();
  return blocks;
}
