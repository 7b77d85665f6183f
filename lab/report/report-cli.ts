import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { closest } from '../suggest.ts';
import { loadLatestResults } from './load-latest-results.ts';
import { renderReportIndex } from './render-report-index.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ReportCliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

const usage = 'usage: npm run report [-- --reports <dir>] [--out <file>]';

type ParsedArgs = { reportsDir: string; outFile: string } | { error: string } | { help: true };

function parseReportArgs(argv: readonly string[]): ParsedArgs {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        reports: { type: 'string', default: path.join(repoRoot, 'reports') },
        out: { type: 'string', default: path.join(repoRoot, 'REPORT.md') },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) return { help: true };
    return { reportsDir: path.resolve(values.reports), outFile: path.resolve(values.out) };
  } catch (error) {
    const typed = /'--([^']+)'/.exec((error as Error).message)?.[1];
    const near = typed === undefined ? undefined : closest(typed, ['reports', 'out', 'help']);
    return { error: `${(error as Error).message}${near ? `; did you mean --${near}?` : ''}` };
  }
}

/**
 * Regenerates REPORT.md from `<reports>/*\/latest.json`. Returns the exit code: 0 written,
 * 1 written but some result files were broken (they are listed in the report), 2 bad usage.
 */
export async function runReportCli(argv: readonly string[], io: ReportCliIo): Promise<number> {
  const args = parseReportArgs(argv);
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
