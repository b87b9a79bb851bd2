import { readFile } from 'node:fs/promises';
import { ConfigError } from '../common/errors.js';

/**
 * The parser's complaint without the text it quotes: V8 writes `Unexpected token 'p', ..."api_key": pk_li"...
 * is not valid JSON`, and in a config file that quote can be the API key, read before it could be masked.
 */
function parserComplaint(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split(/, \.\.\.|, "|\s+in JSON/)[0] ?? 'invalid JSON';
}

/**
 * Reads a JSON file a user handed us (config, catalog, state). `what` names it in the message, e.g. "config".
 * An empty file gives undefined: Airbyte and Singer both pass empty state files.
 */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : `cannot read it (${code ?? 'unknown error'})`;
    throw new ConfigError(`The ${what} file ${path}: ${why}. Check the path passed to --${what}.`);
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError(`The ${what} file ${path} is not valid JSON (${parserComplaint(error)}). Check its quotes, commas and braces, or pass another file.`);
  }
}
