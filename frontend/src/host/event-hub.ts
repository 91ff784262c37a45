import type { FlowEvent } from "@flow/bindings";

export type FlowEventListener = (event: FlowEvent) => void;

// Fans one event source out to any number of UI listeners; one throwing listener must not
// starve the others.
export function createEventHub() {
  const listeners = new Set<FlowEventListener>();
  return {
    subscribe: (listener: FlowEventListener): (() => void) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    emit: (event: FlowEvent): void => {
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch (cause) {
          console.error("flow event listener failed", cause);
        }
      }
    },
  };
}
