/** Where the engine and the HTTP client report; each protocol face decides how a line reaches the user. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
