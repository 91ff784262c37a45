import type { AuthKind, CatalogEntry, Connection, ConnectionInput, ConnectionStatus, FlowEvent, JsonValue, KeyPlacement } from "@flow/bindings";

/** A service a connection can be made for: from a catalog entry's `serviceIntegration`, or a cloud AI provider. */
export interface ServiceOption {
  id: string;
  name: string;
  authKinds: readonly AuthKind[];
  defaultAuth: AuthKind;
  helpUrl: string | null;
  defaultBaseUrl: string | null;
  oauth: { authorizeUrl: string | null; tokenUrl: string | null; scopes: readonly string[] } | null;
}

const ALL_AUTH: readonly AuthKind[] = ["none", "bearer", "basic", "apiKey", "oauth2"];

/** Cloud AI providers a connection can hold a key for (not in the node catalog as services). */
const CLOUD_PROVIDERS: readonly ServiceOption[] = [
  {
    id: "openai",
    name: "OpenAI-compatible API (cloud AI)",
    authKinds: ["bearer"],
    defaultAuth: "bearer",
    helpUrl: "https://platform.openai.com/api-keys",
    defaultBaseUrl: "https://api.openai.com/v1",
    oauth: null,
  },
];

type JsonObject = Record<string, JsonValue>;

function asObject(value: JsonValue | undefined): JsonObject | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value : null;
}

function asString(value: JsonValue | undefined): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function isAuthKind(value: JsonValue): value is AuthKind {
  return typeof value === "string" && (ALL_AUTH as readonly string[]).includes(value);
}

/** The services the installed catalog describes (one per service id), then the cloud AI providers. */
export function serviceOptions(entries: readonly CatalogEntry[]): ServiceOption[] {
  const byId = new Map<string, ServiceOption>();
  for (const entry of entries) {
    const integration = asObject(entry.serviceIntegration ?? undefined);
    if (integration === null) continue;
    const id = asString(integration.service) ?? asString(entry.identity.service);
    if (id === null || byId.has(id)) continue;
    const auth = asObject(integration.auth);
    const kinds = Array.isArray(auth?.kinds) ? auth.kinds.filter(isAuthKind) : [];
    const scheme = auth?.default ?? auth?.scheme;
    const declared = scheme !== undefined && isAuthKind(scheme) ? scheme : null;
    const authKinds = kinds.length > 0 ? kinds : declared !== null ? [declared] : ALL_AUTH;
    const oauth = asObject(auth?.oauth2);
    byId.set(id, {
      id,
      name: asString(integration.name) ?? entry.name,
      authKinds,
      defaultAuth: declared !== null && authKinds.includes(declared) ? declared : (authKinds[0] ?? "none"),
      helpUrl: asString(integration.helpUrl),
      defaultBaseUrl: asString(integration.baseUrl),
      oauth:
        oauth === null
          ? null
          : {
              authorizeUrl: asString(oauth.authorizeUrl),
              tokenUrl: asString(oauth.tokenUrl),
              scopes: Array.isArray(oauth.scopes) ? oauth.scopes.filter((s): s is string => typeof s === "string") : [],
            },
    });
  }
  for (const provider of CLOUD_PROVIDERS) if (!byId.has(provider.id)) byId.set(provider.id, provider);
  return [...byId.values()];
}

/** What the connection form edits: every field as text; the secret is write-only. */
export interface ConnectionDraft {
  id: string | null;
  name: string;
  service: string;
  auth: AuthKind;
  baseUrl: string;
  username: string;
  keyName: string;
  keyIn: KeyPlacement;
  clientId: string;
  authorizeUrl: string;
  tokenUrl: string;
  /** Space- or comma-separated. */
  scopes: string;
  /** Typed secret; blank keeps the stored one. */
  secret: string;
  /** Remove the stored secret on save. */
  clearSecret: boolean;
  /** A secret is stored already (the form says so instead of showing it). */
  hasSecret: boolean;
}

/** A fresh draft for `service`, or one for editing `connection`. */
export function draftFor(service: ServiceOption, connection: Connection | null = null): ConnectionDraft {
  const config = connection?.config;
  return {
    id: connection?.id ?? null,
    name: connection?.name ?? service.name,
    service: connection?.service ?? service.id,
    auth: connection?.auth ?? service.defaultAuth,
    baseUrl: config?.baseUrl ?? "",
    username: config?.username ?? "",
    keyName: config?.keyName ?? "",
    keyIn: config?.keyIn ?? "header",
    clientId: config?.clientId ?? "",
    authorizeUrl: config?.authorizeUrl ?? "",
    tokenUrl: config?.tokenUrl ?? "",
    scopes: (config?.scopes ?? []).join(" "),
    secret: "",
    clearSecret: false,
    hasSecret: connection?.hasSecret ?? false,
  };
}

/** The label of the write-only secret field for an auth kind, or null when it has none. */
export function secretLabel(auth: AuthKind): string | null {
  switch (auth) {
    case "bearer":
      return "Token";
    case "basic":
      return "Password";
    case "apiKey":
      return "API key";
    case "oauth2":
      return "Client secret (optional for public clients)";
    default:
      return null;
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.host !== "";
  } catch {
    return false;
  }
}

export type DraftErrors = Partial<Record<"name" | "baseUrl" | "username" | "keyName" | "clientId" | "authorizeUrl" | "tokenUrl" | "secret", string>>;

/** What is wrong with a draft, by field, checked the way the core checks it. */
export function draftErrors(draft: ConnectionDraft, service: ServiceOption | null): DraftErrors {
  const errors: DraftErrors = {};
  if (draft.name.trim() === "") errors.name = "Give the connection a name.";
  else if (draft.name.trim().length > 100) errors.name = "At most 100 characters.";
  for (const key of ["baseUrl", "authorizeUrl", "tokenUrl"] as const) {
    const value = draft[key].trim();
    if (value !== "" && !isHttpUrl(value)) errors[key] = "An http or https URL.";
  }
  if (draft.auth === "basic" && draft.username.trim() === "") errors.username = "Basic auth needs a username.";
  if (draft.auth === "apiKey" && draft.keyName.trim() !== "" && !/^[\x21-\x7e]+$/.test(draft.keyName.trim())) {
    errors.keyName = "A header or parameter name, without spaces.";
  }
  if (draft.auth === "oauth2") {
    if (draft.clientId.trim() === "") errors.clientId = "OAuth 2 needs the client id you registered with the provider.";
    if (draft.authorizeUrl.trim() === "" && (service?.oauth?.authorizeUrl ?? null) === null) errors.authorizeUrl = "This service has no default: give the authorization URL.";
    if (draft.tokenUrl.trim() === "" && (service?.oauth?.tokenUrl ?? null) === null) errors.tokenUrl = "This service has no default: give the token URL.";
  }
  const needsSecret = draft.auth === "bearer" || draft.auth === "apiKey" || draft.auth === "basic";
  if (needsSecret && draft.id === null && draft.secret === "") errors.secret = `Enter the ${secretLabel(draft.auth)?.toLowerCase() ?? "secret"}.`;
  return errors;
}

function optional(text: string): string | undefined {
  const trimmed = text.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** The `connection_save` input for a draft: only the fields its auth kind uses; the secret only when typed or cleared. */
export function toInput(draft: ConnectionDraft): ConnectionInput {
  const scopes = draft.scopes
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const input: ConnectionInput = {
    name: draft.name.trim(),
    service: draft.service,
    auth: draft.auth,
    config: {
      baseUrl: optional(draft.baseUrl),
      ...(draft.auth === "basic" ? { username: optional(draft.username) } : {}),
      ...(draft.auth === "apiKey" ? { keyName: optional(draft.keyName), keyIn: draft.keyIn } : {}),
      ...(draft.auth === "oauth2"
        ? { clientId: optional(draft.clientId), authorizeUrl: optional(draft.authorizeUrl), tokenUrl: optional(draft.tokenUrl), scopes: scopes.length > 0 ? scopes : undefined }
        : {}),
    },
  };
  if (draft.id !== null) input.id = draft.id;
  if (draft.clearSecret) input.secret = "";
  else if (draft.secret !== "" && secretLabel(draft.auth) !== null) input.secret = draft.secret;
  return input;
}

/** A short status text and its tone for the badge. */
export function statusBadge(status: ConnectionStatus): { text: string; tone: "ok" | "warn" | "error" } {
  switch (status) {
    case "ready":
      return { text: "Ready", tone: "ok" };
    case "missingSecret":
      return { text: "No secret stored", tone: "warn" };
    case "notConnected":
      return { text: "Not connected", tone: "warn" };
    case "needsReconnect":
      return { text: "Reconnect needed", tone: "error" };
  }
}

/** The auth kind in words. */
export function authLabel(auth: AuthKind): string {
  switch (auth) {
    case "none":
      return "No auth";
    case "bearer":
      return "Bearer token";
    case "basic":
      return "Basic auth";
    case "apiKey":
      return "API key";
    case "oauth2":
      return "OAuth 2";
  }
}

/** What the server's OAuth callback redirect says, from the page's query string. */
export type CallbackNotice = { kind: "connected"; id: string } | { kind: "error"; message: string } | null;

export function callbackNotice(search: string): CallbackNotice {
  const params = new URLSearchParams(search);
  const connected = params.get("connected");
  if (connected !== null && connected !== "") return { kind: "connected", id: connected };
  const error = params.get("oauthError");
  if (error !== null && error !== "") return { kind: "error", message: error };
  return null;
}

/** The warning shown before deleting a connection that saved flows use (null when none do). */
export function deleteWarning(connection: Connection): string | null {
  if (connection.usedBy.length === 0) return null;
  const names = connection.usedBy.map((flow) => `“${flow.name}”`).join(", ");
  const which = connection.usedBy.length === 1 ? "This saved flow uses it" : "These saved flows use it";
  return `${which}: ${names}. Their service nodes will fail until you pick another connection.`;
}

/** Connections a node of `service` can use, ready ones first. */
export function connectionsFor(connections: readonly Connection[], service: string | null): Connection[] {
  return connections
    .filter((c) => service === null || c.service === service)
    .sort((a, b) => Number(b.status === "ready") - Number(a.status === "ready") || a.name.localeCompare(b.name));
}

/** Whether a pushed event changes the connection list. */
export function touchesConnections(event: FlowEvent): boolean {
  return event.type === "connections-changed" || (event.type === "flows-changed" && event.change !== "collections");
}
