/**
 * Colours for the verdict words of a run's or a comparison's summary: only when the stream is a
 * terminal, and never when `NO_COLOR` is set (no-color.org) or `TERM` is `dumb`. Logs, pipes and
 * CI files get the plain text.
 */
export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

const codes = { red: 31, green: 32, yellow: 33 } as const;
const paint = (colour: keyof typeof codes, word: string): string => `\x1b[${codes[colour]}m${word}\x1b[39m`;

const verdictColours: readonly [RegExp, keyof typeof codes][] = [
  [/\b(PASSED|PASS|IMPROVEMENT|EQUIVALENT|improvement|equivalent)\b/g, 'green'],
  [/\b(FAILED|FAIL|REGRESSION|INVALID|regression|invalid)\b/g, 'red'],
  [/\b(INCONCLUSIVE|inconclusive)\b/g, 'yellow'],
];

/** `text` with its verdict words coloured when `enabled`, unchanged otherwise. */
export function colourVerdicts(text: string, enabled: boolean): string {
  if (!enabled) return text;
  return verdictColours.reduce(
    (out, [pattern, colour]) => out.replace(pattern, (w) => paint(colour, w)),
    text,
  );
}
