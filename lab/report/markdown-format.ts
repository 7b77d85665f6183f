/** Escapes text for a markdown table cell (pipes and newlines would break the row). */
export function escapeCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A markdown table; cells are escaped. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Integers as-is, other numbers with up to 3 decimals; `—` for null/undefined. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return String(Math.round(value * 1000) / 1000);
}

/** Milliseconds as `1 m 05 s`, `12.3 s` or `850 ms`. */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} m ${String(seconds).padStart(2, '0')} s`;
}

/** `4 × AMD EPYC … , 7.8 GiB, node v20.20.2, linux 6.8.0 x64` */
export function formatMachine(machine: {
  cpus: number;
  cpuModel: string;
  memGiB: number;
  node: string;
  os: string;
  services?: string | undefined;
}): string {
  const services = machine.services ? `; services ${machine.services}` : '';
  return `${machine.cpus} × ${machine.cpuModel}, ${machine.memGiB} GiB RAM, node ${machine.node}, ${machine.os}${services}`;
}
