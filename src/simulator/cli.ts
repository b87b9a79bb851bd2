import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { checkedFaultRates, roundedSum, type FaultRates } from './faults/fault-rates.js';
import { KlaviyoSimulator, SIMULATOR_API_KEY, type SimulatorOptions, type SmsMetricNaming } from './klaviyo-simulator.js';

export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
}

const NAME = 'klaviyo-simulator';

/**
 * Starts the simulator from command-line arguments (without `node` and the script). On success it
 * prints one JSON line on stdout for scripts, one readable line on stderr, and returns the running
 * simulator; otherwise it returns the exit code: 0 after --help, 2 for invalid options.
 */
export async function startFromCli(argv: readonly string[], io: CliIo): Promise<KlaviyoSimulator | number> {
  let options: SimulatorOptions | undefined;
  try {
    options = parseCliArguments(argv, io);
  } catch (error) {
    if (error instanceof CommanderError && (error.code === 'commander.helpDisplayed' || error.code === 'commander.help')) return 0;
    if (error instanceof CommanderError || error instanceof InvalidArgumentError) {
      io.stderr(`${NAME}: ${error.message.replace(/^error: /, '')}`);
      return 2;
    }
    throw error;
  }
  let simulator: KlaviyoSimulator;
  try {
    simulator = await KlaviyoSimulator.start(options);
  } catch (error) {
    io.stderr(`${NAME}: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  io.stdout(JSON.stringify({ base_url: simulator.baseUrl, api_key: SIMULATOR_API_KEY, profiles: simulator.size }));
  io.stderr(`${NAME}: serving ${simulator.size} profiles and ${simulator.lists().length} lists at ${simulator.baseUrl}/api/ (Ctrl-C to stop)`);
  return simulator;
}

export function parseCliArguments(argv: readonly string[], io: CliIo): SimulatorOptions {
  const program = new Command(NAME)
    .description(
      "A local simulator of the Klaviyo API this connector uses (GET /api/profiles, /api/metrics, /api/events, /api/lists and the bulk consent jobs), " +
        "enforcing Klaviyo's rate limits per endpoint and its published rules",
    )
    .option('--port <n>', 'port to listen on, 0 for any free port', integerIn('--port', 0, 65_535), 0)
    .option('--host <h>', 'loopback address to listen on', loopbackHost, '127.0.0.1')
    .option('--profiles <n>', 'how many profiles to generate', integerIn('--profiles', 0, 50_000_000), 1000)
    .option('--seed <n>', 'seed of the generated data', integerIn('--seed', 0, 4_294_967_295), 1)
    .option('--latency-ms <n>', 'delay added to every response', nonNegativeNumber('--latency-ms'), 0)
    .option('--requests-per-second <n>', "Get Profiles' burst limit instead of Klaviyo's 75", integerIn('--requests-per-second', 1, 1_000_000))
    .option('--requests-per-minute <n>', "Get Profiles' steady limit instead of Klaviyo's 750 (700 before revision 2026-01-15)", integerIn('--requests-per-minute', 1, 60_000_000))
    .option('--no-rate-limits', 'lift every rate limit (throughput benchmarks)')
    .option('--lists <n>', 'how many lists the account has', integerIn('--lists', 0, 100_000), 5)
    .option('--cursor-max-age <s>', "refuse page cursors older than this many seconds, as Klaviyo's expire", integerIn('--cursor-max-age', 1, 31_536_000))
    .option('--sms-metric-names <naming>', "'text' (Klaviyo's 2026 names), 'sms' (the old ones) or 'both'", smsNaming, 'text')
    .option('--write-delay-ms <n>', 'how long an accepted consent job takes to apply (Klaviyo applies them asynchronously)', nonNegativeNumber('--write-delay-ms'), 0)
    .option('--sms-countries <codes>', 'countries with an SMS sending number, e.g. US,GB (default: every country)', countryCodes)
    .option('--fault-throttle <p>', 'probability that a GET gets a 429 with Retry-After: 1', probability('--fault-throttle'))
    .option('--fault-server-error <p>', 'probability that a GET gets a 500, 502, 503 or 504', probability('--fault-server-error'))
    .option('--fault-reset <p>', 'probability that a GET has its connection reset', probability('--fault-reset'))
    .option('--fault-garbage <p>', 'probability that a GET gets a 200 whose body is not JSON', probability('--fault-garbage'))
    .option('--fault-seed <n>', 'seed of the fault sequence (default 1)', integerIn('--fault-seed', 0, 4_294_967_295))
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text.trimEnd()),
      // Errors are reported once, as one line, by startFromCli.
      writeErr: () => undefined,
    });
  program.parse([...argv], { from: 'user' });
  const parsed = program.opts<{
    port: number;
    host: string;
    profiles: number;
    seed: number;
    latencyMs: number;
    requestsPerSecond?: number;
    requestsPerMinute?: number;
    rateLimits: boolean;
    lists: number;
    cursorMaxAge?: number;
    smsMetricNames: SmsMetricNaming;
    writeDelayMs: number;
    smsCountries?: string[];
  } & FaultFlags>();
  const { requestsPerSecond, requestsPerMinute } = parsed;
  if (!parsed.rateLimits && (requestsPerSecond !== undefined || requestsPerMinute !== undefined)) {
    throw new InvalidArgumentError('--no-rate-limits lifts every limit; it cannot be combined with --requests-per-second or --requests-per-minute.');
  }
  const faults = faultRates(parsed);
  // Only the windows given are replaced; the other stays Klaviyo's for the request's revision.
  const profilesLimit = { ...(requestsPerSecond !== undefined ? { perSecond: requestsPerSecond } : {}), ...(requestsPerMinute !== undefined ? { perMinute: requestsPerMinute } : {}) };
  return {
    port: parsed.port,
    host: parsed.host,
    profiles: parsed.profiles,
    seed: parsed.seed,
    latencyMs: parsed.latencyMs,
    lists: parsed.lists,
    smsMetricNaming: parsed.smsMetricNames,
    writeDelayMs: parsed.writeDelayMs,
    ...(parsed.smsCountries ? { smsCountries: parsed.smsCountries } : {}),
    ...(parsed.cursorMaxAge !== undefined ? { cursorMaxAgeSeconds: parsed.cursorMaxAge } : {}),
    ...(!parsed.rateLimits ? { rateLimits: 'none' as const } : requestsPerSecond !== undefined || requestsPerMinute !== undefined ? { rateLimits: { profiles: profilesLimit } } : {}),
    ...(faults ? { faults } : {}),
  };
}

interface FaultFlags {
  faultThrottle?: number;
  faultServerError?: number;
  faultReset?: number;
  faultGarbage?: number;
  faultSeed?: number;
}

/** The --fault-* options as FaultRates, or undefined when none was given. */
function faultRates(parsed: FaultFlags): FaultRates | undefined {
  const given: FaultRates = {
    ...(parsed.faultThrottle !== undefined ? { throttle: parsed.faultThrottle } : {}),
    ...(parsed.faultServerError !== undefined ? { serverError: parsed.faultServerError } : {}),
    ...(parsed.faultReset !== undefined ? { reset: parsed.faultReset } : {}),
    ...(parsed.faultGarbage !== undefined ? { garbage: parsed.faultGarbage } : {}),
    ...(parsed.faultSeed !== undefined ? { seed: parsed.faultSeed } : {}),
  };
  if (Object.keys(given).length === 0) return undefined;
  try {
    checkedFaultRates(given);
  } catch {
    // Each rate is already in [0, 1], so only their sum can be wrong; say it in terms of the flags.
    const sum = (given.throttle ?? 0) + (given.serverError ?? 0) + (given.reset ?? 0) + (given.garbage ?? 0);
    throw new InvalidArgumentError(
      `--fault-throttle, --fault-server-error, --fault-reset and --fault-garbage add up to ${roundedSum(sum)}; their sum must be at most 1.`,
    );
  }
  return given;
}

function integerIn(option: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!(number >= min && number <= max)) {
      throw new InvalidArgumentError(`${option} must be an integer from ${min} to ${max}, got '${value}'.`);
    }
    return number;
  };
}

function nonNegativeNumber(option: string): (value: string) => number {
  return (value) => {
    const number = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isFinite(number)) throw new InvalidArgumentError(`${option} must be a non-negative number, got '${value}'.`);
    return number;
  };
}

function probability(option: string): (value: string) => number {
  return (value) => {
    const number = /^(\d+(\.\d*)?|\.\d+)$/.test(value) ? Number(value) : Number.NaN;
    if (!(number >= 0 && number <= 1)) throw new InvalidArgumentError(`${option} must be a probability from 0 to 1, got '${value}'.`);
    return number;
  };
}

function countryCodes(value: string): string[] {
  const codes = value.split(',').map((code) => code.trim().toUpperCase());
  if (codes.some((code) => !/^[A-Z]{2}$/.test(code))) throw new InvalidArgumentError(`--sms-countries takes two-letter country codes separated by commas, e.g. US,GB; got '${value}'.`);
  return codes;
}

function smsNaming(value: string): SmsMetricNaming {
  if (value !== 'text' && value !== 'sms' && value !== 'both') throw new InvalidArgumentError(`--sms-metric-names must be text, sms or both, got '${value}'.`);
  return value;
}

function loopbackHost(value: string): string {
  if (!/^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1)$/.test(value)) {
    throw new InvalidArgumentError(`--host must be a loopback address such as 127.0.0.1, got '${value}'.`);
  }
  return value;
}
