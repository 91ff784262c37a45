import type { InstalledModel, LoadedModel } from "@flow/bindings";
import { useId, useReducer, useState } from "react";
import { asAppError, useFlowEvents, useHost } from "../host";
import { errorText } from "../ui/error-text";
import { buildChatRequest, chatStats, DEFAULT_FORM, finishLabel, newRequestId, playgroundReducer, type PlaygroundForm, type PlaygroundRun } from "./playground";

/** The model the select shows: the chosen one while installed, else the most recently used loaded one, else the first. */
export function pickModel(chosen: string, models: readonly InstalledModel[], loaded: readonly LoadedModel[]): string {
  if (models.some((model) => model.fileName === chosen)) return chosen;
  const resident = loaded.find((entry) => models.some((model) => model.fileName === entry.model));
  return resident?.model ?? models[0]?.fileName ?? "";
}

/**
 * Tries a local model: the answer streams in from `llm-token` events of this request while
 * `llm_chat` runs; Stop cancels it (the call then resolves with what was generated so far).
 */
export function Playground({
  models,
  loaded,
  onActivity,
}: {
  /** Installed models that can be loaded. */
  models: readonly InstalledModel[];
  loaded: readonly LoadedModel[];
  /** A generation started or ended (the runtime status changed). */
  onActivity?: () => void;
}) {
  const { client } = useHost();
  const ids = useId();
  const [form, setForm] = useState<Omit<PlaygroundForm, "model">>(DEFAULT_FORM);
  const [chosen, setChosen] = useState("");
  const [formError, setFormError] = useState<string | null>(null);
  const [run, dispatch] = useReducer(playgroundReducer, null);
  const model = pickModel(chosen, models, loaded);
  const running = run?.status === "running";

  // Subscribed for as long as the playground is shown, so no token of a request is missed.
  useFlowEvents((event) => {
    if (event.type === "llm-token") dispatch({ type: "token", event });
  });

  const field = (key: keyof typeof form) => ({
    value: form[key],
    onChange: (event: { target: { value: string } }) => {
      setForm((current) => ({ ...current, [key]: event.target.value }));
    },
  });

  const generate = () => {
    const requestId = newRequestId();
    const built = buildChatRequest({ ...form, model }, requestId);
    if ("error" in built) {
      setFormError(built.error);
      return;
    }
    setFormError(null);
    dispatch({ type: "start", requestId });
    onActivity?.();
    client
      .llmChat(built.request)
      .then(
        (result) => {
          dispatch({ type: "finish", result });
        },
        (cause: unknown) => {
          dispatch({ type: "fail", requestId, error: asAppError(cause) });
        },
      )
      .finally(() => {
        onActivity?.();
      });
  };

  const stop = () => {
    if (run === null) return;
    const { requestId } = run;
    dispatch({ type: "stopping", requestId });
    client.llmCancel(requestId).catch((cause: unknown) => {
      dispatch({ type: "fail", requestId, error: asAppError(cause) });
    });
  };

  if (models.length === 0) return <p className="muted">Install a model to try it here.</p>;

  return (
    <div className="playground card">
      <form
        className="playground-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (!running) generate();
        }}
      >
        <div className="playground-row">
          <label htmlFor={`${ids}-model`}>Model</label>
          <select
            id={`${ids}-model`}
            value={model}
            disabled={running}
            onChange={(event) => {
              setChosen(event.target.value);
            }}
          >
            {models.map((entry) => (
              <option key={entry.fileName} value={entry.fileName}>
                {entry.fileName}
                {loaded.some((resident) => resident.model === entry.fileName) ? " (loaded)" : ""}
              </option>
            ))}
          </select>
        </div>
        <label htmlFor={`${ids}-system`}>
          System prompt <span className="muted">(optional)</span>
        </label>
        <textarea id={`${ids}-system`} rows={2} disabled={running} {...field("system")} />
        <label htmlFor={`${ids}-prompt`}>Prompt</label>
        <textarea
          id={`${ids}-prompt`}
          rows={4}
          disabled={running}
          {...field("prompt")}
          onKeyDown={(event) => {
            if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
              event.preventDefault();
              if (!running) generate();
            }
          }}
        />
        <div className="playground-params">
          <label>
            Max tokens
            <input type="number" min={1} step={1} inputMode="numeric" disabled={running} {...field("maxTokens")} />
          </label>
          <label>
            Temperature
            <input type="number" min={0} max={2} step={0.1} inputMode="decimal" disabled={running} {...field("temperature")} />
          </label>
          <label>
            Seed
            <input type="number" min={0} step={1} inputMode="numeric" placeholder="random" disabled={running} {...field("seed")} />
          </label>
        </div>
        {formError !== null && (
          <p className="error" role="alert">
            {formError}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={running || model === ""}>
            Generate
          </button>
          {running && (
            <button type="button" className="danger" disabled={run.stopping} onClick={stop}>
              Stop
            </button>
          )}
          {running && <span className="muted">{run.stopping ? "Stopping…" : "Generating…"}</span>}
        </div>
      </form>
      <PlaygroundOutput run={run} />
    </div>
  );
}

/** The streamed answer, then how the generation ended. */
export function PlaygroundOutput({ run }: { run: PlaygroundRun | null }) {
  if (run === null) return null;
  return (
    <div className="playground-result">
      <output className="playground-output" data-testid="playground-output" data-status={run.status} aria-live="polite" aria-busy={run.status === "running"}>
        {run.text}
        {run.status === "running" && <span className="playground-caret" aria-hidden="true" />}
      </output>
      {run.result !== null && (
        <p className="playground-stats muted" data-testid="playground-stats">
          <strong>{finishLabel(run.result.finishReason)}</strong>
          {chatStats(run.result).map((part) => (
            <span key={part}> · {part}</span>
          ))}
        </p>
      )}
      {run.error !== null && (
        <p className="error" role="alert">
          {errorText(run.error)}
        </p>
      )}
    </div>
  );
}
