import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLatestResults } from './load-latest-results.ts';
import { renderReportIndex } from './render-report-index.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ReportCliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

const usage = 'usage: npm run report [-- --reports <dir>] [--out <file>]';

type ParsedArgs = { reportsDir: string; outFile: string } | { error: string } | { help: true };

function parseArgs(argv: readonly string[]): ParsedArgs {
  let reportsDir = path.join(repoRoot, 'reports');
  let outFile = path.join(repoRoot, 'REPORT.md');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg !== '--reports' && arg !== '--out') return { error: `unknown option "${arg}"` };
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) return { error: `option ${arg} needs a value` };
    if (arg === '--reports') reportsDir = path.resolve(value);
    else outFile = path.resolve(value);
    i++;
  }
  return { reportsDir, outFile };
}

/**
 * Regenerates REPORT.md from `<reports>/*\/latest.json`. Returns the exit code: 0 written,
 * 1 written but some result files were broken (they are listed in the report), 2 bad usage.
 */
export async function runReportCli(argv: readonly string[], io: ReportCliIo): Promise<number> {
  const args = parseArgs(argv);
  if ('help' in args) {
    io.stdout(usage);
    return 0;
  }
  if ('error' in args) {
    io.stderr(`report: ${args.error}\n${usage}`);
    return 2;
  }
  const entries = await loadLatestResults(args.reportsDir);
  await mkdir(path.dirname(args.outFile), { recursive: true });
  await writeFile(args.outFile, renderReportIndex(entries, path.dirname(args.outFile)));
  const broken = entries.filter((e) => !e.ok);
  for (const e of broken) io.stderr(`report: ${e.file} is not a valid result: ${e.error}`);
  io.stdout(`report: wrote ${args.outFile} from ${entries.length - broken.length} result(s)`);
  return broken.length > 0 ? 1 : 0;
}
