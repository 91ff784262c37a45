import type { FlowSummary } from "@flow/bindings";
import { useEffect, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { formatRelative } from "../flows/list/flows-logic";
import { useHost } from "../host";
import { errorText } from "../ui/error-text";
import { useDebouncedValue, useNow } from "../ui/use-debounced-value";
import { RunStatusBadge } from "./RunStatusBadge";
import {
  filterFromParams,
  filterToParams,
  formatDuration,
  isRunStatus,
  isRunTrigger,
  runDuration,
  runPath,
  RUN_STATUSES,
  RUN_TRIGGERS,
  statusLabel,
  triggerLabel,
  type RunFilterForm,
} from "./runs-logic";
import { useRunList } from "./use-run-list";

const SEARCH_DELAY_MS = 300;

function useFlowOptions(): FlowSummary[] {
  const { client } = useHost();
  const [flows, setFlows] = useState<FlowSummary[]>([]);
  useEffect(() => {
    let cancelled = false;
    client.flowsList(null).then(
      (list) => {
        if (!cancelled) setFlows([...list].sort((a, b) => a.name.localeCompare(b.name)));
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [client]);
  return flows;
}

/** The run history: filters (kept in the address), the table, "Load more". */
export function RunList() {
  const [params, setParams] = useSearchParams();
  const form = useMemo(() => filterFromParams(params), [params]);
  const [search, setSearch] = useState(form.search);
  const settledSearch = useDebouncedValue(search, SEARCH_DELAY_MS);
  const query: RunFilterForm = useMemo(() => ({ ...form, search: settledSearch }), [form, settledSearch]);
  const list = useRunList(query);
  const flows = useFlowOptions();
  const now = useNow(15_000);

  const update = (patch: Partial<RunFilterForm>) => {
    setParams(filterToParams({ ...form, ...patch }, params), { replace: true });
  };

  useEffect(() => {
    if (settledSearch !== form.search) setParams(filterToParams({ ...form, search: settledSearch }, params), { replace: true });
  }, [settledSearch, form, params, setParams]);

  return (
    <section className="runs-list" aria-label="Run history">
      <form
        className="runs-filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
        }}
      >
        <label>
          Flow{" "}
          <select
            value={form.flow}
            onChange={(event) => {
              update({ flow: event.target.value });
            }}
          >
            <option value="">All flows</option>
            {form.flow !== "" && !flows.some((f) => f.slug === form.flow) && <option value={form.flow}>{form.flow}</option>}
            {flows.map((flow) => (
              <option key={flow.slug} value={flow.slug}>
                {flow.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status{" "}
          <select
            value={form.status}
            onChange={(event) => {
              const value = event.target.value;
              update({ status: isRunStatus(value) ? value : "" });
            }}
          >
            <option value="">Any status</option>
            {RUN_STATUSES.map((status) => (
              <option key={status} value={status}>
                {statusLabel(status)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Trigger{" "}
          <select
            value={form.trigger}
            onChange={(event) => {
              const value = event.target.value;
              update({ trigger: isRunTrigger(value) ? value : "" });
            }}
          >
            <option value="">Any trigger</option>
            {RUN_TRIGGERS.map((trigger) => (
              <option key={trigger} value={trigger}>
                {triggerLabel(trigger)}
              </option>
            ))}
          </select>
        </label>
        <input
          type="search"
          aria-label="Search runs"
          placeholder="Search names, errors, logs…"
          value={search}
          onChange={(event) => {
            setSearch(event.target.value);
          }}
        />
      </form>
      {list.error !== null && (
        <p className="error" role="alert">
          {errorText(list.error)}{" "}
          <button type="button" className="link" onClick={list.reload}>
            Try again
          </button>
        </p>
      )}
      {list.runs === null ? (
        list.error === null && <p className="muted">Loading runs…</p>
      ) : list.runs.length === 0 ? (
        <p className="muted">No runs match.</p>
      ) : (
        <div className="flow-table-wrap">
          <table className="flow-table runs-table" aria-label="Runs" aria-busy={list.loading}>
            <thead>
              <tr>
                <th scope="col">Flow</th>
                <th scope="col">Status</th>
                <th scope="col">Trigger</th>
                <th scope="col">Started</th>
                <th scope="col">Duration</th>
                <th scope="col" title="Succeeded / failed / skipped nodes">
                  Nodes ✓ / ✕ / ⤼
                </th>
              </tr>
            </thead>
            <tbody>
              {list.runs.map((run) => (
                <tr key={run.executionId} data-testid={`run-${run.executionId}`}>
                  <td>
                    <Link to={runPath(run.executionId)}>{run.flowName}</Link>
                    {run.error !== undefined && run.error !== null && run.error !== "" && <div className="muted runs-error">{run.error}</div>}
                  </td>
                  <td>
                    <RunStatusBadge status={run.status} />
                  </td>
                  <td>{triggerLabel(run.trigger)}</td>
                  <td>
                    <time dateTime={run.startedAt} title={new Date(run.startedAt).toLocaleString()}>
                      {formatRelative(run.startedAt, now)}
                    </time>
                  </td>
                  <td>{formatDuration(runDuration(run, now))}</td>
                  <td className="runs-counts">
                    <span className="count-ok" aria-label={`${run.succeeded} succeeded`}>
                      {run.succeeded}
                    </span>{" "}
                    /{" "}
                    <span className="count-error" aria-label={`${run.failed} failed`}>
                      {run.failed}
                    </span>{" "}
                    /{" "}
                    <span className="muted" aria-label={`${run.skipped} skipped`}>
                      {run.skipped}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.hasMore && (
        <button type="button" onClick={list.loadMore} disabled={list.loading}>
          Load more
        </button>
      )}
    </section>
  );
}
