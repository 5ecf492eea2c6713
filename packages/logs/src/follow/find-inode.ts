import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

/** How many directory entries {@link findByInode} looks at, at most. */
const MAX_ENTRIES = 10_000

/**
 * Finds, in directory `dir`, the regular file with inode `inode` and at least `minSize` bytes:
 * where a checkpoint's file went after a rotation by rename (`access.log` → `access.log.1`).
 * Names starting with `prefix` are tried first; at most 10,000 entries are looked at.
 *
 * @returns its path, or `undefined` when there is none (deleted, compressed, moved away)
 */
export async function findByInode(
  dir: string,
  prefix: string,
  inode: bigint,
  minSize: number,
): Promise<string | undefined> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return undefined
  }
  const likely = names.filter((name) => name.startsWith(prefix))
  const others = names.filter((name) => !name.startsWith(prefix))
  const candidates = likely.concat(others).slice(0, MAX_ENTRIES)
  const wanted = BigInt(minSize)
  for (const name of candidates) {
    const path = join(dir, name)
    try {
      const stats = await stat(path, { bigint: true })
      if (stats.ino === inode && stats.isFile() && stats.size >= wanted) return path
    } catch {
      // gone or unreadable meanwhile: not the one
    }
  }
  return undefined
}
