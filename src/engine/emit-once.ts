import type { ProfileConsentRecord } from '../generated/profile-consent-record.js';
import type { ProfileResource } from '../klaviyo/types.js';
import { toProfileConsentRecord } from '../streams/profile-consent/map-record.js';

/**
 * The records of a page's profiles that no detector has emitted yet in this run, which it marks as emitted:
 * the one place that keeps a profile to one record per run across detectors. Profiles without an id are
 * left out (they cannot be deduplicated or joined).
 */
export function firstSightings(profiles: ProfileResource[], emitted: Set<string>): ProfileConsentRecord[] {
  const records: ProfileConsentRecord[] = [];
  for (const profile of profiles) {
    if (typeof profile?.id !== 'string' || profile.id === '' || emitted.has(profile.id)) continue;
    emitted.add(profile.id);
    records.push(toProfileConsentRecord(profile));
  }
  return records;
}
