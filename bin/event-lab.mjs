#!/usr/bin/env node
// `npx event-lab <command>`: the lab's commands without npm's `--` (`npm run scenario smoke --
// --rounds 3` is `npx event-lab run smoke --rounds 3`). The lab is TypeScript, run through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../lab/event-lab.ts');
