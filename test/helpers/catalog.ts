/** A configured catalog as Airbyte builds it from discover's output: one stream, or several. */
export function configuredCatalog(syncMode: string, streamName: string | string[] = 'profile_consent') {
  return {
    streams: (Array.isArray(streamName) ? streamName : [streamName]).map((name) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
      sync_mode: syncMode,
      destination_sync_mode: syncMode === 'incremental' ? 'append_dedup' : 'overwrite',
      cursor_field: [name === 'consent_events' ? 'datetime' : 'updated'],
      primary_key: [['id']],
    })),
  };
}
