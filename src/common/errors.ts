// One error family for the whole connector, so each protocol face can say what kind of failure it was
// (Airbyte's failure_type) without knowing where it came from.

export type FailureType = 'config_error' | 'transient_error' | 'system_error';

export class ConnectorError extends Error {
  constructor(
    message: string,
    readonly failureType: FailureType,
    readonly internalMessage?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The user must change a setting, a file or a key: retrying will not help. */
export class ConfigError extends ConnectorError {
  constructor(message: string, internalMessage?: string) {
    super(message, 'config_error', internalMessage);
  }
}

/** A failure that may pass by itself (throttling, outages); the states already emitted stay valid. */
export class TransientError extends ConnectorError {
  constructor(message: string, internalMessage?: string) {
    super(message, 'transient_error', internalMessage);
  }
}

/** Anything unexpected becomes a system_error with the original text kept for the log. */
export function asConnectorError(error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new ConnectorError(`Unexpected error: ${text}`, 'system_error', error instanceof Error ? error.stack : undefined);
}
