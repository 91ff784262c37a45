import type { Client } from "@flow/bindings";
import { useState } from "react";
import { asAppError, useHost } from "../host";
import { errorText } from "../ui/error-text";

/** What `useModelActions` gives the page. */
export interface ModelActions {
  /** Keys (a download id, or `model:<file>`) with a command in flight; their buttons are disabled. */
  pending: ReadonlySet<string>;
  /** The last command's failure, shown above the sections until the next command. */
  actionError: string | null;
  /** Runs a command for `key`, its button disabled meanwhile; `done` gets the answer. */
  perform: <T>(key: string, run: (client: Client) => Promise<T>, done: (answer: T) => void) => void;
}

/** Commands started from the page's buttons: which are in flight, and the last failure. */
export function useModelActions(): ModelActions {
  const { client } = useHost();
  const [pending, setPending] = useState<ReadonlySet<string>>(() => new Set());
  const [actionError, setActionError] = useState<string | null>(null);

  const perform = <T,>(key: string, run: (client: Client) => Promise<T>, done: (answer: T) => void) => {
    setPending((current) => new Set(current).add(key));
    setActionError(null);
    run(client)
      .then(done, (cause: unknown) => {
        setActionError(errorText(asAppError(cause)));
      })
      .finally(() => {
        setPending((current) => {
          const next = new Set(current);
          next.delete(key);
          return next;
        });
      });
  };
  return { pending, actionError, perform };
}
