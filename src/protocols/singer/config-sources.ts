import { ConfigError } from '../../common/errors.js';
import { connectionSpecification } from '../../config/parse-config.js';
import { readJsonFile } from '../../config/read-json-file.js';

export const ENV_PREFIX = 'TAP_KLAVIYO_CONSENT_';

type PropertySchema = { type?: string | string[] };
const properties = connectionSpecification.properties as Record<string, PropertySchema>;

/** Env values are strings; turn the numeric ones into numbers so validation judges the value, not its type. */
function fromEnvString(name: string, value: string): unknown {
  const type = properties[name]?.type;
  const types = Array.isArray(type) ? type : [type];
  if ((types.includes('integer') || types.includes('number')) && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  if (types.includes('boolean') && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  return value;
}

/** Settings from TAP_KLAVIYO_CONSENT_<SETTING> environment variables, as Meltano SDK taps read them. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const name of Object.keys(properties)) {
    const value = env[`${ENV_PREFIX}${name.toUpperCase()}`];
    if (value !== undefined) config[name] = fromEnvString(name, value);
  }
  return config;
}

/**
 * Merges every --config argument in order, later ones winning; the literal `ENV` reads the environment.
 * Singer runners (Meltano among them) split settings across files this way.
 */
export async function loadSingerConfig(sources: string[]): Promise<Record<string, unknown>> {
  const merged: Record<string, unknown> = {};
  for (const source of sources) {
    if (source === 'ENV') {
      Object.assign(merged, configFromEnv());
      continue;
    }
    const raw = await readJsonFile(source, 'config');
    if (raw === undefined) continue;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new ConfigError(`The config file ${source} must hold a JSON object, like {"api_key": "pk_..."}.`);
    }
    Object.assign(merged, raw);
  }
  return merged;
}
