// The `event-lab` command (bin/event-lab.mjs): picks the command, rewrites argv as that command's
// own entry point expects it, and runs the entry point in this process (signals and exit codes
// are its own).
import { dispatch } from './event-lab-commands.ts';

const action = dispatch(process.argv.slice(2));
if (action.kind === 'print') process.stdout.write(`${action.text}\n`);
else if (action.kind === 'error') {
  process.stderr.write(`${action.message}\n`);
  process.exitCode = 2;
} else {
  process.argv = [process.argv[0] ?? 'node', action.entry.pathname, ...action.args];
  await import(action.entry.href);
}
