import type { NextConfig } from 'next';

const securityHeaders = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'X-Frame-Options', value: 'DENY' },
];

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Server-only packages stay external to the bundle (loaded from node_modules at run time).
  serverExternalPackages: ['pg', 'ioredis', '@prisma/client', '@prisma/adapter-pg'],
  async headers() {
    return [
      { source: '/:path*', headers: securityHeaders },
      // API responses are never cached by browsers or CDNs; only hashed static assets are.
      { source: '/api/:path*', headers: [{ key: 'Cache-Control', value: 'no-store' }] },
    ];
  },
};

export default nextConfig;
