import type { Options } from 'tsup'

// The one build every package shares: ESM and CommonJS with their own declaration files. A
// package's tsup.config.ts spreads it, and adds a CLI entry when it has one.

/** The library build of a package's `src/index.ts`. */
export const libraryBuild: Options = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  treeshake: true,
}

/** The build of a package's command-line tool, `src/cli/main.ts` → `dist/cli.js`. */
export const cliBuild: Options = {
  entry: { cli: 'src/cli/main.ts' },
  format: ['esm'],
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  banner: { js: '#!/usr/bin/env node' },
}
