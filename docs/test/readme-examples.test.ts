import { execFile } from 'node:child_process'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

// Every ```ts block of every package README runs as written (blocks marked `ts snippet` are
// fragments and are skipped), so the examples users copy cannot rot.
const root = fileURLToPath(new URL('../../', import.meta.url))
const scratch = `${root}.tmp/readme-examples/`
const run = promisify(execFile)

const packages = await readdir(`${root}packages`)
const examples: { name: string; code: string }[] = []
for (const name of packages) {
  const readme = await readFile(`${root}packages/${name}/README.md`, 'utf8').catch(() => '')
  const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)]
  for (const [i, block] of blocks.entries()) {
    examples.push({ name: `${name} README example ${i + 1}`, code: block[1] as string })
  }
}

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true })
})

describe('README examples', () => {
  it('exist', () => {
    expect(examples.length).toBeGreaterThan(0)
  })

  for (const [i, example] of examples.entries()) {
    it(`${example.name} runs`, { timeout: 60_000 }, async () => {
      await mkdir(scratch, { recursive: true })
      const file = `${scratch}example-${i}.ts`
      await writeFile(file, example.code)
      const { stderr } = await run(
        process.execPath,
        ['--conditions=@shoal/source', '--import', 'tsx', file],
        { cwd: root },
      )
      expect(stderr).toBe('')
    })
  }
})
