/** A configured catalog as Airbyte builds it from discover's output. */
export function configuredCatalog(syncMode: string, streamName = 'profile_consent') {
  return {
    streams: [
      {
        stream: { name: streamName, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
        sync_mode: syncMode,
        destination_sync_mode: syncMode === 'incremental' ? 'append_dedup' : 'overwrite',
        cursor_field: ['updated'],
        primary_key: [['id']],
      },
    ],
  };
}
