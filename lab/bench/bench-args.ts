import { parseArgs } from 'node:util';
import { closest } from '../suggest.ts';

type StringOptions = Record<string, { type: 'string'; default: string }>;

/**
 * The values of a bench's `--name value` options (each a string with a default). An unknown option
 * throws one line naming it, the closest real one and the list, instead of parseArgs' message.
 */
export function benchOptionValues<O extends StringOptions>(
  argv: string[],
  options: O,
): { [K in keyof O]: string } {
  try {
    // Every option is a string with a default, so every value is a string.
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as unknown as {
      [K in keyof O]: string;
    };
  } catch (error) {
    const typed = /'(-[^']*)'/.exec((error as Error).message)?.[1];
    if (typed === undefined) throw error;
    const names = Object.keys(options);
    const match = closest(typed.replace(/^-+/, ''), names);
    throw new Error(
      `unknown option ${typed}${match ? `; did you mean --${match}?` : ''} (options: ${names.map((n) => `--${n}`).join(' ')})`,
    );
  }
}

/** Checks of option values that record every bad one, so a user sees all their mistakes at once. */
export function optionChecks(problems: string[]) {
  return {
    positive: (name: string, raw: string, integer: boolean): number => {
      const n = Number(raw);
      if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
        problems.push(`--${name} must be a positive ${integer ? 'integer' : 'number'} (got "${raw}")`);
      return n;
    },
    share: (name: string, raw: string): number => {
      const n = Number(raw);
      if (raw.trim() === '' || !(n >= 0 && n <= 1))
        problems.push(`--${name} must be a number within 0..1 (got "${raw}")`);
      return n;
    },
  };
}
