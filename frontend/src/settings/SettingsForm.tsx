import type { SettingField, Settings } from "@flow/bindings";
import { useState, type SubmitEvent } from "react";
import { asAppError, useHost } from "../host";
import { useSettingsStore } from "./settings-store";
import {
  buildPatch,
  bySection,
  draftFromSettings,
  fieldNamedIn,
  isDirty,
  rebaseDraft,
  type Draft,
  type DraftValue,
} from "./settings-form";

type Status =
  | { kind: "idle" }
  | { kind: "saving" }
  | { kind: "saved" }
  | { kind: "error"; message: string; fieldErrors: Readonly<Record<string, string>> };

interface FormState {
  /** The settings the draft was last reconciled with. */
  base: Settings;
  fields: readonly SettingField[];
  draft: Draft;
}

export function SettingsForm({ fields, settings }: { fields: readonly SettingField[]; settings: Settings }) {
  const { client } = useHost();
  const { accept } = useSettingsStore();
  const [form, setForm] = useState<FormState>(() => ({
    base: settings,
    fields,
    draft: draftFromSettings(settings, fields),
  }));
  const [status, setStatus] = useState<Status>({ kind: "idle" });

  // Newer settings (another tab saved, or a resync): untouched fields follow, edits stay.
  if (form.base !== settings || form.fields !== fields) {
    setForm({ base: settings, fields, draft: rebaseDraft(form.draft, form.base, settings, fields) });
  }

  const dirtyCount = fields.filter((field) => isDirty(field, form.draft, form.base)).length;
  const fieldErrors = status.kind === "error" ? status.fieldErrors : {};

  function edit(key: string, value: DraftValue) {
    setForm((current) => ({ ...current, draft: { ...current.draft, [key]: value } }));
    setStatus((current) => {
      if (current.kind === "saved") return { kind: "idle" };
      if (current.kind === "error" && key in current.fieldErrors) {
        const rest = Object.fromEntries(Object.entries(current.fieldErrors).filter(([k]) => k !== key));
        return { ...current, fieldErrors: rest };
      }
      return current;
    });
  }

  async function save(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = buildPatch(form.base, form.draft, fields);
    if (!result.ok) {
      setStatus({ kind: "error", message: "Some values are not valid; nothing was saved.", fieldErrors: result.errors });
      return;
    }
    if (result.changed.length === 0) return;
    setStatus({ kind: "saving" });
    try {
      const saved = await client.settingsUpdate(result.patch);
      const savedFields = fields.filter((field) => result.changed.includes(field.key));
      setForm((current) => ({
        base: saved,
        fields: current.fields,
        // Saved fields show the value the core stored; edits made while saving are kept.
        draft: { ...rebaseDraft(current.draft, current.base, saved, current.fields), ...draftFromSettings(saved, savedFields) },
      }));
      accept(saved);
      setStatus({ kind: "saved" });
    } catch (cause) {
      const error = asAppError(cause);
      const field = fieldNamedIn(error.error, fields);
      setStatus({ kind: "error", message: error.error, fieldErrors: field === undefined ? {} : { [field.key]: error.error } });
    }
  }

  function discard() {
    setForm((current) => ({ ...current, draft: draftFromSettings(current.base, current.fields) }));
    setStatus({ kind: "idle" });
  }

  return (
    <form className="settings-form" noValidate onSubmit={(event) => void save(event)} aria-label="Settings">
      {bySection(fields).map(([section, sectionFields]) => (
        <fieldset key={section} className="card">
          <legend>{section}</legend>
          {sectionFields.map((field) => (
            <SettingInput
              key={field.key}
              field={field}
              value={form.draft[field.key]}
              dirty={isDirty(field, form.draft, form.base)}
              error={fieldErrors[field.key]}
              onChange={(value) => {
                edit(field.key, value);
              }}
            />
          ))}
        </fieldset>
      ))}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={dirtyCount === 0 || status.kind === "saving"}>
          {status.kind === "saving" ? "Saving…" : "Save"}
        </button>
        <button type="button" onClick={discard} disabled={dirtyCount === 0 || status.kind === "saving"}>
          Discard changes
        </button>
        <span className="form-status" aria-live="polite">
          {status.kind === "saved" && <span className="saved">Saved</span>}
          {status.kind !== "saved" && dirtyCount > 0 && (
            <span className="muted">
              {dirtyCount === 1 ? "1 unsaved change" : `${dirtyCount} unsaved changes`}
            </span>
          )}
        </span>
      </div>
      {status.kind === "error" && (
        <p className="error" role="alert">
          Not saved: {status.message}
        </p>
      )}
    </form>
  );
}

interface SettingInputProps {
  field: SettingField;
  value: DraftValue | undefined;
  dirty: boolean;
  error: string | undefined;
  onChange: (value: DraftValue) => void;
}

function SettingInput({ field, value, dirty, error, onChange }: SettingInputProps) {
  const id = `setting-${field.key}`;
  const descriptionId = `${id}-description`;
  const errorId = `${id}-error`;
  const describedBy = error === undefined ? descriptionId : `${descriptionId} ${errorId}`;
  const control = field.control;

  return (
    <div className={`setting${dirty ? " dirty" : ""}`}>
      <div className="setting-text">
        <label htmlFor={id}>
          {field.label}
          {dirty && <span className="dirty-mark" title="Unsaved change" aria-label="(unsaved)" />}
        </label>
        <p id={descriptionId} className="muted">
          {field.description}
        </p>
        {error !== undefined && (
          <p id={errorId} className="error">
            {error}
          </p>
        )}
      </div>
      <div className="setting-control">
        {control.type === "toggle" && (
          <input
            id={id}
            type="checkbox"
            role="switch"
            className="switch"
            checked={value === true}
            aria-describedby={describedBy}
            aria-invalid={error !== undefined}
            onChange={(event) => {
              onChange(event.target.checked);
            }}
          />
        )}
        {control.type === "number" && (
          <span className="number-input">
            <input
              id={id}
              type="number"
              inputMode="numeric"
              min={control.min}
              max={control.max}
              step={control.step}
              value={typeof value === "string" ? value : ""}
              aria-describedby={describedBy}
              aria-invalid={error !== undefined}
              onChange={(event) => {
                onChange(event.target.value);
              }}
            />
            {control.unit !== null && <span className="unit">{control.unit}</span>}
          </span>
        )}
        {control.type === "number" && (
          <span className="range-hint muted">
            {control.min}–{control.max}
          </span>
        )}
      </div>
    </div>
  );
}
