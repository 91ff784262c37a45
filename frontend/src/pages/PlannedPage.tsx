/** A section of the product that exists in the navigation but is not built yet. */
export function PlannedPage({ title, purpose }: { title: string; purpose: string }) {
  return (
    <div className="page">
      <h1>{title}</h1>
      <div className="card planned">
        <p>
          <strong>Not built yet.</strong> {purpose}
        </p>
      </div>
    </div>
  );
}
