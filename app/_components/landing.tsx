import Link from 'next/link';

/** The front page for visitors who are not signed in. */
export function Landing() {
  return (
    <main className="landing">
      <h1>Verso</h1>
      <p>
        Write together in real time. Every keystroke is sequenced by the server and saved before it is
        acknowledged, so concurrent edits never lose anyone&apos;s work, and every version stays in the history.
      </p>
      <p className="landing-actions">
        <Link className="button primary" href="/signup">
          Create an account
        </Link>
        <Link className="button" href="/signin">
          Sign in
        </Link>
      </p>
    </main>
  );
}
