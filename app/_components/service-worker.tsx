'use client';
import { usePathname } from 'next/navigation';
import { useEffect } from 'react';
import { keepPageOffline, OFFLINE_READY_ATTRIBUTE } from '@/lib/api-client/offline-worker.ts';

/**
 * Registers the service worker that lets pages load offline (issue 20) and has it keep each page
 * this tab shows, client-side navigations included; renders nothing.
 */
export function ServiceWorker() {
  const pathname = usePathname();
  useEffect(() => {
    document.documentElement.removeAttribute(OFFLINE_READY_ATTRIBUTE);
    void keepPageOffline();
  }, [pathname]);
  return null;
}
