/** Constructor of objects whose prototype is an empty object that itself has no prototype. */
const Bare = function Bare() {} as unknown as { new (): object; prototype: object }
Bare.prototype = Object.create(null) as object

/**
 * Makes an empty object that inherits nothing: any key read from a log line (`__proto__`,
 * `constructor`, `toString` …) is an ordinary own property, and a missing key reads as
 * `undefined`. Unlike `Object.create(null)`, whose objects V8 keeps in slow dictionary mode,
 * these objects stay fast.
 */
export function bareObject<T>(): Record<string, T> {
  return new Bare() as Record<string, T>
}
