import fc from 'fast-check'

/**
 * Options of {@link checkProperty}.
 *
 * @example
 * ```ts
 * const options: CheckOptions = { file: 'packages/netsim/test/ping.test.ts', numRuns: 50 }
 * ```
 */
export interface CheckOptions {
  /** The test file, for the replay command. */
  readonly file: string
  /** The vitest project, for the replay command; default the file's `packages/<name>`. */
  readonly project?: string
  /** Runs; default fast-check's (100). Ignored when replaying a path. */
  readonly numRuns?: number
  /** Seed; default `FC_SEED` from the environment, else fast-check's random seed. */
  readonly seed?: number
}

/**
 * The one-line command that replays a failing property from its seed (and shrink path).
 *
 * @example
 * ```ts
 * replayCommand({ seed: 42, file: 'packages/netsim/test/a.test.ts' })
 * // 'FC_SEED=42 npx vitest run --project packages/netsim packages/netsim/test/a.test.ts'
 * ```
 */
export function replayCommand(options: {
  readonly seed: number
  readonly path?: string
  readonly file: string
  readonly project?: string
}): string {
  const project = options.project ?? /packages\/[^/]+/.exec(options.file)?.[0]
  const path = options.path === undefined ? '' : ` FC_PATH=${options.path}`
  const projectFlag = project === undefined ? '' : ` --project ${project}`
  return `FC_SEED=${options.seed}${path} npx vitest run${projectFlag} ${options.file}`
}

/**
 * Runs a fast-check property with a replayable seed (`FC_SEED`, `FC_PATH` from the environment
 * when set) and throws, on failure, an error whose message starts with the seed, the shrunk
 * counterexample and a one-line replay command.
 *
 * @example
 * ```ts
 * import fc from 'fast-check'
 * checkProperty(fc.property(fc.integer(), (n) => n + 0 === n), { file: 'x.test.ts', numRuns: 10 })
 * ```
 */
export function checkProperty<T>(property: fc.IProperty<T>, options: CheckOptions): void {
  const envSeed = process.env.FC_SEED
  const envPath = process.env.FC_PATH
  const seed = options.seed ?? (envSeed === undefined ? undefined : Number(envSeed))
  const parameters: fc.Parameters<T> = {}
  if (seed !== undefined) parameters.seed = seed
  if (envPath !== undefined) parameters.path = envPath
  if (options.numRuns !== undefined) parameters.numRuns = options.numRuns
  const details = fc.check(property, parameters)
  if (!details.failed) return
  const command = replayCommand({
    seed: details.seed,
    file: options.file,
    path: details.counterexamplePath ?? '',
    ...(options.project === undefined ? {} : { project: options.project }),
  })
  const error = details.errorInstance
  throw new Error(
    `property failed with seed ${details.seed} after ${details.numRuns} runs (${details.numShrinks} shrinks)\n` +
      `counterexample: ${fc.stringify(details.counterexample)}\n` +
      `replay: ${command}\n` +
      `cause: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  )
}
