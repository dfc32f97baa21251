/** What every `tsio` subcommand module exports. */
export interface Command {
  /** The subcommand's name: `tsio <name>`. */
  readonly name: string;
  /** One line for `tsio --help`. */
  readonly summary: string;
  /** The full `tsio <name> --help` text, with examples. */
  readonly help: string;
  /**
   * Runs the command with the arguments after its name and resolves with the process exit code.
   * Throws {@link UsageError} for a bad call (exit code 2).
   */
  run(argv: readonly string[]): Promise<number>;
}
