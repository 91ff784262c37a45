import type { AppError, FlowSummary, Schedule } from "@flow/bindings";
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { asAppError, useHost } from "../host";
import { RunStatusBadge } from "../runs/RunStatusBadge";
import { runPath } from "../runs/runs-logic";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { errorText } from "../ui/error-text";
import { describeCadence, formatFiring } from "./schedule-form";
import { ScheduleDialog } from "./ScheduleDialog";
import { useSchedules } from "./use-schedules";

/** Every flow's schedule: cadence in words, next run, counts, last status; switch, edit, delete. */
export function SchedulesView() {
  const { client } = useHost();
  const { schedules, error, reload } = useSchedules();
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  const [editing, setEditing] = useState<Schedule | null>(null);
  const [deleting, setDeleting] = useState<Schedule | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<AppError | null>(null);

  useEffect(() => {
    let cancelled = false;
    client.flowsList(null).then(
      (flows: FlowSummary[]) => {
        if (!cancelled) setNames(new Map(flows.map((flow) => [flow.slug, flow.name])));
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [client]);

  const act = (slug: string, call: () => Promise<unknown>, after?: () => void) => {
    setBusy(slug);
    setActionError(null);
    call().then(
      () => {
        setBusy(null);
        after?.();
        reload();
      },
      (cause: unknown) => {
        setBusy(null);
        setActionError(asAppError(cause));
      },
    );
  };

  const nameOf = (slug: string) => names.get(slug) ?? slug;

  return (
    <section className="schedules-view" aria-label="Schedules">
      {error !== null && (
        <p className="error" role="alert">
          {errorText(error)}{" "}
          <button type="button" className="link" onClick={reload}>
            Try again
          </button>
        </p>
      )}
      {actionError !== null && (
        <p className="error" role="alert">
          {errorText(actionError)}
        </p>
      )}
      {schedules === null ? (
        error === null && <p className="muted">Loading schedules…</p>
      ) : schedules.length === 0 ? (
        <p className="muted">No schedules yet. Open a flow and press Schedule to run it on its own.</p>
      ) : (
        <div className="flow-table-wrap">
          <table className="flow-table schedules-table" aria-label="Schedules">
            <thead>
              <tr>
                <th scope="col">Flow</th>
                <th scope="col">Cadence</th>
                <th scope="col">Next run</th>
                <th scope="col">Runs</th>
                <th scope="col">Last status</th>
                <th scope="col">Enabled</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {schedules.map((schedule) => {
                const enabled = schedule.spec.enabled ?? true;
                const name = nameOf(schedule.slug);
                return (
                  <tr key={schedule.slug} data-testid={`schedule-${schedule.slug}`}>
                    <td>
                      <Link to={`/flows/${encodeURIComponent(schedule.slug)}`}>{name}</Link>
                    </td>
                    <td>
                      {describeCadence(schedule.spec)} <span className="muted">({schedule.spec.timezone})</span>
                    </td>
                    <td>
                      {schedule.nextRunAt !== undefined && schedule.nextRunAt !== null ? (
                        <time dateTime={schedule.nextRunAt}>{formatFiring(schedule.nextRunAt, schedule.spec.timezone)}</time>
                      ) : (
                        <span className="muted">{schedule.finishedReason ?? "—"}</span>
                      )}
                    </td>
                    <td>{schedule.runCount}</td>
                    <td>
                      {schedule.lastStatus !== undefined && schedule.lastStatus !== null ? (
                        schedule.lastExecutionId !== undefined && schedule.lastExecutionId !== null ? (
                          <Link to={runPath(schedule.lastExecutionId)} aria-label={`Last run: ${schedule.lastStatus}`}>
                            <RunStatusBadge status={schedule.lastStatus} />
                          </Link>
                        ) : (
                          <RunStatusBadge status={schedule.lastStatus} />
                        )
                      ) : (
                        <span className="muted">never ran</span>
                      )}
                    </td>
                    <td>
                      <input
                        type="checkbox"
                        role="switch"
                        className="switch"
                        aria-label={`${name} schedule enabled`}
                        checked={enabled}
                        disabled={busy === schedule.slug}
                        onChange={(event) => {
                          const on = event.target.checked;
                          act(schedule.slug, () => client.scheduleSetEnabled(schedule.slug, on));
                        }}
                      />
                    </td>
                    <td className="schedules-actions">
                      <button
                        type="button"
                        className="quiet"
                        aria-label={`Edit the schedule of ${name}`}
                        onClick={() => {
                          setEditing(schedule);
                        }}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        className="quiet danger"
                        aria-label={`Delete the schedule of ${name}`}
                        disabled={busy === schedule.slug}
                        onClick={() => {
                          setDeleting(schedule);
                        }}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {editing !== null && (
        <ScheduleDialog
          slug={editing.slug}
          flowName={nameOf(editing.slug)}
          existing={editing}
          onClose={() => {
            setEditing(null);
          }}
          onChanged={reload}
        />
      )}
      {deleting !== null && (
        <ConfirmDialog
          title="Delete this schedule?"
          confirmLabel="Delete schedule"
          danger
          busy={busy === deleting.slug}
          onConfirm={() => {
            act(
              deleting.slug,
              () => client.scheduleDelete(deleting.slug),
              () => {
                setDeleting(null);
              },
            );
          }}
          onCancel={() => {
            setDeleting(null);
          }}
        >
          <p>“{nameOf(deleting.slug)}” will no longer run on its own. Its past runs stay in the history.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
