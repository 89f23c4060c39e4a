import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { connection } from 'next/server';
import { ServiceWorker } from './_components/service-worker.tsx';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Verso', template: '%s · Verso' },
  icons: { icon: '/favicon.svg' },
  description: 'Write together in real time. Self-hosted, open, with full revision history.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

/**
 * Rendered per request, never prerendered: each response carries a Content-Security-Policy with
 * a fresh nonce (lib/server/security-headers.ts), and Next puts it on its scripts only while
 * rendering a request.
 */
export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body>
        {children}
        <ServiceWorker />
      </body>
    </html>
  );
}
