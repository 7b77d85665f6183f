import { ApiError } from './api-errors.ts';
import { findToxicDefinition, type AnyToxicDefinition } from './toxics/registry.ts';
import { ToxicAttributeError, type ToxicStream, type ToxicType } from './toxics/toxic.ts';

/** A toxic as the API shows it, plus its definition. */
export interface ToxicSpec {
  name: string;
  type: ToxicType;
  stream: ToxicStream;
  /** Probability in [0, 1] that the toxic applies to a given connection. */
  toxicity: number;
  attributes: object;
  definition: AnyToxicDefinition;
}

export interface ToxicJson {
  attributes: object;
  name: string;
  type: ToxicType;
  stream: ToxicStream;
  toxicity: number;
}

export function toxicToJson({ attributes, name, type, stream, toxicity }: ToxicSpec): ToxicJson {
  return { attributes, name, type, stream, toxicity };
}

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError('badRequestBody', 'expected a JSON object');
  }
  return body as Record<string, unknown>;
}

/** The largest float32: Toxiproxy decodes toxicity into one and refuses what does not fit. */
const MAX_FLOAT32 = 3.4028234663852886e38;

/**
 * Any number, as in Toxiproxy: the toxic applies when a uniform [0, 1) roll is below it, so 2
 * always applies and a negative toxicity never does.
 */
function readToxicity(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !(Math.abs(value) <= MAX_FLOAT32)) {
    throw new ApiError('badRequestBody', `toxicity must be a number, got ${JSON.stringify(value)}`);
  }
  return value;
}

function readAttributes(definition: AnyToxicDefinition, value: unknown, base: object): object {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new ApiError('badRequestBody', 'attributes must be an object');
  }
  try {
    // Toxiproxy decodes onto the current attributes, so an update may send only what changes.
    return definition.parseAttributes({ ...base, ...(value as Record<string, unknown> | undefined) });
  } catch (error) {
    if (error instanceof ToxicAttributeError)
      throw new ApiError('badRequestBody', error.message, { cause: error });
    throw error;
  }
}

/**
 * Validates a create body in Toxiproxy's order (stream, then type, then duplicate name, then
 * attributes), applying its defaults: stream downstream, toxicity 1, name `<type>_<stream>`.
 */
export function parseNewToxic(body: unknown, nameTaken: (name: string) => boolean): ToxicSpec {
  const input = asObject(body);
  const stream = input.stream ?? 'downstream';
  if (stream !== 'upstream' && stream !== 'downstream') throw new ApiError('invalidStream');
  if (input.name !== undefined && typeof input.name !== 'string') {
    throw new ApiError('badRequestBody', 'name must be a string');
  }
  const definition = typeof input.type === 'string' ? findToxicDefinition(input.type) : undefined;
  if (definition === undefined) throw new ApiError('invalidToxicType');
  const name = input.name || `${definition.type}_${stream}`;
  if (nameTaken(name)) throw new ApiError('toxicAlreadyExists');
  return {
    name,
    type: definition.type,
    stream,
    toxicity: readToxicity(input.toxicity, 1),
    attributes: readAttributes(definition, input.attributes, {}),
    definition,
  };
}

/** An update changes only attributes and toxicity; name, type and stream stay (as in Toxiproxy). */
export function parseToxicUpdate(body: unknown, current: ToxicSpec): ToxicSpec {
  const input = asObject(body);
  return {
    ...current,
    toxicity: readToxicity(input.toxicity, current.toxicity),
    attributes: readAttributes(current.definition, input.attributes, current.attributes),
  };
}
