import { useState } from "react";

/**
 * An inline one-field form asking for a name: used to create and rename flows and collections.
 * Escape cancels; a blank name is refused before anything is sent.
 */
export function NameForm({
  label,
  initial = "",
  submitLabel,
  busy = false,
  error = null,
  className = "name-form",
  onSubmit,
  onCancel,
}: {
  label: string;
  initial?: string;
  submitLabel: string;
  busy?: boolean;
  error?: string | null;
  className?: string;
  onSubmit: (name: string) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(initial);
  const [blank, setBlank] = useState(false);

  return (
    <form
      className={className}
      onSubmit={(event) => {
        event.preventDefault();
        if (busy) return;
        if (name.trim() === "") {
          setBlank(true);
          return;
        }
        onSubmit(name.trim());
      }}
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.preventDefault();
          onCancel();
        }
      }}
    >
      <input
        type="text"
        aria-label={label}
        // The form appears because the user asked for it, so it takes the focus.
        autoFocus
        value={name}
        aria-invalid={blank}
        disabled={busy}
        onChange={(event) => {
          setName(event.target.value);
          setBlank(false);
        }}
      />
      <button type="submit" className="primary" disabled={busy}>
        {submitLabel}
      </button>
      <button type="button" disabled={busy} onClick={onCancel}>
        Cancel
      </button>
      {blank && (
        <p className="error" role="alert">
          Enter a name.
        </p>
      )}
      {error !== null && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
