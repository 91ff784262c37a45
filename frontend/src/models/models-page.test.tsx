import type { CatalogModel, ModelDownload } from "@flow/bindings";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { CatalogTable, DownloadRow, InstalledTable } from "./ModelsPage";

const noop = () => undefined;

function row(download: Partial<ModelDownload>): string {
  const full: ModelDownload = {
    id: "gemma",
    fileName: "gemma.gguf",
    status: "downloading",
    bytes: 250_000_000,
    total: 1_000_000_000,
    rateBps: 5_000_000,
    etaSecs: 150,
    error: null,
    ...download,
  };
  return renderToStaticMarkup(
    <DownloadRow download={full} name="Gemma" busy={false} onPause={noop} onResume={noop} onCancel={noop} />,
  );
}

const buttons = (html: string) => [...html.matchAll(/<button[^>]*>([^<]*)<\/button>/g)].map((match) => match[1]);

describe("DownloadRow", () => {
  it("shows progress, bytes, rate and time left while downloading", () => {
    const html = row({});
    expect(html).toContain('aria-label="Gemma download progress"');
    expect(html).toContain('value="0.25"');
    expect(html).toContain("250 MB / 1.00 GB (25%)");
    expect(html).toContain("5.00 MB/s");
    expect(html).toContain("2 min 30 s left");
    expect(buttons(html)).toEqual(["Pause", "Cancel"]);
  });

  it("offers resume for paused and failed downloads, showing the error", () => {
    expect(buttons(row({ status: "paused", rateBps: 0, etaSecs: null }))).toEqual(["Resume", "Cancel"]);
    const failed = row({ status: "failed", error: "checksum mismatch" });
    expect(failed).toContain("checksum mismatch");
    expect(buttons(failed)).toEqual(["Resume", "Cancel"]);
    expect(buttons(row({ status: "verifying" }))).toEqual([]);
  });
});

describe("CatalogTable and InstalledTable", () => {
  const model = (id: string): CatalogModel => ({
    id,
    name: `Model ${id}`,
    family: "gemma3",
    parameters: "270M",
    quantization: "Q4_K_M",
    sizeBytes: 253_000_000,
    contextLength: 32_768,
    ramBytes: 600_000_000,
    url: "https://example.invalid/m.gguf",
    fileName: `${id}.gguf`,
  });

  it("marks installed entries and offers Download for the rest", () => {
    const html = renderToStaticMarkup(
      <CatalogTable
        models={[model("a"), model("b"), model("c")]}
        installed={[{ fileName: "a.gguf", sizeBytes: 1 }]}
        downloads={[{ id: "c", fileName: "c.gguf", status: "paused", bytes: 1, total: 2, rateBps: 0, etaSecs: null, error: null }]}
        pending={new Set()}
        onDownload={noop}
      />,
    );
    expect(html).toContain("Installed");
    expect(html).toContain("Paused");
    expect(buttons(html)).toEqual(["Download"]);
    expect(html).toContain("253 MB");
    expect(html).toContain("600 MB");
    expect(html).toContain("32,768 tokens");
  });

  it("shows header parse errors for installed files", () => {
    const html = renderToStaticMarkup(
      <InstalledTable
        models={[
          { fileName: "ok.gguf", sizeBytes: 2_000_000_000, architecture: "llama", quantization: "Q8_0", contextLength: 8_192 },
          { fileName: "broken.gguf", sizeBytes: 10, error: "not a GGUF file" },
        ]}
      />,
    );
    expect(html).toContain("llama");
    expect(html).toContain("8,192 tokens");
    expect(html).toContain("2.00 GB");
    expect(html).toContain("Could not read its header: not a GGUF file");
  });
});
