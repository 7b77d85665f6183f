import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { labEnvSchema } from '../lab-env.ts';
import {
  configSections,
  configurationDocsPath,
  formattedConfigurationDocs,
  variableDocs,
} from './configuration-docs.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(configurationDocsPath, 'utf8');

/** The table rows of each `## ` section of the doc: variable name → its trimmed cells. */
function tablesOf(markdown: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let rows: Map<string, string[]> | undefined;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('## ')) sections.set(line.slice(3).trim(), (rows = new Map<string, string[]>()));
    else if (rows && line.startsWith('| `')) {
      const cells = line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim());
      rows.set(cells[0]!.replaceAll('`', ''), cells);
    }
  }
  return sections;
}

const tables = tablesOf(doc);
const rowOf = (section: string, variable: string): string[] | undefined => tables.get(section)?.get(variable);

describe('docs/configuration.md', () => {
  it('is what the generator renders from the schemas now', async () => {
    expect(doc, 'docs/configuration.md is out of date: run `npm run docs:config`').toBe(
      await formattedConfigurationDocs(),
    );
  });

  it('documents every variable of every schema with a description', () => {
    for (const section of configSections) {
      const keys = Object.keys(section.schema.shape);
      expect(keys.length, section.title).toBeGreaterThan(0);
      for (const key of keys) {
        const row = rowOf(section.title, key);
        expect(row, `${section.title}: ${key} is missing`).toBeDefined();
        expect(row![3], `${section.title}: ${key} has no description`).not.toBe('');
      }
    }
  });

  it('shows real defaults, bounds and choices', () => {
    expect(rowOf('API', 'DB_POOL_SIZE')?.slice(1, 3)).toEqual(['`20`', 'integer 1–500']);
    expect(rowOf('API', 'DEDUPE_MODE')?.slice(1, 3)).toEqual(['`cache`', '`off`, `coalesce`, `cache`']);
    expect(rowOf('API', 'AMQP_URL')?.[2]).toBe('URL: `amqp:`, `amqps:`');
    expect(rowOf('API', 'INSTANCE_ID')?.slice(1, 3)).toEqual(['(unset)', 'string of 1–100 characters']);
    expect(rowOf('API', 'HTTP_KEEP_ALIVE_TIMEOUT_MS')?.[1]).toBe('`65000`');
    expect(rowOf('Worker', 'DB_POOL_SIZE')?.slice(1, 3)).toEqual(['`10`', 'integer 1–200']);
    expect(rowOf('Notifications', 'SOCKETIO_DIRECT_FRAMES')?.[1]).toBe('`true`');
    expect(rowOf('Lab', 'LAB_PROXY_SHARDS')?.slice(1, 3)).toEqual(['`2`', 'integer 1–64']);
  });
});

describe('lab/lab-env.ts', () => {
  /** `'mssql'` → mssql, `1_500` → 1500; anything else (a constant, an expression) is not compared. */
  const literalOf = (text: string): string | undefined =>
    /^'[^']*'$/.test(text) ? text.slice(1, -1) : /^[\d_]+$/.test(text) ? text.replaceAll('_', '') : undefined;

  /** Every `process.env.X` / `env.X` read outside tests under lab/ and scenarios/, with its literal fallback. */
  function environmentReads(): { file: string; name: string; fallback?: string }[] {
    const reads: { file: string; name: string; fallback?: string }[] = [];
    for (const dir of ['lab', 'scenarios']) {
      const files = readdirSync(path.join(repoRoot, dir), { recursive: true, encoding: 'utf8' });
      for (const file of files) {
        if (!file.endsWith('.ts') || /\.test\.ts$|\.test-support\.ts$|\.d\.ts$/.test(file)) continue;
        if (file.startsWith('k6')) continue;
        const source = readFileSync(path.join(repoRoot, dir, file), 'utf8');
        for (const match of source.matchAll(/\benv\.([A-Z][A-Z0-9_]*)(?:\s*\?\?\s*([^),;\n]+))?/g)) {
          const fallback = literalOf(match[2]?.trim() ?? '');
          reads.push({
            file: `${dir}/${file}`,
            name: match[1]!,
            ...(fallback !== undefined ? { fallback } : {}),
          });
        }
      }
    }
    return reads;
  }

  it('describes every variable the lab reads, with the fallback its reading site uses', () => {
    const reads = environmentReads();
    expect(reads.map((r) => r.name)).toContain('LAB_METRICS_PORT');
    const documented = new Map(variableDocs(labEnvSchema).map((v) => [v.name, v.defaultValue]));
    for (const read of reads) {
      expect(documented.has(read.name), `${read.file} reads ${read.name}: add it to lab/lab-env.ts`).toBe(
        true,
      );
      if (read.fallback !== undefined)
        expect(String(documented.get(read.name)), `${read.file}: default of ${read.name}`).toBe(
          read.fallback,
        );
    }
  });
});
