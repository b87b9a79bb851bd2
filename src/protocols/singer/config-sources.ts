import { ConfigError } from '../../common/errors.js';
import { CONFIG_FILE, unknownSettingsOf, type ConfigSource } from '../../config/config-problems.js';
import { connectionSpecification } from '../../config/parse-config.js';
import { readJsonFile } from '../../config/read-json-file.js';
import { isTolerated, nearestKey } from '../../config/unknown-settings.js';

type PropertySchema = { type?: string | string[] };

/** A Singer plugin's settings: their schema (for types) and the prefix of their environment variables. */
export interface SettingsSpec {
  envPrefix: string;
  properties: Record<string, PropertySchema>;
}

export const ENV_PREFIX = 'TAP_KLAVIYO_CONSENT_';
export const TAP_SETTINGS: SettingsSpec = { envPrefix: ENV_PREFIX, properties: connectionSpecification.properties as Record<string, PropertySchema> };

/** Env values are strings; turn the numeric ones into numbers so validation judges the value, not its type. */
function fromEnvString(spec: SettingsSpec, name: string, value: string): unknown {
  const type = spec.properties[name]?.type;
  const types = Array.isArray(type) ? type : [type];
  if ((types.includes('integer') || types.includes('number')) && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  if (types.includes('boolean') && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  return value;
}

/** Settings from <PREFIX><SETTING> environment variables, as Meltano SDK plugins read them. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env, spec: SettingsSpec = TAP_SETTINGS): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const name of Object.keys(spec.properties)) {
    const value = env[`${spec.envPrefix}${name.toUpperCase()}`];
    if (value !== undefined) config[name] = fromEnvString(spec, name, value);
  }
  return config;
}

/** <PREFIX>* variables that name no setting, each with the message naming the variable it most likely meant. */
function unknownVariables(env: NodeJS.ProcessEnv, spec: SettingsSpec): Array<{ message: string; likelyTypo: boolean }> {
  const known = Object.keys(spec.properties);
  const variable = (key: string) => `${spec.envPrefix}${key.toUpperCase()}`;
  return Object.keys(env)
    .filter((name) => name.startsWith(spec.envPrefix) && !known.includes(name.slice(spec.envPrefix.length).toLowerCase()) && !isTolerated(name.slice(spec.envPrefix.length)))
    .map((name) => {
      const suggestion = nearestKey(name.slice(spec.envPrefix.length).toLowerCase(), known);
      return suggestion === undefined
        ? { message: `${name}: names no setting; it is ignored.`, likelyTypo: false }
        : { message: `${name}: names no setting; did you mean ${variable(suggestion)}?`, likelyTypo: true };
    });
}

export interface SingerConfig {
  config: Record<string, unknown>;
  /** Names each setting as the user gave it: a key of a file, or an environment variable. */
  source: ConfigSource;
  /** Keys and variables that name no setting, one message each, for a warning. */
  unknown: string[];
  /** Of those, the variables close to a setting's (a likely typo): a writer refuses to run on them. */
  likelyTypos: string[];
}

/**
 * Merges every --config argument in order, later ones winning; the literal `ENV` reads the environment.
 * Singer runners (Meltano among them) split settings across files this way.
 */
export async function loadSingerConfig(sources: string[], env: NodeJS.ProcessEnv = process.env, spec: SettingsSpec = TAP_SETTINGS): Promise<SingerConfig> {
  const variable = (key: string) => `${spec.envPrefix}${key.toUpperCase()}`;
  const merged: Record<string, unknown> = {};
  const fromEnv = new Set<string>();
  const fromFiles: Record<string, unknown> = {};
  for (const source of sources) {
    if (source === 'ENV') {
      const values = configFromEnv(env, spec);
      for (const key of Object.keys(values)) fromEnv.add(key);
      Object.assign(merged, values);
      continue;
    }
    const raw = await readJsonFile(source, 'config');
    if (raw === undefined) continue;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new ConfigError(`The config file ${source} must hold a JSON object, like {"api_key": "pk_..."}.`);
    }
    for (const key of Object.keys(raw)) fromEnv.delete(key);
    Object.assign(merged, raw);
    Object.assign(fromFiles, raw);
  }
  const readsEnv = sources.includes('ENV');
  const source: ConfigSource = {
    name: (key) => (fromEnv.has(key) ? `${variable(key)} (${key})` : key),
    howToAdd: (key) => (readsEnv ? `Set ${variable(key)}, or add "${key}" to a --config file.` : CONFIG_FILE.howToAdd(key)),
  };
  const variables = readsEnv ? unknownVariables(env, spec) : [];
  return {
    config: merged,
    source,
    unknown: [...unknownSettingsOf(fromFiles, Object.keys(spec.properties)), ...variables.map((v) => v.message)],
    likelyTypos: variables.filter((v) => v.likelyTypo).map((v) => v.message),
  };
}
