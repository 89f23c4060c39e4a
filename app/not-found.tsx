import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'Page not found' };

/** Every unknown URL: says so and leads back to the documents (or the sign-in page when signed out). */
export default function NotFound() {
  return (
    <main className="landing not-found">
      <h1>Page not found</h1>
      <p>There is nothing at this address. The link may be mistyped, or the page may have moved.</p>
      <p className="landing-actions">
        <Link className="button primary" href="/">
          Go to your documents
        </Link>
      </p>
    </main>
  );
}
