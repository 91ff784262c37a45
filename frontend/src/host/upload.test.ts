import type { InstalledModel } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import { modelImportUrl, uploadModelFile, type UploadProgress } from "./upload";

/** Records what the upload did and lets the test answer it. */
class FakeRequest {
  method = "";
  url = "";
  headers: Record<string, string> = {};
  body: Blob | null = null;
  aborted = false;
  status = 0;
  statusText = "";
  responseText = "";
  withCredentials = false;
  onload: XMLHttpRequest["onload"] = null;
  onerror: XMLHttpRequest["onerror"] = null;
  onabort: XMLHttpRequest["onabort"] = null;
  upload: Pick<XMLHttpRequestUpload, "onprogress"> = { onprogress: null };

  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: Blob) {
    this.body = body;
  }
  abort() {
    this.aborted = true;
    this.onabort?.call(this as unknown as XMLHttpRequest, {} as ProgressEvent);
  }
  progress(loaded: number, total: number, lengthComputable = true) {
    this.upload.onprogress?.call(this as unknown as XMLHttpRequest, { loaded, total, lengthComputable } as ProgressEvent);
  }
  answer(status: number, statusText: string, body: string) {
    this.status = status;
    this.statusText = statusText;
    this.responseText = body;
    this.onload?.call(this as unknown as XMLHttpRequest, {} as ProgressEvent);
  }
  fail() {
    this.onerror?.call(this as unknown as XMLHttpRequest, {} as ProgressEvent);
  }
}

function start(options: { onProgress?: (p: UploadProgress) => void; signal?: AbortSignal } = {}) {
  const fake = new FakeRequest();
  const file = new Blob([new Uint8Array(1_000)]);
  const promise = uploadModelFile(file, "my model.gguf", options, () => fake);
  return { fake, promise };
}

describe("uploadModelFile", () => {
  it("builds the import URL", () => {
    expect(modelImportUrl("a b&c.gguf")).toBe("/api/models/import?fileName=a%20b%26c.gguf");
    expect(modelImportUrl("a.gguf", "http://127.0.0.1:3456")).toBe("http://127.0.0.1:3456/api/models/import?fileName=a.gguf");
  });

  it("POSTs the raw file with the session cookie, reports progress and resolves with the installed model", async () => {
    const seen: UploadProgress[] = [];
    const { fake, promise } = start({ onProgress: (p) => seen.push(p) });
    expect(fake.method).toBe("POST");
    expect(fake.url).toBe("/api/models/import?fileName=my%20model.gguf");
    expect(fake.withCredentials).toBe(true);
    expect(fake.headers["Content-Type"]).toBe("application/octet-stream");
    expect(fake.body?.size).toBe(1_000);
    fake.progress(250, 1_000);
    fake.progress(600, 0, false);
    expect(seen).toEqual([
      { loaded: 250, total: 1_000 },
      { loaded: 600, total: 1_000 },
    ]);
    const model: InstalledModel = { fileName: "my model.gguf", sizeBytes: 1_000, architecture: "gemma3" };
    fake.answer(200, "OK", JSON.stringify(model));
    await expect(promise).resolves.toEqual(model);
  });

  it("rejects with the server's AppError, or an Internal one for other bodies", async () => {
    const taken = start();
    taken.fake.answer(409, "Conflict", JSON.stringify({ kind: "Conflict", error: "a model named my model.gguf is installed" }));
    await expect(taken.promise).rejects.toEqual({ kind: "Conflict", error: "a model named my model.gguf is installed" });

    const html = start();
    html.fake.answer(502, "Bad Gateway", "<html>oops</html>");
    await expect(html.promise).rejects.toMatchObject({ kind: "Internal", error: expect.stringContaining("502") as unknown });
  });

  it("rejects as Unavailable on a network error and when aborted", async () => {
    const broken = start();
    broken.fake.fail();
    await expect(broken.promise).rejects.toMatchObject({ kind: "Unavailable" });

    const controller = new AbortController();
    const cancelled = start({ signal: controller.signal });
    controller.abort();
    expect(cancelled.fake.aborted).toBe(true);
    await expect(cancelled.promise).rejects.toEqual({ kind: "Unavailable", error: "upload cancelled" });

    const already = new AbortController();
    already.abort();
    const never = start({ signal: already.signal });
    expect(never.fake.method).toBe("");
    await expect(never.promise).rejects.toEqual({ kind: "Unavailable", error: "upload cancelled" });
  });
});
