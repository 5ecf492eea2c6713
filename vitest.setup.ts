import fc from 'fast-check'

// FC_SEED pins every property test's seed (CI sets it, so a run is reproducible); without it each
// run explores new cases, and a failure prints the seed to replay it with.
const seed = process.env.FC_SEED
if (seed !== undefined && seed !== '') fc.configureGlobal({ seed: Number(seed) })
