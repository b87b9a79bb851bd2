import type { Metric } from '../store/metric-catalog.js';

export interface MetricWireResource {
  type: 'metric';
  id: string;
  attributes: Partial<Pick<Metric, 'name' | 'created' | 'updated' | 'integration'>>;
  relationships: { 'flow-triggers': { data?: never[]; links: { self: string; related: string } } };
  links: { self: string };
}

/** A metric as GET /api/metrics returns it; `fields` is `fields[metric]` when given. No flows are simulated. */
export function metricResource(
  metric: Metric,
  baseUrl: string,
  options: { fields?: readonly string[]; includeFlowTriggers?: boolean } = {},
): MetricWireResource {
  const url = `${baseUrl}/api/metrics/${metric.id}`;
  const all = { name: metric.name, created: metric.created, updated: metric.updated, integration: metric.integration };
  const fields = options.fields;
  const attributes = fields ? Object.fromEntries(Object.entries(all).filter(([name]) => fields.includes(name))) : all;
  const links = { self: `${url}/relationships/flow-triggers/`, related: `${url}/flow-triggers/` };
  return {
    type: 'metric',
    id: metric.id,
    attributes,
    relationships: { 'flow-triggers': options.includeFlowTriggers ? { data: [], links } : { links } },
    links: { self: `${url}/` },
  };
}
