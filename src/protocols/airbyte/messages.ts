// The subset of the Airbyte protocol (v0, see airbyte_protocol.yaml) this source speaks. Builders keep
// message shapes in one place; the tests validate every emitted line against the protocol schema.
import type { FailureType } from '../../common/errors.js';

export type StreamStatus = 'STARTED' | 'RUNNING' | 'COMPLETE' | 'INCOMPLETE';
export type LogLevel = 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';

export interface AirbyteStream {
  name: string;
  json_schema: object;
  supported_sync_modes: Array<'full_refresh' | 'incremental'>;
  source_defined_cursor: boolean;
  default_cursor_field: string[];
  source_defined_primary_key: string[][];
  is_resumable: boolean;
}

export const specMessage = (spec: { documentationUrl: string; connectionSpecification: object }) => ({
  type: 'SPEC' as const,
  spec: { documentationUrl: spec.documentationUrl, connectionSpecification: spec.connectionSpecification, supportsIncremental: true },
});

export const connectionStatusMessage = (status: 'SUCCEEDED' | 'FAILED', message?: string) => ({
  type: 'CONNECTION_STATUS' as const,
  connectionStatus: message === undefined ? { status } : { status, message },
});

export const catalogMessage = (streams: AirbyteStream[]) => ({ type: 'CATALOG' as const, catalog: { streams } });

/** A RECORD message, serialized without building wrapper objects: this runs once per record. */
export function recordLine(stream: string, data: object, emittedAt: number): string {
  return `{"type":"RECORD","record":{"stream":${JSON.stringify(stream)},"data":${JSON.stringify(data)},"emitted_at":${emittedAt}}}`;
}

export const streamStateMessage = (stream: string, streamState: object, recordCount: number) => ({
  type: 'STATE' as const,
  state: {
    type: 'STREAM' as const,
    stream: { stream_descriptor: { name: stream }, stream_state: streamState },
    sourceStats: { recordCount },
  },
});

export const streamStatusMessage = (stream: string, status: StreamStatus, reasons?: object[]) => ({
  type: 'TRACE' as const,
  trace: {
    type: 'STREAM_STATUS' as const,
    emitted_at: Date.now(),
    stream_status: { stream_descriptor: { name: stream }, status, ...(reasons ? { reasons } : {}) },
  },
});

export const errorTraceMessage = (message: string, failureType: FailureType, options: { internalMessage?: string; stream?: string } = {}) => ({
  type: 'TRACE' as const,
  trace: {
    type: 'ERROR' as const,
    emitted_at: Date.now(),
    error: {
      message,
      failure_type: failureType,
      ...(options.internalMessage ? { internal_message: options.internalMessage } : {}),
      ...(options.stream ? { stream_descriptor: { name: options.stream } } : {}),
    },
  },
});

export const logMessage = (level: LogLevel, message: string) => ({ type: 'LOG' as const, log: { level, message } });
