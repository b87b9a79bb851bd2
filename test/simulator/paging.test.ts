import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KlaviyoSimulator } from '../../src/simulator/index.js';
import { getPage, profilesUrl, startSimulator, walk, type Page } from './simulator-client.js';

const PROFILES = 300;
let simulator: KlaviyoSimulator;
beforeAll(async () => {
  simulator = await startSimulator({ profiles: PROFILES, seed: 3 });
});
afterAll(async () => {
  await simulator.close();
});

const ids = (pages: Page[]): string[] => pages.flatMap((page) => page.data.map((profile) => profile.id));
const updatedOf = (profile: Page['data'][number]): number => Date.parse(String(profile.attributes.updated));

describe('paging', () => {
  it('returns every profile exactly once with sort=updated and page size 7, ties straddling pages', async () => {
    const pages = await walk(profilesUrl(simulator, { sort: 'updated', 'page[size]': '7' }), Math.ceil(PROFILES / 7) + 1);
    const seen = ids(pages);
    expect(seen).toHaveLength(PROFILES);
    expect(new Set(seen).size).toBe(PROFILES);
    expect(new Set(seen)).toEqual(new Set(simulator.allProfiles().map((profile) => profile.id)));

    const rows = pages.flatMap((page) => page.data);
    for (let i = 1; i < rows.length; i++) {
      const [previous, current] = [rows[i - 1]!, rows[i]!];
      const order = updatedOf(previous) - updatedOf(current) || (previous.id < current.id ? -1 : 1);
      expect(order, `${previous.id} before ${current.id}`).toBeLessThan(0);
    }
    const straddling = pages.slice(1).filter((page, i) => {
      const lastOfPrevious = pages[i]!.data.at(-1)!;
      return updatedOf(lastOfPrevious) === updatedOf(page.data[0]!);
    });
    expect(straddling.length, 'pages whose first row ties with the last row of the page before').toBeGreaterThan(0);
    expect(pages.at(-1)!.links.next ?? null).toBeNull();
    for (const page of pages.slice(0, -1)) expect(page.data).toHaveLength(7);
  });

  it('pages every sort of the spec without losing or repeating a profile', async () => {
    const sorts = [
      'id', '-id', 'created', '-created', 'updated', '-updated', 'email', '-email',
      'subscriptions.email.marketing.suppression.timestamp', '-subscriptions.email.marketing.suppression.timestamp',
    ];
    for (const sort of sorts) {
      const seen = ids(await walk(profilesUrl(simulator, { sort, 'page[size]': '100' }), 5));
      expect(new Set(seen).size, sort).toBe(PROFILES);
      expect(seen, sort).toHaveLength(PROFILES);
    }
    // Sorting on list suppressions needs a list id filter (klaviyo-rules.md); each list's suppressed profiles come once.
    for (const sort of ['subscriptions.email.marketing.list_suppressions.timestamp', '-subscriptions.email.marketing.list_suppressions.timestamp']) {
      for (const { id: list } of simulator.lists()) {
        const filter = `equals(subscriptions.email.marketing.list_suppressions.list_id,"${list}")`;
        const seen = ids(await walk(profilesUrl(simulator, { sort, filter, 'page[size]': '7' }), 50));
        const truth = simulator.allProfiles().filter((p) => (p.attributes.subscriptions?.email?.marketing?.list_suppressions ?? []).some((e) => e.list_id === list));
        expect(truth.length, list).toBeGreaterThan(0);
        expect([...seen].sort(), `${sort} in ${list}`).toEqual(truth.map((p) => p.id).sort());
      }
    }
  });

  it('sorts by id when no sort is given, with the default page size of 20', async () => {
    const page = await getPage(profilesUrl(simulator));
    expect(page.data).toHaveLength(20);
    const expected = simulator.allProfiles().slice(0, 20).map((profile) => profile.id);
    expect(page.data.map((profile) => profile.id)).toEqual(expected);
  });

  it('orders -updated newest first with ties by id ascending', async () => {
    const rows = (await walk(profilesUrl(simulator, { sort: '-updated', 'page[size]': '100' }), 5)).flatMap((p) => p.data);
    for (let i = 1; i < rows.length; i++) {
      const [previous, current] = [rows[i - 1]!, rows[i]!];
      const order = updatedOf(current) - updatedOf(previous) || (previous.id < current.id ? -1 : 1);
      expect(order).toBeLessThan(0);
    }
  });

  it('puts profiles without a suppression last for a suppression-timestamp sort', async () => {
    for (const sort of ['subscriptions.email.marketing.suppression.timestamp', '-subscriptions.email.marketing.suppression.timestamp']) {
      const rows = (await walk(profilesUrl(simulator, { sort, 'page[size]': '100', 'additional-fields[profile]': 'subscriptions' }), 5)).flatMap((p) => p.data);
      const hasSuppression = rows.map((row) => (row.attributes.subscriptions?.email?.marketing?.suppression ?? []).length > 0);
      const firstWithout = hasSuppression.indexOf(false);
      expect(firstWithout).toBeGreaterThan(0);
      expect(hasSuppression.slice(firstWithout)).not.toContain(true);
    }
  });

  it('builds links.next as a full URL carrying every original parameter', async () => {
    const query = {
      sort: '-updated',
      'page[size]': '5',
      filter: 'greater-than(updated,2020-01-01T00:00:00+00:00)',
      'additional-fields[profile]': 'subscriptions',
    };
    const page = await getPage(profilesUrl(simulator, query));
    expect(page.links.self).toBe(profilesUrl(simulator, query));
    const next = new URL(page.links.next ?? '');
    expect(`${next.origin}${next.pathname}`).toBe(`${simulator.baseUrl}/api/profiles`);
    for (const [name, value] of Object.entries(query)) expect(next.searchParams.get(name)).toBe(value);
    expect(next.searchParams.get('page[cursor]')).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe('filters', () => {
  const all = () => simulator.allProfiles();

  it('treats greater-than and less-than on updated as strict', async () => {
    const pivot = all()[0]!.attributes.updated as string;
    const pivotMs = Date.parse(pivot);
    const after = ids(await walk(profilesUrl(simulator, { filter: `greater-than(updated,${pivot})`, 'page[size]': '100' }), 5));
    const before = ids(await walk(profilesUrl(simulator, { filter: `less-than(updated,${pivot})`, 'page[size]': '100' }), 5));
    const at = all().filter((profile) => Date.parse(String(profile.attributes.updated)) === pivotMs).map((p) => p.id);
    expect(at.length).toBeGreaterThan(0);
    expect(after.some((id) => at.includes(id))).toBe(false);
    expect(before.some((id) => at.includes(id))).toBe(false);
    expect(after.length + before.length + at.length).toBe(PROFILES);
    const expectedAfter = all().filter((profile) => Date.parse(String(profile.attributes.updated)) > pivotMs).length;
    expect(after).toHaveLength(expectedAfter);
  });

  it('combines conditions with commas or and(), for every sort', async () => {
    const sorted = all().map((p) => Date.parse(String(p.attributes.updated))).sort((a, b) => a - b);
    const low = new Date(sorted[50]!).toISOString();
    const high = new Date(sorted[250]!).toISOString();
    const expected = all()
      .filter((p) => {
        const updated = Date.parse(String(p.attributes.updated));
        return updated > Date.parse(low) && updated < Date.parse(high);
      })
      .map((p) => p.id)
      .sort();
    for (const sort of ['updated', '-updated', 'id', 'created']) {
      for (const filter of [`greater-than(updated,${low}),less-than(updated,${high})`, `and(greater-than(updated,${low}),less-than(updated,${high}))`]) {
        const got = ids(await walk(profilesUrl(simulator, { sort, filter, 'page[size]': '100' }), 5)).sort();
        expect(got, `${sort} ${filter}`).toEqual(expected);
      }
    }
  });

  it('matches identifiers with equals and any', async () => {
    const [a, b] = all().filter((p) => p.attributes.email !== null);
    const byEmail = await getPage(profilesUrl(simulator, { filter: `equals(email,"${a!.attributes.email}")` }));
    expect(byEmail.data.map((p) => p.id)).toEqual([a!.id]);
    const byIds = await getPage(profilesUrl(simulator, { filter: `any(id,["${b!.id}","${a!.id}","01ZZZZZZZZZZZZZZZZZZZZZZZZ"])`, sort: 'id' }));
    expect(byIds.data.map((p) => p.id)).toEqual([a!.id, b!.id].sort());
    const plus = all().find((p) => String(p.attributes.email).includes('+'));
    expect(plus).toBeDefined();
    const byPlus = await getPage(profilesUrl(simulator, { filter: `equals(email,'${plus!.attributes.email}')` }));
    expect(byPlus.data.map((p) => p.id)).toEqual([plus!.id]);
    const kx = await getPage(profilesUrl(simulator, { filter: "equals(_kx,'abc')" }));
    expect(kx.data).toEqual([]);
  });

  it('matches a suppression filter when any element matches', async () => {
    const reason = 'UNSUBSCRIBE';
    const expected = all()
      .filter((p) => (p.attributes.subscriptions?.email?.marketing?.suppression ?? []).some((s) => s.reason === reason))
      .map((p) => p.id)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    const filter = `equals(subscriptions.email.marketing.suppression.reason,'${reason}')`;
    expect(ids(await walk(profilesUrl(simulator, { filter, 'page[size]': '100' }), 5)).sort()).toEqual(expected);

    const timestamps = all().flatMap((p) => (p.attributes.subscriptions?.email?.marketing?.suppression ?? []).map((s) => s.timestamp));
    const pivot = timestamps.sort()[Math.floor(timestamps.length / 2)]!;
    const atOrAfter = all()
      .filter((p) => (p.attributes.subscriptions?.email?.marketing?.suppression ?? []).some((s) => Date.parse(s.timestamp) >= Date.parse(pivot)))
      .map((p) => p.id)
      .sort();
    const filterGe = `greater-or-equal(subscriptions.email.marketing.suppression.timestamp,${pivot})`;
    expect(ids(await walk(profilesUrl(simulator, { filter: filterGe, 'page[size]': '100' }), 5)).sort()).toEqual(atOrAfter);
  });
});

describe('response shape', () => {
  it('leaves subscriptions out unless additional-fields[profile] asks for them', async () => {
    const plain = await getPage(profilesUrl(simulator, { 'page[size]': '10' }));
    for (const profile of plain.data) expect(profile.attributes).not.toHaveProperty('subscriptions');
    const withSubscriptions = await getPage(profilesUrl(simulator, { 'page[size]': '10', 'additional-fields[profile]': 'subscriptions' }));
    for (const profile of withSubscriptions.data) {
      expect(profile.attributes.subscriptions).toEqual(simulator.profile(profile.id)?.attributes.subscriptions);
      expect(profile.attributes).not.toHaveProperty('predictive_analytics');
    }
    const both = await getPage(profilesUrl(simulator, { 'additional-fields[profile]': 'subscriptions,predictive_analytics' }));
    expect(both.data[0]!.attributes).toHaveProperty('predictive_analytics');
  });

  it('returns resources with type, id, relationships and links', async () => {
    const page = await getPage(profilesUrl(simulator, { 'page[size]': '1' }));
    const [profile] = page.data;
    expect(profile).toMatchObject({
      type: 'profile',
      relationships: {
        lists: { links: { self: expect.stringContaining('/relationships/lists/'), related: expect.stringContaining('/lists/') } },
        segments: { links: { self: expect.stringContaining('/relationships/segments/'), related: expect.stringContaining('/segments/') } },
      },
      links: { self: `${simulator.baseUrl}/api/profiles/${profile!.id}/` },
    });
  });

  it('applies sparse fieldsets', async () => {
    const page = await getPage(
      profilesUrl(simulator, {
        'page[size]': '3',
        'fields[profile]': 'email,updated,subscriptions.email.marketing.consent',
        'additional-fields[profile]': 'subscriptions',
      }),
    );
    for (const profile of page.data) {
      expect(Object.keys(profile.attributes).sort()).toEqual(['email', 'subscriptions', 'updated']);
      expect(Object.keys(profile.attributes.subscriptions ?? {})).toEqual(['email']);
      expect(Object.keys(profile.attributes.subscriptions?.email?.marketing ?? {})).toEqual(['consent']);
    }
  });
});
