import type { PrivacyRule, SettingField, Settings } from "@flow/bindings";
import { useState, type SubmitEvent } from "react";
import { asAppError, useHost } from "../host";
import { PrivacyPreview } from "./PrivacyPreview";
import { PrivacyRulesInput } from "./PrivacyRulesInput";
import { useSettingsStore } from "./settings-store";
import {
  MAX_LIMIT_ENTRIES,
  addLimitRow,
  buildPatch,
  bySection,
  draftFromSettings,
  fieldNamedIn,
  isDirty,
  isLimitRows,
  isRuleDraft,
  isSwitchMap,
  limitErrors,
  rebaseDraft,
  removeLimitRow,
  switchNames,
  switchOn,
  updateLimitRow,
  type Draft,
  type SwitchMap,
  type DraftValue,
  type LimitRow,
  type LimitsControl,
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

  const dirtyMark = dirty && <span className="dirty-mark" title="Unsaved change" aria-label="(unsaved)" />;

  return (
    <div
      className={`setting${dirty ? " dirty" : ""}${control.type === "limits" ? " setting-wide" : ""}${control.type === "rules" ? " setting-wide setting-rules" : ""}`}
    >
      <div className="setting-text">
        {control.type === "limits" || control.type === "switches" || control.type === "rules" ? (
          // A group of inputs has no single control to label; the group is labelled by this.
          <span id={`${id}-label`} className="setting-label">
            {field.label}
            {dirtyMark}
          </span>
        ) : (
          <label htmlFor={id}>
            {field.label}
            {dirtyMark}
          </label>
        )}
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
        {control.type === "limits" && (
          <LimitsInput
            id={id}
            control={control}
            rows={isLimitRows(value) ? value : []}
            describedBy={describedBy}
            invalid={error !== undefined}
            onChange={onChange}
          />
        )}
        {control.type === "rules" && (
          <>
            <PrivacyRulesInput
              id={id}
              rows={ruleRows(value)}
              describedBy={describedBy}
              invalid={error !== undefined}
              onChange={onChange}
            />
            <PrivacyPreview rules={ruleRows(value)} />
          </>
        )}
        {control.type === "switches" && (
          <div id={id} role="group" className="switches-input" aria-labelledby={`${id}-label`} aria-describedby={describedBy}>
            {switchNames(control, switchMap(value)).map((name) => (
              <label key={name} className="switch-row">
                <input
                  type="checkbox"
                  role="switch"
                  className="switch"
                  checked={switchOn(switchMap(value), name)}
                  onChange={(event) => {
                    onChange({ ...switchMap(value), [name]: event.target.checked });
                  }}
                />
                {name}
              </label>
            ))}
          </div>
        )}
      </div>
    </div>
  );
}

/** The draft value of a rules field as rows (none before the settings load). */
function ruleRows(value: DraftValue | undefined): readonly PrivacyRule[] {
  return isRuleDraft(value) ? value : [];
}

/** The draft value of a switches field as a map (empty before the settings load). */
function switchMap(value: DraftValue | undefined): SwitchMap {
  return isSwitchMap(value) ? value : {};
}

interface LimitsInputProps {
  id: string;
  control: LimitsControl;
  rows: readonly LimitRow[];
  describedBy: string;
  invalid: boolean;
  onChange: (rows: LimitRow[]) => void;
}

/** An editable key → number list; the whole map is saved at once. */
function LimitsInput({ id, control, rows, describedBy, invalid, onChange }: LimitsInputProps) {
  const errors = limitErrors(rows, control);
  const full = rows.length >= MAX_LIMIT_ENTRIES;
  return (
    <div id={id} role="group" className="limits-input" aria-labelledby={`${id}-label`} aria-describedby={describedBy}>
      {rows.length === 0 && <p className="muted limits-empty">No caps: only the per-run limit applies.</p>}
      {rows.length > 0 && (
        <ul className="limits-rows">
          {rows.map((row, index) => {
            const rowErrors = errors.rows[index] ?? {};
            const rowName = row.key.trim() === "" ? `row ${index + 1}` : row.key.trim();
            const keyErrorId = `${id}-key-${index}-error`;
            const valueErrorId = `${id}-value-${index}-error`;
            return (
              // Rows have no identity but their position; the inputs are controlled, so this is safe.
              <li key={index} className="limits-row">
                <input
                  id={`${id}-key-${index}`}
                  type="text"
                  className="limits-key"
                  placeholder="shell"
                  autoComplete="off"
                  spellCheck={false}
                  value={row.key}
                  aria-label={`Node type or adapter, ${rowName}`}
                  aria-invalid={invalid || rowErrors.key !== undefined}
                  aria-describedby={rowErrors.key === undefined ? undefined : keyErrorId}
                  onChange={(event) => {
                    onChange(updateLimitRow(rows, index, { key: event.target.value }));
                  }}
                />
                <input
                  id={`${id}-value-${index}`}
                  type="number"
                  inputMode="numeric"
                  className="limits-value"
                  placeholder="1"
                  min={control.min}
                  max={control.max}
                  step={1}
                  value={row.value}
                  aria-label={`Limit for ${rowName}`}
                  aria-invalid={invalid || rowErrors.value !== undefined}
                  aria-describedby={rowErrors.value === undefined ? undefined : valueErrorId}
                  onChange={(event) => {
                    onChange(updateLimitRow(rows, index, { value: event.target.value }));
                  }}
                />
                <button
                  type="button"
                  className="limits-remove"
                  aria-label={`Remove ${rowName}`}
                  title="Remove"
                  onClick={() => {
                    onChange(removeLimitRow(rows, index));
                  }}
                >
                  ×
                </button>
                {rowErrors.key !== undefined && (
                  <span id={keyErrorId} className="error limits-error">
                    {rowErrors.key}
                  </span>
                )}
                {rowErrors.value !== undefined && (
                  <span id={valueErrorId} className="error limits-error">
                    {rowErrors.value}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {errors.map !== undefined && <p className="error">{errors.map}</p>}
      <div className="limits-actions">
        <button
          type="button"
          disabled={full}
          onClick={() => {
            onChange(addLimitRow(rows));
          }}
        >
          Add limit
        </button>
        <span className="range-hint muted">
          {control.min}–{control.max} each, up to {MAX_LIMIT_ENTRIES}
        </span>
      </div>
    </div>
  );
}
