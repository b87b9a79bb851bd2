import { packageVersion, readPackageJson } from '../../common/package-files.js';
import { connectionSpecification } from '../../config/parse-config.js';

type Property = { type?: string | string[]; description?: string; default?: unknown; airbyte_secret?: boolean; title?: string };

/** The config schema with Singer's secret marker (secret: true) next to Airbyte's (airbyte_secret). */
function settingsSchema(): { required?: string[]; properties: Record<string, Property> } & Record<string, unknown> {
  const props = connectionSpecification.properties as Record<string, Property>;
  return {
    ...connectionSpecification,
    properties: Object.fromEntries(Object.entries(props).map(([name, p]) => [name, p.airbyte_secret ? { ...p, secret: true, writeOnly: true } : p])),
  };
}

export function aboutInfo() {
  const pkg = readPackageJson('package.json') as { description?: string };
  return {
    name: 'tap-klaviyo-consent',
    description: pkg.description ?? '',
    version: packageVersion(),
    // Only what this tap really does: no batch, no test mode, no schema flattening.
    capabilities: ['catalog', 'discover', 'state', 'about'],
    settings: settingsSchema(),
  };
}

const cell = (value: string) => value.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function aboutMarkdown(): string {
  const info = aboutInfo();
  const required = new Set(info.settings.required ?? []);
  const props = info.settings.properties;
  const rows = Object.entries(props).map(([name, p]) => {
    const type = Array.isArray(p.type) ? p.type.join(', ') : (p.type ?? '');
    const def = p.default === undefined ? '' : `\`${JSON.stringify(p.default)}\``;
    return `| ${name} | ${type} | ${required.has(name) ? 'yes' : 'no'} | ${def} | ${p.airbyte_secret ? 'yes' : 'no'} | ${cell(p.description ?? '')} |`;
  });
  return [
    `# ${info.name}`,
    '',
    info.description,
    '',
    `Version ${info.version}. Capabilities: ${info.capabilities.join(', ')}.`,
    '',
    '## Settings',
    '',
    '| Setting | Type | Required | Default | Secret | Description |',
    '|:--|:--|:--|:--|:--|:--|',
    ...rows,
    '',
    'Each setting can also be given as an environment variable `TAP_KLAVIYO_CONSENT_<SETTING>` (upper case) with `--config ENV`.',
    '',
  ].join('\n');
}
