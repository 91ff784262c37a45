import { useState } from "react";
import { useNavigate } from "react-router";
import { asAppError, useHost } from "../../host";
import { errorText } from "../../ui/error-text";
import { NameForm } from "../../ui/NameForm";
import { flowPath, newFlowInput } from "./flows-logic";

/** "New flow": asks for a name, saves an empty flow and opens it in the editor. */
export function NewFlowButton({ collection }: { collection: string | null }) {
  const { client } = useHost();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const create = (name: string) => {
    setBusy(true);
    setError(null);
    client.flowSave(newFlowInput(name, collection)).then(
      (saved) => {
        setBusy(false);
        setOpen(false);
        void navigate(flowPath(saved.slug));
      },
      (cause: unknown) => {
        setBusy(false);
        setError(errorText(asAppError(cause)));
      },
    );
  };

  if (!open) {
    return (
      <button
        type="button"
        className="primary"
        onClick={() => {
          setOpen(true);
        }}
      >
        New flow
      </button>
    );
  }
  return (
    <NameForm
      label="Flow name"
      submitLabel="Create"
      busy={busy}
      error={error}
      className="name-form new-flow-form"
      onSubmit={create}
      onCancel={() => {
        setOpen(false);
        setError(null);
      }}
    />
  );
}
