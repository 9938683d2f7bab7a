/** Command-line parsing for `modhost serve|check|inspect`; no dependency needed for this much. */
export type Command = 'serve' | 'check' | 'inspect' | 'call' | 'new-module';

export interface CliArgs {
  command?: Command;
  config: string;
  instance?: string;
  json: boolean;
  help: boolean;
  version: boolean;
  /** Words after the command (`call <category> <name>`, `new-module <name>`). */
  positionals: string[];
  /** `--args <json>` (call). */
  args?: string;
  /** `--dir <path>` (new-module): where to write the package; default ./<name>. */
  dir?: string;
}

export class UsageError extends Error {}

const COMMANDS: readonly Command[] = ['serve', 'check', 'inspect', 'call', 'new-module'];

export const USAGE = `Usage: modhost <command> [options]

Commands:
  serve     run the host: load modules, serve their web resources, run their tasks
  check     load, validate and wire without listening; print each module's registrations
  inspect   the same as data (--json)
  call <category> <name> [--args <json>]
            fire one callback by hand: the combined result, then each module's answer
  new-module <name> [--dir <path>]
            write a ready module package (config class, callback, resource, cache, test)

Options:
  -c, --config <file>   the YAML config (default: modhost.yaml)
  --instance <name>     this instance's name (overrides instance.name)
  --json                machine-readable output (inspect, call)
  --args <json>         the callback's arguments as a JSON array (call)
  --dir <path>          where new-module writes the package (default ./<name>)
  -h, --help            show this help
  -v, --version         print the version

Exit codes: 0 ok, 1 invalid config or failed start, 2 bad usage.`;

function missing(option: string): never {
  throw new UsageError(`${option} needs a value`);
}

export function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = {
    config: 'modhost.yaml',
    json: false,
    help: false,
    version: false,
    positionals: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('-')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '-c' || arg === '--config') args.config = value();
    else if (arg.startsWith('--config=')) args.config = arg.slice('--config='.length);
    else if (arg === '--instance') args.instance = value();
    else if (arg === '--json') args.json = true;
    else if (arg === '--args') args.args = argv[++i] ?? missing(arg);
    else if (arg === '--dir') args.dir = value();
    else if (arg === '-h' || arg === '--help') args.help = true;
    else if (arg === '-v' || arg === '--version') args.version = true;
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if (args.command === 'call' || args.command === 'new-module') args.positionals.push(arg);
    else if (args.command) throw new UsageError(`unexpected argument "${arg}"`);
    else if ((COMMANDS as readonly string[]).includes(arg)) args.command = arg as Command;
    else throw new UsageError(`unknown command "${arg}"; commands: ${COMMANDS.join(', ')}`);
  }
  if (!args.command && !args.help && !args.version) throw new UsageError('a command is needed');
  return args;
}
