import { defineConfig } from 'prisma/config';

/**
 * Prisma CLI configuration (Prisma 7 reads this instead of the schema's `url`).
 *
 * `DATABASE_URL` defaults to the developer database because Prisma 7's `env()` helper throws
 * when the variable is unset, even for `prisma generate`, and neither Prisma nor tsx read `.env`.
 */
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: {
    url: process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/verso',
  },
});
