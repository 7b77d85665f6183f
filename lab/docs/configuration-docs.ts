import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { z } from 'zod';
import { apiConfigSchema } from '../../system/api/config.ts';
import { notificationsConfigSchema } from '../../system/notifications/config.ts';
import { workerConfigSchema } from '../../system/worker/config.ts';
import { labEnvSchema } from '../lab-env.ts';

/** One table of docs/configuration.md: the variables of one schema whose keys are their names. */
export interface ConfigSection {
  title: string;
  /** The file the schema lives in, named under the heading. */
  source: string;
  /** What the reader should know about all of them, one sentence. */
  note: string;
  schema: z.ZodObject;
}

const servicesNote =
  'Read once at start: an invalid value stops the service with every problem listed; unset takes the default.';

export const configSections: readonly ConfigSection[] = [
  { title: 'API', source: 'system/api/config.ts', note: servicesNote, schema: apiConfigSchema },
  { title: 'Worker', source: 'system/worker/config.ts', note: servicesNote, schema: workerConfigSchema },
  {
    title: 'Notifications',
    source: 'system/notifications/config.ts',
    note: servicesNote,
    schema: notificationsConfigSchema,
  },
  {
    title: 'Lab',
    source: 'lab/lab-env.ts',
    note: 'Read by the lab, the scenarios and their commands where they use them; unset takes the default.',
    schema: labEnvSchema,
  },
];

export const configurationDocsPath = fileURLToPath(new URL('../../docs/configuration.md', import.meta.url));

/** One variable as documented; `defaultValue` is the raw default of the variable's string form. */
export interface VariableDoc {
  name: string;
  defaultValue: unknown;
  default: string;
  accepts: string;
  description: string;
}

type JsonSchema = z.core.JSONSchema.BaseSchema;

/** The variables of one schema in declaration order, read through its JSON Schema (input side). */
export function variableDocs(schema: z.ZodObject): VariableDoc[] {
  const properties = z.toJSONSchema(schema, { io: 'input' }).properties ?? {};
  return Object.keys(schema.shape).map((name) => {
    const property = properties[name];
    if (typeof property !== 'object') throw new Error(`${name}: no JSON Schema for it`);
    return {
      name,
      defaultValue: property.default,
      default: defaultOf(property),
      accepts: acceptedValues(name, property),
      description: property.description ?? '',
    };
  });
}

const code = (text: string): string => (text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);
// Digits grouped only past five (65535 and 30000 read fine; 10485760 does not).
const number = (n: number): string => (Math.abs(n) < 100_000 ? String(n) : n.toLocaleString('en-US'));

function defaultOf(property: JsonSchema): string {
  if (!('default' in property)) return '(unset)';
  const value = property.default;
  if (value === '') return '(empty)';
  return code(typeof value === 'string' ? value : JSON.stringify(value));
}

const booleanWords = ['true', 'false', '1', '0', 'yes', 'no'];

function acceptedValues(name: string, property: JsonSchema): string {
  if (Array.isArray(property.enum)) {
    const values = property.enum.map(String);
    if (values.length === booleanWords.length && booleanWords.every((w) => values.includes(w)))
      return '`true` or `false` (also `1`/`0`, `yes`/`no`)';
    return values.map(code).join(', ');
  }
  if (property.type === 'integer' || property.type === 'number') {
    const { minimum: min, maximum } = property;
    // A bound the helpers put in only to stay a safe integer says nothing to the reader.
    const max = maximum === Number.MAX_SAFE_INTEGER ? undefined : maximum;
    if (min !== undefined && max !== undefined) return `${property.type} ${number(min)}–${number(max)}`;
    if (min !== undefined) return `${property.type} ≥ ${number(min)}`;
    if (max !== undefined) return `${property.type} ≤ ${number(max)}`;
    return property.type;
  }
  if (property.type === 'string') {
    const { protocols, accepts } = property as JsonSchema & { protocols?: unknown; accepts?: unknown };
    if (Array.isArray(protocols)) return `URL: ${protocols.map(String).map(code).join(', ')}`;
    if (typeof accepts === 'string') return accepts;
    const { minLength, maxLength } = property;
    if (minLength !== undefined && maxLength !== undefined)
      return `string of ${number(minLength)}–${number(maxLength)} characters`;
    if (minLength === 1) return 'non-empty string';
    if (minLength !== undefined) return `string of ≥ ${number(minLength)} characters`;
    return 'string';
  }
  throw new Error(`${name}: no words for its JSON Schema ${JSON.stringify(property)}`);
}

const cell = (text: string): string => text.replaceAll('|', '\\|');

function table(variables: readonly VariableDoc[]): string[] {
  return [
    '| variable | default | accepted values | description |',
    '| --- | --- | --- | --- |',
    ...variables.map(
      (v) => `| ${[code(v.name), v.default, v.accepts, v.description].map(cell).join(' | ')} |`,
    ),
  ];
}

/** docs/configuration.md before formatting: one table per section, from the schemas alone. */
export function renderConfigurationDocs(sections: readonly ConfigSection[] = configSections): string {
  const lines = [
    '# Configuration',
    '',
    'Generated from the zod schemas named under each heading by `npm run docs:config`: do not edit ' +
      'by hand, change the schema and run it again.',
  ];
  for (const section of sections)
    lines.push(
      '',
      `## ${section.title}`,
      '',
      `From \`${section.source}\`. ${section.note}`,
      '',
      ...table(variableDocs(section.schema)),
    );
  return `${lines.join('\n')}\n`;
}

/** The rendered document as the repository formats markdown (prettier with its configuration). */
export async function formattedConfigurationDocs(sections?: readonly ConfigSection[]): Promise<string> {
  const options = (await prettier.resolveConfig(configurationDocsPath)) ?? {};
  return prettier.format(renderConfigurationDocs(sections), { ...options, parser: 'markdown' });
}
