/**
 * Bytes read from a followed file. Chunks of one file come in file order, without gaps or
 * overlaps, until a {@link FileRotated} or {@link FileTruncated} event.
 */
export interface FileChunk {
  /** Tells the items of {@link followFile} apart. */
  readonly kind: 'data'
  /** The bytes, owned by the receiver (not reused by the follower). */
  readonly data: Buffer
  /** The path followed, as given (also while a rotated file is read to its end). */
  readonly path: string
  /** Inode number of the file read (see {@link FileCheckpoint.inode}). */
  readonly inode: bigint
  /** Byte offset of `data` in that file. */
  readonly offset: number
}

/**
 * Why the follower began reading a file:
 *
 * - `start`: the file existed when following began without a checkpoint; read from the
 *   beginning or the end, as {@link FollowFileOptions.from} says
 * - `checkpoint`: the file at the path is the checkpoint's (same inode, not smaller than the
 *   checkpoint's offset); reading goes on at that offset
 * - `checkpoint-rotated`: the checkpoint's file was renamed; it was found by inode in the same
 *   directory (named in {@link FileOpened.rotatedPath}) and is read from the checkpoint's offset
 *   to its end before the file now at the path is read from 0
 * - `checkpoint-truncated`: the file at the path has the checkpoint's inode but is now smaller
 *   than the checkpoint's offset (copy-truncate rotation while nothing followed it); read from 0
 * - `checkpoint-lost`: the checkpoint's file is gone (deleted, compressed, moved elsewhere) or
 *   shorter than the offset; the file at the path is read from 0, and lines written to the old
 *   file after the checkpoint may have been missed
 * - `created`: the path named no file, and now does; read from 0
 * - `rotated`: the previous file was replaced at the path and read to its end; the new one is
 *   read from 0
 */
export type FileOpenCause =
  | 'start'
  | 'checkpoint'
  | 'checkpoint-rotated'
  | 'checkpoint-truncated'
  | 'checkpoint-lost'
  | 'created'
  | 'rotated'

/** The follower began reading a file. Every {@link FileChunk} of a file comes after its event. */
export interface FileOpened {
  /** Tells the items of {@link followFile} apart. */
  readonly kind: 'opened'
  /** The path followed, as given. */
  readonly path: string
  /** Inode number of the file opened. */
  readonly inode: bigint
  /** Byte offset where reading begins. */
  readonly offset: number
  /** Why this file is read, and from where. */
  readonly cause: FileOpenCause
  /** Where the checkpoint's file was found, for cause `checkpoint-rotated`. */
  readonly rotatedPath?: string | undefined
}

/**
 * The follower is done with a file: the path names another file (rotation by rename) or none
 * (removed), and this one was read to its end and gave nothing more for
 * {@link FollowFileOptions.rotateWaitMs}. A partial last line of it will never be completed:
 * flush it. A {@link FileOpened} follows when the path names a file again.
 */
export interface FileRotated {
  /** Tells the items of {@link followFile} apart. */
  readonly kind: 'rotated'
  /** The path followed, as given. */
  readonly path: string
  /** Inode number of the file left. */
  readonly inode: bigint
  /** Its size when left: the offset just past the last byte read. */
  readonly offset: number
  /** Whether another file was at the path (`false`: the path named no file). */
  readonly replaced: boolean
}

/**
 * The file shrank below the offset read (rotation by copy-truncate): reading restarts at 0 of the
 * same file. A partial last line read before will never be completed: flush it.
 */
export interface FileTruncated {
  /** Tells the items of {@link followFile} apart. */
  readonly kind: 'truncated'
  /** The path followed, as given. */
  readonly path: string
  /** Inode number of the file (unchanged). */
  readonly inode: bigint
  /** The offset reached before the truncation. */
  readonly offset: number
  /** The file's size when the truncation was seen. */
  readonly size: number
}

/** What {@link followFile} yields: bytes, and the events a line reader must act on. */
export type FollowEvent = FileChunk | FileOpened | FileRotated | FileTruncated
