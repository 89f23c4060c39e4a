import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Server-only packages stay external to the bundle (loaded from node_modules at run time).
  serverExternalPackages: ['pg', 'ioredis', '@prisma/client', '@prisma/adapter-pg'],
  // Security headers (Content-Security-Policy with a nonce per page, nosniff, frame protection)
  // are set by the custom server on every response, Next's included: lib/server/security-headers.ts.
  async headers() {
    // API responses are never cached by browsers or CDNs; only hashed static assets are.
    return [{ source: '/api/:path*', headers: [{ key: 'Cache-Control', value: 'no-store' }] }];
  },
};

export default nextConfig;
