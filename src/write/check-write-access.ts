import { ConfigError } from '../common/errors.js';
import type { DestinationSettings } from '../config/parse-destination-config.js';
import type { KlaviyoClient } from '../klaviyo/client.js';
import { KlaviyoBadRequestError, KlaviyoNotFoundError } from '../klaviyo/errors.js';
import { profilesUrl } from '../klaviyo/profiles.js';
import { jobBody, postJob, suppressionJobStatus, type JobKind } from '../klaviyo/write-jobs.js';

/**
 * Whether the key may do what a write will do. Reading is one Get Profiles (profiles:read); a list_id must name
 * a list of the account (Get Lists, lists:read). Klaviyo has no way to ask a key's scopes, so each job the run
 * may send is probed with an empty job: Klaviyo checks the scopes first (403 naming the one missing) and
 * refuses the empty job itself with 400, so nothing is written. A dry run writes nothing and needs no write
 * scope. Confirming suppressions reads their jobs' status (subscriptions:read), probed with a job that does not
 * exist. Returns the checks made.
 */
export async function checkWriteAccess(client: KlaviyoClient, settings: DestinationSettings): Promise<string[]> {
  const made: string[] = [];
  await client.getJson(profilesUrl(client, { pageSize: 1 }), 'the connection check (Get Profiles)');
  made.push('Get Profiles');
  if (settings.listId !== undefined) {
    const lists = await client.getJson<{ data?: unknown[] }>(client.url('/api/lists', { filter: `equals(id,${JSON.stringify(settings.listId)})` }), 'the connection check (Get Lists)');
    if (!Array.isArray(lists?.data) || lists.data.length === 0) {
      throw new ConfigError(`list_id: Klaviyo has no list with id ${settings.listId} in this account. Copy the id from the list's URL in Klaviyo (Lists & Segments), or leave list_id out.`);
    }
    made.push('Get Lists');
  }
  if (settings.dryRun) return made;
  for (const kind of ['subscribe', 'unsubscribe', 'suppress', 'unsuppress'] as const satisfies readonly JobKind[]) {
    try {
      await postJob(client, kind, jobBody(kind, []));
    } catch (error) {
      // The 400 for the empty job is the answer hoped for: the key passed the scope check.
      if (error instanceof KlaviyoBadRequestError) {
        made.push(`${kind} (scopes)`);
        continue;
      }
      throw error;
    }
    made.push(`${kind} (scopes)`);
  }
  // Confirming a suppression polls its job (subscriptions:read): probed with a job id that does not exist, which
  // Klaviyo answers 404 once the scope check has passed.
  if (!settings.verify) return made;
  try {
    await suppressionJobStatus(client, 'suppress', 'connection-check');
  } catch (error) {
    if (!(error instanceof KlaviyoNotFoundError)) throw error;
  }
  made.push('suppression job status (scopes)');
  return made;
}
