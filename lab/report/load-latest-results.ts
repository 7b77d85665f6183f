import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseLabResult, type LabResult } from './result-schema.ts';

/** A scenario's `latest.json`: either a valid result or why it could not be used. */
export type LatestEntry =
  | { scenario: string; dir: string; ok: true; result: LabResult }
  | { scenario: string; dir: string; ok: false; file: string; error: string };

/**
 * Reads and validates `<reportsDir>/<scenario>/latest.json` for every scenario folder, sorted by
 * scenario. Unreadable or invalid files come back as `ok: false` entries, never skipped.
 * Folders without a `latest.json` are ignored. A missing `reportsDir` gives an empty list.
 */
export async function loadLatestResults(reportsDir: string): Promise<LatestEntry[]> {
  let names: string[];
  try {
    const dirents = await readdir(reportsDir, { withFileTypes: true });
    names = dirents.filter((d) => d.isDirectory()).map((d) => d.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const entries: LatestEntry[] = [];
  for (const scenario of names.sort()) {
    const dir = path.join(reportsDir, scenario);
    const file = path.join(dir, 'latest.json');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      entries.push({ scenario, dir, ok: false, file, error: errorMessage(error) });
      continue;
    }
    try {
      entries.push({ scenario, dir, ok: true, result: parseLabResult(JSON.parse(text)) });
    } catch (error) {
      entries.push({ scenario, dir, ok: false, file, error: errorMessage(error) });
    }
  }
  return entries;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
