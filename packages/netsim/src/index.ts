export { always, byNode, type EventuallyOptions, eventually } from './checker.js'
export { openPort, SimDatagramPort } from './datagram-port.js'
export { EventQueue, type QueueItem } from './event-queue.js'
export { type DelayDistribution, type LinkOptions, sampleDelay } from './link.js'
export type { NodeEffect, NodeEnv, NodeFactory, NodeInput, ProtocolCore } from './node.js'
export { type CheckOptions, checkProperty, replayCommand } from './replay.js'
export {
  applySchedule,
  type Fault,
  type FaultSchedule,
  type FaultScheduleOptions,
  faultSchedule,
} from './schedule.js'
export { simulationClock } from './sim-clock.js'
export {
  type EmittedEvent,
  type NetworkCounters,
  type NodeStatus,
  Simulation,
  type SimulationOptions,
} from './simulation.js'
export { type DropReason, type TraceEntry, type TraceMode, TraceRecorder } from './trace.js'
