export default function HomePage() {
  return (
    <main className="landing">
      <h1>Verso</h1>
      <p>
        Write together in real time. Every keystroke is sequenced by the server and saved before it is
        acknowledged, so concurrent edits never lose anyone&apos;s work, and every version stays in the history.
      </p>
    </main>
  );
}
