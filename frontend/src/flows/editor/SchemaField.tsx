import type { JsonValue } from "@flow/bindings";
import { useId, useState } from "react";
import { ConnectionPicker } from "../../connections/ConnectionPicker";
import { coerceFieldValue, fieldProblem, formatFieldValue, parseJsonText, type FieldDescriptor } from "./schema-form";

export interface SchemaFieldProps {
  field: FieldDescriptor;
  value: JsonValue | undefined;
  /** Messages from the core's validation for this field. */
  issues: readonly string[];
  onCommit: (value: JsonValue | undefined) => void;
  /** The node's service id, so a connection field offers that service's connections. */
  service?: string | null;
}

const DRAFTED = new Set(["integer", "number", "json"]);

/** One schema property as a form control; typed text that does not parse stays local with its error. */
export function SchemaField({ field, value, issues, onCommit, service = null }: SchemaFieldProps) {
  const id = useId();
  const [draft, setDraft] = useState<string | null>(null);
  const [parseError, setParseError] = useState<string | null>(null);
  const shown = formatFieldValue(field, value);
  // The core's messages replace the local constraint check (same rules, said once).
  const local = parseError ?? (issues.length > 0 ? null : fieldProblem(field, value));
  const messages = [...(local === null ? [] : [local]), ...issues];
  const invalid = messages.length > 0;
  const describedBy = `${id}-help`;

  const change = (raw: string | boolean) => {
    if (typeof raw === "string" && DRAFTED.has(field.control)) setDraft(raw);
    const result = coerceFieldValue(field, raw);
    if (result.ok) {
      setParseError(null);
      onCommit(result.value);
    } else {
      setParseError(result.error);
    }
  };
  const text = typeof shown === "string" ? (draft ?? shown) : "";
  const common = {
    id,
    required: field.required,
    "aria-invalid": invalid,
    "aria-describedby": describedBy,
    onBlur: () => {
      if (parseError === null) setDraft(null);
    },
  };

  let control;
  switch (field.control) {
    case "boolean":
      control = <input {...common} type="checkbox" checked={shown === true} onChange={(e) => { change(e.target.checked); }} />;
      break;
    case "select":
      control = (
        <select {...common} value={text} onChange={(e) => { change(e.target.value); }}>
          <option value="">{field.required ? "Choose…" : "(none)"}</option>
          {(field.enumValues ?? []).map((option, index) => (
            <option key={JSON.stringify(option)} value={String(index)}>
              {typeof option === "string" ? option : JSON.stringify(option)}
            </option>
          ))}
        </select>
      );
      break;
    case "connection":
      control = (
        <ConnectionPicker
          {...common}
          service={service}
          value={typeof value === "string" ? value : ""}
          onChange={(id) => {
            onCommit(id === "" ? undefined : id);
          }}
        />
      );
      break;
    case "textarea":
    case "json":
      control = <textarea {...common} rows={field.control === "json" ? 4 : 5} spellCheck={false} value={text} onChange={(e) => { change(e.target.value); }} />;
      break;
    default: {
      const type = field.control === "password" ? "password" : field.control === "uri" ? "url" : field.control === "integer" || field.control === "number" ? "text" : "text";
      control = (
        <input
          {...common}
          type={type}
          inputMode={field.control === "integer" ? "numeric" : field.control === "number" ? "decimal" : undefined}
          autoComplete={field.control === "password" ? "off" : undefined}
          placeholder={field.defaultValue !== undefined && field.defaultValue !== null ? String(formatFieldValue(field, field.defaultValue)) : field.control === "path" ? "/path/to/…" : undefined}
          value={text}
          onChange={(e) => { change(e.target.value); }}
        />
      );
    }
  }

  return (
    <div className="fe-field" data-invalid={invalid ? "true" : undefined}>
      <label htmlFor={id}>{field.title}</label>
      {control}
      <div id={describedBy} className="fe-field-help">
        {field.description !== null && <span className="muted">{field.description}</span>}
        {field.required && messages.length === 0 && <span className="muted">Required</span>}
        {messages.map((message) => (
          <span key={message} className="error">
            {message}
          </span>
        ))}
      </div>
    </div>
  );
}

export interface JsonFieldProps {
  label: string;
  value: JsonValue | undefined;
  issues?: readonly string[];
  onCommit: (value: JsonValue | undefined) => void;
}

/** A data value edited as JSON text (undeclared keys); clearing the text removes the key. */
export function JsonField({ label, value, issues = [], onCommit }: JsonFieldProps) {
  const id = useId();
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const messages = [...(error === null ? [] : [error]), ...issues];
  return (
    <div className="fe-field" data-invalid={messages.length > 0 ? "true" : undefined}>
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        rows={2}
        spellCheck={false}
        aria-invalid={messages.length > 0}
        aria-describedby={`${id}-help`}
        value={draft ?? (value === undefined ? "" : JSON.stringify(value, null, 2))}
        onChange={(e) => {
          setDraft(e.target.value);
          const result = parseJsonText(e.target.value, null);
          if (result.ok) {
            setError(null);
            onCommit(result.value);
          } else setError(result.error);
        }}
        onBlur={() => {
          if (error === null) setDraft(null);
        }}
      />
      <div id={`${id}-help`} className="fe-field-help">
        {messages.map((message) => (
          <span key={message} className="error">
            {message}
          </span>
        ))}
      </div>
    </div>
  );
}
