import type { AppError, Schedule } from "@flow/bindings";
import { useId, useMemo, useState } from "react";
import { Dialog } from "../flows/editor/Dialog";
import { asAppError, useHost } from "../host";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { errorText } from "../ui/error-text";
import {
  CADENCE_KINDS,
  CATCH_UPS,
  cadenceKindLabel,
  defaultForm,
  describeCadence,
  formatFiring,
  formFromSpec,
  specFromForm,
  timeZoneOptions,
  type CadenceKind,
  type ScheduleForm,
} from "./schedule-form";
import { useSchedulePreview } from "./use-schedules";

export interface ScheduleDialogProps {
  slug: string;
  flowName: string;
  /** The flow's schedule, or null to create one. */
  existing: Schedule | null;
  onClose: () => void;
  /** After a save or a delete (the list may refetch). */
  onChanged?: () => void;
}

/** Create, change or delete a saved flow's schedule, with a live preview of the next firings. */
export function ScheduleDialog({ slug, flowName, existing, onClose, onChanged }: ScheduleDialogProps) {
  const { client } = useHost();
  const [form, setForm] = useState<ScheduleForm>(() => (existing !== null ? formFromSpec(existing.spec, Date.now()) : defaultForm(Date.now())));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [askDelete, setAskDelete] = useState(false);
  const zones = useMemo(() => timeZoneOptions(form.timezone), [form.timezone]);
  const built = useMemo(() => specFromForm(form), [form]);
  const spec = "spec" in built ? built.spec : null;
  const preview = useSchedulePreview(spec);
  const ids = { kind: useId(), anchor: useId(), zone: useId(), until: useId(), max: useId(), catchUp: useId(), minutes: useId(), cron: useId() };

  const set = <K extends keyof ScheduleForm>(key: K, value: ScheduleForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
  };

  const save = () => {
    if (spec === null) return;
    setSaving(true);
    setError(null);
    client.scheduleSet(slug, spec).then(
      () => {
        setSaving(false);
        onChanged?.();
        onClose();
      },
      (cause: unknown) => {
        setSaving(false);
        setError(asAppError(cause));
      },
    );
  };

  const remove = () => {
    setSaving(true);
    setError(null);
    client.scheduleDelete(slug).then(
      () => {
        setSaving(false);
        setAskDelete(false);
        onChanged?.();
        onClose();
      },
      (cause: unknown) => {
        setSaving(false);
        setAskDelete(false);
        setError(asAppError(cause));
      },
    );
  };

  return (
    <Dialog
      title={`Schedule “${flowName}”`}
      onClose={() => {
        // Escape inside the delete question answers that question only.
        if (!askDelete) onClose();
      }}
      actions={
        <>
          {existing !== null && (
            <button
              type="button"
              className="danger"
              disabled={saving}
              onClick={() => {
                setAskDelete(true);
              }}
            >
              Delete
            </button>
          )}
          <span className="header-spacer" />
          <button type="button" onClick={onClose} disabled={saving}>
            Cancel
          </button>
          <button type="button" className="primary" onClick={save} disabled={spec === null || saving} aria-busy={saving}>
            {saving ? "Saving…" : "Save"}
          </button>
        </>
      }
    >
      <div className="schedule-form">
        <label className="schedule-switch">
          <input
            type="checkbox"
            role="switch"
            className="switch"
            checked={form.enabled}
            onChange={(event) => {
              set("enabled", event.target.checked);
            }}
          />{" "}
          Enabled
        </label>

        <label htmlFor={ids.kind}>Repeat</label>
        <select
          id={ids.kind}
          value={form.kind}
          onChange={(event) => {
            set("kind", event.target.value as CadenceKind);
          }}
        >
          {CADENCE_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {cadenceKindLabel(kind)}
            </option>
          ))}
        </select>

        {form.kind === "every_n_minutes" && (
          <>
            <label htmlFor={ids.minutes}>Minutes</label>
            <input
              id={ids.minutes}
              type="number"
              min={1}
              max={525600}
              value={form.minutes}
              onChange={(event) => {
                set("minutes", event.target.value);
              }}
            />
          </>
        )}
        {form.kind === "cron" && (
          <>
            <label htmlFor={ids.cron}>Cron expression</label>
            <input
              id={ids.cron}
              type="text"
              spellCheck={false}
              placeholder="0 18 * * 1-5"
              value={form.cron}
              onChange={(event) => {
                set("cron", event.target.value);
              }}
            />
          </>
        )}

        <label htmlFor={ids.anchor}>{form.kind === "once" ? "At" : "Starting"}</label>
        <input
          id={ids.anchor}
          type="datetime-local"
          value={form.anchor}
          onChange={(event) => {
            set("anchor", event.target.value);
          }}
        />

        <label htmlFor={ids.zone}>Time zone</label>
        <select
          id={ids.zone}
          value={form.timezone}
          onChange={(event) => {
            set("timezone", event.target.value);
          }}
        >
          {zones.map((zone) => (
            <option key={zone} value={zone}>
              {zone}
            </option>
          ))}
        </select>

        {form.kind !== "once" && (
          <>
            <label htmlFor={ids.until}>Until (optional)</label>
            <input
              id={ids.until}
              type="datetime-local"
              value={form.until}
              onChange={(event) => {
                set("until", event.target.value);
              }}
            />
            <label htmlFor={ids.max}>Max runs (optional)</label>
            <input
              id={ids.max}
              type="number"
              min={1}
              value={form.maxRuns}
              onChange={(event) => {
                set("maxRuns", event.target.value);
              }}
            />
          </>
        )}

        <label htmlFor={ids.catchUp}>Missed runs</label>
        <select
          id={ids.catchUp}
          value={form.catchUp}
          onChange={(event) => {
            const choice = CATCH_UPS.find((c) => c.value === event.target.value);
            if (choice !== undefined) set("catchUp", choice.value);
          }}
        >
          {CATCH_UPS.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>

        <label className="schedule-check">
          <input
            type="checkbox"
            checked={form.confirmDestructive}
            onChange={(event) => {
              set("confirmDestructive", event.target.checked);
            }}
          />{" "}
          Ask before destructive steps
        </label>
      </div>

      <div className="schedule-preview" aria-live="polite">
        {"error" in built ? (
          <p className="error" role="alert">
            {built.error}
          </p>
        ) : (
          <>
            <p>
              <strong>{describeCadence(built.spec)}</strong> <span className="muted">({built.spec.timezone})</span>
            </p>
            <h3>Next runs</h3>
            {preview.error !== null ? (
              <p className="error" role="alert">
                {errorText(preview.error)}
              </p>
            ) : preview.times === null ? (
              <p className="muted">Working out the next runs…</p>
            ) : preview.times.length === 0 ? (
              <p className="muted">No upcoming runs.</p>
            ) : (
              <ol className="schedule-next" aria-label="Next runs" aria-busy={preview.loading}>
                {preview.times.map((time) => (
                  <li key={time}>
                    <time dateTime={time}>{formatFiring(time, built.spec.timezone)}</time>
                  </li>
                ))}
              </ol>
            )}
          </>
        )}
      </div>
      {error !== null && (
        <p className="error" role="alert">
          {errorText(error)}
        </p>
      )}
      {askDelete && (
        <ConfirmDialog
          title="Delete this schedule?"
          confirmLabel="Delete schedule"
          danger
          busy={saving}
          onConfirm={remove}
          onCancel={() => {
            setAskDelete(false);
          }}
        >
          <p>“{flowName}” will no longer run on its own. Its past runs stay in the history.</p>
        </ConfirmDialog>
      )}
    </Dialog>
  );
}
