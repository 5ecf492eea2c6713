/** The reference MurmurHash3 used as a test oracle (it ships no types). */
declare module 'murmurhash3js-revisited' {
  const murmur: { x64: { hash128(bytes: Uint8Array, seed?: number): string } }
  export default murmur
}
