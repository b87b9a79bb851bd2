import type { Outcome } from './decisions.js';
import { describeIdentifiers, maskContactsIn } from './mask.js';

/** One log line for an outcome someone should look at; identifiers masked. Undefined for the routine ones. */
export function outcomeLogLine(outcome: Outcome): string | undefined {
  if (outcome.outcome !== 'conflict' && outcome.outcome !== 'rejected' && outcome.outcome !== 'unconfirmed') return undefined;
  const times = outcome.decidedAt || outcome.klaviyoAt ? ` (decided ${outcome.decidedAt ?? 'at an unknown time'}, Klaviyo's ${outcome.klaviyoAt ?? 'time unknown'})` : '';
  return `record ${outcome.position} (${describeIdentifiers(outcome.identifiers)})${outcome.subject ? ` ${outcome.subject}` : ''}: ${outcome.outcome}: ${maskContactsIn(outcome.reason)}${times}`;
}
