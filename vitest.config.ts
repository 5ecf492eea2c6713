import { existsSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// Workspace packages resolve to their TypeScript sources through the "@shoal/source" export
// condition. Setting conditions replaces Vite's defaults, so those are listed again after it.
const conditions = ['@shoal/source', 'module', 'node', 'development|production']

const repoRoot = fileURLToPath(new URL('.', import.meta.url))

// One project per workspace folder that has tests; `extends: true` inherits the resolve settings.
const projects = (dir: string) =>
  (existsSync(new URL(dir, import.meta.url)) ? readdirSync(new URL(dir, import.meta.url)) : [])
    .filter((name) => existsSync(new URL(`${dir}/${name}/test`, import.meta.url)))
    .map((name) => ({
      extends: true as const,
      test: { name: `${dir}/${name}`, root: `${repoRoot}${dir}/${name}` },
    }))

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    projects: [
      ...projects('packages'),
      ...projects('examples'),
      { extends: true as const, test: { name: 'docs', root: `${repoRoot}docs` } },
    ],
    setupFiles: [fileURLToPath(new URL('vitest.setup.ts', import.meta.url))],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
