import { appErrorFromResponse, type AppError, type InstalledModel } from "@flow/bindings";

/** Where a browser uploads a GGUF file (the raw file is the request body). */
export const MODEL_IMPORT_PATH = "/api/models/import";

/** Bytes sent so far and the body's size. */
export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface UploadOptions {
  /** Called as the body goes out (XMLHttpRequest upload progress). */
  onProgress?: (progress: UploadProgress) => void;
  /** Aborts the upload; the promise then rejects with an `Unavailable` "upload cancelled". */
  signal?: AbortSignal;
}

/** The part of XMLHttpRequest an upload uses (tests pass a fake). */
export type UploadRequest = Pick<
  XMLHttpRequest,
  "open" | "setRequestHeader" | "send" | "abort" | "status" | "statusText" | "responseText" | "withCredentials" | "onload" | "onerror" | "onabort"
> & { readonly upload: Pick<XMLHttpRequestUpload, "onprogress"> };

/** The import URL for a file name (relative: the browser UI is same-origin with the server). */
export function modelImportUrl(fileName: string, baseUrl = ""): string {
  return `${baseUrl}${MODEL_IMPORT_PATH}?fileName=${encodeURIComponent(fileName)}`;
}

/**
 * Uploads `file` as `fileName` to the model import route, authenticated like every other `/api`
 * call of the browser UI (the same-origin session cookie). Resolves with the installed model;
 * rejects with an AppError (the server's, `Unavailable` when it cannot be reached or the upload
 * was aborted).
 */
export function uploadModelFile(
  file: Blob,
  fileName: string,
  options: UploadOptions = {},
  makeRequest: () => UploadRequest = () => new XMLHttpRequest(),
): Promise<InstalledModel> {
  return new Promise<InstalledModel>((resolve, reject) => {
    const { onProgress, signal } = options;
    if (signal?.aborted === true) {
      reject({ kind: "Unavailable", error: "upload cancelled" } satisfies AppError);
      return;
    }
    const request = makeRequest();
    const onAbortSignal = () => {
      request.abort();
    };
    const settle = () => {
      signal?.removeEventListener("abort", onAbortSignal);
    };
    request.open("POST", modelImportUrl(fileName));
    request.withCredentials = true;
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("Content-Type", "application/octet-stream");
    request.upload.onprogress = (event) => {
      onProgress?.({ loaded: event.loaded, total: event.lengthComputable ? event.total : file.size });
    };
    request.onload = () => {
      settle();
      if (request.status >= 200 && request.status < 300) {
        try {
          resolve(JSON.parse(request.responseText) as InstalledModel);
        } catch {
          reject({ kind: "Internal", error: "the server's answer to the upload was not JSON" } satisfies AppError);
        }
        return;
      }
      reject(appErrorFromResponse(request.status, request.responseText));
    };
    request.onerror = () => {
      settle();
      reject({ kind: "Unavailable", error: "cannot reach the server: the upload failed" } satisfies AppError);
    };
    request.onabort = () => {
      settle();
      reject({ kind: "Unavailable", error: "upload cancelled" } satisfies AppError);
    };
    signal?.addEventListener("abort", onAbortSignal);
    request.send(file);
  });
}
