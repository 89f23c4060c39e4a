import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checksumOf, readMigrations, scriptMatchesChecksum } from '../../lib/migrator/files.ts';

describe('migration files', () => {
  it('checksums are SHA-256 hex of the UTF-8 text', () => {
    // sha256("abc"), the FIPS 180-2 test vector.
    expect(checksumOf('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    // Non-ASCII text is hashed as UTF-8 bytes (c3 a9), not UTF-16 code units.
    expect(checksumOf('é')).toBe('4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c');
  });

  it('a CRLF copy matches the LF checksum; any other change does not', () => {
    const script = 'CREATE TABLE a (id INT);\nCREATE TABLE b (id INT);\n';
    expect(scriptMatchesChecksum(script.replaceAll('\n', '\r\n'), checksumOf(script))).toBe(true);
    expect(scriptMatchesChecksum(`${script} `, checksumOf(script))).toBe(false);
  });

  it('reads directories in Prisma\'s order and refuses one without migration.sql', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'verso-mig-unit-'));
    try {
      for (const name of ['20250102000000_b', '20250101000000_a']) {
        await mkdir(path.join(dir, name));
        await writeFile(path.join(dir, name, 'migration.sql'), `-- ${name}\n`);
      }
      await writeFile(path.join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
      expect((await readMigrations(dir)).map((m) => m.name)).toEqual(['20250101000000_a', '20250102000000_b']);
      await mkdir(path.join(dir, '20250103000000_empty'));
      await expect(readMigrations(dir)).rejects.toThrow(/20250103000000_empty has no readable migration.sql/);
      expect(await readMigrations(path.join(dir, 'missing'))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
