#!/usr/bin/env node
// `npm run demo:logs`: generates a realistic Apache access log (combined format, seeded, with a few
// malformed lines on purpose) and runs the @shoal/logs command-line tool on it from its TypeScript
// sources:
//
//   tsx --conditions=@shoal/source packages/logs/src/cli/main.ts check --format combined <file>
//
// Options: --lines <n> (default 3000), --seed <n> (default 1), --out <file>.
// `check` exits 1 when it finds bad lines; this sample holds some on purpose, so that exit code is
// expected here, and this script then exits 0. Any other failure is passed on.

import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const cli = join(root, 'packages', 'logs', 'src', 'cli', 'main.ts')

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '3000' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: join(tmpdir(), 'shoal-demo-logs', 'access.log') },
  },
})
const lineCount = Number(values.lines)
const seed = Number(values.seed)
if (!Number.isInteger(lineCount) || lineCount < 1 || !Number.isInteger(seed)) {
  console.error('usage: npm run demo:logs -- [--lines <positive integer>] [--seed <integer>] [--out <file>]')
  process.exitCode = 2
} else {
  await main(lineCount, seed, values.out)
}

// ---------------------------------------------------------------------------------------------
// A seeded access log

/** mulberry32: small, fast, good enough to make a sample repeatable from its seed. */
function prng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function generate(count, seed) {
  const random = prng(seed)
  const int = (n) => Math.floor(random() * n)
  const pick = (items) => items[int(items.length)]
  // Skewed choice: early items are much more likely, like real page popularity.
  const popular = (items) => items[Math.min(items.length - 1, Math.floor(items.length * random() ** 3))]

  const clients = [
    ...Array.from({ length: 40 }, () => `${1 + int(223)}.${int(256)}.${int(256)}.${1 + int(254)}`),
    '2001:db8::17',
    '2001:db8:85a3::8a2e:370:7334',
    'crawl-66-249-66-1.googlebot.com',
  ]
  const users = ['-', '-', '-', '-', '-', '-', 'frank', 'alice']
  const pages = [
    '/',
    '/index.html',
    '/favicon.ico',
    '/css/site.css',
    '/js/app.js',
    '/images/logo.png',
    '/blog/',
    '/blog/2024/scaling-logs.html',
    '/blog/2024/dns-round-robin.html',
    '/search?q=load+balancer&page=2',
    '/api/v1/items?limit=50',
    '/downloads/shoal-0.1.0.tar.gz',
    '/about.html',
    '/robots.txt',
    '/wp-login.php',
    '/docs/getting%20started.html',
  ]
  const statuses = [200, 200, 200, 200, 200, 200, 200, 304, 304, 301, 302, 404, 404, 403, 500, 503]
  const methods = ['GET', 'GET', 'GET', 'GET', 'GET', 'GET', 'POST', 'HEAD']
  const referers = [
    '-',
    '-',
    'https://www.example.com/',
    'https://www.example.com/blog/',
    'https://www.google.com/search?q=shoal+logs',
    'https://news.example.org/item?id=4242',
  ]
  const agents = [
    'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'curl/8.5.0',
    '-',
    // Apache escapes a double quote inside a logged field as \" (still a well-formed line).
    'Mozilla/5.0 (compatible; \\"quoted\\" bot/1.0)',
  ]
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  const two = (n) => String(n).padStart(2, '0')
  const stamp = (ms) => {
    const d = new Date(ms)
    return `${two(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  }

  let time = Date.UTC(2024, 4, 17, 10, 0, 0)
  const lines = []
  let malformed = 0
  for (let i = 0; i < count; i++) {
    time += int(1500)
    const status = pick(statuses)
    const method = pick(methods)
    const bytes = status === 304 || method === 'HEAD' ? '-' : String(200 + int(60_000))
    const odd = random()
    // Well-formed oddities: a connection closed before any request ("-", 408), and a TLS handshake
    // sent to the plain-HTTP port, which Apache logs with its bytes escaped as \xHH (400).
    const line =
      odd < 0.003
        ? `${pick(clients)} - - [${stamp(time)}] "-" 408 - "-" "-"`
        : odd < 0.005
          ? `${pick(clients)} - - [${stamp(time)}] "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03" 400 226 "-" "-"`
          : `${pick(clients)} - ${pick(users)} [${stamp(time)}] "${method} ${popular(pages)} HTTP/1.1" ${status} ` +
            `${bytes} "${pick(referers)}" "${popular(agents)}"`
    // About 1 line in 200 is damaged the ways real logs are.
    if (random() < 0.005) {
      malformed++
      switch (int(4)) {
        case 0: // cut short, e.g. by a crash while writing: the last quoted field never closes
          lines.push(line.slice(0, line.length - 10))
          break
        case 1: // status and size missing
          lines.push(line.replace(/" \d+ (\d+|-) "/, '" "'))
          break
        case 2: // timestamp without its brackets
          lines.push(line.replace('[', '').replace(']', ''))
          break
        default: // garbage written by something else into the same file
          lines.push('upstream timed out (110: Connection timed out) while reading response header')
      }
    } else {
      lines.push(line)
    }
  }
  return { text: `${lines.join('\n')}\n`, malformed }
}

// ---------------------------------------------------------------------------------------------

async function main(count, seed, out) {
  const { text, malformed } = generate(count, seed)
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, text)
  console.log(`sample: ${out}`)
  console.log(
    `        ${count} lines of Apache combined log, seed ${seed}, ${malformed} malformed on purpose`,
  )

  if (!existsSync(cli)) {
    console.error('')
    console.error(`The @shoal/logs command-line tool is not there yet (${relative(root, cli)} is missing),`)
    console.error('so there is nothing to run on the sample. Once it lands, `npm run demo:logs` runs:')
    console.error(
      `  npx tsx --conditions=@shoal/source ${relative(root, cli)} check --format combined ${out}`,
    )
    process.exitCode = 1
    return
  }

  const args = ['--conditions=@shoal/source', relative(root, cli), 'check', '--format', 'combined', out]
  console.log(`\n$ tsx ${args.join(' ')}\n`)
  const tsx = join(root, 'node_modules', '.bin', 'tsx')
  const child = spawn(existsSync(tsx) ? tsx : 'npx', existsSync(tsx) ? args : ['tsx', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let printed = 0
  child.stdout.on('data', (chunk) => {
    printed += chunk.length
    process.stdout.write(chunk)
  })
  const [code, signal] = await new Promise((resolve) => {
    child.on('error', (error) => {
      console.error(`could not start tsx: ${error.message}`)
      resolve([-1, null])
    })
    child.on('close', (c, s) => resolve([c, s]))
  })

  if (code === 0) return
  if (code === 1 && malformed > 0 && printed > 0) {
    console.log(`\n(check exits 1 when it finds bad lines; this sample holds ${malformed} on purpose.)`)
    return
  }
  console.error(
    `\nshoal-logs check failed (${signal === null ? `exit code ${code}` : `killed by ${signal}`})`,
  )
  process.exitCode = typeof code === 'number' && code > 0 ? code : 1
}
