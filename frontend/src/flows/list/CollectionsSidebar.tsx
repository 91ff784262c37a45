import type { Collection } from "@flow/bindings";
import { useState } from "react";
import { asAppError, useHost } from "../../host";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { errorText } from "../../ui/error-text";
import { NameForm } from "../../ui/NameForm";
import { ALL_FLOWS, totalFlowCount } from "./flows-logic";

/** The collections list: All flows, Default, then the others; create, rename and delete. */
export function CollectionsSidebar({
  collections,
  selected,
  onSelect,
  onChanged,
}: {
  collections: Collection[];
  selected: string;
  onSelect: (slug: string) => void;
  onChanged: () => void;
}) {
  const { client } = useHost();
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState(false);
  const [createError, setCreateError] = useState<string | null>(null);

  const create = (name: string) => {
    setBusy(true);
    setCreateError(null);
    client.collectionCreate(name).then(
      (created) => {
        setBusy(false);
        setCreating(false);
        onChanged();
        onSelect(created.slug);
      },
      (cause: unknown) => {
        setBusy(false);
        setCreateError(errorText(asAppError(cause)));
      },
    );
  };

  return (
    <section className="flows-collections" aria-label="Collections">
      <h2 className="visually-hidden">Collections</h2>
      <ul className="collection-list">
        <li>
          <button
            type="button"
            className="collection-item"
            aria-pressed={selected === ALL_FLOWS}
            onClick={() => {
              onSelect(ALL_FLOWS);
            }}
          >
            <span className="collection-name">All flows</span>
            <span className="count">{totalFlowCount(collections)}</span>
          </button>
        </li>
        {collections.map((collection) => (
          <CollectionItem
            key={collection.slug}
            collection={collection}
            selected={selected === collection.slug}
            onSelect={onSelect}
            onChanged={onChanged}
          />
        ))}
      </ul>
      {creating ? (
        <NameForm
          label="Collection name"
          submitLabel="Create"
          busy={busy}
          error={createError}
          onSubmit={create}
          onCancel={() => {
            setCreating(false);
            setCreateError(null);
          }}
        />
      ) : (
        <button
          type="button"
          className="quiet new-collection"
          onClick={() => {
            setCreating(true);
          }}
        >
          + New collection
        </button>
      )}
    </section>
  );
}

function CollectionItem({
  collection,
  selected,
  onSelect,
  onChanged,
}: {
  collection: Collection;
  selected: boolean;
  onSelect: (slug: string) => void;
  onChanged: () => void;
}) {
  const { client } = useHost();
  const [mode, setMode] = useState<"view" | "rename" | "delete">("view");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const rename = (name: string) => {
    setBusy(true);
    setError(null);
    client.collectionRename(collection.slug, name).then(
      () => {
        setBusy(false);
        setMode("view");
        onChanged();
      },
      (cause: unknown) => {
        setBusy(false);
        setError(errorText(asAppError(cause)));
      },
    );
  };

  const remove = () => {
    setBusy(true);
    setError(null);
    client.collectionDelete(collection.slug).then(
      () => {
        setBusy(false);
        setMode("view");
        if (selected) onSelect(ALL_FLOWS);
        onChanged();
      },
      (cause: unknown) => {
        setBusy(false);
        setMode("view");
        setError(errorText(asAppError(cause)));
      },
    );
  };

  if (mode === "rename") {
    return (
      <li>
        <NameForm
          label={`New name for collection ${collection.name}`}
          initial={collection.name}
          submitLabel="Save"
          busy={busy}
          error={error}
          onSubmit={rename}
          onCancel={() => {
            setMode("view");
            setError(null);
          }}
        />
      </li>
    );
  }

  return (
    <li className="collection-row">
      <button
        type="button"
        className="collection-item"
        aria-pressed={selected}
        data-collection={collection.slug}
        onClick={() => {
          onSelect(collection.slug);
        }}
      >
        <span className="collection-name">{collection.name}</span>
        <span className="count">{collection.flowCount}</span>
      </button>
      {!collection.isSystem && (
        <span className="collection-actions">
          <button
            type="button"
            className="icon-button"
            aria-label={`Rename collection ${collection.name}`}
            title="Rename collection"
            onClick={() => {
              setMode("rename");
              setError(null);
            }}
          >
            ✎
          </button>
          <button
            type="button"
            className="icon-button danger"
            aria-label={`Delete collection ${collection.name}`}
            title="Delete collection"
            onClick={() => {
              setMode("delete");
              setError(null);
            }}
          >
            ×
          </button>
        </span>
      )}
      {error !== null && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {mode === "delete" && (
        <ConfirmDialog
          title={`Delete collection “${collection.name}”?`}
          confirmLabel="Delete collection"
          danger
          busy={busy}
          onConfirm={remove}
          onCancel={() => {
            setMode("view");
          }}
        >
          <p>
            {collection.flowCount === 0
              ? "It holds no flows."
              : `Its ${collection.flowCount === 1 ? "flow moves" : `${collection.flowCount} flows move`} to Default; no flow is deleted.`}
          </p>
        </ConfirmDialog>
      )}
    </li>
  );
}
