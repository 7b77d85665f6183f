// Part of `npm run build`: copies what the compiled services read from disk next to their code
// (SQL migrations, the notifications test pages), since tsc only emits JavaScript.
// Usage: node system/copy-assets.mjs [outDir]   (default dist)
import { cpSync, writeFileSync } from 'node:fs';

const outDir = process.argv[2] ?? 'dist';
const assets = ['system/shared/migrations', 'system/notifications/public'];
for (const dir of assets) cpSync(dir, `${outDir}/${dir}`, { recursive: true });
// The lab and `npm start` compare this stamp with the sources to refuse (or redo) a stale build.
writeFileSync(`${outDir}/.built`, `${new Date().toISOString()}\n`);
console.log(`build: copied ${assets.join(', ')} into ${outDir}/`);
