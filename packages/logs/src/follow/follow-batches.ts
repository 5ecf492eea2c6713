import { invalidArgument } from '@shoal/core'
import type { LineParser } from '../line-parser.js'
import { LineSplitter } from '../line-splitter.js'
import { BatchSink, type ParseOptions, type RecordBatch } from '../parse-stream.js'
import type { FileCheckpoint } from './checkpoint.js'
import type { FileOpened, FileRotated, FileTruncated, FollowEvent } from './events.js'
import { type FollowFileOptions, followSource } from './follow-file.js'
import { type Follower, stoppable } from './follower.js'

/** Options of {@link followBatches} and {@link followRecords}: following, and what to do with lines. */
export interface FollowParseOptions
  extends FollowFileOptions,
    Pick<ParseOptions, 'maxLineBytes' | 'skipEmpty' | 'badLines' | 'onBadLine'> {}

/**
 * The records and rejected lines one read of a followed file completed, and where to resume.
 *
 * `line` and `offset` are those of the file being read (`inode`): offsets are byte offsets in
 * it, and lines are counted from where reading of that file began (its real line numbers when it
 * was read from 0).
 */
export interface FollowBatch<R> extends RecordBatch<R> {
  /**
   * Where to resume just past the last complete line of this batch: store it, and pass it as
   * {@link FollowFileOptions.checkpoint} after a restart to lose and repeat no line.
   */
  readonly checkpoint: FileCheckpoint
  /**
   * The file event this batch was made for, if any. A batch is yielded at every event, even
   * empty, so that the last checkpoint seen is always current: at `opened` (where reading
   * begins), at `truncated` (after the partial line before it, if any, was handed out as a line;
   * the checkpoint is then offset 0), and at `rotated` (likewise, the checkpoint being the end of
   * the old file).
   */
  readonly event?: FileOpened | FileRotated | FileTruncated | undefined
}

/**
 * Follows a file (see {@link followFile}) and parses its lines as they are written, yielding one
 * {@link FollowBatch} per read that completes at least one line, and one at every file event.
 *
 * A line is handed out once complete (its newline written). When the file is rotated or
 * truncated, a partial last line will never be completed: it is handed out as it is. Bad lines
 * never stop following: they come back in `errors` and go to `options.badLines` and
 * `options.onBadLine`. Stop it with `break`, `return()`, `await using` or `options.signal`.
 *
 * @param path - the file to follow; it need not exist yet
 * @param parser - the format of its lines; one parser per followed file
 * @param options - where to begin, checkpoint, timings, line limits, bad-line handling
 * @throws `ERR_INVALID_ARGUMENT` at once for a bad path, parser or option
 *
 * @example
 * ```ts
 * const saved = await loadCheckpoint() // { path, inode: BigInt(text), offset } or undefined
 * for await (const batch of followBatches('/var/log/nginx/access.log', parser, { checkpoint: saved, signal })) {
 *   for (const record of batch.records) count(record)
 *   await saveCheckpoint(batch.checkpoint)
 * }
 * ```
 */
export function followBatches<R>(
  path: string,
  parser: LineParser<R>,
  options: FollowParseOptions = {},
): Follower<FollowBatch<R>> {
  const start = prepare(path, parser, options)
  return stoppable((stop) => batches(start(stop), path, parser, options))
}

/**
 * Follows a file (see {@link followFile}) and parses its lines as they are written, record by
 * record. Rejected lines go to `options.onBadLine` and `options.badLines`. To resume after a
 * restart without losing or repeating lines, use {@link followBatches}, whose batches carry
 * checkpoints.
 *
 * @param path - the file to follow; it need not exist yet
 * @param parser - the format of its lines; one parser per followed file
 * @param options - where to begin, checkpoint, timings, line limits, bad-line handling
 * @throws `ERR_INVALID_ARGUMENT` at once for a bad path, parser or option
 */
export function followRecords<R>(
  path: string,
  parser: LineParser<R>,
  options: FollowParseOptions = {},
): Follower<R> {
  const start = prepare(path, parser, options)
  return stoppable((stop) => records(batches(start(stop), path, parser, options)))
}

function prepare<R>(
  path: string,
  parser: LineParser<R>,
  options: FollowParseOptions,
): (stop: AbortSignal) => AsyncGenerator<FollowEvent, void, undefined> {
  if (typeof parser !== 'object' || parser === null || typeof parser.parseBinary !== 'function')
    throw invalidArgument('parser must be a LineParser (an object with a parseBinary method)')
  // checks maxLineBytes now rather than at the first line
  new LineSplitter({ maxLineBytes: options.maxLineBytes })
  return followSource(path, options)
}

async function* records<R>(
  source: AsyncGenerator<FollowBatch<R>, void, undefined>,
): AsyncGenerator<R, void, undefined> {
  for await (const batch of source) yield* batch.records
}

async function* batches<R>(
  events: AsyncGenerator<FollowEvent, void, undefined>,
  path: string,
  parser: LineParser<R>,
  options: FollowParseOptions,
): AsyncGenerator<FollowBatch<R>, void, undefined> {
  const { maxLineBytes } = options
  const sink = new BatchSink(parser, options)
  let splitter = new LineSplitter({ maxLineBytes })
  let inode = 0n
  for await (const event of events) {
    switch (event.kind) {
      case 'data':
        splitter.push(event.data, sink)
        if (sink.records.length > 0 || sink.errors.length > 0 || sink.emptyLines > 0)
          yield batch(sink, splitter, path, inode, undefined)
        break
      case 'opened':
        inode = event.inode
        splitter = new LineSplitter({ maxLineBytes, startOffset: event.offset })
        yield batch(sink, splitter, path, inode, event)
        break
      case 'truncated':
        splitter.end(sink)
        splitter = new LineSplitter({ maxLineBytes })
        yield batch(sink, splitter, path, inode, event)
        break
      case 'rotated':
        splitter.end(sink)
        yield batch(sink, splitter, path, inode, event)
        break
    }
  }
}

function batch<R>(
  sink: BatchSink<R>,
  splitter: LineSplitter,
  path: string,
  inode: bigint,
  event: FileOpened | FileRotated | FileTruncated | undefined,
): FollowBatch<R> {
  const taken: RecordBatch<R> = sink.take(splitter)
  return {
    records: taken.records,
    errors: taken.errors,
    emptyLines: taken.emptyLines,
    line: taken.line,
    offset: taken.offset,
    checkpoint: { path, inode, offset: taken.offset },
    event,
  }
}
