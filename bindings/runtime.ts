// The hand-written part of @flow/bindings: the transport contract and the HTTP transport.
// `index.ts`, generated from the command table, re-exports it and builds the typed client on it.

import type { AppError, CommandName } from "./index.ts";

/**
 * How a client reaches the core. `invoke` resolves with the command's result, or rejects with
 * an `AppError` (never an `Error`): command failures as the core reported them, transport
 * failures as `Unavailable`.
 */
export interface Transport {
	invoke(command: CommandName, args: Record<string, unknown>): Promise<unknown>;
}

// Keyed by every kind, so a kind added to the core's AppError fails to type-check until it is listed.
const APP_ERROR_KINDS: Readonly<Record<AppError["kind"], true>> = {
	NotFound: true,
	InvalidInput: true,
	Conflict: true,
	Unauthorized: true,
	PayloadTooLarge: true,
	Unavailable: true,
	Internal: true,
};

/** Whether a value is an `AppError` as the core sends it. */
export function isAppError(value: unknown): value is AppError {
	if (typeof value !== "object" || value === null) return false;
	const record = value as Record<string, unknown>;
	return typeof record.kind === "string" && Object.hasOwn(APP_ERROR_KINDS, record.kind) && typeof record.error === "string";
}

/**
 * The `AppError` a failed HTTP response stands for: its JSON body when that is one, else an
 * `Internal` error naming the status and the start of the body.
 */
export function appErrorFromResponse(status: number, text: string): AppError {
	let body: unknown = null;
	try {
		body = text === "" ? null : JSON.parse(text);
	} catch {
		// Not JSON: reported by status below.
	}
	if (isAppError(body)) return body;
	return { kind: "Internal", error: `HTTP ${String(status)}: ${text.slice(0, 200)}`.trim() };
}

/** Options of `createHttpTransport`. */
export interface HttpTransportOptions {
	/** Server origin, e.g. `http://127.0.0.1:3456`; empty for same-origin (the browser UI). */
	baseUrl?: string;
	/** Access token sent as `Authorization: Bearer`; omit to rely on the session cookie. */
	token?: string;
	/** A `fetch` implementation (defaults to the global one). */
	fetch?: typeof fetch;
}

/** The HTTP transport: `POST {baseUrl}/api/invoke/{command}` with the arguments as the body. */
export function createHttpTransport(options: HttpTransportOptions = {}): Transport {
	const base = (options.baseUrl ?? "").replace(/\/+$/, "");
	return {
		async invoke(command, args) {
			const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
			const headers: Record<string, string> = { "Content-Type": "application/json" };
			if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
			let response: Response;
			try {
				response = await doFetch(`${base}/api/invoke/${command}`, {
					method: "POST",
					headers,
					body: JSON.stringify(args),
					credentials: "same-origin",
				});
			} catch (cause) {
				const error: AppError = { kind: "Unavailable", error: `cannot reach the server: ${cause instanceof Error ? cause.message : String(cause)}` };
				throw error;
			}
			const text = await response.text();
			if (!response.ok) throw appErrorFromResponse(response.status, text);
			try {
				return text === "" ? null : JSON.parse(text);
			} catch {
				return null;
			}
		},
	};
}
