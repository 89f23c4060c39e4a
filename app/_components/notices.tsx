/** The status line and the error line under a panel's controls, announced to screen readers. */
export function Notices({ notice, error }: { notice: string | null; error: string | null }) {
  return (
    <>
      <p className="notice" role="status" aria-live="polite">
        {notice}
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
