// `npm run docs:config`: writes docs/configuration.md, every environment variable of the services
// and the lab, from their zod schemas (lab/docs/configuration-docs.ts).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { configurationDocsPath, formattedConfigurationDocs } from './configuration-docs.ts';

await writeFile(configurationDocsPath, await formattedConfigurationDocs());
console.log(`wrote ${path.relative(process.cwd(), configurationDocsPath)}`);
