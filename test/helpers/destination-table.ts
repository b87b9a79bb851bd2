import type { ProfileConsentRecord } from '../../src/generated/profile-consent-record.js';
import type { KlaviyoSimulator } from '../../src/simulator/index.js';
import { expectRecordMatchesTruth } from './truth.js';

/** What a destination deduplicating on id holds after loading runs in order: the last record of each id wins. */
export class DestinationTable {
  readonly rows = new Map<string, ProfileConsentRecord>();

  merge(records: ProfileConsentRecord[]): void {
    for (const record of records) this.rows.set(record.id, record);
  }

  /** Ids whose row is missing or differs from the simulator's profile, field by field. */
  differences(simulator: KlaviyoSimulator): string[] {
    const wrong: string[] = [];
    for (const truth of simulator.allProfiles()) {
      try {
        expectRecordMatchesTruth(this.rows.get(truth.id) ?? {}, truth);
      } catch {
        wrong.push(truth.id);
      }
    }
    return wrong;
  }

  /** Fails on the first profile whose row differs from the simulator, naming the field. */
  expectEqualsTruth(simulator: KlaviyoSimulator): void {
    for (const truth of simulator.allProfiles()) expectRecordMatchesTruth(this.rows.get(truth.id) ?? {}, truth);
  }
}
