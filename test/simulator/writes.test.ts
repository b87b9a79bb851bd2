import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KlaviyoSimulator } from '../../src/simulator/index.js';
import { getPage, profilesUrl, startSimulator, walk, type Page } from './simulator-client.js';

let simulator: KlaviyoSimulator;
beforeEach(async () => {
  simulator = await startSimulator({ profiles: 120, seed: 11 });
});
afterEach(async () => {
  await simulator.close();
});

describe('writes', () => {
  it('updateProfile moves a profile, and a scan in progress meets it once at its new place', async () => {
    const first = await getPage(profilesUrl(simulator, { sort: 'updated', 'page[size]': '10' }));
    const alreadySeen = first.data[3]!.id;
    const notYetSeen = simulator.allProfiles().find((p) => !first.data.some((row) => row.id === p.id))!.id;
    const newest = new Date('2026-11-01T00:00:00Z');
    simulator.updateProfile(alreadySeen, (attributes) => {
      attributes.first_name = 'Moved';
    }, { at: new Date(newest.getTime() + 1500) });
    simulator.updateProfile(notYetSeen, (attributes) => {
      attributes.first_name = 'Moved too';
    }, { at: new Date(newest.getTime() + 1500) });

    const rest = await walk(first.links.next ?? '', 20);
    const restRows = rest.flatMap((page: Page) => page.data);
    const restIds = restRows.map((row) => row.id);
    expect(restIds.filter((id) => id === alreadySeen)).toHaveLength(1);
    expect(restIds.filter((id) => id === notYetSeen)).toHaveLength(1);
    expect(restRows.at(-1)?.id).toBe([alreadySeen, notYetSeen].sort()[1]);
    const moved = restRows.find((row) => row.id === alreadySeen)!;
    expect(moved.attributes.first_name).toBe('Moved');
    expect(moved.attributes.updated).toBe('2026-11-01T00:00:01+00:00');
    // Only the profile moved from behind the scan's position to ahead of it is met twice in total.
    const everyone = [...first.data.map((row) => row.id), ...restIds];
    expect(everyone).toHaveLength(121);
    expect(new Set(everyone).size).toBe(120);
  });

  it('updateProfile without bumpUpdated keeps updated and can change consent', () => {
    const [target] = simulator.allProfiles();
    const before = target!.attributes.updated;
    simulator.updateProfile(target!.id, (attributes) => {
      const marketing = attributes.subscriptions?.email?.marketing;
      if (marketing) {
        marketing.consent = 'UNSUBSCRIBED';
        marketing.can_receive_email_marketing = false;
      }
    }, { bumpUpdated: false });
    const after = simulator.profile(target!.id)!;
    expect(after.attributes.updated).toBe(before);
    expect(after.attributes.subscriptions?.email?.marketing?.consent).toBe('UNSUBSCRIBED');
  });

  it('profile() and allProfiles() hand out copies', () => {
    const [target] = simulator.allProfiles();
    const copy = simulator.profile(target!.id)!;
    copy.attributes.email = 'changed@example.com';
    expect(simulator.profile(target!.id)!.attributes.email).toBe(target!.attributes.email);
    expect(simulator.profile('01ZZZZZZZZZZZZZZZZZZZZZZZZ')).toBeUndefined();
    expect(() => simulator.updateProfile('01ZZZZZZZZZZZZZZZZZZZZZZZZ', () => undefined)).toThrow();
  });

  it('addProfile and deleteProfile change what the API serves', async () => {
    const at = new Date('2026-11-02T03:04:05.678Z');
    const id = simulator.addProfile({ email: 'new.person@example.com', first_name: 'Zoë' }, { at });
    expect(simulator.size).toBe(121);
    const added = simulator.profile(id)!;
    expect(added.attributes.created).toBe('2026-11-02T03:04:05+00:00');
    expect(added.attributes.updated).toBe('2026-11-02T03:04:05+00:00');
    expect(added.attributes.subscriptions?.email?.marketing?.consent).toBe('NEVER_SUBSCRIBED');
    const newest = await getPage(profilesUrl(simulator, { sort: '-updated', 'page[size]': '1' }));
    expect(newest.data[0]?.id).toBe(id);

    const victim = simulator.allProfiles()[5]!.id;
    simulator.deleteProfile(victim);
    expect(simulator.size).toBe(120);
    expect(simulator.profile(victim)).toBeUndefined();
    const everyone = (await walk(profilesUrl(simulator, { sort: 'updated', 'page[size]': '100' }), 5)).flatMap((p) => p.data.map((r) => r.id));
    expect(everyone).toHaveLength(120);
    expect(everyone).toContain(id);
    expect(everyone).not.toContain(victim);
  });
});
