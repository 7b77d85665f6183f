import { runReportCli } from './report-cli.ts';

// `npm run report [-- --reports <dir>] [--out <file>]`: regenerates REPORT.md from the latest results.
process.exitCode = await runReportCli(process.argv.slice(2), {
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
});
