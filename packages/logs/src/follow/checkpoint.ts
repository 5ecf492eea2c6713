import { resolve } from 'node:path'
import { invalidArgument } from '@shoal/core'

/**
 * Where to resume following a file: the path followed, the inode of the file being read and the
 * byte offset just past the last line handed out. {@link followBatches} gives one with every
 * batch; store the last one and pass it back as {@link FollowFileOptions.checkpoint} after a
 * restart to go on without losing or repeating a line.
 *
 * `inode` is a `bigint` because inode numbers may exceed 2^53 (XFS, overlayfs, network file
 * systems) and must compare exactly. JSON has no bigint: store it as `String(inode)` and read
 * it back with `BigInt(text)`.
 */
export interface FileCheckpoint {
  /** The path followed, as given to {@link followFile} (not the name a rotated file has now). */
  readonly path: string
  /** Inode number of the file the offset belongs to. */
  readonly inode: bigint
  /** Byte offset in that file just past the last complete line handed out. */
  readonly offset: number
}

/** Throws `ERR_INVALID_ARGUMENT` unless `checkpoint` is a well-formed checkpoint of `path`. */
export function checkCheckpoint(checkpoint: FileCheckpoint, path: string): void {
  if (typeof checkpoint !== 'object' || checkpoint === null)
    throw invalidArgument('checkpoint must be an object { path, inode, offset }')
  const { inode, offset } = checkpoint
  if (typeof checkpoint.path !== 'string' || resolve(checkpoint.path) !== resolve(path))
    throw invalidArgument(
      `checkpoint.path must name the file followed (${JSON.stringify(path)}), got ${JSON.stringify(checkpoint.path)}`,
    )
  if (typeof inode !== 'bigint' || inode < 0n)
    throw invalidArgument(
      `checkpoint.inode must be a non-negative bigint (store it as String(inode), restore it with BigInt(text)), got ${typeof inode}`,
    )
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw invalidArgument(`checkpoint.offset must be a non-negative integer, got ${offset}`)
}
