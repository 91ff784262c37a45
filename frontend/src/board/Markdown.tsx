import { Fragment, useMemo } from "react";
import { parseMarkdown, type Inline } from "./markdown";

function Inlines({ inlines }: { inlines: Inline[] }) {
  return (
    <>
      {inlines.map((inline, index) => {
        switch (inline.kind) {
          case "code":
            return <code key={index}>{inline.text}</code>;
          case "strong":
            return <strong key={index}>{inline.text}</strong>;
          default:
            return <Fragment key={index}>{inline.text}</Fragment>;
        }
      })}
    </>
  );
}

/** Renders a task description's Markdown subset as React elements (never as raw HTML). */
export function Markdown({ text }: { text: string }) {
  const blocks = useMemo(() => parseMarkdown(text), [text]);
  return (
    <div className="markdown">
      {blocks.map((block, index) => {
        switch (block.kind) {
          case "rule":
            return <hr key={index} />;
          case "code":
            return (
              <pre key={index}>
                <code>{block.text}</code>
              </pre>
            );
          case "heading": {
            // Inside the detail panel, the description's headings sit below its own h2.
            const level = Math.min(6, Math.max(3, block.level));
            const Tag = `h${level}` as "h3" | "h4" | "h5" | "h6";
            return (
              <Tag key={index}>
                <Inlines inlines={block.inlines} />
              </Tag>
            );
          }
          case "list": {
            const items = block.items.map((item, itemIndex) => (
              <li key={itemIndex}>
                <Inlines inlines={item} />
              </li>
            ));
            return block.ordered ? <ol key={index}>{items}</ol> : <ul key={index}>{items}</ul>;
          }
          default:
            return (
              <p key={index}>
                <Inlines inlines={block.inlines} />
              </p>
            );
        }
      })}
    </div>
  );
}
