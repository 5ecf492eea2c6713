export type { AssignMaturity, AssignMember, Assignment, AssignOptions, KeyedBy } from './assign/assign.js'
export { assign } from './assign/assign.js'
export type { AssignmentDiff } from './assign/diff.js'
export { assignmentDiff } from './assign/diff.js'
export { type MembershipConfig, type ProfileName, profiles, resolveConfig } from './core/config.js'
export type {
  MemberEvent,
  MemberEventType,
  MemberSnapshot,
  MembershipCall,
  MembershipDropReason,
  MembershipEvent,
  MembershipStats,
  StoppedEvent,
} from './core/events.js'
export { MembershipCore, type MembershipCoreOptions } from './core/membership-core.js'
export { membershipNode, type SimulatedNodeEnv } from './core/membership-node.js'
export { suspicionTimeout } from './core/suspicion.js'
export {
  Membership,
  type MembershipAdapterStats,
  type MembershipEvents,
  type MembershipOptions,
} from './node/membership.js'
export { MAX_FRAME_BYTES, type StreamTransportStats } from './node/stream-transport.js'
export {
  BODY_HEADER_BYTES,
  decodeMessages,
  encodedSize,
  encodeMessages,
  MAX_DATAGRAM_BODY,
  MAX_MESSAGES_PER_BODY,
  MAX_METADATA_BYTES,
  MAX_PUSH_PULL_MEMBERS,
  MAX_STRING_BYTES,
  WIRE_VERSION,
} from './wire/codec.js'
export {
  createEnvelope,
  ENVELOPE_MAGIC,
  type Envelope,
  type EnvelopeDropReason,
  type EnvelopeOptions,
  type OpenResult,
} from './wire/envelope.js'
export { KEY_BYTES, Keyring, MAX_KEYS, parseKey } from './wire/keyring.js'
export type { MemberRecord, MemberState, Message, MessageType, Metadata } from './wire/messages.js'
